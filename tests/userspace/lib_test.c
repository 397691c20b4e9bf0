// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of libadaptswap's pure helpers. */
#include <errno.h>
#include <string.h>

#include "adaptswap.h"
#include "tap.h"

int main(void)
{
	static const char *const names[] = { "none", "low", "medium", "critical" };

	for (int i = 0; i < 4; i++) {
		ok(!strcmp(adaptswap_level_name(i), names[i]), "level %d is %s", i, names[i]);
		is_int(adaptswap_level_parse(names[i]), i, names[i]);
	}
	ok(!strcmp(adaptswap_level_name(-1), "?"), "negative level has no name");
	ok(!strcmp(adaptswap_level_name(4), "?"), "level past critical has no name");
	is_int(adaptswap_level_parse("Critical"), -1, "level names are case-sensitive");
	is_int(adaptswap_level_parse(""), -1, "empty level name");
	is_int(adaptswap_level_parse(NULL), -1, "NULL level name");
	ok(!strcmp(adaptswap_cause_name(ADAPTSWAP_CAUSE_OOM), "oom"), "cause oom");
	ok(!strcmp(adaptswap_cause_name(99), "?"), "unknown cause");
	ok(!strcmp(adaptswap_event_type_name(ADAPTSWAP_EVENT_REPEAT), "repeat"), "type repeat");
	ok(adaptswap_lib_version()[0] != '\0', "library has a version");

	/* knob names match the sysfs files and the attribute order */
	static const char *const knobs[] = { "enabled", "low_pct", "medium_pct",
		"critical_pct", "hysteresis_pct", "sample_idle_ms", "sample_fast_ms",
		"event_interval_ms" };
	is_int(sizeof(knobs) / sizeof(knobs[0]), ADAPTSWAP_NR_KNOBS, "knob count");
	is_int(ADAPTSWAP_A_ENABLED + ADAPTSWAP_NR_KNOBS - 1, ADAPTSWAP_A_EVENT_INTERVAL_MS,
	       "knob attributes are contiguous");
	is_int(ADAPTSWAP_A_EVENTS_SENT + ADAPTSWAP_NR_COUNTERS - 1, ADAPTSWAP_A_SHRINKER_CALLS,
	       "counter attributes are contiguous");
	for (int i = 0; i < ADAPTSWAP_NR_KNOBS; i++) {
		ok(!strcmp(adaptswap_knob_name(i), knobs[i]), "knob %d is %s", i, knobs[i]);
		is_int(adaptswap_knob_parse(knobs[i]), i, knobs[i]);
	}
	ok(adaptswap_knob_name(ADAPTSWAP_NR_KNOBS) == NULL, "no knob past the last");
	ok(adaptswap_counter_name(ADAPTSWAP_NR_COUNTERS) == NULL, "no counter past the last");

	/* KEY=VALUE parsing */
	struct adaptswap_setting st;
	char err[128];
	static const struct { const char *in; int ret; int knob; unsigned value; const char *msg; } cases[] = {
		{ "low_pct=30", 0, ADAPTSWAP_KNOB_LOW_PCT, 30, NULL },
		{ "enabled=0", 0, ADAPTSWAP_KNOB_ENABLED, 0, NULL },
		{ "event_interval_ms=4294967295", 0, ADAPTSWAP_KNOB_EVENT_INTERVAL_MS, 4294967295u, NULL },
		{ "sample_fast_ms=007", 0, ADAPTSWAP_KNOB_SAMPLE_FAST_MS, 7, NULL },
		{ "low_pct=4294967296", -22, 0, 0, "too large" },
		{ "low_pct=99999999999999999999999", -22, 0, 0, "too large" },
		{ "low_pct=-1", -22, 0, 0, "not a non-negative decimal" },
		{ "low_pct=+1", -22, 0, 0, "not a non-negative decimal" },
		{ "low_pct= 1", -22, 0, 0, "not a non-negative decimal" },
		{ "low_pct=1 ", -22, 0, 0, "not a non-negative decimal" },
		{ "low_pct=", -22, 0, 0, "empty value" },
		{ "low_pct", -22, 0, 0, "expected KEY=VALUE" },
		{ "=1", -22, 0, 0, "bad key" },
		{ "level=1", -22, 0, 0, "unknown knob 'level'" },
		{ "samples=1", -22, 0, 0, "unknown knob" },
		{ "low_pct=1=2", -22, 0, 0, "not a non-negative decimal" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", -22, 0, 0, "bad key" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		memset(&st, 0xff, sizeof(st));
		err[0] = '\0';
		r = adaptswap_setting_parse(cases[i].in, &st, err, sizeof(err));
		if (cases[i].ret == 0)
			ok(r == 0 && (int)st.knob == cases[i].knob && st.value == cases[i].value,
			   "parse '%s'", cases[i].in);
		else
			ok(r == cases[i].ret && strstr(err, cases[i].msg),
			   "refuse '%s' (%s)", cases[i].in, err);
	}
	ok(adaptswap_setting_parse(NULL, &st, err, sizeof(err)) == -22, "refuse NULL");

	/* plain decimal numbers: one parser for the library, CLI and daemon */
	static const struct { const char *in; uint64_t max; int ret; uint64_t v; } nums[] = {
		{ "0", 10, 0, 0 },
		{ "007", 10, 0, 7 },
		{ "10", 10, 0, 10 },
		{ "11", 10, -ERANGE, 0 },
		{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX },
		{ "18446744073709551616", UINT64_MAX, -ERANGE, 0 },
		{ "99999999999999999999999", UINT64_MAX, -ERANGE, 0 },
		{ "99999999999999999999999x", UINT64_MAX, -EINVAL, 0 },
		{ "", 10, -EINVAL, 0 },
		{ "-1", 10, -EINVAL, 0 },
		{ "+1", 10, -EINVAL, 0 },
		{ " 1", 10, -EINVAL, 0 },
		{ "1 ", 10, -EINVAL, 0 },
		{ "0x10", 100, -EINVAL, 0 },
		{ "1e3", 10000, -EINVAL, 0 },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		uint64_t v = 12345;
		int r = adaptswap_parse_u64(nums[i].in, nums[i].max, &v);

		ok(r == nums[i].ret && (r ? v == 12345 : v == nums[i].v), "number '%s' (max %llu): %d",
		   nums[i].in, (unsigned long long)nums[i].max, r);
	}
	ok(adaptswap_parse_u64(NULL, 10, &(uint64_t){ 0 }) == -EINVAL, "number NULL");
	return tap_done();
}
