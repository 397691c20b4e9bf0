// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vm.swappiness: learn the original value (also the one a crashed run left
 * in RUNDIR/swappiness.orig), move it as policy.c says, restore it on stop.
 *
 * Owns: d->swp.  Calls: policy.c, procfs.c, log.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

#define SWAPPINESS "/proc/sys/vm/swappiness"

static void orig_path(const struct daemon *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s/swappiness.orig", d->rundir);
}

/*
 * Write swappiness.orig whole or not at all: a temporary file made anew
 * (O_EXCL, O_NOFOLLOW: nothing planted there is followed or reused),
 * synced, renamed over the old one.
 */
static int orig_write(struct daemon *d, int v)
{
	char path[200], tmp[220], buf[16];
	int fd, n, r = 0;

	orig_path(d, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (unlink(tmp) && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", v);
	if (write(fd, buf, (size_t)n) != n || fsync(fd))
		r = errno ? -errno : -EIO;
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r) {
		unlink(tmp);
		logmsg(d, LOG_WARN_, "cannot write %s: %s", path, strerror(-r));
	}
	return r;
}

/* Read swappiness.orig, not through a symbolic link: the value or -1. */
static int orig_read(const struct daemon *d)
{
	char path[200], buf[32];
	int fd = -1, n, v;

	orig_path(d, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	n = asd_read_whole(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0 || sscanf(buf, "%d", &v) != 1 || v < 0 || v > 200)
		return -1;
	return v;
}

void swappiness_init(struct daemon *d)
{
	char buf[32];
	int v;

	if (proc_read(SWAPPINESS, buf, sizeof(buf)) < 0) {
		logmsg(d, LOG_WARN_, "cannot read vm.swappiness: not tuning it");
		d->cfg.swappiness_control = false;
		return;
	}
	d->swp.cur = (unsigned)atoi(buf);
	d->swp.orig = (int)d->swp.cur;
	d->swp.controlled = d->cfg.swappiness_control;
	/* A previous run that crashed left the original value behind. */
	v = orig_read(d);
	if (v >= 0) {
		d->swp.orig = v;
		logmsg(d, LOG_INFO_, "recovery: original vm.swappiness was %d", d->swp.orig);
	} else if (d->cfg.swappiness_control) {
		orig_write(d, d->swp.orig);
	}
}

static void swappiness_set(struct daemon *d, unsigned v, const char *reason)
{
	char buf[16];
	int r;

	snprintf(buf, sizeof(buf), "%u", v);
	r = proc_write(SWAPPINESS, buf);
	if (r < 0) {
		logmsg(d, LOG_WARN_, "cannot set vm.swappiness: %s", strerror(-r));
		return;
	}
	decide(d, "swappiness %u -> %u: %s", d->swp.cur, v, reason);
	d->swp.cur = v;
	d->swp.changed_ms = now_ms();
}

void swappiness_restore(struct daemon *d)
{
	char path[200];

	if (d->swp.orig >= 0 && (int)d->swp.cur != d->swp.orig)
		swappiness_set(d, (unsigned)d->swp.orig, "restoring the original value");
	orig_path(d, path, sizeof(path));
	unlink(path);
}

/*
 * Someone else wrote vm.swappiness: their value becomes the original (the
 * one restored at stop), and the quiet drift leaves it alone until the
 * next episode of pressure.  True when that happened.
 */
static bool adopt_foreign(struct daemon *d)
{
	char buf[32];
	int v;

	if (proc_read(SWAPPINESS, buf, sizeof(buf)) < 0)
		return false;
	v = atoi(buf);
	if (v == (int)d->swp.cur)
		return false;
	logmsg(d, LOG_INFO_, "vm.swappiness was set to %d by someone else (was %u): adopted as "
	       "the original value", v, d->swp.cur);
	d->swp.orig = v;
	d->swp.cur = (unsigned)v;
	d->swp.adopted_ms = now_ms();
	orig_write(d, d->swp.orig);
	return true;
}

/* The quiet drift's next step: target and time (see asd_swappiness_next()). */
static unsigned drift_target(const struct daemon *d)
{
	unsigned lo = d->cfg.swappiness_min, hi = d->cfg.swappiness_max;

	return hi < lo ? lo : lo + (hi - lo) / 2;
}

uint64_t swappiness_due_ms(struct daemon *d)
{
	uint64_t t = now_ms(), quiet_end, due;

	/* no drift before this run moved it: the value found is the admin's */
	if (!d->cfg.swappiness_control || !d->swp.changed_ms || d->swp.cur == drift_target(d) ||
	    (d->swp.adopted_ms && d->src.last_pressure_ms <= d->swp.adopted_ms))
		return 0;
	quiet_end = d->src.last_pressure_ms ?
		    d->src.last_pressure_ms + d->cfg.shrink_quiet_s * 1000ull : 0;
	due = d->swp.changed_ms + 5000;
	if (quiet_end > due)
		due = quiet_end;
	return due > t ? due - t + 10 : 10;
}

void swappiness_tune(struct daemon *d)
{
	struct asd_sample s;
	char reason[160];
	unsigned v;

	if (!d->cfg.swappiness_control || adopt_foreign(d) ||
	    now_ms() - d->swp.changed_ms < 5000)
		return;
	proc_sample(d, &s);
	v = asd_swappiness_next(&d->cfg, &s, d->swp.cur, reason, sizeof(reason));
	/* an adopted value stays until pressure comes back, and so does the
	 * value found at start until this run first moves it */
	if (d->swp.adopted_ms && s.last_pressure_ms <= d->swp.adopted_ms)
		return;
	if (!d->swp.changed_ms && s.level == ADAPTSWAP_LEVEL_NONE)
		return;
	if (v != d->swp.cur)
		swappiness_set(d, v, reason);
}

void swappiness_reloaded(struct daemon *d)
{
	char buf[32];

	if (d->swp.controlled && !d->cfg.swappiness_control) {
		swappiness_restore(d);
		decide(d, "reload: swappiness_control off: vm.swappiness back to %d", d->swp.orig);
	} else if (!d->swp.controlled && d->cfg.swappiness_control &&
		   proc_read(SWAPPINESS, buf, sizeof(buf)) >= 0) {
		d->swp.cur = (unsigned)atoi(buf);
		d->swp.orig = (int)d->swp.cur;
		orig_write(d, d->swp.orig);
	}
	d->swp.controlled = d->cfg.swappiness_control;
}
