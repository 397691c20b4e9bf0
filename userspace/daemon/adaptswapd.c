// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapd - grow swapfiles before the OOM killer acts, shrink them
 * safely, tune vm.swappiness.
 *
 * One thread runs the event loop (poll on: module events or the PSI
 * trigger, the family watch, the control socket, signals, one timer);
 * a worker thread runs what may block for long: swapoff(2) (interrupted
 * with a signal when pressure returns) and refilling the standby chunk at
 * idle I/O priority.  Policy is in policy.c (pure functions), files in
 * swapfile.c, configuration in config.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "adaptswap.h"
#include "asd.h"

#ifndef ADAPTSWAP_VERSION
#define ADAPTSWAP_VERSION "unknown"
#endif

#define DEFAULT_CONFIG	"/etc/adaptswap/adaptswapd.conf"
#define DEFAULT_RUNDIR	"/run/adaptswap"
#define MAX_FILES	64
#define MAX_CLIENTS	8
#define NDECISIONS	16

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_CONFIG };
enum { LOG_ERR_ = 3, LOG_WARN_ = 4, LOG_INFO_ = 6, LOG_DEBUG_ = 7 };

struct mfile {
	char name[64];
	uint64_t size, used;
	bool active;
	bool busy;		/* the worker is swapping it off */
	char alias[256];	/* how /proc/swaps names it when not by its path */
};

struct decision_log {
	uint64_t at_ms;
	char text[200];
};

static struct {
	struct asd_config cfg;
	struct asd_limits lim;
	const char *config_path;
	char rundir[80];
	enum asd_source forced_source;
	int log_level;

	/* event sources */
	struct adaptswap *as;		/* module, when in use */
	struct adaptswap_watch *watch;
	int psi_fd;			/* PSI trigger, in PSI mode */
	bool module_mode;
	int level;
	uint64_t last_pressure_ms;
	uint64_t last_event_seq;
	uint64_t events_seen, events_missed;
	uint64_t last_event_latency_ns;
	uint64_t swapin_rate, swapout_rate, refault_rate;
	uint64_t prev_pswpin, prev_pswpout, prev_refault, prev_vm_ms;
	struct asd_psi_state psi;	/* PSI mode's own MemAvailable sampling */
	uint64_t psi_total_kb, psi_avail_kb;	/* its last sample */
	uint64_t chores_ms;		/* periodic(): shrink, swappiness, ... last run */

	/* files */
	struct mfile files[MAX_FILES];
	int nfiles;
	unsigned next_id;
	bool held;
	bool shrink_next;		/* a shrink just finished: check again soon */

	/* swappiness */
	int swappiness_orig;		/* -1: unknown */
	unsigned swappiness;
	uint64_t swappiness_changed_ms;

	struct asd_action_state action;
	struct decision_log log[NDECISIONS];
	int nlog;
	uint64_t grows, shrinks, refusals, actions_run;
	uint64_t last_grow_latency_us;

	/* fds */
	int sig_fd, timer_fd, ctl_fd, wake_rd, wake_wr;
	int clients[MAX_CLIENTS];
	char client_buf[MAX_CLIENTS][128];

	/* worker */
	pthread_t worker;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum { JOB_NONE, JOB_SWAPOFF, JOB_STANDBY } job, running_job;
	char job_name[64];
	uint64_t job_size;
	int job_result;
	bool job_done;
	bool worker_busy;
	pid_t worker_tid;
	bool stop;
} d = { .psi_fd = -1, .sig_fd = -1, .timer_fd = -1, .ctl_fd = -1,
	.swappiness_orig = -1, .log_level = LOG_INFO_ };

/* ---- small helpers ---------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((format(printf, 2, 3)))
static void logmsg(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio > d.log_level)
		return;
	/* journald reads the <N> prefix; a terminal gets a word instead */
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>", prio);
	else
		fprintf(stderr, "adaptswapd: [%.3f] %s", (double)now_ms() / 1000,
			prio <= LOG_ERR_ ? "error: " : prio == LOG_WARN_ ? "warning: " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Log a decision with its reason and keep it for status. */
__attribute__((format(printf, 1, 2)))
static void decide(const char *fmt, ...)
{
	struct decision_log *l = &d.log[d.nlog++ % NDECISIONS];
	va_list ap;

	l->at_ms = now_ms();
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	logmsg(LOG_INFO_, "%s", l->text);
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

static uint64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static uint64_t vmstat_val(const char *text, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\n%s ", key);
	p = strstr(text, k);
	return p ? strtoull(p + strlen(k), NULL, 10) : 0;
}

static void file_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d.cfg.dir, name);
}

/* ---- swap state --------------------------------------------------------- */

static struct mfile *find_file(const char *name)
{
	for (int i = 0; i < d.nfiles; i++)
		if (!strcmp(d.files[i].name, name))
			return &d.files[i];
	return NULL;
}

static void drop_file(struct mfile *f)
{
	int i = (int)(f - d.files);

	memmove(&d.files[i], &d.files[i + 1], (size_t)(d.nfiles - i - 1) * sizeof(*f));
	d.nfiles--;
}

static struct mfile *standby_file(void)
{
	for (int i = 0; i < d.nfiles; i++)
		if (!d.files[i].active && !d.files[i].busy)
			return &d.files[i];
	return NULL;
}

static bool standby_file_other(const struct mfile *not)
{
	for (int i = 0; i < d.nfiles; i++)
		if (&d.files[i] != not && !d.files[i].active && !d.files[i].busy)
			return true;
	return false;
}

/* Refresh sizes/use of active files from /proc/swaps; totals of all swap. */
static void refresh_swaps(uint64_t *swap_total, uint64_t *swap_free)
{
	static char text[16384];
	struct asd_swap_area a[64];
	int n;

	*swap_total = *swap_free = 0;
	if (read_file("/proc/swaps", text, sizeof(text)) < 0)
		return;
	n = asd_parse_proc_swaps(text, a, 64);
	for (int i = 0; i < d.nfiles; i++)
		d.files[i].active = false;
	for (int i = 0; i < n; i++) {
		char p[512];

		*swap_total += a[i].size;
		*swap_free += a[i].size - a[i].used;
		for (int j = 0; j < d.nfiles; j++) {
			struct mfile *m = &d.files[j];
			int match;

			if (m->active)
				continue;
			file_path(m->name, p, sizeof(p));
			match = asd_swaps_path_match(p, a[i].path);
			/*
			 * Only a tail of the path: the area was activated
			 * through a mount that is gone (a stopped service's
			 * namespace).  The kernel tells whether the file is
			 * the active area; remember the name it goes by.
			 */
			if (match == 1 && strcmp(m->alias, a[i].path)) {
				if (asd_swapfile_active(p) != 1)
					continue;
				_Static_assert(sizeof(m->alias) == sizeof(a[i].path), "alias size");
				memcpy(m->alias, a[i].path, sizeof(m->alias));
				logmsg(LOG_INFO_, "%s is active swap, listed in /proc/swaps as %s",
				       m->name, a[i].path);
			}
			if (match) {
				m->active = true;
				d.files[j].used = a[i].used;
				d.files[j].size = a[i].size + 4096; /* header page */
				break;
			}
		}
	}
}

static void take_sample(struct asd_sample *s)
{
	static char text[8192];
	struct statvfs fs;

	memset(s, 0, sizeof(*s));
	s->now_ms = now_ms();
	s->level = d.level;
	s->last_pressure_ms = d.last_pressure_ms;
	if (read_file("/proc/meminfo", text, sizeof(text)) > 0) {
		s->mem_total = meminfo_kb(text, "MemTotal:") * 1024;
		s->mem_avail = meminfo_kb(text, "MemAvailable:") * 1024;
	}
	refresh_swaps(&s->swap_total, &s->swap_free);
	for (int i = 0; i < d.nfiles; i++) {
		if (d.files[i].active) {
			s->managed_total += d.files[i].size;
			s->managed_used += d.files[i].used;
			s->nr_managed++;
		}
	}
	if (statvfs(d.cfg.dir, &fs) == 0) {
		s->fs_size = (uint64_t)fs.f_blocks * fs.f_frsize;
		s->fs_free = (uint64_t)fs.f_bavail * fs.f_frsize;
	}
	if (standby_file())
		s->standby_bytes = standby_file()->size;
	s->swapin_rate = d.swapin_rate;
	s->swapout_rate = d.swapout_rate;
	s->refault_rate = d.refault_rate;
	s->held = d.held;
}

static uint64_t on_disk(void)
{
	uint64_t b = 0;

	for (int i = 0; i < d.nfiles; i++)
		b += d.files[i].size;
	return b;
}

/* ---- worker thread: swapoff and standby refill ------------------------ */

static void worker_sig(int sig)
{
	(void)sig;	/* only interrupts swapoff(2) */
}

static void *worker_main(void *arg)
{
	(void)arg;
	d.worker_tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&d.lock);
	for (;;) {
		char path[512], name[64];
		uint64_t size;
		int job, r = 0;

		while (d.job == JOB_NONE && !d.stop)
			pthread_cond_wait(&d.cond, &d.lock);
		if (d.stop)
			break;
		/* take the job: a quit request made meanwhile is not lost */
		job = d.job;
		d.running_job = d.job;
		d.job = JOB_NONE;
		snprintf(name, sizeof(name), "%s", d.job_name);
		size = d.job_size;
		d.worker_busy = true;
		pthread_mutex_unlock(&d.lock);

		file_path(name, path, sizeof(path));
		if (job == JOB_SWAPOFF) {
			r = swapoff(path) ? -errno : 0;
		} else {
			char err[256], tmp[80];

			/* idle I/O priority: ioprio class 3 (IOPRIO_CLASS_IDLE) */
			syscall(SYS_ioprio_set, 1, 0, 3 << 13);
			snprintf(tmp, sizeof(tmp), "%s.new", name);
			r = asd_swapfile_create(d.cfg.dir, tmp, size, err, sizeof(err));
			if (r == 0) {
				char tpath[512];

				file_path(tmp, tpath, sizeof(tpath));
				if (rename(tpath, path)) {
					r = -errno;
					unlink(tpath);
				}
			} else {
				logmsg(LOG_WARN_, "standby %s: %s", name, err);
			}
			syscall(SYS_ioprio_set, 1, 0, 0);
		}

		pthread_mutex_lock(&d.lock);
		d.job_result = r;
		d.job_done = true;
		d.worker_busy = false;
		if (write(d.wake_wr, "x", 1) < 0)
			logmsg(LOG_WARN_, "worker: cannot wake the main loop");
	}
	pthread_mutex_unlock(&d.lock);
	return NULL;
}

static bool worker_start_job(int job, const char *name, uint64_t size)
{
	bool ok = false;

	pthread_mutex_lock(&d.lock);
	if (!d.worker_busy && d.job == JOB_NONE && !d.job_done) {
		d.job = job;
		snprintf(d.job_name, sizeof(d.job_name), "%s", name);
		d.job_size = size;
		pthread_cond_signal(&d.cond);
		ok = true;
	}
	pthread_mutex_unlock(&d.lock);
	return ok;
}

/* ---- grow / shrink ------------------------------------------------------ */

static void new_name(char *buf, size_t len)
{
	do
		snprintf(buf, len, ASD_FILE_PREFIX "%u" ASD_FILE_SUFFIX, d.next_id++);
	while (find_file(buf));
}

static void refill_standby(void)
{
	struct asd_sample s;
	char name[64];
	uint64_t room;

	if (!d.cfg.standby || d.held || standby_file() || d.worker_busy ||
	    d.nfiles >= MAX_FILES)
		return;
	take_sample(&s);
	room = asd_budget_room(&d.lim, s.managed_total, on_disk(), s.fs_size, s.fs_free);
	if (room < d.lim.chunk) {
		logmsg(LOG_DEBUG_, "standby: no room in the budget");
		return;
	}
	new_name(name, sizeof(name));
	if (worker_start_job(JOB_STANDBY, name, d.lim.chunk)) {
		struct mfile *f = &d.files[d.nfiles++];

		memset(f, 0, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->size = d.lim.chunk;
		f->busy = true;
	}
}

static int activate(struct mfile *f)
{
	char path[512];

	file_path(f->name, path, sizeof(path));
	if (swapon(path, 0)) {
		int e = errno;

		d.refusals++;
		decide("grow: swapon %s failed: %s", f->name, strerror(e));
		return -e;
	}
	f->active = true;
	return 0;
}

/*
 * Grow if the policy says so.  force (adaptswapctl grow): as if pressure
 * were critical and swap full; hold and the budget still apply.  Returns
 * true when swap was added; the reason is left in out (may be NULL).
 */
static bool try_grow_ex(const char *why, uint64_t event_ns, bool force, char *out,
			size_t outlen)
{
	struct asd_decision dec;
	struct asd_sample s;
	struct mfile *sb;
	char err[256];
	uint64_t grows = d.grows;

	take_sample(&s);
	if (force) {
		s.level = ADAPTSWAP_LEVEL_CRITICAL;
		s.swap_free = 0;
	}
	asd_should_grow(&d.cfg, &d.lim, &s, on_disk(), &dec);
	if (out)
		snprintf(out, outlen, "%s", dec.reason);
	if (dec.verdict == ASD_NO)
		return false;
	if (dec.verdict == ASD_REFUSED) {
		d.refusals++;
		decide("grow refused (%s): %s", why, dec.reason);
		return false;
	}
	sb = standby_file();
	if (sb && sb->size <= dec.bytes + 4096) {
		if (activate(sb) == 0) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			if (event_ns)
				d.last_grow_latency_us = ((uint64_t)ts.tv_sec * 1000000000ull +
					(uint64_t)ts.tv_nsec - event_ns) / 1000;
			d.grows++;
			decide("grow (%s): activated standby %s, %" PRIu64 " MiB: %s", why,
			       sb->name, sb->size / ASD_MIB, dec.reason);
		}
	} else if (d.nfiles < MAX_FILES) {
		struct mfile *f = &d.files[d.nfiles];
		char tmp[80], tpath[512], path[512];

		memset(f, 0, sizeof(*f));
		new_name(f->name, sizeof(f->name));
		snprintf(tmp, sizeof(tmp), "%s.new", f->name);
		if (asd_swapfile_create(d.cfg.dir, tmp, dec.bytes, err, sizeof(err)) < 0) {
			d.refusals++;
			decide("grow failed (%s): %s", why, err);
			if (out)
				snprintf(out, outlen, "grow failed: %.200s", err);
			return false;
		}
		file_path(tmp, tpath, sizeof(tpath));
		file_path(f->name, path, sizeof(path));
		if (rename(tpath, path)) {
			unlink(tpath);
			decide("grow failed: rename: %s", strerror(errno));
			if (out)
				snprintf(out, outlen, "grow failed: rename: %s", strerror(errno));
			return false;
		}
		f->size = dec.bytes;
		d.nfiles++;
		if (activate(f) == 0) {
			d.grows++;
			decide("grow (%s): new %s, %" PRIu64 " MiB: %s", why, f->name,
			       f->size / ASD_MIB, dec.reason);
		} else {
			unlink(path);
			drop_file(f);
		}
	}
	refill_standby();
	if (out && d.nlog)
		snprintf(out, outlen, "%s", d.log[(d.nlog - 1) % NDECISIONS].text);
	return d.grows > grows;
}

static void try_grow(const char *why, uint64_t event_ns)
{
	try_grow_ex(why, event_ns, false, NULL, 0);
}

/*
 * Shrink if the policy says so.  force (adaptswapctl shrink): skip the
 * quiet period and the level; the floor and the memory margin still hold.
 * Returns true when a swapoff started; the reason is left in out.
 */
static bool try_shrink_ex(bool force, char *out, size_t outlen)
{
	struct asd_file_info info[MAX_FILES];
	struct asd_decision dec;
	struct asd_sample s;
	int map[MAX_FILES], n = 0;

	if (d.worker_busy) {
		if (out)
			snprintf(out, outlen, "busy: a swapoff or a standby refill is running");
		return false;
	}
	take_sample(&s);
	if (force) {
		s.level = ADAPTSWAP_LEVEL_NONE;
		s.last_pressure_ms = 0;
	}
	for (int i = 0; i < d.nfiles; i++) {
		if (d.files[i].busy)
			continue;
		info[n].size = d.files[i].size;
		info[n].used = d.files[i].used;
		info[n].active = d.files[i].active;
		map[n++] = i;
	}
	asd_should_shrink(&d.cfg, &d.lim, &s, info, (size_t)n, &dec);
	if (out)
		snprintf(out, outlen, "%s", dec.reason);
	if (dec.verdict == ASD_NO)
		return false;
	if (dec.verdict == ASD_REFUSED) {
		d.refusals++;
		decide("shrink refused: %s", dec.reason);
		return false;
	}
	if (!worker_start_job(JOB_SWAPOFF, d.files[map[dec.index]].name, 0))
		return false;
	d.files[map[dec.index]].busy = true;
	decide("shrink: swapoff %s started: %s", d.files[map[dec.index]].name, dec.reason);
	if (out)
		snprintf(out, outlen, "%s", d.log[(d.nlog - 1) % NDECISIONS].text);
	return true;
}

static void try_shrink(void)
{
	try_shrink_ex(false, NULL, 0);
}

/* Pressure returned: interrupt a running swapoff (the kernel keeps the area). */
static void interrupt_swapoff(void)
{
	pthread_mutex_lock(&d.lock);
	if (d.worker_busy && d.running_job == JOB_SWAPOFF && d.worker_tid)
		syscall(SYS_tgkill, getpid(), d.worker_tid, SIGUSR1);
	pthread_mutex_unlock(&d.lock);
}

static void job_finished(void)
{
	char buf[64];
	struct mfile *f;
	int r;
	char name[64];

	while (read(d.wake_rd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&d.lock);
	if (!d.job_done) {
		pthread_mutex_unlock(&d.lock);
		return;
	}
	d.job_done = false;
	r = d.job_result;
	snprintf(name, sizeof(name), "%s", d.job_name);
	pthread_mutex_unlock(&d.lock);

	f = find_file(name);
	if (!f)
		return;
	f->busy = false;
	if (f->active) {	/* it was a swapoff */
		char path[512];

		if (r) {
			decide("shrink: swapoff %s %s", name,
			       r == -EINTR ? "interrupted: pressure returned" : strerror(-r));
			return;
		}
		f->active = false;
		d.shrinks++;
		d.shrink_next = true;
		file_path(name, path, sizeof(path));
		if (d.cfg.standby && !d.held && !standby_file_other(f)) {
			decide("shrink: %s is off, kept as the standby chunk", name);
		} else {
			unlink(path);
			decide("shrink: %s is off and deleted", name);
			drop_file(f);
		}
	} else if (r) {		/* a failed standby */
		drop_file(f);
	} else {
		logmsg(LOG_DEBUG_, "standby %s ready", name);
	}
}

/* ---- crash recovery ----------------------------------------------------- */

/*
 * Collect the files of ours in dir: our name and our label.  Half-made
 * files (*.new) are deleted when delete_new, else only counted in *nnew.
 */
static int scan_dir(bool delete_new, int *nnew)
{
	DIR *dir = opendir(d.cfg.dir);
	struct dirent *e;

	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name), pl = strlen(ASD_FILE_PREFIX);
		char path[512];
		struct stat st;
		unsigned id;

		if (strncmp(e->d_name, ASD_FILE_PREFIX, pl))
			continue;
		file_path(e->d_name, path, sizeof(path));
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (len > 4 && !strcmp(e->d_name + len - 4, ".new")) {
			if (nnew)
				(*nnew)++;
			if (delete_new) {
				logmsg(LOG_INFO_, "recovery: deleting half-made %s", e->d_name);
				unlink(path);
			}
			continue;
		}
		if (len <= strlen(ASD_FILE_SUFFIX) ||
		    strcmp(e->d_name + len - strlen(ASD_FILE_SUFFIX), ASD_FILE_SUFFIX) ||
		    d.nfiles >= MAX_FILES || len >= sizeof(d.files[0].name))
			continue;
		if (!asd_swapfile_is_ours(path)) {
			/* our name, not our label: not ours to touch */
			logmsg(LOG_WARN_, "recovery: leaving %s alone: not a swap area of ours",
			       e->d_name);
			continue;
		}
		memset(&d.files[d.nfiles], 0, sizeof(d.files[0]));
		snprintf(d.files[d.nfiles].name, sizeof(d.files[0].name), "%s", e->d_name);
		d.files[d.nfiles].size = (uint64_t)st.st_size;
		d.nfiles++;
		if (sscanf(e->d_name + pl, "%u", &id) == 1 && id >= d.next_id)
			d.next_id = id + 1;
	}
	closedir(dir);
	return 0;
}

/*
 * Adopt what a previous run left: active files (in /proc/swaps) are ours
 * again; one inactive, complete file of ours becomes the standby; half-made
 * files (*.new) and surplus inactive ones are deleted.  Anything not named
 * and labelled by us is left alone.
 */
static int recover(void)
{
	uint64_t t, f;
	bool have_standby = false;
	int r = scan_dir(true, NULL);

	if (r < 0)
		return r;
	refresh_swaps(&t, &f);
	for (int i = 0; i < d.nfiles; i++) {
		char path[512];

		if (d.files[i].active) {
			logmsg(LOG_INFO_, "recovery: adopted active %s (%" PRIu64 " MiB)",
			       d.files[i].name, d.files[i].size / ASD_MIB);
			continue;
		}
		if (!have_standby && d.cfg.standby && d.files[i].size == d.lim.chunk) {
			have_standby = true;
			logmsg(LOG_INFO_, "recovery: reusing %s as the standby chunk", d.files[i].name);
			continue;
		}
		file_path(d.files[i].name, path, sizeof(path));
		logmsg(LOG_INFO_, "recovery: deleting inactive %s", d.files[i].name);
		unlink(path);
		drop_file(&d.files[i]);
		i--;
	}
	return 0;
}

/* ---- swappiness ------------------------------------------------------------ */

static void swappiness_init(void)
{
	char buf[32], path[200];

	if (read_file("/proc/sys/vm/swappiness", buf, sizeof(buf)) < 0) {
		logmsg(LOG_WARN_, "cannot read vm.swappiness: not tuning it");
		d.cfg.swappiness_control = false;
		return;
	}
	d.swappiness = (unsigned)atoi(buf);
	d.swappiness_orig = (int)d.swappiness;
	/* A previous run that crashed left the original value behind. */
	snprintf(path, sizeof(path), "%s/swappiness.orig", d.rundir);
	if (read_file(path, buf, sizeof(buf)) > 0) {
		d.swappiness_orig = atoi(buf);
		logmsg(LOG_INFO_, "recovery: original vm.swappiness was %d", d.swappiness_orig);
	} else if (d.cfg.swappiness_control) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dprintf(fd, "%d\n", d.swappiness_orig);
			close(fd);
		}
	}
}

static void swappiness_set(unsigned v, const char *reason)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	if (write_file("/proc/sys/vm/swappiness", buf) < 0) {
		logmsg(LOG_WARN_, "cannot set vm.swappiness: %s", strerror(errno));
		return;
	}
	decide("swappiness %u -> %u: %s", d.swappiness, v, reason);
	d.swappiness = v;
	d.swappiness_changed_ms = now_ms();
}

static void swappiness_restore(void)
{
	char path[200];

	if (d.swappiness_orig >= 0 && (int)d.swappiness != d.swappiness_orig)
		swappiness_set((unsigned)d.swappiness_orig, "restoring the original value");
	snprintf(path, sizeof(path), "%s/swappiness.orig", d.rundir);
	unlink(path);
}

static void tune_swappiness(void)
{
	struct asd_sample s;
	char reason[160];
	unsigned v;

	if (!d.cfg.swappiness_control || now_ms() - d.swappiness_changed_ms < 5000)
		return;
	take_sample(&s);
	v = asd_swappiness_next(&d.cfg, &s, d.swappiness, reason, sizeof(reason));
	if (v != d.swappiness)
		swappiness_set(v, reason);
}

/* ---- the action hook ------------------------------------------------------- */

static void check_action(void)
{
	struct asd_sample s;
	char reason[200];
	pid_t pid;

	if (!d.cfg.action_command[0])
		return;
	take_sample(&s);
	if (!asd_action_due(&d.cfg, &d.lim, &s, &d.action, reason, sizeof(reason)))
		return;
	decide("action: running '%s': %s", d.cfg.action_command, reason);
	pid = fork();
	if (pid == 0) {
		setsid();
		execl("/bin/sh", "sh", "-c", d.cfg.action_command, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		logmsg(LOG_ERR_, "action: fork: %s", strerror(errno));
	else
		d.actions_run++;
}

/* ---- rates (PSI mode reads /proc/vmstat; the module sends them) ----------- */

static void update_rates_from_vmstat(void)
{
	static char text[16384];
	uint64_t t = now_ms(), in, out, rf;

	if (read_file("/proc/vmstat", text, sizeof(text)) < 0)
		return;
	in = vmstat_val(text, "pswpin");
	out = vmstat_val(text, "pswpout");
	rf = vmstat_val(text, "workingset_refault_anon") + vmstat_val(text, "workingset_refault_file");
	if (d.prev_vm_ms && t > d.prev_vm_ms) {
		uint64_t dt = t - d.prev_vm_ms;

		d.swapin_rate = (in - d.prev_pswpin) * 1000 / dt;
		d.swapout_rate = (out - d.prev_pswpout) * 1000 / dt;
		d.refault_rate = (rf - d.prev_refault) * 1000 / dt;
	}
	d.prev_pswpin = in;
	d.prev_pswpout = out;
	d.prev_refault = rf;
	d.prev_vm_ms = t;
}

/* ---- event sources -------------------------------------------------------- */

static void set_level(int level, const char *why, uint64_t event_ns)
{
	int old = d.level;

	d.level = level;
	if (level > ADAPTSWAP_LEVEL_NONE) {
		d.last_pressure_ms = now_ms();
		interrupt_swapoff();
	}
	if (level != old)
		logmsg(LOG_DEBUG_, "level %s -> %s (%s)", adaptswap_level_name(old),
		       adaptswap_level_name(level), why);
	if (level > ADAPTSWAP_LEVEL_NONE)
		try_grow(why, event_ns);
}

static int on_module_event(const struct adaptswap_event *ev, void *arg)
{
	(void)arg;
	d.events_seen++;
	if (d.last_event_seq && ev->seq > d.last_event_seq + 1)
		d.events_missed += ev->seq - d.last_event_seq - 1;
	d.last_event_seq = ev->seq;
	d.last_event_latency_ns = ev->received_ns - ev->timestamp_ns;
	d.swapin_rate = ev->rates[ADAPTSWAP_RATE_SWAPIN];
	d.swapout_rate = ev->rates[ADAPTSWAP_RATE_SWAPOUT];
	d.refault_rate = ev->rates[ADAPTSWAP_RATE_REFAULT];
	set_level(ev->type == ADAPTSWAP_EVENT_OOM && ev->level < ADAPTSWAP_LEVEL_CRITICAL ?
		  ADAPTSWAP_LEVEL_CRITICAL : ev->level,
		  ev->type == ADAPTSWAP_EVENT_OOM ? "oom event" : adaptswap_cause_name(ev->cause),
		  ev->timestamp_ns);
	return 0;
}

static void psi_close(void)
{
	if (d.psi_fd >= 0)
		close(d.psi_fd);
	d.psi_fd = -1;
}

static int psi_open(void)
{
	char trig[64];
	int fd = open("/proc/pressure/memory", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(trig, sizeof(trig), "some %u %u", d.cfg.psi_stall_us, d.cfg.psi_window_us);
	if (write(fd, trig, strlen(trig) + 1) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	d.psi_fd = fd;
	return 0;
}

static void module_close(void)
{
	adaptswap_close(d.as);
	d.as = NULL;
	d.module_mode = false;
}

/*
 * At start the family lookup may load an installed module.  Once the
 * module went away (an operator removed it) it is only used again when it
 * comes back by itself: the lookup must not load it.
 */
static bool module_may_autoload = true;

static int module_open(void)
{
	if (d.forced_source == ASD_SOURCE_PSI)
		return -ENOENT;
	if (!module_may_autoload && !adaptswap_loaded())
		return -ENOENT;
	if (adaptswap_open(&d.as) < 0 || adaptswap_subscribe(d.as) < 0 ||
	    adaptswap_set_nonblocking(d.as, 1) < 0) {
		logmsg(LOG_DEBUG_, "module: %s", adaptswap_errmsg(d.as));
		adaptswap_close(d.as);
		d.as = NULL;
		return -ENOENT;
	}
	d.module_mode = true;
	d.last_event_seq = 0;
	return 0;
}

static void use_best_source(void)
{
	if (!d.module_mode && module_open() == 0) {
		psi_close();
		decide("source: adaptswap module (events, no polling)");
		return;
	}
	if (d.module_mode)
		return;
	if (d.forced_source == ASD_SOURCE_MODULE) {
		logmsg(LOG_WARN_, "source=module but the module is not available: waiting for it");
		return;
	}
	if (d.psi_fd < 0) {
		int r = psi_open();

		decide("source: PSI trigger on /proc/pressure/memory%s%s + meminfo sampling",
		       r ? " unavailable: " : "", r ? strerror(-r) : "");
	}
}

/* PSI mode: a level from MemAvailable; the trigger means "at least medium". */
static void psi_sample(bool triggered)
{
	static char text[8192];
	uint64_t t = now_ms();

	if (read_file("/proc/meminfo", text, sizeof(text)) < 0)
		return;
	d.psi_total_kb = meminfo_kb(text, "MemTotal:");
	d.psi_avail_kb = meminfo_kb(text, "MemAvailable:");
	asd_psi_observe(&d.psi, t, d.psi_total_kb, d.psi_avail_kb);
	set_level(asd_psi_level(d.psi_total_kb, d.psi_avail_kb, d.cfg.psi_low_pct, triggered),
		  triggered ? "psi trigger" : "meminfo sample", 0);
}

/* ---- timer -------------------------------------------------------------------- */

/*
 * With the module and nothing to do (no managed swap above the floor, no
 * pressure, no action armed) the timer is off: the daemon sleeps in poll().
 */
static void arm_timer(void)
{
	struct itimerspec it = { 0 };
	uint64_t ms = 0, t = now_ms(), active = 0, used = 0;

	for (int i = 0; i < d.nfiles; i++) {
		if (d.files[i].active) {
			active += d.files[i].size;
			used += d.files[i].used;
		}
	}
	if (!d.module_mode) {
		/* PSI mode samples meminfo: faster near the threshold, or
		 * while memory falls */
		if (d.psi_fd < 0 && d.forced_source == ASD_SOURCE_MODULE)
			ms = 0;
		else if (!d.psi_total_kb)
			ms = ASD_PSI_FAST_MS;	/* no sample yet */
		else
			ms = asd_psi_interval_ms(&d.psi, t, d.level, d.psi_total_kb,
						 d.psi_avail_kb, d.cfg.psi_low_pct);
	} else if (d.level > ADAPTSWAP_LEVEL_NONE) {
		ms = 100;	/* under pressure: re-check growth often */
	} else if (d.shrink_next) {
		ms = 300;	/* a shrink finished: the next file soon */
	} else if (active > d.lim.floor) {
		/* swap to give back: after the quiet period, then every 5 s */
		uint64_t quiet = (uint64_t)d.cfg.shrink_quiet_s * 1000;
		uint64_t since = t - d.last_pressure_ms;

		ms = since < quiet ? quiet - since + 10 : 5000;
	} else if (d.cfg.action_command[0] && used) {
		ms = 5000;	/* the action hook watches swap use */
	}
	/* else: nothing to do until an event comes; no wake-ups */
	it.it_value.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	timerfd_settime(d.timer_fd, 0, &it, NULL);
}

static void periodic(void)
{
	uint64_t x, t;

	if (read(d.timer_fd, &x, sizeof(x)) < 0)
		return;
	t = now_ms();
	if (!d.module_mode) {
		if (d.forced_source != ASD_SOURCE_PSI)
			use_best_source();
		if (!d.module_mode) {
			psi_sample(false);
			/* Sampling may run every 20 ms; without pressure the
			 * rest (shrink, swappiness, action, standby) needs no
			 * more than once a second. */
			if (d.level == ADAPTSWAP_LEVEL_NONE && !d.shrink_next &&
			    t - d.chores_ms < ASD_PSI_IDLE_MS)
				return;
		}
	} else if (d.level > ADAPTSWAP_LEVEL_NONE && t - d.last_pressure_ms > 3000) {
		/* the module repeats events while pressure lasts: none came */
		d.level = ADAPTSWAP_LEVEL_NONE;
	}
	d.chores_ms = t;
	if (!d.module_mode)
		update_rates_from_vmstat();	/* for swappiness and the action */
	d.shrink_next = false;
	if (d.level == ADAPTSWAP_LEVEL_NONE)
		try_shrink();
	else
		try_grow("pressure lasts", 0);
	tune_swappiness();
	check_action();
	refill_standby();
}

/* ---- control socket ----------------------------------------------------------- */

static void status_json(FILE *f)
{
	struct asd_sample s;

	take_sample(&s);
	fprintf(f, "{\"version\":\"%s\",\"source\":\"%s\",\"level\":\"%s\",\"held\":%s,"
		"\"dir\":\"%s\",\"mem_total\":%" PRIu64 ",\"mem_avail\":%" PRIu64
		",\"swap_total\":%" PRIu64 ",\"swap_free\":%" PRIu64
		",\"managed_total\":%" PRIu64 ",\"managed_used\":%" PRIu64
		",\"managed_on_disk\":%" PRIu64 ",\"fs_size\":%" PRIu64 ",\"fs_free\":%" PRIu64,
		ADAPTSWAP_VERSION, d.module_mode ? "module" : d.psi_fd >= 0 ? "psi" : "meminfo",
		adaptswap_level_name(d.level), d.held ? "true" : "false", d.cfg.dir,
		s.mem_total, s.mem_avail, s.swap_total, s.swap_free, s.managed_total,
		s.managed_used, on_disk(), s.fs_size, s.fs_free);
	fprintf(f, ",\"budget\":{\"chunk\":%" PRIu64 ",\"max_swap\":%" PRIu64 ",\"floor\":%" PRIu64
		",\"min_free\":%" PRIu64 ",\"max_disk_pct\":%u,\"room\":%" PRIu64 "}",
		d.lim.chunk, d.lim.max_swap, d.lim.floor, d.lim.min_free, d.lim.max_disk_pct,
		asd_budget_room(&d.lim, s.managed_total, on_disk(), s.fs_size, s.fs_free));
	fprintf(f, ",\"swappiness\":{\"current\":%u,\"original\":%d,\"control\":%s}",
		d.swappiness, d.swappiness_orig, d.cfg.swappiness_control ? "true" : "false");
	fprintf(f, ",\"files\":[");
	for (int i = 0; i < d.nfiles; i++)
		fprintf(f, "%s{\"name\":\"%s\",\"size\":%" PRIu64 ",\"used\":%" PRIu64
			",\"state\":\"%s\"}", i ? "," : "", d.files[i].name, d.files[i].size,
			d.files[i].used, d.files[i].busy ? "busy" :
			d.files[i].active ? "active" : "standby");
	fprintf(f, "],\"counters\":{\"grows\":%" PRIu64 ",\"shrinks\":%" PRIu64
		",\"refusals\":%" PRIu64 ",\"actions\":%" PRIu64 ",\"events\":%" PRIu64
		",\"events_missed\":%" PRIu64 "},\"last_grow_latency_us\":%" PRIu64,
		d.grows, d.shrinks, d.refusals, d.actions_run, d.events_seen, d.events_missed,
		d.last_grow_latency_us);
	fprintf(f, ",\"decisions\":[");
	for (int i = 0, n = d.nlog < NDECISIONS ? d.nlog : NDECISIONS; i < n; i++) {
		const struct decision_log *l = &d.log[(d.nlog - n + i) % NDECISIONS];

		fprintf(f, "%s{\"age_ms\":%" PRIu64 ",\"text\":\"", i ? "," : "",
			now_ms() - l->at_ms);
		for (const char *c = l->text; *c; c++)
			if (*c == '"' || *c == '\\')
				fprintf(f, "\\%c", *c);
			else if ((unsigned char)*c >= 0x20)
				fputc(*c, f);
		fprintf(f, "\"}");
	}
	fprintf(f, "]}\n");
}

static void status_human(FILE *f)
{
	struct asd_sample s;

	take_sample(&s);
	fprintf(f, "adaptswapd %s\nsource:     %s\nlevel:      %s%s\n", ADAPTSWAP_VERSION,
		d.module_mode ? "adaptswap module" : d.psi_fd >= 0 ? "PSI trigger + meminfo" :
		"meminfo sampling", adaptswap_level_name(d.level), d.held ? " (growth on hold)" : "");
	fprintf(f, "memory:     %" PRIu64 " MiB available of %" PRIu64 " MiB\n",
		s.mem_avail / ASD_MIB, s.mem_total / ASD_MIB);
	fprintf(f, "swap:       %" PRIu64 " MiB used of %" PRIu64 " MiB (managed: %" PRIu64
		" MiB used of %" PRIu64 " MiB)\n", (s.swap_total - s.swap_free) / ASD_MIB,
		s.swap_total / ASD_MIB, s.managed_used / ASD_MIB, s.managed_total / ASD_MIB);
	fprintf(f, "budget:     chunk %" PRIu64 " MiB, max %" PRIu64 " MiB, floor %" PRIu64
		" MiB, keep %" PRIu64 " MiB free, at most %u%% of the filesystem; room %" PRIu64
		" MiB\n", d.lim.chunk / ASD_MIB, d.lim.max_swap / ASD_MIB, d.lim.floor / ASD_MIB,
		d.lim.min_free / ASD_MIB, d.lim.max_disk_pct,
		asd_budget_room(&d.lim, s.managed_total, on_disk(), s.fs_size, s.fs_free) / ASD_MIB);
	fprintf(f, "swappiness: %u (original %d%s)\nfiles in %s:\n", d.swappiness,
		d.swappiness_orig, d.cfg.swappiness_control ? "" : ", not tuned", d.cfg.dir);
	for (int i = 0; i < d.nfiles; i++)
		fprintf(f, "  %-24s %6" PRIu64 " MiB  %6" PRIu64 " MiB used  %s\n",
			d.files[i].name, d.files[i].size / ASD_MIB, d.files[i].used / ASD_MIB,
			d.files[i].busy ? "busy" : d.files[i].active ? "active" : "standby");
	if (!d.nfiles)
		fprintf(f, "  (none)\n");
	fprintf(f, "last decisions:\n");
	for (int i = 0, n = d.nlog < 5 ? d.nlog : 5; i < n; i++) {
		const struct decision_log *l = &d.log[(d.nlog - n + i) % NDECISIONS];

		fprintf(f, "  %6.1fs ago  %s\n", (double)(now_ms() - l->at_ms) / 1000, l->text);
	}
}

static void metrics(FILE *f)
{
	struct asd_sample s;

	take_sample(&s);
	fprintf(f, "# HELP adaptswap_level Pressure level (0 none .. 3 critical).\n"
		"# TYPE adaptswap_level gauge\nadaptswap_level %d\n", d.level);
	fprintf(f, "# HELP adaptswap_source_module 1 when events come from adaptswap.ko.\n"
		"# TYPE adaptswap_source_module gauge\nadaptswap_source_module %d\n", d.module_mode);
	fprintf(f, "# TYPE adaptswap_managed_swap_bytes gauge\nadaptswap_managed_swap_bytes %" PRIu64 "\n"
		"# TYPE adaptswap_managed_swap_used_bytes gauge\nadaptswap_managed_swap_used_bytes %" PRIu64 "\n"
		"# TYPE adaptswap_managed_disk_bytes gauge\nadaptswap_managed_disk_bytes %" PRIu64 "\n"
		"# TYPE adaptswap_managed_files gauge\nadaptswap_managed_files %d\n",
		s.managed_total, s.managed_used, on_disk(), d.nfiles);
	fprintf(f, "# TYPE adaptswap_swap_bytes gauge\nadaptswap_swap_bytes %" PRIu64 "\n"
		"# TYPE adaptswap_swap_free_bytes gauge\nadaptswap_swap_free_bytes %" PRIu64 "\n"
		"# TYPE adaptswap_mem_available_bytes gauge\nadaptswap_mem_available_bytes %" PRIu64 "\n"
		"# TYPE adaptswap_swappiness gauge\nadaptswap_swappiness %u\n",
		s.swap_total, s.swap_free, s.mem_avail, d.swappiness);
	fprintf(f, "# TYPE adaptswap_grows_total counter\nadaptswap_grows_total %" PRIu64 "\n"
		"# TYPE adaptswap_shrinks_total counter\nadaptswap_shrinks_total %" PRIu64 "\n"
		"# TYPE adaptswap_refusals_total counter\nadaptswap_refusals_total %" PRIu64 "\n"
		"# TYPE adaptswap_actions_total counter\nadaptswap_actions_total %" PRIu64 "\n"
		"# TYPE adaptswap_events_total counter\nadaptswap_events_total %" PRIu64 "\n"
		"# TYPE adaptswap_events_missed_total counter\nadaptswap_events_missed_total %" PRIu64 "\n",
		d.grows, d.shrinks, d.refusals, d.actions_run, d.events_seen, d.events_missed);
	fprintf(f, "# HELP adaptswap_last_grow_latency_seconds Event timestamp to swapon done.\n"
		"# TYPE adaptswap_last_grow_latency_seconds gauge\n"
		"adaptswap_last_grow_latency_seconds %.6f\n", (double)d.last_grow_latency_us / 1e6);
}

/* release: every managed file off and deleted, if memory allows; then hold. */
static int release_all(FILE *f)
{
	struct asd_sample s;

	if (d.worker_busy) {
		fprintf(f, "error busy: a swapoff or standby refill is running, try again\n");
		return -1;
	}
	take_sample(&s);
	if (s.mem_avail < s.managed_used + s.managed_used / 10 + 32 * ASD_MIB) {
		d.refusals++;
		decide("release refused: %" PRIu64 " MiB in managed swap, only %" PRIu64
		       " MiB available", s.managed_used / ASD_MIB, s.mem_avail / ASD_MIB);
		fprintf(f, "error refused: %" PRIu64 " MiB are in managed swap and only %" PRIu64
			" MiB of memory are available\n", s.managed_used / ASD_MIB,
			s.mem_avail / ASD_MIB);
		return -1;
	}
	d.held = true;
	for (int i = d.nfiles - 1; i >= 0; i--) {
		char path[512];

		file_path(d.files[i].name, path, sizeof(path));
		if (d.files[i].active && swapoff(path)) {
			fprintf(f, "error swapoff %s: %s\n", d.files[i].name, strerror(errno));
			decide("release: swapoff %s failed: %s", d.files[i].name, strerror(errno));
			return -1;
		}
		unlink(path);
		drop_file(&d.files[i]);
	}
	decide("release: all managed swap is off and deleted; growth on hold");
	fprintf(f, "ok\nreleased: no managed swap left; growth is on hold until 'resume'\n");
	return 0;
}

static int reload(char *msg, size_t msglen);

static void handle_command(int fd, const char *cmd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	bool root = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.uid == 0;
	FILE *f = fdopen(dup(fd), "w");

	if (!f)
		return;
	if (!strcmp(cmd, "status")) {
		fprintf(f, "ok\n");
		status_human(f);
	} else if (!strcmp(cmd, "status-json")) {
		fprintf(f, "ok\n");
		status_json(f);
	} else if (!strcmp(cmd, "metrics")) {
		fprintf(f, "ok\n");
		metrics(f);
	} else if (!strcmp(cmd, "grow") || !strcmp(cmd, "shrink") || !strcmp(cmd, "release") ||
		   !strcmp(cmd, "hold") || !strcmp(cmd, "resume") || !strcmp(cmd, "reload")) {
		if (!root) {
			fprintf(f, "error permission denied: '%s' needs root\n", cmd);
		} else if (!strcmp(cmd, "reload")) {
			char msg[600];

			if (reload(msg, sizeof(msg)))
				fprintf(f, "error refused, the running configuration is kept: %s\n", msg);
			else
				fprintf(f, "ok\n%s\n", msg);
		} else if (!strcmp(cmd, "hold")) {
			d.held = true;
			decide("hold: growth on hold (adaptswapctl)");
			fprintf(f, "ok\n");
		} else if (!strcmp(cmd, "resume")) {
			d.held = false;
			decide("resume: growth allowed again (adaptswapctl)");
			fprintf(f, "ok\n");
			refill_standby();
		} else if (!strcmp(cmd, "release")) {
			release_all(f);
		} else if (!strcmp(cmd, "grow")) {
			char why[256];

			if (try_grow_ex("adaptswapctl grow", 0, true, why, sizeof(why)))
				fprintf(f, "ok\n%s\n", why);
			else
				fprintf(f, "error %s\n", why);
		} else {
			char why[256];

			if (try_shrink_ex(true, why, sizeof(why)))
				fprintf(f, "ok\n%s\n", why);
			else
				fprintf(f, "error %s\n", why);
		}
	} else {
		fprintf(f, "error unknown command '%s'\n", cmd);
	}
	fclose(f);
}

static void client_readable(int slot)
{
	char *buf = d.client_buf[slot];
	size_t have = strlen(buf);
	ssize_t n = recv(d.clients[slot], buf + have, sizeof(d.client_buf[0]) - 1 - have,
			 MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		buf[have + (size_t)n] = '\0';
		/* a command is one line; wait for the rest of it */
		if (!strchr(buf, '\n') && have + (size_t)n < sizeof(d.client_buf[0]) - 1)
			return;
		buf[strcspn(buf, "\r\n")] = '\0';
		handle_command(d.clients[slot], buf);
	}
	close(d.clients[slot]);
	d.clients[slot] = -1;
	buf[0] = '\0';
}

static void accept_client(void)
{
	int fd = accept4(d.ctl_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (d.clients[i] < 0) {
			struct timeval tv = { .tv_sec = 2 };

			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			d.clients[i] = fd;
			d.client_buf[i][0] = '\0';
			return;
		}
	}
	close(fd);
}

static int ctl_open(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/adaptswapd.sock", d.rundir);
	unlink(a.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8)) {
		logmsg(LOG_ERR_, "control socket %s: %s", a.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	chmod(a.sun_path, 0666);	/* status for everyone; changes check SO_PEERCRED */
	d.ctl_fd = fd;
	return 0;
}

/* ---- systemd notification (no libsystemd needed) ---------------------------- */

static void sd_notify_msg(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(a.sun_path))
		return;
	strcpy(a.sun_path, path);
	if (a.sun_path[0] == '@')
		a.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&a,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
}

/* ---- configuration ----------------------------------------------------------- */

static int resolve_limits(void)
{
	char text[4096];
	struct statvfs fs;
	uint64_t ram;

	if (read_file("/proc/meminfo", text, sizeof(text)) < 0)
		return -1;
	ram = meminfo_kb(text, "MemTotal:") * 1024;
	if (statvfs(d.cfg.dir, &fs))
		return -1;
	asd_config_resolve(&d.cfg, ram, (uint64_t)fs.f_blocks * fs.f_frsize, &d.lim);
	return 0;
}

/*
 * Re-read the configuration file (SIGHUP, or 'reload' on the control
 * socket).  All or nothing: a file that does not load, or that changes
 * 'dir', leaves the running configuration as it was.  On failure the
 * reason is in msg as well as in the log; returns 0 or -1.
 */
static int reload(char *msg, size_t msglen)
{
	struct asd_config c;
	char err[512];

	asd_config_defaults(&c);
	if (asd_config_load(d.config_path, &c, err, sizeof(err)) < 0) {
		snprintf(msg, msglen, "%s", err);
		logmsg(LOG_ERR_, "reload refused, keeping the running configuration: %s", err);
		return -1;
	}
	if (strcmp(c.dir, d.cfg.dir)) {
		snprintf(msg, msglen, "'dir' cannot change while running (%s -> %s)",
			 d.cfg.dir, c.dir);
		logmsg(LOG_ERR_, "reload refused, keeping the running configuration: %s", msg);
		return -1;
	}
	d.cfg = c;
	d.log_level = c.log_level;
	resolve_limits();
	decide("reload: configuration from %s applied", d.config_path);
	snprintf(msg, msglen, "configuration from %s applied", d.config_path);
	return 0;
}

/* ---- one instance per rundir; --release ------------------------------------ */

/*
 * One daemon (or one --release) per rundir: an exclusive flock on
 * RUNDIR/adaptswapd.lock, held until exit (the kernel drops it on a crash).
 * Returns 0, or -EWOULDBLOCK when another process holds it.
 */
static int take_lock(void)
{
	char path[200];
	int fd;

	snprintf(path, sizeof(path), "%s/adaptswapd.lock", d.rundir);
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
static bool daemon_answers(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	bool up;
	int fd;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/adaptswapd.sock", d.rundir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	up = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return up;
}

/*
 * adaptswapd --release: with no daemon running, give back everything the
 * daemon made: swapoff every active managed file (only when memory allows,
 * with the same check as a shrink), delete the managed files, restore
 * vm.swappiness from swappiness.orig.  A refusal changes nothing.
 */
static int release_mode(void)
{
	struct asd_config c = d.cfg;
	struct asd_limits l = d.lim;
	struct asd_file_info all;
	struct asd_decision dec;
	struct asd_sample s;
	char buf[32], path[512];
	int nnew = 0, released = 0, deleted = 0, r;

	/* every file goes: no floor, no quiet period, the margin stays */
	l.floor = 0;
	c.shrink_quiet_s = 0;
	r = scan_dir(false, &nnew);
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "adaptswapd: release: %s: %s\n", d.cfg.dir, strerror(-r));
		return EXIT_FAIL;
	}
	take_sample(&s);
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
				d.cfg.dir, s.managed_used / ASD_MIB, dec.reason);
			return EXIT_FAIL;
		}
	}
	for (;;) {
		struct asd_file_info info[MAX_FILES];
		struct mfile *f;

		take_sample(&s);
		s.level = ADAPTSWAP_LEVEL_NONE;
		s.last_pressure_ms = 0;
		for (int i = 0; i < d.nfiles; i++)
			info[i] = (struct asd_file_info){ .size = d.files[i].size,
				.used = d.files[i].used, .active = d.files[i].active };
		asd_should_shrink(&c, &l, &s, info, (size_t)d.nfiles, &dec);
		if (dec.verdict == ASD_NO)
			break;		/* no active managed file left */
		if (dec.verdict == ASD_REFUSED) {
			fprintf(stderr, "adaptswapd: release stopped after %d file(s), the rest "
				"is still active: %s\n", released, dec.reason);
			return EXIT_FAIL;
		}
		f = &d.files[dec.index];
		file_path(f->name, path, sizeof(path));
		if (swapoff(path)) {
			fprintf(stderr, "adaptswapd: release: swapoff %s: %s (%d file(s) released "
				"before it)\n", path, strerror(errno), released);
			return EXIT_FAIL;
		}
		logmsg(LOG_INFO_, "release: swapoff %s (%" PRIu64 " MiB, %" PRIu64 " MiB were in use)",
		       f->name, f->size / ASD_MIB, f->used / ASD_MIB);
		f->active = false;
		released++;
	}
	for (int i = 0; i < d.nfiles; i++) {
		if (d.files[i].active)
			continue;	/* cannot happen: the loop ends with none */
		file_path(d.files[i].name, path, sizeof(path));
		if (unlink(path) && errno != ENOENT) {
			fprintf(stderr, "adaptswapd: release: delete %s: %s\n", path, strerror(errno));
			return EXIT_FAIL;
		}
		deleted++;
	}
	if (nnew)
		scan_dir(true, NULL);	/* half-made files: delete them too */
	snprintf(path, sizeof(path), "%s/swappiness.orig", d.rundir);
	if (read_file(path, buf, sizeof(buf)) > 0) {
		int v = atoi(buf);

		if (v < 0 || v > 200 || write_file("/proc/sys/vm/swappiness", buf) < 0) {
			fprintf(stderr, "adaptswapd: release: cannot restore vm.swappiness to '%.8s'\n",
				buf);
			return EXIT_FAIL;
		}
		logmsg(LOG_INFO_, "release: vm.swappiness restored to %d", v);
		unlink(path);
	}
	logmsg(LOG_INFO_, "release: done: %d file(s) swapped off, %d deleted from %s", released,
	       deleted + nnew, d.cfg.dir);
	return EXIT_OK;
}

/* ---- main ------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: adaptswapd [OPTIONS]\n"
		"  -c, --config FILE     configuration (default " DEFAULT_CONFIG ")\n"
		"      --check-config    check the configuration, print it, and exit\n"
		"      --source SOURCE   auto (default), module or psi\n"
		"      --rundir DIR      control socket and state (default " DEFAULT_RUNDIR ")\n"
		"      --release         with no daemon running: swapoff and delete the managed\n"
		"                        files (when memory allows), restore vm.swappiness, exit\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\nexit codes: 0 stopped by a signal (--release: all released), 1 fatal error\n"
		"(--release: refused or failed, see the message), 2 usage error,\n"
		"3 bad configuration (nothing was changed)\n");
}

static void main_loop(void)
{
	for (;;) {
		struct pollfd p[8 + MAX_CLIENTS];
		int n = 0, ev_i = -1, w_i = -1, psi_i = -1, cl_i;

		arm_timer();
		p[n++] = (struct pollfd){ .fd = d.sig_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d.timer_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d.wake_rd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d.ctl_fd, .events = POLLIN };
		if (d.as) {
			ev_i = n;
			p[n++] = (struct pollfd){ .fd = adaptswap_event_fd(d.as), .events = POLLIN };
		}
		if (d.watch) {
			w_i = n;
			p[n++] = (struct pollfd){ .fd = adaptswap_watch_fd(d.watch), .events = POLLIN };
		}
		if (d.psi_fd >= 0) {
			psi_i = n;
			p[n++] = (struct pollfd){ .fd = d.psi_fd, .events = POLLPRI };
		}
		cl_i = n;
		for (int i = 0; i < MAX_CLIENTS; i++)
			p[n++] = (struct pollfd){ .fd = d.clients[i], .events = POLLIN };

		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			logmsg(LOG_ERR_, "poll: %s", strerror(errno));
			return;
		}
		if (p[0].revents) {
			struct signalfd_siginfo si;

			if (read(d.sig_fd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					char msg[600];

					reload(msg, sizeof(msg));
				} else if (si.ssi_signo == SIGCHLD) {
					while (waitpid(-1, NULL, WNOHANG) > 0)
						;
				} else {
					logmsg(LOG_INFO_, "stopping on signal %u", si.ssi_signo);
					return;
				}
			}
		}
		if (ev_i >= 0 && p[ev_i].revents) {
			int r = adaptswap_dispatch(d.as, on_module_event, NULL);

			if (r < 0 && r != -EAGAIN && r != -EINTR && r != -ENOBUFS)
				logmsg(LOG_WARN_, "module events: %s", adaptswap_errmsg(d.as));
			tune_swappiness();
			check_action();
		}
		if (w_i >= 0 && p[w_i].revents) {
			int r = adaptswap_watch_read(d.watch);

			if (r == -1 && d.module_mode) {
				module_may_autoload = false;
				module_close();
				decide("source: the adaptswap module went away");
				use_best_source();
			} else if (r == 1 && !d.module_mode) {
				use_best_source();
			}
		}
		if (psi_i >= 0 && p[psi_i].revents & POLLPRI)
			psi_sample(true);
		if (p[1].revents)
			periodic();
		if (p[2].revents)
			job_finished();
		if (p[3].revents)
			accept_client();
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (d.clients[i] >= 0 && p[cl_i + i].revents)
				client_readable(i);
	}
}

/*
 * What both modes need before they act: a safe swap directory, the rundir
 * and the instance lock.  For --release a missing directory holds nothing
 * to release (it is not created) and a daemon that answers on the socket
 * counts as running even if it holds no lock.  Returns 0, or -1 with the
 * reason in err.
 */
static int claim(bool release, char *err, size_t len)
{
	struct stat st;
	int r;

	if ((!release || lstat(d.cfg.dir, &st) == 0 || errno != ENOENT) &&
	    asd_dir_check(d.cfg.dir, err, len) < 0)
		return -1;
	if (mkdir(d.rundir, 0755) && errno != EEXIST) {
		snprintf(err, len, "%s: %s", d.rundir, strerror(errno));
		return -1;
	}
	r = take_lock();
	if (r == -EWOULDBLOCK || (release && r == 0 && daemon_answers())) {
		snprintf(err, len, release ? "adaptswapd is running (rundir %s); stop it first" :
			 "another adaptswapd is running (rundir %s)", d.rundir);
		return -1;
	}
	if (r < 0) {
		snprintf(err, len, "%s/adaptswapd.lock: %s", d.rundir, strerror(-r));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "source", required_argument, NULL, 's' },
		{ "rundir", required_argument, NULL, 'r' },
		{ "release", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool check = false, release = false;
	char err[512];
	sigset_t set;
	struct sigaction sa = { .sa_handler = worker_sig };
	int o, pipefd[2];

	d.config_path = DEFAULT_CONFIG;
	snprintf(d.rundir, sizeof(d.rundir), "%s", DEFAULT_RUNDIR);
	d.forced_source = ASD_SOURCE_AUTO;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":c:h", lo, NULL)) != -1) {
		switch (o) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'R':
			release = true;
			break;
		case 's':
			if (!strcmp(optarg, "auto"))
				d.forced_source = ASD_SOURCE_AUTO;
			else if (!strcmp(optarg, "module"))
				d.forced_source = ASD_SOURCE_MODULE;
			else if (!strcmp(optarg, "psi"))
				d.forced_source = ASD_SOURCE_PSI;
			else {
				fprintf(stderr, "adaptswapd: --source: '%s' is not auto, module or psi\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (strlen(optarg) >= sizeof(d.rundir) - 20 || optarg[0] != '/') {
				fprintf(stderr, "adaptswapd: --rundir: need an absolute path shorter than %zu\n",
					sizeof(d.rundir) - 20);
				return EXIT_USAGE;
			}
			snprintf(d.rundir, sizeof(d.rundir), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("adaptswapd %s\n", ADAPTSWAP_VERSION);
			return EXIT_OK;
		case ':':
			fprintf(stderr, "adaptswapd: option '%s' needs an argument\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "adaptswapd: unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "adaptswapd: unexpected argument '%s' (see --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (check && release) {
		fprintf(stderr, "adaptswapd: --check-config and --release do not go together\n");
		return EXIT_USAGE;
	}

	/* A bad configuration stops us before anything changes. */
	asd_config_defaults(&d.cfg);
	if (asd_config_load(d.config_path, &d.cfg, err, sizeof(err)) < 0) {
		if (check || access(d.config_path, F_OK) == 0 ||
		    strcmp(d.config_path, DEFAULT_CONFIG)) {
			fprintf(stderr, "adaptswapd: %s\n", err);
			return EXIT_CONFIG;
		}
		asd_config_defaults(&d.cfg);	/* no file at the default path: defaults */
	}
	if (d.forced_source == ASD_SOURCE_AUTO)
		d.forced_source = d.cfg.source;
	if (check) {
		static char dump[8192];

		asd_config_dump(&d.cfg, dump, sizeof(dump));
		fputs(dump, stdout);
		fprintf(stderr, "adaptswapd: %s: configuration ok\n", d.config_path);
		return EXIT_OK;
	}
	d.log_level = d.cfg.log_level;

	if (geteuid() != 0) {
		fprintf(stderr, "adaptswapd: must run as root (swapon, vm.swappiness)\n");
		return EXIT_FAIL;
	}
	if (release) {
		if (claim(true, err, sizeof(err)) < 0) {
			fprintf(stderr, "adaptswapd: release refused: %s\n", err);
			return EXIT_FAIL;
		}
		resolve_limits();	/* fails only without the dir: then nothing to do */
		return release_mode();
	}
	if (claim(false, err, sizeof(err)) < 0) {
		logmsg(LOG_ERR_, "%s", err);
		return EXIT_FAIL;
	}
	if (resolve_limits() < 0) {
		logmsg(LOG_ERR_, "cannot size the budget: %s", strerror(errno));
		return EXIT_FAIL;
	}
	/* The daemon must survive the pressure it exists for. */
	write_file("/proc/self/oom_score_adj", "-1000");

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);	/* inherited by the worker */
	d.sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	sigaction(SIGUSR1, &sa, NULL);		/* no SA_RESTART: interrupts swapoff */
	d.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d.sig_fd < 0 || d.timer_fd < 0 || pipe2(pipefd, O_CLOEXEC | O_NONBLOCK)) {
		logmsg(LOG_ERR_, "setup: %s", strerror(errno));
		return EXIT_FAIL;
	}
	d.wake_rd = pipefd[0];
	d.wake_wr = pipefd[1];
	for (int i = 0; i < MAX_CLIENTS; i++)
		d.clients[i] = -1;
	if (ctl_open() < 0)
		return EXIT_FAIL;

	recover();
	swappiness_init();
	pthread_mutex_init(&d.lock, NULL);
	pthread_cond_init(&d.cond, NULL);
	if (pthread_create(&d.worker, NULL, worker_main, NULL)) {
		logmsg(LOG_ERR_, "cannot start the worker thread");
		return EXIT_FAIL;
	}
	if (adaptswap_watch_open(&d.watch) < 0)
		logmsg(LOG_WARN_, "cannot watch for the module coming and going");
	use_best_source();
	logmsg(LOG_INFO_, "started: dir %s, chunk %" PRIu64 " MiB, max %" PRIu64 " MiB, floor %"
	       PRIu64 " MiB", d.cfg.dir, d.lim.chunk / ASD_MIB, d.lim.max_swap / ASD_MIB,
	       d.lim.floor / ASD_MIB);
	/* up to the floor (no-op without one), one chunk at a time */
	for (int i = 0; i < MAX_FILES / 2; i++) {
		uint64_t g = d.grows;

		try_grow("floor", 0);
		if (d.grows == g)
			break;
	}
	refill_standby();
	sd_notify_msg("READY=1");

	main_loop();

	sd_notify_msg("STOPPING=1");
	swappiness_restore();
	pthread_mutex_lock(&d.lock);
	if (d.worker_busy && d.worker_tid)
		syscall(SYS_tgkill, getpid(), d.worker_tid, SIGUSR1);
	d.stop = true;
	pthread_cond_signal(&d.cond);
	pthread_mutex_unlock(&d.lock);
	pthread_join(d.worker, NULL);
	for (int i = 0; i < d.nfiles; i++) {
		char path[512];

		/* a standby being written is incomplete: recovery would delete it */
		file_path(d.files[i].name, path, sizeof(path));
		if (d.files[i].busy && !d.files[i].active)
			unlink(path);
	}
	adaptswap_close(d.as);
	adaptswap_watch_close(d.watch);
	logmsg(LOG_INFO_, "stopped; managed swap stays active and is adopted by the next start");
	return EXIT_OK;
}
