// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The timer: when the daemon wakes up without an event, and what it does
 * then (PSI-mode sampling, the "pressure lasts" re-check of growth, the
 * shrink after the quiet period, swappiness, the action hook, the standby
 * refill, a failed delete again).  With the module and nothing to do it
 * does not wake at all.
 *
 * Owns: d->timer_fd's setting, d->tick_due_ms, d->chores_ms.  Calls: source.c,
 * actuate.c, swappiness.c, action.c, pace.c (PSI interval).
 */
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include "daemon.h"

/*
 * With the module and nothing to do (no managed swap above the floor, no
 * pressure, no action armed) the timer is off: the daemon sleeps in poll().
 */
void tick_arm(struct daemon *d)
{
	struct itimerspec it = { 0 };
	uint64_t ms = 0, t = now_ms(), active = 0, used = 0;

	for (int i = 0; i < d->inv.n; i++) {
		if (d->inv.files[i].active) {
			active += d->inv.files[i].size;
			used += d->inv.files[i].used;
		}
	}
	if (!d->src.module_mode) {
		/* PSI mode samples meminfo: faster near the threshold, or
		 * while memory falls */
		if (d->src.psi_fd < 0 && d->src.forced == ASD_SOURCE_MODULE)
			ms = 0;
		else if (!d->src.psi_total_kb)
			ms = ASD_PSI_FAST_MS;	/* no sample yet */
		else
			ms = asd_psi_interval_ms(&d->src.psi, t, d->src.level, d->src.psi_total_kb,
						 d->src.psi_avail_kb, d->cfg.psi_low_pct);
	} else if (d->src.level > ADAPTSWAP_LEVEL_NONE) {
		/* under pressure: re-check growth as swap-out requires */
		ms = d->act.recheck_ms ? d->act.recheck_ms : ASD_CHECK_MAX_MS;
	} else if (d->act.shrink_next) {
		ms = 300;	/* a shrink finished: the next file soon */
	} else if (active > d->lim.floor) {
		/* swap to give back: after the quiet period, then every 5 s */
		uint64_t quiet = (uint64_t)d->cfg.shrink_quiet_s * 1000;
		uint64_t since = t - d->src.last_pressure_ms;

		ms = since < quiet ? quiet - since + 10 : 5000;
	} else if (d->cfg.action_command[0] && used) {
		ms = 5000;	/* the action hook watches swap use */
	}
	/* else: nothing to do until an event comes; no wake-ups */
	if (inv_surplus(d) && (!ms || ms > ASD_TIDY_RETRY_MS))
		ms = ASD_TIDY_RETRY_MS;	/* a delete that failed, again */
	if (d->src.module_mode && d->src.level == ADAPTSWAP_LEVEL_NONE) {
		/* vm.swappiness drifts back after an episode: a timer only
		 * while it is away from its target */
		uint64_t swp = swappiness_due_ms(d);

		if (swp && (!ms || swp < ms))
			ms = swp;
	}
	if (d->action.pid > 0 && (!ms || ms > 1000))
		ms = 1000;	/* the action command's timeout */
	/*
	 * The loop calls this after every wake-up (a client, an event): a
	 * deadline is kept, not pushed back, or a client polling status
	 * every second would hold off the 5 s shrink check for ever.  An
	 * earlier tick stays, even one expired and not yet read (tick()
	 * clears the deadline when it reads): ticking early only re-checks.
	 */
	if (!ms) {
		if (d->tick_due_ms)
			timerfd_settime(d->timer_fd, 0, &it, NULL);	/* disarm */
		d->tick_due_ms = 0;
		return;
	}
	if (d->tick_due_ms && d->tick_due_ms <= t + ms)
		return;
	d->tick_due_ms = t + ms;
	it.it_value.tv_sec = (time_t)(d->tick_due_ms / 1000);
	it.it_value.tv_nsec = (long)(d->tick_due_ms % 1000) * 1000000;
	timerfd_settime(d->timer_fd, TFD_TIMER_ABSTIME, &it, NULL);
}

/*
 * A tick that came or ran late: the daemon itself stalled (its syscalls
 * wait in direct reclaim, or it was not scheduled).  Debug level, only
 * past ASD_TICK_SLOW_MS, so a quiet machine logs nothing.
 */
#define ASD_TICK_SLOW_MS	200u
static void tick_slow(const struct daemon *d, uint64_t due, uint64_t t0, uint64_t t1)
{
	uint64_t late = due && t0 > due ? t0 - due : 0;

	if (late >= ASD_TICK_SLOW_MS || t1 - t0 >= ASD_TICK_SLOW_MS)
		logmsg(d, LOG_DEBUG_, "slow tick: %llu ms late, ran %llu ms",
		       (unsigned long long)late, (unsigned long long)(t1 - t0));
}

static void tick_run(struct daemon *d, uint64_t t);

void tick(struct daemon *d)
{
	uint64_t x, t, due = d->tick_due_ms;

	if (read(d->timer_fd, &x, sizeof(x)) < 0)
		return;
	d->tick_due_ms = 0;	/* expired: tick_arm() sets the next */
	t = now_ms();
	tick_run(d, t);
	tick_slow(d, due, t, now_ms());
}

static void tick_run(struct daemon *d, uint64_t t)
{
	if (!d->src.module_mode) {
		/* without the family watch, look for the module (no modprobe:
		 * src_use_best() only resolves the family of a loaded one) */
		if (d->src.forced != ASD_SOURCE_PSI && src_watch_fd(d) < 0)
			src_use_best(d);
		if (!d->src.module_mode) {
			src_psi_sample(d, false);
			/* Sampling may run every 20 ms; without pressure the
			 * rest (shrink, swappiness, action, standby) needs no
			 * more than once a second. */
			if (d->src.level == ADAPTSWAP_LEVEL_NONE && !d->act.shrink_next &&
			    t - d->chores_ms < ASD_PSI_IDLE_MS)
				return;
		}
	} else {
		src_expire(d, t);
	}
	d->chores_ms = t;
	if (!d->src.module_mode)
		src_update_rates_from_vmstat(d);	/* for swappiness and the action */
	act_tick(d);
	swappiness_tune(d);
	action_check(d);
	act_refill_standby(d);
}
