// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/adaptswap/: one value per file, documented in
 * ABI/sysfs-kernel-adaptswap.
 */
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "adaptswap.h"
#include "level.h"

static struct kobject *adaptswap_kobj;
/* The "level" file, looked up once: notified from the sampler. */
static struct kernfs_node *level_kn;

struct adaptswap_sysfs_attr {
	struct kobj_attribute kattr;
	int index;		/* enum adaptswap_knob or adaptswap_counter */
};

static int attr_index(struct kobj_attribute *attr)
{
	return container_of(attr, struct adaptswap_sysfs_attr, kattr)->index;
}

static ssize_t knob_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", adaptswap_knob(attr_index(attr)));
}

static ssize_t knob_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int k = attr_index(attr);
	u32 vals[ADAPTSWAP_NR_KNOBS] = { };
	unsigned int v;
	int ret;

	/* The knobs are memory policy, as over netlink. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/*
	 * One trailing newline is fine; empty, signs, junk, overflow not.
	 * kstrtouint() stops at a NUL byte: "73\0x" must not read as 73,
	 * and it skips one '+': the ABI says digits only.
	 */
	if (strnlen(buf, count) != count || !isdigit(buf[0]) ||
	    kstrtouint(buf, 10, &v))
		return -EINVAL;
	vals[k] = v;
	ret = adaptswap_knobs_update(vals, BIT(k), NULL, NULL);
	return ret ? ret : count;
}

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	u64 v = adaptswap_counter(attr_index(attr));

	return sysfs_emit(buf, "%llu\n", (unsigned long long)v);
}

static ssize_t level_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct adaptswap_status st;

	adaptswap_status_get(&st);
	return sysfs_emit(buf, "%s\n", adaptswap_level_name(st.level));
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", ADAPTSWAP_VERSION);
}

#define KNOB_ATTR(_name, _k)						\
	static struct adaptswap_sysfs_attr knob_attr_##_name = {	\
		.kattr = __ATTR(_name, 0644, knob_show, knob_store),	\
		.index = (_k),						\
	}

#define COUNTER_ATTR(_name, _c)						\
	static struct adaptswap_sysfs_attr counter_attr_##_name = {	\
		.kattr = __ATTR(_name, 0444, counter_show, NULL),	\
		.index = (_c),						\
	}

KNOB_ATTR(enabled, ADAPTSWAP_KNOB_ENABLED);
KNOB_ATTR(low_pct, ADAPTSWAP_KNOB_LOW_PCT);
KNOB_ATTR(medium_pct, ADAPTSWAP_KNOB_MEDIUM_PCT);
KNOB_ATTR(critical_pct, ADAPTSWAP_KNOB_CRITICAL_PCT);
KNOB_ATTR(hysteresis_pct, ADAPTSWAP_KNOB_HYSTERESIS_PCT);
KNOB_ATTR(sample_idle_ms, ADAPTSWAP_KNOB_SAMPLE_IDLE_MS);
KNOB_ATTR(sample_fast_ms, ADAPTSWAP_KNOB_SAMPLE_FAST_MS);
KNOB_ATTR(event_interval_ms, ADAPTSWAP_KNOB_EVENT_INTERVAL_MS);

COUNTER_ATTR(events_sent, ADAPTSWAP_CNT_EVENTS_SENT);
COUNTER_ATTR(events_dropped, ADAPTSWAP_CNT_EVENTS_DROPPED);
COUNTER_ATTR(kswapd_wakeups, ADAPTSWAP_CNT_KSWAPD_WAKEUPS);
COUNTER_ATTR(direct_reclaims, ADAPTSWAP_CNT_DIRECT_RECLAIMS);
COUNTER_ATTR(oom_kills, ADAPTSWAP_CNT_OOM_KILLS);
COUNTER_ATTR(samples, ADAPTSWAP_CNT_SAMPLES);
COUNTER_ATTR(shrinker_calls, ADAPTSWAP_CNT_SHRINKER_CALLS);

static struct kobj_attribute level_attr = __ATTR_RO(level);
static struct kobj_attribute version_attr = __ATTR_RO(version);

static struct attribute *adaptswap_attrs[] = {
	&knob_attr_enabled.kattr.attr,
	&level_attr.attr,
	&knob_attr_low_pct.kattr.attr,
	&knob_attr_medium_pct.kattr.attr,
	&knob_attr_critical_pct.kattr.attr,
	&knob_attr_hysteresis_pct.kattr.attr,
	&knob_attr_sample_idle_ms.kattr.attr,
	&knob_attr_sample_fast_ms.kattr.attr,
	&knob_attr_event_interval_ms.kattr.attr,
	&version_attr.attr,
	&counter_attr_events_sent.kattr.attr,
	&counter_attr_events_dropped.kattr.attr,
	&counter_attr_kswapd_wakeups.kattr.attr,
	&counter_attr_direct_reclaims.kattr.attr,
	&counter_attr_oom_kills.kattr.attr,
	&counter_attr_samples.kattr.attr,
	&counter_attr_shrinker_calls.kattr.attr,
	NULL
};

static const struct attribute_group adaptswap_attr_group = {
	.attrs = adaptswap_attrs,
};

/* Wake poll()ers of the level file; process context only. */
void adaptswap_sysfs_notify_level(void)
{
	if (level_kn)
		sysfs_notify_dirent(level_kn);
}

/* Wake poll()ers of a knob's file after it changed; process context only. */
void adaptswap_sysfs_notify_knob(int k)
{
	if (adaptswap_kobj)
		sysfs_notify(adaptswap_kobj, NULL, adaptswap_knob_descs[k].name);
}

int adaptswap_sysfs_init(void)
{
	int ret;

	adaptswap_kobj = kobject_create_and_add("adaptswap", kernel_kobj);
	if (!adaptswap_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(adaptswap_kobj, &adaptswap_attr_group);
	if (ret)
		goto err_put_kobj;
	level_kn = sysfs_get_dirent(adaptswap_kobj->sd, "level");
	if (!level_kn) {
		ret = -ENOENT;
		goto err_remove_group;
	}
	return 0;

err_remove_group:
	sysfs_remove_group(adaptswap_kobj, &adaptswap_attr_group);
err_put_kobj:
	kobject_put(adaptswap_kobj);
	adaptswap_kobj = NULL;
	return ret;
}

void adaptswap_sysfs_exit(void)
{
	sysfs_put(level_kn);
	level_kn = NULL;
	sysfs_remove_group(adaptswap_kobj, &adaptswap_attr_group);
	kobject_put(adaptswap_kobj);
	adaptswap_kobj = NULL;
}
