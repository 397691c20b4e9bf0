/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libadaptswap - client library for the adaptswap generic-netlink family.
 *
 * Every function that can fail returns 0 or a negative errno value; the
 * handle then holds a readable message (adaptswap_errmsg()), which includes
 * the kernel's extended-ack text when it sent one.
 */
#ifndef ADAPTSWAP_LIB_H
#define ADAPTSWAP_LIB_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/adaptswap.h>

#ifdef __cplusplus
extern "C" {
#endif

const char *adaptswap_lib_version(void);

/* "none", "low", "medium", "critical"; "?" when out of range. */
const char *adaptswap_level_name(int level);
/* Level number for a name, or -1. */
int adaptswap_level_parse(const char *name);
const char *adaptswap_cause_name(int cause);
const char *adaptswap_event_type_name(int type);

#ifdef __cplusplus
}
#endif

#endif /* ADAPTSWAP_LIB_H */
