// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapd configuration: defaults, parser, dump, resolution of the
 * "auto" sizes against the machine.
 *
 * Syntax (one setting per line):
 *
 *	# a comment line
 *	key = value		# a trailing comment after white space
 *
 * Blank lines are ignored; white space around the key and the value is
 * trimmed.  A '#' starts a comment at the beginning of a line or when it
 * follows white space; "a#b" is a value.  action_command is the exception:
 * its value is the rest of the line verbatim (trimmed; '=' and '#' are
 * kept and handed to /bin/sh, which treats an unquoted " #" as a comment
 * itself), unless the value starts with '#', which leaves it empty.
 *
 * Errors are "FILE:LINE: KEY: problem".  Checks that involve two keys
 * (max_swap_mb >= chunk_mb, floor_mb <= max_swap_mb, swappiness_min <=
 * swappiness_max, psi_stall_us <= psi_window_us) run after the whole file
 * was read, on the resulting values, and are reported at the line of
 * whichever of the two keys appears later in the file; when neither
 * appears in the file (the values came from the caller's struct) the
 * report is "FILE: problem", without a line.
 *
 * Owns: nothing (no state).  Calls: libadaptswap's number parser only.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "adaptswap.h"

#include "asd.h"

#define CONF_LINE_MAX	4096		/* bytes per line, without the newline */
#define CONF_FILE_MAX	65536		/* bytes per file */
#define CONF_MB_MAX	(1ull << 30)	/* 1 PiB: byte sums stay far from overflow */

enum ktype { K_DIR, K_SOURCE, K_SIZE, K_UINT, K_BOOL, K_LEVEL, K_CMD, K_LOG };

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	bool auto_ok;			/* K_SIZE: "auto" accepted, stored as 0 */
	uint64_t min, max;		/* K_SIZE, K_UINT */
};

#define KEY(n, t, a, lo, hi) { #n, t, offsetof(struct asd_config, n), a, lo, hi }

static const struct key keys[] = {
	KEY(dir, K_DIR, false, 0, 0),
	KEY(source, K_SOURCE, false, 0, 0),
	KEY(chunk_mb, K_SIZE, true, 16, 65536),
	KEY(max_swap_mb, K_SIZE, true, 16, CONF_MB_MAX),
	KEY(max_disk_pct, K_UINT, false, 1, 100),
	KEY(min_free_mb, K_SIZE, true, 1, CONF_MB_MAX),
	KEY(floor_mb, K_SIZE, false, 0, CONF_MB_MAX),
	KEY(standby, K_BOOL, false, 0, 0),
	KEY(grow_level, K_LEVEL, false, 0, 0),
	KEY(grow_free_pct, K_UINT, false, 1, 99),
	KEY(shrink_quiet_s, K_UINT, false, 1, 86400),
	KEY(shrink_margin_pct, K_UINT, false, 0, 1000),
	KEY(swappiness_control, K_BOOL, false, 0, 0),
	KEY(swappiness_min, K_UINT, false, 0, 200),
	KEY(swappiness_max, K_UINT, false, 0, 200),
	KEY(psi_stall_us, K_UINT, false, 1, 10000000),
	KEY(psi_window_us, K_UINT, false, 500000, 10000000),
	KEY(psi_low_pct, K_UINT, false, 1, 99),
	KEY(action_command, K_CMD, false, 0, 0),
	KEY(action_swap_used_pct, K_UINT, false, 1, 99),
	KEY(action_swapin_rate, K_UINT, false, 1, 100000000),
	KEY(action_after_s, K_UINT, false, 1, 86400),
	KEY(action_interval_s, K_UINT, false, 1, 86400),
	KEY(log_level, K_LOG, false, 0, 0),
};

#define NR_KEYS (sizeof(keys) / sizeof(keys[0]))

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

void asd_config_defaults(struct asd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "%s", "/var/lib/adaptswap");
	c->source = ASD_SOURCE_AUTO;
	c->chunk_mb = 0;
	c->max_swap_mb = 0;
	c->max_disk_pct = 50;
	c->min_free_mb = 0;
	c->floor_mb = 0;
	c->standby = true;
	c->grow_level = ADAPTSWAP_LEVEL_LOW;
	c->grow_free_pct = 50;
	c->shrink_quiet_s = 120;
	c->shrink_margin_pct = 50;
	c->swappiness_control = true;
	c->swappiness_min = 10;
	c->swappiness_max = 100;
	c->psi_stall_us = 100000;
	c->psi_window_us = 1000000;
	c->psi_low_pct = 20;
	c->action_command[0] = '\0';
	c->action_swap_used_pct = 90;
	c->action_swapin_rate = 2000;
	c->action_after_s = 30;
	c->action_interval_s = 600;
	c->log_level = LOG_INFO;
}

/* ---- parser -------------------------------------------------------------- */

struct pctx {
	const char *path;
	struct asd_config c;		/* the copy being filled */
	unsigned line_of[NR_KEYS];	/* where each key was set (0: not in the file) */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct pctx *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -1;
	if (line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->path, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->path);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Trim in place; returns the start of the trimmed string. */
static char *trim(char *s)
{
	char *e;

	while (is_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		*--e = '\0';
	return s;
}

/* Cut a comment: '#' at the start or after white space. */
static void cut_comment(char *s)
{
	for (char *q = s; *q; q++) {
		if (*q == '#' && (q == s || is_blank(q[-1]))) {
			*q = '\0';
			return;
		}
	}
}

/* Copy s into out (for messages): at most 40 bytes, control bytes as '?'. */
static const char *shown(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 40; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	if (s[i] && len > 4 && i + 4 < len)
		strcpy(out + i, "...");
	return out;
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NR_KEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

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

static int set_number(struct pctx *p, const struct key *k, const char *val, unsigned line)
{
	const char *why;
	char buf[48];
	uint64_t v;

	if (k->auto_ok && !strcasecmp(val, "auto")) {
		*(uint64_t *)field(&p->c, k) = 0;
		return 0;
	}
	why = parse_u64(val, &v);
	if (why)
		return fail(p, line, "%s: %s: '%s'", k->name, why, shown(val, buf, sizeof(buf)));
	if (v > k->max && (v > UINT_MAX || k->max == CONF_MB_MAX))
		return fail(p, line, "%s: %" PRIu64 " is too large (at most %" PRIu64 ")",
			    k->name, v, k->max);
	if (v < k->min || v > k->max)
		return fail(p, line, "%s: %" PRIu64 " is out of range %" PRIu64 "..%" PRIu64 "%s",
			    k->name, v, k->min, k->max, k->auto_ok ? " (or auto)" : "");
	if (k->type == K_SIZE)
		*(uint64_t *)field(&p->c, k) = v;
	else
		*(unsigned *)field(&p->c, k) = (unsigned)v;
	return 0;
}

static int set_word(struct pctx *p, const struct key *k, const char *val, unsigned line)
{
	const struct word *w = words_of(k->type);
	char list[80] = "", buf[48];
	size_t n = 0;

	for (const struct word *q = w; q->name; q++) {
		if (strcasecmp(q->name, val))
			continue;
		if (k->type == K_BOOL)
			*(bool *)field(&p->c, k) = q->value;
		else if (k->type == K_SOURCE)
			*(enum asd_source *)field(&p->c, k) = (enum asd_source)q->value;
		else
			*(int *)field(&p->c, k) = q->value;
		return 0;
	}
	for (const struct word *q = w; q->name && n < sizeof(list); q++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? "|" : "", q->name);
	return fail(p, line, "%s: expected %s, not '%s'", k->name, list,
		    shown(val, buf, sizeof(buf)));
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

static int set_text(struct pctx *p, const struct key *k, const char *val, unsigned line)
{
	char *dst = field(&p->c, k);
	size_t cap = k->type == K_DIR ? sizeof(p->c.dir) : sizeof(p->c.action_command);
	char buf[48];

	if (strlen(val) >= cap)
		return fail(p, line, "%s: too long (%zu bytes, at most %zu)", k->name,
			    strlen(val), cap - 1);
	if (has_control(val))
		return fail(p, line, "%s: control character in the value", k->name);
	if (k->type == K_DIR) {
		if (val[0] != '/')
			return fail(p, line, "%s: not an absolute path: '%s'", k->name,
				    shown(val, buf, sizeof(buf)));
		if (has_dotdot(val))
			return fail(p, line, "%s: '..' component in '%s'", k->name,
				    shown(val, buf, sizeof(buf)));
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int set_value(struct pctx *p, const struct key *k, const char *val, unsigned line)
{
	if (!*val && k->type != K_CMD)
		return fail(p, line, "%s: empty value", k->name);
	switch (k->type) {
	case K_SIZE:
	case K_UINT:
		return set_number(p, k, val, line);
	case K_DIR:
	case K_CMD:
		return set_text(p, k, val, line);
	default:
		return set_word(p, k, val, line);
	}
}

static int parse_line(struct pctx *p, char *text, unsigned line)
{
	const struct key *k;
	char *s = trim(text), *eq, *key, *val, buf[48];
	size_t idx;

	if (!*s || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (!eq) {
		cut_comment(s);
		return fail(p, line, "'%s': expected 'key = value' (no '=')",
			    shown(trim(s), buf, sizeof(buf)));
	}
	*eq = '\0';
	key = trim(s);
	if (!*key)
		return fail(p, line, "empty key before '='");
	k = find_key(key);
	if (!k)
		return fail(p, line, "unknown key '%s'", shown(key, buf, sizeof(buf)));
	idx = (size_t)(k - keys);
	if (p->line_of[idx])
		return fail(p, line, "%s: duplicate key (first set at line %u)", k->name,
			    p->line_of[idx]);
	p->line_of[idx] = line;
	val = trim(eq + 1);
	if (k->type != K_CMD || *val == '#')
		cut_comment(val);
	return set_value(p, k, trim(val), line);
}

static unsigned later_line(const struct pctx *p, const char *a, const char *b)
{
	unsigned la = p->line_of[find_key(a) - keys], lb = p->line_of[find_key(b) - keys];

	return la > lb ? la : lb;
}

static int cross_check(struct pctx *p)
{
	const struct asd_config *c = &p->c;

	if (c->chunk_mb && c->max_swap_mb && c->max_swap_mb < c->chunk_mb)
		return fail(p, later_line(p, "chunk_mb", "max_swap_mb"),
			    "max_swap_mb %" PRIu64 " is below chunk_mb %" PRIu64,
			    c->max_swap_mb, c->chunk_mb);
	if (c->floor_mb && c->max_swap_mb && c->floor_mb > c->max_swap_mb)
		return fail(p, later_line(p, "floor_mb", "max_swap_mb"),
			    "floor_mb %" PRIu64 " is above max_swap_mb %" PRIu64,
			    c->floor_mb, c->max_swap_mb);
	if (c->swappiness_min > c->swappiness_max)
		return fail(p, later_line(p, "swappiness_min", "swappiness_max"),
			    "swappiness_min %u is above swappiness_max %u",
			    c->swappiness_min, c->swappiness_max);
	if (c->psi_stall_us > c->psi_window_us)
		return fail(p, later_line(p, "psi_stall_us", "psi_window_us"),
			    "psi_stall_us %u is above psi_window_us %u",
			    c->psi_stall_us, c->psi_window_us);
	return 0;
}

/* The text is len bytes (it may hold NUL bytes, which are an error). */
static int parse_buf(const char *path, const char *text, size_t len,
		     struct asd_config *c, char *err, size_t errlen)
{
	char line[CONF_LINE_MAX + 1];
	struct pctx p = { .path = path ? path : "(config)", .c = *c,
			  .err = err, .errlen = errlen };
	size_t pos = 0;
	unsigned n = 0;

	if (err && errlen)
		err[0] = '\0';
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;

		n++;
		if (l > CONF_LINE_MAX)
			return fail(&p, n, "line too long (%zu bytes, at most %d)", l,
				    CONF_LINE_MAX);
		if (memchr(text + pos, '\0', l))
			return fail(&p, n, "NUL byte in the text");
		memcpy(line, text + pos, l);
		line[l] = '\0';
		if (parse_line(&p, line, n) < 0)
			return -1;
		pos += l + (nl ? 1 : 0);
	}
	if (cross_check(&p) < 0)
		return -1;
	*c = p.c;
	return 0;
}

int asd_config_parse(const char *path, const char *text, struct asd_config *c,
		     char *err, size_t errlen)
{
	return parse_buf(path, text ? text : "", text ? strlen(text) : 0, c, err, errlen);
}

/*
 * Returns 0, -errno when the file cannot be read (-ENOENT when it is
 * missing, -EFBIG above 64 KiB, -EINVAL when it is not a regular file),
 * or -EINVAL for a syntax error; err always says which.
 */
int asd_config_load(const char *path, struct asd_config *c, char *err, size_t errlen)
{
	struct pctx p = { .path = path, .err = err, .errlen = errlen };
	struct stat st;
	size_t n = 0;
	char *buf;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		fail(&p, 0, "cannot open: %s", strerror(e));
		return -e;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		fail(&p, 0, "not a regular file");
		return -EINVAL;
	}
	buf = malloc(CONF_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		fail(&p, 0, "out of memory");
		return -ENOMEM;
	}
	while (n <= CONF_FILE_MAX) {
		ssize_t r = read(fd, buf + n, CONF_FILE_MAX + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			free(buf);
			close(fd);
			fail(&p, 0, "read: %s", strerror(e));
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > CONF_FILE_MAX) {
		free(buf);
		fail(&p, 0, "file too large (more than %d bytes)", CONF_FILE_MAX);
		return -EFBIG;
	}
	e = parse_buf(path, buf, n, c, err, errlen);
	free(buf);
	return e < 0 ? -EINVAL : 0;
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

void asd_config_dump(const struct asd_config *c, char *buf, size_t len)
{
	char val[sizeof(c->action_command) + sizeof(c->dir)];
	size_t pos = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < NR_KEYS; i++) {
		int n;

		format_value(c, &keys[i], val, sizeof(val));
		n = snprintf(buf + pos, len - pos, "%s =%s%s\n", keys[i].name,
			     val[0] ? " " : "", val);
		if (n < 0 || (size_t)n >= len - pos)
			return;		/* truncated, still NUL-terminated */
		pos += (size_t)n;
	}
}
