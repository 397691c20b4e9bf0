// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapd's configuration keys: one table says, for each key, its type,
 * its default (as the file would say it) and its range.  From it: the
 * defaults, checking and storing one value, and the dump.  The file
 * around the values (lines, comments, duplicates, checks across keys,
 * reading it) is conffile.c.
 *
 * Owns: nothing (no state).  Calls: libadaptswap's number parser only.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "adaptswap.h"

#include "asd.h"

#define CONF_MB_MAX	(1ull << 30)	/* 1 PiB: byte sums stay far from overflow */

enum ktype { K_DIR, K_SOURCE, K_SIZE, K_UINT, K_BOOL, K_LEVEL, K_CMD, K_LOG };

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	const char *def;		/* the default, in the file's words */
	bool auto_ok;			/* K_SIZE: "auto" accepted, stored as 0 */
	uint64_t min, max;		/* K_SIZE, K_UINT */
};

#define KEY(n, t, def, a, lo, hi) { #n, t, offsetof(struct asd_config, n), def, a, lo, hi }

/* In the order of the shipped adaptswapd.conf and of the dump. */
static const struct key keys[] = {
	KEY(dir, K_DIR, "/var/lib/adaptswap", false, 0, 0),
	KEY(source, K_SOURCE, "auto", false, 0, 0),
	KEY(chunk_mb, K_SIZE, "auto", true, 16, 65536),
	KEY(max_swap_mb, K_SIZE, "auto", true, 16, CONF_MB_MAX),
	KEY(max_disk_pct, K_UINT, "50", false, 1, 100),
	KEY(min_free_mb, K_SIZE, "auto", true, 1, CONF_MB_MAX),
	KEY(floor_mb, K_SIZE, "0", false, 0, CONF_MB_MAX),
	KEY(standby, K_BOOL, "yes", false, 0, 0),
	KEY(grow_level, K_LEVEL, "low", false, 0, 0),
	KEY(grow_free_pct, K_UINT, "50", false, 1, 99),
	KEY(shrink_quiet_s, K_UINT, "120", false, 1, 86400),
	KEY(shrink_margin_pct, K_UINT, "50", false, 0, 1000),
	KEY(swappiness_control, K_BOOL, "yes", false, 0, 0),
	KEY(swappiness_min, K_UINT, "10", false, 0, 200),
	KEY(swappiness_max, K_UINT, "100", false, 0, 200),
	KEY(psi_stall_us, K_UINT, "100000", false, 1, 10000000),
	KEY(psi_window_us, K_UINT, "1000000", false, 500000, 10000000),
	KEY(psi_low_pct, K_UINT, "20", false, 1, 99),
	KEY(action_command, K_CMD, "", false, 0, 0),
	KEY(action_swap_used_pct, K_UINT, "90", false, 1, 99),
	KEY(action_swapin_rate, K_UINT, "2000", false, 1, 100000000),
	KEY(action_after_s, K_UINT, "30", false, 1, 86400),
	KEY(action_interval_s, K_UINT, "600", false, 1, 86400),
	KEY(log_level, K_LOG, "info", false, 0, 0),
	KEY(textfile_dir, K_DIR, "", false, 0, 0),	/* empty: off */
};

_Static_assert(sizeof(keys) / sizeof(keys[0]) == ASD_CONFIG_NKEYS, "ASD_CONFIG_NKEYS");

struct word {
	const char *name;
	int value;
};

static const struct word bool_words[] = {
	{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
	{ "1", 1 }, { "0", 0 }, { "on", 1 }, { "off", 0 }, { NULL, 0 }
};
static const struct word source_words[] = {
	{ "auto", ASD_SOURCE_AUTO }, { "module", ASD_SOURCE_MODULE },
	{ "psi", ASD_SOURCE_PSI }, { NULL, 0 }
};
static const struct word level_words[] = {
	{ "low", ADAPTSWAP_LEVEL_LOW }, { "medium", ADAPTSWAP_LEVEL_MEDIUM },
	{ "critical", ADAPTSWAP_LEVEL_CRITICAL }, { NULL, 0 }
};
/* log_level holds syslog priorities: a message is shown when prio <= it. */
static const struct word log_words[] = {
	{ "error", LOG_ERR }, { "warning", LOG_WARNING }, { "info", LOG_INFO },
	{ "debug", LOG_DEBUG }, { NULL, 0 }
};

static const struct word *words_of(enum ktype t)
{
	switch (t) {
	case K_BOOL:	return bool_words;
	case K_SOURCE:	return source_words;
	case K_LEVEL:	return level_words;
	case K_LOG:	return log_words;
	default:	return NULL;
	}
}

int asd_config_key(const char *name)
{
	for (int i = 0; i < ASD_CONFIG_NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return i;
	return -1;
}

const char *asd_config_key_name(int key)
{
	return key >= 0 && key < ASD_CONFIG_NKEYS ? keys[key].name : "?";
}

bool asd_config_key_verbatim(int key)
{
	return key >= 0 && key < ASD_CONFIG_NKEYS && keys[key].type == K_CMD;
}

void asd_config_defaults(struct asd_config *c)
{
	memset(c, 0, sizeof(*c));
	/* every default is a valid value (config_test checks each one) */
	for (int i = 0; i < ASD_CONFIG_NKEYS; i++)
		asd_config_set(c, i, keys[i].def, NULL, 0);
}

const char *asd_config_shown(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 40; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	if (s[i] && len > 4 && i + 4 < len)
		strcpy(out + i, "...");
	return out;
}

/* ---- one value ----------------------------------------------------------- */

/* The problem into err (may be NULL); -1. */
#define bad(err, len, ...) (asd_say(err, len, __VA_ARGS__), -1)

/* A plain non-negative decimal number; NULL or the problem. */
static const char *parse_u64(const char *s, uint64_t *v)
{
	if (*s == '-')
		return "negative value";
	switch (adaptswap_parse_u64(s, UINT64_MAX, v)) {
	case 0:
		return NULL;
	case -ERANGE:
		return "number too large (overflow)";
	default:
		return "not a number";
	}
}

static void *field(struct asd_config *c, const struct key *k)
{
	return (char *)c + k->off;
}

static int set_number(struct asd_config *c, const struct key *k, const char *val,
		      char *err, size_t len)
{
	const char *why;
	char buf[48];
	uint64_t v;

	if (k->auto_ok && !strcasecmp(val, "auto")) {
		*(uint64_t *)field(c, k) = 0;
		return 0;
	}
	why = parse_u64(val, &v);
	if (why)
		return bad(err, len, "%s: %s: '%s'", k->name, why,
			   asd_config_shown(val, buf, sizeof(buf)));
	if (v > k->max && (v > UINT_MAX || k->max == CONF_MB_MAX))
		return bad(err, len, "%s: %" PRIu64 " is too large (at most %" PRIu64 ")",
			   k->name, v, k->max);
	if (v < k->min || v > k->max)
		return bad(err, len, "%s: %" PRIu64 " is out of range %" PRIu64 "..%" PRIu64 "%s",
			   k->name, v, k->min, k->max, k->auto_ok ? " (or auto)" : "");
	if (k->type == K_SIZE)
		*(uint64_t *)field(c, k) = v;
	else
		*(unsigned *)field(c, k) = (unsigned)v;
	return 0;
}

static int set_word(struct asd_config *c, const struct key *k, const char *val,
		    char *err, size_t len)
{
	const struct word *w = words_of(k->type);
	char list[80] = "", buf[48];
	size_t n = 0;

	for (const struct word *q = w; q->name; q++) {
		if (strcasecmp(q->name, val))
			continue;
		if (k->type == K_BOOL)
			*(bool *)field(c, k) = q->value;
		else if (k->type == K_SOURCE)
			*(enum asd_source *)field(c, k) = (enum asd_source)q->value;
		else
			*(int *)field(c, k) = q->value;
		return 0;
	}
	for (const struct word *q = w; q->name && n < sizeof(list); q++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? "|" : "", q->name);
	return bad(err, len, "%s: expected %s, not '%s'", k->name, list,
		   asd_config_shown(val, buf, sizeof(buf)));
}

static bool has_dotdot(const char *path)
{
	for (const char *q = path; (q = strstr(q, "..")); q++)
		if ((q == path || q[-1] == '/') && (q[2] == '/' || !q[2]))
			return true;
	return false;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return true;
	return false;
}

static int set_text(struct asd_config *c, const struct key *k, const char *val,
		    char *err, size_t len)
{
	char *dst = field(c, k);
	size_t cap = k->type == K_CMD ? sizeof(c->action_command) : sizeof(c->dir);
	char buf[48];

	_Static_assert(sizeof(c->dir) == sizeof(c->textfile_dir), "K_DIR fields");

	if (strlen(val) >= cap)
		return bad(err, len, "%s: too long (%zu bytes, at most %zu)", k->name,
			   strlen(val), cap - 1);
	if (has_control(val))
		return bad(err, len, "%s: control character in the value", k->name);
	if (k->type == K_DIR && *val) {
		if (val[0] != '/')
			return bad(err, len, "%s: not an absolute path: '%s'", k->name,
				   asd_config_shown(val, buf, sizeof(buf)));
		if (has_dotdot(val))
			return bad(err, len, "%s: '..' component in '%s'", k->name,
				   asd_config_shown(val, buf, sizeof(buf)));
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

int asd_config_set(struct asd_config *c, int key, const char *val, char *err, size_t len)
{
	const struct key *k;

	if (key < 0 || key >= ASD_CONFIG_NKEYS)
		return bad(err, len, "no key number %d", key);
	k = &keys[key];
	if (!*val && k->type != K_CMD && k->def[0])
		return bad(err, len, "%s: empty value", k->name);
	switch (k->type) {
	case K_SIZE:
	case K_UINT:
		return set_number(c, k, val, err, len);
	case K_DIR:
	case K_CMD:
		return set_text(c, k, val, err, len);
	default:
		return set_word(c, k, val, err, len);
	}
}

/* ---- dump ---------------------------------------------------------------- */

static const char *word_name(const struct word *w, int v)
{
	for (; w->name; w++)
		if (w->value == v)
			return w->name;
	return "?";
}

static void format_value(const struct asd_config *c, const struct key *k,
			 char *out, size_t len)
{
	const void *f = (const char *)c + k->off;
	uint64_t v;

	switch (k->type) {
	case K_DIR:
	case K_CMD:
		snprintf(out, len, "%s", (const char *)f);
		break;
	case K_SIZE:
		v = *(const uint64_t *)f;
		if (!v && k->auto_ok)
			snprintf(out, len, "auto");
		else
			snprintf(out, len, "%" PRIu64, v);
		break;
	case K_UINT:
		snprintf(out, len, "%u", *(const unsigned *)f);
		break;
	case K_BOOL:
		snprintf(out, len, "%s", *(const bool *)f ? "yes" : "no");
		break;
	case K_SOURCE:
		snprintf(out, len, "%s", word_name(source_words, (int)*(const enum asd_source *)f));
		break;
	case K_LEVEL:
		snprintf(out, len, "%s", word_name(level_words, *(const int *)f));
		break;
	case K_LOG:
		snprintf(out, len, "%s", word_name(log_words, *(const int *)f));
		break;
	}
}

void asd_config_dump(const struct asd_config *c, const struct asd_config_origin *origin,
		     char *buf, size_t len)
{
	char from[ASD_ORIGIN_MAX + 32];

	char val[sizeof(c->action_command) + sizeof(c->dir)];
	size_t pos = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (int i = 0; i < ASD_CONFIG_NKEYS; i++) {
		int n;

		format_value(c, &keys[i], val, sizeof(val));
		if (!origin)
			from[0] = '\0';
		else if (origin[i].line)
			snprintf(from, sizeof(from), "\t# %s:%u", origin[i].file, origin[i].line);
		else
			snprintf(from, sizeof(from), "\t# default");
		n = snprintf(buf + pos, len - pos, "%s =%s%s%s\n", keys[i].name,
			     val[0] ? " " : "", val, from);
		if (n < 0 || (size_t)n >= len - pos)
			return;		/* truncated, still NUL-terminated */
		pos += (size_t)n;
	}
}
