// SPDX-License-Identifier: LGPL-2.1-or-later
/* libadaptswap: names, parsing and the netlink client. */
#include <string.h>

#include "adaptswap.h"

#ifndef ADAPTSWAP_VERSION
#define ADAPTSWAP_VERSION "unknown"
#endif

static const char *const level_names[__ADAPTSWAP_LEVEL_MAX] = {
	[ADAPTSWAP_LEVEL_NONE] = "none",
	[ADAPTSWAP_LEVEL_LOW] = "low",
	[ADAPTSWAP_LEVEL_MEDIUM] = "medium",
	[ADAPTSWAP_LEVEL_CRITICAL] = "critical",
};

static const char *const cause_names[__ADAPTSWAP_CAUSE_MAX] = {
	[ADAPTSWAP_CAUSE_NONE] = "none",
	[ADAPTSWAP_CAUSE_SAMPLE] = "sample",
	[ADAPTSWAP_CAUSE_KSWAPD] = "kswapd",
	[ADAPTSWAP_CAUSE_DIRECT_RECLAIM] = "direct_reclaim",
	[ADAPTSWAP_CAUSE_SHRINKER] = "shrinker",
	[ADAPTSWAP_CAUSE_OOM] = "oom",
	[ADAPTSWAP_CAUSE_KNOB] = "knob",
};

static const char *const type_names[__ADAPTSWAP_EVENT_MAX] = {
	[ADAPTSWAP_EVENT_LEVEL] = "level",
	[ADAPTSWAP_EVENT_REPEAT] = "repeat",
	[ADAPTSWAP_EVENT_OOM] = "oom",
};

const char *adaptswap_lib_version(void)
{
	return ADAPTSWAP_VERSION;
}

const char *adaptswap_level_name(int level)
{
	if (level < 0 || level >= __ADAPTSWAP_LEVEL_MAX)
		return "?";
	return level_names[level];
}

int adaptswap_level_parse(const char *name)
{
	for (int i = 0; i < __ADAPTSWAP_LEVEL_MAX; i++)
		if (name && strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

const char *adaptswap_cause_name(int cause)
{
	if (cause < 0 || cause >= __ADAPTSWAP_CAUSE_MAX)
		return "?";
	return cause_names[cause];
}

const char *adaptswap_event_type_name(int type)
{
	if (type < 0 || type >= __ADAPTSWAP_EVENT_MAX)
		return "?";
	return type_names[type];
}
