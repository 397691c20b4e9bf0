// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-pollwait: wait for a sysfs attribute to be notified.
 *
 * usage: adaptswap-pollwait FILE TIMEOUT_MS
 * Reads FILE, prints "ready", then poll()s for POLLPRI|POLLERR (what
 * sysfs_notify() raises); prints the new value and exits 0, or exits 1 on
 * timeout.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[64];
	struct pollfd p;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: adaptswap-pollwait FILE TIMEOUT_MS\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
		perror(argv[1]);
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	p.fd = fd;
	p.events = POLLPRI | POLLERR;
	if (poll(&p, 1, atoi(argv[2])) <= 0) {
		fprintf(stderr, "pollwait: timed out\n");
		return 1;
	}
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		perror(argv[1]);
		return 2;
	}
	buf[n] = '\0';
	printf("%s", buf);
	return 0;
}
