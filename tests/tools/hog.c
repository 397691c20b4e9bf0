// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-hog: allocate and touch anonymous memory at a given rate.
 *
 * usage: adaptswap-hog [-r MiB/s] [-s MiB per step] [-h seconds to hold] TOTAL_MiB
 *
 * Prints "hog: N MiB" after each step on stdout and "hog: done" when it has
 * allocated TOTAL and held it.  Memory is written with non-zero data so it
 * can neither be shared nor compressed away.  Exit 0 when done; a kill by
 * the OOM killer is the caller's to see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long arg_num(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 0) {
		fprintf(stderr, "hog: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long rate = 50, step = 10, hold = 0, total;
	double t0;
	int o;

	while ((o = getopt(argc, argv, "r:s:h:")) != -1) {
		switch (o) {
		case 'r': rate = arg_num(optarg, "rate"); break;
		case 's': step = arg_num(optarg, "step"); break;
		case 'h': hold = arg_num(optarg, "hold"); break;
		default:
			fprintf(stderr, "usage: adaptswap-hog [-r MiB/s] [-s MiB] [-h s] TOTAL_MiB\n");
			return 2;
		}
	}
	if (optind != argc - 1 || rate <= 0 || step <= 0) {
		fprintf(stderr, "usage: adaptswap-hog [-r MiB/s] [-s MiB] [-h s] TOTAL_MiB\n");
		return 2;
	}
	total = arg_num(argv[optind], "total");
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The test guest runs its bench at -1000: be the OOM killer's choice. */
	{
		FILE *f = fopen("/proc/self/oom_score_adj", "w");

		if (f) {
			fputs("1000", f);
			fclose(f);
		}
	}
	t0 = now();
	for (long done = 0; done < total;) {
		long n = total - done < step ? total - done : step;
		size_t len = (size_t)n << 20;
		unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		double due;

		if (p == MAP_FAILED) {
			perror("hog: mmap");
			return 1;
		}
		for (size_t i = 0; i < len; i += 4096)
			p[i] = (unsigned char)(i >> 12) | 1;
		done += n;
		printf("hog: %ld MiB\n", done);
		due = t0 + (double)done / (double)rate;
		while (now() < due)
			usleep(1000);
	}
	sleep((unsigned int)hold);
	printf("hog: done\n");
	return 0;
}
