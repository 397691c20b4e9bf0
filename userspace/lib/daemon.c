// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libadaptswap: the client side of adaptswapd's control socket (see
 * adaptswap.h and doc/protocol.md).  Every wait has a deadline: a daemon
 * that accepts and never answers, or one whose backlog is full, costs the
 * caller at most the timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "adaptswap.h"

struct adaptswap_daemon {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout_ms;
	int fd;			/* connected, not yet asked; -1 */
	char *answer;		/* the last answer, NUL-terminated */
	size_t cap;
	char err[512];
};

static const struct {
	const char *kind;
	int err;
} kinds[] = {
	{ "denied", -EACCES },
	{ "invalid", -EINVAL },
	{ "busy", -EBUSY },
	{ "refused", -ECANCELED },
	{ "failed", -EIO },
};

const char *adaptswap_daemon_error_kind(int err)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].err == err)
			return kinds[i].kind;
	return "failed";
}

int adaptswap_daemon_error_parse(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, kind))
			return kinds[i].err;
	return -EIO;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct adaptswap_daemon *ad, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ad->err, sizeof(ad->err), fmt, ap);
	va_end(ap);
	return err;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline: 1 ready, 0 timed out, -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int64_t left = deadline - mono_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n > 0)
			return 1;
	}
}

static int connect_by(struct adaptswap_daemon *ad, int64_t deadline)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	memcpy(a.sun_path, ad->path, sizeof(a.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(ad, -errno, "socket: %s", strerror(errno));
	/* A full backlog answers EAGAIN: try again until the deadline. */
	while (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;
		struct timespec pause = { .tv_nsec = 10 * 1000000 };

		if (e == EINTR)
			continue;
		if (e != EAGAIN) {
			close(fd);
			if (e == ENOENT || e == ECONNREFUSED)
				return fail(ad, -e, "adaptswapd is not running (%s: %s)",
					    ad->path, strerror(e));
			return fail(ad, -e, "%s: %s", ad->path, strerror(e));
		}
		if (mono_ms() >= deadline) {
			close(fd);
			return fail(ad, -ETIMEDOUT, "adaptswapd did not take the connection "
				    "within %d ms (%s)", ad->timeout_ms, ad->path);
		}
		nanosleep(&pause, NULL);
	}
	ad->fd = fd;
	return 0;
}

int adaptswap_daemon_open(struct adaptswap_daemon **out, const char *rundir, int timeout_ms)
{
	struct adaptswap_daemon *ad = calloc(1, sizeof(*ad));
	int n;

	*out = ad;
	if (!ad)
		return -ENOMEM;
	ad->fd = -1;
	ad->timeout_ms = timeout_ms > 0 ? timeout_ms : ADAPTSWAP_DAEMON_TIMEOUT_MS;
	if (!rundir || !*rundir)
		rundir = getenv("ADAPTSWAP_RUNDIR");
	if (!rundir || !*rundir)
		rundir = ADAPTSWAP_DAEMON_RUNDIR;
	n = snprintf(ad->path, sizeof(ad->path), "%s/%s", rundir, ADAPTSWAP_DAEMON_SOCKET);
	if (n < 0 || (size_t)n >= sizeof(ad->path))
		return fail(ad, -ENAMETOOLONG, "%s/%s: the path is too long for a socket",
			    rundir, ADAPTSWAP_DAEMON_SOCKET);
	return connect_by(ad, mono_ms() + ad->timeout_ms);
}

static int send_all(struct adaptswap_daemon *ad, const char *buf, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n = send(ad->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int r;

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return fail(ad, -errno, "sending to adaptswapd: %s", strerror(errno));
		r = wait_fd(ad->fd, POLLOUT, deadline);
		if (r < 0)
			return fail(ad, r, "sending to adaptswapd: %s", strerror(-r));
		if (r == 0)
			return fail(ad, -ETIMEDOUT, "adaptswapd did not take the request "
				    "within %d ms", ad->timeout_ms);
	}
	return 0;
}

/* Read until the daemon closes, the deadline passes or the answer is too long. */
static int read_all(struct adaptswap_daemon *ad, int64_t deadline, size_t *len)
{
	*len = 0;
	for (;;) {
		ssize_t n;
		int r;

		if (ad->cap - *len < 4096) {
			size_t cap = ad->cap ? ad->cap * 2 : 16384;
			char *p;

			if (cap > ADAPTSWAP_DAEMON_ANSWER_MAX + 1)
				cap = ADAPTSWAP_DAEMON_ANSWER_MAX + 1;
			if (*len + 1 >= cap)
				return fail(ad, -EMSGSIZE, "adaptswapd's answer is longer than %d bytes",
					    ADAPTSWAP_DAEMON_ANSWER_MAX);
			p = realloc(ad->answer, cap);
			if (!p)
				return fail(ad, -ENOMEM, "out of memory");
			ad->answer = p;
			ad->cap = cap;
		}
		n = recv(ad->fd, ad->answer + *len, ad->cap - 1 - *len, MSG_DONTWAIT);
		if (n > 0) {
			*len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return fail(ad, -errno, "reading adaptswapd's answer: %s", strerror(errno));
		r = wait_fd(ad->fd, POLLIN, deadline);
		if (r < 0)
			return fail(ad, r, "reading adaptswapd's answer: %s", strerror(-r));
		if (r == 0)
			return fail(ad, -ETIMEDOUT, "adaptswapd did not answer within %d ms",
				    ad->timeout_ms);
	}
	ad->answer[*len] = '\0';
	return 0;
}

/* The KIND word at the start of msg: its errno, and msg moved past it. */
static int take_kind(char **msg)
{
	size_t n = strcspn(*msg, " ");

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].kind) == n && !strncmp(*msg, kinds[i].kind, n)) {
			*msg += n + ((*msg)[n] == ' ');
			return kinds[i].err;
		}
	}
	return -EIO;	/* no kind (an older daemon): all of it is the message */
}

/* "ok\nBODY" or "error KIND MESSAGE\n". */
static int parse_answer(struct adaptswap_daemon *ad, size_t len, const char **body)
{
	char *a = ad->answer, *msg;
	int err;

	if (strlen(a) != len)
		return fail(ad, -EPROTO, "adaptswapd's answer contains a NUL byte");
	if (!strcmp(a, "ok") || !strncmp(a, "ok\n", 3)) {
		*body = a[2] ? a + 3 : a + 2;
		return 0;
	}
	if (len == 0)
		return fail(ad, -EPROTO, "adaptswapd closed the connection without an answer");
	if (strncmp(a, "error ", 6))
		return fail(ad, -EPROTO, "adaptswapd's answer starts with neither 'ok' nor 'error'");
	msg = a + 6;
	msg[strcspn(msg, "\n")] = '\0';
	err = take_kind(&msg);
	return fail(ad, err, "%s", *msg ? msg : "(no reason given)");
}

int adaptswap_daemon_ask(struct adaptswap_daemon *ad, const char *request, const char **body)
{
	int64_t deadline = mono_ms() + ad->timeout_ms;
	char line[ADAPTSWAP_DAEMON_REQUEST_MAX + 2];
	size_t len = 0;
	int r;

	*body = NULL;
	if (!request || !*request || strlen(request) > ADAPTSWAP_DAEMON_REQUEST_MAX ||
	    strpbrk(request, "\r\n"))
		return fail(ad, -EINVAL, "not a request: one line of 1 to %d bytes",
			    ADAPTSWAP_DAEMON_REQUEST_MAX);
	if (ad->fd < 0) {
		r = connect_by(ad, deadline);
		if (r < 0)
			return r;
	}
	/* one write: the daemon answers the line at once */
	snprintf(line, sizeof(line), "%s\n", request);
	r = send_all(ad, line, strlen(line), deadline);
	if (r == 0)
		r = read_all(ad, deadline, &len);
	close(ad->fd);
	ad->fd = -1;
	if (r < 0)
		return r;
	return parse_answer(ad, len, body);
}

const char *adaptswap_daemon_errmsg(const struct adaptswap_daemon *ad)
{
	return ad && ad->err[0] ? ad->err : "no error";
}

const char *adaptswap_daemon_path(const struct adaptswap_daemon *ad)
{
	return ad ? ad->path : "";
}

void adaptswap_daemon_close(struct adaptswap_daemon *ad)
{
	if (!ad)
		return;
	if (ad->fd >= 0)
		close(ad->fd);
	free(ad->answer);
	free(ad);
}
