// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapd's configuration file: its syntax, errors with their line,
 * the checks across keys, reading it.  The keys and their values are
 * config.c's.
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
 * Owns: nothing (no state).  Calls: config.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asd.h"

#define CONF_LINE_MAX	4096		/* bytes per line, without the newline */
#define CONF_FILE_MAX	65536		/* bytes per file */

struct pctx {
	const char *path;
	struct asd_config c;		/* the copy being filled */
	unsigned line_of[ASD_CONFIG_NKEYS];	/* where each key was set (0: not in the file) */
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

static int parse_line(struct pctx *p, char *text, unsigned line)
{
	char *s = trim(text), *eq, *key, *val, buf[48], why[256];
	int k;

	if (!*s || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (!eq) {
		cut_comment(s);
		return fail(p, line, "'%s': expected 'key = value' (no '=')",
			    asd_config_shown(trim(s), buf, sizeof(buf)));
	}
	*eq = '\0';
	key = trim(s);
	if (!*key)
		return fail(p, line, "empty key before '='");
	k = asd_config_key(key);
	if (k < 0)
		return fail(p, line, "unknown key '%s'", asd_config_shown(key, buf, sizeof(buf)));
	if (p->line_of[k])
		return fail(p, line, "%s: duplicate key (first set at line %u)",
			    asd_config_key_name(k), p->line_of[k]);
	p->line_of[k] = line;
	val = trim(eq + 1);
	if (!asd_config_key_verbatim(k) || *val == '#')
		cut_comment(val);
	if (asd_config_set(&p->c, k, trim(val), why, sizeof(why)) < 0)
		return fail(p, line, "%s", why);
	return 0;
}

static unsigned later_line(const struct pctx *p, const char *a, const char *b)
{
	unsigned la = p->line_of[asd_config_key(a)], lb = p->line_of[asd_config_key(b)];

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
