/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * adaptswap - memory-pressure events from the kernel to user space
 *
 * This header is the whole ABI between adaptswap.ko and its clients.  It is
 * shared verbatim by the module and by libadaptswap; attributes and commands
 * are only ever appended, never renumbered or removed.
 *
 * Transport
 * ---------
 * Generic netlink family "adaptswap" (ADAPTSWAP_GENL_NAME), version
 * ADAPTSWAP_GENL_VERSION, one multicast group "events"
 * (ADAPTSWAP_GENL_MCGRP_EVENTS).  Resolving the family by name autoloads the
 * module (MODULE_ALIAS_GENL_FAMILY).  Every attribute is validated strictly:
 * unknown attributes, wrong lengths and out-of-range values are refused with
 * -EINVAL (or -ERANGE) and an extended-ack message naming the attribute.
 *
 * Commands
 * --------
 * ADAPTSWAP_CMD_GET (request, any user)
 *	No attributes.  The reply (same command) carries the status of the
 *	last sample: ADAPTSWAP_A_LEVEL, ADAPTSWAP_A_MEM_TOTAL_KB,
 *	ADAPTSWAP_A_MEM_AVAIL_KB, ADAPTSWAP_A_SWAP_FREE_KB, the rates and
 *	ADAPTSWAP_A_TIMESTAMP_NS (CLOCK_MONOTONIC when that sample was taken,
 *	not the time of the GET; 0 before the first sample), then
 *	ADAPTSWAP_A_SEQ (sequence number of the last event), every knob
 *	(ADAPTSWAP_A_ENABLED ... ADAPTSWAP_A_EVENT_INTERVAL_MS, read together:
 *	one consistent set, never half of a SET), every counter
 *	(ADAPTSWAP_A_EVENTS_SENT ... ADAPTSWAP_A_SHRINKER_CALLS) and
 *	ADAPTSWAP_A_VERSION.
 *
 * ADAPTSWAP_CMD_SET (request, CAP_NET_ADMIN and CAP_SYS_ADMIN)
 *	Any subset of the knobs below.  The new values are checked together
 *	against the current ones (for example low > medium > critical must hold
 *	afterwards); either all are applied or none is.  Knobs are the same as
 *	the files of /sys/kernel/adaptswap/.  An empty request is refused.
 *	The family's GENL_ADMIN_PERM flag asks for CAP_NET_ADMIN (-EPERM
 *	without a message); the knobs are memory policy, so the module also
 *	asks for CAP_SYS_ADMIN: -EPERM with an extended-ack message.
 *
 * ADAPTSWAP_CMD_EVENT (multicast on "events", kernel to user space)
 *	Sent on every level change, repeated every EVENT_INTERVAL_MS while the
 *	level stays above none, and once for each process the OOM killer
 *	killed (type OOM; at most 8 per sample, ADAPTSWAP_A_OOM_KILLS tells a
 *	subscriber how many there were).  Carries ADAPTSWAP_A_EVENT_TYPE,
 *	ADAPTSWAP_A_LEVEL, ADAPTSWAP_A_PREV_LEVEL, ADAPTSWAP_A_CAUSE,
 *	ADAPTSWAP_A_TIMESTAMP_NS (CLOCK_MONOTONIC when the sample that built
 *	the event was taken), ADAPTSWAP_A_SEQ (incremented by one for every
 *	event built, so a gap tells a subscriber it missed events),
 *	ADAPTSWAP_A_MEM_TOTAL_KB, ADAPTSWAP_A_MEM_AVAIL_KB,
 *	ADAPTSWAP_A_SWAP_FREE_KB and the rates (ADAPTSWAP_A_*_RATE, pages per
 *	second over the last sample interval).  OOM events also carry
 *	ADAPTSWAP_A_OOM_KILLS (the OOM_KILLS counter after this kill) and,
 *	when the kernel named the victim (tracepoint oom:mark_victim),
 *	ADAPTSWAP_A_OOM_VICTIM_PID and ADAPTSWAP_A_OOM_VICTIM_COMM.
 *
 * The level
 * ---------
 * The level measures how short memory is: available memory (MemAvailable)
 * against the thresholds below, raised one step by allocations that are
 * really failing (allocation stalls, refaults of the working set) once
 * available memory is below LOW_PCT.  Reclaim activity (kswapd, direct
 * reclaim, the shrinker) alone never raises it: it makes the module look
 * sooner and names the cause of an event.  The rules are in the module's
 * README.md.
 *
 * Knobs (u32; all in SET, GET and /sys/kernel/adaptswap/)
 * ----
 * ENABLED		0 or 1.  When 0 no probe counts, no sample is taken
 *			and no event is sent; the level is reset to none.
 *			Set back to 1, the module starts from a fresh
 *			sample: nothing that happened meanwhile counts.
 * LOW_PCT		available memory, in percent of RAM, below which the
 * MEDIUM_PCT		level is at least low / medium / critical.  1..99,
 * CRITICAL_PCT		low > medium > critical.
 * HYSTERESIS_PCT	a level is left only when available memory is this
 *			many percent of RAM above its threshold and no failure
 *			was seen for SAMPLE_IDLE_MS: 0..50, and
 *			LOW_PCT + HYSTERESIS_PCT below 100 (else the low
 *			level could never be left).
 * SAMPLE_IDLE_MS	longest sample interval (idle), and how long a
 *			failure keeps counting after it was seen: 10..60000.
 * SAMPLE_FAST_MS	shortest sample interval (pressure): 1..1000, and
 *			not above SAMPLE_IDLE_MS.
 * EVENT_INTERVAL_MS	minimum interval between repeated events of the same
 *			level: 10..60000.  Level changes are never delayed.
 *
 * Counters (u64; GET and read-only files in /sys/kernel/adaptswap/)
 * --------
 * EVENTS_SENT, EVENTS_DROPPED (multicast failed, e.g. a full receive
 * buffer; events built while nobody listens are not counted as dropped),
 * KSWAPD_WAKEUPS and DIRECT_RECLAIMS (order-0 ones only), OOM_KILLS
 * (processes the OOM killer killed), SAMPLES, SHRINKER_CALLS; all only
 * while ENABLED is 1.
 */
#ifndef _UAPI_LINUX_ADAPTSWAP_H
#define _UAPI_LINUX_ADAPTSWAP_H

#define ADAPTSWAP_GENL_NAME		"adaptswap"
#define ADAPTSWAP_GENL_VERSION		1
#define ADAPTSWAP_GENL_MCGRP_EVENTS	"events"

enum adaptswap_cmd {
	ADAPTSWAP_CMD_UNSPEC,
	ADAPTSWAP_CMD_GET,
	ADAPTSWAP_CMD_SET,
	ADAPTSWAP_CMD_EVENT,
	__ADAPTSWAP_CMD_MAX
};
#define ADAPTSWAP_CMD_MAX (__ADAPTSWAP_CMD_MAX - 1)

/* Pressure levels, in increasing order of severity. */
enum adaptswap_level {
	ADAPTSWAP_LEVEL_NONE,
	ADAPTSWAP_LEVEL_LOW,
	ADAPTSWAP_LEVEL_MEDIUM,
	ADAPTSWAP_LEVEL_CRITICAL,
	__ADAPTSWAP_LEVEL_MAX
};

/* What made the module send an event (ADAPTSWAP_A_CAUSE). */
enum adaptswap_cause {
	ADAPTSWAP_CAUSE_NONE,		/* level fell back (pressure gone)  */
	ADAPTSWAP_CAUSE_SAMPLE,		/* available memory vs thresholds   */
	ADAPTSWAP_CAUSE_KSWAPD,		/* mm_vmscan_wakeup_kswapd          */
	ADAPTSWAP_CAUSE_DIRECT_RECLAIM,	/* mm_vmscan_direct_reclaim_begin   */
	ADAPTSWAP_CAUSE_SHRINKER,	/* global reclaim pass (shrinker)   */
	ADAPTSWAP_CAUSE_OOM,		/* the OOM killer killed a process  */
	ADAPTSWAP_CAUSE_KNOB,		/* a knob changed (enabled, ...)    */
	ADAPTSWAP_CAUSE_REFAULT,	/* working-set refaults (thrashing) */
	__ADAPTSWAP_CAUSE_MAX
};

/* ADAPTSWAP_A_EVENT_TYPE */
enum adaptswap_event_type {
	ADAPTSWAP_EVENT_LEVEL,		/* the level changed                */
	ADAPTSWAP_EVENT_REPEAT,		/* level unchanged, pressure lasts  */
	ADAPTSWAP_EVENT_OOM,		/* the OOM killer killed a process  */
	__ADAPTSWAP_EVENT_MAX
};

enum adaptswap_attr {
	ADAPTSWAP_A_UNSPEC,
	ADAPTSWAP_A_PAD,		/* padding for 64-bit attributes */
	ADAPTSWAP_A_VERSION,		/* string: module version */
	ADAPTSWAP_A_EVENT_TYPE,		/* u8: enum adaptswap_event_type */
	ADAPTSWAP_A_LEVEL,		/* u8: enum adaptswap_level */
	ADAPTSWAP_A_PREV_LEVEL,		/* u8: enum adaptswap_level */
	ADAPTSWAP_A_CAUSE,		/* u8: enum adaptswap_cause */
	ADAPTSWAP_A_TIMESTAMP_NS,	/* u64: CLOCK_MONOTONIC, ns */
	ADAPTSWAP_A_SEQ,		/* u64: event sequence number */
	ADAPTSWAP_A_MEM_TOTAL_KB,	/* u64 */
	ADAPTSWAP_A_MEM_AVAIL_KB,	/* u64: si_mem_available() */
	ADAPTSWAP_A_SWAP_FREE_KB,	/* u64 */
	ADAPTSWAP_A_SCAN_RATE,		/* u64: pgscan kswapd+direct, pages/s */
	ADAPTSWAP_A_STALL_RATE,		/* u64: allocstall, per second */
	ADAPTSWAP_A_SWAPIN_RATE,	/* u64: pswpin, pages/s */
	ADAPTSWAP_A_SWAPOUT_RATE,	/* u64: pswpout, pages/s */
	ADAPTSWAP_A_REFAULT_RATE,	/* u64: workingset refaults, pages/s */
	/* knobs, u32 */
	ADAPTSWAP_A_ENABLED,
	ADAPTSWAP_A_LOW_PCT,
	ADAPTSWAP_A_MEDIUM_PCT,
	ADAPTSWAP_A_CRITICAL_PCT,
	ADAPTSWAP_A_HYSTERESIS_PCT,
	ADAPTSWAP_A_SAMPLE_IDLE_MS,
	ADAPTSWAP_A_SAMPLE_FAST_MS,
	ADAPTSWAP_A_EVENT_INTERVAL_MS,
	/* counters, u64 */
	ADAPTSWAP_A_EVENTS_SENT,
	ADAPTSWAP_A_EVENTS_DROPPED,
	ADAPTSWAP_A_KSWAPD_WAKEUPS,
	ADAPTSWAP_A_DIRECT_RECLAIMS,
	ADAPTSWAP_A_OOM_KILLS,
	ADAPTSWAP_A_SAMPLES,
	ADAPTSWAP_A_SHRINKER_CALLS,
	/* OOM events */
	ADAPTSWAP_A_OOM_VICTIM_PID,	/* u32: process id (tgid), init pid ns */
	ADAPTSWAP_A_OOM_VICTIM_COMM,	/* string: its command name */
	__ADAPTSWAP_A_MAX
};
#define ADAPTSWAP_A_MAX (__ADAPTSWAP_A_MAX - 1)

#endif /* _UAPI_LINUX_ADAPTSWAP_H */
