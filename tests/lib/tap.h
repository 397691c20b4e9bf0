/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal TAP producer for the C unit tests.
 *
 *	ok(cond, "what %s", ...);   one test point
 *	return tap_done();          prints the plan, exit status 1 on failure
 */
#ifndef ADAPTSWAP_TAP_H
#define ADAPTSWAP_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 4, 5)))
static inline int tap_ok(int cond, const char *file, int line,
			 const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* got and want are evaluated once each */
static inline int tap_is_int(long long got, long long want, const char *file,
			     int line, const char *name)
{
	return tap_ok(got == want, file, line, "%s (got %lld, want %lld)",
		      name, got, want);
}

#define is_int(got, want, name) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, name)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
