// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the level and sampling policy (kmod/level.c).
 *
 *   make unit && build/tests/level_test
 *
 * Prints TAP; exits non-zero if any case fails.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "level.h"

#define TOTAL_KB 1000000ULL	/* 1 percent == 10000 KiB */

enum { NONE = ADAPTSWAP_LEVEL_NONE, LOW = ADAPTSWAP_LEVEL_LOW,
       MED = ADAPTSWAP_LEVEL_MEDIUM, CRIT = ADAPTSWAP_LEVEL_CRITICAL };
enum { C_NONE = ADAPTSWAP_CAUSE_NONE, C_SAMPLE = ADAPTSWAP_CAUSE_SAMPLE,
       C_KSWAPD = ADAPTSWAP_CAUSE_KSWAPD,
       C_DIRECT = ADAPTSWAP_CAUSE_DIRECT_RECLAIM,
       C_SHRINKER = ADAPTSWAP_CAUSE_SHRINKER,
       C_REFAULT = ADAPTSWAP_CAUSE_REFAULT, ANY = -1 };

/* Failures and hints, as flags. */
enum { STALL = 1, THRASH = 2, H_DIRECT = 4, H_KSWAPD = 8, H_SHRINK = 16,
       HINTS = H_DIRECT | H_KSWAPD | H_SHRINK };

struct tcase {
	const char *name;
	uint64_t avail_pct_x10;		/* available memory, 0.1 % of RAM */
	int flags;
	int prev;
	int want;
	int want_cause;			/* ANY: not checked */
};

/* Defaults: low 20, medium 10, critical 5, hysteresis 3. */
static const struct tcase cases[] = {
	/* the memory level */
	{ "idle, plenty of memory",		500, 0, NONE, NONE, C_SAMPLE },
	{ "exactly at low threshold is not below", 200, 0, NONE, NONE, ANY },
	{ "just below low -> low",		199, 0, NONE, LOW, C_SAMPLE },
	{ "below medium -> medium",		 99, 0, NONE, MED, C_SAMPLE },
	{ "below critical -> critical",		 49, 0, NONE, CRIT, C_SAMPLE },
	{ "rising skips levels at once",	 10, 0, LOW, CRIT, C_SAMPLE },
	/* hints never raise or hold a level */
	{ "kswapd hint with plenty of memory: none", 500, H_KSWAPD, NONE, NONE, C_SAMPLE },
	{ "direct reclaim hint alone: none",	500, H_DIRECT, NONE, NONE, C_SAMPLE },
	{ "shrinker hint alone: none",		500, H_SHRINK, NONE, NONE, C_SAMPLE },
	{ "every hint at 21%: still none",	210, HINTS, NONE, NONE, C_SAMPLE },
	{ "hints do not hold low",		500, HINTS, LOW, NONE, C_NONE },
	{ "hints do not hold medium",		500, H_DIRECT, MED, NONE, C_NONE },
	/* hints name the cause of a rise */
	{ "kswapd hint names a rise",		199, H_KSWAPD, NONE, LOW, C_KSWAPD },
	{ "direct reclaim beats kswapd",	199, H_DIRECT | H_KSWAPD, NONE, LOW, C_DIRECT },
	{ "shrinker alone names a rise",	199, H_SHRINK, NONE, LOW, C_SHRINKER },
	{ "kswapd names a repeat",		150, H_KSWAPD, LOW, LOW, C_KSWAPD },
	{ "no hint: sample",			 90, 0, LOW, MED, C_SAMPLE },
	/* failures count only once memory is below low */
	{ "stalls with plenty of memory: none",	500, STALL, NONE, NONE, C_SAMPLE },
	{ "thrashing with plenty of memory: none", 500, THRASH, NONE, NONE, C_SAMPLE },
	{ "stalls just above low: none",	200, STALL | THRASH | HINTS, NONE, NONE, ANY },
	{ "stalls below low -> medium",		150, STALL, NONE, MED, C_DIRECT },
	{ "thrashing below low -> medium",	150, THRASH, NONE, MED, C_REFAULT },
	{ "stall names it before thrashing",	150, STALL | THRASH, NONE, MED, C_DIRECT },
	{ "two failures still one step",	150, STALL | THRASH, LOW, MED, C_DIRECT },
	{ "stalls at medium -> critical",	 80, STALL, MED, CRIT, C_DIRECT },
	{ "stalls at critical stay critical",	 30, STALL, CRIT, CRIT, C_SAMPLE },
	{ "a failure holds its level",		150, THRASH, MED, MED, C_REFAULT },
	{ "failure gone: falls past the band",	150, 0, MED, LOW, C_NONE },
	{ "failure gone: held inside the band",	120, 0, MED, MED, ANY },
	{ "failure at 25% with prev medium: none", 250, STALL, MED, NONE, C_NONE },
	/* falling is damped (hysteresis) */
	{ "low held inside hysteresis band",	215, 0, LOW, LOW, C_SAMPLE },
	{ "low left at threshold+hysteresis",	230, 0, LOW, NONE, C_NONE },
	{ "low held just under band edge",	229, 0, LOW, LOW, ANY },
	{ "critical held under 5+3",		 70, 0, CRIT, CRIT, ANY },
	{ "critical falls one step at 8%",	 80, 0, CRIT, MED, C_NONE },
	{ "critical falls to low at 14%",	140, 0, CRIT, LOW, C_NONE },
	{ "critical to medium stops at 12.9%",	129, 0, CRIT, MED, ANY },
	{ "critical falls to none at 23%",	230, 0, CRIT, NONE, C_NONE },
	{ "critical stops at low at 22%",	220, 0, CRIT, LOW, ANY },
	{ "medium held in band",		120, 0, MED, MED, ANY },
	{ "medium falls at 13%",		130, 0, MED, LOW, C_NONE },
	{ "no flap: oscillation in band holds", 205, 0, LOW, LOW, ANY },
};

static void fill(struct adaptswap_level_in *in, const struct tcase *c)
{
	memset(in, 0, sizeof(*in));
	in->total_kb = TOTAL_KB;
	in->avail_kb = TOTAL_KB * c->avail_pct_x10 / 1000;
	in->low_pct = 20;
	in->medium_pct = 10;
	in->critical_pct = 5;
	in->hysteresis_pct = 3;
	in->stalled = c->flags & STALL;
	in->thrashing = c->flags & THRASH;
	in->hint_direct = c->flags & H_DIRECT;
	in->hint_kswapd = c->flags & H_KSWAPD;
	in->hint_shrinker = c->flags & H_SHRINK;
	in->prev = (enum adaptswap_level)c->prev;
}

static void level_cases(void)
{
	struct adaptswap_level_in in;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		enum adaptswap_level got;
		int cause, good;

		fill(&in, c);
		got = adaptswap_level_compute(&in);
		cause = (int)adaptswap_level_cause(&in, got);
		good = (int)got == c->want &&
		       (c->want_cause == ANY || cause == c->want_cause);
		if (!ok(good, "%s", c->name))
			printf("#   got %s cause %d, want %s cause %d\n",
			       adaptswap_level_name(got), cause,
			       adaptswap_level_name((unsigned int)c->want),
			       c->want_cause);
	}
}

static void level_edges(void)
{
	struct adaptswap_level_in in;
	const struct tcase base = { "", 200, 0, LOW, 0, 0 };

	/* Hysteresis 0: falls as soon as the threshold is not crossed. */
	fill(&in, &base);
	in.hysteresis_pct = 0;
	is_int(adaptswap_level_compute(&in), NONE, "hysteresis 0 falls at the threshold");

	/* total 0 (cannot happen) must not divide by zero or rise. */
	fill(&in, &base);
	in.total_kb = 0;
	in.avail_kb = 0;
	in.prev = ADAPTSWAP_LEVEL_NONE;
	is_int(adaptswap_level_compute(&in), NONE, "zero total memory gives none");

	/* An out-of-range previous level is treated as critical. */
	fill(&in, &base);
	in.avail_kb = TOTAL_KB / 100;
	in.prev = (enum adaptswap_level)17;
	is_int(adaptswap_level_compute(&in), CRIT, "invalid previous level clamps to critical");
	is_int(adaptswap_level_cause(&in, ADAPTSWAP_LEVEL_CRITICAL), C_SAMPLE,
	       "invalid previous level: a repeat, not a fall");

	/* The largest allowed combination, low 96 + hysteresis 3 < 100: left. */
	fill(&in, &base);
	in.low_pct = 96;
	in.medium_pct = 50;
	in.critical_pct = 10;
	in.avail_kb = TOTAL_KB * 99 / 100;
	is_int(adaptswap_level_compute(&in), NONE, "low 96 + hysteresis 3 can be left at 99%");

	ok(!strcmp(adaptswap_level_name(ADAPTSWAP_LEVEL_MEDIUM), "medium"), "level name medium");
	ok(!strcmp(adaptswap_level_name(99), "invalid"), "level name out of range");

	/* A ramp down and back up, feeding each result into the next. */
	{
		static const uint64_t ramp[] = { 300, 190, 95, 45, 60, 90,
						 120, 135, 210, 225, 235 };
		static const int want[] = { NONE, LOW, MED, CRIT, CRIT, MED,
					    MED, LOW, LOW, LOW, NONE };
		enum adaptswap_level lvl = ADAPTSWAP_LEVEL_NONE;
		int good = 1;

		fill(&in, &base);
		for (size_t k = 0; k < sizeof(ramp) / sizeof(ramp[0]); k++) {
			in.avail_kb = TOTAL_KB * ramp[k] / 1000;
			in.prev = lvl;
			lvl = adaptswap_level_compute(&in);
			if ((int)lvl != want[k]) {
				printf("# step %zu: got %s want %s\n", k,
				       adaptswap_level_name(lvl),
				       adaptswap_level_name((unsigned int)want[k]));
				good = 0;
			}
		}
		ok(good, "ramp down and up follows hysteresis");
	}

	/*
	 * Page-cache streaming as measured in a 1 GiB guest: MemAvailable
	 * stays near 80% while kswapd wakes, the shrinker runs, direct
	 * reclaim and stalls may happen: every sample stays none.
	 */
	{
		enum adaptswap_level lvl = ADAPTSWAP_LEVEL_NONE;
		int good = 1;

		fill(&in, &base);
		for (int k = 0; k < 100; k++) {
			in.avail_kb = TOTAL_KB * (780 + k % 40) / 1000;
			in.hint_kswapd = 1;
			in.hint_shrinker = k % 2;
			in.hint_direct = k % 7 == 0;
			in.stalled = k % 5 == 0;
			in.thrashing = k % 11 == 0;
			in.prev = lvl;
			lvl = adaptswap_level_compute(&in);
			good &= lvl == ADAPTSWAP_LEVEL_NONE;
		}
		ok(good, "page-cache streaming with every hint and failure stays none");
	}
}

static void thrashing(void)
{
	ok(!adaptswap_thrashing(0, 1000000, TOTAL_KB), "no refaults: no thrashing");
	ok(adaptswap_thrashing(1000, 1000000, TOTAL_KB), "0.1%% of RAM in 1 s: thrashing");
	ok(!adaptswap_thrashing(999, 1000000, TOTAL_KB), "just under 0.1%% of RAM per s: not");
	ok(adaptswap_thrashing(500, 500000, TOTAL_KB), "0.05%% of RAM in 0.5 s: thrashing");
	ok(!adaptswap_thrashing(500, 600000, TOTAL_KB), "0.05%% of RAM in 0.6 s: not");
	ok(!adaptswap_thrashing(1000, 0, TOTAL_KB), "no elapsed time: not");
	ok(adaptswap_thrashing(1ULL << 60, 1, TOTAL_KB), "huge refault count: no overflow");
	ok(!adaptswap_thrashing(1, 1ULL << 40, 1ULL << 40), "huge RAM and time: no overflow");
}

static void iv_fill(struct adaptswap_interval_in *iv, uint64_t total_kb,
		    uint64_t avail_pct_x10, int level, bool falling,
		    uint32_t steady)
{
	memset(iv, 0, sizeof(*iv));
	iv->total_kb = total_kb;
	iv->avail_kb = total_kb * avail_pct_x10 / 1000;
	iv->low_pct = 20;
	iv->medium_pct = 10;
	iv->critical_pct = 5;
	iv->fast_ms = 4;
	iv->idle_ms = 1000;
	iv->level = (enum adaptswap_level)level;
	iv->falling = falling;
	iv->steady = steady;
	iv->repeat_ms = 1000;
}

/* Average samples per second over @seconds at a steady level. */
static double steady_rate(uint64_t total_kb, uint64_t avail_pct_x10,
			  int level, double seconds)
{
	struct adaptswap_interval_in iv;
	double t = 0, since_event = 0;
	int n = 0;

	while (t < seconds) {
		iv_fill(&iv, total_kb, avail_pct_x10, level, false, (uint32_t)n);
		iv.repeat_ms = since_event >= 1000 ? 0 : (uint32_t)(1000 - since_event);
		uint32_t ms = adaptswap_interval_ms(&iv);

		t += ms / 1000.0;
		since_event = since_event >= 1000 ? ms : since_event + ms;
		n++;
	}
	return n / seconds;
}

/*
 * Samples per second while available memory falls steadily at @kbps from
 * @from_pct_x10 per mille of RAM to the low threshold (20%), sampled at the
 * intervals the sampler would use (fast_ms 1).
 */
static double fall_rate(uint64_t total_kb, uint64_t from_pct_x10, uint64_t kbps)
{
	struct adaptswap_interval_in iv;
	double avail = (double)total_kb * from_pct_x10 / 1000, t = 0;
	int n = 0;

	while (avail > total_kb / 5.0) {
		iv_fill(&iv, total_kb, 0, NONE, true, 0);
		iv.avail_kb = (uint64_t)avail;
		iv.fall_kbps = kbps;
		iv.fast_ms = 1;
		uint32_t ms = adaptswap_interval_ms(&iv);

		t += ms / 1000.0;
		avail -= (double)kbps * ms / 1000;
		n++;
	}
	return n / t;
}

static void intervals(void)
{
	struct adaptswap_interval_in iv;

	iv_fill(&iv, TOTAL_KB, 500, NONE, false, 0);
	is_int(adaptswap_interval_ms(&iv), 1000, "none, steady: idle interval");
	iv_fill(&iv, TOTAL_KB, 500, NONE, false, 99);
	is_int(adaptswap_interval_ms(&iv), 1000, "none, steady for long: still idle");
	iv_fill(&iv, 8 * TOTAL_KB, 900, NONE, true, 0);
	is_int(adaptswap_interval_ms(&iv), 1000,
	       "none, falling with 5.6 GB above low: idle (clamped)");
	iv_fill(&iv, TOTAL_KB, 500, NONE, true, 0);
	is_int(adaptswap_interval_ms(&iv), 1000,
	       "none, falling at 50%: what a burst leaves at 256 MiB/s, over 1 s: idle");
	iv_fill(&iv, TOTAL_KB, 210, NONE, true, 0);
	is_int(adaptswap_interval_ms(&iv), 4,
	       "none, falling at 21%: 1% of RAM, within a burst, at 2 GiB/s: fast");
	iv_fill(&iv, TOTAL_KB, 220, NONE, true, 0);
	is_int(adaptswap_interval_ms(&iv), 13,
	       "none, falling at 22%: a burst (9.5 ms), then 3.6 MB at 256 MiB/s (13.8 ms)");
	iv_fill(&iv, TOTAL_KB, 200, NONE, true, 0);
	is_int(adaptswap_interval_ms(&iv), 4, "none, falling at the threshold: fast");
	/*
	 * A fall faster than 1 GiB/s on average: 4 GiB/s eats the 10% (98
	 * MB) above low in 24 ms.  Assuming 256 MiB/s beyond a burst the next
	 * sample would come after 318 ms, 294 ms after the crossing; at twice
	 * the measured fall it comes before.
	 */
	iv_fill(&iv, TOTAL_KB, 300, NONE, true, 0);
	is_int(adaptswap_interval_ms(&iv), 318,
	       "none, falling at 30%: 10% of RAM, a burst, the rest at 256 MiB/s");
	iv.fall_kbps = 4 * 1024 * 1024;
	ok(adaptswap_interval_ms(&iv) * 4 * 1024 * 1024 / 1000 <= 100000,
	   "none, falling at 4 GiB/s at 30%%: sampled before the crossing (%u ms)",
	   adaptswap_interval_ms(&iv));
	is_int(adaptswap_interval_ms(&iv), 11, "  at twice the measured fall (11.6 ms)");
	iv.fall_kbps = 100 * 1024;
	is_int(adaptswap_interval_ms(&iv), 318, "a fall slower than 128 MiB/s: 256 MiB/s assumed");
	/* a hint while memory is steady: 256 MiB/s */
	iv_fill(&iv, TOTAL_KB, 210, NONE, false, 0);
	is_int(adaptswap_interval_closing_ms(&iv), 38,
	       "a hint, steady at 21%: 1% of RAM at 256 MiB/s");
	iv_fill(&iv, TOTAL_KB, 150, LOW, false, 0);
	iv.fall_kbps = 1024 * 1024;
	is_int(adaptswap_interval_closing_ms(&iv), 23,
	       "a hint after a fast fall: closes in at twice that rate");
	iv_fill(&iv, TOTAL_KB, 150, LOW, true, 0);
	is_int(adaptswap_interval_ms(&iv), 128, "low, falling at 15%: closes in on medium");
	iv_fill(&iv, TOTAL_KB, 150, LOW, false, 0);
	is_int(adaptswap_interval_ms(&iv), 190, "low, first steady sample: closing interval");
	iv_fill(&iv, TOTAL_KB, 150, LOW, false, 1);
	is_int(adaptswap_interval_ms(&iv), 380, "low, steady twice: doubled");
	iv_fill(&iv, TOTAL_KB, 150, LOW, false, 2);
	is_int(adaptswap_interval_ms(&iv), 760, "low, steady three times: four times");
	iv_fill(&iv, TOTAL_KB, 150, LOW, false, 40);
	is_int(adaptswap_interval_ms(&iv), 760, "low, steady for long: four times at most");
	iv_fill(&iv, TOTAL_KB, 150, LOW, false, 40);
	iv.idle_ms = 500;
	is_int(adaptswap_interval_ms(&iv), 500, "back-off never beyond sample_idle_ms");
	iv_fill(&iv, TOTAL_KB, 150, LOW, true, 40);
	is_int(adaptswap_interval_ms(&iv), 128, "a fall closes in again at once");
	iv_fill(&iv, TOTAL_KB, 150, LOW, false, 40);
	iv.repeat_ms = 100;
	is_int(adaptswap_interval_ms(&iv), 100, "never later than the next repeat event");
	iv.repeat_ms = 0;
	is_int(adaptswap_interval_ms(&iv), 4, "a repeat due now: fast, not zero");
	iv_fill(&iv, TOTAL_KB, 30, CRIT, true, 0);
	is_int(adaptswap_interval_ms(&iv), 51, "critical, falling at 3%: headroom to 0");
	iv_fill(&iv, TOTAL_KB, 90, MED, true, 0);
	is_int(adaptswap_interval_ms(&iv), 90, "medium, falling at 9%: headroom to critical");
	iv_fill(&iv, TOTAL_KB, 220, LOW, false, 0);
	is_int(adaptswap_interval_closing_ms(&iv), 457,
	       "low held in the band: closes in on medium");
	iv_fill(&iv, TOTAL_KB, 500, NONE, false, 0);
	is_int(adaptswap_interval_closing_ms(&iv), 1000,
	       "a hint with plenty of memory: no sooner than idle");
	iv_fill(&iv, TOTAL_KB, 205, NONE, false, 0);
	is_int(adaptswap_interval_closing_ms(&iv), 19,
	       "a hint just above low: closes in");
	iv_fill(&iv, TOTAL_KB, 500, NONE, false, 0);
	iv.fast_ms = 10;
	iv.idle_ms = 10;
	is_int(adaptswap_interval_ms(&iv), 10, "fast == idle: that interval");

	/* The targets, in a 217 MiB and a 1 GiB guest. */
	{
		double r = steady_rate(222208, 150, LOW, 10);

		printf("# 217 MiB at 15%% available, steady: %.1f samples/s\n", r);
		ok(r <= 10, "217 MiB at 15%% steady: <= 10 samples/s (%.1f)", r);
		r = steady_rate(1024 * 1024, 150, LOW, 10);
		printf("# 1 GiB at 15%% available, steady: %.1f samples/s\n", r);
		ok(r <= 10, "1 GiB at 15%% steady: <= 10 samples/s (%.1f)", r);
		r = steady_rate(222208, 700, NONE, 10);
		ok(r <= 1, "idle: <= 1 sample/s (%.1f)", r);
		/* the price of planning for a burst while it falls */
		r = fall_rate(222208, 900, 40 * 1024);
		printf("# 217 MiB falling from 90%% to 20%% at 40 MiB/s: %.1f samples/s\n", r);
		ok(r <= 100, "217 MiB falling at 40 MiB/s: <= 100 samples/s (%.1f)", r);
		r = fall_rate(1024 * 1024, 900, 120 * 1024);
		printf("# 1 GiB falling from 90%% to 20%% at 120 MiB/s: %.1f samples/s\n", r);
		ok(r <= 100, "1 GiB falling at 120 MiB/s: <= 100 samples/s (%.1f)", r);
	}
}

int main(void)
{
	level_cases();
	level_edges();
	thrashing();
	intervals();
	return tap_done();
}
