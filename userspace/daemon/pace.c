// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How fast memory and swap move, as pure functions of recorded samples:
 * PSI mode's own MemAvailable sampling (level, falls, the next interval),
 * the rate at which swap is used up, and from it the free swap growth
 * must keep ahead of (the headroom) and when to check again.
 *
 * Owns: nothing (no state: the callers keep it).  Calls: libadaptswap's
 * names only.
 */
#include <stdint.h>

#include "adaptswap.h"

#include "asd.h"

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* ---- headroom ------------------------------------------------------------ */

static uint64_t mul_ms(uint64_t rate, uint64_t ms)
{
	if (rate && ms > UINT64_MAX / rate)
		return UINT64_MAX;
	return rate * ms / 1000;
}

/*
 * With a fixed chunk_mb: one fresh chunk (its size less the header page:
 * one unused chunk is enough).  With auto steps: a quarter of the next
 * step, so that what is allocated at a spike's peak stays close to what
 * it uses, and at least 32 MiB or one whole file (less its header page,
 * so that one file is one step): the first swapon(2) under pressure can
 * take a second before the daemon has seen one take so long (20 MiB at
 * 20 MiB/s; 16 MiB lost a 1 GiB guest to the OOM killer so).  Either way,
 * at least what swap-out uses up, at the rate seen, until more swap is in
 * use (asd_lead_ms(): a refill, a check and a swapon).
 */
#define HEADROOM_MIN	(32 * ASD_MIB)
uint64_t asd_grow_headroom(const struct asd_limits *l, const struct asd_sample *s)
{
	uint64_t one, ahead = mul_ms(s->swap_use_rate, s->lead_ms);

	if (l->grow_steps) {
		uint64_t step = asd_step(l, s->managed_total, s->nr_areas);

		one = step / 4;
		if (one < HEADROOM_MIN)	/* but not more than one file holds */
			one = HEADROOM_MIN < step - ASD_PAGE ? HEADROOM_MIN : step - ASD_PAGE;
	} else {
		one = sub0(l->chunk, ASD_PAGE);
	}
	return ahead > one ? ahead : one;
}

uint64_t asd_grow_step(const struct asd_limits *l, const struct asd_sample *s)
{
	uint64_t step = asd_step(l, s->managed_total, s->nr_areas), need, room;

	if (!l->grow_steps || s->managed_total >= l->max_swap)
		return step;
	need = mul_ms(s->swap_use_rate, s->lead_ms);
	if (need <= step)
		return step;
	room = asd_page_down(l->max_swap - s->managed_total);
	if (need > UINT64_MAX - ASD_STEP_ROUND)
		return room;
	need = (need + ASD_STEP_ROUND - 1) / ASD_STEP_ROUND * ASD_STEP_ROUND;
	return need < room ? need : room;
}

unsigned asd_grow_recheck_ms(const struct asd_limits *l, const struct asd_sample *s)
{
	uint64_t spare = sub0(s->swap_free, asd_grow_headroom(l, s)), ms;

	if (!s->swap_use_rate)
		return ASD_CHECK_MAX_MS;
	ms = spare > UINT64_MAX / 1000 ? UINT64_MAX : spare * 1000 / s->swap_use_rate;
	if (ms < ASD_CHECK_MIN_MS)
		return ASD_CHECK_MIN_MS;
	return ms > ASD_CHECK_MAX_MS ? ASD_CHECK_MAX_MS : (unsigned)ms;
}

uint64_t asd_lead_ms(uint64_t last_ms, uint64_t running_ms, uint64_t swapon_ms)
{
	uint64_t refill = last_ms ? last_ms : ASD_REFILL_GUESS_MS, lead;

	if (running_ms > refill)
		refill = running_ms;
	lead = refill > UINT64_MAX - ASD_CHECK_MAX_MS ? UINT64_MAX : refill + ASD_CHECK_MAX_MS;
	return lead > UINT64_MAX - swapon_ms ? UINT64_MAX : lead + swapon_ms;
}

uint64_t asd_slow_observe(uint64_t prev_ms, uint64_t measured_ms)
{
	if (measured_ms >= prev_ms)
		return measured_ms;
	return prev_ms - (prev_ms - measured_ms) / 4;
}

/* ---- PSI mode's own sampling ------------------------------------------- */

int asd_psi_level(uint64_t total_kb, uint64_t avail_kb, unsigned low_pct, bool triggered)
{
	uint64_t low = total_kb * low_pct / 100;
	int level = ADAPTSWAP_LEVEL_NONE;

	if (avail_kb < low / 4)
		level = ADAPTSWAP_LEVEL_CRITICAL;
	else if (avail_kb < low / 2)
		level = ADAPTSWAP_LEVEL_MEDIUM;
	else if (avail_kb < low)
		level = ADAPTSWAP_LEVEL_LOW;
	/* a stall counts when memory is short, not when reclaim of page
	 * cache made it (plenty of MemAvailable) */
	if (triggered && level < ADAPTSWAP_LEVEL_MEDIUM &&
	    avail_kb < low / 100 * ASD_SHORT_PCT + low % 100 * ASD_SHORT_PCT / 100)
		level = ADAPTSWAP_LEVEL_MEDIUM;
	return level;
}

uint64_t asd_rate_observe(struct asd_rate *r, uint64_t now_ms, uint64_t swap_total,
			  uint64_t swap_free)
{
	uint64_t used = sub0(swap_total, swap_free), dt, rate;

	if (!r->have_prev || now_ms < r->prev_ms) {
		r->have_prev = true;
		r->prev_used = used;
		r->prev_ms = now_ms;
		return r->rate;
	}
	dt = now_ms - r->prev_ms;
	if (dt < ASD_RATE_MIN_DT_MS)
		return r->rate;
	rate = sub0(used, r->prev_used);
	rate = rate > UINT64_MAX / 1000 ? UINT64_MAX / dt : rate * 1000 / dt;
	r->rate = rate >= r->rate ? rate : r->rate / 2 > rate ? r->rate / 2 : rate;
	r->prev_used = used;
	r->prev_ms = now_ms;
	return r->rate;
}

void asd_psi_observe(struct asd_psi_state *ps, uint64_t now_ms, uint64_t total_kb,
		     uint64_t avail_kb)
{
	uint64_t dt;

	if (!ps->have_prev || now_ms < ps->prev_ms) {
		ps->have_prev = true;
		ps->prev_avail_kb = avail_kb;
		ps->prev_ms = now_ms;
		return;
	}
	dt = now_ms - ps->prev_ms;
	if (dt < ASD_PSI_MIN_DT_MS)
		return;		/* compare the next sample with the older one */
	/* fell by >= 1% of RAM per second: drop / dt >= (total / 100) / 1000 */
	if (ps->prev_avail_kb > avail_kb &&
	    (ps->prev_avail_kb - avail_kb) * 100 * 1000 >= total_kb * dt)
		ps->last_fall_ms = now_ms;
	ps->prev_avail_kb = avail_kb;
	ps->prev_ms = now_ms;
}

bool asd_psi_falling(const struct asd_psi_state *ps, uint64_t now_ms)
{
	return ps->last_fall_ms && now_ms >= ps->last_fall_ms &&
	       now_ms - ps->last_fall_ms < ASD_PSI_FALL_HOLD_MS;
}

unsigned asd_psi_interval_ms(const struct asd_psi_state *ps, uint64_t now_ms, int level,
			     uint64_t total_kb, uint64_t avail_kb, unsigned low_pct)
{
	uint64_t low = total_kb * low_pct / 100, ms;

	if (level > ADAPTSWAP_LEVEL_NONE || asd_psi_falling(ps, now_ms))
		return ASD_PSI_FAST_MS;
	ms = sub0(avail_kb, low) * 1000 / ASD_PSI_FASTEST_KBPS;
	if (ms < ASD_PSI_FAST_MS)
		return ASD_PSI_FAST_MS;
	return ms > ASD_PSI_IDLE_MS ? ASD_PSI_IDLE_MS : (unsigned)ms;
}
