// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure hints and OOM kills.  Everything here may run in atomic context
 * (or deep in reclaim): it only increments counters, records, and kicks the
 * sampler.  The hints make the sampler look sooner; the level itself comes
 * from what the sampler reads (level.c).
 *
 *  - tracepoint mm_vmscan_wakeup_kswapd: an allocation found a zone under
 *    its low watermark and woke kswapd;
 *  - tracepoint mm_vmscan_direct_reclaim_begin: an allocation stalls in
 *    direct reclaim.
 *    Both also fire for high-order allocations (fragmentation, not a
 *    shortage): only order 0 counts.
 *  - a shrinker that is not memcg aware: called on every global reclaim pass
 *    (kswapd or direct), counts it and reports no objects;
 *  - the OOM notifier: runs before the OOM killer decides, and often ends
 *    without a kill (a notifier such as virtio-balloon's deflate-on-oom
 *    freed memory): only a hint;
 *  - tracepoint oom:mark_victim (optional): the OOM killer chose a victim;
 *    together with the kernel's OOM_KILL count it names the victim of
 *    each kill.  The kill itself is what the sampler reports.
 *  None of the __tracepoint_* symbols is exported, so the tracepoints are
 *  looked up by name with for_each_kernel_tracepoint().
 */
#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/notifier.h>
#include <linux/oom.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/vmstat.h>
#include <trace/events/vmscan.h>
#include <trace/events/oom.h>

#include "adaptswap.h"

static bool counting(void)
{
	return adaptswap_knob(ADAPTSWAP_KNOB_ENABLED);
}

/* --- tracepoints ------------------------------------------------------- */

static void probe_wakeup_kswapd(void *data, int nid, int zid, int order,
				gfp_t gfp_flags)
{
	if (order || !counting())
		return;
	adaptswap_count(ADAPTSWAP_CNT_KSWAPD_WAKEUPS);
	adaptswap_kick();
}

static void probe_direct_reclaim_begin(void *data,
				       COMPAT_DIRECT_RECLAIM_BEGIN_ARGS)
{
	if (order || !counting())
		return;
	adaptswap_count(ADAPTSWAP_CNT_DIRECT_RECLAIMS);
	adaptswap_kick();
}

/*
 * The probes must match the tracepoints' prototypes, which drift even
 * inside stable series.  typeof() does not evaluate its operand, so this
 * creates no reference to the unexported __tracepoint_* symbols.
 */
static_assert(__builtin_types_compatible_p(
	typeof(&register_trace_mm_vmscan_wakeup_kswapd),
	int (*)(typeof(&probe_wakeup_kswapd), void *)),
	"mm_vmscan_wakeup_kswapd prototype changed");
static_assert(__builtin_types_compatible_p(
	typeof(&register_trace_mm_vmscan_direct_reclaim_begin),
	int (*)(typeof(&probe_direct_reclaim_begin), void *)),
	"mm_vmscan_direct_reclaim_begin prototype changed");

struct adaptswap_tp {
	const char *name;
	void *probe;
	bool optional;		/* the module works without it */
	struct tracepoint *tp;
	bool registered;
};

/* --- OOM kills --------------------------------------------------------- */

#define ADAPTSWAP_VICTIMS	8

/*
 * The last victims, each with the number of its kill (the kernel's
 * OOM_KILL count just after it).  Written by the mark_victim probe, which
 * runs under task_lock() of the victim (and oom_lock); read by the sampler.
 */
static struct {
	spinlock_t lock;
	u64 last_kill;
	unsigned int next;
	struct {
		u64 kill;
		pid_t pid;
		char comm[TASK_COMM_LEN];
	} v[ADAPTSWAP_VICTIMS];
} victims;

/* Any context: a sum over the per-cpu counters, no lock. */
u64 adaptswap_oom_kill_count(void)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu(vm_event_states, cpu).event[OOM_KILL];
	return n;
}

/*
 * @task (or only @pid when it is gone) was marked as an OOM victim.
 * __oom_kill_process() counts OOM_KILL just before it marks the victim;
 * mark_oom_victim() also runs for a task that is exiting anyway, without
 * a kill: then the count has not moved and nothing is recorded.
 */
static void record_victim(struct task_struct *task, pid_t pid)
{
	unsigned long flags;
	bool recorded = false;
	u64 kill;

	if (!counting())
		return;
	kill = adaptswap_oom_kill_count();
	spin_lock_irqsave(&victims.lock, flags);
	if (kill > victims.last_kill) {
		unsigned int i = victims.next++ % ADAPTSWAP_VICTIMS;

		victims.v[i].kill = kill;
		victims.v[i].pid = task ? task->tgid : pid;
		if (task)
			strscpy(victims.v[i].comm, task->comm,
				sizeof(victims.v[i].comm));
		else
			victims.v[i].comm[0] = '\0';
		victims.last_kill = kill;
		recorded = true;
	}
	spin_unlock_irqrestore(&victims.lock, flags);
	if (recorded)
		adaptswap_kick_now();
}

COMPAT_MARK_VICTIM_PROBE(probe_mark_victim, record_victim)

static_assert(__builtin_types_compatible_p(
	typeof(&register_trace_mark_victim),
	int (*)(typeof(&probe_mark_victim), void *)),
	"mark_victim prototype changed");

bool adaptswap_oom_victim(u64 kill, pid_t *pid, char comm[TASK_COMM_LEN])
{
	unsigned long flags;
	bool found = false;
	int i;

	spin_lock_irqsave(&victims.lock, flags);
	for (i = 0; i < ADAPTSWAP_VICTIMS; i++) {
		if (victims.v[i].kill != kill || !kill)
			continue;
		*pid = victims.v[i].pid;
		memcpy(comm, victims.v[i].comm, TASK_COMM_LEN);
		found = true;
		break;
	}
	spin_unlock_irqrestore(&victims.lock, flags);
	return found;
}

#define MARK_VICTIM_TP	2	/* its index in adaptswap_tps */

static struct adaptswap_tp adaptswap_tps[] = {
	{ "mm_vmscan_wakeup_kswapd", probe_wakeup_kswapd },
	{ "mm_vmscan_direct_reclaim_begin", probe_direct_reclaim_begin },
	[MARK_VICTIM_TP] = { "mark_victim", probe_mark_victim, true },
};

/* Does the mark_victim probe name the victims? */
bool adaptswap_oom_victims_named(void)
{
	return adaptswap_tps[MARK_VICTIM_TP].registered;
}

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(adaptswap_tps); i++)
		if (!strcmp(tp->name, adaptswap_tps[i].name))
			adaptswap_tps[i].tp = tp;
}

static void unregister_tracepoints(void)
{
	bool any = false;
	int i;

	for (i = 0; i < ARRAY_SIZE(adaptswap_tps); i++) {
		struct adaptswap_tp *t = &adaptswap_tps[i];

		if (!t->registered)
			continue;
		tracepoint_probe_unregister(t->tp, t->probe, NULL);
		t->registered = false;
		any = true;
	}
	/* No probe runs (or is about to run) after this. */
	if (any)
		tracepoint_synchronize_unregister();
}

static int register_tracepoints(void)
{
	int i, ret;

	for_each_kernel_tracepoint(find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(adaptswap_tps); i++) {
		struct adaptswap_tp *t = &adaptswap_tps[i];

		if (!t->tp && t->optional) {
			pr_info("tracepoint %s not found: OOM events will not name the victim\n",
				t->name);
			continue;
		}
		if (!t->tp) {
			pr_err("tracepoint %s not found\n", t->name);
			ret = -ENOENT;
			goto err_unregister;
		}
		ret = tracepoint_probe_register(t->tp, t->probe, NULL);
		if (ret) {
			pr_err("cannot attach to tracepoint %s: %d\n",
			       t->name, ret);
			goto err_unregister;
		}
		t->registered = true;
	}
	return 0;

err_unregister:
	unregister_tracepoints();
	return ret;
}

/* --- shrinker ---------------------------------------------------------- */

static struct shrinker *adaptswap_shrinker;

static unsigned long shrinker_count(struct shrinker *s,
				    struct shrink_control *sc)
{
	/* drop_caches calls shrinkers too, without a reclaim_state. */
	if (!current->reclaim_state || !counting())
		return 0;
	adaptswap_count(ADAPTSWAP_CNT_SHRINKER_CALLS);
	adaptswap_kick();
	return 0;	/* nothing to free: scan_objects is never called */
}

static unsigned long shrinker_scan(struct shrinker *s,
				   struct shrink_control *sc)
{
	return SHRINK_STOP;
}

/* --- OOM notifier ------------------------------------------------------ */

static int oom_notify(struct notifier_block *nb, unsigned long unused,
		      void *freed)
{
	/*
	 * @freed points to the number of pages freed by the notifiers; a
	 * non-zero value cancels the OOM kill.  Never touch it.  The OOM
	 * killer may still decide not to kill: this is only a hint to take
	 * a fresh sample now.  A kill is counted by the sampler (OOM_KILL).
	 */
	if (counting())
		adaptswap_kick_now();
	return NOTIFY_OK;
}

static struct notifier_block adaptswap_oom_nb = {
	.notifier_call = oom_notify,
};

/* --- registration ------------------------------------------------------ */

int adaptswap_signals_register(void)
{
	int ret;

	spin_lock_init(&victims.lock);
	victims.last_kill = adaptswap_oom_kill_count();
	ret = register_tracepoints();
	if (ret)
		return ret;

	adaptswap_shrinker = compat_shrinker_create("adaptswap",
						    shrinker_count,
						    shrinker_scan);
	if (!adaptswap_shrinker) {
		ret = -ENOMEM;
		goto err_unregister_tracepoints;
	}

	ret = register_oom_notifier(&adaptswap_oom_nb);
	if (ret)
		goto err_destroy_shrinker;
	return 0;

err_destroy_shrinker:
	compat_shrinker_destroy(adaptswap_shrinker);
	adaptswap_shrinker = NULL;
err_unregister_tracepoints:
	unregister_tracepoints();
	return ret;
}

void adaptswap_signals_unregister(void)
{
	unregister_tracepoints();
	unregister_oom_notifier(&adaptswap_oom_nb);
	compat_shrinker_destroy(adaptswap_shrinker);
	adaptswap_shrinker = NULL;
}
