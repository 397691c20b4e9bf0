// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the daemon says about itself on the control socket: status for
 * people, status as JSON (lib/json.c's writer), and the metrics as
 * Prometheus text or JSON, all of them in report_metrics().
 *
 * Owns: nothing.  Calls: procfs.c (a fresh sample), inventory.c, policy.c
 * (budget room), log.c (the last decisions).
 */
#include <inttypes.h>
#include <stdio.h>

#include "daemon.h"
#include "json.h"

static const char *file_state(const struct mfile *f)
{
	return f->busy ? "busy" : f->active ? "active" : "standby";
}

void report_status_json(struct daemon *d, FILE *f)
{
	uint64_t room, t = now_ms();
	struct asd_sample s;
	struct asj j;
	int n = d->log.n < NDECISIONS ? d->log.n : NDECISIONS;

	proc_sample(d, &s);
	room = asd_budget_room(&d->lim, s.managed_total, inv_on_disk(d), s.fs_size, s.fs_free);
	asj_begin(&j, f);
	asj_object(&j, NULL);
	asj_string(&j, "version", ADAPTSWAP_VERSION);
	asj_string(&j, "source", src_name(d));
	asj_string(&j, "level", adaptswap_level_name(d->src.level));
	asj_bool(&j, "held", d->act.held);
	asj_string(&j, "dir", d->cfg.dir);
	asj_u64(&j, "mem_total", s.mem_total);
	asj_u64(&j, "mem_avail", s.mem_avail);
	asj_u64(&j, "swap_total", s.swap_total);
	asj_u64(&j, "swap_free", s.swap_free);
	asj_u64(&j, "managed_total", s.managed_total);
	asj_u64(&j, "managed_used", s.managed_used);
	asj_u64(&j, "managed_on_disk", inv_on_disk(d));
	asj_u64(&j, "fs_size", s.fs_size);
	asj_u64(&j, "fs_free", s.fs_free);
	asj_object(&j, "budget");
	asj_u64(&j, "chunk", d->lim.chunk);
	asj_bool(&j, "chunk_grows", d->lim.grow_steps);
	asj_u64(&j, "max_swap", d->lim.max_swap);
	asj_u64(&j, "floor", d->lim.floor);
	asj_u64(&j, "min_free", d->lim.min_free);
	asj_u64(&j, "max_disk_pct", d->lim.max_disk_pct);
	asj_u64(&j, "room", room);
	asj_end(&j);
	asj_object(&j, "swappiness");
	asj_u64(&j, "current", d->swp.cur);
	asj_i64(&j, "original", d->swp.orig);
	asj_bool(&j, "control", d->cfg.swappiness_control);
	asj_end(&j);
	asj_array(&j, "files");
	for (int i = 0; i < d->inv.n; i++) {
		const struct mfile *m = &d->inv.files[i];

		asj_object(&j, NULL);
		asj_string(&j, "name", m->name);
		asj_u64(&j, "size", m->size);
		asj_u64(&j, "used", m->used);
		asj_string(&j, "state", file_state(m));
		asj_end(&j);
	}
	asj_end(&j);
	asj_object(&j, "counters");
	asj_u64(&j, "grows", d->act.grows);
	asj_u64(&j, "shrinks", d->act.shrinks);
	asj_u64(&j, "refusals", d->act.refusals);
	asj_u64(&j, "actions", d->action.runs);
	asj_u64(&j, "events", d->src.events_seen);
	asj_u64(&j, "events_missed", d->src.events_missed);
	asj_end(&j);
	asj_u64(&j, "last_grow_latency_us", d->act.last_grow_latency_us);
	asj_array(&j, "decisions");
	for (int i = 0; i < n; i++) {
		const struct decision_log *l = log_recent(d, n, i);

		asj_object(&j, NULL);
		asj_u64(&j, "age_ms", t - l->at_ms);
		asj_string(&j, "text", l->text);
		asj_end(&j);
	}
	asj_end(&j);
	asj_end(&j);
}

void report_status(struct daemon *d, FILE *f)
{
	const struct asd_limits *l = &d->lim;
	uint64_t room, t = now_ms();
	struct asd_sample s;
	int n = d->log.n < 5 ? d->log.n : 5;

	proc_sample(d, &s);
	room = asd_budget_room(l, s.managed_total, inv_on_disk(d), s.fs_size, s.fs_free);
	fprintf(f, "adaptswapd %s\nsource:     %s\nlevel:      %s%s\n", ADAPTSWAP_VERSION,
		d->src.module_mode ? "adaptswap module" : d->src.psi_fd >= 0 ?
		"PSI trigger + meminfo" : "meminfo sampling",
		adaptswap_level_name(d->src.level), d->act.held ? " (growth on hold)" : "");
	fprintf(f, "memory:     %" PRIu64 " MiB available of %" PRIu64 " MiB\n",
		s.mem_avail / ASD_MIB, s.mem_total / ASD_MIB);
	fprintf(f, "swap:       %" PRIu64 " MiB used of %" PRIu64 " MiB (managed: %" PRIu64
		" MiB used of %" PRIu64 " MiB)\n", (s.swap_total - s.swap_free) / ASD_MIB,
		s.swap_total / ASD_MIB, s.managed_used / ASD_MIB, s.managed_total / ASD_MIB);
	fprintf(f, "budget:     chunk %" PRIu64 " MiB%s, max %" PRIu64 " MiB, floor %" PRIu64
		" MiB, keep %" PRIu64 " MiB free, at most %u%% of the filesystem; room %" PRIu64
		" MiB\n", l->chunk / ASD_MIB, l->grow_steps ? " and up (auto)" : "",
		l->max_swap / ASD_MIB, l->floor / ASD_MIB,
		l->min_free / ASD_MIB, l->max_disk_pct, room / ASD_MIB);
	fprintf(f, "swappiness: %u (original %d%s)\nfiles in %s:\n", d->swp.cur,
		d->swp.orig, d->cfg.swappiness_control ? "" : ", not tuned", d->cfg.dir);
	for (int i = 0; i < d->inv.n; i++) {
		const struct mfile *m = &d->inv.files[i];

		fprintf(f, "  %-24s %6" PRIu64 " MiB  %6" PRIu64 " MiB used  %s\n", m->name,
			m->size / ASD_MIB, m->used / ASD_MIB, file_state(m));
	}
	if (!d->inv.n)
		fprintf(f, "  (none)\n");
	fprintf(f, "last decisions:\n");
	for (int i = 0; i < n; i++) {
		const struct decision_log *dl = log_recent(d, n, i);

		fprintf(f, "  %6.1fs ago  %s\n", (double)(t - dl->at_ms) / 1000, dl->text);
	}
}

/* The module's figures, when it is loaded; false when not (or unreadable). */
static bool module_figures(struct daemon *d, struct asd_metrics *m)
{
	struct adaptswap_status st;
	struct adaptswap *as = d->src.as;
	int r;

	/* not in use: only a module already loaded, never a lookup that loads it */
	if (!as && (!adaptswap_loaded() || adaptswap_open(&as) < 0))
		return false;
	r = adaptswap_get(as, &st);
	if (as != d->src.as)
		adaptswap_close(as);
	if (r < 0)
		return false;
	snprintf(m->module_version, sizeof(m->module_version), "%s", st.version);
	m->module_enabled = st.knobs[ADAPTSWAP_KNOB_ENABLED];
	m->module_level = (uint64_t)st.level;
	m->module_events_sent = st.counters[ADAPTSWAP_COUNTER_EVENTS_SENT];
	m->module_events_dropped = st.counters[ADAPTSWAP_COUNTER_EVENTS_DROPPED];
	m->module_kswapd_wakeups = st.counters[ADAPTSWAP_COUNTER_KSWAPD_WAKEUPS];
	m->module_direct_reclaims = st.counters[ADAPTSWAP_COUNTER_DIRECT_RECLAIMS];
	m->module_oom_kills = st.counters[ADAPTSWAP_COUNTER_OOM_KILLS];
	m->module_samples = st.counters[ADAPTSWAP_COUNTER_SAMPLES];
	m->module_shrinker_calls = st.counters[ADAPTSWAP_COUNTER_SHRINKER_CALLS];
	return true;
}

/* OOM kills since boot (/proc/vmstat oom_kill; 0 when unreadable). */
uint64_t report_oom_kills(void)
{
	char text[16384];

	if (proc_read("/proc/vmstat", text, sizeof(text)) < 0)
		return 0;
	return proc_vmstat(text, "oom_kill");
}

/* Every figure of doc/metrics.md, now. */
static void fill_metrics(struct daemon *d, struct asd_metrics *m)
{
	struct asd_sample s;
	uint64_t disk = inv_on_disk(d);

	proc_sample(d, &s);
	*m = (struct asd_metrics){
		.version = ADAPTSWAP_VERSION,
		.source = src_name(d),
		.up = 1,
		.start_time_s = d->start_time_s,
		.module_in_use = d->src.module_mode,
		.level = (uint64_t)d->src.level,
		.held = d->act.held,
		.swappiness = d->swp.cur,
		.mem_total = s.mem_total,
		.mem_avail = s.mem_avail,
		.swap_total = s.swap_total,
		.swap_free = s.swap_free,
		.managed_total = s.managed_total,
		.managed_used = s.managed_used,
		.managed_disk = disk,
		.managed_files = (uint64_t)d->inv.n,
		.max_swap = d->lim.max_swap,
		.limit = s.managed_total + asd_budget_room(&d->lim, s.managed_total, disk,
							    s.fs_size, s.fs_free),
		.grows = d->act.grows,
		.shrinks = d->act.shrinks,
		.refusals = d->act.refusals,
		.action_runs = d->action.runs,
		.events_received = d->src.events_seen,
		.events_missed = d->src.events_missed,
		.last_grow_latency_us = d->act.last_grow_latency_us,
		.oom_kills = report_oom_kills(),
	};
	m->module = module_figures(d, m);
}

/* Every metric, in one place (metrics.c): Prometheus text or one JSON object. */
void report_metrics(struct daemon *d, FILE *f, bool json)
{
	struct asd_metrics m;

	fill_metrics(d, &m);
	asd_metrics_write(&m, f, json);
}
