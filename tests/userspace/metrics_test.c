// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of adaptswapd's metrics writer (userspace/daemon/metrics.c)
 * on recorded figures.  With an argument it prints instead, for
 * tests/userspace/metrics.bats (promtool check metrics, doc/metrics.md):
 *	metrics_test print [nomodule]	the Prometheus text
 *	metrics_test json [nomodule]	the JSON object
 *	metrics_test down		what a stopped daemon leaves
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asd.h"
#include "json.h"
#include "tap.h"

/* Figures recorded from a 1 GiB guest after a grow, module loaded. */
static void recorded(struct asd_metrics *m, bool module)
{
	*m = (struct asd_metrics){
		.version = "0.1.0 (g1234567-dirty)", .source = "module", .up = 1,
		.start_time_s = 1796112000, .module_in_use = 1, .level = 1, .held = 0,
		.swappiness = 60, .mem_total = 1003925504, .mem_avail = 187170816,
		.swap_total = 536870912, .swap_free = 402653184,
		.managed_total = 536870912, .managed_used = 134217728,
		.managed_disk = 805306368, .managed_files = 2,
		.max_swap = 1610612736, .limit = 1610612736,
		.grows = 3, .shrinks = 1, .refusals = 0, .action_runs = 0,
		.events_received = 17, .events_missed = 2,
		.last_grow_latency_us = 1234, .oom_kills = 0,
	};
	if (!module)
		return;
	m->module = true;
	snprintf(m->module_version, sizeof(m->module_version), "0.1.0");
	m->module_enabled = 1;
	m->module_level = 1;
	m->module_events_sent = 19;
	m->module_events_dropped = 0;
	m->module_kswapd_wakeups = 4211;
	m->module_direct_reclaims = 37;
	m->module_oom_kills = 0;
	m->module_samples = 90122;
	m->module_shrinker_calls = 812;
}

static char *render(const struct asd_metrics *m, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	asd_metrics_write(m, f, json);
	fclose(f);
	return buf;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static int count(const char *text, const char *s)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

static void test_text(void)
{
	struct asd_metrics m;
	char *t;

	recorded(&m, true);
	t = render(&m, false);
	ok(has_line(t, "adaptswap_daemon_up 1"), "daemon_up 1 while running");
	ok(has_line(t, "# TYPE adaptswap_daemon_up gauge"), "daemon_up is a gauge");
	ok(has_line(t, "adaptswap_daemon_info{version=\"0.1.0 (g1234567-dirty)\","
		    "source=\"module\"} 1"), "daemon_info with version and source");
	ok(has_line(t, "adaptswap_module_info{version=\"0.1.0\"} 1"), "module_info");
	ok(has_line(t, "# TYPE adaptswap_grows_total counter"), "grows_total a counter");
	ok(has_line(t, "adaptswap_events_received_total 17"), "events received");
	ok(has_line(t, "adaptswap_last_grow_latency_seconds 0.001234"),
	   "latency in seconds, from microseconds");
	ok(has_line(t, "adaptswap_budget_limit_bytes 1610612736"), "budget limit in bytes");
	ok(has_line(t, "adaptswap_module_kswapd_wakeups_total 4211"), "a module counter");
	is_int(count(t, "# HELP "), count(t, "# TYPE "), "one HELP per TYPE");
	is_int(count(t, "# TYPE "), 35, "35 metrics with the module");
	ok(!strstr(t, "adaptswap_level ") && !strstr(t, "adaptswap_source_module") &&
	   !strstr(t, "adaptswap_events_total"), "none of the old names");
	free(t);

	recorded(&m, false);
	t = render(&m, false);
	is_int(count(t, "adaptswap_module_"), count(t, "adaptswap_module_in_use"),
	       "no module figures without the module");
	ok(has_line(t, "adaptswap_module_in_use 1"), "module_in_use is the daemon's, always there");
	is_int(count(t, "# TYPE "), 25, "25 metrics without the module");
	free(t);
}

static void test_labels(void)
{
	struct asd_metrics m;
	char *t;

	recorded(&m, false);
	m.version = "a\"b\\c\nd";
	t = render(&m, false);
	ok(strstr(t, "{version=\"a\\\"b\\\\c\\nd\",source=\"module\"} 1\n") != NULL,
	   "label values escaped: quote, backslash, newline");
	free(t);
}

static void test_json(void)
{
	struct asd_metrics m;
	const char *why;
	size_t where;
	char *t;

	recorded(&m, true);
	t = render(&m, true);
	ok(asj_check(t, strlen(t), &where, &why) == 0, "JSON is valid");
	ok(strstr(t, "\"adaptswap_daemon_info\":{\"version\":\"0.1.0 (g1234567-dirty)\","
		  "\"source\":\"module\"}") != NULL, "info as the object of its labels");
	ok(strstr(t, "\"adaptswap_last_grow_latency_seconds\":0.001234") != NULL,
	   "seconds in JSON");
	ok(strstr(t, "\"adaptswap_grows_total\":3") != NULL, "a counter in JSON");
	free(t);
}

static void test_down(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	asd_metrics_write_down(f);
	fclose(f);
	ok(!strcmp(buf, "# HELP adaptswap_daemon_up 1 while adaptswapd runs; 0 in the "
		   "textfile left when it stopped.\n# TYPE adaptswap_daemon_up gauge\n"
		   "adaptswap_daemon_up 0\n"), "down: daemon_up 0 alone");
	free(buf);
}

int main(int argc, char **argv)
{
	struct asd_metrics m;

	if (argc > 1) {
		recorded(&m, !(argc > 2 && !strcmp(argv[2], "nomodule")));
		if (!strcmp(argv[1], "down"))
			asd_metrics_write_down(stdout);
		else
			asd_metrics_write(&m, stdout, !strcmp(argv[1], "json"));
		return 0;
	}
	test_text();
	test_labels();
	test_json();
	test_down();
	return tap_done();
}
