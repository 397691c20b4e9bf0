// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of lib/json.c: the writer's escaping and layout, the checker. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

/* What the writer makes of one string value. */
static const char *written(const char *s)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	asj_put_string(f, s);
	fclose(f);
	return buf;
}

static int valid(const char *s)
{
	return asj_check(s, strlen(s), NULL, NULL) == 0;
}

static void test_escaping(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "\"plain\"" },
		{ "", "\"\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "/mnt/as\"q\\b", "\"/mnt/as\\\"q\\\\b\"" },
		{ "line\nbreak\ttab\rcr", "\"line\\nbreak\\ttab\\rcr\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		/* not UTF-8: a lone continuation byte, a cut sequence, an
		 * overlong '/', a surrogate, above U+10FFFF, 0xff */
		{ "a\x80z", "\"a\xef\xbf\xbdz\"" },
		{ "\xe2\x82", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xff", "\"\xef\xbf\xbd\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w = written(cases[i].in);

		ok(!strcmp(w, cases[i].out), "escaping case %zu", i);
		ok(valid(w), "escaping case %zu is valid JSON", i);
	}
	ok(!strcmp(written(NULL), "\"\""), "NULL is the empty string");
}

static void test_layout(void)
{
	char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct asj j;

	asj_begin(&j, f);
	asj_object(&j, NULL);
	asj_string(&j, "dir", "a\"b\\c\nd");
	asj_u64(&j, "big", UINT64_MAX);
	asj_i64(&j, "neg", -1);
	asj_bool(&j, "t", true);
	asj_null(&j, "n");
	asj_double(&j, "d", 0.25, 3);
	asj_double(&j, "nan", 0.0 / 0.0, 3);
	asj_array(&j, "a");
	asj_u64(&j, "ignored key in an array", 1);
	asj_object(&j, NULL);
	asj_end(&j);
	asj_array(&j, NULL);
	asj_end(&j);
	asj_end(&j);
	asj_raw(&j, "raw", " {\"x\": [1, 2]}\n", 15);
	asj_end(&j);
	/* a second document on a line of its own */
	asj_object(&j, NULL);
	asj_end(&j);
	fclose(f);
	ok(!strcmp(buf, "{\"dir\":\"a\\\"b\\\\c\\nd\",\"big\":18446744073709551615,\"neg\":-1,"
		   "\"t\":true,\"n\":null,\"d\":0.250,\"nan\":null,\"a\":[1,{},[]],"
		   "\"raw\":{\"x\": [1, 2]}}\n{}\n"), "layout: members, nesting, one line a document");
	buf[strchr(buf, '\n') - buf] = '\0';
	ok(valid(buf), "the first line is valid JSON");
	ok(!strchr(buf, '\n'), "no newline inside the document");
}

static void test_checker(void)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-0", "1.5e-3", "-12E+2", "\"\"", "true", "false", "null",
		" \t\r\n{ \"a\" : [ 1 , { } ] } \n", "\"\\u00e9\\n\\/\\\"\"", "[[[[]]]]",
		"{\"a\":{\"b\":{\"c\":null}}}", "\"caf\xc3\xa9\"", "1e5", "0.0",
	};
	static const char *const bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "{\"a\" 1}", "01", "1.",
		".5", "+1", "-", "1e", "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "tru",
		"nul", "{} {}", "{}x", "[1 2]", "\"\x80\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
		"NaN", "Infinity", "'a'", "{\"a\":}", "[,1]", "{\"a\":1 \"b\":2}",
	};
	char deep[1200];
	size_t where;
	const char *why;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(valid(good[i]), "valid %zu: %s", i, written(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!valid(bad[i]), "invalid %zu: %s", i, written(bad[i]));
	ok(asj_check("{\"a\":1}\0", 8, NULL, NULL) < 0, "a NUL byte after the value");
	ok(asj_check("[1,]", 4, &where, &why) < 0 && where == 3 && why,
	   "the error's offset (%zu) and reason (%s)", where, why);
	memset(deep, '[', 600);
	memset(deep + 600, ']', 600);
	ok(asj_check(deep, 1200, NULL, NULL) < 0, "nesting beyond 512 is refused");
	ok(asj_check(deep + 100, 1000, NULL, NULL) == 0, "nesting of 500 is fine");
}

/* Whatever bytes a string holds, the writer's output is valid JSON. */
static void test_any_bytes(void)
{
	unsigned seed = 12345;
	int bad = 0;

	for (int n = 0; n < 2000; n++) {
		char s[40], out[400];
		size_t len = (size_t)(n % 39);
		FILE *f;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			s[i] = (char)((seed >> 16) % 255 + 1);
		}
		s[len] = '\0';
		f = fmemopen(out, sizeof(out), "w");
		asj_put_string(f, s);
		fclose(f);
		bad += !valid(out);
	}
	is_int(bad, 0, "2000 random byte strings written as valid JSON");
}

int main(void)
{
	test_escaping();
	test_layout();
	test_checker();
	test_any_bytes();
	return tap_done();
}
