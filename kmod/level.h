/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pressure level and sampling policy: pure functions of one sample.
 *
 * This file and level.c depend on nothing but integer types, so the policy
 * is unit-tested on the host (tests/kmod/level_test.c).
 */
#ifndef ADAPTSWAP_LEVEL_H
#define ADAPTSWAP_LEVEL_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#endif

#include "uapi/adaptswap.h"

/*
 * The fastest plausible allocator, for the sample interval: on average
 * ADAPTSWAP_FASTEST_RATE_KBPS (KiB/s), and while memory falls, bursts of up
 * to ADAPTSWAP_BURST_KB at ADAPTSWAP_FASTEST_FALL_KBPS.  Allocations come
 * in bursts far faster than their average (one core faults in fresh 4 KiB
 * pages at 1.3 to 1.6 GiB/s on the machine the bench runs on): planned for
 * 256 MiB/s alone, a fall's samples came 25-30 ms apart near the threshold
 * and the crossing fell between them, 1 to 16 ms before the next (2-vCPU
 * 1 GiB guest, the bench's 8 MiB steps).
 */
#define ADAPTSWAP_FASTEST_RATE_KBPS	(256ULL * 1024)
#define ADAPTSWAP_FASTEST_FALL_KBPS	(2048ULL * 1024)
#define ADAPTSWAP_BURST_KB		(16ULL * 1024)
/* Working-set refaults per second, in 1/N of RAM, that count as thrashing. */
#define ADAPTSWAP_THRASH_FRACTION	1000
/* Longest back-off of the interval at a steady level above none. */
#define ADAPTSWAP_STEADY_SHIFT_MAX	2

struct adaptswap_level_in {
	uint64_t avail_kb;		/* si_mem_available(), in KiB */
	uint64_t total_kb;		/* totalram, in KiB */
	uint32_t low_pct;		/* thresholds, percent of total_kb */
	uint32_t medium_pct;
	uint32_t critical_pct;
	uint32_t hysteresis_pct;	/* extra headroom needed to fall */
	/* Failures, seen recently: allocations are really failing. */
	bool stalled;			/* allocation stalls (ALLOCSTALL) */
	bool thrashing;			/* working-set refaults, see below */
	/* Hints, seen since the previous sample: they only name a cause. */
	bool hint_direct;		/* order-0 direct reclaim began */
	bool hint_kswapd;		/* order-0 kswapd wake-up, kswapd scan */
	bool hint_shrinker;		/* a global reclaim pass shrank slabs */
	enum adaptswap_level prev;	/* level after the previous sample */
};

enum adaptswap_level
adaptswap_level_from_mem(const struct adaptswap_level_in *in);
enum adaptswap_level
adaptswap_level_target(const struct adaptswap_level_in *in);
enum adaptswap_level
adaptswap_level_compute(const struct adaptswap_level_in *in);
enum adaptswap_cause adaptswap_level_cause(const struct adaptswap_level_in *in,
					   enum adaptswap_level next);
const char *adaptswap_level_name(unsigned int level);

/* Did @refault_kb of working-set refaults in @elapsed_us mean thrashing? */
bool adaptswap_thrashing(uint64_t refault_kb, uint64_t elapsed_us,
			 uint64_t total_kb);

struct adaptswap_interval_in {
	uint64_t avail_kb;
	uint64_t total_kb;
	uint32_t low_pct;
	uint32_t medium_pct;
	uint32_t critical_pct;
	uint32_t fast_ms;		/* sample_fast_ms */
	uint32_t idle_ms;		/* sample_idle_ms */
	enum adaptswap_level level;	/* level after this sample */
	bool falling;			/* available memory fell recently */
	uint64_t fall_kbps;		/* its fall over the last interval, KiB/s */
	uint32_t steady;		/* samples in a row without a fall */
	uint32_t repeat_ms;		/* until the next REPEAT event is due */
};

uint32_t adaptswap_interval_closing_ms(const struct adaptswap_interval_in *in);
uint32_t adaptswap_interval_ms(const struct adaptswap_interval_in *in);

#endif /* ADAPTSWAP_LEVEL_H */
