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
 * Drop-ins: asd_config_load_all() reads the main file, then the files
 * named *.conf in the directory FILE.d (adaptswapd.conf.d), in the
 * lexical (byte) order of their names; a key may be set once per file,
 * and the value of the file read last wins.  The origin of every value in
 * effect (file and line, or none: the default) is kept for --check-config.
 *
 * Errors are "FILE:LINE: KEY: problem".  Checks that involve two keys
 * (max_swap_mb >= chunk_mb, floor_mb <= max_swap_mb, swappiness_min <=
 * swappiness_max, psi_stall_us <= psi_window_us) run after all files were
 * read, on the resulting values, and are reported at the file and line of
 * whichever of the two values was set last; when neither was set in a
 * file (the values came from the caller's struct) the report is
 * "FILE: problem" with the main file, without a line.
 *
 * Owns: nothing (no state).  Calls: config.c.
 */
#include <dirent.h>
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
#define CONF_DROPINS_MAX 128		/* files in the drop-in directory */

struct pctx {
	const char *path;		/* the file being read */
	unsigned file;			/* its number in the order of reading, from 1 */
	struct asd_config c;		/* the copy being filled */
	unsigned line_of[ASD_CONFIG_NKEYS];	/* where each key was set in this file (0: not) */
	unsigned file_of[ASD_CONFIG_NKEYS];	/* the file of the value in effect (0: none) */
	struct asd_config_origin org[ASD_CONFIG_NKEYS];
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5)))
static int fail_in(struct pctx *p, const char *path, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -1;
	if (line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", path, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

#define fail(p, line, ...) fail_in(p, (p)->path, line, __VA_ARGS__)

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
	p->file_of[k] = p->file;
	snprintf(p->org[k].file, sizeof(p->org[k].file), "%s", p->path);
	p->org[k].line = line;
	return 0;
}

/* Report a problem of two keys at whichever of them was set last. */
__attribute__((format(printf, 4, 5)))
static int fail_later(struct pctx *p, const char *a, const char *b, const char *fmt, ...)
{
	int ka = asd_config_key(a), kb = asd_config_key(b), k;
	char msg[256];
	va_list ap;

	k = p->file_of[ka] > p->file_of[kb] ? ka : p->file_of[kb] > p->file_of[ka] ? kb :
	    p->org[ka].line > p->org[kb].line ? ka : kb;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!p->file_of[k])
		return fail_in(p, p->path, 0, "%s", msg);
	return fail_in(p, p->org[k].file, p->org[k].line, "%s", msg);
}

static int cross_check(struct pctx *p)
{
	const struct asd_config *c = &p->c;

	if (c->chunk_mb && c->max_swap_mb && c->max_swap_mb < c->chunk_mb)
		return fail_later(p, "chunk_mb", "max_swap_mb",
			    "max_swap_mb %" PRIu64 " is below chunk_mb %" PRIu64,
			    c->max_swap_mb, c->chunk_mb);
	if (c->floor_mb && c->max_swap_mb && c->floor_mb > c->max_swap_mb)
		return fail_later(p, "floor_mb", "max_swap_mb",
			    "floor_mb %" PRIu64 " is above max_swap_mb %" PRIu64,
			    c->floor_mb, c->max_swap_mb);
	if (c->swappiness_min > c->swappiness_max)
		return fail_later(p, "swappiness_min", "swappiness_max",
			    "swappiness_min %u is above swappiness_max %u",
			    c->swappiness_min, c->swappiness_max);
	if (c->psi_stall_us > c->psi_window_us)
		return fail_later(p, "psi_stall_us", "psi_window_us",
			    "psi_stall_us %u is above psi_window_us %u",
			    c->psi_stall_us, c->psi_window_us);
	return 0;
}

/* One file's text (len bytes; NUL bytes are an error) into p->c. */
static int parse_text(struct pctx *p, const char *text, size_t len)
{
	char line[CONF_LINE_MAX + 1];
	size_t pos = 0;
	unsigned n = 0;

	memset(p->line_of, 0, sizeof(p->line_of));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;

		n++;
		if (l > CONF_LINE_MAX)
			return fail(p, n, "line too long (%zu bytes, at most %d)", l,
				    CONF_LINE_MAX);
		if (memchr(text + pos, '\0', l))
			return fail(p, n, "NUL byte in the text");
		memcpy(line, text + pos, l);
		line[l] = '\0';
		if (parse_line(p, line, n) < 0)
			return -1;
		pos += l + (nl ? 1 : 0);
	}
	return 0;
}

static struct pctx *pctx_new(const char *path, const struct asd_config *c,
			     char *err, size_t errlen)
{
	struct pctx *p = calloc(1, sizeof(*p));

	if (err && errlen)
		err[0] = '\0';
	if (!p) {
		asd_say(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	p->path = path;
	p->c = *c;
	p->err = err;
	p->errlen = errlen;
	return p;
}

int asd_config_parse(const char *path, const char *text, struct asd_config *c,
		     char *err, size_t errlen)
{
	struct pctx *p = pctx_new(path ? path : "(config)", c, err, errlen);
	int r;

	if (!p)
		return -1;
	p->file = 1;
	r = parse_text(p, text ? text : "", text ? strlen(text) : 0);
	if (!r)
		r = cross_check(p);
	if (!r)
		*c = p->c;
	free(p);
	return r;
}

/*
 * Read and parse the file name in dirfd (AT_FDCWD: a path) as file number
 * p->file.  0, or -errno with the reason in p->err (-EINVAL for a syntax
 * error or a file that is not a regular one).
 */
static int read_file(struct pctx *p, int dirfd, const char *name)
{
	struct stat st;
	size_t n = 0;
	char *buf;
	int fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		fail(p, 0, "cannot open: %s", strerror(e));
		return -e;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		fail(p, 0, "not a regular file");
		return -EINVAL;
	}
	buf = malloc(CONF_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		fail(p, 0, "out of memory");
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
			fail(p, 0, "read: %s", strerror(e));
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > CONF_FILE_MAX) {
		free(buf);
		fail(p, 0, "file too large (more than %d bytes)", CONF_FILE_MAX);
		return -EFBIG;
	}
	e = parse_text(p, buf, n);
	free(buf);
	return e < 0 ? -EINVAL : 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A drop-in's name: NAME.conf, NAME not empty and not starting with '.'. */
static bool dropin_name(const char *s)
{
	size_t l = strlen(s);

	return s[0] != '.' && l > 5 && !strcmp(s + l - 5, ".conf");
}

/* The drop-ins of dir, in order, after what p holds; 0 or -errno. */
static int read_dropins(struct pctx *p, const char *dir)
{
	char *names[CONF_DROPINS_MAX], path[ASD_ORIGIN_MAX];
	struct dirent *de;
	int fd, n = 0, r = 0;
	DIR *dp;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;		/* no drop-ins */
	if (fd < 0) {
		r = -errno;
		return fail_in(p, dir, 0, "cannot open the drop-in directory: %s",
			       strerror(-r)), r;
	}
	dp = fdopendir(fd);
	if (!dp) {
		r = -errno;
		close(fd);
		return fail_in(p, dir, 0, "cannot read: %s", strerror(-r)), r;
	}
	while ((errno = 0, de = readdir(dp))) {
		if (!dropin_name(de->d_name))
			continue;
		if (n == CONF_DROPINS_MAX) {
			r = -E2BIG;
			fail_in(p, dir, 0, "more than %d drop-in files", CONF_DROPINS_MAX);
			goto out;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			fail_in(p, dir, 0, "out of memory");
			goto out;
		}
		n++;
	}
	if (errno) {
		r = -errno;
		fail_in(p, dir, 0, "cannot read: %s", strerror(-r));
		goto out;
	}
	qsort(names, (size_t)n, sizeof(names[0]), cmp_names);
	for (int i = 0; i < n && !r; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
			r = -ENAMETOOLONG;
			fail_in(p, dir, 0, "file name too long: '%s'", names[i]);
			break;
		}
		p->path = path;
		p->file++;
		r = read_file(p, dirfd(dp), names[i]);
	}
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	closedir(dp);
	return r;
}

int asd_config_load_all(const char *path, bool missing_ok, struct asd_config *c,
			struct asd_config_origin *origin, char *err, size_t errlen)
{
	struct pctx *p = pctx_new(path, c, err, errlen);
	char dir[ASD_ORIGIN_MAX];
	int r;

	if (!p)
		return -ENOMEM;
	p->file = 1;
	r = read_file(p, AT_FDCWD, path);
	if (r == -ENOENT && missing_ok) {
		r = 0;
		if (err && errlen)
			err[0] = '\0';
	}
	if (!r && (size_t)snprintf(dir, sizeof(dir), "%s.d", path) >= sizeof(dir))
		r = -ENAMETOOLONG, fail_in(p, path, 0, "path too long");
	if (!r)
		r = read_dropins(p, dir);
	p->path = path;
	if (!r && cross_check(p) < 0)
		r = -EINVAL;
	if (!r) {
		*c = p->c;
		if (origin)
			memcpy(origin, p->org, sizeof(p->org));
	}
	free(p);
	return r;
}

/*
 * Returns 0, -errno when the file cannot be read (-ENOENT when it is
 * missing, -EFBIG above 64 KiB, -EINVAL when it is not a regular file),
 * or -EINVAL for a syntax error; err always says which.
 */
int asd_config_load(const char *path, struct asd_config *c, char *err, size_t errlen)
{
	struct pctx *p = pctx_new(path, c, err, errlen);
	int r;

	if (!p)
		return -ENOMEM;
	p->file = 1;
	r = read_file(p, AT_FDCWD, path);
	if (!r && cross_check(p) < 0)
		r = -EINVAL;
	if (!r)
		*c = p->c;
	free(p);
	return r;
}
