/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * adaptswapd internals: configuration, policy (pure functions, unit-tested
 * with recorded samples), swapfiles.  Sizes are in bytes unless a name
 * says otherwise; times in milliseconds of CLOCK_MONOTONIC.
 */
#ifndef ASD_H
#define ASD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ASD_MIB (UINT64_C(1) << 20)
#define ASD_PAGE UINT64_C(4096)		/* sizes are whole multiples of this */

static inline uint64_t asd_page_down(uint64_t x)
{
	return x & ~(ASD_PAGE - 1);
}

/* Rounded up, or down at the very top of the range (no wrap-around). */
static inline uint64_t asd_page_up(uint64_t x)
{
	return x > UINT64_MAX - (ASD_PAGE - 1) ? asd_page_down(x) : asd_page_down(x + ASD_PAGE - 1);
}

/* Format a message into buf, when there is one (NULL or 0 bytes: nothing). */
__attribute__((format(printf, 3, 4)))
static inline void asd_say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- configuration (config.c: keys and values; conffile.c: the file) --- */

enum asd_source { ASD_SOURCE_AUTO, ASD_SOURCE_MODULE, ASD_SOURCE_PSI };

/*
 * Every key of /etc/adaptswap/adaptswapd.conf.  A value of 0 for the
 * "_mb" sizes marked "auto" means: derive it from RAM / the filesystem at
 * run time (asd_config_resolve()).
 */
struct asd_config {
	char dir[256];			/* dir = /var/lib/adaptswap */
	enum asd_source source;		/* source = auto|module|psi */
	uint64_t chunk_mb;		/* chunk_mb = auto: RAM/4 rounded to 16 MiB, 32..1024 */
	uint64_t max_swap_mb;		/* max_swap_mb = auto: 4 x RAM */
	unsigned max_disk_pct;		/* max_disk_pct = 50: of the filesystem's size, 1..100 */
	uint64_t min_free_mb;		/* min_free_mb = auto: max(256 MiB, 5% of fs) kept free */
	uint64_t floor_mb;		/* floor_mb = 0: always-present managed swap */
	bool standby;			/* standby = yes: keep one formatted chunk ready */
	int grow_level;			/* grow_level = low: level that grows (low|medium|critical) */
	unsigned grow_free_pct;		/* grow_free_pct = 50: also grow when free swap < this % of managed swap under pressure */
	unsigned shrink_quiet_s;	/* shrink_quiet_s = 120: no pressure for this long before shrinking */
	unsigned shrink_margin_pct;	/* shrink_margin_pct = 50: avail must exceed used-in-file x (1 + margin) */
	bool swappiness_control;	/* swappiness_control = yes */
	unsigned swappiness_min;	/* swappiness_min = 10 (0..200) */
	unsigned swappiness_max;	/* swappiness_max = 100 (0..200), >= min */
	unsigned psi_stall_us;		/* psi_stall_us = 100000: PSI trigger "some <us> <window>" */
	unsigned psi_window_us;		/* psi_window_us = 1000000 (500000..10000000) */
	unsigned psi_low_pct;		/* psi_low_pct = 20: PSI mode's own available-memory threshold */
	char action_command[512];	/* action_command = (empty: off) run with /bin/sh -c */
	unsigned action_swap_used_pct;	/* action_swap_used_pct = 90: of max_swap */
	unsigned action_swapin_rate;	/* action_swapin_rate = 2000: pages/s */
	unsigned action_after_s;	/* action_after_s = 30: condition must hold this long */
	unsigned action_interval_s;	/* action_interval_s = 600: minimum time between two runs */
	int log_level;			/* log_level = info (error|warning|info|debug) */
	char textfile_dir[256];		/* textfile_dir = (empty: off) where adaptswap.prom goes */
};

void asd_config_defaults(struct asd_config *c);

/* The keys, numbered in the order of the dump: 0 .. ASD_CONFIG_NKEYS - 1. */
#define ASD_CONFIG_NKEYS 25
int asd_config_key(const char *name);		/* -1: no such key */
const char *asd_config_key_name(int key);
/* Is the key's value the rest of the line, '#' included (action_command)? */
bool asd_config_key_verbatim(int key);
/*
 * Check a value (trimmed, in the file's words) and store it in *c: 0, or
 * -1 with "KEY: problem" in err (may be NULL) and *c unchanged.  Checks
 * across keys are the file's (asd_config_parse()).
 */
int asd_config_set(struct asd_config *c, int key, const char *value, char *err, size_t len);
/* s for a message: at most 40 bytes, control bytes as '?', "..." when cut. */
const char *asd_config_shown(const char *s, char *out, size_t len);

/*
 * Parse a whole file (text, "key = value" lines, '#' comments, blank lines).
 * On the first error returns -1 and writes "FILE:LINE: message" into err;
 * *c is then unchanged.  Unknown keys, bad values, duplicates and
 * cross-key violations (swappiness_min > max, ...) are errors.
 */
int asd_config_parse(const char *path, const char *text, struct asd_config *c,
		     char *err, size_t errlen);
int asd_config_load(const char *path, struct asd_config *c, char *err, size_t errlen);

/* Where a value in effect came from: file and line; line 0: the default. */
#define ASD_ORIGIN_MAX 512
struct asd_config_origin {
	char file[ASD_ORIGIN_MAX];
	unsigned line;
};

/*
 * The main file, then its drop-ins: PATH.d/ *.conf in the byte order of
 * their names, each a file of the same syntax; a later file's value wins
 * (a key once per file).  A missing PATH.d is no error; a missing PATH is
 * none when missing_ok.  Checks across keys run on the result.  0 and *c
 * and origin[ASD_CONFIG_NKEYS] (may be NULL) filled, or -errno with
 * "FILE[:LINE]: problem" in err and *c unchanged.
 */
int asd_config_load_all(const char *path, bool missing_ok, struct asd_config *c,
			struct asd_config_origin *origin, char *err, size_t errlen);
/*
 * Write the effective configuration as "key = value" lines; with origin
 * (may be NULL), each line ends in a tab and "# FILE:LINE" or "# default".
 */
void asd_config_dump(const struct asd_config *c, const struct asd_config_origin *origin,
		     char *buf, size_t len);

/* ---- metrics (metrics.c): pure ------------------------------------------ */

/* The figures of doc/metrics.md; sizes in bytes. */
struct asd_metrics {
	const char *version, *source;	/* adaptswap_daemon_info's labels */
	uint64_t up;			/* 1 while running */
	uint64_t start_time_s;		/* Unix time */
	uint64_t module_in_use, level, held, swappiness;
	uint64_t mem_total, mem_avail, swap_total, swap_free;
	uint64_t managed_total, managed_used, managed_disk, managed_files;
	uint64_t max_swap, limit;
	uint64_t grows, shrinks, refusals, action_runs, events_received, events_missed;
	uint64_t last_grow_latency_us;
	uint64_t oom_kills;
	bool module;			/* the module is loaded: the module_ figures below */
	char module_version[64];
	uint64_t module_enabled, module_level;
	uint64_t module_events_sent, module_events_dropped, module_kswapd_wakeups,
		 module_direct_reclaims, module_oom_kills, module_samples,
		 module_shrinker_calls;
};

/* All of them: Prometheus text, or one JSON object keyed by name. */
void asd_metrics_write(const struct asd_metrics *m, FILE *f, bool json);
/* The text a stopped daemon leaves: adaptswap_daemon_up 0 alone. */
void asd_metrics_write_down(FILE *f);

/* Sizes resolved against the machine (auto values filled in). */
struct asd_limits {
	/*
	 * bytes, a multiple of the page size: every file's size (chunk_mb),
	 * or with grow_steps the smallest step (asd_step())
	 */
	uint64_t chunk;
	bool grow_steps;		/* chunk_mb = auto: steps follow the managed swap */
	uint64_t max_swap;		/* bytes of managed swap at most */
	uint64_t floor;			/* bytes always present */
	uint64_t min_free;		/* bytes left free on the filesystem */
	unsigned max_disk_pct;
};

/* limits.c */
void asd_config_resolve(const struct asd_config *c, uint64_t ram_bytes,
			uint64_t fs_size_bytes, struct asd_limits *l);
/*
 * The size of the next file when `managed` bytes of managed swap are
 * active and `areas` swap areas (ours and others) are in use: see limits.c.
 */
uint64_t asd_step(const struct asd_limits *l, uint64_t managed, unsigned areas);
/*
 * The kernel's limit on swap areas (MAX_SWAPFILES) is 23 to 32 by
 * configuration; the steps plan to reach max_swap within this many.
 */
#define ASD_AREAS_SAFE	20u
/* auto steps are whole multiples of this */
#define ASD_STEP_ROUND	(4 * ASD_MIB)

/* ---- policy (policy.c): pure functions -------------------------------- */

/* What the daemon knows at one instant. */
struct asd_sample {
	uint64_t now_ms;
	int level;			/* enum adaptswap_level (from the module or PSI mode) */
	uint64_t last_pressure_ms;	/* when the level was last above none (0: never) */
	uint64_t mem_total, mem_avail;	/* bytes */
	uint64_t swap_total, swap_free;	/* all swap areas, bytes */
	uint64_t managed_total;		/* active managed swap, bytes */
	uint64_t managed_used;
	unsigned nr_managed;		/* active managed files */
	unsigned nr_areas;		/* swap areas in use, ours and others */
	uint64_t fs_size, fs_free;	/* the managed directory's filesystem, bytes */
	uint64_t standby_bytes;		/* size of the ready standby chunk (0: none) */
	uint64_t swapin_rate, swapout_rate, refault_rate; /* pages/s */
	bool held;			/* growth on hold (adaptswapctl hold) */
	/*
	 * Memory counts as short only below this many bytes available (0:
	 * always): a level raised by reclaim alone (page cache streaming,
	 * PSI stalls) with plenty of MemAvailable does not grow swap.  The
	 * daemon sets it to ASD_SHORT_PCT of the source's low threshold.
	 */
	uint64_t avail_short;
	uint64_t swap_use_rate;		/* bytes/s free swap is being used up (asd_rate) */
	uint64_t lead_ms;		/* time until more swap can be ready: a refill + a check */
};

/* memory is short below 150% of the low threshold (module's low_pct or psi_low_pct) */
#define ASD_SHORT_PCT	150u

/*
 * The rate at which swap is being used up, from successive samples of
 * used swap (swap_total - swap_free, so that a swapon is no consumption).
 * Samples closer than ASD_RATE_MIN_DT_MS to the last one used are compared
 * with that older one.  The rate follows a rise at once and halves per
 * sample when it falls, so a burst is remembered for a few samples.
 */
#define ASD_RATE_MIN_DT_MS	50u

struct asd_rate {
	bool have_prev;
	uint64_t prev_used, prev_ms;
	uint64_t rate;			/* bytes/s */
};

uint64_t asd_rate_observe(struct asd_rate *r, uint64_t now_ms, uint64_t swap_total,
			  uint64_t swap_free);

/*
 * Free swap that must be left before the next activation is due: the
 * larger of one chunk's usable size (chunk minus the header page) and
 * what swap-out uses up at s->swap_use_rate during s->lead_ms.
 */
uint64_t asd_grow_headroom(const struct asd_limits *l, const struct asd_sample *s);

/*
 * The size of the next file, new or standby: asd_step(), and with auto
 * steps never less than what swap-out uses up, at s->swap_use_rate,
 * during s->lead_ms (in 4 MiB, within max_swap): each file must cover the
 * time the one after it takes to make, or a slow refill under pressure
 * falls behind swap-out one file at a time.
 */
uint64_t asd_grow_step(const struct asd_limits *l, const struct asd_sample *s);

/*
 * Under pressure, when to check growth again: the time until free swap
 * falls to the headroom at the current rate, within [ASD_CHECK_MIN_MS,
 * ASD_CHECK_MAX_MS].
 */
#define ASD_REFILL_GUESS_MS	500u	/* a refill's time until one was measured */
#define ASD_CHECK_MIN_MS	20u
#define ASD_CHECK_MAX_MS	100u
unsigned asd_grow_recheck_ms(const struct asd_limits *l, const struct asd_sample *s);

/*
 * s->lead_ms: the time until more swap is in use: a refill, a check and
 * the activation.  The refill takes what the last one took (last_ms, 0:
 * none measured yet, ASD_REFILL_GUESS_MS), or what the running one has
 * taken so far (running_ms, 0: none running) when that is longer: a
 * refill under pressure can take ten times the one made at start.  The
 * activation takes swapon_ms (asd_slow_observe() of the swapon(2) times):
 * under pressure swapon(2) itself waits in reclaim, 0.25 to 1.25 s in a
 * 1 GiB guest under four allocating processes, where it took 40 ms at
 * the first, unpressured activation.
 */
uint64_t asd_lead_ms(uint64_t last_ms, uint64_t running_ms, uint64_t swapon_ms);
/*
 * A duration to plan with, from the ones measured: a longer one at once,
 * a shorter one only slowly (a quarter of the way per measurement), so
 * that one fast swapon does not forget a slow one.
 */
uint64_t asd_slow_observe(uint64_t prev_ms, uint64_t measured_ms);

enum asd_verdict { ASD_NO, ASD_YES, ASD_REFUSED };

struct asd_decision {
	enum asd_verdict verdict;
	uint64_t bytes;			/* grow: size of the new chunk */
	uint64_t extra;			/* grow: with the standby, a new file of this many bytes too */
	int index;			/* shrink: which file (index into the array given) */
	char reason[160];		/* always filled: why yes, why not */
};

/*
 * Room left for managed swap: the least of max_swap - managed_total,
 * max_disk_pct of fs_size - managed bytes on disk, fs_free - min_free.
 * managed_on_disk includes inactive (standby) files.
 */
uint64_t asd_budget_room(const struct asd_limits *l, uint64_t managed_total,
			 uint64_t managed_on_disk, uint64_t fs_size, uint64_t fs_free);

/* Grow when the level reaches grow_level, or when under any pressure free
 * swap is below grow_free_pct of the managed swap, and memory is short
 * (s->avail_short); below the floor always.  See policy.c. */
void asd_should_grow(const struct asd_config *c, const struct asd_limits *l,
		     const struct asd_sample *s, uint64_t managed_on_disk,
		     struct asd_decision *d);

struct asd_file_info {
	uint64_t size, used;		/* bytes; used from /proc/swaps */
	bool active;
};

/* Release the least-used active file when the quiet period has passed,
 * the floor stays covered and mem_avail >= used x (1 + margin%). */
void asd_should_shrink(const struct asd_config *c, const struct asd_limits *l,
		       const struct asd_sample *s, const struct asd_file_info *f,
		       size_t n, struct asd_decision *d);

/* Next vm.swappiness, within [min, max]: rises (swap cold pages earlier)
 * while pressure rises and swap is cheap, falls on thrashing (swap-in or
 * refault rates high) or nearly full swap.  Returns cur when unchanged. */
unsigned asd_swappiness_next(const struct asd_config *c, const struct asd_sample *s,
			     unsigned cur, char *reason, size_t len);

/*
 * PSI mode (no module): the daemon samples MemAvailable itself.
 *
 * asd_psi_level: low below psi_low_pct of RAM, medium below half of that,
 * critical below a quarter; a PSI trigger means at least medium while
 * memory is short (below ASD_SHORT_PCT of the low threshold): stalls from
 * reclaiming page cache with plenty of MemAvailable are no pressure.
 *
 * asd_psi_observe: feed one sample.  Memory counts as falling when it went
 * down by at least 1% of RAM per second since the sample it is compared
 * with (samples less than ASD_PSI_MIN_DT_MS apart are compared with an
 * older one, so that noise over a millisecond is no fall).
 *
 * asd_psi_interval_ms: time to the next sample.  ASD_PSI_FAST_MS while the
 * level is above none or for ASD_PSI_FALL_HOLD_MS after memory was last
 * seen falling; otherwise the time the fastest plausible allocator
 * (ASD_PSI_FASTEST_KBPS) needs to eat the headroom above the low
 * threshold, within [ASD_PSI_FAST_MS, ASD_PSI_IDLE_MS].
 */
#define ASD_PSI_FAST_MS		20u
#define ASD_PSI_IDLE_MS		1000u
#define ASD_PSI_MIN_DT_MS	10u
#define ASD_PSI_FALL_HOLD_MS	1000u
#define ASD_PSI_FASTEST_KBPS	(256u * 1024)

struct asd_psi_state {
	bool have_prev;
	uint64_t prev_avail_kb, prev_ms;
	uint64_t last_fall_ms;		/* 0: never seen falling */
};

int asd_psi_level(uint64_t total_kb, uint64_t avail_kb, unsigned low_pct, bool triggered);
void asd_psi_observe(struct asd_psi_state *ps, uint64_t now_ms, uint64_t total_kb,
		     uint64_t avail_kb);
bool asd_psi_falling(const struct asd_psi_state *ps, uint64_t now_ms);
unsigned asd_psi_interval_ms(const struct asd_psi_state *ps, uint64_t now_ms, int level,
			     uint64_t total_kb, uint64_t avail_kb, unsigned low_pct);

/* The "restart instead of thrash" hook: state carried between calls. */
struct asd_action_state {
	uint64_t bad_since_ms;		/* 0: condition not holding */
	uint64_t last_run_ms;		/* 0: never */
};

/* true when the command should run now (and updates the state). */
bool asd_action_due(const struct asd_config *c, const struct asd_limits *l,
		    const struct asd_sample *s, struct asd_action_state *st,
		    char *reason, size_t len);

/* ---- swapfiles (swapfile.c) ------------------------------------------- */

#define ASD_FILE_PREFIX "adaptswap-"
#define ASD_FILE_SUFFIX ".swap"

/*
 * Write a version-1 swap header for a file of `size` bytes into the first
 * page of buf (buf must hold page_size bytes): the layout util-linux's
 * mkswap writes, with a random UUID and the label "adaptswap".  Returns
 * the number of usable pages, or -EINVAL for a size below 40 pages.
 */
long asd_swap_header(void *buf, size_t page_size, uint64_t size,
		     const unsigned char uuid[16]);

/*
 * Open the managed directory as an O_PATH fd that all work goes through.
 * Every component from / down is opened without following a symbolic
 * link (one is refused) and must be a directory owned by root and not
 * writable by group or others (a parent may be so with the sticky bit,
 * like /tmp: nobody else can rename a root-owned entry in it); the last
 * is created 0700 when missing and create is set.  fd, or -errno with a
 * message.  asd_dir_check() does the same and closes the fd.
 */
int asd_dir_open(const char *dir, bool create, char *err, size_t errlen);
int asd_dir_check(const char *dir, char *err, size_t errlen);

/* A managed file (open fd): regular, owned by root, mode 0600, one link.
 * 0 or -errno (-EPERM when it is not such a file) with a message. */
int asd_managed_ok(int fd, const char *name, char *err, size_t errlen);
/* Has the file fewer blocks than its size (holes: swapon refuses it)? */
bool asd_swapfile_sparse(int fd);

/*
 * Create DIR/NAME of `size` bytes as a swap area, ready for swapon(2):
 * O_CREAT|O_EXCL|O_NOFOLLOW, 0600; fallocate where the filesystem can swap
 * on fallocated files (ext4, xfs), written zeros where it cannot (detected
 * by filesystem type; btrfs gets NOCOW before any data); header written
 * in-process; fsync.  On failure the file is removed.  0 or -errno.
 * The _at form works below the directory fd dfd (dir only names it in
 * messages).
 */
int asd_swapfile_create(const char *dir, const char *name, uint64_t size,
			char *err, size_t errlen);
int asd_swapfile_create_at(int dfd, const char *dir, const char *name, uint64_t size,
			   char *err, size_t errlen);

/* Is PATH a swap area this header writer made (magic + label)? */
bool asd_swapfile_is_ours(const char *path);
bool asd_swapfile_is_ours_at(int dfd, const char *path);

/* ---- /proc/swaps (swaps.c) --------------------------------------------- */

/* One line of /proc/swaps. */
struct asd_swap_area {
	char path[256];
	bool is_file;
	uint64_t size, used;		/* bytes */
	int prio;
};

/*
 * Read fd to its end into buf (len bytes, NUL-terminated): a /proc file
 * may take more than one read(2) (/proc/swaps: one page at a time).
 * Length, -EFBIG when it does not fit, or -errno.
 */
int asd_read_whole(int fd, char *buf, size_t len);

/* Parse /proc/swaps text; returns the number of areas (at most max). */
int asd_parse_proc_swaps(const char *text, struct asd_swap_area *a, int max);

/*
 * How a /proc/swaps path names the file at `full`: 2 the same path; 1 a
 * tail of it that starts at a '/' (the kernel prints the path from the
 * root of the mount the area was opened through, and once that mount is
 * gone, e.g. a service's private mount namespace that bind-mounted the
 * directory, only the tail below it is left: "/adaptswap-0.swap");
 * 0 another file.  A 1 still needs asd_swapfile_active() to be sure.
 */
int asd_swaps_path_match(const char *full, const char *swaps_path);

/*
 * Is the file at path an active swap area?  The kernel refuses fallocate(2)
 * on one with ETXTBSY, whatever path it was activated through.  1 yes,
 * 0 no, -errno when it cannot tell (e.g. no fallocate on this filesystem).
 * Changes nothing: the file is opened for writing but the one byte asked
 * for (FALLOC_FL_KEEP_SIZE) is already allocated in a swapfile of ours.
 */
int asd_swapfile_active(const char *path);
int asd_swapfile_active_at(int dfd, const char *path);

/* Write len zero bytes at off (1 MiB chunks from a static buffer, page cache
 * flushed every 16 MiB).  0 or -errno.  Used where fallocate cannot serve. */
int asd_write_zeros(int fd, uint64_t off, uint64_t len);

#endif /* ASD_H */
