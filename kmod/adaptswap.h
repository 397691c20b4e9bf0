/* SPDX-License-Identifier: GPL-2.0 */
/*
 * adaptswap - internal interfaces between the parts of the module.
 *
 *   main.c	module init/exit, knobs (validation shared by sysfs/netlink)
 *   signals.c	tracepoint probes, shrinker, OOM notifier (atomic context)
 *   sampler.c	delayed work: samples, level, events (process context)
 *   netlink.c	generic netlink family: GET, SET, EVENT multicast
 *   sysfs.c	/sys/kernel/adaptswap/
 *   level.c	the level policy, a pure function (host unit-tested)
 */
#ifndef ADAPTSWAP_ADAPTSWAP_H
#define ADAPTSWAP_ADAPTSWAP_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "uapi/adaptswap.h"

struct netlink_ext_ack;
struct nlattr;

/* Knobs, in the order of their netlink attributes (ADAPTSWAP_A_ENABLED + i). */
enum adaptswap_knob {
	ADAPTSWAP_KNOB_ENABLED,
	ADAPTSWAP_KNOB_LOW_PCT,
	ADAPTSWAP_KNOB_MEDIUM_PCT,
	ADAPTSWAP_KNOB_CRITICAL_PCT,
	ADAPTSWAP_KNOB_HYSTERESIS_PCT,
	ADAPTSWAP_KNOB_SAMPLE_IDLE_MS,
	ADAPTSWAP_KNOB_SAMPLE_FAST_MS,
	ADAPTSWAP_KNOB_EVENT_INTERVAL_MS,
	ADAPTSWAP_NR_KNOBS
};
#define ADAPTSWAP_KNOB_ATTR(k)	(ADAPTSWAP_A_ENABLED + (k))

/* Counters, in the order of their attributes (ADAPTSWAP_A_EVENTS_SENT + i). */
enum adaptswap_counter {
	ADAPTSWAP_CNT_EVENTS_SENT,
	ADAPTSWAP_CNT_EVENTS_DROPPED,
	ADAPTSWAP_CNT_KSWAPD_WAKEUPS,
	ADAPTSWAP_CNT_DIRECT_RECLAIMS,
	ADAPTSWAP_CNT_OOM_KILLS,
	ADAPTSWAP_CNT_SAMPLES,
	ADAPTSWAP_CNT_SHRINKER_CALLS,
	ADAPTSWAP_NR_COUNTERS
};
#define ADAPTSWAP_COUNTER_ATTR(c)	(ADAPTSWAP_A_EVENTS_SENT + (c))

/* Rates, in the order of their attributes (ADAPTSWAP_A_SCAN_RATE + i). */
enum adaptswap_rate {
	ADAPTSWAP_RATE_SCAN,
	ADAPTSWAP_RATE_STALL,
	ADAPTSWAP_RATE_SWAPIN,
	ADAPTSWAP_RATE_SWAPOUT,
	ADAPTSWAP_RATE_REFAULT,
	ADAPTSWAP_NR_RATES
};
#define ADAPTSWAP_RATE_ATTR(r)	(ADAPTSWAP_A_SCAN_RATE + (r))

/* Knob ranges (uapi/adaptswap.h), shared by the sysfs and netlink checks. */
#define ADAPTSWAP_PCT_MIN		1
#define ADAPTSWAP_PCT_MAX		99
#define ADAPTSWAP_HYSTERESIS_MAX	50
#define ADAPTSWAP_INTERVAL_MIN_MS	10
#define ADAPTSWAP_INTERVAL_MAX_MS	60000
#define ADAPTSWAP_FAST_MIN_MS		1
#define ADAPTSWAP_FAST_MAX_MS		1000

/*
 * Initial knob values.  A kernel tree that builds adaptswap in
 * (scripts/graft-kernel) sets them in its .config: the options of the
 * top-level Kconfig, all defined together whenever CONFIG_ADAPTSWAP is.
 * An out-of-tree build has none of them and uses the values below, which
 * the Kconfig defaults repeat.  main.c checks ranges and ordering at
 * compile time.
 */
#ifdef CONFIG_ADAPTSWAP_LOW_PCT
#define ADAPTSWAP_DEF_ENABLED	IS_ENABLED(CONFIG_ADAPTSWAP_DEFAULT_ENABLED)
#define ADAPTSWAP_DEF_LOW_PCT	CONFIG_ADAPTSWAP_LOW_PCT
#define ADAPTSWAP_DEF_MEDIUM_PCT	CONFIG_ADAPTSWAP_MEDIUM_PCT
#define ADAPTSWAP_DEF_CRITICAL_PCT	CONFIG_ADAPTSWAP_CRITICAL_PCT
#define ADAPTSWAP_DEF_HYSTERESIS_PCT	CONFIG_ADAPTSWAP_HYSTERESIS_PCT
#define ADAPTSWAP_DEF_SAMPLE_IDLE_MS	CONFIG_ADAPTSWAP_SAMPLE_IDLE_MS
#define ADAPTSWAP_DEF_SAMPLE_FAST_MS	CONFIG_ADAPTSWAP_SAMPLE_FAST_MS
#define ADAPTSWAP_DEF_EVENT_INTERVAL_MS	CONFIG_ADAPTSWAP_EVENT_INTERVAL_MS
#else
#define ADAPTSWAP_DEF_ENABLED		1
#define ADAPTSWAP_DEF_LOW_PCT		20
#define ADAPTSWAP_DEF_MEDIUM_PCT	10
#define ADAPTSWAP_DEF_CRITICAL_PCT	5
#define ADAPTSWAP_DEF_HYSTERESIS_PCT	3
#define ADAPTSWAP_DEF_SAMPLE_IDLE_MS	1000
#define ADAPTSWAP_DEF_SAMPLE_FAST_MS	1
#define ADAPTSWAP_DEF_EVENT_INTERVAL_MS	1000
#endif

struct adaptswap_knob_desc {
	const char *name;	/* sysfs file name */
	u32 min;
	u32 max;
	u32 def;
};

extern const struct adaptswap_knob_desc
	adaptswap_knob_descs[ADAPTSWAP_NR_KNOBS];

/* What the last sample saw; read by GET and sysfs under status_lock. */
struct adaptswap_status {
	u64 sample_ns;		/* CLOCK_MONOTONIC of that sample, 0: none yet */
	u64 total_kb;
	u64 avail_kb;
	u64 swap_free_kb;
	u64 rates[ADAPTSWAP_NR_RATES];
	u64 seq;		/* sequence number of the last event built */
	u8 level;		/* enum adaptswap_level */
};

struct adaptswap_state {
	/* Serialises knob updates (sysfs stores, netlink SET). */
	struct mutex knob_lock;
	/* Written under knob_lock with WRITE_ONCE(), read with READ_ONCE(). */
	u32 knobs[ADAPTSWAP_NR_KNOBS];
	atomic64_t counters[ADAPTSWAP_NR_COUNTERS];
	/* A knob changed since the last sample. */
	atomic_t knob_changed;

	spinlock_t status_lock;
	struct adaptswap_status status;
};

extern struct adaptswap_state adaptswap;

static inline u32 adaptswap_knob(enum adaptswap_knob k)
{
	return READ_ONCE(adaptswap.knobs[k]);
}

static inline void adaptswap_count(enum adaptswap_counter c)
{
	atomic64_inc(&adaptswap.counters[c]);
}

static inline u64 adaptswap_counter(enum adaptswap_counter c)
{
	return atomic64_read(&adaptswap.counters[c]);
}

void adaptswap_status_get(struct adaptswap_status *st);

/* main.c: validate and apply knobs; @mask selects the entries of @vals. */
int adaptswap_knobs_update(const u32 *vals, unsigned long mask,
			   struct nlattr **attrs,
			   struct netlink_ext_ack *extack);
/* main.c: all knobs at once, as one consistent set (process context). */
void adaptswap_knobs_get(u32 *vals);

/* sampler.c */
int adaptswap_sampler_init(void);
void adaptswap_sampler_start(void);
void adaptswap_sampler_stop(void);
void adaptswap_sampler_destroy(void);
void adaptswap_kick(void);	/* any context: a hint, sample sooner */
void adaptswap_kick_now(void);	/* any context: sample immediately */

/* signals.c */
int adaptswap_signals_register(void);
void adaptswap_signals_unregister(void);
/* The kernel's OOM_KILL event count (processes the OOM killer killed). */
u64 adaptswap_oom_kill_count(void);
/* Victim of OOM kill number @kill, if the probe saw it: true and @pid, @comm. */
bool adaptswap_oom_victim(u64 kill, pid_t *pid, char comm[TASK_COMM_LEN]);
bool adaptswap_oom_victims_named(void);	/* the mark_victim probe is attached */

/* netlink.c */
struct adaptswap_event {
	u8 type;		/* enum adaptswap_event_type */
	u8 level;
	u8 prev_level;
	u8 cause;		/* enum adaptswap_cause */
	u64 timestamp_ns;
	u64 seq;
	u64 total_kb;
	u64 avail_kb;
	u64 swap_free_kb;
	u64 rates[ADAPTSWAP_NR_RATES];
	/* type OOM only */
	u64 oom_kills;
	bool has_victim;
	pid_t victim_pid;
	char victim_comm[TASK_COMM_LEN];
};

int adaptswap_netlink_init(void);
void adaptswap_netlink_exit(void);
bool adaptswap_netlink_has_listeners(void);
int adaptswap_netlink_send_event(const struct adaptswap_event *ev);

/* sysfs.c */
int adaptswap_sysfs_init(void);
void adaptswap_sysfs_exit(void);
void adaptswap_sysfs_notify_level(void);
void adaptswap_sysfs_notify_knob(int k);

#endif /* ADAPTSWAP_ADAPTSWAP_H */
