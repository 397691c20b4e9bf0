// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One daemon (or one --release) per rundir, and a safe swap directory,
 * before anything changes: the swap directory's check, the rundir, the
 * instance lock (an flock on RUNDIR/adaptswapd.lock held until exit; the
 * kernel drops it on a crash).
 *
 * Owns: the lock's fd (kept open for the life of the process); opens
 * d->inv.dirfd, the swap directory's fd everything else works through.
 * Calls: safedir.c (directory check), libadaptswap (is a daemon answering?).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "daemon.h"

/* 0, or -EWOULDBLOCK when another process holds the lock. */
static int take_lock(const struct daemon *d)
{
	char path[200];
	int fd;

	snprintf(path, sizeof(path), "%s/adaptswapd.lock", d->rundir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return 0;	/* fd stays open: the lock lives as long as we do */
}

/* A daemon answers on the control socket (also one without the lock). */
static bool daemon_answers(const struct daemon *d)
{
	struct adaptswap_daemon *c;
	bool up = adaptswap_daemon_open(&c, d->rundir, 0) == 0;

	adaptswap_daemon_close(c);
	return up;
}

/*
 * What both modes need before they act.  For --release a missing
 * directory holds nothing to release (it is not created) and a daemon that
 * answers on the socket counts as running even if it holds no lock.
 * Returns 0, or -1 with the reason in err.
 */
int instance_claim(struct daemon *d, bool release, char *err, size_t len)
{
	struct stat st;
	int r;

	/* every path below: checked once, then only used through this fd */
	if (!release || lstat(d->cfg.dir, &st) == 0 || errno != ENOENT) {
		d->inv.dirfd = asd_dir_open(d->cfg.dir, !release, err, len);
		if (d->inv.dirfd == -EROFS) {
			size_t l = strlen(err);

			snprintf(err + l, len - l, " (under adaptswapd.service a dir outside "
				 DEFAULT_DIR " needs a drop-in 'ReadWritePaths=%s')", d->cfg.dir);
		}
		if (d->inv.dirfd < 0)
			return -1;
	}
	if (mkdir(d->rundir, 0755) && errno != EEXIST) {
		snprintf(err, len, "%s: %s", d->rundir, strerror(errno));
		return -1;
	}
	r = take_lock(d);
	if (r == -EWOULDBLOCK || (release && r == 0 && daemon_answers(d))) {
		snprintf(err, len, release ? "adaptswapd is running (rundir %s); stop it first" :
			 "another adaptswapd is running (rundir %s)", d->rundir);
		return -1;
	}
	if (r < 0) {
		snprintf(err, len, "%s/adaptswapd.lock: %s", d->rundir, strerror(-r));
		return -1;
	}
	return 0;
}
