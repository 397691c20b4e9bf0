// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket RUNDIR/adaptswapd.sock: accept clients, read one
 * request line from each, answer it and close.  The protocol (documented
 * in doc/protocol.md, spoken by libadaptswap's adaptswap_daemon_ask()):
 * the answer is a line "ok" and the body, or a line "error KIND MESSAGE";
 * then the daemon closes.  status, status-json and metrics are for everyone; the
 * requests that change something need user ID 0 (SO_PEERCRED).
 *
 * Nothing a client does stops the daemon: answers are sent with
 * MSG_NOSIGNAL (a client gone is EPIPE, not SIGPIPE); every client has
 * CLIENT_DEADLINE_MS to send its request, then it is dropped; other users
 * never take the last ROOT_SLOTS slots, so root's requests get through
 * whatever idle connections others hold; and when every slot is taken,
 * root's new connection takes the slot of the oldest client still to send
 * its request (root's own idle connections cannot lock root out either).  A release's answer waits for
 * the worker (ctl_release_done()).
 *
 * Owns: d->ctl.  Calls: report.c, actuate.c, settings.c (reload), log.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemon.h"

static bool is_root(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.uid == 0;
}

/*
 * The answer to a request that changes something: "ok" and what happened,
 * or "error KIND MESSAGE" (KIND from the error, see adaptswap.h).  One
 * line of message: a newline in it would end the protocol's line.
 */
static void answer(FILE *f, int err, char *msg)
{
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (err)
		fprintf(f, "error %s %s\n", adaptswap_daemon_error_kind(err), msg);
	else if (*msg)
		fprintf(f, "ok\n%s\n", msg);
	else
		fprintf(f, "ok\n");
}

/* The requests that change something (root only). */
/* Send it all, or give up on this client (gone, or not reading). */
static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* The requests that change something (root only); -EINPROGRESS: the
 * answer comes later (release). */
static int handle_change(struct daemon *d, FILE *f, const char *cmd)
{
	char msg[600] = "";
	int r = 0;

	if (!strcmp(cmd, "reload")) {
		char why[512];

		r = settings_reload(d, why, sizeof(why)) ? -ECANCELED : 0;
		snprintf(msg, sizeof(msg), r ? "refused, the running configuration is kept: %s" :
			 "%s", why);
	} else if (!strcmp(cmd, "hold") || !strcmp(cmd, "resume")) {
		act_hold(d, !strcmp(cmd, "hold"));
	} else if (!strcmp(cmd, "release")) {
		r = act_release(d, msg, sizeof(msg));
		if (r == -EINPROGRESS)
			return r;
	} else if (!strcmp(cmd, "grow")) {
		r = act_grow(d, "adaptswapctl grow", 0, true, msg, sizeof(msg));
	} else {
		r = act_shrink(d, true, msg, sizeof(msg));
	}
	answer(f, r, msg);
	return 0;
}

static const char *const change_requests[] = {
	"grow", "shrink", "release", "hold", "resume", "reload", NULL
};

/* Answer one request; true when the client waits for a later answer. */
static bool handle_request(struct daemon *d, struct client *c, const char *cmd)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	bool change = false, later = false;

	if (!f)
		return false;
	for (const char *const *r = change_requests; *r; r++)
		change |= !strcmp(cmd, *r);
	if (!strcmp(cmd, "status")) {
		fprintf(f, "ok\n");
		report_status(d, f);
	} else if (!strcmp(cmd, "status-json")) {
		fprintf(f, "ok\n");
		report_status_json(d, f);
	} else if (!strcmp(cmd, "metrics") || !strcmp(cmd, "metrics-json")) {
		fprintf(f, "ok\n");
		report_metrics(d, f, !strcmp(cmd, "metrics-json"));
	} else if (change && !c->root) {
		fprintf(f, "error denied permission denied: '%s' needs root\n", cmd);
	} else if (change) {
		later = handle_change(d, f, cmd) == -EINPROGRESS;
	} else {
		/* no echo of what the client sent: it may be anything */
		fprintf(f, "error invalid unknown request (see adaptswapctl(8))\n");
	}
	if (fclose(f) == 0 && !later)
		send_all(c->fd, out, outlen);
	free(out);
	return later;
}

static void client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->pending = false;
	c->buf[0] = '\0';
}

void ctl_release_done(struct daemon *d, int err, const char *msg)
{
	char buf[700];

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->ctl.clients[i];

		if (c->fd < 0 || !c->pending)
			continue;
		if (err)
			snprintf(buf, sizeof(buf), "error %s %s\n",
				 adaptswap_daemon_error_kind(err), msg);
		else
			snprintf(buf, sizeof(buf), "ok\n%s\n", msg);
		send_all(c->fd, buf, strlen(buf));
		client_close(c);
	}
}

int ctl_next_deadline(struct daemon *d)
{
	uint64_t t = now_ms(), next = UINT64_MAX;

	for (int i = 0; i < MAX_CLIENTS; i++) {
		const struct client *c = &d->ctl.clients[i];

		if (c->fd >= 0 && !c->pending && c->deadline_ms < next)
			next = c->deadline_ms;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= t ? 0 : (int)(next - t);
}

void ctl_expire(struct daemon *d)
{
	uint64_t t = now_ms();

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->ctl.clients[i];

		if (c->fd >= 0 && !c->pending && c->deadline_ms <= t) {
			logmsg(d, LOG_DEBUG_, "control socket: a client sent no request "
			       "within %d ms, dropped", CLIENT_DEADLINE_MS);
			client_close(c);
		}
	}
}

void ctl_readable(struct daemon *d, int slot)
{
	struct client *c = &d->ctl.clients[slot];
	size_t have = strlen(c->buf);
	ssize_t n;

	if (c->pending) {
		char junk[64];

		/* waits for its answer: only notice that it went away */
		n = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_close(c);
		return;
	}
	n = recv(c->fd, c->buf + have, sizeof(c->buf) - 1 - have, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		c->buf[have + (size_t)n] = '\0';
		/* a command is one line; wait for the rest of it */
		if (!strchr(c->buf, '\n') && have + (size_t)n < sizeof(c->buf) - 1)
			return;
		c->buf[strcspn(c->buf, "\r\n")] = '\0';
		if (handle_request(d, c, c->buf)) {
			c->pending = true;
			return;
		}
	}
	client_close(c);
}

void ctl_accept(struct daemon *d)
{
	static const char full[] = "error busy too many clients, try again\n";
	int fd = accept4(d->ctl.fd, NULL, NULL, SOCK_CLOEXEC);
	struct client *free_slot = NULL;
	int used = 0;
	bool root;

	if (fd < 0)
		return;
	root = is_root(fd);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->ctl.clients[i];

		if (c->fd >= 0)
			used++;
		else if (!free_slot)
			free_slot = c;
	}
	if (!free_slot && root) {
		struct client *old = NULL;

		/* every slot taken: root's connection takes the oldest idle one */
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &d->ctl.clients[i];

			if (!c->pending && (!old || c->deadline_ms < old->deadline_ms))
				old = c;
		}
		if (old) {
			logmsg(d, LOG_DEBUG_, "control socket: full; root's connection takes "
			       "the slot of the oldest client still to send its request");
			send(old->fd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			client_close(old);
			free_slot = old;
		}
	}
	if (!free_slot || (!root && used >= MAX_CLIENTS - ROOT_SLOTS)) {
		send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	{
		/* an answer waits at most this long for a client that does not read */
		struct timeval tv = { .tv_sec = 2 };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	free_slot->fd = fd;
	free_slot->root = root;
	free_slot->pending = false;
	free_slot->deadline_ms = now_ms() + CLIENT_DEADLINE_MS;
	free_slot->buf[0] = '\0';
}

int ctl_open(struct daemon *d)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	for (int i = 0; i < MAX_CLIENTS; i++)
		d->ctl.clients[i].fd = -1;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", d->rundir, ADAPTSWAP_DAEMON_SOCKET);
	unlink(a.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, MAX_CLIENTS)) {
		logmsg(d, LOG_ERR_, "control socket %s: %s", a.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	chmod(a.sun_path, 0666);	/* status for everyone; changes check SO_PEERCRED */
	d->ctl.fd = fd;
	return 0;
}

void ctl_close(struct daemon *d)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (d->ctl.clients[i].fd >= 0)
			client_close(&d->ctl.clients[i]);
	if (d->ctl.fd >= 0)
		close(d->ctl.fd);
	d->ctl.fd = -1;
}
