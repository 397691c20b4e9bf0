// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Carrying out what policy.c decides: grow (activate the standby chunk or
 * create a file), shrink (a swapoff in the worker), refill the standby
 * chunk, take a finished job's result, release everything, hold.
 *
 * Owns: d->act.  Calls: policy.c, pace.c, procfs.c, inventory.c, worker.c,
 * swapfile.c, log.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/swap.h>

#include "daemon.h"

/*
 * A grow refused or failed: counted every time, logged once per episode
 * (until pressure ends or a grow succeeds) so that a budget reached under
 * lasting pressure does not log every check.
 */
__attribute__((format(printf, 2, 3)))
static void grow_trouble(struct daemon *d, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	d->act.refusals++;
	if (!d->act.episode_refused++)
		decide(d, "%s (said once until pressure ends or a grow succeeds)", text);
	snprintf(d->act.episode_reason, sizeof(d->act.episode_reason), "%s", text);
}

void act_episode_end(struct daemon *d)
{
	if (d->act.episode_refused > 1)
		decide(d, "grow refused or failed %" PRIu64 " times in this episode; the last: %s",
		       d->act.episode_refused, d->act.episode_reason);
	d->act.episode_refused = 0;
}

void act_refill_standby(struct daemon *d)
{
	struct asd_sample s;
	char name[64];
	uint64_t room, size;
	bool urgent;

	if (!d->cfg.standby || d->act.held || inv_standby(d) || worker_busy(d) ||
	    d->inv.n >= MAX_FILES)
		return;
	proc_sample(d, &s);
	room = asd_budget_room(&d->lim, s.managed_total, inv_on_disk(d), s.fs_size, s.fs_free);
	/* the step the next growth takes */
	size = asd_grow_step(&d->lim, &s);
	if (room < size) {
		logmsg(d, LOG_DEBUG_, "standby: no room in the budget");
		return;
	}
	inv_new_name(d, name, sizeof(name));
	/* under pressure the refill cannot wait behind swap-out's writes */
	urgent = s.level > ADAPTSWAP_LEVEL_NONE;
	if (worker_start_job(d, JOB_STANDBY, name, size, urgent)) {
		inv_add(d, name, size)->busy = true;
		d->act.refill_start_ms = now_ms();
		d->act.refill_urgent = urgent;
	}
}

/*
 * swapon(2) of a file below the directory fd, through /proc/self/fd/N of
 * a descriptor checked to be a managed file: 0 or -errno, what failed in err.
 */
static int swapon_at(struct daemon *d, const char *name, char *err, size_t len)
{
	char path[64];
	int fd = inv_open(d, name, err, len), r = 0;

	if (fd < 0)
		return fd;
	/* the file we checked, whatever the directory's path now leads to */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
#ifdef ASD_TEST_HOOKS
	if (getenv("ADAPTSWAPD_TEST_PAUSE_SWAPON")) {
		int secs = atoi(getenv("ADAPTSWAPD_TEST_PAUSE_SWAPON"));

		logmsg(d, LOG_INFO_, "test hook: %s opened, pausing %d s before swapon", name, secs);
		sleep((unsigned)secs);
	}
#endif
	if (swapon(path, 0)) {
		r = -errno;
		asd_say(err, len, "swapon %s: %s", name, strerror(-r));
	}
	close(fd);
	return r;
}

/*
 * swapon(2) of f; the reason of a failure in out (may be NULL).  Its time
 * goes into the lead (asd_lead_ms()).
 */
static int activate(struct daemon *d, struct mfile *f, char *out, size_t outlen)
{
	char err[300];
	uint64_t t0 = now_ms();
	int r = swapon_at(d, f->name, err, sizeof(err));

	d->act.swapon_last_ms = now_ms() - t0;
	d->act.swapon_ms = asd_slow_observe(d->act.swapon_ms, d->act.swapon_last_ms);
	if (r < 0) {
		grow_trouble(d, "grow: %s failed: %s", f->name, err);
		asd_say(out, outlen, "%s", err);
		return r;
	}
	f->active = true;
	return 0;
}

/*
 * Near the kernel's limit on swap areas (MAX_SWAPFILES, 23 to 32 by
 * configuration; counted with foreign areas; within 2 of ASD_AREAS_SAFE):
 * the next file takes all the room the budget leaves, not one more chunk.
 */
static uint64_t chunk_for_areas(struct daemon *d, uint64_t bytes, uint64_t room)
{
	int n = inv_areas_in_use();

	if (n < 0 || (unsigned)n + 2 < ASD_AREAS_SAFE || room <= bytes)
		return bytes;
	logmsg(d, LOG_INFO_, "%d swap areas in use, near the kernel's limit: growing by %"
	       PRIu64 " MiB at once", n, asd_page_down(room) / ASD_MIB);
	return asd_page_down(room);
}

static uint64_t since_ns_us(uint64_t event_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec - event_ns) / 1000;
}

/*
 * A new file of `bytes` for growth: NAME.new first, renamed when whole.
 * 0, or -EIO; -ENOSPC when no file could be made (then no standby either).
 */
static int grow_new_file(struct daemon *d, const char *why, uint64_t bytes,
			 const char *reason, char *out, size_t outlen)
{
	char name[64], tmp[80], err[256];
	struct mfile *f;

	inv_new_name(d, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), "%s.new", name);
	if (asd_swapfile_create_at(d->inv.dirfd, d->cfg.dir, tmp, bytes, err, sizeof(err)) < 0) {
		grow_trouble(d, "grow failed (%s): %s", why, err);
		asd_say(out, outlen, "failed: %.200s", err);
		return -ENOSPC;
	}
	/* never over a file that appeared meanwhile */
	if (renameat2(d->inv.dirfd, tmp, d->inv.dirfd, name, RENAME_NOREPLACE)) {
		int e = errno;

		inv_unlink(d, tmp);
		decide(d, "grow failed: rename %s: %s", tmp, strerror(e));
		asd_say(out, outlen, "failed: rename: %s", strerror(e));
		return -ENOSPC;
	}
	f = inv_add(d, name, bytes);
	if (activate(d, f, out, outlen) < 0) {
		inv_unlink(d, name);
		inv_drop(d, f);
		return -EIO;
	}
	d->act.grows++;
	decide(d, "grow (%s): new %s, %" PRIu64 " MiB: %s", why, f->name, f->size / ASD_MIB,
	       reason);
	asd_say(out, outlen, "%s", log_last(d));
	return 0;
}

/* The policy's verdict into out: true for yes; a refusal is counted and logged. */
static bool verdict(struct daemon *d, const struct asd_decision *dec, const char *what,
		    char *out, size_t outlen)
{
	asd_say(out, outlen, "%s", dec->reason);
	if (dec->verdict == ASD_REFUSED) {
		if (!strncmp(what, "grow", 4)) {
			grow_trouble(d, "%s: %s", what, dec->reason);
		} else {
			d->act.refusals++;
			decide(d, "%s: %s", what, dec->reason);
		}
	}
	return dec->verdict == ASD_YES;
}

/*
 * Grow if the policy says so.  force (adaptswapctl grow): as if pressure
 * were critical and swap full; hold and the budget still apply.  Returns 0
 * when swap was added, -ECANCELED when the policy said no, -EIO when it
 * failed; what happened, or why not, is left in out (may be NULL).
 */
int act_grow(struct daemon *d, const char *why, uint64_t event_ns, bool force,
	     char *out, size_t outlen)
{
	struct asd_decision dec;
	struct asd_sample s;
	struct mfile *sb;
	char what[96];
	int r = -ECANCELED;

	proc_sample(d, &s);
	s.swap_use_rate = asd_rate_observe(&d->act.rate, s.now_ms, s.swap_total, s.swap_free);
	if (force) {
		s.level = ADAPTSWAP_LEVEL_CRITICAL;
		s.swap_free = 0;
		s.mem_avail = 0;
	}
	asd_should_grow(&d->cfg, &d->lim, &s, inv_on_disk(d), &dec);
	d->act.recheck_ms = asd_grow_recheck_ms(&d->lim, &s);
	snprintf(what, sizeof(what), "grow refused (%s)", why);
	if (!verdict(d, &dec, what, out, outlen))
		return -ECANCELED;
	sb = inv_standby(d);
	if (sb && sb->size <= dec.bytes + ASD_PAGE) {
		r = activate(d, sb, out, outlen);
		if (r == -EBUSY) {
			/* active already, by a path we do not know: not ours to delete */
			sb->active = true;
			return -EIO;
		}
		r = r < 0 ? -EIO : 0;
		if (r == 0) {
			if (event_ns)
				d->act.last_grow_latency_us = since_ns_us(event_ns);
			d->act.grows++;
			decide(d, "grow (%s): activated standby %s, %" PRIu64 " MiB: %s", why,
			       sb->name, sb->size / ASD_MIB, dec.reason);
			logmsg(d, LOG_DEBUG_, "grow: at %" PRIu64 " of %" PRIu64 " MiB free, "
			       "headroom %" PRIu64 " MiB, swap-out %" PRIu64 " MiB/s; swapon took %"
			       PRIu64 " ms", s.swap_free / ASD_MIB, s.swap_total / ASD_MIB,
			       asd_grow_headroom(&d->lim, &s) / ASD_MIB, s.swap_use_rate / ASD_MIB,
			       d->act.swapon_last_ms);
			asd_say(out, outlen, "%s", log_last(d));
			/* refill at once; more now when one chunk is not enough */
			act_refill_standby(d);
			if (dec.extra && d->inv.n < MAX_FILES)
				grow_new_file(d, why, dec.extra, dec.reason, NULL, 0);
			act_episode_end(d);
			d->act.recheck_ms = ASD_CHECK_MIN_MS;
			return 0;
		}
		/* a standby swapon refuses is of no use: away with it, grow anew */
		decide(d, "grow: discarding standby %s, swapon refused it", sb->name);
		/* one that cannot be deleted (a read-only filesystem refuses
		 * both) stays ours: tried again, or deleted, later */
		if (inv_unlink(d, sb->name) == 0)
			inv_drop(d, sb);
	}
	if (d->inv.n < MAX_FILES) {
		uint64_t room = asd_budget_room(&d->lim, s.managed_total, inv_on_disk(d),
						s.fs_size, s.fs_free);

		r = grow_new_file(d, why, chunk_for_areas(d, dec.bytes, room), dec.reason,
				  out, outlen);
		if (r == -ENOSPC)
			return -EIO;	/* nothing made: no standby either */
	} else {
		asd_say(out, outlen, "refused: %d managed files, the most there may be", MAX_FILES);
	}
	if (r == 0) {
		act_episode_end(d);
		d->act.recheck_ms = ASD_CHECK_MIN_MS;
	}
	act_refill_standby(d);
	return r;
}

/*
 * Shrink if the policy says so.  force (adaptswapctl shrink): skip the
 * quiet period and the level; the floor and the memory margin still hold.
 * Returns 0 when a swapoff started, -EBUSY when the worker has a job,
 * -ECANCELED when the policy said no; the reason is left in out.
 */
int act_shrink(struct daemon *d, bool force, char *out, size_t outlen)
{
	struct asd_file_info info[MAX_FILES];
	struct asd_decision dec;
	struct asd_sample s;
	struct mfile *f;
	int map[MAX_FILES], n = 0;

	if (worker_busy(d)) {
		asd_say(out, outlen, "busy: a swapoff or a standby refill is running");
		return -EBUSY;
	}
	proc_sample(d, &s);
	if (force) {
		s.level = ADAPTSWAP_LEVEL_NONE;
		s.last_pressure_ms = 0;
	}
	for (int i = 0; i < d->inv.n; i++) {
		if (d->inv.files[i].busy)
			continue;
		info[n].size = d->inv.files[i].size;
		info[n].used = d->inv.files[i].used;
		info[n].active = d->inv.files[i].active;
		map[n++] = i;
	}
	asd_should_shrink(&d->cfg, &d->lim, &s, info, (size_t)n, &dec);
	if (!verdict(d, &dec, "shrink refused", out, outlen))
		return -ECANCELED;
	f = &d->inv.files[map[dec.index]];
	if (!worker_start_job(d, JOB_SWAPOFF, f->name, 0, false))
		return -EBUSY;
	f->busy = true;
	decide(d, "shrink: swapoff %s started: %s", f->name, dec.reason);
	asd_say(out, outlen, "%s", log_last(d));
	return 0;
}

/* The timer's turn: shrink when there is no pressure, else grow again. */
void act_tick(struct daemon *d)
{
	inv_tidy(d);
	d->act.shrink_next = false;
	if (d->src.level == ADAPTSWAP_LEVEL_NONE) {
		act_episode_end(d);
		if (!d->act.shrink_failed_ms ||
		    now_ms() - d->act.shrink_failed_ms >= ASD_SHRINK_RETRY_MS)
			act_shrink(d, false, NULL, 0);
	} else {
		act_grow(d, "pressure lasts", 0, false, NULL, 0);
	}
}

/* A release's swapoffs are done (or one failed): delete, then answer. */
static void release_finished(struct daemon *d, const struct job_result *res)
{
	struct asd_sample s;
	char msg[600];
	int left = 0, err = res->result;

	proc_sample(d, &s);	/* which files are still active */
	for (int i = d->inv.n - 1; i >= 0; i--) {
		struct mfile *f = &d->inv.files[i];

		f->busy = false;
		if (f->active || inv_unlink(d, f->name) < 0) {
			left++;
			continue;
		}
		inv_drop(d, f);
	}
	if (err) {
		snprintf(msg, sizeof(msg), "swapoff %s: %s; %d managed file(s) left",
			 res->name, err == -EINTR ? "interrupted" : strerror(-err), left);
		decide(d, "release: %s", msg);
	} else if (left) {
		err = -EIO;
		snprintf(msg, sizeof(msg), "%d managed file(s) could not be deleted (see the log)",
			 left);
		decide(d, "release: %s", msg);
	} else {
		decide(d, "release: all managed swap is off and deleted; growth on hold");
		snprintf(msg, sizeof(msg),
			 "released: no managed swap left; growth is on hold until 'resume'");
	}
	ctl_release_done(d, err, msg);
}

/* The worker finished a job: what to do follows from the job that ran. */
void act_job_finished(struct daemon *d)
{
	struct job_result res;
	struct mfile *f;
	int r;

	if (!worker_take_result(d, &res))
		return;
	if (res.job == JOB_RELEASE) {
		release_finished(d, &res);
		return;
	}
	r = res.result;
	f = inv_find(d, res.name);
	if (!f)
		return;
	f->busy = false;
	if (res.job == JOB_STANDBY) {
		if (d->act.refill_start_ms) {
			d->act.refill_ms = now_ms() - d->act.refill_start_ms;
			d->act.refill_start_ms = 0;
		}
		if (r)		/* a failed standby: nothing of it is left */
			inv_drop(d, f);
		else
			logmsg(d, LOG_DEBUG_, "standby %s ready in %" PRIu64 " ms (%s I/O priority)",
			       res.name, d->act.refill_ms, d->act.refill_urgent ? "normal" : "idle");
		return;
	}
	if (r) {
		/* a read-only filesystem refuses every swapoff: say it once a
		 * minute, not at every tick */
		if (r != -EINTR)
			d->act.shrink_failed_ms = now_ms();
		decide(d, "shrink: swapoff %s %s%s", res.name,
		       r == -EINTR ? "interrupted: pressure returned" : strerror(-r),
		       r == -EINTR ? "" : "; shrinks wait a minute");
		/* what /proc/swaps says, not what the flag said before */
		return;
	}
	f->active = false;
	d->act.shrinks++;
	d->act.shrink_failed_ms = 0;
	d->act.shrink_next = true;
	if (d->cfg.standby && !d->act.held && !inv_other_standby(d, f)) {
		decide(d, "shrink: %s is off, kept as the standby chunk", res.name);
	} else if (inv_unlink(d, res.name) < 0) {
		decide(d, "shrink: %s is off, but could not be deleted", res.name);
	} else {
		decide(d, "shrink: %s is off and deleted", res.name);
		inv_drop(d, f);
	}
}

/*
 * release: every managed file off and deleted, if memory allows; then hold.
 * The swapoffs run in the worker: -EINPROGRESS, and ctl_release_done()
 * answers when they are over.
 */
int act_release(struct daemon *d, char *msg, size_t len)
{
	char names[MAX_FILES][64];
	struct asd_sample s;
	int n = 0;

	if (worker_busy(d)) {
		snprintf(msg, len, "busy: a swapoff or standby refill is running, try again");
		return -EBUSY;
	}
	proc_sample(d, &s);
	if (s.mem_avail < s.managed_used + s.managed_used / 10 + 32 * ASD_MIB) {
		d->act.refusals++;
		decide(d, "release refused: %" PRIu64 " MiB in managed swap, only %" PRIu64
		       " MiB available", s.managed_used / ASD_MIB, s.mem_avail / ASD_MIB);
		snprintf(msg, len, "refused: %" PRIu64 " MiB are in managed swap and only %"
			 PRIu64 " MiB of memory are available", s.managed_used / ASD_MIB,
			 s.mem_avail / ASD_MIB);
		return -ECANCELED;
	}
	d->act.held = true;
	for (int i = d->inv.n - 1; i >= 0; i--) {
		d->inv.files[i].busy = true;
		if (d->inv.files[i].active)
			snprintf(names[n++], sizeof(names[0]), "%s", d->inv.files[i].name);
	}
	if (!worker_start_release(d, names, n)) {
		for (int i = 0; i < d->inv.n; i++)
			d->inv.files[i].busy = false;
		snprintf(msg, len, "busy: a swapoff or standby refill is running, try again");
		return -EBUSY;
	}
	decide(d, "release: swapping off %d managed file(s)", n);
	return -EINPROGRESS;
}

void act_hold(struct daemon *d, bool hold)
{
	d->act.held = hold;
	if (hold) {
		decide(d, "hold: growth on hold (adaptswapctl)");
	} else {
		decide(d, "resume: growth allowed again (adaptswapctl)");
		act_refill_standby(d);
	}
}
