/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libadaptswap's internals shared by its netlink files (not installed). */
#ifndef ADAPTSWAP_NL_H
#define ADAPTSWAP_NL_H

#include <netlink/netlink.h>

struct adaptswap;

/* A libnl error code as an errno value (positive). */
int adaptswap_i_errno(int nlerr);
/* A connected generic-netlink socket asking for extended acks; the reason
 * of a failure in as (may be NULL). */
struct nl_sock *adaptswap_i_socket(struct adaptswap *as);

#endif /* ADAPTSWAP_NL_H */
