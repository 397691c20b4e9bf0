// SPDX-License-Identifier: GPL-2.0
/*
 * The sampler: a delayed work item that reads the memory counters, computes
 * the level (level.c) and sends the events.  It is the only place that
 * builds events, so the sequence number needs no lock.
 *
 * Interval: while the level is above none, sample_fast_ms.  While available
 * memory falls by at least 1% of RAM per second (and for sample_idle_ms
 * after it was last seen falling), the time the fastest
 * plausible allocator (256 MiB/s) needs to eat the headroom left above the
 * low threshold, clamped to [sample_fast_ms, sample_idle_ms].  Otherwise
 * (idle: steady or rising) sample_idle_ms, so an idle machine wakes up once
 * per sample_idle_ms, and a machine running out of memory is sampled more
 * and more often.  While disabled, the sampler does not run at all.  Probes (atomic context)
 * bring the next sample forward through an irq_work, but not sooner than
 * sample_fast_ms after the previous one.
 *
 * Activity (kswapd, direct reclaim, shrinker passes) counts as "seen in this
 * interval" for sample_idle_ms after it was last observed, so a level raised
 * by reclaim is not left after one quiet fast sample and then re-entered:
 * reclaim comes in bursts, and the level would flap with every burst.
 */
#include <linux/irq_work.h>
#include <linux/jiffies.h>
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

/* Fastest plausible allocation rate, KiB/s, for the adaptive interval. */
#define ADAPTSWAP_FASTEST_RATE_KBPS	(256ULL * 1024)

/* Cumulative counters, compared between two samples. */
struct sample_counts {
	u64 pgscan;		/* PGSCAN_KSWAPD + PGSCAN_DIRECT */
	u64 pgscan_kswapd;
	u64 allocstall;		/* sum over zones */
	u64 pswpin;
	u64 pswpout;
	u64 refault;		/* WORKINGSET_REFAULT_ANON + _FILE */
	u64 kswapd_wakeups;	/* probe counters */
	u64 direct_reclaims;
	u64 shrinker_calls;
};

static struct {
	struct workqueue_struct *wq;
	struct delayed_work work;
	struct irq_work irq_work;

	/* Protects running against queueing: nothing requeues once stopped. */
	spinlock_t lock;
	bool running;

	atomic_t kicked;		/* a kick arrived during a sample */
	unsigned long last_jiffies;	/* start of the last sample */
	unsigned long *vm_events;	/* NR_VM_EVENT_ITEMS */

	/* Only touched by the work function. */
	struct sample_counts prev;
	u64 prev_ns;
	u64 prev_avail_kb;
	u64 last_fall_ns;		/* available memory last seen falling */
	u64 seq;
	u64 last_event_ns;
	u64 last_direct_ns;		/* when activity was last observed */
	u64 last_kswapd_ns;
	u64 last_shrinker_ns;
	enum adaptswap_level level;
} sampler;

static void sampler_queue(unsigned long delay)
{
	unsigned long flags;

	spin_lock_irqsave(&sampler.lock, flags);
	if (sampler.running)
		mod_delayed_work(sampler.wq, &sampler.work, delay);
	spin_unlock_irqrestore(&sampler.lock, flags);
}

/* Jiffies until sample_fast_ms after the start of the last sample. */
static unsigned long kick_delay(void)
{
	unsigned long next = READ_ONCE(sampler.last_jiffies) +
		msecs_to_jiffies(adaptswap_knob(ADAPTSWAP_KNOB_SAMPLE_FAST_MS));
	long delta = (long)(next - jiffies);

	return delta > 0 ? delta : 0;
}

static void sampler_irq_work_fn(struct irq_work *work)
{
	sampler_queue(kick_delay());
}

/* Any context, including the probes: sample soon, rate-limited. */
void adaptswap_kick(void)
{
	atomic_set(&sampler.kicked, 1);
	irq_work_queue(&sampler.irq_work);
}

/* Any context: sample now (OOM, knob changes). */
void adaptswap_kick_now(void)
{
	atomic_set(&sampler.kicked, 1);
	sampler_queue(0);
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

/* Was activity last seen at @then (0: never) less than @hold ago? */
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

static unsigned long next_delay(const u32 *knobs, u64 avail_kb, u64 total_kb,
				bool falling, enum adaptswap_level level)
{
	u32 fast = knobs[ADAPTSWAP_KNOB_SAMPLE_FAST_MS];
	u32 idle = knobs[ADAPTSWAP_KNOB_SAMPLE_IDLE_MS];
	u64 low_kb, headroom, ms;

	if (!knobs[ADAPTSWAP_KNOB_ENABLED])
		ms = idle;
	else if (level > ADAPTSWAP_LEVEL_NONE)
		ms = fast;
	else if (!falling)
		ms = idle;
	else {
		low_kb = div_u64(total_kb * knobs[ADAPTSWAP_KNOB_LOW_PCT], 100);
		headroom = avail_kb > low_kb ? avail_kb - low_kb : 0;
		ms = div64_u64(headroom * MSEC_PER_SEC,
			       ADAPTSWAP_FASTEST_RATE_KBPS);
		ms = clamp_t(u64, ms, fast, idle);
	}
	/* Kicked while sampling: do not let this requeue postpone the kick. */
	if (atomic_read(&adaptswap.oom_pending) ||
	    atomic_read(&adaptswap.knob_changed))
		ms = 0;
	else if (atomic_read(&sampler.kicked))
		ms = min_t(u64, ms, fast);
	return msecs_to_jiffies((unsigned int)ms);
}

static void sampler_work_fn(struct work_struct *work)
{
	u32 knobs[ADAPTSWAP_NR_KNOBS];
	struct adaptswap_level_in in = { };
	struct adaptswap_event ev = { };
	struct sample_counts cur;
	enum adaptswap_level old, next;
	enum adaptswap_cause cause;
	bool knob_changed, woke, shrunk, shrinker_only, falling;
	u64 now, total_kb, avail_kb, swap_kb, hold_ns, repeat_ns;
	int oom;

	mutex_lock(&adaptswap.knob_lock);
	memcpy(knobs, adaptswap.knobs, sizeof(knobs));
	mutex_unlock(&adaptswap.knob_lock);

	atomic_set(&sampler.kicked, 0);
	WRITE_ONCE(sampler.last_jiffies, jiffies);
	knob_changed = atomic_xchg(&adaptswap.knob_changed, 0);

	now = ktime_get_ns();
	read_counts(&cur);
	total_kb = pages_to_kb(totalram_pages());
	avail_kb = pages_to_kb(si_mem_available());
	swap_kb = pages_to_kb(get_nr_swap_pages());

	if (sampler.prev_ns && now > sampler.prev_ns) {
		struct sample_counts *p = &sampler.prev;
		u64 us = max_t(u64, div_u64(now - sampler.prev_ns,
					    NSEC_PER_USEC), 1);

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

		if (delta(cur.direct_reclaims, p->direct_reclaims) ||
		    delta(cur.allocstall, p->allocstall))
			sampler.last_direct_ns = now;
		if (delta(cur.kswapd_wakeups, p->kswapd_wakeups) ||
		    delta(cur.pgscan_kswapd, p->pgscan_kswapd))
			sampler.last_kswapd_ns = now;
		/* A global reclaim pass (shrinker call) implies reclaim ran. */
		if (delta(cur.shrinker_calls, p->shrinker_calls))
			sampler.last_shrinker_ns = now;
	}
	hold_ns = (u64)knobs[ADAPTSWAP_KNOB_SAMPLE_IDLE_MS] * NSEC_PER_MSEC;
	repeat_ns = (u64)knobs[ADAPTSWAP_KNOB_EVENT_INTERVAL_MS] *
		    NSEC_PER_MSEC;
	/*
	 * Allocations come in bursts: one quiet fast sample must not send
	 * the sampler back to sleep for sample_idle_ms.  A fall keeps the
	 * headroom rule for sample_idle_ms; the first sample counts as one.
	 */
	if (!sampler.prev_ns)
		sampler.last_fall_ns = now;
	falling = recent(sampler.last_fall_ns, now, hold_ns);
	in.direct_reclaim = recent(sampler.last_direct_ns, now, hold_ns);
	woke = recent(sampler.last_kswapd_ns, now, hold_ns);
	shrunk = recent(sampler.last_shrinker_ns, now, hold_ns);
	in.kswapd = woke || shrunk;
	shrinker_only = shrunk && !woke;
	sampler.prev = cur;
	sampler.prev_ns = now;
	sampler.prev_avail_kb = avail_kb;

	old = sampler.level;
	if (knobs[ADAPTSWAP_KNOB_ENABLED]) {
		in.avail_kb = avail_kb;
		in.total_kb = total_kb;
		in.low_pct = knobs[ADAPTSWAP_KNOB_LOW_PCT];
		in.medium_pct = knobs[ADAPTSWAP_KNOB_MEDIUM_PCT];
		in.critical_pct = knobs[ADAPTSWAP_KNOB_CRITICAL_PCT];
		in.hysteresis_pct = knobs[ADAPTSWAP_KNOB_HYSTERESIS_PCT];
		in.prev = old;
		next = adaptswap_level_compute(&in);
		cause = adaptswap_level_cause(&in, next);
		if (cause == ADAPTSWAP_CAUSE_KSWAPD && shrinker_only)
			cause = ADAPTSWAP_CAUSE_SHRINKER;
		if (knob_changed && next != old)
			cause = ADAPTSWAP_CAUSE_KNOB;
	} else {
		next = ADAPTSWAP_LEVEL_NONE;
		cause = ADAPTSWAP_CAUSE_KNOB;
	}
	sampler.level = next;
	adaptswap_count(ADAPTSWAP_CNT_SAMPLES);

	spin_lock(&adaptswap.status_lock);
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

	/* One event per OOM notifier call (the notifier counts only while
	 * enabled).
	 */
	oom = atomic_xchg(&adaptswap.oom_pending, 0);
	while (oom-- > 0) {
		ev.type = ADAPTSWAP_EVENT_OOM;
		ev.level = next;
		ev.prev_level = next;
		ev.cause = ADAPTSWAP_CAUSE_OOM;
		emit(&ev);
	}

	/* Disabled: no more samples, no wake-ups, until a knob changes. */
	if (!knobs[ADAPTSWAP_KNOB_ENABLED] &&
	    !atomic_read(&adaptswap.knob_changed) &&
	    !atomic_read(&adaptswap.oom_pending))
		return;
	sampler_queue(next_delay(knobs, avail_kb, total_kb, falling, next));
}

int adaptswap_sampler_init(void)
{
	spin_lock_init(&sampler.lock);
	sampler.running = false;
	atomic_set(&sampler.kicked, 0);
	INIT_DELAYED_WORK(&sampler.work, sampler_work_fn);
	init_irq_work(&sampler.irq_work, sampler_irq_work_fn);
	sampler.level = ADAPTSWAP_LEVEL_NONE;
	sampler.prev_ns = 0;
	sampler.seq = 0;
	sampler.last_event_ns = 0;
	sampler.last_direct_ns = 0;
	sampler.last_kswapd_ns = 0;
	sampler.last_shrinker_ns = 0;

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
	spin_unlock_irqrestore(&sampler.lock, flags);
	sampler_queue(0);
}

/* After this returns the work is idle and nothing can queue it again. */
void adaptswap_sampler_stop(void)
{
	unsigned long flags;

	spin_lock_irqsave(&sampler.lock, flags);
	sampler.running = false;
	spin_unlock_irqrestore(&sampler.lock, flags);
	irq_work_sync(&sampler.irq_work);
	cancel_delayed_work_sync(&sampler.work);
}

void adaptswap_sampler_destroy(void)
{
	adaptswap_sampler_stop();
	destroy_workqueue(sampler.wq);
	sampler.wq = NULL;
	kfree(sampler.vm_events);
	sampler.vm_events = NULL;
}
