// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-hog: allocate and touch anonymous memory at a given rate.
 *
 * usage: adaptswap-hog [-r MiB/s] [-s MiB per step] [-h seconds to hold]
 *                      [-p processes] TOTAL_MiB
 *
 * Prints "hog: N MiB" after each step on stdout and "hog: done" when it has
 * allocated TOTAL and held it.  With -p N, N processes share TOTAL and the
 * rate (each TOTAL/N at RATE/N); "hog: done" then comes when all are done,
 * and a process killed by a signal is reported with its signal ("hog: ...
 * killed by signal 9") and makes the exit status 128 + that signal.  Memory is written with non-zero data so it
 * can neither be shared nor compressed away.  Exit 0 when done; a kill by
 * the OOM killer is the caller's to see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

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
	long rate = 50, step = 10, hold = 0, procs = 1, total;
	double t0;
	int o;

	while ((o = getopt(argc, argv, "r:s:h:p:")) != -1) {
		switch (o) {
		case 'r': rate = arg_num(optarg, "rate"); break;
		case 's': step = arg_num(optarg, "step"); break;
		case 'h': hold = arg_num(optarg, "hold"); break;
		case 'p': procs = arg_num(optarg, "processes"); break;
		default:
			fprintf(stderr, "usage: adaptswap-hog [-r MiB/s] [-s MiB] [-h s] [-p N] TOTAL_MiB\n");
			return 2;
		}
	}
	if (optind != argc - 1 || rate <= 0 || step <= 0 || procs < 1 || procs > 64) {
		fprintf(stderr, "usage: adaptswap-hog [-r MiB/s] [-s MiB] [-h s] [-p N] TOTAL_MiB\n");
		return 2;
	}
	total = arg_num(argv[optind], "total");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (procs > 1) {
		int worst = 0;

		for (long i = 0; i < procs; i++) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("hog: fork");
				return 1;
			}
			if (pid == 0) {
				char r[32], s[32], h[32], t[32];

				snprintf(r, sizeof(r), "%ld", rate / procs ? rate / procs : 1);
				snprintf(s, sizeof(s), "%ld", step);
				snprintf(h, sizeof(h), "%ld", hold);
				snprintf(t, sizeof(t), "%ld", total / procs);
				execl("/proc/self/exe", argv[0], "-r", r, "-s", s, "-h", h, t,
				      (char *)NULL);
				perror("hog: exec");
				_exit(1);
			}
		}
		for (long i = 0; i < procs; i++) {
			int st;
			pid_t pid = wait(&st);

			if (pid < 0)
				break;
			if (WIFSIGNALED(st)) {
				printf("hog: process %d killed by signal %d\n", (int)pid, WTERMSIG(st));
				if (128 + WTERMSIG(st) > worst)
					worst = 128 + WTERMSIG(st);
			} else if (WEXITSTATUS(st) && !worst) {
				worst = WEXITSTATUS(st);
			}
		}
		if (!worst)
			printf("hog: done\n");
		return worst;
	}
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
