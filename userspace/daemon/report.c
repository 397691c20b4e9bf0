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
	fprintf(f, "budget:     chunk %" PRIu64 " MiB, max %" PRIu64 " MiB, floor %" PRIu64
		" MiB, keep %" PRIu64 " MiB free, at most %u%% of the filesystem; room %" PRIu64
		" MiB\n", l->chunk / ASD_MIB, l->max_swap / ASD_MIB, l->floor / ASD_MIB,
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

/* One metric: Prometheus text (HELP when given, TYPE, the sample) or a JSON member. */
struct metrics_out {
	FILE *f;
	struct asj *j;		/* NULL: Prometheus text */
};

static void metric(struct metrics_out *o, const char *name, const char *type,
		   const char *help, uint64_t v)
{
	if (o->j) {
		asj_u64(o->j, name, v);
		return;
	}
	if (help)
		fprintf(o->f, "# HELP %s %s\n", name, help);
	fprintf(o->f, "# TYPE %s %s\n%s %" PRIu64 "\n", name, type, name, v);
}

static void metric_seconds(struct metrics_out *o, const char *name, const char *help,
			   uint64_t us)
{
	double v = (double)us / 1e6;

	if (o->j) {
		asj_double(o->j, name, v, 6);
		return;
	}
	fprintf(o->f, "# HELP %s %s\n# TYPE %s gauge\n%s %.6f\n", name, help, name, name, v);
}

/* Every metric, in one place: as Prometheus text, or one JSON object keyed by name. */
void report_metrics(struct daemon *d, FILE *f, bool json)
{
	struct metrics_out o = { .f = f };
	struct asd_sample s;
	struct asj j;

	proc_sample(d, &s);
	if (json) {
		asj_begin(&j, f);
		asj_object(&j, NULL);
		o.j = &j;
	}
	metric(&o, "adaptswap_level", "gauge", "Pressure level (0 none .. 3 critical).",
	       (uint64_t)d->src.level);
	metric(&o, "adaptswap_source_module", "gauge",
	       "1 when events come from adaptswap.ko.", d->src.module_mode);
	metric(&o, "adaptswap_managed_swap_bytes", "gauge", NULL, s.managed_total);
	metric(&o, "adaptswap_managed_swap_used_bytes", "gauge", NULL, s.managed_used);
	metric(&o, "adaptswap_managed_disk_bytes", "gauge", NULL, inv_on_disk(d));
	metric(&o, "adaptswap_managed_files", "gauge", NULL, (uint64_t)d->inv.n);
	metric(&o, "adaptswap_swap_bytes", "gauge", NULL, s.swap_total);
	metric(&o, "adaptswap_swap_free_bytes", "gauge", NULL, s.swap_free);
	metric(&o, "adaptswap_mem_available_bytes", "gauge", NULL, s.mem_avail);
	metric(&o, "adaptswap_swappiness", "gauge", NULL, d->swp.cur);
	metric(&o, "adaptswap_grows_total", "counter", NULL, d->act.grows);
	metric(&o, "adaptswap_shrinks_total", "counter", NULL, d->act.shrinks);
	metric(&o, "adaptswap_refusals_total", "counter", NULL, d->act.refusals);
	metric(&o, "adaptswap_actions_total", "counter", NULL, d->action.runs);
	metric(&o, "adaptswap_events_total", "counter", NULL, d->src.events_seen);
	metric(&o, "adaptswap_events_missed_total", "counter", NULL, d->src.events_missed);
	metric_seconds(&o, "adaptswap_last_grow_latency_seconds",
		       "Event timestamp to swapon done.", d->act.last_grow_latency_us);
	if (json)
		asj_end(&j);
}
