// SPDX-License-Identifier: GPL-2.0-or-later
/* adaptswapctl - show and drive adaptswap.  A table of commands, each a
 * small handler; data on stdout, diagnostics on stderr. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "adaptswap.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed or was refused */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOMODULE = 3,	/* adaptswap.ko is not loaded (status: nor the daemon) */
	EXIT_NODAEMON = 4,	/* adaptswapd is not running */
};

static const char *rundir(void)
{
	const char *r = getenv("ADAPTSWAP_RUNDIR");

	return r && *r ? r : "/run/adaptswap";
}

/*
 * Ask adaptswapd: one command line, the answer is "ok" or "error REASON"
 * followed by the body.  Returns the connected socket's answer in buf
 * (first line stripped into *ok), or -errno when the daemon is not there.
 */
static int daemon_ask(const char *cmd, char *buf, size_t len, int *ok)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t got = 0;
	int fd;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/adaptswapd.sock", rundir());
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(buf, len, "%s\n", cmd);	/* one write: the daemon answers at once */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    send(fd, buf, strlen(buf), MSG_NOSIGNAL) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == len - 1)
			break;
	}
	close(fd);
	buf[got] = '\0';
	*ok = !strncmp(buf, "ok\n", 3);
	if (*ok)
		memmove(buf, buf + 3, got - 2);
	else if (!strncmp(buf, "error ", 6))
		memmove(buf, buf + 6, got - 5);
	return 0;
}

static const char *prog = "adaptswapctl";
static volatile sig_atomic_t stop;

struct cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*fn)(int argc, char **argv);
};

static const struct cmd cmds[];

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--help] [--version] COMMAND [ARGS]\n\ncommands:\n", prog);
	for (const struct cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-7s %-37s %s\n", c->name, c->args, c->help);
	fprintf(f,
		"\nknobs (set, and /sys/kernel/adaptswap/):\n"
		"  enabled=0|1  low_pct medium_pct critical_pct (1..99, low > medium > critical)\n"
		"  hysteresis_pct (0..50)  sample_idle_ms (10..60000)  sample_fast_ms (1..1000)\n"
		"  event_interval_ms (10..60000)\n"
		"\nexit codes:\n"
		"  0  success\n"
		"  1  the operation failed or the kernel refused it (reason on stderr)\n"
		"  2  usage error\n"
		"  3  the adaptswap module is not loaded (status: nor adaptswapd running)\n"
		"  4  adaptswapd is not running\n"
		"\nADAPTSWAP_RUNDIR overrides /run/adaptswap (the daemon's control socket).\n");
}

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see %s --help)\n", prog);
	return EXIT_USAGE;
}

static int open_or_fail(struct adaptswap **as)
{
	int err = adaptswap_open(as);

	if (err < 0) {
		fprintf(stderr, "%s: %s\n", prog, adaptswap_errmsg(*as));
		adaptswap_close(*as);
		*as = NULL;
		return err == -ENOENT ? EXIT_NOMODULE : EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Parse the only option these commands take, --json; 0 ok, -1 error. */
static int parse_opts(int argc, char **argv, int *json, int *count, int *timeout_ms)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, count ? ":jc:t:" : ":j", lo, NULL)) != -1) {
		char *end;
		long v;

		switch (o) {
		case 'j':
			*json = 1;
			break;
		case 'c':
		case 't':
			if (!count) {
				usage_err("%s: unknown option", argv[optind - 1]);
				return -1;
			}
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 || v > 86400000) {
				fprintf(stderr, "%s: --%s: '%s' is not a positive number\n", prog,
					o == 'c' ? "count" : "timeout", optarg);
				return -1;
			}
			if (o == 'c')
				*count = (int)v;
			else
				*timeout_ms = (int)v;
			break;
		case ':':
			usage_err("option '%s' needs an argument", argv[optind - 1]);
			return -1;
		default:
			usage_err("%s: unknown option", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		usage_err("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

static void print_status_json(const struct adaptswap_status *st)
{
	printf("{\"version\":\"%s\",\"level\":\"%s\",\"seq\":%" PRIu64
	       ",\"timestamp_ns\":%" PRIu64 ",\"mem_total_kb\":%" PRIu64
	       ",\"mem_avail_kb\":%" PRIu64 ",\"swap_free_kb\":%" PRIu64,
	       st->version, adaptswap_level_name(st->level), st->seq, st->timestamp_ns,
	       st->mem_total_kb, st->mem_avail_kb, st->swap_free_kb);
	printf(",\"rates\":{");
	for (int i = 0; i < ADAPTSWAP_NR_RATES; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", adaptswap_rate_name(i), st->rates[i]);
	printf("},\"knobs\":{");
	for (int i = 0; i < ADAPTSWAP_NR_KNOBS; i++)
		printf("%s\"%s\":%" PRIu32, i ? "," : "", adaptswap_knob_name(i), st->knobs[i]);
	printf("},\"counters\":{");
	for (int i = 0; i < ADAPTSWAP_NR_COUNTERS; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", adaptswap_counter_name(i),
		       st->counters[i]);
	printf("}}");
}

static void print_status_human(const struct adaptswap_status *st)
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

static int cmd_status(int argc, char **argv)
{
	static char dbuf[65536];
	struct adaptswap_status st;
	struct adaptswap *as = NULL;
	int json = 0, have_mod = 0, have_d = 0, ok = 0;

	if (parse_opts(argc, argv, &json, NULL, NULL))
		return EXIT_USAGE;
	/* status never loads the module as a side effect */
	if (adaptswap_loaded() && adaptswap_open(&as) == 0) {
		if (adaptswap_get(as, &st) < 0) {
			fprintf(stderr, "%s: status: %s\n", prog, adaptswap_errmsg(as));
			adaptswap_close(as);
			return EXIT_FAIL;
		}
		have_mod = 1;
	}
	adaptswap_close(as);
	if (daemon_ask(json ? "status-json" : "status", dbuf, sizeof(dbuf), &ok) == 0 && ok)
		have_d = 1;
	if (!have_mod && !have_d) {
		fprintf(stderr, "%s: the adaptswap module is not loaded and adaptswapd is not running\n",
			prog);
		return EXIT_NOMODULE;
	}
	if (json) {
		printf("{\"module\":");
		if (have_mod)
			print_status_json(&st);
		else
			printf("null\n");
		printf(",\"daemon\":%s}\n", have_d ? strtok(dbuf, "\n") : "null");
	} else {
		if (have_mod)
			print_status_human(&st);
		else
			printf("module:    not loaded\n");
		printf("\n");
		if (have_d)
			fputs(dbuf, stdout);
		else
			printf("adaptswapd: not running\n");
	}
	return fflush(stdout) ? EXIT_FAIL : EXIT_OK;
}

/* grow, shrink, release, hold, resume, reload, metrics: the daemon's commands */
static int cmd_daemon(int argc, char **argv)
{
	static char buf[65536];
	int ok = 0, r;

	if (argc > 1)
		return usage_err("unexpected argument '%s'", argv[1]);
	r = daemon_ask(argv[0], buf, sizeof(buf), &ok);
	if (r < 0) {
		fprintf(stderr, "%s: adaptswapd is not running (%s/adaptswapd.sock: %s)\n",
			prog, rundir(), strerror(-r));
		return EXIT_NODAEMON;
	}
	if (!ok) {
		fprintf(stderr, "%s: %s: %s", prog, argv[0], buf[0] ? buf : "no answer\n");
		return EXIT_FAIL;
	}
	fputs(buf, stdout);
	return fflush(stdout) ? EXIT_FAIL : EXIT_OK;
}

struct ev_state {
	int json;
	int left;		/* events still to print, -1 forever */
	uint64_t last_seq;
};

static int on_event(const struct adaptswap_event *ev, void *arg)
{
	struct ev_state *s = arg;
	uint64_t lost = s->last_seq && ev->seq > s->last_seq + 1 ? ev->seq - s->last_seq - 1 : 0;

	if (lost)
		fprintf(stderr, "%s: %" PRIu64 " event(s) missed before seq %" PRIu64 "\n",
			prog, lost, ev->seq);
	s->last_seq = ev->seq;
	if (s->json) {
		printf("{\"seq\":%" PRIu64 ",\"type\":\"%s\",\"level\":\"%s\",\"prev_level\":\"%s\""
		       ",\"cause\":\"%s\",\"timestamp_ns\":%" PRIu64 ",\"received_ns\":%" PRIu64
		       ",\"mem_total_kb\":%" PRIu64 ",\"mem_avail_kb\":%" PRIu64
		       ",\"swap_free_kb\":%" PRIu64,
		       ev->seq, adaptswap_event_type_name(ev->type), adaptswap_level_name(ev->level),
		       adaptswap_level_name(ev->prev_level), adaptswap_cause_name(ev->cause),
		       ev->timestamp_ns, ev->received_ns, ev->mem_total_kb, ev->mem_avail_kb,
		       ev->swap_free_kb);
		for (int i = 0; i < ADAPTSWAP_NR_RATES; i++)
			printf(",\"%s_rate\":%" PRIu64, adaptswap_rate_name(i), ev->rates[i]);
		printf("}\n");
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

static int cmd_events(int argc, char **argv)
{
	struct ev_state s = { .left = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct adaptswap *as;
	int count = 0, timeout_ms = 0, rc;
	int64_t deadline;

	if (parse_opts(argc, argv, &s.json, &count, &timeout_ms))
		return EXIT_USAGE;
	if (count)
		s.left = count;
	rc = open_or_fail(&as);
	if (rc)
		return rc;
	if (adaptswap_subscribe(as) < 0 || adaptswap_set_nonblocking(as, 1) < 0) {
		fprintf(stderr, "%s: events: %s\n", prog, adaptswap_errmsg(as));
		adaptswap_close(as);
		return EXIT_FAIL;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Tell a script that waits for us that we are subscribed. */
	fprintf(stderr, "%s: listening for events\n", prog);
	deadline = timeout_ms ? mono_ms() + timeout_ms : 0;
	rc = EXIT_OK;
	while (!stop && s.left != 0) {
		struct pollfd p = { .fd = adaptswap_event_fd(as), .events = POLLIN };
		int wait = -1, n;

		if (deadline) {
			int64_t left = deadline - mono_ms();

			if (left <= 0)
				break;
			wait = (int)left;
		}
		n = poll(&p, 1, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("adaptswapctl: poll");
			rc = EXIT_FAIL;
			break;
		}
		if (n == 0)
			continue;
		n = adaptswap_dispatch(as, on_event, &s);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n == -ENOBUFS) {
			fprintf(stderr, "%s: %s\n", prog, adaptswap_errmsg(as));
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "%s: events: %s\n", prog, adaptswap_errmsg(as));
			rc = EXIT_FAIL;
			break;
		}
	}
	adaptswap_close(as);
	/* --count not reached before --timeout: the caller wanted events. */
	if (rc == EXIT_OK && count && s.left > 0) {
		fprintf(stderr, "%s: timed out with %d of %d event(s)\n", prog,
			count - s.left, count);
		rc = EXIT_FAIL;
	}
	return rc;
}

static int cmd_set(int argc, char **argv)
{
	struct adaptswap_setting s[ADAPTSWAP_NR_KNOBS];
	int seen[ADAPTSWAP_NR_KNOBS] = { 0 };
	struct adaptswap *as;
	size_t n = 0;
	char err[160];
	int rc;

	if (argc < 2)
		return usage_err("%s: expected KEY=VALUE...", "set");
	for (int i = 1; i < argc; i++) {
		struct adaptswap_setting one;

		if (adaptswap_setting_parse(argv[i], &one, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: set: %s\n", prog, err);
			return EXIT_USAGE;
		}
		if (seen[one.knob]++) {
			fprintf(stderr, "%s: set: %s given twice\n", prog,
				adaptswap_knob_name(one.knob));
			return EXIT_USAGE;
		}
		s[n++] = one;
	}
	rc = open_or_fail(&as);
	if (rc)
		return rc;
	if (adaptswap_set(as, s, n) < 0) {
		fprintf(stderr, "%s: set: %s\n", prog, adaptswap_errmsg(as));
		adaptswap_close(as);
		return EXIT_FAIL;
	}
	adaptswap_close(as);
	return EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "status", "[--json]", "the module's level and knobs, the daemon's swap", cmd_status },
	{ "events", "[--json] [--count N] [--timeout MS]",
	  "stream events (one JSON object per line with --json)", cmd_events },
	{ "set", "KEY=VALUE...", "change knobs, all or none (needs CAP_NET_ADMIN)", cmd_set },
	{ "grow", "", "add one chunk of swap now (budget permitting; root)", cmd_daemon },
	{ "shrink", "", "release the least-used file now, if memory allows (root)", cmd_daemon },
	{ "release", "", "all managed swap off and deleted, growth on hold (root)", cmd_daemon },
	{ "hold", "", "stop growing (root)", cmd_daemon },
	{ "resume", "", "allow growing again (root)", cmd_daemon },
	{ "reload", "", "re-read adaptswapd's configuration, all or nothing (root)",
	  cmd_daemon },
	{ "metrics", "", "Prometheus text format", cmd_daemon },
	{ NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("adaptswapctl %s\n", adaptswap_lib_version());
		return EXIT_OK;
	}
	for (const struct cmd *c = cmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return usage_err("unknown option '%s'", argv[1]);
	return usage_err("unknown command '%s'", argv[1]);
}
