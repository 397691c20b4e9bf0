// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of adaptswapd's configuration: parser, dump, resolve. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>

#include <linux/adaptswap.h>

#include "asd.h"
#include "tap.h"

#define MiB ASD_MIB
#define GiB (1024 * ASD_MIB)

/* The text of a test case on one TAP line: newlines as \n, long as ... */
static const char *esc(const char *s)
{
	static char buf[96];
	size_t n = 0;

	for (; *s && n + 5 < sizeof(buf); s++) {
		if (*s == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = (unsigned char)*s < 0x20 ? '?' : *s;
		}
	}
	if (*s)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "...");
	buf[n] = '\0';
	return buf;
}

static void test_defaults(void)
{
	struct asd_config c;

	memset(&c, 0x5a, sizeof(c));
	asd_config_defaults(&c);
	ok(!strcmp(c.dir, "/var/lib/adaptswap"), "default dir");
	is_int(c.source, ASD_SOURCE_AUTO, "default source");
	is_int(c.chunk_mb, 0, "default chunk_mb auto");
	is_int(c.max_swap_mb, 0, "default max_swap_mb auto");
	is_int(c.max_disk_pct, 50, "default max_disk_pct");
	is_int(c.min_free_mb, 0, "default min_free_mb auto");
	is_int(c.floor_mb, 0, "default floor_mb");
	is_int(c.standby, 1, "default standby");
	is_int(c.grow_level, ADAPTSWAP_LEVEL_LOW, "default grow_level");
	is_int(c.grow_free_pct, 50, "default grow_free_pct");
	is_int(c.shrink_quiet_s, 120, "default shrink_quiet_s");
	is_int(c.shrink_margin_pct, 50, "default shrink_margin_pct");
	is_int(c.swappiness_control, 1, "default swappiness_control");
	is_int(c.swappiness_min, 10, "default swappiness_min");
	is_int(c.swappiness_max, 100, "default swappiness_max");
	is_int(c.psi_stall_us, 100000, "default psi_stall_us");
	is_int(c.psi_window_us, 1000000, "default psi_window_us");
	is_int(c.psi_low_pct, 20, "default psi_low_pct");
	ok(c.action_command[0] == '\0', "default action_command empty");
	is_int(c.action_swap_used_pct, 90, "default action_swap_used_pct");
	is_int(c.action_swapin_rate, 2000, "default action_swapin_rate");
	is_int(c.action_after_s, 30, "default action_after_s");
	is_int(c.action_interval_s, 600, "default action_interval_s");
	is_int(c.log_level, LOG_INFO, "default log_level");
}

static const char full_text[] =
	"# every key, none at its default\n"
	"\n"
	"dir = /srv/swap\n"
	"source = psi\n"
	"chunk_mb = 256\n"
	"max_swap_mb = 4096\n"
	"max_disk_pct = 30\n"
	"min_free_mb = 1024\n"
	"floor_mb = 512\n"
	"standby = no\n"
	"grow_level = medium\n"
	"grow_free_pct = 25\n"
	"shrink_quiet_s = 300\n"
	"shrink_margin_pct = 0\n"
	"swappiness_control = off\n"
	"swappiness_min = 0\n"
	"swappiness_max = 200\n"
	"psi_stall_us = 150000\n"
	"psi_window_us = 2000000\n"
	"psi_low_pct = 15\n"
	"action_command = systemctl restart --no-block big.service && logger a=b\n"
	"action_swap_used_pct = 80\n"
	"action_swapin_rate = 5000\n"
	"action_after_s = 60\n"
	"action_interval_s = 3600\n"
	"log_level = debug\n";

static void check_full(const struct asd_config *c, const char *what)
{
	ok(!strcmp(c->dir, "/srv/swap"), "%s: dir", what);
	is_int(c->source, ASD_SOURCE_PSI, "source");
	is_int(c->chunk_mb, 256, "chunk_mb");
	is_int(c->max_swap_mb, 4096, "max_swap_mb");
	is_int(c->max_disk_pct, 30, "max_disk_pct");
	is_int(c->min_free_mb, 1024, "min_free_mb");
	is_int(c->floor_mb, 512, "floor_mb");
	is_int(c->standby, 0, "standby");
	is_int(c->grow_level, ADAPTSWAP_LEVEL_MEDIUM, "grow_level");
	is_int(c->grow_free_pct, 25, "grow_free_pct");
	is_int(c->shrink_quiet_s, 300, "shrink_quiet_s");
	is_int(c->shrink_margin_pct, 0, "shrink_margin_pct");
	is_int(c->swappiness_control, 0, "swappiness_control");
	is_int(c->swappiness_min, 0, "swappiness_min");
	is_int(c->swappiness_max, 200, "swappiness_max");
	is_int(c->psi_stall_us, 150000, "psi_stall_us");
	is_int(c->psi_window_us, 2000000, "psi_window_us");
	is_int(c->psi_low_pct, 15, "psi_low_pct");
	ok(!strcmp(c->action_command,
		   "systemctl restart --no-block big.service && logger a=b"),
	   "%s: action_command keeps '=' and spaces", what);
	is_int(c->action_swap_used_pct, 80, "action_swap_used_pct");
	is_int(c->action_swapin_rate, 5000, "action_swapin_rate");
	is_int(c->action_after_s, 60, "action_after_s");
	is_int(c->action_interval_s, 3600, "action_interval_s");
	is_int(c->log_level, LOG_DEBUG, "log_level");
}

static void test_every_key(void)
{
	struct asd_config c;
	char err[256] = "x";

	asd_config_defaults(&c);
	is_int(asd_config_parse("full.conf", full_text, &c, err, sizeof(err)), 0, "full file parses");
	ok(err[0] == '\0', "no error message on success");
	check_full(&c, "full");
}

/* Good syntax variants: one key, its expected effect. */
static void test_syntax(void)
{
	static const struct {
		const char *text;
		const char *key;
		long long want;
	} cases[] = {
		{ "chunk_mb=16", "chunk_mb", 16 },
		{ "  chunk_mb\t=\t65536  \n", "chunk_mb", 65536 },
		{ "chunk_mb = 64 # a trailing comment\n", "chunk_mb", 64 },
		{ "chunk_mb = 64\t# tab before the comment\n", "chunk_mb", 64 },
		{ "chunk_mb = 064\r\n", "chunk_mb", 64 },
		{ "chunk_mb = auto\n", "chunk_mb", 0 },
		{ "chunk_mb = AUTO\n", "chunk_mb", 0 },
		{ "max_swap_mb = auto\n", "max_swap_mb", 0 },
		{ "max_swap_mb = 1073741824\n", "max_swap_mb", 1073741824 },
		{ "min_free_mb = auto\n", "min_free_mb", 0 },
		{ "min_free_mb = 1\n", "min_free_mb", 1 },
		{ "floor_mb = 0\n", "floor_mb", 0 },
		{ "# only comments\n   # indented comment\n\n\t\nfloor_mb = 32\n", "floor_mb", 32 },
		{ "max_disk_pct = 1\n", "max_disk_pct", 1 },
		{ "max_disk_pct = 100\n", "max_disk_pct", 100 },
		{ "grow_free_pct = 99\n", "grow_free_pct", 99 },
		{ "psi_low_pct = 1\n", "psi_low_pct", 1 },
		{ "action_swap_used_pct = 99\n", "action_swap_used_pct", 99 },
		{ "shrink_margin_pct = 1000\n", "shrink_margin_pct", 1000 },
		{ "shrink_quiet_s = 86400\n", "shrink_quiet_s", 86400 },
		{ "action_after_s = 1\n", "action_after_s", 1 },
		{ "action_interval_s = 86400\n", "action_interval_s", 86400 },
		{ "psi_window_us = 500000\n", "psi_window_us", 500000 },
		{ "psi_window_us = 10000000\npsi_stall_us = 10000000\n", "psi_stall_us", 10000000 },
		{ "psi_stall_us = 1\n", "psi_stall_us", 1 },
		{ "swappiness_max = 0\nswappiness_min = 0\n", "swappiness_max", 0 },
		{ "grow_level = critical\n", "grow_level", ADAPTSWAP_LEVEL_CRITICAL },
		{ "grow_level = low\n", "grow_level", ADAPTSWAP_LEVEL_LOW },
		{ "source = module\n", "source", ASD_SOURCE_MODULE },
		{ "source = auto\n", "source", ASD_SOURCE_AUTO },
		{ "log_level = error\n", "log_level", LOG_ERR },
		{ "log_level = warning\n", "log_level", LOG_WARNING },
		{ "log_level = info\n", "log_level", LOG_INFO },
		{ "standby = yes\n", "standby", 1 },
		{ "standby = no\n", "standby", 0 },
		{ "standby = true\n", "standby", 1 },
		{ "standby = false\n", "standby", 0 },
		{ "standby = 1\n", "standby", 1 },
		{ "standby = 0\n", "standby", 0 },
		{ "standby = on\n", "standby", 1 },
		{ "standby = off\n", "standby", 0 },
		{ "standby = Off # comment\n", "standby", 0 },
		{ "chunk_mb = 128\nmax_swap_mb = 128\nfloor_mb = 128\n", "floor_mb", 128 },
		{ "", "chunk_mb", 0 },
		{ "\n\n\n", "chunk_mb", 0 },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct asd_config c;
		long long got = -1;
		const char *k = cases[i].key;
		int rc;

		asd_config_defaults(&c);
		if (!strcmp(k, "swappiness_max"))
			c.swappiness_max = 7;
		rc = asd_config_parse("t.conf", cases[i].text, &c, err, sizeof(err));
		if (!strcmp(k, "chunk_mb")) got = (long long)c.chunk_mb;
		else if (!strcmp(k, "max_swap_mb")) got = (long long)c.max_swap_mb;
		else if (!strcmp(k, "min_free_mb")) got = (long long)c.min_free_mb;
		else if (!strcmp(k, "floor_mb")) got = (long long)c.floor_mb;
		else if (!strcmp(k, "max_disk_pct")) got = c.max_disk_pct;
		else if (!strcmp(k, "grow_free_pct")) got = c.grow_free_pct;
		else if (!strcmp(k, "psi_low_pct")) got = c.psi_low_pct;
		else if (!strcmp(k, "action_swap_used_pct")) got = c.action_swap_used_pct;
		else if (!strcmp(k, "shrink_margin_pct")) got = c.shrink_margin_pct;
		else if (!strcmp(k, "shrink_quiet_s")) got = c.shrink_quiet_s;
		else if (!strcmp(k, "action_after_s")) got = c.action_after_s;
		else if (!strcmp(k, "action_interval_s")) got = c.action_interval_s;
		else if (!strcmp(k, "psi_window_us")) got = c.psi_window_us;
		else if (!strcmp(k, "psi_stall_us")) got = c.psi_stall_us;
		else if (!strcmp(k, "swappiness_max")) got = c.swappiness_max;
		else if (!strcmp(k, "grow_level")) got = c.grow_level;
		else if (!strcmp(k, "source")) got = c.source;
		else if (!strcmp(k, "log_level")) got = c.log_level;
		else if (!strcmp(k, "standby")) got = c.standby;
		ok(rc == 0 && got == cases[i].want, "good: '%s' -> %s = %lld (got %lld%s%s)",
		   esc(cases[i].text), k, cases[i].want, got, rc ? ", error " : "", rc ? err : "");
	}
}

/* Text values: the value as stored. */
static void test_text_values(void)
{
	static const struct {
		const char *text;
		const char *dir, *cmd;
	} cases[] = {
		{ "dir = /var/lib/a#b\n", "/var/lib/a#b", "" },
		{ "dir = /var/lib/swap # comment\n", "/var/lib/swap", "" },
		{ "dir = /var/lib/..x/y.. # names with dots\n", "/var/lib/..x/y..", "" },
		{ "dir = /a/./b/\n", "/a/./b/", "" },
		{ "dir = /\n", "/", "" },
		{ "action_command =\n", NULL, "" },
		{ "action_command = \t \n", NULL, "" },
		{ "action_command = # disabled\n", NULL, "" },
		{ "action_command = echo \"a # b\"   \n", NULL, "echo \"a # b\"" },
		{ "action_command = a=b c==d\n", NULL, "a=b c==d" },
		{ "action_command = x # y\n", NULL, "x # y" },
		{ "action_command = kill -TERM $(pidof big)\n", NULL, "kill -TERM $(pidof big)" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct asd_config c;
		int rc;

		asd_config_defaults(&c);
		snprintf(c.action_command, sizeof(c.action_command), "previous");
		if (!cases[i].dir)
			rc = asd_config_parse("t.conf", cases[i].text, &c, err, sizeof(err));
		else
			rc = asd_config_parse("t.conf", cases[i].text, &c, err, sizeof(err)) ||
			     strcmp(c.action_command, "previous");
		ok(rc == 0 && (cases[i].dir ? !strcmp(c.dir, cases[i].dir) :
			       !strcmp(c.action_command, cases[i].cmd)),
		   "text: '%s' -> '%s' (dir '%s', action_command '%s')", esc(cases[i].text),
		   cases[i].dir ? cases[i].dir : cases[i].cmd, c.dir, c.action_command);
	}
}

/*
 * Parse text that must fail; check "t.conf:LINE: " (or "t.conf: " for
 * line 0), the key, the problem, and that the config is untouched.
 */
static void bad(const char *text, unsigned line, const char *key, const char *what)
{
	struct asd_config c, before;
	char err[512], prefix[32];
	int rc;

	asd_config_defaults(&c);
	c.chunk_mb = 96;			/* not a default: must survive */
	snprintf(c.action_command, sizeof(c.action_command), "keep me");
	before = c;
	memset(err, 'x', sizeof(err));
	rc = asd_config_parse("t.conf", text, &c, err, sizeof(err));
	if (line)
		snprintf(prefix, sizeof(prefix), "t.conf:%u: ", line);
	else
		snprintf(prefix, sizeof(prefix), "t.conf: ");
	ok(rc == -1 && !strncmp(err, prefix, strlen(prefix)) &&
	   (!key || strstr(err, key)) && strstr(err, what) &&
	   !memcmp(&c, &before, sizeof(c)),
	   "bad: '%s' -> [%s] (want %s%s%s / %s)", esc(text), rc ? err : "accepted",
	   prefix, key ? key : "", key ? ":" : "", what);
}

static void test_bad(void)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *key, *what;
	} cases[] = {
		/* syntax */
		{ "chunk_mb 128\n", 1, "chunk_mb", "no '='" },
		{ "# c\nstandby\n", 2, "standby", "no '='" },
		{ " = 5\n", 1, NULL, "empty key" },
		{ "=\n", 1, NULL, "empty key" },
		{ "bogus = 1\n", 1, "bogus", "unknown key" },
		{ "Chunk_MB = 1\n", 1, "Chunk_MB", "unknown key" },
		{ "chunk_mb # = 64\n", 1, "chunk_mb #", "unknown key" },
		{ "dir = /a\n\n\nchunk-mb = 64\n", 4, "chunk-mb", "unknown key" },
		{ "chunk_mb = 64\nstandby = no\nchunk_mb = 128\n", 3, "chunk_mb", "duplicate key (first set at line 1)" },
		{ "action_command =\naction_command = x\n", 2, "action_command", "duplicate" },
		/* empty values */
		{ "chunk_mb =\n", 1, "chunk_mb", "empty value" },
		{ "chunk_mb = # nothing\n", 1, "chunk_mb", "empty value" },
		{ "dir =   \n", 1, "dir", "empty value" },
		{ "standby =\n", 1, "standby", "empty value" },
		{ "source =\n", 1, "source", "empty value" },
		{ "grow_level =\n", 1, "grow_level", "empty value" },
		{ "log_level =\n", 1, "log_level", "empty value" },
		{ "max_disk_pct =\n", 1, "max_disk_pct", "empty value" },
		/* numbers */
		{ "chunk_mb = abc\n", 1, "chunk_mb", "not a number" },
		{ "chunk_mb = 128M\n", 1, "chunk_mb", "not a number" },
		{ "chunk_mb = 0x40\n", 1, "chunk_mb", "not a number" },
		{ "chunk_mb = +64\n", 1, "chunk_mb", "not a number" },
		{ "chunk_mb = 6 4\n", 1, "chunk_mb", "not a number" },
		{ "chunk_mb = 64.5\n", 1, "chunk_mb", "not a number" },
		{ "chunk_mb = 64#c\n", 1, "chunk_mb", "not a number" },
		{ "floor_mb = auto\n", 1, "floor_mb", "not a number" },
		{ "max_disk_pct = auto\n", 1, "max_disk_pct", "not a number" },
		{ "max_disk_pct = -5\n", 1, "max_disk_pct", "negative" },
		{ "floor_mb = -0\n", 1, "floor_mb", "negative" },
		{ "floor_mb = 18446744073709551616\n", 1, "floor_mb", "overflow" },
		{ "floor_mb = 99999999999999999999999999\n", 1, "floor_mb", "overflow" },
		{ "floor_mb = 18446744073709551615\n", 1, "floor_mb", "too large" },
		{ "max_swap_mb = 1073741825\n", 1, "max_swap_mb", "too large" },
		{ "min_free_mb = 1073741825\n", 1, "min_free_mb", "too large" },
		{ "max_disk_pct = 4294967296\n", 1, "max_disk_pct", "too large" },
		{ "psi_window_us = 4294967297\n", 1, "psi_window_us", "too large" },
		/* ranges */
		{ "chunk_mb = 15\n", 1, "chunk_mb", "out of range 16..65536 (or auto)" },
		{ "chunk_mb = 65537\n", 1, "chunk_mb", "out of range" },
		{ "chunk_mb = 0\n", 1, "chunk_mb", "out of range" },
		{ "max_swap_mb = 0\n", 1, "max_swap_mb", "out of range" },
		{ "max_swap_mb = 15\n", 1, "max_swap_mb", "out of range" },
		{ "min_free_mb = 0\n", 1, "min_free_mb", "out of range" },
		{ "max_disk_pct = 0\n", 1, "max_disk_pct", "out of range 1..100" },
		{ "max_disk_pct = 101\n", 1, "max_disk_pct", "out of range" },
		{ "grow_free_pct = 0\n", 1, "grow_free_pct", "out of range 1..99" },
		{ "grow_free_pct = 100\n", 1, "grow_free_pct", "out of range" },
		{ "psi_low_pct = 0\n", 1, "psi_low_pct", "out of range" },
		{ "psi_low_pct = 100\n", 1, "psi_low_pct", "out of range" },
		{ "action_swap_used_pct = 0\n", 1, "action_swap_used_pct", "out of range" },
		{ "action_swap_used_pct = 100\n", 1, "action_swap_used_pct", "out of range" },
		{ "shrink_margin_pct = 1001\n", 1, "shrink_margin_pct", "out of range 0..1000" },
		{ "shrink_quiet_s = 0\n", 1, "shrink_quiet_s", "out of range 1..86400" },
		{ "shrink_quiet_s = 86401\n", 1, "shrink_quiet_s", "out of range" },
		{ "action_after_s = 0\n", 1, "action_after_s", "out of range" },
		{ "action_after_s = 86401\n", 1, "action_after_s", "out of range" },
		{ "action_interval_s = 0\n", 1, "action_interval_s", "out of range" },
		{ "action_interval_s = 86401\n", 1, "action_interval_s", "out of range" },
		{ "action_swapin_rate = 0\n", 1, "action_swapin_rate", "out of range" },
		{ "swappiness_min = 201\n", 1, "swappiness_min", "out of range 0..200" },
		{ "swappiness_max = 201\n", 1, "swappiness_max", "out of range" },
		{ "psi_window_us = 499999\n", 1, "psi_window_us", "out of range 500000..10000000" },
		{ "psi_window_us = 10000001\n", 1, "psi_window_us", "out of range" },
		{ "psi_stall_us = 0\n", 1, "psi_stall_us", "out of range" },
		/* words */
		{ "standby = maybe\n", 1, "standby", "expected yes|no|true|false|1|0|on|off" },
		{ "standby = yes#no\n", 1, "standby", "expected" },
		{ "standby = 2\n", 1, "standby", "expected" },
		{ "grow_level = none\n", 1, "grow_level", "expected low|medium|critical" },
		{ "grow_level = high\n", 1, "grow_level", "expected" },
		{ "source = kernel\n", 1, "source", "expected auto|module|psi" },
		{ "log_level = verbose\n", 1, "log_level", "expected error|warning|info|debug" },
		{ "log_level = 7\n", 1, "log_level", "expected" },
		/* paths */
		{ "dir = var/lib/adaptswap\n", 1, "dir", "not an absolute path" },
		{ "dir = ./swap\n", 1, "dir", "not an absolute path" },
		{ "dir = /var/../etc\n", 1, "dir", "'..' component" },
		{ "dir = /var/lib/..\n", 1, "dir", "'..' component" },
		{ "dir = /..\n", 1, "dir", "'..' component" },
		{ "dir = /a\x01" "b\n", 1, "dir", "control character" },
		/* cross-key: at the line of the later key, or without a line */
		{ "chunk_mb = 1024\nmax_swap_mb = 512\n", 2, "max_swap_mb 512 is below chunk_mb 1024", "below" },
		{ "max_swap_mb = 512\n\nchunk_mb = 1024\n", 3, "chunk_mb", "below" },
		{ "floor_mb = 1024\nmax_swap_mb = 512\n", 2, "floor_mb 1024 is above max_swap_mb 512", "above" },
		{ "max_swap_mb = 512\nfloor_mb = 513\n", 2, "floor_mb", "above" },
		{ "swappiness_max = 50\nswappiness_min = 60\n", 2, "swappiness_min 60 is above swappiness_max 50", "above" },
		{ "swappiness_min = 60\n# x\nswappiness_max = 50\n", 3, "swappiness_min", "above" },
		{ "swappiness_min = 150\n", 1, "swappiness_max 100", "above" },
		{ "log_level = info\nswappiness_max = 5\nstandby = no\n", 2, "swappiness_min 10", "above" },
		{ "psi_window_us = 500000\n#\npsi_stall_us = 600000\n", 3, "psi_stall_us 600000 is above psi_window_us 500000", "above" },
		{ "psi_stall_us = 2000000\n", 1, "psi_window_us 1000000", "above" },
		/* the first error wins */
		{ "bogus = 1\nchunk_mb = x\n", 1, "bogus", "unknown key" },
		{ "chunk_mb = 64\nchunk_mb = x\nmax_swap_mb = 1\n", 2, "chunk_mb", "duplicate" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bad(cases[i].text, cases[i].line, cases[i].key, cases[i].what);
}

static void test_bad_built(void)
{
	char *text = malloc(8192);
	struct asd_config c;
	char err[256];
	size_t n;

	/* a line of exactly 4096 bytes is fine, 4097 is not */
	n = (size_t)sprintf(text, "chunk_mb = 64\n");
	memset(text + n, '#', 4096);
	strcpy(text + n + 4096, "\nfloor_mb = 8\n");
	asd_config_defaults(&c);
	ok(asd_config_parse("t.conf", text, &c, err, sizeof(err)) == 0 && c.floor_mb == 8,
	   "a comment line of 4096 bytes is accepted");
	memset(text + n, '#', 4097);
	strcpy(text + n + 4097, "\nfloor_mb = 8\n");
	bad(text, 2, NULL, "line too long (4097 bytes, at most 4096)");

	/* dir: 255 bytes fit, 256 do not */
	n = (size_t)sprintf(text, "dir = /");
	memset(text + n, 'd', 254);
	strcpy(text + n + 254, "\n");
	asd_config_defaults(&c);
	ok(asd_config_parse("t.conf", text, &c, err, sizeof(err)) == 0 && strlen(c.dir) == 255,
	   "dir of 255 bytes is accepted");
	memset(text + n, 'd', 255);
	strcpy(text + n + 255, "\n");
	bad(text, 1, "dir", "too long (256 bytes, at most 255)");

	/* action_command: 511 bytes fit, 512 do not */
	n = (size_t)sprintf(text, "action_command = ");
	memset(text + n, 'a', 511);
	strcpy(text + n + 511, "\n");
	asd_config_defaults(&c);
	ok(asd_config_parse("t.conf", text, &c, err, sizeof(err)) == 0 &&
	   strlen(c.action_command) == 511, "action_command of 511 bytes is accepted");
	memset(text + n, 'a', 512);
	strcpy(text + n + 512, "\n");
	bad(text, 1, "action_command", "too long");
	free(text);

	/* line 0: the caller's struct already violates a cross-key rule */
	{
		struct asd_config before;

		asd_config_defaults(&c);
		c.swappiness_min = 150;
		before = c;
		ok(asd_config_parse("t.conf", "standby = no\n", &c, err, sizeof(err)) == -1 &&
		   !strncmp(err, "t.conf: swappiness_min 150", 26) &&
		   !memcmp(&c, &before, sizeof(c)),
		   "cross-key violation outside the file: no line (%s)", err);
	}

	/* a tiny error buffer: truncated, terminated, no overflow */
	{
		char small[12];

		memset(small, 'x', sizeof(small));
		asd_config_defaults(&c);
		ok(asd_config_parse("some/long/path.conf", "bogus = 1\n", &c, small, 8) == -1 &&
		   strlen(small) == 7 && small[8] == 'x', "error truncated to its buffer (%s)", small);
		ok(asd_config_parse("t.conf", "bogus = 1\n", &c, NULL, 0) == -1,
		   "a NULL error buffer is fine");
	}
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (len && fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void test_load(void)
{
	char dir[] = "/tmp/asd-config-test.XXXXXX", path[128], err[512];
	struct asd_config c, before;
	char *big;
	int rc;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/a.conf", dir);

	write_file(path, full_text, strlen(full_text));
	asd_config_defaults(&c);
	is_int(asd_config_load(path, &c, err, sizeof(err)), 0, "load a full file");
	check_full(&c, "loaded");

	asd_config_defaults(&c);
	before = c;
	{
		static const char nul[] = "standby = no\nchunk_mb = 6\0" "4\nfloor_mb = 1\n";

		write_file(path, nul, sizeof(nul) - 1);
	}
	rc = asd_config_load(path, &c, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "a.conf:2: NUL byte") && !memcmp(&c, &before, sizeof(c)),
	   "NUL byte refused at its line (%d, %s)", rc, err);

	write_file(path, "\0", 1);
	rc = asd_config_load(path, &c, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "a.conf:1: NUL byte"), "a lone NUL byte (%s)", err);

	write_file(path, "", 0);
	asd_config_defaults(&c);
	ok(asd_config_load(path, &c, err, sizeof(err)) == 0 && !memcmp(&c, &before, sizeof(c)),
	   "an empty file keeps the defaults");

	write_file(path, "floor_mb = 8", 12);
	ok(asd_config_load(path, &c, err, sizeof(err)) == 0 && c.floor_mb == 8,
	   "no newline at the end of the file");

	big = malloc(65537);
	memset(big, '\n', 65537);
	write_file(path, big, 65536);
	ok(asd_config_load(path, &c, err, sizeof(err)) == 0, "64 KiB file accepted");
	write_file(path, big, 65537);
	rc = asd_config_load(path, &c, err, sizeof(err));
	ok(rc == -EFBIG && strstr(err, "a.conf: ") && strstr(err, "too large"),
	   "64 KiB + 1 refused (%d, %s)", rc, err);
	free(big);

	unlink(path);
	rc = asd_config_load(path, &c, err, sizeof(err));
	ok(rc == -ENOENT && strstr(err, "a.conf: cannot open"), "missing file: -ENOENT (%s)", err);
	rc = asd_config_load(dir, &c, err, sizeof(err));
	ok(rc < 0 && strstr(err, dir), "a directory is refused (%d, %s)", rc, err);

	write_file(path, "bogus = 1\n", 10);
	rc = asd_config_load(path, &c, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "a.conf:1: unknown key 'bogus'"), "syntax error (%s)", err);
	unlink(path);
	rmdir(dir);
}

static void test_dump(void)
{
	struct asd_config a, b;
	char d1[4096], d2[4096], err[256];
	char *small;

	asd_config_defaults(&a);
	asd_config_dump(&a, NULL, d1, sizeof(d1));
	ok(strstr(d1, "chunk_mb = auto\n") && strstr(d1, "max_swap_mb = auto\n") &&
	   strstr(d1, "min_free_mb = auto\n") && strstr(d1, "dir = /var/lib/adaptswap\n") &&
	   strstr(d1, "standby = yes\n") && strstr(d1, "grow_level = low\n") &&
	   strstr(d1, "log_level = info\n") && strstr(d1, "action_command =\n") &&
	   strstr(d1, "source = auto\n"), "dump of the defaults");
	/* parse into a struct that differs everywhere, then compare dumps */
	asd_config_defaults(&b);
	is_int(asd_config_parse("dump", full_text, &b, err, sizeof(err)), 0, "prepare");
	is_int(asd_config_parse("dump", d1, &b, err, sizeof(err)), 0, "defaults dump parses");
	asd_config_dump(&b, NULL, d2, sizeof(d2));
	ok(!strcmp(d1, d2), "defaults: dump -> parse -> dump is stable");

	asd_config_defaults(&a);
	is_int(asd_config_parse("full", full_text, &a, err, sizeof(err)), 0, "full parses");
	asd_config_dump(&a, NULL, d1, sizeof(d1));
	asd_config_defaults(&b);
	is_int(asd_config_parse("dump", d1, &b, err, sizeof(err)), 0, "full dump parses");
	check_full(&b, "round trip");
	asd_config_dump(&b, NULL, d2, sizeof(d2));
	ok(!strcmp(d1, d2), "full: dump -> parse -> dump is stable");

	/* every key appears exactly once */
	{
		unsigned lines = 0;

		for (const char *q = d1; *q; q++)
			lines += *q == '\n';
		is_int(lines, ASD_CONFIG_NKEYS, "dump has one line per key");
	}

	/* truncation */
	small = malloc(40);
	memset(small, 'x', 40);
	asd_config_dump(&a, NULL, small, 30);
	ok(strlen(small) < 30 && small[30] == 'x', "dump truncated to its buffer");
	asd_config_dump(&a, NULL, small, 0);
	ok(small[30] == 'x', "dump into 0 bytes writes nothing");
	free(small);
}

/* The keys one by one: what conffile.c builds on (and drop-ins will). */
static void test_keys(void)
{
	struct asd_config c, before;
	char err[256], dump[4096], *line;
	int n = 0;

	is_int(asd_config_key("dir"), 0, "key dir is the first");
	is_int(asd_config_key("textfile_dir"), ASD_CONFIG_NKEYS - 1, "key textfile_dir is the last");
	is_int(asd_config_key("nosuch"), -1, "unknown key");
	is_int(asd_config_key("DIR"), -1, "key names are case-sensitive");
	ok(!strcmp(asd_config_key_name(asd_config_key("psi_low_pct")), "psi_low_pct"),
	   "key name of its number");
	ok(!strcmp(asd_config_key_name(ASD_CONFIG_NKEYS), "?"), "key name out of range");
	ok(asd_config_key_verbatim(asd_config_key("action_command")) &&
	   !asd_config_key_verbatim(asd_config_key("dir")), "only action_command is verbatim");

	/* each default, as the dump says it, is accepted by its key */
	asd_config_defaults(&c);
	asd_config_dump(&c, NULL, dump, sizeof(dump));
	for (line = strtok(dump, "\n"); line; line = strtok(NULL, "\n"), n++) {
		char *eq = strstr(line, " =");
		struct asd_config d = c;

		*eq = '\0';
		eq += eq[2] == ' ' ? 3 : 2;
		if (asd_config_set(&d, asd_config_key(line), eq, err, sizeof(err)) < 0 ||
		    memcmp(&d, &c, sizeof(c)))
			break;
	}
	is_int(n, ASD_CONFIG_NKEYS, "every default is a value its key accepts, unchanged");

	/* a refusal says why and changes nothing */
	asd_config_defaults(&c);
	before = c;
	is_int(asd_config_set(&c, asd_config_key("max_disk_pct"), "101", err, sizeof(err)), -1,
	       "set: out of range");
	ok(!strcmp(err, "max_disk_pct: 101 is out of range 1..100"), "set: the reason (%s)", err);
	is_int(asd_config_set(&c, asd_config_key("standby"), "", err, sizeof(err)), -1,
	       "set: empty value");
	ok(!strcmp(err, "standby: empty value"), "set: empty (%s)", err);
	is_int(asd_config_set(&c, -1, "1", err, sizeof(err)), -1, "set: no such key number");
	is_int(asd_config_set(&c, ASD_CONFIG_NKEYS, "1", NULL, 0), -1, "set: no message wanted");
	ok(!memcmp(&c, &before, sizeof(c)), "refusals changed nothing");
	is_int(asd_config_set(&c, asd_config_key("grow_level"), "Critical", err, sizeof(err)), 0,
	       "set: a word, any case");
	is_int(c.grow_level, ADAPTSWAP_LEVEL_CRITICAL, "set: stored");
}

/* Drop-ins: FILE.d/ *.conf after FILE, in the byte order of their names. */
static void test_dropins(void)
{
	char dir[] = "/tmp/asd-dropin-test.XXXXXX", path[128], dd[160], f[200], err[512];
	struct asd_config_origin org[ASD_CONFIG_NKEYS];
	struct asd_config c, before;
	int rc, mx = asd_config_key("max_swap_mb"), fl = asd_config_key("floor_mb");

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	snprintf(dd, sizeof(dd), "%s.d", path);
	write_file(path, "chunk_mb = 64\nmax_swap_mb = 1024\n", strlen("chunk_mb = 64\nmax_swap_mb = 1024\n"));

	/* no drop-in directory: the file alone, with its origins */
	asd_config_defaults(&c);
	is_int(asd_config_load_all(path, false, &c, org, err, sizeof(err)), 0, "no .d: loads");
	ok(c.max_swap_mb == 1024 && org[mx].line == 2 && !strcmp(org[mx].file, path),
	   "no .d: origin %s:%u", org[mx].file, org[mx].line);
	ok(org[fl].line == 0, "a default has line 0");

	mkdir(dd, 0755);
	snprintf(f, sizeof(f), "%s/9-b.conf", dd);
	write_file(f, "max_swap_mb = 2048\n", strlen("max_swap_mb = 2048\n"));
	snprintf(f, sizeof(f), "%s/10-a.conf", dd);
	write_file(f, "\nmax_swap_mb = 512\nfloor_mb = 16\n", strlen("\nmax_swap_mb = 512\nfloor_mb = 16\n"));
	snprintf(f, sizeof(f), "%s/99-x.conf~", dd);
	write_file(f, "max_swap_mb = 4096\n", strlen("max_swap_mb = 4096\n"));
	snprintf(f, sizeof(f), "%s/.conf", dd);
	write_file(f, "max_swap_mb = 4096\n", strlen("max_swap_mb = 4096\n"));
	asd_config_defaults(&c);
	is_int(asd_config_load_all(path, false, &c, org, err, sizeof(err)), 0, "drop-ins load");
	snprintf(f, sizeof(f), "%s/9-b.conf", dd);
	ok(c.max_swap_mb == 2048 && !strcmp(org[mx].file, f) && org[mx].line == 1,
	   "the last in byte order wins: %" PRIu64 " from %s:%u", c.max_swap_mb, org[mx].file,
	   org[mx].line);
	snprintf(f, sizeof(f), "%s/10-a.conf", dd);
	ok(c.floor_mb == 16 && !strcmp(org[fl].file, f) && org[fl].line == 3,
	   "a key set by one drop-in only: %s:%u", org[fl].file, org[fl].line);
	ok(c.chunk_mb == 64 && org[asd_config_key("chunk_mb")].line == 1, "the file's own value stays");

	/* an error in a drop-in: its name and line, nothing taken */
	snprintf(f, sizeof(f), "%s/90-c.conf", dd);
	write_file(f, "# c\nstandby = maybe\n", strlen("# c\nstandby = maybe\n"));
	asd_config_defaults(&c);
	before = c;
	rc = asd_config_load_all(path, false, &c, NULL, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "90-c.conf:2: standby: expected") &&
	   !memcmp(&c, &before, sizeof(c)), "bad drop-in: %s", err);

	/* a check across keys at the value set last, in whichever file */
	write_file(f, "chunk_mb = 1024\n", strlen("chunk_mb = 1024\n"));	/* below 9-b's 2048 */
	asd_config_defaults(&c);
	is_int(asd_config_load_all(path, false, &c, NULL, err, sizeof(err)), 0, "cross ok");
	write_file(f, "chunk_mb = 4096\n", strlen("chunk_mb = 4096\n"));
	rc = asd_config_load_all(path, false, &c, NULL, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "90-c.conf:1: max_swap_mb 2048 is below chunk_mb 4096"),
	   "cross-key error at the later file: %s", err);
	snprintf(f, sizeof(f), "%s/95-d.conf", dd);
	write_file(f, "log_level = info\nmax_swap_mb = 2048\n", strlen("log_level = info\nmax_swap_mb = 2048\n"));
	rc = asd_config_load_all(path, false, &c, NULL, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "95-d.conf:2: max_swap_mb 2048 is below"),
	   "... the file that set it last: %s", err);
	unlink(f);
	snprintf(f, sizeof(f), "%s/90-c.conf", dd);
	unlink(f);

	/* the main file missing: an error unless missing_ok; drop-ins still apply */
	unlink(path);
	asd_config_defaults(&c);
	rc = asd_config_load_all(path, false, &c, NULL, err, sizeof(err));
	ok(rc == -ENOENT && strstr(err, "a.conf: cannot open"), "missing file (%s)", err);
	is_int(asd_config_load_all(path, true, &c, org, err, sizeof(err)), 0, "missing_ok");
	ok(c.max_swap_mb == 2048 && c.floor_mb == 16 && c.chunk_mb == 0,
	   "missing_ok: defaults and the drop-ins");
	ok(!err[0], "missing_ok: no message");

	/* one key once per file, again in the next */
	snprintf(f, sizeof(f), "%s/10-a.conf", dd);
	write_file(f, "floor_mb = 16\nfloor_mb = 8\n", strlen("floor_mb = 16\nfloor_mb = 8\n"));
	rc = asd_config_load_all(path, true, &c, NULL, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "10-a.conf:2: floor_mb: duplicate key"), "dup (%s)", err);
	unlink(f);
	snprintf(f, sizeof(f), "%s/9-b.conf", dd);
	unlink(f);
	snprintf(f, sizeof(f), "%s/99-x.conf~", dd);
	unlink(f);
	snprintf(f, sizeof(f), "%s/.conf", dd);
	unlink(f);
	rmdir(dd);
	rmdir(dir);
}

static void resolve_case(const char *name, const struct asd_config *c, uint64_t ram,
			 uint64_t fs, uint64_t chunk, uint64_t max_swap, uint64_t min_free,
			 uint64_t floor)
{
	struct asd_limits l;

	memset(&l, 0xa5, sizeof(l));
	asd_config_resolve(c, ram, fs, &l);
	ok(l.chunk == chunk && l.max_swap == max_swap && l.min_free == min_free &&
	   l.floor == floor && l.max_disk_pct == c->max_disk_pct &&
	   !(l.chunk % 4096) && !(l.max_swap % 4096) && !(l.min_free % 4096) && !(l.floor % 4096),
	   "resolve %s: chunk %" PRIu64 " max_swap %" PRIu64 " min_free %" PRIu64 " floor %" PRIu64
	   " (want %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 ")", name, l.chunk, l.max_swap,
	   l.min_free, l.floor, chunk, max_swap, min_free, floor);
}

static void test_resolve(void)
{
	struct asd_config c;
	char err[256];

	struct asd_limits l;

	asd_config_defaults(&c);
	asd_config_resolve(&c, 1 * GiB, 10 * GiB, &l);
	ok(l.grow_steps, "chunk_mb = auto: the steps grow with the managed swap");
	resolve_case("64 MiB RAM: 4 -> 32", &c, 64 * MiB, 10 * GiB, 32 * MiB, 256 * MiB, 512 * MiB, 0);
	resolve_case("217 MiB RAM (a 256 MiB VM): 13.6 -> 32", &c, 217 * MiB, 10 * GiB, 32 * MiB,
		     868 * MiB, 512 * MiB, 0);
	resolve_case("256 MiB RAM: 16 -> 32", &c, 256 * MiB, 10 * GiB, 32 * MiB, 1024 * MiB, 512 * MiB, 0);
	resolve_case("8 GiB RAM", &c, 8 * GiB, 10 * GiB, 512 * MiB, 32 * GiB,
		     512 * MiB, 0);
	resolve_case("64 GiB RAM: 4096 -> 1024", &c, 64 * GiB, 10 * GiB, 1024 * MiB, 256 * GiB, 512 * MiB, 0);
	resolve_case("2 GiB RAM", &c, 2 * GiB, 10 * GiB, 128 * MiB, 8 * GiB, 512 * MiB, 0);
	resolve_case("1000 MiB RAM: 62.5 -> 60", &c, 1000 * MiB, 10 * GiB, 60 * MiB,
		     4000 * MiB, 512 * MiB, 0);
	resolve_case("3 MiB RAM: chunk capped by max_swap", &c, 3 * MiB, 10 * GiB, 12 * MiB,
		     12 * MiB, 512 * MiB, 0);
	resolve_case("RAM not page aligned", &c, 256 * MiB + 1000, 10 * GiB, 32 * MiB,
		     1024 * MiB, 512 * MiB, 0);
	resolve_case("RAM odd kB", &c, 1000 * 1024 + 3 * 1024, 10 * GiB, 1024 * 4000 + 4096 * 3,
		     1024 * 4000 + 4096 * 3, 512 * MiB, 0);
	resolve_case("no RAM", &c, 0, 10 * GiB, 0, 0, 512 * MiB, 0);
	resolve_case("huge RAM", &c, UINT64_MAX, UINT64_MAX, 1024 * MiB, UINT64_MAX - 4095,
		     (UINT64_MAX / 100 * 5 + 15 * 5 / 100 + 4095) & ~4095ull, 0);
	resolve_case("tiny fs: min_free 256 MiB", &c, 256 * MiB, 100 * MiB, 32 * MiB,
		     1024 * MiB, 256 * MiB, 0);
	resolve_case("empty fs", &c, 256 * MiB, 0, 32 * MiB, 1024 * MiB, 256 * MiB, 0);
	resolve_case("fs 5120 MiB: 5% is 256 MiB", &c, 256 * MiB, 5 * GiB, 32 * MiB,
		     1024 * MiB, 256 * MiB, 0);
	resolve_case("fs 1 TiB: 5% rounded up to a page", &c, 256 * MiB, 1024 * GiB, 32 * MiB,
		     1024 * MiB, 54975582208ull, 0);

	is_int(asd_config_parse("r", "chunk_mb = 2048\n", &c, err, sizeof(err)), 0, "chunk 2048");
	resolve_case("explicit chunk above auto max_swap", &c, 200 * MiB, 10 * GiB, 800 * MiB,
		     800 * MiB, 512 * MiB, 0);
	asd_config_defaults(&c);
	is_int(asd_config_parse("r", "chunk_mb = 256\nmax_swap_mb = 4096\nmin_free_mb = 1000\n"
				"floor_mb = 512\nmax_disk_pct = 20\n", &c, err, sizeof(err)),
	       0, "explicit sizes");
	resolve_case("explicit sizes", &c, 256 * MiB, 10 * GiB, 256 * MiB, 4096 * MiB,
		     1000 * MiB, 512 * MiB);
	asd_config_resolve(&c, 256 * MiB, 10 * GiB, &l);
	ok(!l.grow_steps, "chunk_mb = 256: every file 256 MiB");
	asd_config_defaults(&c);
	c.floor_mb = 2048;
	resolve_case("floor above auto max_swap is kept", &c, 256 * MiB, 10 * GiB, 32 * MiB,
		     1024 * MiB, 512 * MiB, 2048 * MiB);
}

int main(void)
{
	test_defaults();
	test_every_key();
	test_syntax();
	test_text_values();
	test_bad();
	test_bad_built();
	test_load();
	test_dump();
	test_keys();
	test_dropins();
	test_resolve();
	return tap_done();
}
