// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-fakeasd: a stand-in for adaptswapd's control socket, for
 * testing clients (adaptswapctl) without a daemon.
 *
 * usage: adaptswap-fakeasd RUNDIR silent
 *        adaptswap-fakeasd RUNDIR answers DIR
 *
 * Listens on RUNDIR/adaptswapd.sock, prints "fakeasd: listening" on
 * stderr, then serves until killed, one connection at a time; each request
 * line is appended to RUNDIR/requests.  silent: read the request, never
 * answer, keep the connection open.  answers: answer request R with the
 * bytes of DIR/R (as they are: any protocol, or none), or with
 * "error invalid unknown request" when there is no such file; then close.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static void log_request(const char *rundir, const char *req)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/requests", rundir);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s\n", req);
		fclose(f);
	}
}

/* The answer in DIR/REQ, sent as it is. */
static void answer(int fd, const char *dir, const char *req)
{
	static const char unknown[] = "error invalid unknown request\n";
	char path[512], buf[65536];
	ssize_t n;
	int f = -1;

	if (!strchr(req, '/') && req[0] != '.') {
		snprintf(path, sizeof(path), "%s/%s", dir, req);
		f = open(path, O_RDONLY);
	}
	if (f < 0) {
		if (send(fd, unknown, sizeof(unknown) - 1, MSG_NOSIGNAL) < 0)
			perror("fakeasd: send");
		return;
	}
	while ((n = read(f, buf, sizeof(buf))) > 0)
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) < 0)
			break;
	close(f);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int lfd, silent;

	if (argc < 3 || (strcmp(argv[2], "silent") && strcmp(argv[2], "answers")) ||
	    (!strcmp(argv[2], "answers") && argc != 4) || (!strcmp(argv[2], "silent") && argc != 3)) {
		fprintf(stderr, "usage: adaptswap-fakeasd RUNDIR silent|answers DIR\n");
		return 2;
	}
	silent = !strcmp(argv[2], "silent");
	signal(SIGPIPE, SIG_IGN);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/adaptswapd.sock", argv[1]);
	unlink(a.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16)) {
		perror("fakeasd");
		return 1;
	}
	fprintf(stderr, "fakeasd: listening\n");
	for (;;) {
		char req[256];
		int fd = accept(lfd, NULL, NULL);
		ssize_t n;

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("fakeasd: accept");
			return 1;
		}
		n = recv(fd, req, sizeof(req) - 1, 0);
		req[n > 0 ? n : 0] = '\0';
		req[strcspn(req, "\r\n")] = '\0';
		log_request(argv[1], req);
		if (silent)
			continue;	/* the connection stays open, unanswered */
		answer(fd, argv[3], req);
		close(fd);
	}
}
