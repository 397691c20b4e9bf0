// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The worker thread: what may block for long runs here, one job at a time,
 * so that the event loop keeps answering pressure.  Three jobs: swapoff(2)
 * of a file (interrupted with SIGUSR1 when pressure returns), writing
 * the standby chunk at idle I/O priority, and a release (swapoff of every
 * file named, one after the other; SIGUSR1 or a stop ends it).  Files are
 * reached through the directory fd only.  The thread touches only
 * d->worker, under its lock, and wakes the event loop through a pipe.
 *
 * Owns: d->worker.  Calls: swapfile.c (create), log.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/swap.h>
#include <sys/syscall.h>

#include "daemon.h"

static void worker_sig(int sig)
{
	(void)sig;	/* only interrupts swapoff(2) */
}

/*
 * The standby chunk: written as NAME.new, renamed when complete.  At idle
 * I/O priority, so that it does not slow the machine's own I/O, unless
 * urgent: under swap-out the idle class waits behind every write of it
 * (mq-deadline serves it after up to 10 s), and refills that took 20 to
 * 200 ms took 0.8 to 4 s in a 1 GiB guest under four allocating processes.
 */
static int make_standby(struct daemon *d, const char *dir, int dfd, const char *name,
			uint64_t size, bool urgent)
{
	char err[256], tmp[80];
	int r;

#ifdef ASD_TEST_HOOKS
	const char *pause = getenv("ADAPTSWAPD_TEST_PAUSE_STANDBY");

	if (pause) {
		/* the budget was checked: the chaos suite fills the disk now */
		logmsg(d, LOG_INFO_, "test hook: standby %s paused %d s", name, atoi(pause));
		sleep((unsigned)atoi(pause));
	}
#endif
	/* idle I/O priority: ioprio class 3 (IOPRIO_CLASS_IDLE) */
	if (!urgent)
		syscall(SYS_ioprio_set, 1, 0, 3 << 13);
	snprintf(tmp, sizeof(tmp), "%s.new", name);
	r = asd_swapfile_create_at(dfd, dir, tmp, size, err, sizeof(err));
	if (r == 0) {
		/* never over a file that appeared meanwhile */
		if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE)) {
			r = -errno;
			logmsg(d, LOG_WARN_, "standby %s: rename: %s", name, strerror(-r));
			if (unlinkat(dfd, tmp, 0))
				logmsg(d, LOG_ERR_, "cannot delete %s/%s: %s", dir, tmp,
				       strerror(errno));
		}
	} else {
		logmsg(d, LOG_WARN_, "standby %s: %s", name, err);
	}
	syscall(SYS_ioprio_set, 1, 0, 0);
	return r;
}

/* swapoff(2) of a file below the directory fd: 0 or -errno. */
static int swapoff_at(int dfd, const char *name)
{
	char fdpath[64];
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), r;

	if (fd < 0)
		return -errno;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	r = swapoff(fdpath) ? -errno : 0;
	close(fd);
	return r;
}

/* A release: swap off the files one by one; stop at the first failure. */
static void release_all(struct daemon *d, struct worker *w, struct job_result *res)
{
#ifdef ASD_TEST_HOOKS
	const char *pause = getenv("ADAPTSWAPD_TEST_PAUSE_RELEASE");

	if (pause) {
		logmsg(d, LOG_INFO_, "test hook: release paused %d s", atoi(pause));
		sleep((unsigned)atoi(pause));	/* SIGUSR1 (a stop) cuts it short */
	}
#else
	(void)d;
#endif
	for (int i = 0; i < w->release_n; i++) {
		bool stop;

		pthread_mutex_lock(&w->lock);
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
		snprintf(res->name, sizeof(res->name), "%s", w->release_names[i]);
		res->result = stop ? -EINTR : swapoff_at(w->dirfd, w->release_names[i]);
		if (res->result)
			return;
		res->done++;
	}
	res->name[0] = '\0';
}

static void *worker_main(void *arg)
{
	struct daemon *d = arg;
	struct worker *w = &d->worker;

	w->tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct job_result res = { 0 };
		char name[64];
		uint64_t size;
		bool urgent;
		int job;

		while (w->job == JOB_NONE && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		/* take the job: a quit request made meanwhile is not lost */
		job = w->job;
		w->running_job = w->job;
		w->job = JOB_NONE;
		snprintf(name, sizeof(name), "%s", w->job_name);
		size = w->job_size;
		urgent = w->job_urgent;
		w->busy = true;
		pthread_mutex_unlock(&w->lock);

		res.job = (enum job)job;
		snprintf(res.name, sizeof(res.name), "%s", name);
		if (job == JOB_SWAPOFF)
			res.result = swapoff_at(w->dirfd, name);
		else if (job == JOB_STANDBY)
			res.result = make_standby(d, w->dir, w->dirfd, name, size, urgent);
		else
			release_all(d, w, &res);	/* release_names: not written while busy */

		pthread_mutex_lock(&w->lock);
		w->res = res;
		w->job_done = true;
		w->busy = false;
		if (write(w->wake_wr, "x", 1) < 0)
			logmsg(d, LOG_WARN_, "worker: cannot wake the main loop");
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int worker_start(struct daemon *d)
{
	struct worker *w = &d->worker;
	struct sigaction sa = { .sa_handler = worker_sig };
	int pipefd[2];

	sigaction(SIGUSR1, &sa, NULL);		/* no SA_RESTART: interrupts swapoff */
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	w->wake_rd = pipefd[0];
	w->wake_wr = pipefd[1];
	snprintf(w->dir, sizeof(w->dir), "%s", d->cfg.dir);
	w->dirfd = d->inv.dirfd;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, d))
		return -EAGAIN;
	w->started = true;
	return 0;
}

void worker_stop(struct daemon *d)
{
	struct worker *w = &d->worker;

	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	if (w->busy && w->tid)
		syscall(SYS_tgkill, getpid(), w->tid, SIGUSR1);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->started = false;
}

bool worker_busy(struct daemon *d)
{
	struct worker *w = &d->worker;
	bool busy;

	/* a job handed over and not yet taken, or done and not yet collected */
	pthread_mutex_lock(&w->lock);
	busy = w->busy || w->job != JOB_NONE || w->job_done;
	pthread_mutex_unlock(&w->lock);
	return busy;
}

bool worker_start_job(struct daemon *d, enum job job, const char *name, uint64_t size,
		      bool urgent)
{
	struct worker *w = &d->worker;
	bool ok = false;

	pthread_mutex_lock(&w->lock);
	if (!w->busy && w->job == JOB_NONE && !w->job_done) {
		w->job = job;
		snprintf(w->job_name, sizeof(w->job_name), "%s", name);
		w->job_size = size;
		w->job_urgent = urgent;
		pthread_cond_signal(&w->cond);
		ok = true;
	}
	pthread_mutex_unlock(&w->lock);
	return ok;
}

bool worker_start_release(struct daemon *d, char (*names)[64], int n)
{
	struct worker *w = &d->worker;
	bool ok = false;

	pthread_mutex_lock(&w->lock);
	if (!w->busy && w->job == JOB_NONE && !w->job_done) {
		w->job = JOB_RELEASE;
		w->job_name[0] = '\0';
		memcpy(w->release_names, names, (size_t)n * sizeof(names[0]));
		w->release_n = n;
		pthread_cond_signal(&w->cond);
		ok = true;
	}
	pthread_mutex_unlock(&w->lock);
	return ok;
}

void worker_interrupt_swapoff(struct daemon *d)
{
	struct worker *w = &d->worker;

	pthread_mutex_lock(&w->lock);
	if (w->busy && w->running_job == JOB_SWAPOFF && w->tid)
		syscall(SYS_tgkill, getpid(), w->tid, SIGUSR1);
	pthread_mutex_unlock(&w->lock);
}

bool worker_take_result(struct daemon *d, struct job_result *res)
{
	struct worker *w = &d->worker;
	char buf[64];
	bool done;

	while (read(w->wake_rd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&w->lock);
	done = w->job_done;
	if (done) {
		w->job_done = false;
		*res = w->res;
	}
	pthread_mutex_unlock(&w->lock);
	return done;
}
