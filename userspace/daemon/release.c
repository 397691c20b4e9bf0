// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapd --release: with no daemon running, give back everything the
 * daemon made: swapoff every active managed file (only when memory allows,
 * with the same check as a shrink), delete the managed files, restore
 * vm.swappiness from swappiness.orig.  A refusal changes nothing.  Runs
 * in the foreground and exits; the package's removal script calls it.
 *
 * Owns: nothing beyond its own run.  Calls: inventory.c, procfs.c,
 * policy.c, log.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "daemon.h"

int release_offline(struct daemon *d)
{
	struct asd_config c = d->cfg;
	struct asd_limits l = d->lim;
	struct asd_file_info all;
	struct asd_decision dec;
	struct asd_sample s;
	char buf[32], path[512];
	int nnew = 0, released = 0, deleted = 0, r;

	/* every file goes: no floor, no quiet period, the margin stays */
	l.floor = 0;
	c.shrink_quiet_s = 0;
	r = inv_scan(d, false, &nnew);
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "adaptswapd: release: %s: %s\n", d->cfg.dir, strerror(-r));
		return EXIT_FAIL;
	}
	proc_sample(d, &s);
	s.level = ADAPTSWAP_LEVEL_NONE;
	s.last_pressure_ms = 0;
	if (s.nr_managed) {
		/* all of it at once first: refuse before touching anything */
		all = (struct asd_file_info){ .size = s.managed_total, .used = s.managed_used,
					      .active = true };
		asd_should_shrink(&c, &l, &s, &all, 1, &dec);
		if (dec.verdict != ASD_YES) {
			fprintf(stderr, "adaptswapd: release refused, nothing changed: %d active "
				"managed file(s) in %s, %" PRIu64 " MiB in use: %s\n", s.nr_managed,
				d->cfg.dir, s.managed_used / ASD_MIB, dec.reason);
			return EXIT_FAIL;
		}
	}
	for (;;) {
		struct asd_file_info info[MAX_FILES];
		struct mfile *f;

		proc_sample(d, &s);
		s.level = ADAPTSWAP_LEVEL_NONE;
		s.last_pressure_ms = 0;
		for (int i = 0; i < d->inv.n; i++)
			info[i] = (struct asd_file_info){ .size = d->inv.files[i].size,
				.used = d->inv.files[i].used, .active = d->inv.files[i].active };
		asd_should_shrink(&c, &l, &s, info, (size_t)d->inv.n, &dec);
		if (dec.verdict == ASD_NO)
			break;		/* no active managed file left */
		if (dec.verdict == ASD_REFUSED) {
			fprintf(stderr, "adaptswapd: release stopped after %d file(s), the rest "
				"is still active: %s\n", released, dec.reason);
			return EXIT_FAIL;
		}
		f = &d->inv.files[dec.index];
		inv_path(d, f->name, path, sizeof(path));
		if (inv_swapoff(d, f->name)) {
			fprintf(stderr, "adaptswapd: release: swapoff %s: %s (%d file(s) released "
				"before it)\n", path, strerror(errno), released);
			return EXIT_FAIL;
		}
		logmsg(d, LOG_INFO_, "release: swapoff %s (%" PRIu64 " MiB, %" PRIu64 " MiB were in use)",
		       f->name, f->size / ASD_MIB, f->used / ASD_MIB);
		f->active = false;
		released++;
	}
	for (int i = 0; i < d->inv.n; i++) {
		if (d->inv.files[i].active)
			continue;	/* cannot happen: the loop ends with none */
		inv_path(d, d->inv.files[i].name, path, sizeof(path));
		if (unlinkat(d->inv.dirfd, d->inv.files[i].name, 0) && errno != ENOENT) {
			fprintf(stderr, "adaptswapd: release: delete %s: %s\n", path, strerror(errno));
			return EXIT_FAIL;
		}
		deleted++;
	}
	if (nnew)
		inv_scan(d, true, NULL);	/* half-made files: delete them too */
	snprintf(path, sizeof(path), "%s/swappiness.orig", d->rundir);
	if (proc_read(path, buf, sizeof(buf)) > 0) {
		int v = atoi(buf);

		if (v < 0 || v > 200 || proc_write("/proc/sys/vm/swappiness", buf) < 0) {
			fprintf(stderr, "adaptswapd: release: cannot restore vm.swappiness to '%.8s'\n",
				buf);
			return EXIT_FAIL;
		}
		logmsg(d, LOG_INFO_, "release: vm.swappiness restored to %d", v);
		unlink(path);
	}
	logmsg(d, LOG_INFO_, "release: done: %d file(s) swapped off, %d deleted from %s", released,
	       deleted + nnew, d->cfg.dir);
	return EXIT_OK;
}
