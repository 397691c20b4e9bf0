// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure level policy.
 *
 * Rules (also in README.md):
 *
 *  1. Memory level: the highest threshold crossed, where a threshold T (in
 *     percent of RAM) is crossed when avail_kb * 100 < total_kb * T, i.e.
 *     available memory is below T percent of RAM.  critical_pct gives
 *     CRITICAL, medium_pct MEDIUM, low_pct LOW, nothing crossed NONE.
 *  2. Activity level: direct reclaim (or an allocation stall) during the
 *     interval means at least MEDIUM; a kswapd wake-up (or kswapd scanning)
 *     during the interval means at least LOW.
 *  3. Target = max(memory level, activity level).
 *  4. Rising is immediate: if target >= previous level, the result is target.
 *  5. Falling is damped: starting from the previous level, a level L is left
 *     (one step down) only while L > target and available memory is at
 *     least (threshold of L + hysteresis_pct) percent of RAM.  So the result
 *     is never below target, never above the previous level, and a level is
 *     only left once memory has recovered hysteresis_pct beyond its
 *     threshold: no flapping around a threshold.
 *
 * This file must stay free of kernel-only dependencies (see level.h).
 */
#include "level.h"

static uint32_t level_pct(const struct adaptswap_level_in *in,
			  enum adaptswap_level level)
{
	switch (level) {
	case ADAPTSWAP_LEVEL_LOW:
		return in->low_pct;
	case ADAPTSWAP_LEVEL_MEDIUM:
		return in->medium_pct;
	case ADAPTSWAP_LEVEL_CRITICAL:
		return in->critical_pct;
	default:
		return 0;
	}
}

/* Is available memory below pct percent of RAM? */
static bool below_pct(const struct adaptswap_level_in *in, uint64_t pct)
{
	return in->avail_kb * 100 < in->total_kb * pct;
}

enum adaptswap_level
adaptswap_level_from_mem(const struct adaptswap_level_in *in)
{
	if (below_pct(in, in->critical_pct))
		return ADAPTSWAP_LEVEL_CRITICAL;
	if (below_pct(in, in->medium_pct))
		return ADAPTSWAP_LEVEL_MEDIUM;
	if (below_pct(in, in->low_pct))
		return ADAPTSWAP_LEVEL_LOW;
	return ADAPTSWAP_LEVEL_NONE;
}

enum adaptswap_level
adaptswap_level_from_activity(const struct adaptswap_level_in *in)
{
	if (in->direct_reclaim)
		return ADAPTSWAP_LEVEL_MEDIUM;
	if (in->kswapd)
		return ADAPTSWAP_LEVEL_LOW;
	return ADAPTSWAP_LEVEL_NONE;
}

static enum adaptswap_level level_target(const struct adaptswap_level_in *in)
{
	enum adaptswap_level mem = adaptswap_level_from_mem(in);
	enum adaptswap_level act = adaptswap_level_from_activity(in);

	return mem > act ? mem : act;
}

enum adaptswap_level
adaptswap_level_compute(const struct adaptswap_level_in *in)
{
	enum adaptswap_level target = level_target(in);
	enum adaptswap_level level = in->prev;

	if (level >= __ADAPTSWAP_LEVEL_MAX)
		level = ADAPTSWAP_LEVEL_CRITICAL;
	if (target >= level)
		return target;

	while (level > target) {
		uint64_t pct = (uint64_t)level_pct(in, level) +
			       in->hysteresis_pct;

		if (below_pct(in, pct))
			break;
		level = (enum adaptswap_level)(level - 1);
	}
	return level;
}

/*
 * Why the level is @next after a sample with inputs @in: a fall is
 * ADAPTSWAP_CAUSE_NONE; otherwise the memory level wins over direct reclaim,
 * which wins over kswapd.  A level held up only by hysteresis keeps
 * ADAPTSWAP_CAUSE_SAMPLE.
 */
enum adaptswap_cause adaptswap_level_cause(const struct adaptswap_level_in *in,
					   enum adaptswap_level next)
{
	if (next < in->prev)
		return ADAPTSWAP_CAUSE_NONE;
	if (next == ADAPTSWAP_LEVEL_NONE ||
	    adaptswap_level_from_mem(in) >= next)
		return ADAPTSWAP_CAUSE_SAMPLE;
	if (in->direct_reclaim)
		return ADAPTSWAP_CAUSE_DIRECT_RECLAIM;
	if (in->kswapd)
		return ADAPTSWAP_CAUSE_KSWAPD;
	return ADAPTSWAP_CAUSE_SAMPLE;
}

const char *adaptswap_level_name(unsigned int level)
{
	static const char * const names[] = {
		[ADAPTSWAP_LEVEL_NONE] = "none",
		[ADAPTSWAP_LEVEL_LOW] = "low",
		[ADAPTSWAP_LEVEL_MEDIUM] = "medium",
		[ADAPTSWAP_LEVEL_CRITICAL] = "critical",
	};

	if (level >= __ADAPTSWAP_LEVEL_MAX)
		return "invalid";
	return names[level];
}
