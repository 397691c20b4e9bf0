// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libadaptswap: watch the adaptswap family come and go (see adaptswap.h),
 * from the generic-netlink controller's notifications; no polling.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "adaptswap.h"
#include "nl.h"

struct adaptswap_watch {
	struct nl_sock *sk;
	int change;
};

static int watch_cb(struct nl_msg *msg, void *arg)
{
	struct adaptswap_watch *w = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	if (gh->cmd != CTRL_CMD_NEWFAMILY && gh->cmd != CTRL_CMD_DELFAMILY)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME])
		return NL_OK;
	if (strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), ADAPTSWAP_GENL_NAME))
		return NL_OK;
	w->change = gh->cmd == CTRL_CMD_NEWFAMILY ? 1 : -1;
	return NL_OK;
}

int adaptswap_watch_open(struct adaptswap_watch **out)
{
	struct adaptswap_watch *w = calloc(1, sizeof(*w));
	int grp = -1, err;

	*out = NULL;
	if (w)
		w->sk = adaptswap_i_socket(NULL);
	if (w && w->sk)
		grp = genl_ctrl_resolve_grp(w->sk, "nlctrl", "notify");
	if (grp < 0 || nl_socket_add_membership(w->sk, grp) < 0) {
		err = w ? -EIO : -ENOMEM;
		adaptswap_watch_close(w);
		return err;
	}
	nl_socket_disable_seq_check(w->sk);
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, watch_cb, w);
	nl_socket_set_nonblocking(w->sk);
	*out = w;
	return 0;
}

int adaptswap_watch_fd(const struct adaptswap_watch *w)
{
	return w ? nl_socket_get_fd(w->sk) : -1;
}

int adaptswap_watch_read(struct adaptswap_watch *w)
{
	int err;

	w->change = 0;
	err = nl_recvmsgs_default(w->sk);
	if (err < 0 && !w->change)
		return -adaptswap_i_errno(err) == -1 ? -EIO : -adaptswap_i_errno(err);
	return w->change;
}

void adaptswap_watch_close(struct adaptswap_watch *w)
{
	if (!w)
		return;
	if (w->sk)
		nl_socket_free(w->sk);
	free(w);
}
