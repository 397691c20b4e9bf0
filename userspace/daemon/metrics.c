// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metrics of doc/metrics.md, written from plain figures: Prometheus
 * text (HELP and TYPE for each, base units) or one JSON object of the same
 * names (an _info metric's value, always 1, as the object of its labels).
 * Pure: no daemon state, unit-tested by tests/userspace/metrics_test.c,
 * whose output promtool checks (tests/userspace/metrics.bats).
 *
 * Owns: nothing (no state).  Calls: lib/json.c.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "asd.h"
#include "json.h"

enum mtype { GAUGE, COUNTER };
enum mform { INT, SECONDS_US };

struct mdef {
	const char *name;
	enum mtype type;
	enum mform form;
	bool module;			/* a figure of the module: only while it is loaded */
	size_t off;			/* in struct asd_metrics, a uint64_t */
	const char *help;
};

#define M(n, t, f, mod, field, help) \
	{ "adaptswap_" #n, t, f, mod, offsetof(struct asd_metrics, field), help }

/* In the order of doc/metrics.md; the two _info metrics are written apart. */
static const struct mdef defs[] = {
	M(daemon_up, GAUGE, INT, false, up,
	  "1 while adaptswapd runs; 0 in the textfile left when it stopped."),
	M(daemon_start_time_seconds, GAUGE, INT, false, start_time_s,
	  "When the daemon started, in seconds since the Unix epoch."),
	M(module_in_use, GAUGE, INT, false, module_in_use,
	  "1 when the daemon takes its events from adaptswap.ko, 0 on PSI or meminfo sampling."),
	M(pressure_level, GAUGE, INT, false, level,
	  "The pressure level the daemon acts on: 0 none, 1 low, 2 medium, 3 critical."),
	M(growth_held, GAUGE, INT, false, held,
	  "1 while growth is on hold (adaptswapctl hold, release)."),
	M(swappiness, GAUGE, INT, false, swappiness, "vm.swappiness now."),
	M(memory_size_bytes, GAUGE, INT, false, mem_total, "RAM (MemTotal)."),
	M(memory_available_bytes, GAUGE, INT, false, mem_avail, "MemAvailable."),
	M(swap_size_bytes, GAUGE, INT, false, swap_total,
	  "All swap of the machine, managed or not (SwapTotal)."),
	M(swap_free_bytes, GAUGE, INT, false, swap_free, "SwapFree."),
	M(managed_swap_size_bytes, GAUGE, INT, false, managed_total,
	  "Size of the daemon's active swapfiles."),
	M(managed_swap_used_bytes, GAUGE, INT, false, managed_used,
	  "Swap in use in the daemon's swapfiles."),
	M(managed_disk_bytes, GAUGE, INT, false, managed_disk,
	  "Disk space of all the daemon's files, the standby chunk included."),
	M(managed_files, GAUGE, INT, false, managed_files,
	  "Number of the daemon's files, active and standby."),
	M(budget_max_swap_bytes, GAUGE, INT, false, max_swap,
	  "max_swap_mb as resolved (auto: twice RAM)."),
	M(budget_limit_bytes, GAUGE, INT, false, limit,
	  "The most managed swap the budget allows now (max_swap_mb, max_disk_pct, min_free_mb)."),
	M(grows_total, COUNTER, INT, false, grows,
	  "Swap added: a standby chunk activated or a new file."),
	M(shrinks_total, COUNTER, INT, false, shrinks, "Managed swapfiles given back."),
	M(refusals_total, COUNTER, INT, false, refusals,
	  "Grows and releases refused (budget, disk, memory)."),
	M(action_runs_total, COUNTER, INT, false, action_runs,
	  "Runs of action_command (restart instead of thrash)."),
	M(events_received_total, COUNTER, INT, false, events_received,
	  "Pressure events received (module events or PSI triggers)."),
	M(events_missed_total, COUNTER, INT, false, events_missed,
	  "Module events lost on the way to the daemon (sequence gaps)."),
	M(last_grow_latency_seconds, GAUGE, SECONDS_US, false, last_grow_latency_us,
	  "The last grow: event timestamp to swapon done."),
	M(oom_kills_total, COUNTER, INT, false, oom_kills,
	  "OOM kills as the kernel counts them (oom_kill in /proc/vmstat)."),
	M(module_enabled, GAUGE, INT, true, module_enabled, "The module's enabled knob."),
	M(module_pressure_level, GAUGE, INT, true, module_level, "The module's level now."),
	M(module_events_sent_total, COUNTER, INT, true, module_events_sent,
	  "Events the module multicast."),
	M(module_events_dropped_total, COUNTER, INT, true, module_events_dropped,
	  "Events whose multicast failed (a subscriber's full buffer)."),
	M(module_kswapd_wakeups_total, COUNTER, INT, true, module_kswapd_wakeups,
	  "mm_vmscan_wakeup_kswapd seen by the module."),
	M(module_direct_reclaims_total, COUNTER, INT, true, module_direct_reclaims,
	  "mm_vmscan_direct_reclaim_begin seen by the module."),
	M(module_oom_kills_total, COUNTER, INT, true, module_oom_kills,
	  "OOM notifier calls: the OOM killer about to act."),
	M(module_samples_total, COUNTER, INT, true, module_samples,
	  "Samples of available memory the module took."),
	M(module_shrinker_calls_total, COUNTER, INT, true, module_shrinker_calls,
	  "Global reclaim passes seen by the module's shrinker."),
};

/* A label value: backslash, double quote and newline escaped. */
static void put_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* An _info metric: labels as name/value pairs, NULL-terminated. */
static void info(FILE *f, struct asj *j, const char *name, const char *help,
		 const char *const *labels)
{
	if (j) {
		asj_object(j, name);
		for (int i = 0; labels[i]; i += 2)
			asj_string(j, labels[i], labels[i + 1]);
		asj_end(j);
		return;
	}
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s{", name, help, name, name);
	for (int i = 0; labels[i]; i += 2) {
		fprintf(f, "%s%s=", i ? "," : "", labels[i]);
		put_label(f, labels[i + 1]);
	}
	fputs("} 1\n", f);
}

static void one(FILE *f, struct asj *j, const struct mdef *m, uint64_t v)
{
	double s = (double)v / 1e6;

	if (j) {
		if (m->form == SECONDS_US)
			asj_double(j, m->name, s, 6);
		else
			asj_u64(j, m->name, v);
		return;
	}
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
		m->type == COUNTER ? "counter" : "gauge");
	if (m->form == SECONDS_US)
		fprintf(f, "%s %.6f\n", m->name, s);
	else
		fprintf(f, "%s %" PRIu64 "\n", m->name, v);
}

void asd_metrics_write(const struct asd_metrics *m, FILE *f, bool json)
{
	const char *dinfo[] = { "version", m->version ? m->version : "",
				"source", m->source ? m->source : "", NULL };
	const char *minfo[] = { "version", m->module_version, NULL };
	struct asj jbuf, *j = NULL;

	if (json) {
		j = &jbuf;
		asj_begin(j, f);
		asj_object(j, NULL);
	}
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		const struct mdef *d = &defs[i];

		if (d->module && !m->module)
			continue;
		if (d->module && !defs[i - 1].module)
			info(f, j, "adaptswap_module_info",
			     "Always 1: the loaded module's version.", minfo);
		one(f, j, d, *(const uint64_t *)((const char *)m + d->off));
		if (i == 0)
			info(f, j, "adaptswap_daemon_info",
			     "Always 1: the daemon's version and the source of its pressure signal.",
			     dinfo);
	}
	if (j)
		asj_end(j);
}

void asd_metrics_write_down(FILE *f)
{
	one(f, NULL, &defs[0], 0);
}
