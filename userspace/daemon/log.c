// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Logging: messages on stderr (with a syslog priority prefix for journald),
 * and the ring of the last decisions that status shows.
 *
 * Owns: d->log.  Calls: nothing of the daemon's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "daemon.h"

uint64_t now_ms(void)
{
	return now_ns() / 1000000;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/*
 * A terminal or a file gets the CLOCK_MONOTONIC time in microseconds (the
 * clock of the module's event timestamps): the bench measures latencies of
 * a few milliseconds from it.
 */
void logmsg(const struct daemon *d, int prio, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	if (prio > d->log.level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* journald reads the <N> prefix; a terminal gets a word instead */
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>", prio);
	else
		fprintf(stderr, "adaptswapd: [%lld.%06ld] %s", (long long)ts.tv_sec,
			ts.tv_nsec / 1000,
			prio <= LOG_ERR_ ? "error: " : prio == LOG_WARN_ ? "warning: " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void decide(struct daemon *d, const char *fmt, ...)
{
	struct decision_log *l = &d->log.ring[d->log.n++ % NDECISIONS];
	va_list ap;

	l->at_ms = now_ms();
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	logmsg(d, LOG_INFO_, "%s", l->text);
}

const struct decision_log *log_recent(const struct daemon *d, int n, int i)
{
	return &d->log.ring[(d->log.n - n + i) % NDECISIONS];
}

const char *log_last(const struct daemon *d)
{
	return d->log.n ? d->log.ring[(d->log.n - 1) % NDECISIONS].text : "";
}
