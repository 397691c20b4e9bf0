// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure level and sampling policy.
 *
 * The level says how short memory is, not how busy reclaim is (rules also
 * in README.md):
 *
 *  1. Memory level: the highest threshold crossed, where a threshold T (in
 *     percent of RAM) is crossed when avail_kb * 100 < total_kb * T, i.e.
 *     available memory (the kernel's MemAvailable) is below T percent of
 *     RAM.  critical_pct gives CRITICAL, medium_pct MEDIUM, low_pct LOW,
 *     nothing crossed NONE.
 *  2. Failures: allocation stalls, or working-set refaults of at least
 *     1/ADAPTSWAP_THRASH_FRACTION of RAM per second (adaptswap_thrashing()),
 *     seen recently, raise the target one step above the memory level (at
 *     most CRITICAL), but only once the memory level is at least LOW: with
 *     available memory above low_pct, allocations can still be served by
 *     reclaiming it, so stalls and refaults there are not a shortage.
 *  3. Hints (reclaim activity: direct reclaim, kswapd, shrinker passes)
 *     never enter the target.  They bring the next sample forward and name
 *     the cause of an event.
 *  4. Rising is immediate: if target >= previous level, the result is target.
 *  5. Falling is damped: starting from the previous level, a level L is left
 *     (one step down) only while L > target and available memory is at
 *     least (threshold of L + hysteresis_pct) percent of RAM.  So the result
 *     is never below target, never above the previous level, and a level is
 *     only left once memory has recovered hysteresis_pct beyond its
 *     threshold: no flapping around a threshold.
 *
 * The sample interval (adaptswap_interval_ms()) follows the headroom left
 * above the next threshold down and backs off while memory is steady.
 *
 * This file must stay free of kernel-only dependencies (see level.h).
 */
#include "level.h"

#ifdef __KERNEL__
#include <linux/math64.h>
#define udiv(a, b)	div64_u64(a, b)		/* 32-bit kernels too */
#else
#define udiv(a, b)	((a) / (b))
#endif

static uint32_t level_pct(uint32_t low, uint32_t medium, uint32_t critical,
			  enum adaptswap_level level)
{
	switch (level) {
	case ADAPTSWAP_LEVEL_LOW:
		return low;
	case ADAPTSWAP_LEVEL_MEDIUM:
		return medium;
	case ADAPTSWAP_LEVEL_CRITICAL:
		return critical;
	default:
		return 0;
	}
}

static uint32_t in_pct(const struct adaptswap_level_in *in,
		       enum adaptswap_level level)
{
	return level_pct(in->low_pct, in->medium_pct, in->critical_pct, level);
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
adaptswap_level_target(const struct adaptswap_level_in *in)
{
	enum adaptswap_level mem = adaptswap_level_from_mem(in);

	if (mem >= ADAPTSWAP_LEVEL_LOW && mem < ADAPTSWAP_LEVEL_CRITICAL &&
	    (in->stalled || in->thrashing))
		return (enum adaptswap_level)(mem + 1);
	return mem;
}

enum adaptswap_level
adaptswap_level_compute(const struct adaptswap_level_in *in)
{
	enum adaptswap_level target = adaptswap_level_target(in);
	enum adaptswap_level level = in->prev;

	if (level >= __ADAPTSWAP_LEVEL_MAX)
		level = ADAPTSWAP_LEVEL_CRITICAL;
	if (target >= level)
		return target;

	while (level > target) {
		uint64_t pct = (uint64_t)in_pct(in, level) + in->hysteresis_pct;

		if (below_pct(in, pct))
			break;
		level = (enum adaptswap_level)(level - 1);
	}
	return level;
}

/*
 * Why the level is @next after a sample with inputs @in: a fall is
 * ADAPTSWAP_CAUSE_NONE.  A level that only a failure justifies names the
 * failure (a stall: DIRECT_RECLAIM, thrashing: REFAULT).  Otherwise the
 * strongest hint seen since the previous sample, which brought the sample
 * forward, names it (DIRECT_RECLAIM, then KSWAPD, then SHRINKER), else
 * the sampler found it on its own schedule: SAMPLE.
 */
enum adaptswap_cause adaptswap_level_cause(const struct adaptswap_level_in *in,
					   enum adaptswap_level next)
{
	enum adaptswap_level prev = in->prev;

	if (prev >= __ADAPTSWAP_LEVEL_MAX)
		prev = ADAPTSWAP_LEVEL_CRITICAL;
	if (next < prev)
		return ADAPTSWAP_CAUSE_NONE;
	if (next == ADAPTSWAP_LEVEL_NONE)
		return ADAPTSWAP_CAUSE_SAMPLE;
	if (next > adaptswap_level_from_mem(in) &&
	    adaptswap_level_target(in) >= next)
		return in->stalled ? ADAPTSWAP_CAUSE_DIRECT_RECLAIM :
				     ADAPTSWAP_CAUSE_REFAULT;
	if (in->hint_direct)
		return ADAPTSWAP_CAUSE_DIRECT_RECLAIM;
	if (in->hint_kswapd)
		return ADAPTSWAP_CAUSE_KSWAPD;
	if (in->hint_shrinker)
		return ADAPTSWAP_CAUSE_SHRINKER;
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

/*
 * Thrashing: at least 1/ADAPTSWAP_THRASH_FRACTION of RAM per second was
 * refaulted from the working set (pages evicted while still in use), i.e.
 * refault_kb / elapsed_s >= total_kb / FRACTION.  Compared as
 * refault_kb * FRACTION * 10^6 >= total_kb * elapsed_us, saturating.
 */
bool adaptswap_thrashing(uint64_t refault_kb, uint64_t elapsed_us,
			 uint64_t total_kb)
{
	const uint64_t scale = (uint64_t)ADAPTSWAP_THRASH_FRACTION * 1000000;
	const uint64_t max = ~(uint64_t)0;
	uint64_t lhs, rhs;

	if (!refault_kb || !elapsed_us)
		return false;
	lhs = refault_kb > udiv(max, scale) ? max : refault_kb * scale;
	rhs = total_kb && elapsed_us > udiv(max, total_kb) ?
	      max : total_kb * elapsed_us;
	return lhs >= rhs;
}

static uint64_t clamp_ms(uint64_t ms, uint32_t lo, uint32_t hi)
{
	if (hi < lo)
		hi = lo;
	if (ms < lo)
		return lo;
	if (ms > hi)
		return hi;
	return ms;
}

/*
 * The interval that closes in on the next threshold down: the time the
 * fastest plausible allocator needs to eat the memory left above it (above
 * 0 at CRITICAL), clamped to [fast_ms, idle_ms].  That allocator goes at
 * ADAPTSWAP_FASTEST_RATE_KBPS on average, or at twice the fall just
 * measured if that is faster: an allocator faster than the assumed one
 * would cross the threshold long before the next sample.  While memory
 * falls it may also take a burst of ADAPTSWAP_BURST_KB at once, at
 * ADAPTSWAP_FASTEST_FALL_KBPS: then it needs at least the longer of the
 * burst's time for all of the headroom and the average's time for what a
 * burst leaves (far from the threshold the average decides, within a
 * burst of it the burst).  Used while memory falls, for the back-off while
 * it is steady above none, and for a hint: a hint brings the next sample
 * forward to this interval after the previous one.
 */
uint32_t adaptswap_interval_closing_ms(const struct adaptswap_interval_in *in)
{
	enum adaptswap_level next = in->level;
	uint64_t floor_kb, headroom, ms, burst_ms;
	uint64_t rate = ADAPTSWAP_FASTEST_RATE_KBPS;
	uint32_t pct;

	if (next >= __ADAPTSWAP_LEVEL_MAX)
		next = ADAPTSWAP_LEVEL_CRITICAL;
	/* The threshold below which the level would rise from here. */
	pct = next == ADAPTSWAP_LEVEL_CRITICAL ? 0 :
	      level_pct(in->low_pct, in->medium_pct, in->critical_pct,
			(enum adaptswap_level)(next + 1));
	floor_kb = udiv(in->total_kb * pct, 100);
	headroom = in->avail_kb > floor_kb ? in->avail_kb - floor_kb : 0;
	if (in->fall_kbps > rate / 2)
		rate = in->fall_kbps * 2;
	if (!in->falling) {
		ms = udiv(headroom * 1000, rate);
	} else {
		ms = headroom > ADAPTSWAP_BURST_KB ?
		     udiv((headroom - ADAPTSWAP_BURST_KB) * 1000, rate) : 0;
		burst_ms = udiv(headroom * 1000,
				rate > ADAPTSWAP_FASTEST_FALL_KBPS ?
				rate : ADAPTSWAP_FASTEST_FALL_KBPS);
		if (burst_ms > ms)
			ms = burst_ms;
	}
	return (uint32_t)clamp_ms(ms, in->fast_ms, in->idle_ms);
}

/*
 * The next sample interval:
 *  - level NONE: the closing interval while memory falls, else idle_ms;
 *  - above NONE: the closing interval while memory falls; while it is
 *    steady, that interval doubled for each steady sample in a row, up to
 *    1 << ADAPTSWAP_STEADY_SHIFT_MAX times, within [fast_ms, idle_ms];
 *    and never later than the next REPEAT event (but not below fast_ms).
 */
uint32_t adaptswap_interval_ms(const struct adaptswap_interval_in *in)
{
	uint64_t ms = adaptswap_interval_closing_ms(in);
	uint32_t shift;

	if (in->level == ADAPTSWAP_LEVEL_NONE)
		return in->falling ? (uint32_t)ms : (uint32_t)clamp_ms(
			in->idle_ms, in->fast_ms, in->idle_ms);
	if (!in->falling) {
		shift = in->steady < ADAPTSWAP_STEADY_SHIFT_MAX ?
			in->steady : ADAPTSWAP_STEADY_SHIFT_MAX;
		ms = clamp_ms(ms << shift, in->fast_ms, in->idle_ms);
	}
	if (in->repeat_ms < ms)
		ms = in->repeat_ms > in->fast_ms ? in->repeat_ms : in->fast_ms;
	return (uint32_t)ms;
}
