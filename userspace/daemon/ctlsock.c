// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket RUNDIR/adaptswapd.sock: accept clients, read one
 * request line from each, answer it and close.  The protocol (documented
 * in doc/protocol.md, spoken by libadaptswap's adaptswap_daemon_ask()):
 * the answer is a line "ok" and the body, or a line "error KIND MESSAGE";
 * then the daemon closes.  status, status-json and metrics are for everyone; the
 * requests that change something need user ID 0 (SO_PEERCRED).
 *
 * Owns: d->ctl.  Calls: report.c, actuate.c, settings.c (reload), log.c.
 */
#include <errno.h>
#include <stdio.h>
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
static void handle_change(struct daemon *d, FILE *f, const char *cmd)
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
	} else if (!strcmp(cmd, "grow")) {
		r = act_grow(d, "adaptswapctl grow", 0, true, msg, sizeof(msg));
	} else {
		r = act_shrink(d, true, msg, sizeof(msg));
	}
	answer(f, r, msg);
}

static const char *const change_requests[] = {
	"grow", "shrink", "release", "hold", "resume", "reload", NULL
};

static void handle_request(struct daemon *d, int fd, const char *cmd)
{
	FILE *f = fdopen(dup(fd), "w");
	bool change = false;

	if (!f)
		return;
	for (const char *const *c = change_requests; *c; c++)
		change |= !strcmp(cmd, *c);
	if (!strcmp(cmd, "status")) {
		fprintf(f, "ok\n");
		report_status(d, f);
	} else if (!strcmp(cmd, "status-json")) {
		fprintf(f, "ok\n");
		report_status_json(d, f);
	} else if (!strcmp(cmd, "metrics") || !strcmp(cmd, "metrics-json")) {
		fprintf(f, "ok\n");
		report_metrics(d, f, !strcmp(cmd, "metrics-json"));
	} else if (change && !is_root(fd)) {
		fprintf(f, "error denied permission denied: '%s' needs root\n", cmd);
	} else if (change) {
		handle_change(d, f, cmd);
	} else {
		/* no echo of what the client sent: it may be anything */
		fprintf(f, "error invalid unknown request (see adaptswapctl(8))\n");
	}
	fclose(f);
}

static void client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->buf[0] = '\0';
}

void ctl_readable(struct daemon *d, int slot)
{
	struct client *c = &d->ctl.clients[slot];
	size_t have = strlen(c->buf);
	ssize_t n = recv(c->fd, c->buf + have, sizeof(c->buf) - 1 - have, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		c->buf[have + (size_t)n] = '\0';
		/* a command is one line; wait for the rest of it */
		if (!strchr(c->buf, '\n') && have + (size_t)n < sizeof(c->buf) - 1)
			return;
		c->buf[strcspn(c->buf, "\r\n")] = '\0';
		handle_request(d, c->fd, c->buf);
	}
	client_close(c);
}

void ctl_accept(struct daemon *d)
{
	int fd = accept4(d->ctl.fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->ctl.clients[i];

		if (c->fd < 0) {
			struct timeval tv = { .tv_sec = 2 };

			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			c->fd = fd;
			c->buf[0] = '\0';
			return;
		}
	}
	close(fd);
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
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8)) {
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
