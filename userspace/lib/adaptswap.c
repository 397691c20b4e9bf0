// SPDX-License-Identifier: LGPL-2.1-or-later
/* libadaptswap: the netlink client of adaptswap.ko (see adaptswap.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "adaptswap.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct adaptswap {
	struct nl_sock *req;	/* get/set */
	struct nl_sock *ev;	/* events, after adaptswap_subscribe() */
	int family;
	uint64_t last_seq;	/* of the last event received (0: none yet) */
	char err[512];
};

static const int rate_attrs[ADAPTSWAP_NR_RATES] = {
	ADAPTSWAP_A_SCAN_RATE, ADAPTSWAP_A_STALL_RATE, ADAPTSWAP_A_SWAPIN_RATE,
	ADAPTSWAP_A_SWAPOUT_RATE, ADAPTSWAP_A_REFAULT_RATE,
};

/* ---- netlink ---------------------------------------------------------- */

__attribute__((format(printf, 2, 3)))
static void set_err(struct adaptswap *as, const char *fmt, ...)
{
	va_list ap;

	if (!as)
		return;
	va_start(ap, fmt);
	vsnprintf(as->err, sizeof(as->err), fmt, ap);
	va_end(ap);
}

int adaptswap_i_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM: return ENOBUFS;
	case NLE_PERM: return EPERM;
	case NLE_OBJ_NOTFOUND: return ENOENT;
	case NLE_AGAIN: return EAGAIN;
	case NLE_INTR: return EINTR;
	case NLE_INVAL: return EINVAL;
	case NLE_RANGE: return ERANGE;
	case NLE_MSGSIZE: return EMSGSIZE;
	case NLE_OPNOTSUPP: return EOPNOTSUPP;
	case NLE_BAD_SOCK: return EBADF;
	default: return EIO;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct nla_policy attr_policy[ADAPTSWAP_A_MAX + 1];
#define ATTR_OR(tb, a, get, def)	((tb)[a] ? get((tb)[a]) : (def))	/* def: absent */

static void init_policy(void)
{
	if (attr_policy[ADAPTSWAP_A_LEVEL].type)
		return;
	attr_policy[ADAPTSWAP_A_VERSION].type = NLA_STRING;
	attr_policy[ADAPTSWAP_A_EVENT_TYPE].type = NLA_U8;
	attr_policy[ADAPTSWAP_A_LEVEL].type = NLA_U8;
	attr_policy[ADAPTSWAP_A_PREV_LEVEL].type = NLA_U8;
	attr_policy[ADAPTSWAP_A_CAUSE].type = NLA_U8;
	for (int a = ADAPTSWAP_A_TIMESTAMP_NS; a <= ADAPTSWAP_A_REFAULT_RATE; a++)
		attr_policy[a].type = NLA_U64;
	for (int a = ADAPTSWAP_A_ENABLED; a <= ADAPTSWAP_A_EVENT_INTERVAL_MS; a++)
		attr_policy[a].type = NLA_U32;
	for (int a = ADAPTSWAP_A_EVENTS_SENT; a <= ADAPTSWAP_A_SHRINKER_CALLS; a++)
		attr_policy[a].type = NLA_U64;
	attr_policy[ADAPTSWAP_A_OOM_VICTIM_PID].type = NLA_U32;
	attr_policy[ADAPTSWAP_A_OOM_VICTIM_COMM].type = NLA_STRING;
}

/* A connected generic-netlink socket; the reason of a failure in as (may be NULL). */
struct nl_sock *adaptswap_i_socket(struct adaptswap *as)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, err;

	if (!sk) {
		set_err(as, "out of memory");
		return NULL;
	}
	err = genl_connect(sk);
	if (err < 0) {
		set_err(as, "cannot open a generic netlink socket: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	/* Ask for the kernel's reason with every error (extended ack). */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return sk;
}

int adaptswap_open(struct adaptswap **out)
{
	struct adaptswap *as = calloc(1, sizeof(*as));
	int fam;

	*out = NULL;
	if (!as)
		return -ENOMEM;
	init_policy();
	as->req = adaptswap_i_socket(as);
	if (!as->req) {
		*out = as;
		return -EIO;
	}
	fam = genl_ctrl_resolve(as->req, ADAPTSWAP_GENL_NAME);
	if (fam < 0) {
		set_err(as, "the adaptswap module is not loaded (generic netlink family '%s' not found)",
			ADAPTSWAP_GENL_NAME);
		*out = as;
		return -ENOENT;
	}
	as->family = fam;
	*out = as;
	return 0;
}

int adaptswap_loaded(void)
{
	char state[16] = "";
	ssize_t n;
	int fd;

	if (access("/sys/kernel/adaptswap", F_OK))
		return 0;
	fd = open("/sys/module/adaptswap/initstate", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;		/* built in: always live */
	n = read(fd, state, sizeof(state) - 1);
	close(fd);
	/* "coming" is loaded: it announces its family before it is "live" */
	return !(n > 0 && !strncmp(state, "going", 5));
}

void adaptswap_close(struct adaptswap *as)
{
	if (!as)
		return;
	if (as->req)
		nl_socket_free(as->req);
	if (as->ev)
		nl_socket_free(as->ev);
	free(as);
}

const char *adaptswap_errmsg(const struct adaptswap *as)
{
	return as && as->err[0] ? as->err : "no error";
}

struct req_ctx {
	struct adaptswap *as;
	int err;		/* 1 while waiting, then 0 or -errno */
	struct adaptswap_status *st;
	int replies;
};

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;

	(void)msg;
	c->err = 0;
	return NL_STOP;
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct req_ctx *c = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	const char *kmsg = NULL;
	size_t ack_len = sizeof(*e);

	(void)nla;
	c->err = e->error ? e->error : -EIO;
	if (e->error == 0) {	/* a plain ACK */
		c->err = 0;
		return NL_STOP;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			ack_len += e->msg.nlmsg_len - NLMSG_HDRLEN;
		if (nlh->nlmsg_len > NLMSG_HDRLEN + ack_len &&
		    nla_parse(tb, NLMSGERR_ATTR_MAX,
			      (struct nlattr *)((char *)e + ack_len),
			      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - ack_len), NULL) == 0 &&
		    tb[NLMSGERR_ATTR_MSG])
			kmsg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	}
	if (kmsg)
		set_err(c->as, "%s; kernel reports: %s", strerror(-c->err), kmsg);
	else
		set_err(c->as, "%s", strerror(-c->err));
	return NL_STOP;
}

static void parse_common(struct nlattr **tb, uint64_t *rates, uint64_t *total,
			 uint64_t *avail, uint64_t *swapfree)
{
	for (int i = 0; i < ADAPTSWAP_NR_RATES; i++)
		rates[i] = ATTR_OR(tb, rate_attrs[i], nla_get_u64, 0);
	*total = ATTR_OR(tb, ADAPTSWAP_A_MEM_TOTAL_KB, nla_get_u64, 0);
	*avail = ATTR_OR(tb, ADAPTSWAP_A_MEM_AVAIL_KB, nla_get_u64, 0);
	*swapfree = ATTR_OR(tb, ADAPTSWAP_A_SWAP_FREE_KB, nla_get_u64, 0);
}

static int status_cb(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;
	struct nlattr *tb[ADAPTSWAP_A_MAX + 1];
	struct adaptswap_status *st = c->st;
	int err;

	if (!st)
		return NL_OK;
	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, ADAPTSWAP_A_MAX, attr_policy);
	if (err < 0) {
		set_err(c->as, "malformed status from the kernel: %s", nl_geterror(err));
		c->err = -EPROTO;
		return NL_STOP;
	}
	memset(st, 0, sizeof(*st));
	st->level = ATTR_OR(tb, ADAPTSWAP_A_LEVEL, nla_get_u8, -1);
	st->timestamp_ns = ATTR_OR(tb, ADAPTSWAP_A_TIMESTAMP_NS, nla_get_u64, 0);
	st->seq = ATTR_OR(tb, ADAPTSWAP_A_SEQ, nla_get_u64, 0);
	parse_common(tb, st->rates, &st->mem_total_kb, &st->mem_avail_kb, &st->swap_free_kb);
	for (int i = 0; i < ADAPTSWAP_NR_KNOBS; i++)
		st->knobs[i] = ATTR_OR(tb, ADAPTSWAP_A_ENABLED + i, nla_get_u32, 0);
	for (int i = 0; i < ADAPTSWAP_NR_COUNTERS; i++)
		st->counters[i] = ATTR_OR(tb, ADAPTSWAP_A_EVENTS_SENT + i, nla_get_u64, 0);
	if (tb[ADAPTSWAP_A_VERSION])
		nla_strlcpy(st->version, tb[ADAPTSWAP_A_VERSION], sizeof(st->version));
	c->replies++;
	return NL_OK;
}

/* Send msg (consumed) and wait for the reply and the ACK. */
static int transact(struct adaptswap *as, struct nl_msg *msg,
		    struct adaptswap_status *st)
{
	struct req_ctx c = { .as = as, .err = 1, .st = st };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb) {
		nlmsg_free(msg);
		set_err(as, "out of memory");
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, status_cb, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &c);
	err = nl_send_auto(as->req, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		set_err(as, "cannot send to the kernel: %s", nl_geterror(err));
		return -adaptswap_i_errno(err);
	}
	while (c.err > 0) {
		err = nl_recvmsgs(as->req, cb);
		if (err < 0 && c.err > 0) {
			set_err(as, "receiving from the kernel: %s", nl_geterror(err));
			c.err = -adaptswap_i_errno(err);
		}
	}
	nl_cb_put(cb);
	if (c.err == 0 && st && c.replies == 0) {
		set_err(as, "the kernel sent no status");
		return -EPROTO;
	}
	return c.err;
}

static struct nl_msg *new_req(struct adaptswap *as, int cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, as->family, 0,
				 NLM_F_REQUEST | NLM_F_ACK, cmd, ADAPTSWAP_GENL_VERSION)) {
		nlmsg_free(msg);
		set_err(as, "out of memory");
		return NULL;
	}
	return msg;
}

int adaptswap_get(struct adaptswap *as, struct adaptswap_status *st)
{
	struct nl_msg *msg = new_req(as, ADAPTSWAP_CMD_GET);

	if (!msg)
		return -ENOMEM;
	return transact(as, msg, st);
}

int adaptswap_set(struct adaptswap *as, const struct adaptswap_setting *s, size_t n)
{
	struct nl_msg *msg;

	for (size_t i = 0; i < n; i++) {
		if (s[i].knob < 0 || s[i].knob >= ADAPTSWAP_NR_KNOBS) {
			set_err(as, "knob number %d does not exist", (int)s[i].knob);
			return -EINVAL;
		}
	}
	msg = new_req(as, ADAPTSWAP_CMD_SET);
	if (!msg)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (nla_put_u32(msg, ADAPTSWAP_A_ENABLED + s[i].knob, s[i].value) < 0) {
			nlmsg_free(msg);
			set_err(as, "message too large");
			return -EMSGSIZE;
		}
	}
	return transact(as, msg, NULL);
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int adaptswap_request_raw(struct adaptswap *as, int cmd, const void *attrs,
			  size_t len, struct adaptswap_status *st)
{
	struct nl_msg *msg = new_req(as, cmd);

	if (!msg)
		return -ENOMEM;
	if (len && nlmsg_append(msg, (void *)attrs, len, 0) < 0) {
		nlmsg_free(msg);
		set_err(as, "message too large");
		return -EMSGSIZE;
	}
	return transact(as, msg, st);
}

struct ev_ctx {
	struct adaptswap *as;
	adaptswap_event_cb cb;
	void *arg;
	int count;
	int stop;
};

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct ev_ctx *c = arg;
	struct nlattr *tb[ADAPTSWAP_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct adaptswap_event ev = { 0 };

	if (gh->cmd != ADAPTSWAP_CMD_EVENT)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ADAPTSWAP_A_MAX, attr_policy) < 0)
		return NL_OK;	/* not ours to judge: skip it */
	ev.received_ns = now_ns();
	ev.type = ATTR_OR(tb, ADAPTSWAP_A_EVENT_TYPE, nla_get_u8, -1);
	ev.level = ATTR_OR(tb, ADAPTSWAP_A_LEVEL, nla_get_u8, -1);
	ev.prev_level = ATTR_OR(tb, ADAPTSWAP_A_PREV_LEVEL, nla_get_u8, -1);
	ev.cause = ATTR_OR(tb, ADAPTSWAP_A_CAUSE, nla_get_u8, -1);
	ev.timestamp_ns = ATTR_OR(tb, ADAPTSWAP_A_TIMESTAMP_NS, nla_get_u64, 0);
	ev.seq = ATTR_OR(tb, ADAPTSWAP_A_SEQ, nla_get_u64, 0);
	parse_common(tb, ev.rates, &ev.mem_total_kb, &ev.mem_avail_kb, &ev.swap_free_kb);
	if (c->as->last_seq && ev.seq > c->as->last_seq + 1)
		ev.missed = ev.seq - c->as->last_seq - 1;
	c->as->last_seq = ev.seq;
	ev.oom_kills = ATTR_OR(tb, ADAPTSWAP_A_OOM_KILLS, nla_get_u64, 0);
	ev.oom_victim_pid = ATTR_OR(tb, ADAPTSWAP_A_OOM_VICTIM_PID, (int)nla_get_u32, -1);
	if (tb[ADAPTSWAP_A_OOM_VICTIM_COMM])
		nla_strlcpy(ev.oom_victim_comm, tb[ADAPTSWAP_A_OOM_VICTIM_COMM], sizeof(ev.oom_victim_comm));
	c->count++;
	if (c->cb && c->cb(&ev, c->arg)) {
		c->stop = 1;
		return NL_STOP;
	}
	return NL_OK;
}

int adaptswap_subscribe(struct adaptswap *as)
{
	int grp, err;

	if (as->ev)
		return 0;
	as->ev = adaptswap_i_socket(as);
	if (!as->ev)
		return -EIO;
	nl_socket_disable_seq_check(as->ev);
	nl_socket_set_buffer_size(as->ev, 1 << 20, 0);
	grp = genl_ctrl_resolve_grp(as->ev, ADAPTSWAP_GENL_NAME, ADAPTSWAP_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		set_err(as, "no multicast group '%s' in family '%s': %s",
			ADAPTSWAP_GENL_MCGRP_EVENTS, ADAPTSWAP_GENL_NAME, nl_geterror(grp));
		err = -ENOENT;
		goto fail;
	}
	err = nl_socket_add_membership(as->ev, grp);
	if (err < 0) {
		set_err(as, "cannot join the events group: %s", nl_geterror(err));
		err = -adaptswap_i_errno(err);
		goto fail;
	}
	return 0;
fail:
	nl_socket_free(as->ev);
	as->ev = NULL;
	return err;
}

int adaptswap_event_fd(const struct adaptswap *as)
{
	return as && as->ev ? nl_socket_get_fd(as->ev) : -1;
}

int adaptswap_set_nonblocking(struct adaptswap *as, int nonblocking)
{
	int fd = adaptswap_event_fd(as);
	int fl;

	if (fd < 0) {
		set_err(as, "not subscribed");
		return -EBADF;
	}
	if (nonblocking)
		return nl_socket_set_nonblocking(as->ev) < 0 ? -EIO : 0;
	fl = fcntl(fd, F_GETFL);
	return fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ? -errno : 0;
}

int adaptswap_dispatch(struct adaptswap *as, adaptswap_event_cb cb, void *arg)
{
	struct ev_ctx c = { .as = as, .cb = cb, .arg = arg };
	struct nl_cb *ncb;
	int err;

	if (!as->ev) {
		set_err(as, "not subscribed");
		return -EBADF;
	}
	ncb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ncb) {
		set_err(as, "out of memory");
		return -ENOMEM;
	}
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &c);
	/* Multicast messages carry no sequence number of ours. */
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	err = nl_recvmsgs(as->ev, ncb);
	nl_cb_put(ncb);
	if (err < 0 && !c.stop) {
		int nlerr = err;

		err = -adaptswap_i_errno(err);
		if (err == -ENOBUFS)
			set_err(as, "event socket overran: events were lost");
		else if (err != -EAGAIN && err != -EINTR)
			set_err(as, "receiving events: %s", nl_geterror(nlerr));
		return c.count ? c.count : err;
	}
	return c.count;
}
