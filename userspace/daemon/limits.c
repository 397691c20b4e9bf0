// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The budget's sizes: the configuration's "auto" values resolved against
 * this machine's RAM and the swap directory's filesystem (struct
 * asd_limits).  A pure function, unit-tested with the policy.
 *
 * Owns: nothing (no state).  Calls: nothing.
 */
#include <math.h>
#include <stdint.h>

#include "asd.h"

#define STEP_MIN	(32 * ASD_MIB)

static uint64_t mib(uint64_t mb)
{
	return mb > UINT64_MAX / ASD_MIB ? asd_page_down(UINT64_MAX) : mb * ASD_MIB;
}

/*
 * chunk:    chunk_mb (every file that size), or with chunk_mb = auto the
 *           first and smallest step: RAM/16 rounded down to 4 MiB, 32 to
 *           1024 MiB (grow_steps, see asd_step()); never more than
 *           max_swap.
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
		chunk = ram_bytes / 16 / ASD_STEP_ROUND * ASD_STEP_ROUND;
		if (chunk < STEP_MIN)
			chunk = STEP_MIN;
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
	l->grow_steps = !c->chunk_mb;
	l->max_swap = max_swap;
	l->floor = asd_page_up(mib(c->floor_mb));
	l->min_free = asd_page_up(min_free);
	l->max_disk_pct = c->max_disk_pct;
}

/*
 * The next file's size.  With a fixed chunk_mb: that.  With auto steps
 * the files follow the swap in use, so that what is allocated stays close
 * to what a spike uses (the last step and the headroom are the excess):
 *  - an eighth of the managed swap, and never less than the first step
 *    (RAM/16), so a small spike is met in small files;
 *  - and large enough to reach max_swap within the swap areas left
 *    (ASD_AREAS_SAFE less those in use): the steps grow geometrically by
 *    the factor that gets there, (max_swap / managed)^(1 / areas left);
 * rounded down to 4 MiB, at most the room left below max_swap (or the
 * first step, when none is left: the budget refuses it then).  Past
 * ASD_AREAS_SAFE areas the caller takes all the room at once.
 */
uint64_t asd_step(const struct asd_limits *l, uint64_t managed, unsigned areas)
{
	uint64_t step = l->chunk, g;

	if (!l->grow_steps || managed >= l->max_swap)
		return l->chunk;
	g = managed / 8 / ASD_STEP_ROUND * ASD_STEP_ROUND;
	if (managed && areas + 1 == ASD_AREAS_SAFE) {
		g = l->max_swap - managed;	/* the last one: all the room */
	} else if (managed && areas < ASD_AREAS_SAFE) {
		double q = pow((double)l->max_swap / (double)managed,
			       1.0 / (double)(ASD_AREAS_SAFE - areas));
		double a = (double)managed * (q - 1.0);

		if (a > (double)g)
			g = a >= (double)(l->max_swap - managed) ? l->max_swap - managed :
			    (uint64_t)a / ASD_STEP_ROUND * ASD_STEP_ROUND;
	}
	if (g > step)
		step = g;
	if (step > l->max_swap - managed)
		step = asd_page_down(l->max_swap - managed);
	return step ? step : l->chunk;
}
