// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/daemon.c, the client of adaptswapd's control socket,
 * against a test server in a thread: answers, the daemon's error kinds,
 * and every way of not answering (silence, a full backlog, a close, too
 * much, not the protocol), each within its timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "adaptswap.h"
#include "tap.h"

enum mode { REPLY, SILENT, CLOSE };

struct server {
	int lfd;
	enum mode mode;
	const char *reply;
	size_t reply_len;
	char got[256];		/* the request it read */
	int stop[2];		/* SILENT: wait for this pipe */
	pthread_t thread;
};

static char dir[64];

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int listen_at(int backlog)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", dir, ADAPTSWAP_DAEMON_SOCKET);
	unlink(a.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, backlog)) {
		perror("test server");
		exit(2);
	}
	return fd;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	ssize_t n;
	char c;

	if (fd < 0)
		return NULL;
	if (s->mode == CLOSE) {
		close(fd);
		return NULL;
	}
	n = recv(fd, s->got, sizeof(s->got) - 1, 0);
	s->got[n > 0 ? n : 0] = '\0';
	if (s->mode == SILENT) {
		if (read(s->stop[0], &c, 1) < 0)
			perror("stop pipe");
	} else {
		for (size_t off = 0; off < s->reply_len;) {
			n = send(fd, s->reply + off, s->reply_len - off, MSG_NOSIGNAL);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
	}
	close(fd);
	return NULL;
}

static void start(struct server *s, enum mode mode, const char *reply, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->reply = reply;
	s->reply_len = reply ? (len ? len : strlen(reply)) : 0;
	if (pipe(s->stop))
		exit(2);
	s->lfd = listen_at(8);
	pthread_create(&s->thread, NULL, serve, s);
}

static void finish(struct server *s)
{
	if (write(s->stop[1], "x", 1) < 0)
		perror("stop pipe");
	pthread_join(s->thread, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
}

/* One request against a server answering `reply`: the result and body. */
static int ask(const char *reply, size_t len, const char *req, const char **body,
	       struct adaptswap_daemon **ad, struct server *s)
{
	int r;

	start(s, REPLY, reply, len);
	r = adaptswap_daemon_open(ad, dir, 2000);
	if (r == 0)
		r = adaptswap_daemon_ask(*ad, req, body);
	finish(s);
	return r;
}

static void test_answers(void)
{
	static const struct {
		const char *reply;
		int ret;
		const char *text;	/* body, or the error message */
	} cases[] = {
		{ "ok\n", 0, "" },
		{ "ok", 0, "" },
		{ "ok\n{\"a\":1}\n", 0, "{\"a\":1}\n" },
		{ "ok\nline one\nline two\n", 0, "line one\nline two\n" },
		{ "error denied permission denied: 'grow' needs root\n", -EACCES,
		  "permission denied: 'grow' needs root" },
		{ "error invalid unknown request\n", -EINVAL, "unknown request" },
		{ "error busy busy: a swapoff is running\n", -EBUSY, "busy: a swapoff is running" },
		{ "error refused refused: budget max_swap_mb reached\n", -ECANCELED,
		  "refused: budget max_swap_mb reached" },
		{ "error failed failed: swapon x: EINVAL\n", -EIO, "failed: swapon x: EINVAL" },
		/* an older daemon: no kind, all of it is the message */
		{ "error growth on hold\n", -EIO, "growth on hold" },
		{ "error busy\n", -EBUSY, "(no reason given)" },
		{ "", -EPROTO, "without an answer" },
		{ "hello\n", -EPROTO, "neither 'ok' nor 'error'" },
		{ "okay\n", -EPROTO, "neither 'ok' nor 'error'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct adaptswap_daemon *ad;
		struct server s;
		const char *body;
		int r = ask(cases[i].reply, 0, "status", &body, &ad, &s);

		if (cases[i].ret == 0)
			ok(r == 0 && body && !strcmp(body, cases[i].text), "answer %zu: ok, body", i);
		else
			ok(r == cases[i].ret && strstr(adaptswap_daemon_errmsg(ad), cases[i].text),
			   "answer %zu: %d (%s)", i, r, adaptswap_daemon_errmsg(ad));
		ok(!strcmp(s.got, "status\n"), "answer %zu: the request was one line", i);
		adaptswap_daemon_close(ad);
	}
}

static void test_limits(void)
{
	struct adaptswap_daemon *ad;
	struct server s;
	const char *body;
	size_t big = ADAPTSWAP_DAEMON_ANSWER_MAX + 10;
	char *huge = malloc(big);
	int r;

	memset(huge, 'x', big);
	memcpy(huge, "ok\n", 3);
	r = ask(huge, big, "metrics", &body, &ad, &s);
	ok(r == -EMSGSIZE, "an answer over %d bytes: -EMSGSIZE (%d: %s)",
	   ADAPTSWAP_DAEMON_ANSWER_MAX, r, adaptswap_daemon_errmsg(ad));
	adaptswap_daemon_close(ad);
	huge[big - 11] = '\0';	/* one byte under the limit, with "ok\n" */
	r = ask(huge, big - 11, "metrics", &body, &ad, &s);
	ok(r == 0 && strlen(body) == big - 14, "an answer of the most bytes allowed");
	adaptswap_daemon_close(ad);
	free(huge);

	r = ask("ok\nx\0y\n", 7, "status", &body, &ad, &s);
	ok(r == -EPROTO, "a NUL byte in the answer: -EPROTO");
	adaptswap_daemon_close(ad);

	/* requests are checked before anything is sent */
	start(&s, REPLY, "ok\n", 0);
	adaptswap_daemon_open(&ad, dir, 2000);
	ok(adaptswap_daemon_ask(ad, "two\nlines", &body) == -EINVAL, "a request with a newline");
	ok(adaptswap_daemon_ask(ad, "", &body) == -EINVAL, "an empty request");
	ok(adaptswap_daemon_ask(ad, "status", &body) == 0, "then a good one on the same handle");
	finish(&s);
	adaptswap_daemon_close(ad);
}

static void test_not_answering(void)
{
	struct adaptswap_daemon *ad;
	struct server s;
	const char *body;
	int64_t t0;
	int r, filler;

	/* accepts, reads, never answers */
	start(&s, SILENT, NULL, 0);
	t0 = mono_ms();
	r = adaptswap_daemon_open(&ad, dir, 300);
	if (r == 0)
		r = adaptswap_daemon_ask(ad, "status", &body);
	t0 = mono_ms() - t0;
	ok(r == -ETIMEDOUT, "a silent daemon: -ETIMEDOUT (%s)", adaptswap_daemon_errmsg(ad));
	ok(t0 >= 290 && t0 < 8000, "after the timeout of 300 ms (%lld ms)", (long long)t0);
	finish(&s);
	adaptswap_daemon_close(ad);

	/* closes at once */
	start(&s, CLOSE, NULL, 0);
	r = adaptswap_daemon_open(&ad, dir, 2000);
	if (r == 0)
		r = adaptswap_daemon_ask(ad, "status", &body);
	ok(r == -EPROTO || r == -ECONNRESET || r == -EPIPE,
	   "a daemon that closes at once: %d (%s)", r, adaptswap_daemon_errmsg(ad));
	finish(&s);
	adaptswap_daemon_close(ad);

	/* a full backlog: never accepts */
	s.lfd = listen_at(0);
	filler = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", dir, ADAPTSWAP_DAEMON_SOCKET);
		if (connect(filler, (struct sockaddr *)&a, sizeof(a)))
			perror("filler");
	}
	t0 = mono_ms();
	r = adaptswap_daemon_open(&ad, dir, 300);
	t0 = mono_ms() - t0;
	ok(r == -ETIMEDOUT, "a full backlog: -ETIMEDOUT (%s)", adaptswap_daemon_errmsg(ad));
	ok(t0 >= 290 && t0 < 8000, "after the timeout of 300 ms (%lld ms)", (long long)t0);
	adaptswap_daemon_close(ad);
	close(filler);
	close(s.lfd);
}

static void test_not_running(void)
{
	struct adaptswap_daemon *ad;
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", dir, ADAPTSWAP_DAEMON_SOCKET);
	unlink(path);
	r = adaptswap_daemon_open(&ad, dir, 1000);
	ok(r == -ENOENT && strstr(adaptswap_daemon_errmsg(ad), "not running"),
	   "no socket: -ENOENT (%s)", adaptswap_daemon_errmsg(ad));
	ok(!strcmp(adaptswap_daemon_path(ad), path), "the socket's path");
	adaptswap_daemon_close(ad);

	/* a socket file nobody listens on (a daemon that was killed) */
	fd = listen_at(1);
	close(fd);
	r = adaptswap_daemon_open(&ad, dir, 1000);
	ok(r == -ECONNREFUSED, "a dead socket: -ECONNREFUSED (%s)", adaptswap_daemon_errmsg(ad));
	adaptswap_daemon_close(ad);

	/* ADAPTSWAP_RUNDIR when no rundir is given */
	setenv("ADAPTSWAP_RUNDIR", "/nonexistent/rundir", 1);
	r = adaptswap_daemon_open(&ad, NULL, 1000);
	ok(r == -ENOENT && !strcmp(adaptswap_daemon_path(ad),
				  "/nonexistent/rundir/" ADAPTSWAP_DAEMON_SOCKET),
	   "ADAPTSWAP_RUNDIR is used (%s)", adaptswap_daemon_path(ad));
	adaptswap_daemon_close(ad);
	unsetenv("ADAPTSWAP_RUNDIR");

	r = adaptswap_daemon_open(&ad, "/a/path/much/too/long/for/a/unix/socket/address/which/"
				  "holds/only/one/hundred/and/eight/bytes/at/most", 1000);
	ok(r == -ENAMETOOLONG, "a rundir too long for a socket: -ENAMETOOLONG");
	adaptswap_daemon_close(ad);
}

static void test_kinds(void)
{
	static const int errs[] = { -EACCES, -EINVAL, -EBUSY, -ECANCELED, -EIO };

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		is_int(adaptswap_daemon_error_parse(adaptswap_daemon_error_kind(errs[i])), errs[i],
		       adaptswap_daemon_error_kind(errs[i]));
	ok(!strcmp(adaptswap_daemon_error_kind(-ENOMEM), "failed"), "unknown errno: failed");
	is_int(adaptswap_daemon_error_parse("nonsense"), -EIO, "unknown kind: -EIO");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/asd-client-test.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	test_answers();
	test_limits();
	test_not_answering();
	test_not_running();
	test_kinds();
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", dir, ADAPTSWAP_DAEMON_SOCKET);
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}
