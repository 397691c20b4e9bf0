// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-memwatch: timestamp memory pressure onset and swap changes.
 *
 * usage: adaptswap-memwatch [-l low_pct] [-p print_ms] [-d DIR] OUTFILE
 *        adaptswap-memwatch -t       print the CLOCK_MONOTONIC time (s)
 *
 * Samples until SIGTERM or SIGINT, then writes a summary and exits 0.
 * Every line of OUTFILE starts with a record name; times are
 * CLOCK_MONOTONIC seconds (the clock of adaptswapd's log and of the
 * module's event timestamps):
 *
 *   start T total_kb low_kb        low_kb = low_pct % of MemTotal
 *   onset T avail_kb               MemAvailable first fell below low_kb
 *   swap T total_kb used_kb        SwapTotal changed (1 ms resolution)
 *   s T avail_kb swaptotal_kb swapused_kb disk_total_kb disk_used_kb
 *     zram_total_kb zram_used_kb zram_mem_kb    every print_ms
 *   peak swaptotal_kb swapused_kb disk_total_kb disk_used_kb zram_mem_kb
 *     dir_kb                       largest values seen; dir_kb: the disk
 *                                  blocks of the regular files in DIR (-d:
 *                                  a helper's swapfiles, a standby file
 *                                  not yet swap included), 0 without -d
 *   zram orig_kb compr_kb mem_used_max_kb same_pages   summed over
 *                                  /sys/block/zram*, orig, compr and same
 *                                  when the devices held the most data (the
 *                                  ratio of what the workload stored, not of
 *                                  what is left after it exited);
 *                                  absent without zram
 *   end T
 *
 * Swap is read with sysinfo(2) every millisecond (cheap); /proc/meminfo
 * every 20 ms while MemAvailable is far above the threshold and every
 * millisecond once it is within 64 MiB of it.  /proc/swaps (disk swap:
 * files and partitions; zram: /dev/zram*) and zram's memory (mm_stat
 * mem_used_total) every 20 ms and whenever SwapTotal changes.  The process
 * locks its memory, is never the OOM killer's choice and runs at a
 * real-time priority (SCHED_FIFO 1; a warning where it may not): among
 * processes that allocate on every CPU an ordinary one was once 92 ms late
 * to see the onset, which made it the slowest part of what it measured.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <glob.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long arg_num(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "memwatch: bad %s '%s' (%ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

/* MemTotal and MemAvailable in kB; 0 on success */
static int meminfo(int fd, unsigned long *total, unsigned long *avail)
{
	static char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "MemTotal:");
	if (!p)
		return -1;
	*total = strtoul(p + 9, NULL, 10);
	p = strstr(buf, "MemAvailable:");
	if (!p)
		return -1;
	*avail = strtoul(p + 13, NULL, 10);
	return 0;
}

static void swapinfo(unsigned long *total, unsigned long *used)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0) {
		*total = *used = 0;
		return;
	}
	*total = (unsigned long)((unsigned long long)si.totalswap * si.mem_unit / 1024);
	*used = (unsigned long)((unsigned long long)(si.totalswap - si.freeswap) * si.mem_unit / 1024);
}

struct split {
	unsigned long disk_total, disk_used, zram_total, zram_used, zram_mem;
};

/* /proc/swaps: sizes in kB, split into zram devices and everything else */
static void swaps_split(struct split *sp)
{
	static char line[512];
	FILE *f = fopen("/proc/swaps", "re");

	sp->disk_total = sp->disk_used = sp->zram_total = sp->zram_used = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char name[256], type[32];
		unsigned long size, used;

		if (sscanf(line, "%255s %31s %lu %lu", name, type, &size, &used) != 4)
			continue;
		if (!strncmp(name, "/dev/zram", 9)) {
			sp->zram_total += size;
			sp->zram_used += used;
		} else {
			sp->disk_total += size;
			sp->disk_used += used;
		}
	}
	fclose(f);
}

/* zram's mm_stat summed over every device: orig_data_size,
 * compr_data_size, mem_used_total, mem_used_max in kB, same_pages; 0 when
 * there is no zram device. */
struct zram {
	unsigned long orig, compr, mem, mem_max, same;
};

static void zram_read(struct zram *z)
{
	glob_t g;

	memset(z, 0, sizeof(*z));
	if (glob("/sys/block/zram*/mm_stat", 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "re");
		unsigned long long v[6] = { 0 };

		if (!f)
			continue;
		if (fscanf(f, "%llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5]) == 6) {
			z->orig += (unsigned long)(v[0] / 1024);
			z->compr += (unsigned long)(v[1] / 1024);
			z->mem += (unsigned long)(v[2] / 1024);
			z->mem_max += (unsigned long)(v[4] / 1024);
			z->same += (unsigned long)v[5];
		}
		fclose(f);
	}
	globfree(&g);
}

/* kB of disk blocks of the regular files directly in dir */
static unsigned long dir_kb(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	unsigned long kb = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			kb += (unsigned long)st.st_blocks / 2;
	closedir(d);
	return kb;
}

static void usage(void)
{
	fprintf(stderr, "usage: adaptswap-memwatch [-l low_pct] [-p print_ms] [-d DIR] OUTFILE\n"
		"       adaptswap-memwatch -t\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long low_pct = 20, print_ms = 100;
	unsigned long total, avail, low, st, su, last_st, peak_t = 0, peak_u = 0;
	unsigned long peak_dt = 0, peak_du = 0, peak_zm = 0, peak_dir = 0, kb;
	const char *dir = NULL;
	struct split sp = { 0 };
	struct zram z, zpeak = { 0 };
	double t, next_mem = 0, next_print = 0, next_split = 0;
	struct sigaction sa;
	int o, fd, onset = 0;
	FILE *out;

	while ((o = getopt(argc, argv, "l:p:d:t")) != -1) {
		switch (o) {
		case 't':
			if (argc != 2)
				usage();
			printf("%.6f\n", now());
			return 0;
		case 'l': low_pct = arg_num(optarg, "low_pct", 1, 99); break;
		case 'p': print_ms = arg_num(optarg, "print_ms", 1, 60000); break;
		case 'd': dir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	out = fopen(argv[optind], "w");
	if (!out) {
		fprintf(stderr, "memwatch: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || meminfo(fd, &total, &avail) != 0) {
		fprintf(stderr, "memwatch: cannot read /proc/meminfo\n");
		return 1;
	}
	{
		FILE *f = fopen("/proc/self/oom_score_adj", "w");

		if (f) {
			fputs("-1000", f);
			fclose(f);
		}
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
		fprintf(stderr, "memwatch: mlockall: %s (continuing)\n", strerror(errno));
	{
		struct sched_param sp_rt = { .sched_priority = 1 };

		if (sched_setscheduler(0, SCHED_FIFO, &sp_rt) != 0)
			fprintf(stderr, "memwatch: SCHED_FIFO: %s (continuing)\n", strerror(errno));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	low = total * (unsigned long)low_pct / 100;
	swapinfo(&last_st, &su);
	fprintf(out, "start %.6f %lu %lu\n", now(), total, low);
	fprintf(out, "swap %.6f %lu %lu\n", now(), last_st, su);
	while (!stop) {
		t = now();
		swapinfo(&st, &su);
		if (st > peak_t)
			peak_t = st;
		if (su > peak_u)
			peak_u = su;
		if (st != last_st || t >= next_split) {
			swaps_split(&sp);
			zram_read(&z);
			sp.zram_mem = z.mem;
			if (z.orig > zpeak.orig)
				zpeak = z;
			if (sp.disk_total > peak_dt)
				peak_dt = sp.disk_total;
			if (sp.disk_used > peak_du)
				peak_du = sp.disk_used;
			if (sp.zram_mem > peak_zm)
				peak_zm = sp.zram_mem;
			kb = dir ? dir_kb(dir) : 0;
			if (kb > peak_dir)
				peak_dir = kb;
			next_split = t + 0.020;
		}
		if (st != last_st) {
			fprintf(out, "swap %.6f %lu %lu\n", t, st, su);
			last_st = st;
		}
		if (t >= next_mem || t >= next_print) {
			if (meminfo(fd, &total, &avail) == 0) {
				if (!onset && avail < low) {
					fprintf(out, "onset %.6f %lu\n", t, avail);
					onset = 1;
				}
				next_mem = t + (!onset && avail < low + 65536 ? 0.001 : 0.020);
			}
		}
		if (t >= next_print) {
			fprintf(out, "s %.6f %lu %lu %lu %lu %lu %lu %lu %lu\n", t, avail, st, su,
				sp.disk_total, sp.disk_used, sp.zram_total, sp.zram_used, sp.zram_mem);
			next_print = t + (double)print_ms / 1000;
		}
		usleep(1000);
	}
	fprintf(out, "peak %lu %lu %lu %lu %lu %lu\n", peak_t, peak_u, peak_dt, peak_du, peak_zm,
		peak_dir);
	if (access("/sys/block/zram0", F_OK) == 0) {
		zram_read(&z);
		if (z.orig > zpeak.orig)
			zpeak = z;
		fprintf(out, "zram %lu %lu %lu %lu\n", zpeak.orig, zpeak.compr,
			z.mem_max, zpeak.same);
	}
	fprintf(out, "end %.6f\n", now());
	return fclose(out) == 0 ? 0 : 1;
}
