// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapd policy: pure functions of the configuration, the resolved
 * limits and one sample.  No I/O, no clock, no hidden state; every
 * decision says why in a short sentence.  All arithmetic saturates, so
 * absurd samples give absurd but never wrapped-around answers.
 *
 * Owns: nothing (no state).  Calls: libadaptswap's names only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "adaptswap.h"

#include "asd.h"

#define MIN_CHUNK	(16 * ASD_MIB)	/* smallest chunk worth creating */

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* v x pct / 100, saturating (pct may exceed 100). */
static uint64_t pct_of(uint64_t v, uint64_t pct)
{
	uint64_t hi = v / 100, lo = v % 100 * pct / 100;

	if (pct && hi > (UINT64_MAX - lo) / pct)
		return UINT64_MAX;
	return hi * pct + lo;
}

static uint64_t mb(uint64_t bytes)
{
	return bytes / ASD_MIB;
}

#define decide(d, v, b, ...) do { \
	(d)->verdict = (v); \
	(d)->bytes = (b); \
	asd_say((d)->reason, sizeof((d)->reason), __VA_ARGS__); \
} while (0)

/* ---- budget -------------------------------------------------------------- */

enum limit { LIM_MAX_SWAP, LIM_DISK_PCT, LIM_MIN_FREE };

static uint64_t budget(const struct asd_limits *l, uint64_t managed_total,
		       uint64_t on_disk, uint64_t fs_size, uint64_t fs_free,
		       enum limit *which)
{
	uint64_t room = sub0(l->max_swap, managed_total), r;

	*which = LIM_MAX_SWAP;
	r = sub0(pct_of(fs_size, l->max_disk_pct), on_disk);
	if (r < room) {
		room = r;
		*which = LIM_DISK_PCT;
	}
	r = sub0(fs_free, l->min_free);
	if (r < room) {
		room = r;
		*which = LIM_MIN_FREE;
	}
	return room;
}

uint64_t asd_budget_room(const struct asd_limits *l, uint64_t managed_total,
			 uint64_t managed_on_disk, uint64_t fs_size, uint64_t fs_free)
{
	enum limit which;

	return budget(l, managed_total, managed_on_disk, fs_size, fs_free, &which);
}

/* ---- grow ---------------------------------------------------------------- */

/* "refused: ..." naming the limit that leaves too little room for want. */
static void refuse(const struct asd_limits *l, const struct asd_sample *s,
		   uint64_t on_disk, enum limit which, uint64_t want,
		   struct asd_decision *d)
{
	uint64_t room = which == LIM_MAX_SWAP ? sub0(l->max_swap, s->managed_total) :
			sub0(pct_of(s->fs_size, l->max_disk_pct), on_disk);
	char left[48] = "reached";

	if (room >= MIN_CHUNK)
		snprintf(left, sizeof(left), "leaves only %" PRIu64 " MiB", mb(room));
	switch (which) {
	case LIM_MAX_SWAP:
		decide(d, ASD_REFUSED, 0,
		       "refused: budget max_swap_mb %s (%" PRIu64 " MiB managed of %"
		       PRIu64 " MiB, %" PRIu64 " MiB wanted)", left,
		       mb(s->managed_total), mb(l->max_swap), mb(want));
		break;
	case LIM_DISK_PCT:
		decide(d, ASD_REFUSED, 0,
		       "refused: budget max_disk_pct %u%% %s (%" PRIu64 " MiB on disk of %"
		       PRIu64 " MiB allowed, %" PRIu64 " MiB wanted)", l->max_disk_pct, left,
		       mb(on_disk), mb(pct_of(s->fs_size, l->max_disk_pct)), mb(want));
		break;
	case LIM_MIN_FREE:
		if (s->fs_free <= l->min_free)
			decide(d, ASD_REFUSED, 0,
			       "refused: filesystem has %" PRIu64 " MiB free, below min_free_mb %"
			       PRIu64 " MiB", mb(s->fs_free), mb(l->min_free));
		else
			decide(d, ASD_REFUSED, 0,
			       "refused: filesystem would keep %" PRIu64 " MiB free, below min_free_mb %"
			       PRIu64 " MiB", mb(sub0(s->fs_free, want)), mb(l->min_free));
		break;
	}
}

static const char *limit_key(enum limit which)
{
	return which == LIM_MAX_SWAP ? "max_swap_mb" :
	       which == LIM_DISK_PCT ? "max_disk_pct" : "min_free_mb";
}

/*
 * Grant `want` bytes for `why`, or less, or refuse.  A standby chunk has a
 * fixed size and its disk space is already spent (managed_on_disk and
 * fs_free count it), so only max_swap can refuse its activation.  A new
 * file must fit the whole budget; when it does not, a smaller file of the
 * room left (page aligned) is granted if that is at least 16 MiB.
 */
static void grant(const struct asd_limits *l, const struct asd_sample *s,
		  uint64_t on_disk, uint64_t want, const char *why,
		  struct asd_decision *d)
{
	enum limit which;
	uint64_t room;

	if (s->standby_bytes) {
		if (s->standby_bytes > sub0(l->max_swap, s->managed_total)) {
			refuse(l, s, on_disk, LIM_MAX_SWAP, s->standby_bytes, d);
			return;
		}
		decide(d, ASD_YES, s->standby_bytes, "%s: activate the %" PRIu64
		       " MiB standby", why, mb(s->standby_bytes));
		if (want <= s->standby_bytes)
			return;
		/* one chunk is not enough: a new file for the rest, if it fits */
		room = asd_page_down(budget(l, s->managed_total + s->standby_bytes, on_disk,
					    s->fs_size, s->fs_free, &which));
		d->extra = want - s->standby_bytes < room ? want - s->standby_bytes : room;
		if (d->extra < MIN_CHUNK) {
			d->extra = 0;
			return;
		}
		asd_say(d->reason, sizeof(d->reason), "%s: activate the %" PRIu64
			" MiB standby and grow %" PRIu64 " MiB", why, mb(s->standby_bytes),
			mb(d->extra));
		return;
	}
	room = asd_page_down(budget(l, s->managed_total, on_disk, s->fs_size, s->fs_free, &which));
	if (want && want <= room)
		decide(d, ASD_YES, want, "%s: grow %" PRIu64 " MiB", why, mb(want));
	else if (want && room >= MIN_CHUNK)
		decide(d, ASD_YES, room, "%s: grow %" PRIu64 " MiB (smaller chunk, limited by %s)",
		       why, mb(room), limit_key(which));
	else
		refuse(l, s, on_disk, which, want, d);
}

/* floor - managed_total rounded up to whole chunks, saturating. */
static uint64_t floor_want(const struct asd_limits *l, uint64_t managed_total)
{
	uint64_t miss = l->floor - managed_total, n;

	if (!l->chunk)
		return miss;
	n = miss / l->chunk + (miss % l->chunk != 0);
	return n > UINT64_MAX / l->chunk ? asd_page_down(UINT64_MAX) : n * l->chunk;
}

/* swap_free >= 50% of swap_total (true when both are 0). */
static bool half_free(const struct asd_sample *s)
{
	return s->swap_free >= s->swap_total || s->swap_free >= s->swap_total - s->swap_free;
}

/*
 * Headroom (asd_grow_headroom()): growth is due once free swap falls below
 * the larger of
 *  - with a fixed chunk_mb, one fresh chunk: a chunk gives one page less
 *    than its size (the swap header), so "one unused chunk is enough" must
 *    allow for that page; with auto steps, a quarter of the next step, at
 *    least 16 MiB;
 *  - what swap-out uses up, at the rate seen, in the time it takes until
 *    more swap can be ready (a standby refill and the next check).
 */
static bool enough_free(const struct asd_limits *l, const struct asd_sample *s)
{
	return s->swap_free >= asd_grow_headroom(l, s);
}

/*
 * The steps (asd_grow_step()) that bring free swap back over the headroom, at
 * least one; the first when no swap is active.
 */
static uint64_t grow_want(const struct asd_limits *l, const struct asd_sample *s)
{
	uint64_t step = asd_grow_step(l, s), miss, per, n;

	if (!step)
		return 0;
	if (!s->swap_total)
		return step;
	miss = sub0(asd_grow_headroom(l, s), s->swap_free);
	per = step > ASD_PAGE ? step - ASD_PAGE : step;	/* a file's usable size */
	n = miss / per + (miss % per != 0);
	if (!n)
		n = 1;
	return n > UINT64_MAX / step ? asd_page_down(UINT64_MAX) : n * step;
}

/*
 * Order of the checks: below the floor -> grow (even when held); held -> no;
 * pressure but memory not short (mem_avail >= avail_short) -> no; no
 * trigger (level below grow_level and free swap not short) -> no; free
 * swap at or above the headroom (asd_grow_headroom()) -> no; otherwise the
 * whole chunks that bring free swap back over the headroom, at least one
 * (the standby first when there is one, and a new file for the rest in
 * d->extra), subject to the budget (see grant()).  Below the
 * floor the want is the missing amount rounded up to whole chunks.  When
 * s->standby_bytes != 0 a YES always means "activate the standby" and
 * d->bytes == s->standby_bytes; otherwise it means "create d->bytes".
 */
void asd_should_grow(const struct asd_config *c, const struct asd_limits *l,
		     const struct asd_sample *s, uint64_t managed_on_disk,
		     struct asd_decision *d)
{
	uint64_t low_mark = pct_of(s->managed_total, c->grow_free_pct);
	char why[96];

	memset(d, 0, sizeof(*d));
	d->index = -1;
	if (s->managed_total < l->floor) {
		snprintf(why, sizeof(why), "below floor_mb %" PRIu64 " MiB (%" PRIu64
			 " MiB managed)", mb(l->floor), mb(s->managed_total));
		grant(l, s, managed_on_disk, floor_want(l, s->managed_total), why, d);
		return;
	}
	if (s->held) {
		decide(d, ASD_NO, 0, "growth on hold");
		return;
	}
	if (s->level > ADAPTSWAP_LEVEL_NONE && s->avail_short && s->mem_avail >= s->avail_short) {
		decide(d, ASD_NO, 0, "level %s, but %" PRIu64 " MiB available (>= %" PRIu64
		       " MiB): memory is not short", adaptswap_level_name(s->level),
		       mb(s->mem_avail), mb(s->avail_short));
		return;
	}
	if (s->level >= c->grow_level) {
		snprintf(why, sizeof(why), "level %s >= grow_level %s", adaptswap_level_name(s->level),
			 adaptswap_level_name(c->grow_level));
	} else if (s->level > ADAPTSWAP_LEVEL_NONE && s->managed_total &&
		   s->swap_free < low_mark) {
		snprintf(why, sizeof(why), "level %s and free swap %" PRIu64 " MiB < %u%% of %"
			 PRIu64 " MiB managed", adaptswap_level_name(s->level), mb(s->swap_free),
			 c->grow_free_pct, mb(s->managed_total));
	} else {
		decide(d, ASD_NO, 0, "level %s below grow_level %s", adaptswap_level_name(s->level),
		       adaptswap_level_name(c->grow_level));
		return;
	}
	if (s->swap_total && enough_free(l, s)) {
		decide(d, ASD_NO, 0, "%s, but free swap still %" PRIu64 " of %" PRIu64
		       " MiB", why, mb(s->swap_free), mb(s->swap_total));
		return;
	}
	grant(l, s, managed_on_disk, grow_want(l, s), why, d);
}

/* ---- shrink -------------------------------------------------------------- */

/* The least-used active file whose removal keeps the floor; -1 if none. */
static int shrink_candidate(const struct asd_limits *l, const struct asd_sample *s,
			    const struct asd_file_info *f, size_t n)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (!f[i].active || f[i].size > s->managed_total ||
		    s->managed_total - f[i].size < l->floor)
			continue;
		if (best < 0 || f[i].used < f[best].used)
			best = (int)i;
	}
	return best;
}

static size_t count_active(const struct asd_file_info *f, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += f[i].active;
	return k;
}

void asd_should_shrink(const struct asd_config *c, const struct asd_limits *l,
		       const struct asd_sample *s, const struct asd_file_info *f,
		       size_t n, struct asd_decision *d)
{
	uint64_t quiet_ms = c->shrink_quiet_s * 1000ull, quiet, need;
	int i;

	memset(d, 0, sizeof(*d));
	d->index = -1;
	if (s->level > ADAPTSWAP_LEVEL_NONE) {
		decide(d, ASD_NO, 0, "level %s: no shrinking under pressure", adaptswap_level_name(s->level));
		return;
	}
	quiet = s->last_pressure_ms ? sub0(s->now_ms, s->last_pressure_ms) : UINT64_MAX;
	if (quiet < quiet_ms) {
		decide(d, ASD_NO, 0, "quiet for %" PRIu64 " s of shrink_quiet_s %u s",
		       quiet / 1000, c->shrink_quiet_s);
		return;
	}
	if (!count_active(f, n)) {
		decide(d, ASD_NO, 0, "no active managed swap file");
		return;
	}
	i = shrink_candidate(l, s, f, n);
	if (i < 0) {
		decide(d, ASD_NO, 0, "floor_mb %" PRIu64 " MiB needs every file (%" PRIu64
		       " MiB managed)", mb(l->floor), mb(s->managed_total));
		return;
	}
	need = pct_of(f[i].used, 100ull + c->shrink_margin_pct);
	if (s->mem_avail < need) {
		decide(d, ASD_REFUSED, 0, "refused: would swap in %" PRIu64 " MiB with only %"
		       PRIu64 " MiB available (needs %" PRIu64 " MiB, margin %u%%)",
		       mb(f[i].used), mb(s->mem_avail), mb(need), c->shrink_margin_pct);
		return;
	}
	decide(d, ASD_YES, f[i].size, "quiet: release file %d (%" PRIu64 " MiB, %" PRIu64
	       " MiB used, %" PRIu64 " MiB available)", i, mb(f[i].size), mb(f[i].used),
	       mb(s->mem_avail));
	d->index = i;
}

/* ---- swappiness ---------------------------------------------------------- */

/*
 * The swappiness controller, one step per call (the daemon calls it once
 * per sampling tick), first matching rule wins:
 *
 *  0. swappiness_control off: cur, unchanged.  Otherwise cur is first
 *     clamped into [swappiness_min, swappiness_max].
 *  1. Thrashing: swapin_rate + refault_rate >= 1000 pages/s, or swap
 *     nearly full (swap_total > 0 and swap_free < 10% of it): down by 10,
 *     by 20 when severe (>= 5000 pages/s, or swap_free < 5%).
 *  2. Pressure with cheap swap: level >= low, swap_total > 0, swapin_rate
 *     < 100 pages/s and swap_free >= 50% of swap_total: up by 10, so cold
 *     anonymous pages leave RAM before the page cache is squeezed.
 *  3. Quiet (level none and no pressure for shrink_quiet_s, or never):
 *     one step of 1 toward the midpoint (min + max) / 2.
 *  4. Otherwise: unchanged.
 * The result never leaves [min, max].
 */
#define SWP_THRASH_RATE		1000
#define SWP_SEVERE_RATE		5000
#define SWP_CHEAP_RATE		100
#define SWP_STEP		10
#define SWP_SEVERE_STEP		20

static unsigned clampu(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static bool quiet_for(const struct asd_config *c, const struct asd_sample *s)
{
	return s->level == ADAPTSWAP_LEVEL_NONE &&
	       (!s->last_pressure_ms ||
		sub0(s->now_ms, s->last_pressure_ms) >= c->shrink_quiet_s * 1000ull);
}

unsigned asd_swappiness_next(const struct asd_config *c, const struct asd_sample *s,
			     unsigned cur, char *reason, size_t len)
{
	unsigned lo = c->swappiness_min, hi = c->swappiness_max, base, next, mid;
	uint64_t rate = s->swapin_rate + s->refault_rate;
	bool full = s->swap_total && s->swap_free < s->swap_total / 10;
	bool severe;

	if (rate < s->swapin_rate)
		rate = UINT64_MAX;
	if (!c->swappiness_control) {
		asd_say(reason, len, "swappiness control off");
		return cur;
	}
	if (hi < lo)
		hi = lo;
	base = clampu(cur, lo, hi);
	if (rate >= SWP_THRASH_RATE || full) {
		severe = rate >= SWP_SEVERE_RATE || (s->swap_total && s->swap_free < s->swap_total / 20);
		next = base - lo > (severe ? SWP_SEVERE_STEP : SWP_STEP) ?
		       base - (severe ? SWP_SEVERE_STEP : SWP_STEP) : lo;
		asd_say(reason, len, "%s: swap-in %" PRIu64 " + refault %" PRIu64
		    " pages/s, swap free %" PRIu64 " of %" PRIu64 " MiB: %u -> %u",
		    severe ? "severe thrashing" : "thrashing", s->swapin_rate, s->refault_rate,
		    mb(s->swap_free), mb(s->swap_total), cur, next);
	} else if (s->level >= ADAPTSWAP_LEVEL_LOW && s->swap_total &&
		   s->swapin_rate < SWP_CHEAP_RATE && half_free(s)) {
		next = hi - base > SWP_STEP ? base + SWP_STEP : hi;
		asd_say(reason, len, "level %s, swap cheap (swap-in %" PRIu64 " pages/s, %" PRIu64
		    " of %" PRIu64 " MiB free): %u -> %u", adaptswap_level_name(s->level), s->swapin_rate,
		    mb(s->swap_free), mb(s->swap_total), cur, next);
	} else if (quiet_for(c, s)) {
		mid = lo + (hi - lo) / 2;
		next = base < mid ? base + 1 : base > mid ? base - 1 : base;
		asd_say(reason, len, "quiet: drifting toward %u: %u -> %u", mid, cur, next);
	} else {
		next = base;
		asd_say(reason, len, "steady at %u", next);
	}
	return next;
}

/* ---- action -------------------------------------------------------------- */

/*
 * The condition: managed swap used >= action_swap_used_pct of max_swap
 * (the daemon cannot help much longer), or swapin_rate >=
 * action_swapin_rate (thrashing).  It must hold without interruption for
 * action_after_s; the command then runs when it never ran or ran at least
 * action_interval_s ago.  A run restarts the hold timer.  Timestamps of 0
 * mean "not set", so a now_ms of 0 is recorded as 1.
 */
bool asd_action_due(const struct asd_config *c, const struct asd_limits *l,
		    const struct asd_sample *s, struct asd_action_state *st,
		    char *reason, size_t len)
{
	uint64_t mark = pct_of(l->max_swap, c->action_swap_used_pct), held, since;
	bool full = l->max_swap && s->managed_used >= mark;
	bool slow = s->swapin_rate >= c->action_swapin_rate;
	uint64_t now = s->now_ms ? s->now_ms : 1;
	char why[96];

	if (!c->action_command[0]) {
		st->bad_since_ms = 0;
		asd_say(reason, len, "no action_command");
		return false;
	}
	if (!full && !slow) {
		st->bad_since_ms = 0;
		asd_say(reason, len, "fine: %" PRIu64 " MiB managed swap used (< %u%% of %" PRIu64
		    " MiB), swap-in %" PRIu64 " pages/s", mb(s->managed_used),
		    c->action_swap_used_pct, mb(l->max_swap), s->swapin_rate);
		return false;
	}
	if (full)
		snprintf(why, sizeof(why), "%" PRIu64 " MiB managed swap used >= %u%% of %" PRIu64
			 " MiB", mb(s->managed_used), c->action_swap_used_pct, mb(l->max_swap));
	else
		snprintf(why, sizeof(why), "swap-in %" PRIu64 " >= %u pages/s", s->swapin_rate,
			 c->action_swapin_rate);
	if (!st->bad_since_ms)
		st->bad_since_ms = now;
	held = sub0(now, st->bad_since_ms);
	if (held < c->action_after_s * 1000ull) {
		asd_say(reason, len, "%s for %" PRIu64 " s of action_after_s %u s", why,
		    held / 1000, c->action_after_s);
		return false;
	}
	if (st->last_run_ms) {
		since = sub0(now, st->last_run_ms);
		if (since < c->action_interval_s * 1000ull) {
			asd_say(reason, len, "%s, but the action ran %" PRIu64
			    " s ago (action_interval_s %u s)", why, since / 1000,
			    c->action_interval_s);
			return false;
		}
	}
	asd_say(reason, len, "%s for %" PRIu64 " s: run the action", why, held / 1000);
	st->last_run_ms = now;
	st->bad_since_ms = 0;
	return true;
}
