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

void swappiness_init(struct daemon *d)
{
	char buf[32], path[200];

	if (proc_read(SWAPPINESS, buf, sizeof(buf)) < 0) {
		logmsg(d, LOG_WARN_, "cannot read vm.swappiness: not tuning it");
		d->cfg.swappiness_control = false;
		return;
	}
	d->swp.cur = (unsigned)atoi(buf);
	d->swp.orig = (int)d->swp.cur;
	/* A previous run that crashed left the original value behind. */
	orig_path(d, path, sizeof(path));
	if (proc_read(path, buf, sizeof(buf)) > 0) {
		d->swp.orig = atoi(buf);
		logmsg(d, LOG_INFO_, "recovery: original vm.swappiness was %d", d->swp.orig);
	} else if (d->cfg.swappiness_control) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dprintf(fd, "%d\n", d->swp.orig);
			close(fd);
		}
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

void swappiness_tune(struct daemon *d)
{
	struct asd_sample s;
	char reason[160];
	unsigned v;

	if (!d->cfg.swappiness_control || now_ms() - d->swp.changed_ms < 5000)
		return;
	proc_sample(d, &s);
	v = asd_swappiness_next(&d->cfg, &s, d->swp.cur, reason, sizeof(reason));
	if (v != d->swp.cur)
		swappiness_set(d, v, reason);
}
