/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * adaptswapd's state and the functions each of its files offers the others.
 *
 * One struct daemon holds everything the daemon knows; main() owns the only
 * instance, fills it at start-up and passes it down.  It is made of one
 * part per file, and after start-up only the file named at a part writes
 * it (others may read it), with two exceptions: a file's state in the
 * inventory (active, busy) is set by actuate.c (and release.c) as they
 * swap it on and off, and swappiness.c turns cfg.swappiness_control off
 * when vm.swappiness cannot be read.  The worker thread touches nothing
 * but its own part, under its lock.
 *
 * The pure pieces (configuration, policy, swap headers) are in asd.h;
 * userspace/daemon/README.md is the map of the files.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "adaptswap.h"
#include "asd.h"

#ifndef ADAPTSWAP_VERSION
#define ADAPTSWAP_VERSION "unknown"
#endif

#define DEFAULT_CONFIG	"/etc/adaptswap/adaptswapd.conf"
#define DEFAULT_DIR	"/var/lib/adaptswap"	/* the unit's StateDirectory= */
#define DEFAULT_RUNDIR	ADAPTSWAP_DAEMON_RUNDIR	/* the socket's place: libadaptswap's */
#define MAX_FILES	64
#define MAX_CLIENTS	16
#define ROOT_SLOTS	4	/* of MAX_CLIENTS, never taken by other users */
#define CLIENT_DEADLINE_MS 5000	/* to send the request line */
#define NDECISIONS	16

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_CONFIG };
/* syslog priorities; config.c stores log_level as one of them */
enum { LOG_ERR_ = 3, LOG_WARN_ = 4, LOG_INFO_ = 6, LOG_DEBUG_ = 7 };

/* log.c: the log level and the ring of the last decisions */
struct decision_log {
	uint64_t at_ms;
	char text[200];
};

struct log_state {
	int level;
	struct decision_log ring[NDECISIONS];
	int n;				/* decisions made so far */
};

/* inventory.c: the files of ours in cfg.dir */
struct mfile {
	char name[64];
	uint64_t size, used;
	bool active;
	bool busy;		/* the worker is swapping it off or writing it */
	bool undeletable;	/* a delete failed: retried on the timer, said once */
	char alias[256];	/* how /proc/swaps names it when not by its path */
};

struct inventory {
	struct mfile files[MAX_FILES];
	int n;
	unsigned next_id;
	int dirfd;		/* cfg.dir, O_PATH, opened once after its checks */
};

/* source.c: where the pressure level comes from */
struct source {
	enum asd_source forced;		/* --source, else the config's source */
	struct adaptswap *as;		/* module, when in use */
	struct adaptswap_watch *watch;
	int psi_fd;			/* PSI trigger, in PSI mode */
	bool module_mode;
	/*
	 * At start the family lookup may load an installed module.  Once the
	 * module went away (an operator removed it) it is only used again
	 * when it comes back by itself: the lookup must not load it.
	 */
	bool may_autoload;
	int level;
	uint64_t last_pressure_ms;
	uint64_t events_seen, events_missed;
	uint64_t last_event_latency_ns;
	uint64_t swapin_rate, swapout_rate, refault_rate;
	uint64_t prev_pswpin, prev_pswpout, prev_refault, prev_vm_ms;
	struct asd_psi_state psi;	/* PSI mode's own MemAvailable sampling */
	uint64_t psi_total_kb, psi_avail_kb;	/* its last sample */
	/* the module's state as last read with GET (at open, after a knob
	 * event, a lost event or a sequence gap) */
	bool module_enabled;
	bool announced;			/* "source: module" logged */
	int enabled_fd;			/* /sys/kernel/adaptswap/enabled, poll()ed */
	unsigned event_interval_ms, low_pct;
	uint64_t last_seq;
	uint64_t rereads;		/* GETs after ENOBUFS or a gap */
};

/* actuate.c: growth and shrinking, and what they counted */
struct actuator {
	bool held;			/* hold / release: no growth */
	bool shrink_next;		/* a shrink just finished: check again soon */
	uint64_t grows, shrinks, refusals;
	uint64_t last_grow_latency_us;
	struct asd_rate rate;		/* swap-out: free swap used up, bytes/s */
	uint64_t refill_ms;		/* how long the last standby refill took */
	uint64_t swapon_ms;		/* activations' time to plan with (asd_slow_observe) */
	uint64_t swapon_last_ms;	/* the last swapon(2)'s time */
	uint64_t refill_start_ms;	/* the running refill's start (0: none) */
	bool refill_urgent;		/* it runs at normal I/O priority */
	unsigned recheck_ms;		/* under pressure: when to look again */
	uint64_t shrink_failed_ms;	/* a swapoff failed: no shrink for a while */
	/* refused or failed grows of this episode, logged once with a count */
	uint64_t episode_refused;
	char episode_reason[160];
};

/* swappiness.c */
struct swappiness {
	int orig;			/* -1: unknown */
	unsigned cur;
	uint64_t changed_ms;
	bool controlled;		/* swappiness_control was on (for reload) */
	uint64_t adopted_ms;		/* an administrator's value taken as original */
};

/* action.c */
#define ACTION_TIMEOUT_S	60	/* then SIGTERM to its session */
#define ACTION_KILL_S		5	/* then SIGKILL */
struct action {
	struct asd_action_state state;
	uint64_t runs;
	pid_t pid;			/* the running command (0: none) */
	uint64_t started_ms;
	bool termed;			/* SIGTERM sent */
};

/* worker.c: the thread and the one job it may hold; all under lock */
enum job { JOB_NONE, JOB_SWAPOFF, JOB_STANDBY, JOB_RELEASE };

/* What a finished job did (worker_take_result()). */
struct job_result {
	enum job job;
	char name[64];			/* its file (release: the one that failed) */
	int result;			/* 0 or -errno */
	int done;			/* release: files swapped off */
};

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char dir[256];			/* cfg.dir, which never changes while running */
	int dirfd;			/* d->inv.dirfd, the same fd */
	enum job job, running_job;
	char job_name[64];
	uint64_t job_size;
	bool job_urgent;		/* a standby needed now: normal I/O priority */
	/* release: the files to swap off, in this order */
	char release_names[MAX_FILES][64];
	int release_n;
	struct job_result res;
	bool job_done;
	bool busy;
	bool started;
	bool stop;
	pid_t tid;
	int wake_rd, wake_wr;		/* the worker wakes the event loop */
};

/* ctlsock.c: the control socket and its clients */
struct client {
	int fd;				/* -1: a free slot */
	bool root;			/* SO_PEERCRED: user ID 0 */
	bool pending;			/* waits for a release (no deadline) */
	uint64_t deadline_ms;		/* closed when no request by then */
	char buf[128];			/* the request line read so far */
};

struct ctlsock {
	int fd;
	struct client clients[MAX_CLIENTS];
};

/* textfile.c: node_exporter's textfile (cfg.textfile_dir) */
struct textfile_mark {
	uint64_t level, held, source, swappiness, grows, shrinks, refusals, action_runs,
		 events, missed, decisions, files, oom_kills;
};

struct textfile {
	int dir_fd;			/* -1: off */
	bool written;			/* mark is what the file says */
	bool failed;			/* the last write failed (logged once) */
	struct textfile_mark mark;
};

struct daemon {
	/* settings.c */
	struct asd_config cfg;
	struct asd_limits lim;
	const char *config_path;
	struct asd_config_origin origin[ASD_CONFIG_NKEYS];	/* of cfg's values */
	char rundir[80];

	struct log_state log;
	struct inventory inv;
	struct source src;
	struct actuator act;
	struct swappiness swp;
	struct action action;
	struct worker worker;
	struct ctlsock ctl;
	struct textfile tf;

	/* main.c and tick.c */
	uint64_t start_time_s;		/* Unix time of the start */
	int sig_fd, timer_fd;
	uint64_t chores_ms;		/* tick: shrink, swappiness, ... last run */
	uint64_t tick_due_ms;		/* the timer's deadline (now_ms clock), 0: off */
};

/* ---- log.c --------------------------------------------------------------- */
uint64_t now_ms(void);
uint64_t now_ns(void);		/* CLOCK_MONOTONIC, the module's event clock */
__attribute__((format(printf, 3, 4)))
void logmsg(const struct daemon *d, int prio, const char *fmt, ...);
/* Log a decision with its reason and keep it for status. */
__attribute__((format(printf, 2, 3)))
void decide(struct daemon *d, const char *fmt, ...);
/* The i-th of the last n decisions (0: the oldest of them), n <= NDECISIONS. */
const struct decision_log *log_recent(const struct daemon *d, int n, int i);
/* The text of the last decision ("" when none). */
const char *log_last(const struct daemon *d);

/* ---- procfs.c ------------------------------------------------------------ */
/* Read a whole small file into buf, NUL-terminated; length or -errno. */
int proc_read(const char *path, char *buf, size_t len);
int proc_write(const char *path, const char *s);
uint64_t proc_meminfo_kb(const char *text, const char *key);
uint64_t proc_vmstat(const char *text, const char *key);
/* Everything policy.c needs to know now, swap use refreshed. */
void proc_sample(struct daemon *d, struct asd_sample *s);

/* ---- inventory.c --------------------------------------------------------- */
void inv_path(const struct daemon *d, const char *name, char *buf, size_t len);
struct mfile *inv_find(struct daemon *d, const char *name);
/* A new slot at the end (NULL when full); the caller fills and keeps it. */
struct mfile *inv_add(struct daemon *d, const char *name, uint64_t size);
void inv_drop(struct daemon *d, struct mfile *f);
struct mfile *inv_standby(struct daemon *d);
bool inv_other_standby(const struct daemon *d, const struct mfile *not);
uint64_t inv_on_disk(const struct daemon *d);
/* A name no file in the directory has (nor NAME.new), none of ours either. */
void inv_new_name(struct daemon *d, char *buf, size_t len);
/* Open a managed file (O_RDONLY, no symlink) and check it is one (regular,
 * root's, 0600, one link): fd, or -errno with the reason in err. */
int inv_open(struct daemon *d, const char *name, char *err, size_t len);
/* swapoff(2) through the directory fd: 0, or -1 with errno. */
int inv_swapoff(struct daemon *d, const char *name);
/* Delete a file of ours; a failure is logged.  0 or -errno. */
int inv_unlink(struct daemon *d, const char *name);
/* The number of swap areas in use, foreign ones included. */
int inv_areas_in_use(void);
int inv_surplus(const struct daemon *d);
void inv_tidy(struct daemon *d);
/* Mark active files and their use from /proc/swaps; totals of all swap. */
/* returns the number of swap areas in use (ours and others), -1 unknown */
int inv_refresh(struct daemon *d, uint64_t *swap_total, uint64_t *swap_free);
/* Collect the files of ours in dir (see inventory.c). */
int inv_scan(struct daemon *d, bool delete_new, int *nnew);
/* Crash recovery: adopt what a previous run left. */
int inv_recover(struct daemon *d);

/* ---- worker.c ------------------------------------------------------------ */
int worker_start(struct daemon *d);
void worker_stop(struct daemon *d);
bool worker_busy(struct daemon *d);
/*
 * Hand a job to the worker; false when it has one already.  A standby
 * refill runs at idle I/O priority unless urgent (under pressure: the idle
 * class waits behind swap-out's writes for seconds).
 */
bool worker_start_job(struct daemon *d, enum job job, const char *name, uint64_t size,
		      bool urgent);
/* Swap off the n files named (a release); false when busy. */
bool worker_start_release(struct daemon *d, char (*names)[64], int n);
/* Pressure returned: interrupt a running swapoff (the kernel keeps the area). */
void worker_interrupt_swapoff(struct daemon *d);
/* The finished job, once (after the wake pipe was readable): true with
 * what it was and did, false when none finished. */
bool worker_take_result(struct daemon *d, struct job_result *res);

/* ---- actuate.c ----------------------------------------------------------- */
/* 0 done; -ECANCELED the policy said no, -EBUSY, -EIO; what or why in out */
int act_grow(struct daemon *d, const char *why, uint64_t event_ns, bool force,
	     char *out, size_t outlen);
int act_shrink(struct daemon *d, bool force, char *out, size_t outlen);
void act_refill_standby(struct daemon *d);
void act_tick(struct daemon *d);
#define ASD_TIDY_RETRY_MS 5000	/* a failed delete, tried again */
#define ASD_SHRINK_RETRY_MS 60000	/* after a failed swapoff */
void act_job_finished(struct daemon *d);
int act_release(struct daemon *d, char *msg, size_t len);
void act_hold(struct daemon *d, bool hold);
/* Pressure is over: log the refusals of the episode, once, with their count. */
void act_episode_end(struct daemon *d);

/* ---- swappiness.c -------------------------------------------------------- */
void swappiness_init(struct daemon *d);
void swappiness_tune(struct daemon *d);
void swappiness_restore(struct daemon *d);
/* after a reload: control turned off restores the original */
void swappiness_reloaded(struct daemon *d);
/* ms until the next drift step is due (0: at the target, or control off) */
uint64_t swappiness_due_ms(struct daemon *d);

/* ---- action.c ------------------------------------------------------------ */
void action_check(struct daemon *d);
/* A child was reaped: the command's end, if it was the command. */
void action_reaped(struct daemon *d, pid_t pid, int status);

/* ---- source.c ------------------------------------------------------------ */
void src_init(struct daemon *d);
void src_use_best(struct daemon *d);
void src_close(struct daemon *d);
int src_module_fd(const struct daemon *d);
int src_watch_fd(const struct daemon *d);
void src_module_readable(struct daemon *d);
void src_watch_readable(struct daemon *d);
int src_enabled_fd(const struct daemon *d);
void src_enabled_changed(struct daemon *d);
void src_psi_sample(struct daemon *d, bool triggered);
void src_update_rates_from_vmstat(struct daemon *d);
void src_expire(struct daemon *d, uint64_t t);
uint64_t src_expiry_ms(const struct daemon *d);
const char *src_name(const struct daemon *d);

/* ---- tick.c -------------------------------------------------------------- */
void tick_arm(struct daemon *d);
void tick(struct daemon *d);

/* ---- ctlsock.c ----------------------------------------------------------- */
int ctl_open(struct daemon *d);
void ctl_accept(struct daemon *d);
void ctl_readable(struct daemon *d, int slot);
void ctl_close(struct daemon *d);
/* Answer the client waiting for a release (if it is still there). */
void ctl_release_done(struct daemon *d, int err, const char *msg);
/* Milliseconds to the next client deadline (-1: none); drop late clients. */
int ctl_next_deadline(struct daemon *d);
void ctl_expire(struct daemon *d);

/* ---- report.c ------------------------------------------------------------ */
void report_status(struct daemon *d, FILE *f);
void report_status_json(struct daemon *d, FILE *f);
void report_metrics(struct daemon *d, FILE *f, bool json);
uint64_t report_oom_kills(void);

/* ---- textfile.c ---------------------------------------------------------- */
/* The directory's fd, checked writable; -1 with "textfile_dir: ..." in err. */
int textfile_open_dir(const char *dir, char *err, size_t len);
/* Write into this directory from now on (-1: off); the file at the next update. */
void textfile_use(struct daemon *d, int fd);
/* After the loop handled something: rewrite the file if a figure moved. */
void textfile_update(struct daemon *d);
/* Leave "adaptswap_daemon_up 0" and close. */
void textfile_stop(struct daemon *d);
/* adaptswapd --stopped: the same, for the directory of the configuration. */
int textfile_write_down(const char *dir, char *err, size_t len);

/* ---- settings.c ---------------------------------------------------------- */
int settings_resolve(struct daemon *d);
int settings_reload(struct daemon *d, char *msg, size_t msglen);

/* ---- instance.c ---------------------------------------------------------- */
int instance_claim(struct daemon *d, bool release, char *err, size_t len);

/* ---- release.c ----------------------------------------------------------- */
int release_offline(struct daemon *d);

#endif /* DAEMON_H */
