// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The budget's sizes: the configuration's "auto" values resolved against
 * this machine's RAM and the swap directory's filesystem (struct
 * asd_limits).  A pure function, unit-tested with the policy.
 *
 * Owns: nothing (no state).  Calls: nothing.
 */
#include <stdint.h>

#include "asd.h"

static uint64_t mib(uint64_t mb)
{
	return mb > UINT64_MAX / ASD_MIB ? asd_page_down(UINT64_MAX) : mb * ASD_MIB;
}

/*
 * chunk:    chunk_mb, or RAM/4 rounded down to 16 MiB and clamped to
 *           32..1024 MiB; never more than max_swap.
 * max_swap: max_swap_mb, or 4 x RAM (enough for a spike to 3 x RAM; the
 *           disk budget, max_disk_pct and min_free_mb, still applies).
 * min_free: min_free_mb, or max(256 MiB, 5% of the filesystem), rounded up.
 * floor:    floor_mb (not clamped: the budget refuses what does not fit).
 * Everything is a multiple of 4096.
 */
void asd_config_resolve(const struct asd_config *c, uint64_t ram_bytes,
			uint64_t fs_size_bytes, struct asd_limits *l)
{
	uint64_t chunk, max_swap, min_free;

	if (c->max_swap_mb)
		max_swap = mib(c->max_swap_mb);
	else
		max_swap = ram_bytes > UINT64_MAX / 4 ? UINT64_MAX : 4 * ram_bytes;
	max_swap = asd_page_down(max_swap);

	if (c->chunk_mb) {
		chunk = mib(c->chunk_mb);
	} else {
		chunk = ram_bytes / 4 / (16 * ASD_MIB) * (16 * ASD_MIB);
		if (chunk < 32 * ASD_MIB)
			chunk = 32 * ASD_MIB;
		if (chunk > 1024 * ASD_MIB)
			chunk = 1024 * ASD_MIB;
	}
	if (chunk > max_swap)
		chunk = max_swap;

	if (c->min_free_mb) {
		min_free = mib(c->min_free_mb);
	} else {
		min_free = fs_size_bytes / 100 * 5 + fs_size_bytes % 100 * 5 / 100;
		if (min_free < 256 * ASD_MIB)
			min_free = 256 * ASD_MIB;
	}

	l->chunk = asd_page_down(chunk);
	l->max_swap = max_swap;
	l->floor = asd_page_up(mib(c->floor_mb));
	l->min_free = asd_page_up(min_free);
	l->max_disk_pct = c->max_disk_pct;
}
