// SPDX-License-Identifier: GPL-2.0
/*
 * The sampler: a delayed work item that reads the memory counters, computes
 * the level (level.c) and sends the events.  It is the only place that
 * builds events, so the sequence number needs no lock.
 *
 * What it reads: MemAvailable, RAM, free swap, and the failures (allocation
 * stalls, working-set refaults) decide the level; the hints (order-0 kswapd
 * wake-ups and direct reclaim, shrinker passes, kswapd scanning) only name
 * the cause; the kernel's OOM_KILL count gives one OOM event per kill.
 *
 * When: the interval is adaptswap_interval_ms() (level.c): it closes in on
 * the next threshold down while available memory falls (by at least 1% of
 * RAM per second, and for sample_idle_ms after such a fall was last seen,
 * because allocations come in bursts), backs off while it is steady, and is
 * sample_idle_ms at level none with memory steady.  The next sample is
 * timed by an hrtimer that queues the work, not by a delayed work: a timer
 * in jiffies fires on a tick, so at HZ=250 a 4 ms interval could not be
 * shortened and the sample landed anywhere up to a jiffy after it was due.
 * While memory is steady the hrtimer may fire up to 1/8 of the interval
 * late (capped at ADAPTSWAP_SLACK_MAX_NS), so idle wake-ups can share an
 * interrupt with other timers; while it falls, and for a hint, it fires
 * on time: with nothing else due, a timer with slack fires at the end of
 * it (a 2-vCPU guest's sample came 4 ms late, 3 ms after the crossing it
 * was timed to catch).  A hint (atomic context,
 * through an irq_work) brings the next sample forward to the closing
 * interval after the previous sample, so reclaim with plenty of memory
 * available does not speed the sampler up.  A kill, an OOM notifier call or
 * a knob change asks for a sample at once.  While disabled, the sampler does
 * not run at all, and re-enabled it starts from a fresh baseline.
 *
 * Failures count as "seen" for sample_idle_ms after they were last
 * observed, so a level raised by them does not flap with every burst.
 */
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "adaptswap.h"
#include "level.h"

/* OOM events sent per sample at most; OOM_KILLS tells how many kills. */
#define ADAPTSWAP_OOM_BURST	8
/* Latest a sample may come after it is due: 1/8 of the wait, at most this. */
#define ADAPTSWAP_SLACK_MAX_NS	(50 * NSEC_PER_MSEC)

/* Cumulative counters, compared between two samples. */
struct sample_counts {
	u64 pgscan;		/* PGSCAN_KSWAPD + PGSCAN_DIRECT */
	u64 pgscan_kswapd;
	u64 allocstall;		/* sum over zones */
	u64 pswpin;
	u64 pswpout;
	u64 refault;		/* WORKINGSET_REFAULT_ANON + _FILE */
	u64 restore;		/* WORKINGSET_RESTORE_ANON + _FILE */
	u64 oom_kill;		/* OOM_KILL */
	u64 kswapd_wakeups;	/* probe counters */
	u64 direct_reclaims;
	u64 shrinker_calls;
};

static struct {
	struct workqueue_struct *wq;
	struct work_struct work;
	struct hrtimer timer;		/* queues @work when a sample is due */
	struct irq_work irq_work;

	/* Protects running, queued and due: nothing requeues once stopped. */
	spinlock_t lock;
	bool running;
	bool queued;			/* a sample is queued for @due */
	u64 due;			/* ktime_get_ns() */

	atomic_t urgent;		/* adaptswap_kick_now() pending */
	u64 last_ns;			/* start of the last sample */
	u64 hint_ns;			/* a hint: sample at last + this */
	unsigned long *vm_events;	/* NR_VM_EVENT_ITEMS */

	/* Only touched by the work function. */
	bool enabled;			/* at the last sample */
	struct sample_counts prev;
	u64 prev_ns;			/* 0: no baseline */
	u64 prev_avail_kb;
	u64 last_fall_ns;		/* available memory last seen falling */
	u64 last_stall_ns;		/* failures last seen */
	u64 last_thrash_ns;
	u32 steady;			/* samples in a row without a fall */
	bool oom_waited;		/* a kill waited one sample for its victim */
	u64 seq;
	u64 last_event_ns;
	enum adaptswap_level level;
} sampler;

/* Hard interrupt context: only queue the sample. */
static enum hrtimer_restart sampler_timer_fn(struct hrtimer *timer)
{
	queue_work(sampler.wq, &sampler.work);
	return HRTIMER_NORESTART;
}

/*
 * Make sure a sample runs at @due (ktime_get_ns()); with @slack, at most
 * min(wait / 8, ADAPTSWAP_SLACK_MAX_NS) later.  Any context.
 */
static void sampler_queue_by(u64 due, bool slack)
{
	unsigned long flags;
	u64 now = ktime_get_ns();

	spin_lock_irqsave(&sampler.lock, flags);
	if (sampler.running && (!sampler.queued || due < sampler.due)) {
		sampler.queued = true;
		sampler.due = due;
		if (due <= now) {
			hrtimer_try_to_cancel(&sampler.timer);
			queue_work(sampler.wq, &sampler.work);
		} else {
			hrtimer_start_range_ns(&sampler.timer, ns_to_ktime(due),
					       slack ? min_t(u64, (due - now) >> 3,
							     ADAPTSWAP_SLACK_MAX_NS) : 0,
					       HRTIMER_MODE_ABS);
		}
	}
	spin_unlock_irqrestore(&sampler.lock, flags);
}

static void sampler_irq_work_fn(struct irq_work *work)
{
	if (atomic_xchg(&sampler.urgent, 0))
		sampler_queue_by(ktime_get_ns(), false);
	else
		sampler_queue_by(READ_ONCE(sampler.last_ns) +
				 READ_ONCE(sampler.hint_ns), false);
}

/* Any context, including the probes: a hint, sample sooner. */
void adaptswap_kick(void)
{
	irq_work_queue(&sampler.irq_work);
}

/* Any context, including the probes: sample now. */
void adaptswap_kick_now(void)
{
	atomic_set(&sampler.urgent, 1);
	irq_work_queue(&sampler.irq_work);
}

static void read_counts(struct sample_counts *c)
{
	unsigned long *ev = sampler.vm_events;
	int zid;

	/* all_vm_events() takes cpus_read_lock(): process context only. */
	all_vm_events(ev);
	c->pgscan_kswapd = ev[PGSCAN_KSWAPD];
	c->pgscan = ev[PGSCAN_KSWAPD] + ev[PGSCAN_DIRECT];
	c->allocstall = 0;
	for (zid = 0; zid < MAX_NR_ZONES; zid++)
		c->allocstall += ev[ALLOCSTALL_NORMAL - ZONE_NORMAL + zid];
	c->pswpin = ev[PSWPIN];
	c->pswpout = ev[PSWPOUT];
	c->refault = global_node_page_state(WORKINGSET_REFAULT_ANON) +
		     global_node_page_state(WORKINGSET_REFAULT_FILE);
	c->restore = global_node_page_state(WORKINGSET_RESTORE_ANON) +
		     global_node_page_state(WORKINGSET_RESTORE_FILE);
	/* The same sum the mark_victim probe numbers the kills with. */
	c->oom_kill = adaptswap_oom_kill_count();
	c->kswapd_wakeups = adaptswap_counter(ADAPTSWAP_CNT_KSWAPD_WAKEUPS);
	c->direct_reclaims = adaptswap_counter(ADAPTSWAP_CNT_DIRECT_RECLAIMS);
	c->shrinker_calls = adaptswap_counter(ADAPTSWAP_CNT_SHRINKER_CALLS);
}

static u64 delta(u64 now, u64 then)
{
	/* Per-cpu sums may step back briefly across CPU hotplug. */
	return now > then ? now - then : 0;
}

static u64 per_second(u64 d, u64 elapsed_us)
{
	return div64_u64(d * USEC_PER_SEC, elapsed_us);
}

/* Was something last seen at @then (0: never) less than @hold ago? */
static bool recent(u64 then, u64 now, u64 hold)
{
	return then && now - then < hold;
}

static u64 pages_to_kb(long pages)
{
	return pages > 0 ? (u64)pages << (PAGE_SHIFT - 10) : 0;
}

static void emit(struct adaptswap_event *ev)
{
	int ret;

	ev->seq = ++sampler.seq;
	spin_lock(&adaptswap.status_lock);
	adaptswap.status.seq = ev->seq;
	spin_unlock(&adaptswap.status_lock);

	if (!adaptswap_netlink_has_listeners())
		return;
	ret = adaptswap_netlink_send_event(ev);
	/*
	 * Nobody listening is not a drop, and was excluded above.  -ESRCH
	 * here means there were subscribers but none received the event:
	 * their receive buffers were full (netlink_broadcast() reports
	 * -ENOBUFS only when a subscriber set NETLINK_BROADCAST_ERROR).
	 */
	if (!ret)
		adaptswap_count(ADAPTSWAP_CNT_EVENTS_SENT);
	else
		adaptswap_count(ADAPTSWAP_CNT_EVENTS_DROPPED);
}

/* A fresh start (module load, re-enable): nothing before counts. */
static void sampler_reset(void)
{
	sampler.prev_ns = 0;
	sampler.last_fall_ns = 0;
	sampler.last_stall_ns = 0;
	sampler.last_thrash_ns = 0;
	sampler.steady = 0;
	sampler.oom_waited = false;
	sampler.level = ADAPTSWAP_LEVEL_NONE;
}

/* One OOM event per kill in (from, to], the last ADAPTSWAP_OOM_BURST. */
static void emit_oom(struct adaptswap_event *ev, enum adaptswap_level level,
		     u64 from, u64 to)
{
	u64 kills = adaptswap_counter(ADAPTSWAP_CNT_OOM_KILLS);
	u64 k;

	if (to - from > ADAPTSWAP_OOM_BURST)
		from = to - ADAPTSWAP_OOM_BURST;
	for (k = from + 1; k <= to; k++) {
		ev->type = ADAPTSWAP_EVENT_OOM;
		ev->level = level;
		ev->prev_level = level;
		ev->cause = ADAPTSWAP_CAUSE_OOM;
		ev->oom_kills = kills - (to - k);
		ev->has_victim = adaptswap_oom_victim(k, &ev->victim_pid,
						      ev->victim_comm);
		emit(ev);
	}
	ev->has_victim = false;
}

static void sampler_work_fn(struct work_struct *work)
{
	u32 knobs[ADAPTSWAP_NR_KNOBS];
	struct adaptswap_level_in in = { };
	struct adaptswap_interval_in iv = { };
	struct adaptswap_event ev = { };
	struct sample_counts cur;
	enum adaptswap_level old, next;
	enum adaptswap_cause cause;
	bool knob_changed, enabled, falling, oom_wait = false;
	u64 now, total_kb, avail_kb, swap_kb, hold_ns, repeat_ns, kills = 0;
	u64 oom_from = 0, fall_kbps = 0;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long flags;
	u32 ms;

	adaptswap_knobs_get(knobs);
	enabled = knobs[ADAPTSWAP_KNOB_ENABLED];

	now = ktime_get_ns();
	spin_lock_irqsave(&sampler.lock, flags);
	sampler.queued = false;
	spin_unlock_irqrestore(&sampler.lock, flags);
	WRITE_ONCE(sampler.last_ns, now);
	knob_changed = atomic_xchg(&adaptswap.knob_changed, 0);
	if (enabled && !sampler.enabled)
		sampler_reset();

	read_counts(&cur);
	total_kb = pages_to_kb(totalram_pages());
	avail_kb = pages_to_kb(si_mem_available());
	swap_kb = pages_to_kb(get_nr_swap_pages());
	hold_ns = (u64)knobs[ADAPTSWAP_KNOB_SAMPLE_IDLE_MS] * NSEC_PER_MSEC;
	repeat_ns = (u64)knobs[ADAPTSWAP_KNOB_EVENT_INTERVAL_MS] *
		    NSEC_PER_MSEC;

	if (enabled && sampler.prev_ns && now > sampler.prev_ns) {
		struct sample_counts *p = &sampler.prev;
		u64 us = max_t(u64, div_u64(now - sampler.prev_ns,
					    NSEC_PER_USEC), 1);
		u64 restore_kb = pages_to_kb(delta(cur.restore, p->restore));

		if (sampler.prev_avail_kb > avail_kb)
			fall_kbps = per_second(sampler.prev_avail_kb - avail_kb,
					       us);
		/* Falling by >= 1% of RAM per second (kB * us scale). */
		if (sampler.prev_avail_kb > avail_kb &&
		    (sampler.prev_avail_kb - avail_kb) * USEC_PER_SEC >=
		    div_u64(total_kb, 100) * us)
			sampler.last_fall_ns = now;
		ev.rates[ADAPTSWAP_RATE_SCAN] =
			per_second(delta(cur.pgscan, p->pgscan), us);
		ev.rates[ADAPTSWAP_RATE_STALL] =
			per_second(delta(cur.allocstall, p->allocstall), us);
		ev.rates[ADAPTSWAP_RATE_SWAPIN] =
			per_second(delta(cur.pswpin, p->pswpin), us);
		ev.rates[ADAPTSWAP_RATE_SWAPOUT] =
			per_second(delta(cur.pswpout, p->pswpout), us);
		ev.rates[ADAPTSWAP_RATE_REFAULT] =
			per_second(delta(cur.refault, p->refault), us);

		/* Failures: they count for the hold (sample_idle_ms). */
		if (delta(cur.allocstall, p->allocstall))
			sampler.last_stall_ns = now;
		if (adaptswap_thrashing(restore_kb, us, total_kb))
			sampler.last_thrash_ns = now;
		/* Hints since the previous sample: only the cause. */
		in.hint_direct = delta(cur.direct_reclaims,
				       p->direct_reclaims);
		in.hint_kswapd = delta(cur.kswapd_wakeups,
				       p->kswapd_wakeups) ||
				 delta(cur.pgscan_kswapd, p->pgscan_kswapd);
		in.hint_shrinker = delta(cur.shrinker_calls,
					 p->shrinker_calls);
		oom_from = p->oom_kill;
		kills = delta(cur.oom_kill, p->oom_kill);
	}
	/*
	 * The killer counts OOM_KILL just before it marks the victim: a
	 * sample on another CPU may fall in between.  Give the newest kill
	 * one more (immediate) sample to be named, then send it anyway.
	 */
	if (kills && !sampler.oom_waited && adaptswap_oom_victims_named() &&
	    !adaptswap_oom_victim(cur.oom_kill, &pid, comm)) {
		kills--;
		cur.oom_kill--;
		oom_wait = true;
	}
	sampler.oom_waited = oom_wait;
	/*
	 * Allocations come in bursts: one quiet fast sample must not send
	 * the sampler back to sleep for sample_idle_ms.  A fall keeps the
	 * closing interval for sample_idle_ms; the first sample counts as
	 * one.
	 */
	if (!sampler.prev_ns)
		sampler.last_fall_ns = now;
	falling = recent(sampler.last_fall_ns, now, hold_ns);
	in.stalled = recent(sampler.last_stall_ns, now, hold_ns);
	in.thrashing = recent(sampler.last_thrash_ns, now, hold_ns);
	sampler.prev = cur;
	sampler.prev_ns = enabled ? now : 0;
	sampler.prev_avail_kb = avail_kb;
	sampler.enabled = enabled;

	old = sampler.level;
	if (enabled) {
		in.avail_kb = avail_kb;
		in.total_kb = total_kb;
		in.low_pct = knobs[ADAPTSWAP_KNOB_LOW_PCT];
		in.medium_pct = knobs[ADAPTSWAP_KNOB_MEDIUM_PCT];
		in.critical_pct = knobs[ADAPTSWAP_KNOB_CRITICAL_PCT];
		in.hysteresis_pct = knobs[ADAPTSWAP_KNOB_HYSTERESIS_PCT];
		in.prev = old;
		next = adaptswap_level_compute(&in);
		cause = adaptswap_level_cause(&in, next);
		if (knob_changed && next != old)
			cause = ADAPTSWAP_CAUSE_KNOB;
	} else {
		next = ADAPTSWAP_LEVEL_NONE;
		cause = ADAPTSWAP_CAUSE_KNOB;
	}
	sampler.level = next;
	if (falling || next != old)
		sampler.steady = 0;
	else if (sampler.steady < U32_MAX)
		sampler.steady++;
	if (enabled)
		adaptswap_count(ADAPTSWAP_CNT_SAMPLES);

	spin_lock(&adaptswap.status_lock);
	adaptswap.status.sample_ns = now;
	adaptswap.status.total_kb = total_kb;
	adaptswap.status.avail_kb = avail_kb;
	adaptswap.status.swap_free_kb = swap_kb;
	memcpy(adaptswap.status.rates, ev.rates, sizeof(ev.rates));
	adaptswap.status.level = next;
	spin_unlock(&adaptswap.status_lock);

	ev.timestamp_ns = now;
	ev.total_kb = total_kb;
	ev.avail_kb = avail_kb;
	ev.swap_free_kb = swap_kb;

	if (next != old) {
		ev.type = ADAPTSWAP_EVENT_LEVEL;
		ev.level = next;
		ev.prev_level = old;
		ev.cause = cause;
		emit(&ev);
		sampler.last_event_ns = now;
		adaptswap_sysfs_notify_level();
	} else if (next > ADAPTSWAP_LEVEL_NONE &&
		   now - sampler.last_event_ns >= repeat_ns) {
		ev.type = ADAPTSWAP_EVENT_REPEAT;
		ev.level = next;
		ev.prev_level = next;
		ev.cause = cause;
		emit(&ev);
		sampler.last_event_ns = now;
	}

	if (kills) {
		atomic64_add(kills, &adaptswap.counters[ADAPTSWAP_CNT_OOM_KILLS]);
		emit_oom(&ev, next, oom_from, cur.oom_kill);
	}

	/* Disabled: no more samples, no wake-ups, until a knob changes. */
	if (!enabled)
		return;

	iv.avail_kb = avail_kb;
	iv.total_kb = total_kb;
	iv.low_pct = knobs[ADAPTSWAP_KNOB_LOW_PCT];
	iv.medium_pct = knobs[ADAPTSWAP_KNOB_MEDIUM_PCT];
	iv.critical_pct = knobs[ADAPTSWAP_KNOB_CRITICAL_PCT];
	iv.fast_ms = knobs[ADAPTSWAP_KNOB_SAMPLE_FAST_MS];
	iv.idle_ms = knobs[ADAPTSWAP_KNOB_SAMPLE_IDLE_MS];
	iv.level = next;
	iv.falling = falling;
	iv.fall_kbps = fall_kbps;
	iv.steady = sampler.steady;
	iv.repeat_ms = (u32)div_u64(sampler.last_event_ns + repeat_ns -
				    min(now, sampler.last_event_ns + repeat_ns),
				    NSEC_PER_MSEC);
	WRITE_ONCE(sampler.hint_ns, (u64)adaptswap_interval_closing_ms(&iv) *
		   NSEC_PER_MSEC);
	ms = adaptswap_interval_ms(&iv);
	if (oom_wait)
		ms = min(ms, iv.fast_ms);
	sampler_queue_by(now + (u64)ms * NSEC_PER_MSEC, !falling);
}

int adaptswap_sampler_init(void)
{
	spin_lock_init(&sampler.lock);
	sampler.running = false;
	sampler.queued = false;
	atomic_set(&sampler.urgent, 0);
	INIT_WORK(&sampler.work, sampler_work_fn);
	compat_hrtimer_setup(&sampler.timer, sampler_timer_fn, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS);
	init_irq_work(&sampler.irq_work, sampler_irq_work_fn);
	sampler_reset();
	sampler.enabled = false;
	sampler.seq = 0;
	sampler.last_event_ns = 0;
	sampler.last_ns = 0;
	sampler.hint_ns = (u64)ADAPTSWAP_DEF_SAMPLE_IDLE_MS * NSEC_PER_MSEC;

	sampler.vm_events = kcalloc(NR_VM_EVENT_ITEMS,
				    sizeof(*sampler.vm_events), GFP_KERNEL);
	if (!sampler.vm_events)
		return -ENOMEM;

	/* WQ_MEM_RECLAIM: the sampler must make progress under OOM. */
	sampler.wq = alloc_workqueue("adaptswap",
				     WQ_MEM_RECLAIM | WQ_HIGHPRI | WQ_PERCPU, 1);
	if (!sampler.wq) {
		kfree(sampler.vm_events);
		sampler.vm_events = NULL;
		return -ENOMEM;
	}
	return 0;
}

void adaptswap_sampler_start(void)
{
	unsigned long flags;

	spin_lock_irqsave(&sampler.lock, flags);
	sampler.running = true;
	sampler.queued = false;
	spin_unlock_irqrestore(&sampler.lock, flags);
	sampler_queue_by(ktime_get_ns(), false);
}

/*
 * After this returns the work is idle and nothing can queue it again: once
 * running is false only an armed timer could, so the timer goes first.
 */
void adaptswap_sampler_stop(void)
{
	unsigned long flags;

	spin_lock_irqsave(&sampler.lock, flags);
	sampler.running = false;
	spin_unlock_irqrestore(&sampler.lock, flags);
	irq_work_sync(&sampler.irq_work);
	hrtimer_cancel(&sampler.timer);
	cancel_work_sync(&sampler.work);
}

void adaptswap_sampler_destroy(void)
{
	adaptswap_sampler_stop();
	destroy_workqueue(sampler.wq);
	sampler.wq = NULL;
	kfree(sampler.vm_events);
	sampler.vm_events = NULL;
}
