// SPDX-License-Identifier: GPL-2.0
/*
 * adaptswap - memory-pressure levels for a user-space swap manager.
 *
 * Module init/exit and the knobs shared by sysfs and generic netlink.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "adaptswap.h"

const struct adaptswap_knob_desc adaptswap_knob_descs[ADAPTSWAP_NR_KNOBS] = {
	[ADAPTSWAP_KNOB_ENABLED] = {
		"enabled", 0, 1, ADAPTSWAP_DEF_ENABLED },
	[ADAPTSWAP_KNOB_LOW_PCT] = {
		"low_pct", ADAPTSWAP_PCT_MIN, ADAPTSWAP_PCT_MAX,
		ADAPTSWAP_DEF_LOW_PCT },
	[ADAPTSWAP_KNOB_MEDIUM_PCT] = {
		"medium_pct", ADAPTSWAP_PCT_MIN, ADAPTSWAP_PCT_MAX,
		ADAPTSWAP_DEF_MEDIUM_PCT },
	[ADAPTSWAP_KNOB_CRITICAL_PCT] = {
		"critical_pct", ADAPTSWAP_PCT_MIN, ADAPTSWAP_PCT_MAX,
		ADAPTSWAP_DEF_CRITICAL_PCT },
	[ADAPTSWAP_KNOB_HYSTERESIS_PCT] = {
		"hysteresis_pct", 0, ADAPTSWAP_HYSTERESIS_MAX,
		ADAPTSWAP_DEF_HYSTERESIS_PCT },
	[ADAPTSWAP_KNOB_SAMPLE_IDLE_MS] = {
		"sample_idle_ms", ADAPTSWAP_INTERVAL_MIN_MS,
		ADAPTSWAP_INTERVAL_MAX_MS, ADAPTSWAP_DEF_SAMPLE_IDLE_MS },
	[ADAPTSWAP_KNOB_SAMPLE_FAST_MS] = {
		"sample_fast_ms", ADAPTSWAP_FAST_MIN_MS, ADAPTSWAP_FAST_MAX_MS,
		ADAPTSWAP_DEF_SAMPLE_FAST_MS },
	[ADAPTSWAP_KNOB_EVENT_INTERVAL_MS] = {
		"event_interval_ms", ADAPTSWAP_INTERVAL_MIN_MS,
		ADAPTSWAP_INTERVAL_MAX_MS, ADAPTSWAP_DEF_EVENT_INTERVAL_MS },
};

/*
 * The initial values (Kconfig or adaptswap.h) must pass the checks that
 * adaptswap_knobs_update() applies to every later change.
 */
#define DEF_IN(v, lo, hi)	((v) >= (lo) && (v) <= (hi))
static_assert(DEF_IN(ADAPTSWAP_DEF_LOW_PCT, ADAPTSWAP_PCT_MIN, ADAPTSWAP_PCT_MAX) &&
	      DEF_IN(ADAPTSWAP_DEF_MEDIUM_PCT, ADAPTSWAP_PCT_MIN, ADAPTSWAP_PCT_MAX) &&
	      DEF_IN(ADAPTSWAP_DEF_CRITICAL_PCT, ADAPTSWAP_PCT_MIN, ADAPTSWAP_PCT_MAX),
	      "adaptswap: a threshold default is outside 1..99");
static_assert(ADAPTSWAP_DEF_LOW_PCT > ADAPTSWAP_DEF_MEDIUM_PCT &&
	      ADAPTSWAP_DEF_MEDIUM_PCT > ADAPTSWAP_DEF_CRITICAL_PCT,
	      "adaptswap: CONFIG_ADAPTSWAP_LOW_PCT > CONFIG_ADAPTSWAP_MEDIUM_PCT > CONFIG_ADAPTSWAP_CRITICAL_PCT must hold");
static_assert(DEF_IN(ADAPTSWAP_DEF_HYSTERESIS_PCT, 0, ADAPTSWAP_HYSTERESIS_MAX),
	      "adaptswap: the hysteresis default is outside 0..50");
static_assert(DEF_IN(ADAPTSWAP_DEF_SAMPLE_IDLE_MS, ADAPTSWAP_INTERVAL_MIN_MS, ADAPTSWAP_INTERVAL_MAX_MS) &&
	      DEF_IN(ADAPTSWAP_DEF_EVENT_INTERVAL_MS, ADAPTSWAP_INTERVAL_MIN_MS, ADAPTSWAP_INTERVAL_MAX_MS) &&
	      DEF_IN(ADAPTSWAP_DEF_SAMPLE_FAST_MS, ADAPTSWAP_FAST_MIN_MS, ADAPTSWAP_FAST_MAX_MS),
	      "adaptswap: an interval default is out of range");
static_assert(ADAPTSWAP_DEF_SAMPLE_FAST_MS <= ADAPTSWAP_DEF_SAMPLE_IDLE_MS,
	      "adaptswap: CONFIG_ADAPTSWAP_SAMPLE_FAST_MS must not exceed CONFIG_ADAPTSWAP_SAMPLE_IDLE_MS");
static_assert(ADAPTSWAP_DEF_LOW_PCT + ADAPTSWAP_DEF_HYSTERESIS_PCT < 100,
	      "adaptswap: CONFIG_ADAPTSWAP_LOW_PCT + CONFIG_ADAPTSWAP_HYSTERESIS_PCT must stay below 100");

/*
 * The knob, counter and rate indices are "attribute minus the first one of
 * its run" (adaptswap.h): each run must end where the uapi header ends it.
 * libadaptswap declares the same enums for its API and checks the same.
 */
static_assert(ADAPTSWAP_KNOB_ATTR(ADAPTSWAP_NR_KNOBS - 1) == ADAPTSWAP_A_EVENT_INTERVAL_MS,
	      "adaptswap: enum adaptswap_knob does not match the knob attributes");
static_assert(ADAPTSWAP_COUNTER_ATTR(ADAPTSWAP_NR_COUNTERS - 1) == ADAPTSWAP_A_SHRINKER_CALLS,
	      "adaptswap: enum adaptswap_counter does not match the counter attributes");
static_assert(ADAPTSWAP_RATE_ATTR(ADAPTSWAP_NR_RATES - 1) == ADAPTSWAP_A_REFAULT_RATE,
	      "adaptswap: enum adaptswap_rate does not match the rate attributes");

struct adaptswap_state adaptswap;

void adaptswap_status_get(struct adaptswap_status *st)
{
	spin_lock(&adaptswap.status_lock);
	*st = adaptswap.status;
	spin_unlock(&adaptswap.status_lock);
}

#define KNOB_NLA(attrs, k) \
	((attrs) ? (attrs)[ADAPTSWAP_KNOB_ATTR(k)] : NULL)

/* Blame the first of @a, @b that the request changes. */
static int blame(unsigned long mask, int a, int b)
{
	return (mask & BIT(a)) ? a : b;
}

/*
 * Validate @vals (the entries selected by @mask) together with the current
 * values of the other knobs; apply all of them or none.  @attrs (netlink
 * request attributes, or NULL for sysfs) is only used to point the extack
 * at the offending attribute.  Called in process context.
 */
int adaptswap_knobs_update(const u32 *vals, unsigned long mask,
			   struct nlattr **attrs,
			   struct netlink_ext_ack *extack)
{
	u32 v[ADAPTSWAP_NR_KNOBS];
	unsigned long changed = 0;
	int ret = -EINVAL;
	int k;

	if (!mask) {
		NL_SET_ERR_MSG(extack, "adaptswap: no knob to set");
		return -EINVAL;
	}

	mutex_lock(&adaptswap.knob_lock);
	for (k = 0; k < ADAPTSWAP_NR_KNOBS; k++)
		v[k] = (mask & BIT(k)) ? vals[k] : adaptswap.knobs[k];

	for (k = 0; k < ADAPTSWAP_NR_KNOBS; k++) {
		const struct adaptswap_knob_desc *d = &adaptswap_knob_descs[k];

		if (v[k] < d->min || v[k] > d->max) {
			NL_SET_ERR_MSG_ATTR(extack, KNOB_NLA(attrs, k),
					    "adaptswap: value out of range");
			goto out_unlock;
		}
	}

	if (v[ADAPTSWAP_KNOB_LOW_PCT] <= v[ADAPTSWAP_KNOB_MEDIUM_PCT]) {
		k = blame(mask, ADAPTSWAP_KNOB_LOW_PCT,
			  ADAPTSWAP_KNOB_MEDIUM_PCT);
		NL_SET_ERR_MSG_ATTR(extack, KNOB_NLA(attrs, k),
				    "adaptswap: low_pct must be greater than medium_pct");
		goto out_unlock;
	}
	if (v[ADAPTSWAP_KNOB_MEDIUM_PCT] <= v[ADAPTSWAP_KNOB_CRITICAL_PCT]) {
		k = blame(mask, ADAPTSWAP_KNOB_MEDIUM_PCT,
			  ADAPTSWAP_KNOB_CRITICAL_PCT);
		NL_SET_ERR_MSG_ATTR(extack, KNOB_NLA(attrs, k),
				    "adaptswap: medium_pct must be greater than critical_pct");
		goto out_unlock;
	}
	/*
	 * Leaving a level needs available memory at its threshold plus the
	 * hysteresis; available memory never reaches all of RAM, so at 100%
	 * or more the low level (and every level above) could never be left.
	 */
	if (v[ADAPTSWAP_KNOB_LOW_PCT] + v[ADAPTSWAP_KNOB_HYSTERESIS_PCT] >= 100) {
		k = blame(mask, ADAPTSWAP_KNOB_HYSTERESIS_PCT,
			  ADAPTSWAP_KNOB_LOW_PCT);
		NL_SET_ERR_MSG_ATTR(extack, KNOB_NLA(attrs, k),
				    "adaptswap: low_pct + hysteresis_pct must stay below 100, or the low level could never be left");
		goto out_unlock;
	}
	if (v[ADAPTSWAP_KNOB_SAMPLE_FAST_MS] >
	    v[ADAPTSWAP_KNOB_SAMPLE_IDLE_MS]) {
		k = blame(mask, ADAPTSWAP_KNOB_SAMPLE_FAST_MS,
			  ADAPTSWAP_KNOB_SAMPLE_IDLE_MS);
		NL_SET_ERR_MSG_ATTR(extack, KNOB_NLA(attrs, k),
				    "adaptswap: sample_fast_ms must not exceed sample_idle_ms");
		goto out_unlock;
	}

	for (k = 0; k < ADAPTSWAP_NR_KNOBS; k++) {
		if (v[k] != adaptswap.knobs[k]) {
			WRITE_ONCE(adaptswap.knobs[k], v[k]);
			changed |= BIT(k);
		}
	}
	ret = 0;
out_unlock:
	mutex_unlock(&adaptswap.knob_lock);

	if (changed) {
		/* The sampler applies them (and reports ENABLED=0). */
		atomic_set(&adaptswap.knob_changed, 1);
		adaptswap_kick_now();
		/* A disabled module sends no events: wake poll()ers. */
		for_each_set_bit(k, &changed, ADAPTSWAP_NR_KNOBS)
			adaptswap_sysfs_notify_knob(k);
	}
	return ret;
}

void adaptswap_knobs_get(u32 *vals)
{
	mutex_lock(&adaptswap.knob_lock);
	memcpy(vals, adaptswap.knobs, sizeof(adaptswap.knobs));
	mutex_unlock(&adaptswap.knob_lock);
}

static void adaptswap_state_init(void)
{
	int k;

	mutex_init(&adaptswap.knob_lock);
	spin_lock_init(&adaptswap.status_lock);
	for (k = 0; k < ADAPTSWAP_NR_KNOBS; k++)
		adaptswap.knobs[k] = adaptswap_knob_descs[k].def;
	for (k = 0; k < ADAPTSWAP_NR_COUNTERS; k++)
		atomic64_set(&adaptswap.counters[k], 0);
	atomic_set(&adaptswap.knob_changed, 0);
	adaptswap.status.level = ADAPTSWAP_LEVEL_NONE;
}

static int __init adaptswap_init(void)
{
	int ret;

	adaptswap_state_init();

	ret = adaptswap_sampler_init();
	if (ret)
		return ret;

	ret = adaptswap_sysfs_init();
	if (ret)
		goto err_destroy_sampler;

	ret = adaptswap_netlink_init();
	if (ret)
		goto err_remove_sysfs;

	ret = adaptswap_signals_register();
	if (ret)
		goto err_unregister_netlink;

	adaptswap_sampler_start();
	pr_info("version %s loaded\n", ADAPTSWAP_VERSION);
	return 0;

err_unregister_netlink:
	adaptswap_netlink_exit();
err_remove_sysfs:
	adaptswap_sysfs_exit();
err_destroy_sampler:
	adaptswap_sampler_destroy();
	return ret;
}

/*
 * Teardown order: first every source of kicks from atomic context (probes,
 * shrinker, OOM notifier), then the sampler (no requeue once stopped), then
 * the user-facing interfaces, whose late kicks are ignored by the stopped
 * sampler, and last the workqueue.
 */
static void __exit adaptswap_exit(void)
{
	adaptswap_signals_unregister();
	adaptswap_sampler_stop();
	adaptswap_netlink_exit();
	adaptswap_sysfs_exit();
	adaptswap_sampler_destroy();
	pr_info("unloaded\n");
}

module_init(adaptswap_init);
module_exit(adaptswap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Memory-pressure levels for an adaptive swap manager");
MODULE_AUTHOR("adaptswap developers");
MODULE_VERSION(ADAPTSWAP_VERSION);
MODULE_ALIAS_GENL_FAMILY(ADAPTSWAP_GENL_NAME);
