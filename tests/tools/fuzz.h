/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzzers in tests/tools/ share: a seeded generator (the same seed
 * gives the same sequence of inputs), the common options, the run (seed,
 * failures, count or time limit, summary lines), counts by errno, dropping
 * privileges, printing bytes, and the knobs' documented rules.
 *
 * Header only (each tool is one .c file); every function is static inline
 * so a tool that does not use one does not warn.
 */
#ifndef ADAPTSWAP_TESTS_FUZZ_H
#define ADAPTSWAP_TESTS_FUZZ_H

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the generator ---------------------------------------------------- */

/*
 * splitmix64 expands the seed into the state of a xorshift-multiply
 * generator (xorshift64*).  Nothing here is cryptographic: it only has to
 * be fast, well spread and the same on every machine for a given seed.
 */
struct fuzz_rng {
	uint64_t s;
};

static inline uint64_t fuzz_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void fuzz_seed(struct fuzz_rng *r, uint64_t seed)
{
	uint64_t x = seed;

	r->s = fuzz_splitmix(&x);
	if (!r->s)
		r->s = 1;
}

static inline uint64_t fuzz_u64(struct fuzz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

/* 0 .. n-1 (n > 0) */
static inline uint32_t fuzz_below(struct fuzz_rng *r, uint32_t n)
{
	return (uint32_t)((fuzz_u64(r) >> 32) * n >> 32);
}

/* true with probability pct / 100 */
static inline bool fuzz_pct(struct fuzz_rng *r, uint32_t pct)
{
	return fuzz_below(r, 100) < pct;
}

static inline void fuzz_bytes(struct fuzz_rng *r, void *p, size_t n)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(fuzz_u64(r) >> 56);
}

/*
 * The seed: -s wins, then $SEED, else one from /dev/urandom.  Returns -1
 * on a malformed number (the caller prints its usage).
 */
static inline int fuzz_pick_seed(const char *arg, uint64_t *seed)
{
	const char *s = arg ? arg : getenv("SEED");
	char *end;

	if (s && *s) {
		errno = 0;
		*seed = strtoull(s, &end, 0);
		return errno || *end || *s == '-' ? -1 : 0;
	}
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, seed, sizeof(*seed)) != sizeof(*seed))
		*seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (fd >= 0)
		close(fd);
	*seed &= (1ULL << 53) - 1;	/* survives a trip through a shell or JSON */
	return 0;
}

/* ---- counts by errno -------------------------------------------------- */

#define FUZZ_NERR 256

struct fuzz_counts {
	unsigned long n[FUZZ_NERR];	/* index = errno, 0 = success */
};

static inline void fuzz_count(struct fuzz_counts *c, int err)
{
	if (err < 0)
		err = -err;
	c->n[err < FUZZ_NERR ? err : FUZZ_NERR - 1]++;
}

static inline const char *fuzz_errname(int err)
{
	const char *n = err ? strerrorname_np(err) : "ok";

	return n ? n : "?";
}

/* "label ok=12 EINVAL=3 EPERM=5" (zero counts left out) */
static inline void fuzz_print_counts(FILE *f, const char *label,
				     const struct fuzz_counts *c, const char *zero)
{
	fprintf(f, "%s", label);
	for (int e = 0; e < FUZZ_NERR; e++)
		if (c->n[e])
			fprintf(f, " %s=%lu", e ? fuzz_errname(e) : zero, c->n[e]);
	fputc('\n', f);
}

/* the same, only when some count is of an error (not of success) */
static inline void fuzz_print_errors(FILE *f, const char *label,
				     const struct fuzz_counts *c, const char *zero)
{
	for (int e = 1; e < FUZZ_NERR; e++)
		if (c->n[e]) {
			fuzz_print_counts(f, label, c, zero);
			return;
		}
}

/* ---- identities ------------------------------------------------------- */

/*
 * Become USER (a name or a uid): supplementary groups, gid, then uid,
 * all real and effective.  Returns 0, or -1 with a message printed.
 */
static inline int fuzz_become(const char *prog, const char *user)
{
	struct passwd *pw = getpwnam(user);
	uid_t uid;
	gid_t gid;

	if (pw) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	} else {
		char *end;
		unsigned long v = strtoul(user, &end, 10);

		if (!*user || *end) {
			fprintf(stderr, "%s: no user '%s'\n", prog, user);
			return -1;
		}
		uid = (uid_t)v;
		gid = (gid_t)v;
	}
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		fprintf(stderr, "%s: cannot become %s: %s\n", prog, user, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- printing --------------------------------------------------------- */

/* bytes as a C string literal, at most max of them, then "...(N bytes)" */
static inline void fuzz_print_bytes(FILE *f, const void *p, size_t n, size_t max)
{
	const unsigned char *b = p;

	fputc('"', f);
	for (size_t i = 0; i < n && i < max; i++) {
		if (b[i] == '\n')
			fputs("\\n", f);
		else if (b[i] == '\t')
			fputs("\\t", f);
		else if (b[i] == '"' || b[i] == '\\')
			fprintf(f, "\\%c", b[i]);
		else if (b[i] >= 0x20 && b[i] < 0x7f)
			fputc(b[i], f);
		else
			fprintf(f, "\\x%02x", b[i]);
	}
	fputc('"', f);
	if (n > max)
		fprintf(f, "...(%zu bytes)", n);
}

static inline double fuzz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the run ---------------------------------------------------------- */

/*
 * One run of a fuzzer: its options common to all (-n N, -t SEC, -s SEED,
 * -u USER, -v), its seed, its failures, its clock.  One per process.
 */
struct fuzz_run {
	const char *name;	/* "genlfuzz": the prefix of its output lines */
	unsigned long n, secs;	/* -n, -t: 0 is no limit (not both) */
	const char *seed_arg, *user;
	bool verbose;
	uint64_t seed;
	int failures;
	double t0, deadline;
};

static struct fuzz_run fuzz_run;
static volatile sig_atomic_t fuzz_stop;	/* SIGTERM or SIGINT came */

/* The options every fuzzer takes, for getopt's optstring. */
#define FUZZ_OPTS "n:s:t:u:vh"

/* name, and n when -n is not given; stdout line-buffered */
static inline void fuzz_init(const char *name, unsigned long n)
{
	fuzz_run.name = name;
	fuzz_run.n = n;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* A decimal number up to max: -1 on anything else (empty, sign, junk). */
static inline int fuzz_num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || !*s || *s == '-' || *v > max ? -1 : 0;
}

/*
 * getopt's o, taken if it is one of the common options: 0 when taken, '?'
 * on a bad value (a usage error, as getopt's own '?'), else o (the tool's
 * own option, or -h), for the tool's switch.
 */
static inline int fuzz_option(int o, const char *arg)
{
	switch (o) {
	case 'n':
		return fuzz_num(arg, 100000000, &fuzz_run.n) ? '?' : 0;
	case 't':
		return fuzz_num(arg, 100000000, &fuzz_run.secs) ? '?' : 0;
	case 's':
		fuzz_run.seed_arg = arg;
		return 0;
	case 'u':
		fuzz_run.user = arg;
		return 0;
	case 'v':
		fuzz_run.verbose = true;
		return 0;
	}
	return o;
}

/*
 * After getopt: no operands, a well-formed seed (picked now), a count or
 * a time.  Returns -1 on a usage error.
 */
static inline int fuzz_options_end(int argc)
{
	if (optind != argc || fuzz_pick_seed(fuzz_run.seed_arg, &fuzz_run.seed) ||
	    (!fuzz_run.n && !fuzz_run.secs))
		return -1;
	return 0;
}

static inline void fuzz_on_signal(int sig)
{
	(void)sig;
	fuzz_stop = 1;
}

/* SIGTERM and SIGINT end the run (its summary is still printed) */
static inline void fuzz_catch_signals(void)
{
	signal(SIGTERM, fuzz_on_signal);
	signal(SIGINT, fuzz_on_signal);
}

/*
 * The generator seeded with the run's seed, and the first line:
 * "NAME: seed N" and what follows (fmt, without a newline).
 */
static inline void fuzz_hello(struct fuzz_rng *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void fuzz_hello(struct fuzz_rng *r, const char *fmt, ...)
{
	va_list ap;

	fuzz_seed(r, fuzz_run.seed);
	printf("%s: seed %llu", fuzz_run.name, (unsigned long long)fuzz_run.seed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* the clock starts: -t counts from here */
static inline void fuzz_start(void)
{
	fuzz_run.t0 = fuzz_now();
	fuzz_run.deadline = fuzz_run.secs ? fuzz_run.t0 + (double)fuzz_run.secs : 0;
}

/* whether input i is to come: no signal, below -n, before -t's end */
static inline bool fuzz_more(unsigned long i)
{
	return !fuzz_stop && (!fuzz_run.n || i < fuzz_run.n) &&
	       !(fuzz_run.deadline && fuzz_now() >= fuzz_run.deadline);
}

static inline double fuzz_elapsed(void)
{
	return fuzz_now() - fuzz_run.t0;
}

/* "NAME: FAIL: ..." for the first 20 failures; all are counted */
static inline void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	if (++fuzz_run.failures > 20)
		return;
	va_start(ap, fmt);
	printf("%s: FAIL: ", fuzz_run.name);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

/* whether a failure's details are still printed (the first 20) */
static inline bool fuzz_failures_shown(void)
{
	return fuzz_run.failures <= 20;
}

/* "NAME: N WHAT in S s (R/s)", without the newline */
static inline void fuzz_print_rate(unsigned long n, const char *what)
{
	double el = fuzz_elapsed();

	printf("%s: %lu %s in %.1f s (%.0f/s)", fuzz_run.name, n, what, el,
	       el > 0 ? (double)n / el : 0.0);
}

/* the last line, "NAME: seed N: pass (0 failures)" or FAIL; the exit code */
static inline int fuzz_finish(void)
{
	int f = fuzz_run.failures;

	printf("%s: seed %llu: %s (%d failure%s)\n", fuzz_run.name,
	       (unsigned long long)fuzz_run.seed, f ? "FAIL" : "pass", f, f == 1 ? "" : "s");
	return f ? 1 : 0;
}

/* ---- the knobs' rules (kmod/ABI/sysfs-kernel-adaptswap, uapi) ---------- */

/*
 * The documented range of every knob, in the order of their netlink
 * attributes (ADAPTSWAP_A_ENABLED + i) and under their sysfs names.  This
 * is the fuzzers' copy of the ABI document, on purpose not the module's
 * table: it is what the module is checked against.  A knob added to the
 * ABI must be added here (the sysfs fuzzer refuses a writable file it has
 * no rule for).  fuzz_knobs_pending() holds the rule an open issue adds.
 */
struct fuzz_knob {
	const char *name;
	uint32_t min, max;
};

#define FUZZ_NKNOBS 8
enum { K_ENABLED, K_LOW, K_MEDIUM, K_CRITICAL, K_HYST, K_IDLE, K_FAST, K_EVENT };

static const struct fuzz_knob fuzz_knobs[FUZZ_NKNOBS] = {
	[K_ENABLED]  = { "enabled", 0, 1 },
	[K_LOW]      = { "low_pct", 1, 99 },
	[K_MEDIUM]   = { "medium_pct", 1, 99 },
	[K_CRITICAL] = { "critical_pct", 1, 99 },
	[K_HYST]     = { "hysteresis_pct", 0, 50 },
	[K_IDLE]     = { "sample_idle_ms", 10, 60000 },
	[K_FAST]     = { "sample_fast_ms", 1, 1000 },
	[K_EVENT]    = { "event_interval_ms", 10, 60000 },
};

/*
 * Whether a full set of knob values is allowed: every value in its range,
 * low_pct > medium_pct > critical_pct, sample_fast_ms <= sample_idle_ms.
 * Returns NULL, or the rule that is broken.
 */
static inline const char *fuzz_knobs_invalid(const uint32_t *v)
{
	for (int k = 0; k < FUZZ_NKNOBS; k++)
		if (v[k] < fuzz_knobs[k].min || v[k] > fuzz_knobs[k].max)
			return "out of range";
	if (v[K_LOW] <= v[K_MEDIUM])
		return "low_pct must be greater than medium_pct";
	if (v[K_MEDIUM] <= v[K_CRITICAL])
		return "medium_pct must be greater than critical_pct";
	if (v[K_FAST] > v[K_IDLE])
		return "sample_fast_ms must not exceed sample_idle_ms";
	return NULL;
}

/*
 * A rule that an open issue adds to the ABI (the fix documents it
 * in kmod/ABI/sysfs-kernel-adaptswap): today's module may not keep it yet.
 * Returns NULL, or the rule that is broken.  Strict fuzzers count it with
 * the others; --lenient low-hyst takes either answer (see below).
 */
static inline const char *fuzz_knobs_pending(const uint32_t *v)
{
	if ((uint64_t)v[K_LOW] + v[K_HYST] >= 100)
		return "low_pct + hysteresis_pct must stay below 100 (issue #11)";
	return NULL;
}

/* ---- leniency: what today's module is known to get wrong --------------- */

/*
 * --lenient NAME,...: inputs that only these rules judge may be taken or
 * refused (with EINVAL, changing nothing), either way; they are counted
 * and the counts printed, so that a run shows how often the known fault
 * was hit.  Everything else is judged as strictly as before.
 *   nul-tail   a number, then a NUL byte and anything ("73\0x"): the ABI
 *              refuses it, kstrtouint() stops at the NUL (issue #11)
 *   plus-sign  a '+' before the number ("+5"): the ABI says digits only,
 *              kstrtouint() skips one '+'
 *   low-hyst   low_pct + hysteresis_pct >= 100: refused once issue #11's
 *              fix lands, taken today
 */
enum { FUZZ_L_NUL_TAIL, FUZZ_L_PLUS_SIGN, FUZZ_L_LOW_HYST, FUZZ_NLENIENT };

static const char *const fuzz_lenient_names[FUZZ_NLENIENT] = {
	[FUZZ_L_NUL_TAIL] = "nul-tail",
	[FUZZ_L_PLUS_SIGN] = "plus-sign",
	[FUZZ_L_LOW_HYST] = "low-hyst",
};

/* "a,b,c" into a mask of FUZZ_L_* bits; -1 on an unknown name or none */
static inline int fuzz_parse_lenient(const char *arg, unsigned *mask)
{
	char buf[256], *save = NULL;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < FUZZ_NLENIENT; i++)
			if (!strcmp(w, fuzz_lenient_names[i]))
				break;
		if (i == FUZZ_NLENIENT)
			return -1;
		*mask |= 1u << i;
	}
	return *mask ? 0 : -1;
}

struct fuzz_lenient_counts {
	unsigned long seen[FUZZ_NLENIENT], taken[FUZZ_NLENIENT];
};

/* "PROG: lenient (issue pending): nul-tail 31 taken of 31, ..." */
static inline void fuzz_print_lenient(FILE *f, const char *prog, unsigned mask,
				      const struct fuzz_lenient_counts *c)
{
	if (!mask)
		return;
	fprintf(f, "%s: lenient (known faults, taken or refused):", prog);
	for (int i = 0; i < FUZZ_NLENIENT; i++)
		if (mask & (1u << i))
			fprintf(f, " %s %lu taken of %lu", fuzz_lenient_names[i], c->taken[i],
				c->seen[i]);
	fputc('\n', f);
}

static inline int fuzz_knob_index(const char *name)
{
	for (int k = 0; k < FUZZ_NKNOBS; k++)
		if (!strcmp(fuzz_knobs[k].name, name))
			return k;
	return -1;
}

#endif /* ADAPTSWAP_TESTS_FUZZ_H */
