// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * node_exporter's textfile collector: with textfile_dir set, the metrics
 * go to TEXTFILE_DIR/adaptswap.prom whenever one of the daemon's own
 * figures changed (a level, an event, a decision, a grow or shrink, a
 * reload, hold, an OOM kill seen at a wake-up) - never on a timer: the
 * check runs after the event loop handled something, so an idle daemon
 * stays asleep.  Each write is a new file in the directory (through its
 * fd) renamed over the old one: a scrape never sees half a file.  On stop
 * the file becomes "adaptswap_daemon_up 0" alone; `adaptswapd --stopped`
 * (the unit's ExecStopPost=) does the same after a crash.
 *
 * Owns: d->tf.  Calls: report.c (the figures), metrics.c, log.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "daemon.h"

#define TEXTFILE	"adaptswap.prom"
#define TEXTFILE_TMP	".adaptswap.prom.tmp"	/* node_exporter reads *.prom only */

int textfile_open_dir(const char *dir, char *err, size_t len)
{
	struct stat st;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		asd_say(err, len, "textfile_dir: cannot open '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || faccessat(fd, ".", W_OK, AT_EACCESS)) {
		asd_say(err, len, "textfile_dir: cannot write in '%s': %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Write what fn prints as dirfd's adaptswap.prom, atomically; 0 or -errno. */
static int write_file(int dirfd, void (*fn)(void *arg, FILE *f), void *arg)
{
	FILE *f;
	int fd, e = 0;

	if (unlinkat(dirfd, TEXTFILE_TMP, 0) && errno != ENOENT)
		return -errno;
	fd = openat(dirfd, TEXTFILE_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		e = -errno;
		close(fd);
		unlinkat(dirfd, TEXTFILE_TMP, 0);
		return e;
	}
	fn(arg, f);
	if (fflush(f) || ferror(f))
		e = -(errno ? errno : EIO);
	if (fclose(f) && !e)
		e = -errno;
	if (!e && renameat(dirfd, TEXTFILE_TMP, dirfd, TEXTFILE))
		e = -errno;
	if (e)
		unlinkat(dirfd, TEXTFILE_TMP, 0);
	return e;
}

static void print_metrics(void *arg, FILE *f)
{
	report_metrics(arg, f, false);
}

static void print_down(void *arg, FILE *f)
{
	(void)arg;
	asd_metrics_write_down(f);
}

void textfile_use(struct daemon *d, int fd)
{
	if (d->tf.dir_fd >= 0)
		close(d->tf.dir_fd);
	d->tf.dir_fd = fd;
	d->tf.written = false;		/* a new directory, or a reload: write now */
	d->tf.failed = false;
}

/* What the daemon's own acts change; the file is rewritten when it moves. */
static void mark(struct daemon *d, struct textfile_mark *m)
{
	*m = (struct textfile_mark){
		.level = (uint64_t)d->src.level,
		.held = d->act.held,
		.source = (uint64_t)(d->src.module_mode ? 1 : d->src.psi_fd >= 0 ? 2 : 3),
		.swappiness = d->swp.cur,
		.grows = d->act.grows,
		.shrinks = d->act.shrinks,
		.refusals = d->act.refusals,
		.action_runs = d->action.runs,
		.events = d->src.events_seen,
		.missed = d->src.events_missed,
		.decisions = (uint64_t)d->log.n,
		.files = (uint64_t)d->inv.n,
		.oom_kills = report_oom_kills(),
	};
}

void textfile_update(struct daemon *d)
{
	struct textfile_mark m;
	int e;

	if (d->tf.dir_fd < 0)
		return;
	mark(d, &m);
	if (d->tf.written && !memcmp(&m, &d->tf.mark, sizeof(m)))
		return;
	e = write_file(d->tf.dir_fd, print_metrics, d);
	if (e < 0) {
		if (!d->tf.failed)
			logmsg(d, LOG_ERR_, "textfile: cannot write %s in %s: %s (tried again at "
			       "the next change)", TEXTFILE, d->cfg.textfile_dir, strerror(-e));
		d->tf.failed = true;
		return;
	}
	if (d->tf.failed)
		logmsg(d, LOG_INFO_, "textfile: %s in %s written again", TEXTFILE,
		       d->cfg.textfile_dir);
	d->tf.failed = false;
	d->tf.written = true;
	d->tf.mark = m;
}

void textfile_stop(struct daemon *d)
{
	int e;

	if (d->tf.dir_fd < 0)
		return;
	e = write_file(d->tf.dir_fd, print_down, NULL);
	if (e < 0)
		logmsg(d, LOG_ERR_, "textfile: cannot write %s in %s: %s", TEXTFILE,
		       d->cfg.textfile_dir, strerror(-e));
	close(d->tf.dir_fd);
	d->tf.dir_fd = -1;
}

int textfile_write_down(const char *dir, char *err, size_t len)
{
	int fd = textfile_open_dir(dir, err, len), e;

	if (fd < 0)
		return -1;
	e = write_file(fd, print_down, NULL);
	close(fd);
	if (e < 0) {
		asd_say(err, len, "textfile_dir: cannot write %s in '%s': %s", TEXTFILE, dir,
			strerror(-e));
		return -1;
	}
	return 0;
}
