// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-hog: allocate and touch memory at a given rate.
 *
 * usage: adaptswap-hog [-r MiB/s] [-s MiB per step] [-h seconds to hold]
 *                      [-p processes] [-c random %] [-t DIR] TOTAL_MiB
 *
 *   -r  allocation rate, MiB/s, of all processes together (default 50)
 *   -s  MiB allocated per step (default 10)
 *   -h  seconds to hold the memory once all of it is allocated
 *   -p  processes allocating at once (default 1), each TOTAL/p at rate/p
 *   -c  fill every page with this share (0-100 %) of random bytes and the
 *       rest with one repeated byte value: 40 compresses about 2.5:1 with
 *       lz4 or zstd, page by page as zram does, and no page is all one
 *       value (zram would store it for free).  Default: only one byte per
 *       page is written (the rest stays zero, so it compresses ~100:1).
 *   -t  shared memory instead of anonymous memory: an unnamed file
 *       (O_TMPFILE) in DIR, a tmpfs mount, written with write(2).  Its
 *       pages are shmem, counted in the mount's usage, and freed when the
 *       process ends, even when the OOM killer ends it.
 *
 * Prints "hog: N MiB" after each step (with -p: "hog K/P: N MiB") on
 * stdout and "hog: done" when every process has allocated its share and
 * held it.  Exit 0 when done; 128+signal when a process was killed (137:
 * by the OOM killer), 1 on another failure, 2 on a usage error.  The
 * processes make themselves the OOM killer's first choice.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096
#define POOL (1 << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: adaptswap-hog [-r MiB/s] [-s MiB] [-h s] [-p N] [-c PCT] [-t DIR] TOTAL_MiB\n");
	exit(2);
}

static long arg_num(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "hog: bad %s '%s' (%ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static uint64_t rng;

static uint64_t next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned char *pool;	/* random bytes, for -c */
static long random_pct = -1;	/* -1: touch one byte per page */
static uint64_t page_no;

/* Fill one page: random_pct % random (a slice of the pool at a moving
 * offset), the rest one byte value that changes from page to page. */
static void fill_page(unsigned char *p)
{
	size_t rnd = (size_t)random_pct * PAGE / 100 & ~(size_t)7;
	size_t off;

	page_no++;
	if (random_pct < 0) {
		p[0] = (unsigned char)page_no | 1;
		return;
	}
	off = (size_t)(page_no * 2654435761ULL % (POOL - PAGE)) & ~(size_t)7;
	memcpy(p, pool + off, rnd);
	memset(p + rnd, 0x41 + (int)(page_no % 26), PAGE - rnd);
	if (rnd == 0)		/* never a same-filled page */
		p[PAGE - 1] ^= 1;
}

/* One process: TOTAL MiB at RATE MiB/s; returns the exit code. */
static int hog(long total, double rate, long step, long hold, const char *dir,
	       const char *tag)
{
	unsigned char *buf = NULL;
	double t0 = now();
	int fd = -1;

	rng = ((uint64_t)getpid() << 32) ^ (uint64_t)(t0 * 1e6) ^ 0x9E3779B97F4A7C15ULL;
	if (random_pct >= 0) {
		pool = malloc(POOL);
		if (!pool) {
			perror("hog: malloc");
			return 1;
		}
		for (size_t i = 0; i < POOL; i += 8) {
			uint64_t r = next_rand();

			memcpy(pool + i, &r, 8);
		}
	}
	if (dir) {
		fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "hog: %s: %s\n", dir, strerror(errno));
			return 1;
		}
		buf = malloc(PAGE * 64);
		if (!buf) {
			perror("hog: malloc");
			return 1;
		}
	}
	for (long done = 0; done < total;) {
		long n = total - done < step ? total - done : step;
		size_t len = (size_t)n << 20;
		double due;

		if (dir) {
			for (size_t i = 0; i < len; i += PAGE * 64) {
				size_t chunk = len - i < PAGE * 64 ? len - i : PAGE * 64;

				for (size_t j = 0; j < chunk; j += PAGE)
					fill_page(buf + j);
				if (write(fd, buf, chunk) != (ssize_t)chunk) {
					fprintf(stderr, "hog: write to %s: %s\n", dir,
						strerror(errno));
					return 1;
				}
			}
		} else {
			unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED) {
				perror("hog: mmap");
				return 1;
			}
			for (size_t i = 0; i < len; i += PAGE)
				fill_page(p + i);
		}
		done += n;
		printf("hog%s: %ld MiB\n", tag, done);
		due = t0 + (double)done / rate;
		while (now() < due)
			usleep(1000);
	}
	sleep((unsigned int)hold);
	return 0;
}

int main(int argc, char **argv)
{
	long rate = 50, step = 10, hold = 0, procs = 1, total, fails = 0;
	const char *dir = NULL;
	int o, rc = 0;

	while ((o = getopt(argc, argv, "r:s:h:p:c:t:")) != -1) {
		switch (o) {
		case 'r': rate = arg_num(optarg, "rate", 1, 1000000); break;
		case 's': step = arg_num(optarg, "step", 1, 1 << 20); break;
		case 'h': hold = arg_num(optarg, "hold", 0, 86400); break;
		case 'p': procs = arg_num(optarg, "process count", 1, 64); break;
		case 'c': random_pct = arg_num(optarg, "random share", 0, 100); break;
		case 't': dir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	total = arg_num(argv[optind], "total", 0, 1L << 30);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The test guest runs its bench at -1000: be the OOM killer's choice. */
	{
		FILE *f = fopen("/proc/self/oom_score_adj", "w");

		if (f) {
			fputs("1000", f);
			fclose(f);
		}
	}
	if (procs == 1) {
		rc = hog(total, (double)rate, step, hold, dir, "");
		if (rc == 0)
			printf("hog: done\n");
		return rc;
	}
	for (long k = 0; k < procs; k++) {
		/* the first processes take the remainder */
		long share = total / procs + (k < total % procs);
		pid_t pid = fork();

		if (pid < 0) {
			perror("hog: fork");
			return 1;
		}
		if (pid == 0) {
			char tag[48];

			snprintf(tag, sizeof(tag), " %ld/%ld", k + 1, procs);
			_exit(hog(share, (double)rate / (double)procs, step, hold, dir, tag));
		}
	}
	for (long k = 0; k < procs; k++) {
		int st;
		pid_t pid = wait(&st);

		if (pid < 0) {
			perror("hog: wait");
			return 1;
		}
		if (WIFSIGNALED(st)) {
			printf("hog: process %d killed by signal %d\n", (int)pid, WTERMSIG(st));
			if (!rc)
				rc = 128 + WTERMSIG(st);
			fails++;
		} else if (WEXITSTATUS(st)) {
			if (!rc)
				rc = WEXITSTATUS(st);
			fails++;
		}
	}
	if (fails) {
		printf("hog: %ld of %ld processes failed\n", fails, procs);
		return rc;
	}
	printf("hog: done\n");
	return 0;
}
