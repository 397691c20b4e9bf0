// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/swaps: parsing its lines (paths with the kernel's \ooo escapes,
 * sizes in KiB) and matching the names it gives with the files of ours.
 * Also reading a /proc file whole.  Pure functions, unit-tested in tests/userspace/swapfile_test.c.
 *
 * Owns: nothing (no state).  Calls: libadaptswap's number parser.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adaptswap.h"
#include "asd.h"

int asd_read_whole(int fd, char *buf, size_t len)
{
	size_t got = 0;

	if (!len)
		return -EINVAL;
	for (;;) {
		ssize_t n;

		if (got == len - 1) {
			char c;

			/* full: is there more? */
			n = read(fd, &c, 1);
			if (n < 0 && errno == EINTR)
				continue;
			buf[got] = '\0';
			if (n < 0)
				return -errno;
			return n ? -EFBIG : (int)got;
		}
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf[got] = '\0';
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (int)got;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	return p;
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Copy the escaped path token at *pp into out, decoding \ooo escapes. */
static bool parse_path(const char **pp, const char *end, char *out, size_t outlen)
{
	const char *p = *pp;
	size_t n = 0;

	while (p < end && !is_space(*p)) {
		char c = *p++;

		if (c == '\\' && end - p >= 3 && is_octal(p[0]) && is_octal(p[1]) &&
		    is_octal(p[2])) {
			unsigned v = (unsigned)(p[0] - '0') * 64 +
				     (unsigned)(p[1] - '0') * 8 + (unsigned)(p[2] - '0');

			if (v == 0 || v > 255)
				return false;
			c = (char)v;
			p += 3;
		}
		if (n + 1 >= outlen)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	*pp = p;
	return n > 0;
}

/* Next whitespace-separated token into buf (NUL-terminated). */
static bool next_token(const char **pp, const char *end, char *buf, size_t len)
{
	const char *p = skip_space(*pp, end);
	size_t n = 0;

	while (p < end && !is_space(*p)) {
		if (n + 1 >= len)
			return false;
		buf[n++] = *p++;
	}
	buf[n] = '\0';
	*pp = p;
	return n > 0;
}

/* A size in KiB that stays below 2^64 in bytes. */
static bool parse_kib(const char *s, uint64_t *v)
{
	return adaptswap_parse_u64(s, UINT64_MAX / 1024, v) == 0;
}

static bool parse_int(const char *s, int *v)
{
	char *end;
	long x;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return false;
	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || *end || x < INT_MIN || x > INT_MAX)
		return false;
	*v = (int)x;
	return true;
}

static bool parse_swaps_line(const char *p, const char *end, struct asd_swap_area *a)
{
	char type[16], size[32], used[32], prio[16];

	p = skip_space(p, end);
	if (!parse_path(&p, end, a->path, sizeof(a->path)))
		return false;
	if (!next_token(&p, end, type, sizeof(type)) ||
	    !next_token(&p, end, size, sizeof(size)) ||
	    !next_token(&p, end, used, sizeof(used)) ||
	    !next_token(&p, end, prio, sizeof(prio)))
		return false;
	if (skip_space(p, end) != end)	/* trailing fields */
		return false;
	if (!strcmp(type, "file"))
		a->is_file = true;
	else if (!strcmp(type, "partition"))
		a->is_file = false;
	else
		return false;
	if (!parse_kib(size, &a->size) || !parse_kib(used, &a->used) ||
	    !parse_int(prio, &a->prio))
		return false;
	a->size *= 1024;
	a->used *= 1024;
	return true;
}

int asd_swaps_path_match(const char *full, const char *swaps_path)
{
	size_t fl, sl;

	if (!full || !swaps_path || swaps_path[0] != '/')
		return 0;
	if (!strcmp(full, swaps_path))
		return 2;
	fl = strlen(full);
	sl = strlen(swaps_path);
	if (sl >= fl || strcmp(full + fl - sl, swaps_path))
		return 0;
	return 1;	/* the tail starts with '/', so it starts at a component */
}

int asd_parse_proc_swaps(const char *text, struct asd_swap_area *a, int max)
{
	struct asd_swap_area tmp;
	int n = 0;

	if (!text || !a || max <= 0)
		return 0;
	while (*text && n < max) {
		const char *end = strchr(text, '\n');
		const char *next;

		if (!end)
			end = text + strlen(text);
		next = *end ? end + 1 : end;
		if (strncmp(text, "Filename", 8) != 0 &&
		    parse_swaps_line(text, end, &tmp))
			a[n++] = tmp;
		text = next;
	}
	return n;
}
