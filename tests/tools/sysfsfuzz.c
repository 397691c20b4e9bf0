// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-sysfsfuzz: random byte strings written to the files of
 * /sys/kernel/adaptswap/, each result checked against the ABI document
 * (kmod/ABI/sysfs-kernel-adaptswap).
 *
 * usage: adaptswap-sysfsfuzz [options]
 *   -n N           writes (default 5000; 0 with -t: until then)
 *   -s SEED        seed (default $SEED, else a random one); printed first,
 *                  the same seed writes the same bytes
 *   -t SEC         stop after SEC seconds
 *   -u USER        become USER (name or uid) first
 *   -d DIR         the directory (default /sys/kernel/adaptswap)
 *   --fire         the module may be unloaded and loaded meanwhile, and
 *                  others change knobs too: no checks, keep going when the
 *                  files go away, and write through descriptors held open
 *                  across an unload as well
 *   --restore      afterwards write every knob back to its value before
 *                  the run (several passes, in whatever order the ordering
 *                  rules allow) and check that it reads so
 *   --only I       write only input I of the sequence (with -v to see it;
 *                  the knobs are as they are now, not as in the run)
 *   --lenient L    take either answer (taken, or EINVAL and no change) to
 *                  the inputs that only the rules in L judge, and count
 *                  them: a comma-separated list of nul-tail ("73\0x"),
 *                  plus-sign ("+5"), low-hyst (low_pct + hysteresis_pct
 *                  >= 100), the faults of today's module (tests/tools/fuzz.h)
 *   --dry-run      write nothing: print the inputs a seed gives
 *   -v             print every write and its result
 *
 * The inputs: numbers in and around each knob's range, with and without
 * a newline and leading zeros; numbers with junk before or after them
 * (signs, "0x", whitespace, a second newline, NUL bytes, "73\0x"); huge
 * and negative numbers; whitespace alone; lines of 4 KiB and longer
 * (sysfs passes the first 4096 bytes of a write to the module); random
 * bytes; empty writes; writes to the read-only files.
 *
 * What the ABI promises, and what is checked after every write (exit 1
 * when it does not hold):
 *   - a knob takes an unsigned decimal number (digits only), optionally
 *     followed by one newline, in its range, that keeps the ordering rules
 *     (low_pct > medium_pct > critical_pct, sample_fast_ms <=
 *     sample_idle_ms, low_pct + hysteresis_pct < 100) with the other
 *     knobs' current values: the write returns its length and the knob
 *     reads the number afterwards;
 *   - anything else fails with EINVAL and changes no knob (a zero-byte
 *     write never reaches the module: it returns 0 and changes nothing);
 *   - no write to one knob changes another;
 *   - read-only files refuse every write; version never changes;
 *   - without root every write fails and nothing changes;
 *   - every writable file is a knob the ABI documents, and every knob is
 *     there.
 * Exit 0 when all hold, 1 when one fails, 2 on usage or setup errors.
 */
#include <dirent.h>
#include <getopt.h>
#include <sys/stat.h>

#include "fuzz.h"

#define PROG "adaptswap-sysfsfuzz"
#define PAGE 4096		/* sysfs hands at most one page to a store */
#define MAXIN 65536
#define MAXFILES 64
#define NHELD 4

static struct fuzz_rng rng;
static const char *dir = "/sys/kernel/adaptswap";
static bool fire, dry;
static unsigned lenient;	/* FUZZ_L_* bits */

struct file {
	char name[64];
	int knob;		/* index in fuzz_knobs, -1 for a read-only file */
};
static struct file files[MAXFILES];
static int nfiles, nro;
static int knob_file[FUZZ_NKNOBS];	/* index in files */
static int knob_fd[FUZZ_NKNOBS] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static char version[128];

static struct {
	unsigned long writes, valid, invalid, wrong, ro, empty, truncated, noroot;
	struct fuzz_counts res;
	struct fuzz_lenient_counts len;
} st;

/* ---- the files ---------------------------------------------------------- */

static int scan(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool seen[FUZZ_NKNOBS] = { false };
	int bad = 0;

	if (!d)
		return -errno;
	nfiles = nro = 0;
	while ((e = readdir(d)) && nfiles < MAXFILES) {
		char path[512];
		struct stat s;
		struct file *f = &files[nfiles];

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(f->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &s) || !S_ISREG(s.st_mode))
			continue;
		strcpy(f->name, e->d_name);
		f->knob = -1;
		if (s.st_mode & 0222) {
			f->knob = fuzz_knob_index(e->d_name);
			if (f->knob < 0) {
				printf("sysfsfuzz: FAIL: %s is writable but the ABI document has no "
				       "rule for it (or this fuzzer does not know it yet)\n", e->d_name);
				bad++;
				continue;
			}
			if ((s.st_mode & 0777) != 0644) {
				printf("sysfsfuzz: FAIL: %s has mode %o, the ABI says 0644\n",
				       e->d_name, s.st_mode & 0777);
				bad++;
			}
			seen[f->knob] = true;
			knob_file[f->knob] = nfiles;
		} else {
			nro++;
		}
		nfiles++;
	}
	closedir(d);
	for (int k = 0; k < FUZZ_NKNOBS; k++)
		if (!seen[k]) {
			printf("sysfsfuzz: FAIL: the knob %s is missing or not writable\n",
			       fuzz_knobs[k].name);
			bad++;
		}
	fuzz_run.failures += bad;
	return bad ? -EINVAL : 0;
}

static int read_file(const char *name, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Every knob's value, from descriptors kept open (re-read from offset 0). */
static int read_knobs(uint32_t *v)
{
	for (int k = 0; k < FUZZ_NKNOBS; k++) {
		char buf[64], *end;
		unsigned long x;
		ssize_t n;

		if (knob_fd[k] < 0) {
			char path[512];

			snprintf(path, sizeof(path), "%s/%s", dir, fuzz_knobs[k].name);
			knob_fd[k] = open(path, O_RDONLY | O_CLOEXEC);
			if (knob_fd[k] < 0)
				return -errno;
		}
		n = pread(knob_fd[k], buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return -errno;
		buf[n] = '\0';
		errno = 0;
		x = strtoul(buf, &end, 10);
		if (end == buf || strcmp(end, "\n") || errno || x > UINT32_MAX) {
			fuzz_fail("%s reads \"%s\": not one number and a newline", fuzz_knobs[k].name, buf);
			return -EBADMSG;
		}
		v[k] = (uint32_t)x;
	}
	return 0;
}

static void close_knobs(void)
{
	for (int k = 0; k < FUZZ_NKNOBS; k++)
		if (knob_fd[k] >= 0) {
			close(knob_fd[k]);
			knob_fd[k] = -1;
		}
}

/* One write(2) of the whole input through a fresh descriptor; the result. */
static long write_once(const char *name, const void *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* ---- what the ABI accepts ------------------------------------------------ */

/*
 * The number in the bytes a store sees, if they are one: digits only,
 * optionally one newline after them, at most UINT32_MAX.
 */
static bool abi_number(const unsigned char *b, size_t n, uint32_t *v)
{
	uint64_t x = 0;

	if (n && b[n - 1] == '\n')
		n--;
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (b[i] < '0' || b[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(b[i] - '0');
		if (x > UINT32_MAX)
			return false;
	}
	*v = (uint32_t)x;
	return true;
}

/*
 * The number that today's module reads in bytes abi_number() refuses,
 * when only the --lenient rules make the difference: kstrtouint() skips
 * one '+' and stops at the first NUL.  *used: the FUZZ_L_* bits it took.
 */
static bool lenient_number(const unsigned char *b, size_t n, uint32_t *v, unsigned *used)
{
	const unsigned char *z;

	*used = 0;
	if ((lenient & (1u << FUZZ_L_PLUS_SIGN)) && n && b[0] == '+') {
		b++;
		n--;
		*used |= 1u << FUZZ_L_PLUS_SIGN;
	}
	z = memchr(b, '\0', n);
	if ((lenient & (1u << FUZZ_L_NUL_TAIL)) && z) {
		n = (size_t)(z - b);
		*used |= 1u << FUZZ_L_NUL_TAIL;
	}
	return *used && abi_number(b, n, v);
}

/* ---- the inputs ---------------------------------------------------------- */

static const uint64_t interesting[] = {
	0, 1, 2, 3, 4, 5, 9, 10, 11, 19, 20, 21, 49, 50, 51, 73, 98, 99, 100, 101,
	255, 256, 999, 1000, 1001, 4095, 4096, 59999, 60000, 60001, 65535, 65536,
	2147483647, 2147483648ULL, 4294967295ULL, 4294967296ULL, 9999999999ULL,
	18446744073709551615ULL,
};
#define NINTERESTING (sizeof(interesting) / sizeof(interesting[0]))

static uint64_t gen_value(int k)
{
	uint32_t c = fuzz_below(&rng, 100);

	if (k >= 0 && c < 60) {
		uint32_t lo = fuzz_knobs[k].min, hi = fuzz_knobs[k].max;

		if (fuzz_pct(&rng, 30))
			return fuzz_pct(&rng, 50) ? (lo > 2 ? lo - 2 : 0) + fuzz_below(&rng, 5) :
						    (hi > 2 ? hi - 2 : 0) + (uint64_t)fuzz_below(&rng, 5);
		return lo + fuzz_below(&rng, hi - lo + 1);
	}
	if (c < 85)
		return interesting[fuzz_below(&rng, NINTERESTING)];
	return fuzz_pct(&rng, 50) ? (uint32_t)fuzz_u64(&rng) : fuzz_u64(&rng);
}

static size_t put(unsigned char *b, size_t at, const void *s, size_t n)
{
	if (at + n > MAXIN)
		n = MAXIN - at;
	memcpy(b + at, s, n);
	return at + n;
}

static size_t put_num(unsigned char *b, size_t at, uint64_t v)
{
	char s[32];

	return put(b, at, s, (size_t)snprintf(s, sizeof(s), "%llu", (unsigned long long)v));
}

#define PUTS(b, at, lit) put(b, at, lit, sizeof(lit) - 1)

static const struct { const char *s; size_t n; } suffixes[] = {
	{ "\n\n", 2 }, { " ", 1 }, { "\t", 1 }, { "\r", 1 }, { "\r\n", 2 }, { "\0", 1 },
	{ "\0x", 2 }, { "\n\0x", 3 }, { "\0\n", 2 }, { "x", 1 }, { ".0", 2 }, { "e2", 2 },
	{ "k", 1 }, { " \n", 2 }, { "\xff", 1 }, { "\xc3\xa9", 2 }, { "\n1", 2 }, { "\n ", 2 },
	{ "\v", 1 }, { "\f", 1 }, { "0x10", 4 }, { "-", 1 }, { "+", 1 },
};
static const struct { const char *s; size_t n; } prefixes[] = {
	{ "+", 1 }, { "-", 1 }, { " ", 1 }, { "\t", 1 }, { "\n", 1 }, { "0x", 2 }, { "0X", 2 },
	{ "\0", 1 }, { "++", 2 }, { "+-", 2 }, { "-0", 2 }, { "+0", 2 }, { "0b", 2 }, { "\r", 1 },
	{ "\xef\xbb\xbf", 3 }, { "\v", 1 },
};
#define NSUF (sizeof(suffixes) / sizeof(suffixes[0]))
#define NPRE (sizeof(prefixes) / sizeof(prefixes[0]))

/* Input for knob k (-1: a read-only file) into b; returns its length. */
static size_t gen_input(int k, unsigned char *b)
{
	uint32_t c = fuzz_below(&rng, 100);
	size_t n = 0, m;

	if (c < 22) {			/* a number, maybe valid */
		if (fuzz_pct(&rng, 10))
			for (unsigned z = 1 + fuzz_below(&rng, 5); z; z--)
				n = PUTS(b, n, "0");
		n = put_num(b, n, gen_value(k));
		if (fuzz_pct(&rng, 50))
			n = PUTS(b, n, "\n");
	} else if (c < 32) {		/* number, then junk */
		unsigned s = fuzz_below(&rng, NSUF);

		n = put_num(b, n, gen_value(k));
		n = put(b, n, suffixes[s].s, suffixes[s].n);
		if (fuzz_pct(&rng, 30))
			n = PUTS(b, n, "\n");
	} else if (c < 40) {		/* junk, then number */
		unsigned p = fuzz_below(&rng, NPRE);

		n = put(b, n, prefixes[p].s, prefixes[p].n);
		n = put_num(b, n, gen_value(k));
		if (fuzz_pct(&rng, 50))
			n = PUTS(b, n, "\n");
	} else if (c < 46) {		/* NUL bytes */
		switch (fuzz_below(&rng, 5)) {
		case 0: n = PUTS(b, n, "73\0x"); break;
		case 1: n = fuzz_below(&rng, 4) + 1; memset(b, 0, n); break;
		case 2: n = PUTS(b, n, "\0"); n = put_num(b, n, gen_value(k)); break;
		case 3:
			n = put_num(b, n, gen_value(k));
			if (fuzz_pct(&rng, 50))
				n = PUTS(b, n, "\n");
			n = PUTS(b, n, "\0");
			m = fuzz_below(&rng, 20);
			fuzz_bytes(&rng, b + n, m);
			n += m;
			break;
		default:
			n = put_num(b, n, gen_value(k));
			n = PUTS(b, n, "\0\0\0\0");
		}
	} else if (c < 55) {		/* huge and negative numbers */
		if (fuzz_pct(&rng, 40))
			n = PUTS(b, n, "-");
		if (fuzz_pct(&rng, 50)) {
			n = put_num(b, n, interesting[NINTERESTING - 1 - fuzz_below(&rng, 6)]);
		} else {
			unsigned digits = 11 + fuzz_below(&rng, 40);

			for (unsigned i = 0; i < digits; i++)
				b[n++] = (unsigned char)('0' + fuzz_below(&rng, 10));
		}
		if (fuzz_pct(&rng, 50))
			n = PUTS(b, n, "\n");
	} else if (c < 61) {		/* whitespace alone */
		static const char ws[] = " \t\n\r\v\f";

		for (unsigned i = 1 + fuzz_below(&rng, 64); i; i--)
			b[n++] = (unsigned char)ws[fuzz_below(&rng, 6)];
	} else if (c < 71) {		/* long lines, around a page */
		static const size_t sizes[] = { 4094, 4095, 4096, 4097, 5000, 8192, 65536 };
		size_t len = sizes[fuzz_below(&rng, 7)];
		char num[32];
		size_t nl = fuzz_pct(&rng, 50), d;
		uint64_t v = gen_value(k);

		d = (size_t)snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
		switch (fuzz_below(&rng, 5)) {
		case 0:	/* leading zeros, the number at the end: valid if it fits a page */
			memset(b, '0', len);
			if (len >= d + nl)
				memcpy(b + len - d - nl, num, d);
			if (nl)
				b[len - 1] = '\n';
			break;
		case 1:	/* the number, then blanks */
			memset(b, ' ', len);
			memcpy(b, num, d);
			break;
		case 2:	/* a run of ones */
			memset(b, '1', len);
			break;
		case 3:	/* the number and a newline, then junk */
			fuzz_bytes(&rng, b, len);
			memcpy(b, num, d);
			b[d] = '\n';
			break;
		default:
			for (size_t i = 0; i < len; i++)
				b[i] = (unsigned char)(0x20 + fuzz_below(&rng, 0x5f));
		}
		n = len;
	} else if (c < 84) {		/* random bytes */
		n = 1 + fuzz_below(&rng, 64);
		fuzz_bytes(&rng, b, n);
	} else if (c < 90) {		/* random text */
		n = 1 + fuzz_below(&rng, 32);
		for (size_t i = 0; i < n; i++)
			b[i] = (unsigned char)(0x20 + fuzz_below(&rng, 0x5f));
	} else if (c < 92) {		/* nothing */
		n = 0;
	} else {			/* a valid number, one byte changed */
		n = put_num(b, n, gen_value(k));
		n = PUTS(b, n, "\n");
		b[fuzz_below(&rng, (uint32_t)n)] = (unsigned char)fuzz_u64(&rng);
	}
	return n;
}

/* ---- restoring ------------------------------------------------------------ */

/* Write each knob that differs until all read as want; passes, any order. */
static int restore(const uint32_t *want)
{
	uint32_t now[FUZZ_NKNOBS];

	for (int pass = 0; pass < 2 * FUZZ_NKNOBS; pass++) {
		bool same = true;

		if (read_knobs(now))
			return -1;
		for (int k = 0; k < FUZZ_NKNOBS; k++) {
			char s[16];

			if (now[k] == want[k])
				continue;
			same = false;
			snprintf(s, sizeof(s), "%u\n", want[k]);
			write_once(fuzz_knobs[k].name, s, strlen(s));
		}
		if (same)
			return 0;
	}
	return -1;
}

/* ---- the run --------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-n N] [-s SEED] [-t SEC] [-u USER] [-d DIR] [--fire]\n"
		"       [--restore] [--only I] [--lenient RULE,...] [--dry-run] [-v]\n", PROG);
}

static void print_knobs(const char *label, const uint32_t *v)
{
	printf("sysfsfuzz: %s", label);
	for (int k = 0; k < FUZZ_NKNOBS; k++)
		printf(" %s=%u", fuzz_knobs[k].name, v[k]);
	putchar('\n');
}

/* Under fire: write through a descriptor opened earlier (maybe before an unload). */
static long write_held(int *held, const char *name, const void *buf, size_t len)
{
	int slot = (int)fuzz_below(&rng, NHELD);
	ssize_t n;

	if (held[slot] < 0 || fuzz_pct(&rng, 10)) {
		char path[512];

		if (held[slot] >= 0)
			close(held[slot]);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		held[slot] = open(path, O_RDWR | O_CLOEXEC);
		if (held[slot] < 0)
			return -errno;
	}
	n = pwrite(held[slot], buf, len, 0);
	if (n < 0)
		return -errno;
	return n;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "fire", no_argument, NULL, 'F' },
		{ "restore", no_argument, NULL, 'R' },
		{ "only", required_argument, NULL, 'O' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "lenient", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static unsigned char in[MAXIN];
	unsigned long only = ULONG_MAX;	/* every input */
	bool do_restore = false, root;
	uint32_t before[FUZZ_NKNOBS], cur[FUZZ_NKNOBS], now[FUZZ_NKNOBS];
	int held[NHELD] = { -1, -1, -1, -1 };
	int o;

	fuzz_init("sysfsfuzz", 5000);
	while ((o = getopt_long(argc, argv, FUZZ_OPTS "d:", lo, NULL)) != -1) {
		switch (fuzz_option(o, optarg)) {
		case 0: break;
		case 'O': if (fuzz_num(optarg, ULONG_MAX - 1, &only)) { usage(stderr); return 2; } break;
		case 'd': dir = optarg; break;
		case 'F': fire = true; break;
		case 'R': do_restore = true; break;
		case 'D': dry = true; break;
		case 'L': if (fuzz_parse_lenient(optarg, &lenient)) { usage(stderr); return 2; } break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (fuzz_options_end(argc)) {
		usage(stderr);
		return 2;
	}
	if (fuzz_run.user && fuzz_become(PROG, fuzz_run.user))
		return 2;
	root = geteuid() == 0;
	fuzz_catch_signals();
	fuzz_hello(&rng, ", uid %u, %s, %s", geteuid(), dir,
		   dry ? "dry run" : fire ? "under fire" : "checked");

	if (dry) {
		/* the knobs in their ABI order, the read-only files as one */
		for (int k = 0; k < FUZZ_NKNOBS; k++) {
			strcpy(files[k].name, fuzz_knobs[k].name);
			files[k].knob = k;
		}
		strcpy(files[FUZZ_NKNOBS].name, "(read-only)");
		files[FUZZ_NKNOBS].knob = -1;
		nfiles = FUZZ_NKNOBS + 1;
		nro = 1;
	} else if (!fire) {
		int r = scan();

		if (r == -EINVAL)
			return 1;
		if (r) {
			fprintf(stderr, "%s: %s: %s\n", PROG, dir, strerror(-r));
			return 2;
		}
		if (read_knobs(before) || read_file("version", version, sizeof(version))) {
			fprintf(stderr, "%s: cannot read the knobs\n", PROG);
			return 2;
		}
		printf("sysfsfuzz: %d writable files, %d read-only\n", nfiles - nro, nro);
		print_knobs("knobs before:", before);
		memcpy(cur, before, sizeof(cur));
	} else {
		/* the ABI's files by name: they come and go */
		for (int k = 0; k < FUZZ_NKNOBS; k++) {
			strcpy(files[k].name, fuzz_knobs[k].name);
			files[k].knob = k;
		}
		static const char *ro[] = { "level", "version", "events_sent", "samples" };

		for (int i = 0; i < 4; i++) {
			strcpy(files[FUZZ_NKNOBS + i].name, ro[i]);
			files[FUZZ_NKNOBS + i].knob = -1;
		}
		nfiles = FUZZ_NKNOBS + 4;
		nro = 4;
		if (read_knobs(before) == 0)
			memcpy(cur, before, sizeof(cur));
		else
			memset(before, 0, sizeof(before));
	}

	fuzz_start();
	for (unsigned long i = 0; fuzz_more(i); i++) {
		const struct file *f;
		size_t len, seen;
		long res;
		uint32_t v;
		unsigned used = 0;
		bool num, valid, either, via_held = false;
		const char *why = NULL, *pend;

		/* mostly knobs; a read-only file one time in ten */
		if (nro && fuzz_pct(&rng, 10)) {
			int r = (int)fuzz_below(&rng, (uint32_t)nro);

			f = NULL;
			for (int j = 0; j < nfiles; j++)
				if (files[j].knob < 0 && r-- == 0)
					f = &files[j];
		} else {
			f = &files[dry || fire ? (int)fuzz_below(&rng, FUZZ_NKNOBS) :
				   knob_file[fuzz_below(&rng, FUZZ_NKNOBS)]];
		}
		len = gen_input(f->knob, in);
		if (fire)
			via_held = fuzz_pct(&rng, 30);
		if (only != ULONG_MAX && i != only)
			continue;
		if (dry) {
			printf("input %lu to %s: ", i, f->name);
			fuzz_print_bytes(stdout, in, len, 120);
			putchar('\n');
			continue;
		}

		st.writes++;
		res = via_held ? write_held(held, f->name, in, len) : write_once(f->name, in, len);
		fuzz_count(&st.res, res < 0 ? (int)res : 0);
		if (fuzz_run.verbose) {
			printf("write %lu to %s: ", i, f->name);
			fuzz_print_bytes(stdout, in, len, 120);
			printf(" -> %ld%s%s\n", res, res < 0 ? " " : "",
			       res < 0 ? fuzz_errname((int)-res) : "");
		}
		if (fire) {
			/* and read the knobs now and then, through held descriptors */
			if (fuzz_pct(&rng, 10) && read_knobs(now))
				close_knobs();
			continue;
		}

		/* what the ABI says about this write */
		seen = len < PAGE ? len : PAGE;
		num = f->knob >= 0 && abi_number(in, seen, &v);
		if (f->knob >= 0 && !num)
			num = lenient_number(in, seen, &v, &used);
		if (num) {
			memcpy(now, cur, sizeof(now));
			now[f->knob] = v;
			why = fuzz_knobs_invalid(now);
			pend = why ? NULL : fuzz_knobs_pending(now);
			if (pend && (lenient & (1u << FUZZ_L_LOW_HYST)))
				used |= 1u << FUZZ_L_LOW_HYST;
			else if (pend)
				why = pend;
		}
		valid = root && f->knob >= 0 && len && num && !why;
		/* valid only if a --lenient rule says so: taken or refused */
		either = valid && used;
		if (read_knobs(now)) {
			fuzz_fail("write %lu: the knobs cannot be read afterwards", i);
			break;
		}

		const char *wrong = NULL;
		uint32_t want[FUZZ_NKNOBS];

		memcpy(want, cur, sizeof(want));
		if (valid)
			want[f->knob] = v;
		if (f->knob < 0) {
			st.ro++;
			if (res >= 0)
				wrong = "a read-only file took a write";
		} else if (!root) {
			st.noroot++;
			if (res >= 0)
				wrong = "a knob took a write without root";
		} else if (!len) {
			st.empty++;
			if (res != 0)
				wrong = "an empty write did not return 0";
		} else if (either) {
			for (int r = 0; r < FUZZ_NLENIENT; r++)
				if (used & (1u << r)) {
					st.len.seen[r]++;
					st.len.taken[r] += res >= 0;
				}
			if (res == -EINVAL)
				memcpy(want, cur, sizeof(want));	/* refused: no change */
			else if (res != (long)seen)
				wrong = "a value of a known fault (--lenient) was neither "
					"taken nor refused with EINVAL";
		} else if (valid) {
			st.valid++;
			st.truncated += len > PAGE;
			if (res != (long)seen)
				wrong = "a valid value was refused";
		} else {
			st.invalid++;
			if (res >= 0)
				wrong = "an invalid value was accepted";
			else if (res != -EINVAL)
				wrong = "an invalid value failed with another error than EINVAL";
		}
		if (!wrong && memcmp(now, want, sizeof(now)))
			wrong = valid ? "the knob does not read as written" :
				"a knob changed on a write that should change nothing";
		if (f->knob < 0 && !strcmp(f->name, "version")) {
			char v2[128];

			if (read_file("version", v2, sizeof(v2)) || strcmp(v2, version))
				wrong = "version changed";
		}
		if (wrong) {
			st.wrong++;
			fuzz_fail("write %lu: %s", i, wrong);
			if (fuzz_failures_shown()) {
				printf("  %s <- ", f->name);
				fuzz_print_bytes(stdout, in, len, 120);
				printf(" returned %ld%s%s; the ABI says: %s%s%s\n", res,
				       res < 0 ? " " : "", res < 0 ? fuzz_errname((int)-res) : "",
				       either ? "a known fault (--lenient), taken or refused" :
				       valid ? "valid" : "invalid",
				       why ? ", " : "", why ? why : (f->knob >= 0 && !num && len ? ", not a number" : ""));
				print_knobs("  knobs before:", cur);
				print_knobs("  knobs after: ", now);
			}
		}
		memcpy(cur, now, sizeof(cur));
	}
	if (dry)
		return 0;
	fuzz_print_rate(st.writes, "writes");
	putchar('\n');
	for (int s = 0; s < NHELD; s++)
		if (held[s] >= 0)
			close(held[s]);
	fuzz_print_counts(stdout, "sysfsfuzz: results:", &st.res, "ok");
	if (!fire)
		printf("sysfsfuzz: valid %lu (%lu longer than a page), invalid %lu, empty %lu, "
		       "read-only %lu, without root %lu; wrong %lu\n", st.valid, st.truncated,
		       st.invalid, st.empty, st.ro, st.noroot, st.wrong);
	if (!fire)
		fuzz_print_lenient(stdout, "sysfsfuzz", lenient, &st.len);
	close_knobs();
	if (read_knobs(now) == 0) {
		print_knobs("knobs after: ", now);
		if (do_restore) {
			if (restore(before) || read_knobs(now) || memcmp(now, before, sizeof(now)))
				fuzz_fail("the knobs could not be restored");
			else
				printf("sysfsfuzz: knobs restored\n");
		}
	} else if (!fire) {
		fuzz_fail("the knobs cannot be read after the run");
	}
	return fuzz_finish();
}
