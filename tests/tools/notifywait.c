// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-notifywait: stand in for systemd's notification socket.
 *
 * usage: adaptswap-notifywait PATH TIMEOUT_MS WANT
 * Binds a datagram socket at PATH, prints "listening", then prints every
 * message received until one contains WANT (exit 0) or the timeout
 * passes (exit 1).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (argc != 4 || strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: adaptswap-notifywait PATH TIMEOUT_MS WANT\n");
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	unlink(a.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror(argv[1]);
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (poll(&p, 1, atoi(argv[2])) <= 0) {
			fprintf(stderr, "notifywait: timed out\n");
			return 1;
		}
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
		if (strstr(buf, argv[3]))
			return 0;
	}
}
