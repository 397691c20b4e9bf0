// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the pressure level policy (kmod/level.c).
 *
 *   gcc -std=c11 -Wall -Wextra -Werror -I kmod tests/kmod/level_test.c \
 *       kmod/level.c && ./a.out
 *
 * Prints TAP; exits non-zero if any case fails.
 */
#include <stdio.h>
#include <string.h>

#include "level.h"

#define TOTAL_KB 1000000ULL	/* 1 percent == 10000 KiB */

enum { NONE = ADAPTSWAP_LEVEL_NONE, LOW = ADAPTSWAP_LEVEL_LOW,
       MED = ADAPTSWAP_LEVEL_MEDIUM, CRIT = ADAPTSWAP_LEVEL_CRITICAL };

struct tcase {
	const char *name;
	uint64_t avail_pct_x10;		/* available memory, 0.1 % of RAM */
	bool direct;
	bool kswapd;
	int prev;
	int want;
	int want_cause;			/* -1: not checked */
};

/* Defaults: low 20, medium 10, critical 5, hysteresis 3. */
static const struct tcase cases[] = {
	{ "idle, plenty of memory",		500, false, false, NONE, NONE, ADAPTSWAP_CAUSE_SAMPLE },
	{ "exactly at low threshold is not below", 200, false, false, NONE, NONE, -1 },
	{ "just below low -> low",		199, false, false, NONE, LOW, ADAPTSWAP_CAUSE_SAMPLE },
	{ "below medium -> medium",		 99, false, false, NONE, MED, ADAPTSWAP_CAUSE_SAMPLE },
	{ "below critical -> critical",		 49, false, false, NONE, CRIT, ADAPTSWAP_CAUSE_SAMPLE },
	{ "rising skips levels at once",	 10, false, false, LOW, CRIT, ADAPTSWAP_CAUSE_SAMPLE },
	{ "kswapd alone -> low",		500, false, true, NONE, LOW, ADAPTSWAP_CAUSE_KSWAPD },
	{ "direct reclaim alone -> medium",	500, true, false, NONE, MED, ADAPTSWAP_CAUSE_DIRECT_RECLAIM },
	{ "direct + kswapd -> medium",		500, true, true, NONE, MED, ADAPTSWAP_CAUSE_DIRECT_RECLAIM },
	{ "memory beats activity",		 40, true, true, NONE, CRIT, ADAPTSWAP_CAUSE_SAMPLE },
	{ "kswapd with memory at medium",	 90, false, true, LOW, MED, ADAPTSWAP_CAUSE_SAMPLE },
	{ "low held inside hysteresis band",	215, false, false, LOW, LOW, ADAPTSWAP_CAUSE_SAMPLE },
	{ "low left at threshold+hysteresis",	230, false, false, LOW, NONE, ADAPTSWAP_CAUSE_NONE },
	{ "low held just under band edge",	229, false, false, LOW, LOW, -1 },
	{ "kswapd holds low despite memory",	500, false, true, LOW, LOW, ADAPTSWAP_CAUSE_KSWAPD },
	{ "direct holds medium despite memory",	500, true, false, MED, MED, ADAPTSWAP_CAUSE_DIRECT_RECLAIM },
	{ "medium falls to low via kswapd",	500, false, true, MED, LOW, ADAPTSWAP_CAUSE_NONE },
	{ "critical held under 5+3",		 70, false, false, CRIT, CRIT, -1 },
	{ "critical falls one step at 8%",	 80, false, false, CRIT, MED, ADAPTSWAP_CAUSE_NONE },
	{ "critical falls to low at 14%",	140, false, false, CRIT, LOW, ADAPTSWAP_CAUSE_NONE },
	{ "critical to medium stops at 12.9%",	129, false, false, CRIT, MED, -1 },
	{ "critical falls to none at 23%",	230, false, false, CRIT, NONE, ADAPTSWAP_CAUSE_NONE },
	{ "critical stops at low at 22%",	220, false, false, CRIT, LOW, -1 },
	{ "medium held in band",		120, false, false, MED, MED, -1 },
	{ "medium falls at 13%",		130, false, false, MED, LOW, ADAPTSWAP_CAUSE_NONE },
	{ "no flap: oscillation in band holds", 205, false, false, LOW, LOW, -1 },
	{ "direct with critical prev, memory ok", 500, true, false, CRIT, MED, ADAPTSWAP_CAUSE_NONE },
};

static int check(int n, int ok, const char *name)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", n, name);
	return ok;
}

int main(void)
{
	size_t ncases = sizeof(cases) / sizeof(cases[0]);
	int n = 0, failed = 0;
	size_t i;
	struct adaptswap_level_in in;

	/* cases + hysteresis 0 + zero total + bad prev + 2 names + sequence */
	printf("1..%zu\n", ncases + 6);

	for (i = 0; i < ncases; i++) {
		const struct tcase *c = &cases[i];
		enum adaptswap_level got;
		int ok;

		memset(&in, 0, sizeof(in));
		in.total_kb = TOTAL_KB;
		in.avail_kb = TOTAL_KB * c->avail_pct_x10 / 1000;
		in.low_pct = 20;
		in.medium_pct = 10;
		in.critical_pct = 5;
		in.hysteresis_pct = 3;
		in.direct_reclaim = c->direct;
		in.kswapd = c->kswapd;
		in.prev = (enum adaptswap_level)c->prev;
		got = adaptswap_level_compute(&in);
		ok = (int)got == c->want;
		if (ok && c->want_cause >= 0)
			ok = (int)adaptswap_level_cause(&in, got) == c->want_cause;
		if (!check(++n, ok, c->name)) {
			failed++;
			printf("# got %s cause %d, want %s cause %d\n",
			       adaptswap_level_name(got),
			       (int)adaptswap_level_cause(&in, got),
			       adaptswap_level_name((unsigned int)c->want),
			       c->want_cause);
		}
	}

	/* Hysteresis 0: falls as soon as the threshold is not crossed. */
	in.avail_kb = TOTAL_KB * 20 / 100;
	in.direct_reclaim = false;
	in.kswapd = false;
	in.hysteresis_pct = 0;
	in.prev = ADAPTSWAP_LEVEL_LOW;
	if (!check(++n, adaptswap_level_compute(&in) == ADAPTSWAP_LEVEL_NONE,
		   "hysteresis 0 falls at the threshold"))
		failed++;

	/* total 0 (cannot happen) must not divide by zero or rise. */
	in.total_kb = 0;
	in.avail_kb = 0;
	in.prev = ADAPTSWAP_LEVEL_NONE;
	if (!check(++n, adaptswap_level_compute(&in) == ADAPTSWAP_LEVEL_NONE,
		   "zero total memory gives none"))
		failed++;

	/* An out-of-range previous level is treated as critical. */
	in.total_kb = TOTAL_KB;
	in.avail_kb = TOTAL_KB / 100;
	in.hysteresis_pct = 3;
	in.prev = (enum adaptswap_level)17;
	if (!check(++n, adaptswap_level_compute(&in) == ADAPTSWAP_LEVEL_CRITICAL,
		   "invalid previous level clamps to critical"))
		failed++;

	if (!check(++n, !strcmp(adaptswap_level_name(ADAPTSWAP_LEVEL_MEDIUM),
				"medium"), "level name medium"))
		failed++;
	if (!check(++n, !strcmp(adaptswap_level_name(99), "invalid"),
		   "level name out of range"))
		failed++;

	/* A ramp down and back up, feeding each result into the next. */
	{
		static const uint64_t ramp[] = { 300, 190, 95, 45, 60, 90,
						 120, 135, 210, 225, 235 };
		static const int want[] = { NONE, LOW, MED, CRIT, CRIT, MED,
					    MED, LOW, LOW, LOW, NONE };
		enum adaptswap_level lvl = ADAPTSWAP_LEVEL_NONE;
		int ok = 1;
		size_t k;

		for (k = 0; k < sizeof(ramp) / sizeof(ramp[0]); k++) {
			in.avail_kb = TOTAL_KB * ramp[k] / 1000;
			in.prev = lvl;
			lvl = adaptswap_level_compute(&in);
			if ((int)lvl != want[k]) {
				printf("# step %zu: got %s want %s\n", k,
				       adaptswap_level_name(lvl),
				       adaptswap_level_name((unsigned int)want[k]));
				ok = 0;
			}
		}
		if (!check(++n, ok, "ramp down and up follows hysteresis"))
			failed++;
	}

	return failed ? 1 : 0;
}
