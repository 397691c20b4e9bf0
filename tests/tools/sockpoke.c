// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-sockpoke: misbehaving clients of adaptswapd's control socket.
 *
 * usage: adaptswap-sockpoke [-u UID] SOCKET close REQUEST
 *          connect, send "REQUEST\n", close at once (no reading)
 *        adaptswap-sockpoke [-u UID] SOCKET idle N SECONDS
 *          open N connections and send nothing; print "connected K" (K the
 *          ones accepted and not refused), wait SECONDS, print "dropped K"
 *          (of those K, the ones the daemon closed meanwhile)
 * -u UID: become that user (and group) first.  Exit 0, or 2 on bad use.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static int conn(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Has the peer closed (or answered "error busy ...")? */
static int closed(int fd)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n > 0) {
		buf[n] = '\0';
		return strncmp(buf, "error", 5) == 0;
	}
	return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 3 && !strcmp(argv[1], "-u")) {
		uid_t u = (uid_t)atoi(argv[2]);

		if (setgid(u) || setuid(u)) {
			perror("setuid");
			return 2;
		}
		i = 3;
	}
	if (argc - i == 3 && !strcmp(argv[i + 1], "close")) {
		int fd = conn(argv[i]);
		char req[128];

		if (fd < 0) {
			perror(argv[i]);
			return 1;
		}
		snprintf(req, sizeof(req), "%s\n", argv[i + 2]);
		if (write(fd, req, strlen(req)) < 0)
			perror("write");
		close(fd);
		return 0;
	}
	if (argc - i == 4 && !strcmp(argv[i + 1], "idle")) {
		int n = atoi(argv[i + 2]), secs = atoi(argv[i + 3]), ok = 0, gone = 0;
		int fds[256];
		int live[256];

		if (n < 1 || n > 256 || secs < 0)
			return 2;
		for (int k = 0; k < n; k++)
			fds[k] = conn(argv[i]);
		usleep(300000);		/* let the daemon accept or refuse them */
		for (int k = 0; k < n; k++) {
			live[k] = fds[k] >= 0 && !closed(fds[k]);
			ok += live[k];
		}
		printf("connected %d\n", ok);
		fflush(stdout);
		sleep((unsigned)secs);
		for (int k = 0; k < n; k++)
			if (live[k] && closed(fds[k]))
				gone++;
		printf("dropped %d\n", gone);
		return 0;
	}
	fprintf(stderr, "usage: adaptswap-sockpoke [-u UID] SOCKET close REQUEST|idle N SECONDS\n");
	return 2;
}
