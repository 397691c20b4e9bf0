// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapctl's commands for the module alone: events (subscribe and
 * print) and set (knobs, all or none).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

static volatile sig_atomic_t stop;	/* SIGINT, SIGTERM: stop listening */

static int open_module(const struct ctl *c, struct adaptswap **as)
{
	int err = adaptswap_open(as);

	if (err < 0) {
		say_err(c, "%s", adaptswap_errmsg(*as));
		adaptswap_close(*as);
		*as = NULL;
		return err == -ENOENT ? EXIT_NOMODULE : exit_for(err);
	}
	return EXIT_OK;
}

struct ev_state {
	bool json;
	int left;		/* events still to print, -1 forever */
};

static void event_json(const struct adaptswap_event *ev)
{
	char key[32];
	struct asj j;

	asj_begin(&j, stdout);
	asj_object(&j, NULL);
	asj_u64(&j, "seq", ev->seq);
	asj_string(&j, "type", adaptswap_event_type_name(ev->type));
	asj_string(&j, "level", adaptswap_level_name(ev->level));
	asj_string(&j, "prev_level", adaptswap_level_name(ev->prev_level));
	asj_string(&j, "cause", adaptswap_cause_name(ev->cause));
	asj_u64(&j, "timestamp_ns", ev->timestamp_ns);
	asj_u64(&j, "received_ns", ev->received_ns);
	asj_u64(&j, "mem_total_kb", ev->mem_total_kb);
	asj_u64(&j, "mem_avail_kb", ev->mem_avail_kb);
	asj_u64(&j, "swap_free_kb", ev->swap_free_kb);
	for (int i = 0; i < ADAPTSWAP_NR_RATES; i++) {
		snprintf(key, sizeof(key), "%s_rate", adaptswap_rate_name(i));
		asj_u64(&j, key, ev->rates[i]);
	}
	if (ev->type == ADAPTSWAP_EVENT_OOM) {
		asj_u64(&j, "oom_kills", ev->oom_kills);
		if (ev->oom_victim_pid >= 0) {
			asj_i64(&j, "oom_victim_pid", ev->oom_victim_pid);
			asj_string(&j, "oom_victim_comm", ev->oom_victim_comm);
		}
	}
	asj_end(&j);
}

static int on_event(const struct adaptswap_event *ev, void *arg)
{
	struct ev_state *s = arg;

	if (ev->missed)
		fprintf(stderr, "%s: %" PRIu64 " event(s) missed before seq %" PRIu64 "\n",
			PROG, ev->missed, ev->seq);
	if (s->json) {
		event_json(ev);
	} else if (ev->type == ADAPTSWAP_EVENT_OOM) {
		printf("%.3f seq=%" PRIu64 " %-6s level=%s oom_kills=%" PRIu64,
		       (double)ev->timestamp_ns / 1e9, ev->seq,
		       adaptswap_event_type_name(ev->type), adaptswap_level_name(ev->level),
		       ev->oom_kills);
		if (ev->oom_victim_pid >= 0) {
			printf(" victim=%d (", ev->oom_victim_pid);
			for (const char *p = ev->oom_victim_comm; *p; p++)
				putchar(*p >= 0x20 && *p != 0x7f ? *p : '?');
			printf(")");
		}
		printf(" avail=%.1fMiB swapfree=%.1fMiB\n", (double)ev->mem_avail_kb / 1024,
		       (double)ev->swap_free_kb / 1024);
	} else {
		printf("%.3f seq=%" PRIu64 " %-6s %s -> %s cause=%s avail=%.1fMiB swapfree=%.1fMiB"
		       " scan=%" PRIu64 "/s swapin=%" PRIu64 "/s swapout=%" PRIu64 "/s\n",
		       (double)ev->timestamp_ns / 1e9, ev->seq,
		       adaptswap_event_type_name(ev->type), adaptswap_level_name(ev->prev_level),
		       adaptswap_level_name(ev->level), adaptswap_cause_name(ev->cause),
		       (double)ev->mem_avail_kb / 1024, (double)ev->swap_free_kb / 1024,
		       ev->rates[ADAPTSWAP_RATE_SCAN], ev->rates[ADAPTSWAP_RATE_SWAPIN],
		       ev->rates[ADAPTSWAP_RATE_SWAPOUT]);
	}
	fflush(stdout);
	if (s->left > 0 && --s->left == 0)
		return 1;
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the next events until the deadline (0: none); 1 ready, 0 not, -1 error. */
static int wait_events(const struct ctl *c, int fd, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int wait = -1, n;

	if (deadline) {
		int64_t left = deadline - mono_ms();

		if (left <= 0)
			return 0;
		wait = (int)left;
	}
	n = poll(&p, 1, wait);
	if (n < 0 && errno != EINTR) {
		say_err(c, "poll: %s", strerror(errno));
		return -1;
	}
	return n > 0;
}

const char events_help[] =
	"Print one line per event of the module until interrupted, until N events\n"
	"(-c, --count N, 1..86400000) or until the timeout (-t MS).  Reaching the\n"
	"timeout before N events is a failure.  No privilege needed.";

int cmd_events(const struct ctl *c, int argc, char **argv)
{
	struct ev_state s = { .json = c->json, .left = c->count ? c->count : -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	int64_t deadline = c->timeout_ms ? mono_ms() + c->timeout_ms : 0;
	struct adaptswap *as;
	int rc;

	if (argc > 1)
		return usage_err(c->cmd, "unexpected argument '%s'", argv[1]);
	rc = open_module(c, &as);
	if (rc)
		return rc;
	if (adaptswap_subscribe(as) < 0 || adaptswap_set_nonblocking(as, 1) < 0) {
		say_err(c, "%s", adaptswap_errmsg(as));
		adaptswap_close(as);
		return EXIT_FAIL;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Tell a script that waits for us that we are subscribed. */
	fprintf(stderr, "%s: listening for events\n", PROG);
	while (!stop && s.left != 0) {
		int n = wait_events(c, adaptswap_event_fd(as), deadline);

		if (n < 0) {
			rc = EXIT_FAIL;
			break;
		}
		if (n == 0) {		/* the timeout, or a signal */
			if (deadline && mono_ms() >= deadline)
				break;
			continue;
		}
		n = adaptswap_dispatch(as, on_event, &s);
		if (n == -ENOBUFS) {
			fprintf(stderr, "%s: %s\n", PROG, adaptswap_errmsg(as));
		} else if (n < 0 && n != -EAGAIN && n != -EINTR) {
			say_err(c, "%s", adaptswap_errmsg(as));
			rc = EXIT_FAIL;
			break;
		}
	}
	adaptswap_close(as);
	/* --count not reached before --timeout: the caller wanted events. */
	if (rc == EXIT_OK && c->count && s.left > 0) {
		say_err(c, "timed out with %d of %d event(s)", c->count - s.left, c->count);
		rc = EXIT_FAIL;
	}
	return rc;
}

const char set_help[] =
	"Change the module's knobs, all or none: the kernel validates them together.\n"
	"A knob given twice is a usage error.  Needs CAP_NET_ADMIN\n"
	"and CAP_SYS_ADMIN.  Prints nothing.";

int cmd_set(const struct ctl *c, int argc, char **argv)
{
	struct adaptswap_setting s[ADAPTSWAP_NR_KNOBS];
	int seen[ADAPTSWAP_NR_KNOBS] = { 0 };
	struct adaptswap *as;
	size_t n = 0;
	char err[160];
	int rc;

	if (argc < 2)
		return usage_err(c->cmd, "expected KEY=VALUE...");
	for (int i = 1; i < argc; i++) {
		struct adaptswap_setting one;

		if (adaptswap_setting_parse(argv[i], &one, err, sizeof(err)) < 0)
			return usage_err(c->cmd, "%s", err);
		if (seen[one.knob]++)
			return usage_err(c->cmd, "%s given twice", adaptswap_knob_name(one.knob));
		s[n++] = one;
	}
	rc = open_module(c, &as);
	if (rc)
		return rc;
	rc = adaptswap_set(as, s, n);
	if (rc < 0)
		say_err(c, "%s", adaptswap_errmsg(as));
	adaptswap_close(as);
	return rc < 0 ? exit_for(rc) : EXIT_OK;
}

