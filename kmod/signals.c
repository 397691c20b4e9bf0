// SPDX-License-Identifier: GPL-2.0
/*
 * Pressure signals.  Everything here may run in atomic context (or deep in
 * reclaim): it only increments counters and kicks the sampler.
 *
 *  - tracepoint mm_vmscan_wakeup_kswapd: an allocation found a zone under
 *    its low watermark and woke kswapd;
 *  - tracepoint mm_vmscan_direct_reclaim_begin: an allocation stalls in
 *    direct reclaim.
 *    Neither __tracepoint_* symbol is exported, so both are looked up by
 *    name with for_each_kernel_tracepoint();
 *  - a shrinker that is not memcg aware: called on every global reclaim pass
 *    (kswapd or direct), counts it and reports no objects;
 *  - the OOM notifier: runs before the OOM killer picks a victim.
 */
#include <linux/build_bug.h>
#include <linux/notifier.h>
#include <linux/oom.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/vmscan.h>

#include "adaptswap.h"

static bool counting(void)
{
	return adaptswap_knob(ADAPTSWAP_KNOB_ENABLED);
}

/* --- tracepoints ------------------------------------------------------- */

static void probe_wakeup_kswapd(void *data, int nid, int zid, int order,
				gfp_t gfp_flags)
{
	if (!counting())
		return;
	adaptswap_count(ADAPTSWAP_CNT_KSWAPD_WAKEUPS);
	adaptswap_kick();
}

static void probe_direct_reclaim_begin(void *data,
				       COMPAT_DIRECT_RECLAIM_BEGIN_ARGS)
{
	if (!counting())
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

static struct adaptswap_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
} adaptswap_tps[] = {
	{ "mm_vmscan_wakeup_kswapd", probe_wakeup_kswapd },
	{ "mm_vmscan_direct_reclaim_begin", probe_direct_reclaim_begin },
};

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
	 * non-zero value cancels the OOM kill.  Never touch it.  Only count
	 * here: the sampler (on a WQ_MEM_RECLAIM workqueue) sends the event.
	 */
	if (!counting())
		return NOTIFY_OK;
	adaptswap_count(ADAPTSWAP_CNT_OOM_KILLS);
	atomic_inc(&adaptswap.oom_pending);
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
