// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where the pressure level comes from: adaptswap.ko's events when the
 * module is there, else a PSI trigger on /proc/pressure/memory plus the
 * daemon's own MemAvailable sampling; the genl family watch that switches
 * between the two as the module comes and goes; swap-in, swap-out and
 * refault rates (from the module's events, or /proc/vmstat in PSI mode).
 * A level above none interrupts a swapoff and asks for growth.
 *
 * Owns: d->src.  Calls: libadaptswap, pace.c (PSI level), procfs.c,
 * actuate.c (grow), worker.c (interrupt), log.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

#define ENABLED_FILE "/sys/kernel/adaptswap/enabled"

void src_init(struct daemon *d)
{
	d->src.psi_fd = -1;
	d->src.enabled_fd = -1;
	d->src.may_autoload = true;
	if (adaptswap_watch_open(&d->src.watch) < 0)
		logmsg(d, LOG_WARN_, "cannot watch for the module coming and going");
}

static void set_level(struct daemon *d, int level, const char *why, uint64_t event_ns)
{
	int old = d->src.level;

	d->src.level = level;
	if (level > ADAPTSWAP_LEVEL_NONE) {
		d->src.last_pressure_ms = now_ms();
		worker_interrupt_swapoff(d);
	}
	if (level != old && event_ns)
		logmsg(d, LOG_DEBUG_, "level %s -> %s (%s; sampled %.3f ms before)",
		       adaptswap_level_name(old), adaptswap_level_name(level), why,
		       (double)(int64_t)(now_ns() - event_ns) / 1e6);
	else if (level != old)
		logmsg(d, LOG_DEBUG_, "level %s -> %s (%s)", adaptswap_level_name(old),
		       adaptswap_level_name(level), why);
	if (level == ADAPTSWAP_LEVEL_NONE && old > ADAPTSWAP_LEVEL_NONE)
		act_episode_end(d);
	if (level > ADAPTSWAP_LEVEL_NONE)
		act_grow(d, why, event_ns, false, NULL, 0);
}

static void module_reread(struct daemon *d, const char *why);

static int on_module_event(const struct adaptswap_event *ev, void *arg)
{
	struct daemon *d = arg;
	bool oom = ev->type == ADAPTSWAP_EVENT_OOM;

	d->src.events_seen++;
	d->src.events_missed += ev->missed;
	d->src.last_seq = ev->seq;
	if (ev->cause == ADAPTSWAP_CAUSE_KNOB)
		module_reread(d, "a knob changed");
	else if (ev->missed)
		module_reread(d, "events were lost (sequence gap)");
	if (!d->src.module_mode)
		return 1;	/* disabled: PSI mode took over */
	d->src.last_event_latency_ns = ev->received_ns - ev->timestamp_ns;
	d->src.swapin_rate = ev->rates[ADAPTSWAP_RATE_SWAPIN];
	d->src.swapout_rate = ev->rates[ADAPTSWAP_RATE_SWAPOUT];
	d->src.refault_rate = ev->rates[ADAPTSWAP_RATE_REFAULT];
	set_level(d, oom && ev->level < ADAPTSWAP_LEVEL_CRITICAL ? ADAPTSWAP_LEVEL_CRITICAL :
		  ev->level, oom ? "oom event" : adaptswap_cause_name(ev->cause),
		  ev->timestamp_ns);
	return 0;
}

static void psi_close(struct daemon *d)
{
	if (d->src.psi_fd >= 0)
		close(d->src.psi_fd);
	d->src.psi_fd = -1;
}

static int psi_open(struct daemon *d)
{
	char trig[64];
	int fd = open("/proc/pressure/memory", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(trig, sizeof(trig), "some %u %u", d->cfg.psi_stall_us, d->cfg.psi_window_us);
	if (write(fd, trig, strlen(trig) + 1) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	d->src.psi_fd = fd;
	return 0;
}

static void enabled_close(struct daemon *d)
{
	if (d->src.enabled_fd >= 0)
		close(d->src.enabled_fd);
	d->src.enabled_fd = -1;
}

/* Watch the module's enabled file (a read arms poll()'s POLLPRI). */
static void enabled_watch(struct daemon *d)
{
	char buf[16];

	if (d->src.enabled_fd < 0)
		d->src.enabled_fd = open(ENABLED_FILE, O_RDONLY | O_CLOEXEC);
	if (d->src.enabled_fd >= 0 && pread(d->src.enabled_fd, buf, sizeof(buf), 0) < 0)
		enabled_close(d);
}

static void module_close(struct daemon *d)
{
	adaptswap_close(d->src.as);
	d->src.as = NULL;
	d->src.module_mode = false;
	d->src.announced = false;
	enabled_close(d);
}

/*
 * Read the module's state with GET: its knobs (event_interval_ms for the
 * expiry of a level, low_pct for "memory is short", enabled) and its level,
 * which a lost event may have left stale.  A disabled module sends no
 * events: PSI mode takes over, and the module is used again when it is
 * enabled (its enabled file wakes poll(), see src_enabled_fd()).
 */
static int module_get(struct daemon *d)
{
	struct adaptswap_status st;

	if (adaptswap_get(d->src.as, &st) < 0) {
		logmsg(d, LOG_WARN_, "module: GET: %s", adaptswap_errmsg(d->src.as));
		return -1;
	}
	d->src.module_enabled = st.knobs[ADAPTSWAP_KNOB_ENABLED] != 0;
	d->src.event_interval_ms = st.knobs[ADAPTSWAP_KNOB_EVENT_INTERVAL_MS];
	d->src.low_pct = st.knobs[ADAPTSWAP_KNOB_LOW_PCT];
	d->src.last_seq = st.seq;
	return st.level;
}

static void psi_start(struct daemon *d, const char *why);

static void module_reread(struct daemon *d, const char *why)
{
	int level;

	d->src.rereads++;
	level = module_get(d);
	if (level < 0)
		return;
	logmsg(d, LOG_DEBUG_, "module state re-read (%s): level %s, enabled %d, event_interval_ms %u",
	       why, adaptswap_level_name(level), d->src.module_enabled, d->src.event_interval_ms);
	if (!d->src.module_enabled) {
		if (d->src.module_mode) {
			d->src.module_mode = false;
			d->src.announced = false;
			d->src.level = ADAPTSWAP_LEVEL_NONE;
			if (d->src.forced != ASD_SOURCE_MODULE)
				psi_start(d, "the adaptswap module is disabled (enabled=0)");
			else
				logmsg(d, LOG_WARN_, "source=module but the module is disabled: "
				       "waiting for it");
		}
		return;
	}
	if (!d->src.module_mode)
		src_use_best(d);	/* enabled again: back to its events */
	if (level != d->src.level || level > ADAPTSWAP_LEVEL_NONE)
		set_level(d, level, "module state re-read", 0);
}

static int module_open(struct daemon *d)
{
	if (d->src.forced == ASD_SOURCE_PSI)
		return -ENOENT;
	if (!d->src.may_autoload && !adaptswap_loaded())
		return -ENOENT;
	if (adaptswap_open(&d->src.as) < 0 || adaptswap_subscribe(d->src.as) < 0 ||
	    adaptswap_set_nonblocking(d->src.as, 1) < 0) {
		logmsg(d, LOG_DEBUG_, "module: %s", adaptswap_errmsg(d->src.as));
		adaptswap_close(d->src.as);
		d->src.as = NULL;
		return -ENOENT;
	}
	d->src.low_pct = 20;
	d->src.event_interval_ms = 1000;
	d->src.module_enabled = true;
	module_get(d);
	enabled_watch(d);
	d->src.module_mode = d->src.module_enabled;
	return 0;
}

static void psi_start(struct daemon *d, const char *why)
{
	int r;

	if (d->src.psi_fd >= 0)
		return;
	r = psi_open(d);
	decide(d, "source: PSI trigger on /proc/pressure/memory%s%s + meminfo sampling%s%s",
	       r ? " unavailable: " : "", r ? strerror(-r) : "", why ? ": " : "", why ? why : "");
}

/*
 * Resolving the family of an absent module runs modprobe (request_module()):
 * that happens once, at start.  Afterwards the family watch says when the
 * module comes; a lookup is only made when it is loaded.
 */
void src_use_best(struct daemon *d)
{
	if (!d->src.as)
		module_open(d);
	d->src.may_autoload = false;
	if (d->src.as && !d->src.module_mode && module_get(d) >= 0 && d->src.module_enabled)
		d->src.module_mode = true;
	if (d->src.module_mode) {
		if (d->src.psi_fd >= 0 || !d->src.announced) {
			psi_close(d);
			d->src.announced = true;
			decide(d, "source: adaptswap module (events, no polling)");
		}
		return;
	}
	if (d->src.forced == ASD_SOURCE_MODULE) {
		logmsg(d, LOG_WARN_, "source=module but the module is not available: waiting for it");
		return;
	}
	psi_start(d, d->src.as ? "the adaptswap module is disabled (enabled=0)" : NULL);
	d->src.announced = false;
}

int src_enabled_fd(const struct daemon *d)
{
	return d->src.as ? d->src.enabled_fd : -1;
}

/* The module's enabled knob changed: back to the module, or PSI. */
void src_enabled_changed(struct daemon *d)
{
	enabled_watch(d);
	if (d->src.as)
		module_reread(d, "the enabled knob changed");
}

void src_close(struct daemon *d)
{
	module_close(d);
	psi_close(d);
	adaptswap_watch_close(d->src.watch);
	d->src.watch = NULL;
}

int src_module_fd(const struct daemon *d)
{
	return d->src.as ? adaptswap_event_fd(d->src.as) : -1;
}

int src_watch_fd(const struct daemon *d)
{
	return d->src.watch ? adaptswap_watch_fd(d->src.watch) : -1;
}

const char *src_name(const struct daemon *d)
{
	return d->src.module_mode ? "module" : d->src.psi_fd >= 0 ? "psi" : "meminfo";
}

void src_module_readable(struct daemon *d)
{
	int r = adaptswap_dispatch(d->src.as, on_module_event, d);

	if (r == -ENOBUFS) {
		d->src.events_missed++;
		module_reread(d, "the event socket overran (ENOBUFS)");
	} else if (r < 0 && r != -EAGAIN && r != -EINTR) {
		logmsg(d, LOG_WARN_, "module events: %s", adaptswap_errmsg(d->src.as));
	}
}

void src_watch_readable(struct daemon *d)
{
	int r = adaptswap_watch_read(d->src.watch);

	if (r == -1 && d->src.as) {	/* in use, or open while disabled */
		bool was = d->src.module_mode;

		d->src.may_autoload = false;
		module_close(d);
		if (was)
			decide(d, "source: the adaptswap module went away");
		src_use_best(d);
	} else if (r == 1 && !d->src.module_mode) {
		src_use_best(d);
	}
}

/*
 * Module mode: the module repeats an event every event_interval_ms while
 * the level stays above none.  When two repeats are missing (and 250 ms
 * more for scheduling), ask the module rather than guess.
 */
uint64_t src_expiry_ms(const struct daemon *d)
{
	return 2ull * (d->src.event_interval_ms ? d->src.event_interval_ms : 1000) + 250;
}

void src_expire(struct daemon *d, uint64_t t)
{
	if (d->src.level > ADAPTSWAP_LEVEL_NONE && t - d->src.last_pressure_ms > src_expiry_ms(d))
		module_reread(d, "no repeated event");
	if (d->src.level > ADAPTSWAP_LEVEL_NONE && t - d->src.last_pressure_ms > src_expiry_ms(d))
		d->src.level = ADAPTSWAP_LEVEL_NONE;	/* the module says so, or cannot be asked */
}

/* PSI mode: a level from MemAvailable; the trigger means "at least medium". */
void src_psi_sample(struct daemon *d, bool triggered)
{
	char text[8192];
	uint64_t t = now_ms();

	if (proc_read("/proc/meminfo", text, sizeof(text)) < 0)
		return;
	d->src.psi_total_kb = proc_meminfo_kb(text, "MemTotal:");
	d->src.psi_avail_kb = proc_meminfo_kb(text, "MemAvailable:");
	asd_psi_observe(&d->src.psi, t, d->src.psi_total_kb, d->src.psi_avail_kb);
	set_level(d, asd_psi_level(d->src.psi_total_kb, d->src.psi_avail_kb, d->cfg.psi_low_pct,
				   triggered), triggered ? "psi trigger" : "meminfo sample", 0);
}

/* PSI mode reads the rates from /proc/vmstat (the module sends them). */
void src_update_rates_from_vmstat(struct daemon *d)
{
	char text[16384];
	uint64_t t = now_ms(), in, out, rf;

	if (proc_read("/proc/vmstat", text, sizeof(text)) < 0)
		return;
	in = proc_vmstat(text, "pswpin");
	out = proc_vmstat(text, "pswpout");
	rf = proc_vmstat(text, "workingset_refault_anon") +
	     proc_vmstat(text, "workingset_refault_file");
	if (d->src.prev_vm_ms && t > d->src.prev_vm_ms) {
		uint64_t dt = t - d->src.prev_vm_ms;

		d->src.swapin_rate = (in - d->src.prev_pswpin) * 1000 / dt;
		d->src.swapout_rate = (out - d->src.prev_pswpout) * 1000 / dt;
		d->src.refault_rate = (rf - d->src.prev_refault) * 1000 / dt;
	}
	d->src.prev_pswpin = in;
	d->src.prev_pswpout = out;
	d->src.prev_refault = rf;
	d->src.prev_vm_ms = t;
}
