// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-jsoncheck: is the input JSON?  For the guests, which have no
 * python3 or jq; the host tests compare its verdicts with python3's.
 *
 * usage: adaptswap-jsoncheck [--lines] [FILE]
 * Without --lines the whole input (FILE or stdin) must be exactly one JSON
 * value (RFC 8259, strict: see userspace/lib/json.h); with --lines every
 * line must be one (no empty line, a newline at the end of each), and
 * there must be at least one.  Exit 0 when it
 * is, 1 when not (the reason, with the line and byte, on stderr), 2 on a
 * usage or read error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static int check(const char *text, size_t len, unsigned line)
{
	const char *why;
	size_t at;

	if (asj_check(text, len, &at, &why) == 0)
		return 0;
	if (line)
		fprintf(stderr, "jsoncheck: line %u, byte %zu: %s\n", line, at + 1, why);
	else
		fprintf(stderr, "jsoncheck: byte %zu: %s\n", at + 1, why);
	return 1;
}

int main(int argc, char **argv)
{
	int lines = argc > 1 && !strcmp(argv[1], "--lines");
	const char *path = argv[1 + lines];
	FILE *f = stdin;
	size_t len = 0, cap = 1 << 16, n;
	char *buf = malloc(cap);
	unsigned nl = 0;
	int bad = 0;

	if (argc > 2 + lines || (path && path[0] == '-' && path[1])) {
		fprintf(stderr, "usage: adaptswap-jsoncheck [--lines] [FILE]\n");
		return 2;
	}
	if (path && strcmp(path, "-") && !(f = fopen(path, "r"))) {
		perror(path);
		return 2;
	}
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf || ferror(f)) {
		fprintf(stderr, "jsoncheck: cannot read the input\n");
		return 2;
	}
	if (!lines)
		return check(buf, len, 0);
	for (size_t i = 0; i < len;) {
		char *eol = memchr(buf + i, '\n', len - i);
		size_t end = eol ? (size_t)(eol - buf) : len;

		nl++;
		if (end == i) {
			fprintf(stderr, "jsoncheck: line %u is empty\n", nl);
			bad = 1;
		} else if (!eol) {
			fprintf(stderr, "jsoncheck: line %u does not end with a newline\n", nl);
			bad = 1;
		} else {
			bad |= check(buf + i, end - i, nl);
		}
		i = end + 1;
	}
	if (!nl) {
		fprintf(stderr, "jsoncheck: no line at all\n");
		return 1;
	}
	return bad;
}
