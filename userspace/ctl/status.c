// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapctl status: the module's part (netlink GET) and the daemon's
 * (its status or status-json), either of which may be missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static void module_json(struct asj *j, const struct adaptswap_status *st)
{
	asj_object(j, "module");
	asj_string(j, "version", st->version);
	asj_string(j, "level", adaptswap_level_name(st->level));
	asj_u64(j, "seq", st->seq);
	asj_u64(j, "timestamp_ns", st->timestamp_ns);
	asj_u64(j, "mem_total_kb", st->mem_total_kb);
	asj_u64(j, "mem_avail_kb", st->mem_avail_kb);
	asj_u64(j, "swap_free_kb", st->swap_free_kb);
	asj_object(j, "rates");
	for (int i = 0; i < ADAPTSWAP_NR_RATES; i++)
		asj_u64(j, adaptswap_rate_name(i), st->rates[i]);
	asj_end(j);
	asj_object(j, "knobs");
	for (int i = 0; i < ADAPTSWAP_NR_KNOBS; i++)
		asj_u64(j, adaptswap_knob_name(i), st->knobs[i]);
	asj_end(j);
	asj_object(j, "counters");
	for (int i = 0; i < ADAPTSWAP_NR_COUNTERS; i++)
		asj_u64(j, adaptswap_counter_name(i), st->counters[i]);
	asj_end(j);
	asj_end(j);
}

static void module_human(const struct adaptswap_status *st)
{
	double total = (double)st->mem_total_kb / 1024, avail = (double)st->mem_avail_kb / 1024;

	printf("module:    adaptswap %s\n", st->version);
	printf("level:     %s\n", adaptswap_level_name(st->level));
	printf("memory:    %.1f MiB available of %.1f MiB (%.0f%%)\n", avail, total,
	       total > 0 ? 100.0 * avail / total : 0.0);
	printf("swap free: %.1f MiB\n", (double)st->swap_free_kb / 1024);
	printf("events:    last seq %" PRIu64 "\n", st->seq);
	printf("rates/s:  ");
	for (int i = 0; i < ADAPTSWAP_NR_RATES; i++)
		printf(" %s=%" PRIu64, adaptswap_rate_name(i), st->rates[i]);
	printf("\nknobs:    ");
	for (int i = 0; i < ADAPTSWAP_NR_KNOBS; i++)
		printf(" %s=%" PRIu32, adaptswap_knob_name(i), st->knobs[i]);
	printf("\ncounters: ");
	for (int i = 0; i < ADAPTSWAP_NR_COUNTERS; i++)
		printf(" %s=%" PRIu64, adaptswap_counter_name(i), st->counters[i]);
	printf("\n");
}

const char status_help[] =
	"Show the module's level, memory, rates, knobs and counters, and adaptswapd's source,\n"
	"level, swap, budget, swappiness, files and last decisions.  Either part may be\n"
	"missing.  No privilege needed.  -j: {\"module\":{...}|null,\"daemon\":{...}|null}.";

/*
 * The module's part and the daemon's; either may be missing.  Exit 3
 * when both are; a daemon that is there but does not answer (or not to
 * us) fails the command after the module's part was printed.
 */
int cmd_status(const struct ctl *c, int argc, char **argv)
{
	struct adaptswap_daemon *ad = NULL;
	struct adaptswap_status st;
	struct adaptswap *as = NULL;
	const char *body = NULL;
	int have_mod = 0, r, rc = EXIT_OK;

	if (argc > 1)
		return usage_err(c->cmd, "unexpected argument '%s'", argv[1]);
	/* status never loads the module as a side effect */
	if (adaptswap_loaded() && adaptswap_open(&as) == 0) {
		if (adaptswap_get(as, &st) < 0) {
			say_err(c, "%s", adaptswap_errmsg(as));
			adaptswap_close(as);
			return EXIT_FAIL;
		}
		have_mod = 1;
	}
	adaptswap_close(as);
	r = adaptswap_daemon_open(&ad, NULL, c->timeout_ms ? c->timeout_ms : READ_TIMEOUT_MS);
	if (r == 0)
		r = adaptswap_daemon_ask(ad, c->json ? "status-json" : "status", &body);
	if (r == -ENOENT || r == -ECONNREFUSED) {
		body = NULL;	/* not running: not an error while the module is there */
	} else if (r < 0) {
		say_err(c, "%s", adaptswap_daemon_errmsg(ad));
		rc = exit_for(r);
	} else if (c->json && !json_ok(c, body)) {
		body = NULL;
		rc = EXIT_FAIL;
	}
	if (!have_mod && !body) {
		if (rc == EXIT_OK) {
			say_err(c, "the adaptswap module is not loaded and adaptswapd is not running");
			rc = EXIT_NOMODULE;
		}
		adaptswap_daemon_close(ad);
		return rc;
	}
	if (c->json) {
		struct asj j;

		asj_begin(&j, stdout);
		asj_object(&j, NULL);
		if (have_mod)
			module_json(&j, &st);
		else
			asj_null(&j, "module");
		if (body)
			asj_raw(&j, "daemon", body, strlen(body));
		else
			asj_null(&j, "daemon");
		asj_end(&j);
	} else {
		if (have_mod)
			module_human(&st);
		else
			printf("module:    not loaded\n");
		printf("\n");
		if (body)
			fputs(body, stdout);
		else
			printf("adaptswapd: %s\n", rc == EXIT_OK ? "not running" : "no answer");
	}
	adaptswap_daemon_close(ad);
	r = flush_stdout(c);
	return rc ? rc : r;
}

