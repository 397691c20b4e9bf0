/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pressure level policy: a pure function of one sample.
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

struct adaptswap_level_in {
	uint64_t avail_kb;		/* si_mem_available(), in KiB */
	uint64_t total_kb;		/* totalram, in KiB */
	uint32_t low_pct;		/* thresholds, percent of total_kb */
	uint32_t medium_pct;
	uint32_t critical_pct;
	uint32_t hysteresis_pct;	/* extra headroom needed to fall */
	bool direct_reclaim;		/* direct reclaim/allocstall seen */
	bool kswapd;			/* kswapd woke or scanned */
	enum adaptswap_level prev;	/* level after the previous sample */
};

enum adaptswap_level
adaptswap_level_from_mem(const struct adaptswap_level_in *in);
enum adaptswap_level
adaptswap_level_from_activity(const struct adaptswap_level_in *in);
enum adaptswap_level
adaptswap_level_compute(const struct adaptswap_level_in *in);
enum adaptswap_cause adaptswap_level_cause(const struct adaptswap_level_in *in,
					   enum adaptswap_level next);
const char *adaptswap_level_name(unsigned int level);

#endif /* ADAPTSWAP_LEVEL_H */
