// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libadaptswap: names of levels, causes, event types, knobs, counters and
 * rates; parsing of KEY=VALUE settings and of plain decimal numbers.  Pure
 * functions, no netlink: the daemon's policy and configuration use them
 * too (see adaptswap.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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
	[ADAPTSWAP_CAUSE_REFAULT] = "refault",
};

static const char *const type_names[__ADAPTSWAP_EVENT_MAX] = {
	[ADAPTSWAP_EVENT_LEVEL] = "level",
	[ADAPTSWAP_EVENT_REPEAT] = "repeat",
	[ADAPTSWAP_EVENT_OOM] = "oom",
};

/* The public enums (adaptswap.h) index runs of attributes (the uapi
 * header); the module checks the same. */
_Static_assert(ADAPTSWAP_A_ENABLED + ADAPTSWAP_NR_KNOBS - 1 == ADAPTSWAP_A_EVENT_INTERVAL_MS,
	       "enum adaptswap_knob does not match the knob attributes");
_Static_assert(ADAPTSWAP_A_EVENTS_SENT + ADAPTSWAP_NR_COUNTERS - 1 == ADAPTSWAP_A_SHRINKER_CALLS,
	       "enum adaptswap_counter does not match the counter attributes");
_Static_assert(ADAPTSWAP_A_SCAN_RATE + ADAPTSWAP_NR_RATES - 1 == ADAPTSWAP_A_REFAULT_RATE,
	       "enum adaptswap_rate does not match the rate attributes");

static const char *const knob_names[ADAPTSWAP_NR_KNOBS] = {
	"enabled", "low_pct", "medium_pct", "critical_pct", "hysteresis_pct",
	"sample_idle_ms", "sample_fast_ms", "event_interval_ms",
};

static const char *const counter_names[ADAPTSWAP_NR_COUNTERS] = {
	"events_sent", "events_dropped", "kswapd_wakeups", "direct_reclaims",
	"oom_kills", "samples", "shrinker_calls",
};

static const char *const rate_names[ADAPTSWAP_NR_RATES] = {
	"scan", "stall", "swapin", "swapout", "refault",
};


const char *adaptswap_lib_version(void)
{
	return ADAPTSWAP_VERSION;
}

#define NAME_OF(table, i) \
	((i) >= 0 && (size_t)(i) < sizeof(table) / sizeof((table)[0]) ? (table)[i] : NULL)

const char *adaptswap_level_name(int level)
{
	const char *s = NAME_OF(level_names, level);

	return s ? s : "?";
}

static int parse_name(const char *const *table, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (table[i] && strcmp(name, table[i]) == 0)
			return i;
	return -1;
}

int adaptswap_level_parse(const char *name)
{
	return parse_name(level_names, __ADAPTSWAP_LEVEL_MAX, name);
}

const char *adaptswap_cause_name(int cause)
{
	const char *s = NAME_OF(cause_names, cause);

	return s ? s : "?";
}

const char *adaptswap_event_type_name(int type)
{
	const char *s = NAME_OF(type_names, type);

	return s ? s : "?";
}

const char *adaptswap_knob_name(int knob)
{
	return NAME_OF(knob_names, knob);
}

int adaptswap_knob_parse(const char *name)
{
	return parse_name(knob_names, ADAPTSWAP_NR_KNOBS, name);
}

const char *adaptswap_counter_name(int counter)
{
	return NAME_OF(counter_names, counter);
}

const char *adaptswap_rate_name(int rate)
{
	return NAME_OF(rate_names, rate);
}

int adaptswap_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;
	bool big = false;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (n > (UINT64_MAX - digit) / 10)
			big = true;	/* keep looking for a non-digit */
		else
			n = n * 10 + digit;
	}
	if (big || n > max)
		return -ERANGE;
	*v = n;
	return 0;
}

int adaptswap_setting_parse(const char *arg, struct adaptswap_setting *s,
			    char *err, size_t errlen)
{
	const char *eq = arg ? strchr(arg, '=') : NULL;
	char key[64];
	const char *v;
	uint64_t val = 0;
	int knob;

	if (!eq) {
		snprintf(err, errlen, "'%s': expected KEY=VALUE", arg ? arg : "");
		return -EINVAL;
	}
	if ((size_t)(eq - arg) >= sizeof(key) || eq == arg) {
		snprintf(err, errlen, "'%s': bad key", arg);
		return -EINVAL;
	}
	memcpy(key, arg, eq - arg);
	key[eq - arg] = '\0';
	knob = adaptswap_knob_parse(key);
	if (knob < 0) {
		snprintf(err, errlen, "unknown knob '%s'", key);
		return -EINVAL;
	}
	v = eq + 1;
	if (!*v) {
		snprintf(err, errlen, "%s: empty value", key);
		return -EINVAL;
	}
	switch (adaptswap_parse_u64(v, UINT32_MAX, &val)) {
	case 0:
		break;
	case -ERANGE:
		snprintf(err, errlen, "%s: %s is too large", key, v);
		return -EINVAL;
	default:
		snprintf(err, errlen, "%s: '%s' is not a non-negative decimal number", key, v);
		return -EINVAL;
	}
	s->knob = knob;
	s->value = (uint32_t)val;
	return 0;
}
