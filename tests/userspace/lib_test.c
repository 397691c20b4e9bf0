// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of libadaptswap's pure helpers. */
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
	return tap_done();
}
