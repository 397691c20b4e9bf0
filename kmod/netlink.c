// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "adaptswap": GET, SET and the EVENT multicast.
 * The ABI is described in uapi/adaptswap.h.
 */
#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "adaptswap.h"

static COMPAT_RANGE_CONST struct netlink_range_validation interval_range = {
	.min = ADAPTSWAP_INTERVAL_MIN_MS,
	.max = ADAPTSWAP_INTERVAL_MAX_MS,
};

/*
 * Only the knobs are accepted in requests: every other attribute is
 * NLA_UNSPEC here, which strict validation refuses.  Ranges above the s16
 * limit of NLA_POLICY_RANGE use a full range.
 */
static const struct nla_policy adaptswap_policy[ADAPTSWAP_A_MAX + 1] = {
	[ADAPTSWAP_A_ENABLED] = NLA_POLICY_MAX(NLA_U32, 1),
	[ADAPTSWAP_A_LOW_PCT] = NLA_POLICY_RANGE(NLA_U32, ADAPTSWAP_PCT_MIN,
						 ADAPTSWAP_PCT_MAX),
	[ADAPTSWAP_A_MEDIUM_PCT] = NLA_POLICY_RANGE(NLA_U32, ADAPTSWAP_PCT_MIN,
						    ADAPTSWAP_PCT_MAX),
	[ADAPTSWAP_A_CRITICAL_PCT] = NLA_POLICY_RANGE(NLA_U32,
						      ADAPTSWAP_PCT_MIN,
						      ADAPTSWAP_PCT_MAX),
	[ADAPTSWAP_A_HYSTERESIS_PCT] = NLA_POLICY_MAX(NLA_U32,
						      ADAPTSWAP_HYSTERESIS_MAX),
	[ADAPTSWAP_A_SAMPLE_IDLE_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							     &interval_range),
	[ADAPTSWAP_A_SAMPLE_FAST_MS] = NLA_POLICY_RANGE(NLA_U32,
							ADAPTSWAP_FAST_MIN_MS,
							ADAPTSWAP_FAST_MAX_MS),
	[ADAPTSWAP_A_EVENT_INTERVAL_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &interval_range),
};

static struct genl_family adaptswap_family;

static int put_u64(struct sk_buff *skb, int attr, u64 value)
{
	return nla_put_u64_64bit(skb, attr, value, ADAPTSWAP_A_PAD);
}

static size_t status_size(void)
{
	return nla_total_size(sizeof(u8)) +			/* LEVEL */
	       /* total, avail, swap, seq, timestamp */
	       5 * nla_total_size_64bit(sizeof(u64)) +
	       ADAPTSWAP_NR_RATES * nla_total_size_64bit(sizeof(u64)) +
	       ADAPTSWAP_NR_KNOBS * nla_total_size(sizeof(u32)) +
	       ADAPTSWAP_NR_COUNTERS * nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(sizeof(ADAPTSWAP_VERSION));
}

/*
 * The status of the last sample, stamped with the time of that sample, and
 * the knobs read together under knob_lock, so a concurrent SET is seen
 * whole or not at all.  Process context (a GET request).
 */
static int fill_status(struct sk_buff *skb)
{
	struct adaptswap_status st;
	u32 knobs[ADAPTSWAP_NR_KNOBS];
	int i;

	adaptswap_knobs_get(knobs);
	adaptswap_status_get(&st);
	if (nla_put_u8(skb, ADAPTSWAP_A_LEVEL, st.level) ||
	    put_u64(skb, ADAPTSWAP_A_MEM_TOTAL_KB, st.total_kb) ||
	    put_u64(skb, ADAPTSWAP_A_MEM_AVAIL_KB, st.avail_kb) ||
	    put_u64(skb, ADAPTSWAP_A_SWAP_FREE_KB, st.swap_free_kb) ||
	    put_u64(skb, ADAPTSWAP_A_SEQ, st.seq) ||
	    put_u64(skb, ADAPTSWAP_A_TIMESTAMP_NS, st.sample_ns) ||
	    nla_put_string(skb, ADAPTSWAP_A_VERSION, ADAPTSWAP_VERSION))
		return -EMSGSIZE;
	for (i = 0; i < ADAPTSWAP_NR_RATES; i++)
		if (put_u64(skb, ADAPTSWAP_RATE_ATTR(i), st.rates[i]))
			return -EMSGSIZE;
	for (i = 0; i < ADAPTSWAP_NR_KNOBS; i++)
		if (nla_put_u32(skb, ADAPTSWAP_KNOB_ATTR(i), knobs[i]))
			return -EMSGSIZE;
	for (i = 0; i < ADAPTSWAP_NR_COUNTERS; i++)
		if (put_u64(skb, ADAPTSWAP_COUNTER_ATTR(i),
			    adaptswap_counter(i)))
			return -EMSGSIZE;
	return 0;
}

static int adaptswap_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (nlmsg_len(info->nlhdr) > GENL_HDRLEN) {
		NL_SET_ERR_MSG(info->extack,
			       "adaptswap: GET takes no attributes");
		return -EINVAL;
	}

	msg = genlmsg_new(status_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &adaptswap_family, 0,
				ADAPTSWAP_CMD_GET);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	ret = fill_status(msg);
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

static int adaptswap_nl_set(struct sk_buff *skb, struct genl_info *info)
{
	u32 vals[ADAPTSWAP_NR_KNOBS] = { };
	unsigned long mask = 0;
	int k;

	/*
	 * GENL_ADMIN_PERM checked CAP_NET_ADMIN; the knobs are memory
	 * policy, which is CAP_SYS_ADMIN's (for the opener of the socket and
	 * the sender, like netlink_capable() for the admin flag).
	 */
	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "adaptswap: changing the knobs needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	for (k = 0; k < ADAPTSWAP_NR_KNOBS; k++) {
		struct nlattr *a = info->attrs[ADAPTSWAP_KNOB_ATTR(k)];

		if (!a)
			continue;
		vals[k] = nla_get_u32(a);
		mask |= BIT(k);
	}
	if (!mask) {
		NL_SET_ERR_MSG(info->extack,
			       "adaptswap: SET needs at least one knob attribute");
		return -EINVAL;
	}
	return adaptswap_knobs_update(vals, mask, info->attrs, info->extack);
}

static const struct genl_small_ops adaptswap_ops[] = {
	{
		.cmd = ADAPTSWAP_CMD_GET,
		.doit = adaptswap_nl_get,
	},
	{
		.cmd = ADAPTSWAP_CMD_SET,
		.doit = adaptswap_nl_set,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group adaptswap_mcgrps[] = {
	{ .name = ADAPTSWAP_GENL_MCGRP_EVENTS },
};

static struct genl_family adaptswap_family __ro_after_init = {
	.name = ADAPTSWAP_GENL_NAME,
	.version = ADAPTSWAP_GENL_VERSION,
	.maxattr = ADAPTSWAP_A_MAX,
	.policy = adaptswap_policy,
	.module = THIS_MODULE,
	.small_ops = adaptswap_ops,
	.n_small_ops = ARRAY_SIZE(adaptswap_ops),
	.mcgrps = adaptswap_mcgrps,
	.n_mcgrps = ARRAY_SIZE(adaptswap_mcgrps),
	COMPAT_GENL_RESV_START_OP(ADAPTSWAP_CMD_GET)
};

bool adaptswap_netlink_has_listeners(void)
{
	return genl_has_listeners(&adaptswap_family, &init_net, 0);
}

static size_t event_size(void)
{
	return 4 * nla_total_size(sizeof(u8)) +
	       (5 + ADAPTSWAP_NR_RATES) * nla_total_size_64bit(sizeof(u64)) +
	       /* OOM: kills, victim pid and comm */
	       nla_total_size_64bit(sizeof(u64)) + nla_total_size(sizeof(u32)) +
	       nla_total_size(TASK_COMM_LEN);
}

/*
 * Build and multicast one event.  Returns 0 when at least one subscriber
 * received it, -ESRCH when none did (no subscriber, or every subscriber's
 * receive buffer was full), another negative errno on other failures.
 */
int adaptswap_netlink_send_event(const struct adaptswap_event *ev)
{
	struct sk_buff *skb;
	void *hdr;
	int i;

	/*
	 * Under memory pressure the sampler must neither block nor dip into
	 * the reserves that GFP_ATOMIC may use: a lost event is counted.
	 */
	skb = genlmsg_new(event_size(), GFP_NOWAIT | __GFP_NOWARN);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &adaptswap_family, 0,
			  ADAPTSWAP_CMD_EVENT);
	if (!hdr)
		goto err_free;
	if (nla_put_u8(skb, ADAPTSWAP_A_EVENT_TYPE, ev->type) ||
	    nla_put_u8(skb, ADAPTSWAP_A_LEVEL, ev->level) ||
	    nla_put_u8(skb, ADAPTSWAP_A_PREV_LEVEL, ev->prev_level) ||
	    nla_put_u8(skb, ADAPTSWAP_A_CAUSE, ev->cause) ||
	    put_u64(skb, ADAPTSWAP_A_TIMESTAMP_NS, ev->timestamp_ns) ||
	    put_u64(skb, ADAPTSWAP_A_SEQ, ev->seq) ||
	    put_u64(skb, ADAPTSWAP_A_MEM_TOTAL_KB, ev->total_kb) ||
	    put_u64(skb, ADAPTSWAP_A_MEM_AVAIL_KB, ev->avail_kb) ||
	    put_u64(skb, ADAPTSWAP_A_SWAP_FREE_KB, ev->swap_free_kb))
		goto err_free;
	for (i = 0; i < ADAPTSWAP_NR_RATES; i++)
		if (put_u64(skb, ADAPTSWAP_RATE_ATTR(i), ev->rates[i]))
			goto err_free;
	if (ev->type == ADAPTSWAP_EVENT_OOM &&
	    put_u64(skb, ADAPTSWAP_COUNTER_ATTR(ADAPTSWAP_CNT_OOM_KILLS),
		    ev->oom_kills))
		goto err_free;
	if (ev->type == ADAPTSWAP_EVENT_OOM && ev->has_victim &&
	    (nla_put_u32(skb, ADAPTSWAP_A_OOM_VICTIM_PID, ev->victim_pid) ||
	     nla_put_string(skb, ADAPTSWAP_A_OOM_VICTIM_COMM,
			    ev->victim_comm)))
		goto err_free;
	genlmsg_end(skb, hdr);
	return genlmsg_multicast(&adaptswap_family, skb, 0, 0,
				 GFP_NOWAIT | __GFP_NOWARN);

err_free:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

int adaptswap_netlink_init(void)
{
	return genl_register_family(&adaptswap_family);
}

void adaptswap_netlink_exit(void)
{
	genl_unregister_family(&adaptswap_family);
}
