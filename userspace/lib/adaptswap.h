/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libadaptswap - client library for the adaptswap generic-netlink family.
 *
 *	struct adaptswap *as;
 *	if (adaptswap_open(&as) < 0) ...           resolves (and autoloads) the family
 *	adaptswap_get(as, &status);                 level, memory, knobs, counters
 *	adaptswap_set(as, settings, n);             needs CAP_NET_ADMIN + CAP_SYS_ADMIN
 *	adaptswap_subscribe(as);                    join the "events" group
 *	adaptswap_dispatch(as, callback, arg);      receive; poll adaptswap_event_fd()
 *	adaptswap_close(as);
 *
 * and adaptswapd's control socket (see "The daemon" below):
 *
 *	struct adaptswap_daemon *ad;
 *	if (adaptswap_daemon_open(&ad, NULL, 0) < 0) ...   not running
 *	adaptswap_daemon_ask(ad, "status-json", &body);    one request, one answer
 *	adaptswap_daemon_close(ad);
 *
 * Every function that can fail returns 0 (or a count) or a negative errno
 * value; adaptswap_errmsg() then holds a readable message that includes the
 * kernel's extended-ack text when it sent one ("kernel reports: ...").
 * The protocol itself is documented in <linux/adaptswap.h>.
 */
#ifndef ADAPTSWAP_LIB_H
#define ADAPTSWAP_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <linux/adaptswap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The knobs, in the order of their attributes (ADAPTSWAP_A_ENABLED + i). */
enum adaptswap_knob {
	ADAPTSWAP_KNOB_ENABLED,
	ADAPTSWAP_KNOB_LOW_PCT,
	ADAPTSWAP_KNOB_MEDIUM_PCT,
	ADAPTSWAP_KNOB_CRITICAL_PCT,
	ADAPTSWAP_KNOB_HYSTERESIS_PCT,
	ADAPTSWAP_KNOB_SAMPLE_IDLE_MS,
	ADAPTSWAP_KNOB_SAMPLE_FAST_MS,
	ADAPTSWAP_KNOB_EVENT_INTERVAL_MS,
	ADAPTSWAP_NR_KNOBS
};

/* The counters, in the order of their attributes (ADAPTSWAP_A_EVENTS_SENT + i). */
enum adaptswap_counter {
	ADAPTSWAP_COUNTER_EVENTS_SENT,
	ADAPTSWAP_COUNTER_EVENTS_DROPPED,
	ADAPTSWAP_COUNTER_KSWAPD_WAKEUPS,
	ADAPTSWAP_COUNTER_DIRECT_RECLAIMS,
	ADAPTSWAP_COUNTER_OOM_KILLS,
	ADAPTSWAP_COUNTER_SAMPLES,
	ADAPTSWAP_COUNTER_SHRINKER_CALLS,
	ADAPTSWAP_NR_COUNTERS
};

/* Rates of the last sample, pages (or stalls) per second. */
enum adaptswap_rate {
	ADAPTSWAP_RATE_SCAN,
	ADAPTSWAP_RATE_STALL,
	ADAPTSWAP_RATE_SWAPIN,
	ADAPTSWAP_RATE_SWAPOUT,
	ADAPTSWAP_RATE_REFAULT,
	ADAPTSWAP_NR_RATES
};

struct adaptswap_status {
	int level;			/* enum adaptswap_level */
	uint64_t timestamp_ns;		/* CLOCK_MONOTONIC of the sample it shows */
	uint64_t seq;			/* sequence number of the last event */
	uint64_t mem_total_kb, mem_avail_kb, swap_free_kb;
	uint64_t rates[ADAPTSWAP_NR_RATES];
	uint32_t knobs[ADAPTSWAP_NR_KNOBS];
	uint64_t counters[ADAPTSWAP_NR_COUNTERS];
	char version[64];
};

struct adaptswap_event {
	int type;			/* enum adaptswap_event_type */
	int level, prev_level;		/* enum adaptswap_level */
	int cause;			/* enum adaptswap_cause */
	uint64_t timestamp_ns;		/* CLOCK_MONOTONIC when the kernel built it */
	uint64_t received_ns;		/* CLOCK_MONOTONIC when the library parsed it */
	uint64_t seq;
	uint64_t mem_total_kb, mem_avail_kb, swap_free_kb;
	uint64_t rates[ADAPTSWAP_NR_RATES];
	/* Events lost just before this one: the gap in sequence numbers
	 * since the last event this handle received (0 for the first). */
	uint64_t missed;
	/* type ADAPTSWAP_EVENT_OOM only (0 / -1 / "" otherwise) */
	uint64_t oom_kills;		/* the module's OOM kill count after this one */
	int oom_victim_pid;		/* the killed process, -1 when not named */
	char oom_victim_comm[16];	/* its command name, "" when not named */
};

struct adaptswap_setting {
	enum adaptswap_knob knob;
	uint32_t value;
};

struct adaptswap;

/*
 * 0, or -ENOENT when the module is not loaded and cannot be autoloaded.
 * Resolving the family asks the kernel to load the module if it is
 * installed; check adaptswap_loaded() first to avoid that.
 */
int adaptswap_open(struct adaptswap **out);
/*
 * true when the module is loaded: its sysfs directory exists and it is not
 * being removed (/sys/module/adaptswap/initstate, when there is one, does
 * not say "going"; a module built into the kernel has none).  No side
 * effect.  A module on its way out has unregistered its family but not yet
 * its sysfs directory: resolving the family then would load it again.
 */
int adaptswap_loaded(void);
void adaptswap_close(struct adaptswap *as);
const char *adaptswap_errmsg(const struct adaptswap *as);

int adaptswap_get(struct adaptswap *as, struct adaptswap_status *st);
/*
 * All or nothing: the kernel validates the settings together.  Needs
 * CAP_NET_ADMIN and CAP_SYS_ADMIN (-EPERM otherwise).
 */
int adaptswap_set(struct adaptswap *as, const struct adaptswap_setting *s,
		  size_t n);

/*
 * For protocol tests and tools: send command cmd with an already encoded
 * attribute payload (struct nlattr stream) and wait for the kernel's answer.
 * A GET reply, if any, is parsed into st (may be NULL).
 */
int adaptswap_request_raw(struct adaptswap *as, int cmd, const void *attrs,
			  size_t len, struct adaptswap_status *st);

int adaptswap_subscribe(struct adaptswap *as);
/* File descriptor to poll(2) for events (after adaptswap_subscribe()). */
int adaptswap_event_fd(const struct adaptswap *as);
/* Called for each event; a non-zero return stops adaptswap_dispatch(). */
typedef int (*adaptswap_event_cb)(const struct adaptswap_event *ev, void *arg);
/*
 * Receive what is pending (blocks when nothing is, unless nonblocking was
 * chosen) and call cb for each event.  Returns the number of events, or
 * -ENOBUFS when the socket overran (events were lost: sequence numbers tell
 * how many), or another negative errno.
 */
int adaptswap_dispatch(struct adaptswap *as, adaptswap_event_cb cb, void *arg);
int adaptswap_set_nonblocking(struct adaptswap *as, int nonblocking);

/*
 * Watch the module come and go without polling: the generic-netlink
 * controller announces every family registered or removed.
 * adaptswap_watch_fd() is the socket to poll; adaptswap_watch_read()
 * returns 1 when the adaptswap family appeared, -1 when it went away, 0
 * for anything else (or a negative errno other than -1's meaning: check
 * with errno-style codes below -1, e.g. -EAGAIN).
 */
struct adaptswap_watch;
int adaptswap_watch_open(struct adaptswap_watch **out);
int adaptswap_watch_fd(const struct adaptswap_watch *w);
int adaptswap_watch_read(struct adaptswap_watch *w);
void adaptswap_watch_close(struct adaptswap_watch *w);

/* Names: levels, causes and event types as in the uapi header. */
const char *adaptswap_lib_version(void);
const char *adaptswap_level_name(int level);	/* "none" ... "critical", "?" */
int adaptswap_level_parse(const char *name);	/* -1 if unknown */
const char *adaptswap_cause_name(int cause);
const char *adaptswap_event_type_name(int type);
const char *adaptswap_knob_name(int knob);	/* sysfs file name, NULL if none */
int adaptswap_knob_parse(const char *name);	/* -1 if unknown */
const char *adaptswap_counter_name(int counter);
const char *adaptswap_rate_name(int rate);

/*
 * Parse "KEY=VALUE" into a setting: 0, or -EINVAL with a message in err
 * (unknown key, missing '=', value not a plain decimal or above 2^32-1).
 */
int adaptswap_setting_parse(const char *arg, struct adaptswap_setting *s,
			    char *err, size_t errlen);

/*
 * A plain non-negative decimal number: digits only (no sign, no white
 * space, leading zeros allowed), at most max.  0, -EINVAL (empty or any
 * other character), or -ERANGE (above max, also beyond 64 bits).
 */
int adaptswap_parse_u64(const char *s, uint64_t max, uint64_t *v);

/*
 * The daemon: adaptswapd's control socket RUNDIR/adaptswapd.sock.  One
 * request per connection, a line with a command word ("status",
 * "status-json", "metrics", "metrics-json", "grow", ...); the answer is a
 * line "ok" and a body, or a line "error KIND MESSAGE"; then the daemon
 * closes.  The protocol is described in doc/protocol.md.
 */
#define ADAPTSWAP_DAEMON_RUNDIR		"/run/adaptswap"
#define ADAPTSWAP_DAEMON_SOCKET		"adaptswapd.sock"
#define ADAPTSWAP_DAEMON_TIMEOUT_MS	10000
#define ADAPTSWAP_DAEMON_REQUEST_MAX	100	/* bytes of a request line */
#define ADAPTSWAP_DAEMON_ANSWER_MAX	(1 << 20)

struct adaptswap_daemon;

/*
 * Connect to the daemon.  rundir NULL or "": $ADAPTSWAP_RUNDIR, else
 * ADAPTSWAP_DAEMON_RUNDIR.  timeout_ms bounds the connection and each
 * adaptswap_daemon_ask() (<= 0: ADAPTSWAP_DAEMON_TIMEOUT_MS).  Returns 0,
 * -ENOENT or -ECONNREFUSED when no daemon listens there, -EACCES when the
 * socket is not open to the caller, -ETIMEDOUT when the daemon does not
 * take the connection in time, or another negative errno.  *out is set
 * whatever the result (adaptswap_daemon_errmsg() tells why): close it.
 */
int adaptswap_daemon_open(struct adaptswap_daemon **out, const char *rundir, int timeout_ms);
/*
 * Send one request and read the whole answer, within the timeout.  0 with
 * *body the text after the "ok" line (NUL-terminated, valid until the next
 * call or close).  The daemon's refusals, with its message in
 * adaptswap_daemon_errmsg(): -EACCES (needs root), -EINVAL (unknown
 * request), -EBUSY (try again), -ECANCELED (refused: budget, memory, a bad
 * file), -EIO (failed).  No answer: -ETIMEDOUT, -EPROTO (not an answer of
 * this protocol), -EMSGSIZE (longer than ADAPTSWAP_DAEMON_ANSWER_MAX), or
 * another negative errno of the connection.
 */
int adaptswap_daemon_ask(struct adaptswap_daemon *ad, const char *request, const char **body);
/* The last error's message (the daemon's own words for its refusals). */
const char *adaptswap_daemon_errmsg(const struct adaptswap_daemon *ad);
/* The socket's path. */
const char *adaptswap_daemon_path(const struct adaptswap_daemon *ad);
void adaptswap_daemon_close(struct adaptswap_daemon *ad);

/* The KIND words of an "error" answer and the errno values they map to. */
const char *adaptswap_daemon_error_kind(int err);	/* "failed" for unknown */
int adaptswap_daemon_error_parse(const char *kind);	/* -EIO for unknown */

#ifdef __cplusplus
}
#endif

#endif /* ADAPTSWAP_LIB_H */
