// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapctl - show and drive adaptswap.  A table of commands, each a
 * small handler; global options anywhere on the line; data on stdout
 * (JSON with -j, one object per line), diagnostics on stderr, each said
 * once as "adaptswapctl: COMMAND: reason".  The module is reached through
 * libadaptswap's netlink client, adaptswapd through its control socket
 * client (adaptswap_daemon_*), JSON through lib/json.h.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adaptswap.h"
#include "json.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed or was refused */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOMODULE = 3,	/* adaptswap.ko is not loaded (status: nor the daemon) */
	EXIT_NODAEMON = 4,	/* adaptswapd is not running */
	EXIT_DENIED = 5,	/* permission denied */
	EXIT_TIMEOUT = 6,	/* adaptswapd did not answer in time */
};

#define PROG		"adaptswapctl"
#define MAX_MS		86400000

struct cmd;

/* The command line, parsed. */
struct ctl {
	const struct cmd *cmd;
	bool json;
	int timeout_ms;		/* -t: 0 when not given */
	int count;		/* events --count: 0 when not given */
};

struct cmd {
	const char *name;
	const char *args;	/* after the name on the usage line */
	const char *help;	/* one line for the list */
	const char *more;	/* the command's own --help */
	int (*fn)(const struct ctl *c, int argc, char **argv);
};

static const struct cmd cmds[];
static volatile sig_atomic_t stop;

static const char global_help[] =
	"options (before or after the command):\n"
	"  -j, --json         JSON on stdout, one object per line\n"
	"  -t, --timeout MS   wait at most MS milliseconds (1..86400000): for adaptswapd's\n"
	"                     answer (default 10000), for events (default: no limit)\n"
	"  -h, --help         this text; after a command, the command's help\n"
	"  -V, --version      print the version\n";

static const char exit_help[] =
	"exit codes:\n"
	"  0  success\n"
	"  1  the operation failed, or the kernel or adaptswapd refused it (reason on stderr)\n"
	"  2  usage error\n"
	"  3  the adaptswap module is not loaded (status: nor is adaptswapd running)\n"
	"  4  adaptswapd is not running\n"
	"  5  permission denied (the command needs root or CAP_NET_ADMIN)\n"
	"  6  adaptswapd did not answer within the timeout\n";

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [OPTIONS] COMMAND [ARGS]\n\ncommands:\n", PROG);
	for (const struct cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-7s %-14s %s\n", c->name, c->args, c->help);
	fprintf(f, "\n%s", global_help);
	fprintf(f,
		"\nknobs (set, and /sys/kernel/adaptswap/):\n"
		"  enabled=0|1  low_pct medium_pct critical_pct (1..99, low > medium > critical)\n"
		"  hysteresis_pct (0..50)  sample_idle_ms (10..60000)  sample_fast_ms (1..1000)\n"
		"  event_interval_ms (10..60000)\n"
		"\n%s"
		"\nADAPTSWAP_RUNDIR overrides /run/adaptswap (the daemon's control socket).\n"
		"See adaptswapctl(8).\n", exit_help);
}

static void cmd_usage(const struct cmd *c)
{
	printf("usage: %s [OPTIONS] %s%s%s\n\n%s\n\n%s\n%s", PROG, c->name, *c->args ? " " : "",
	       c->args, c->more, global_help, exit_help);
}

__attribute__((format(printf, 2, 3)))
static int usage_err(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	if (c)
		fprintf(stderr, "%s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s %s%s--help)\n", PROG, c ? c->name : "", c ? " " : "");
	return EXIT_USAGE;
}

__attribute__((format(printf, 2, 3)))
static void say_err(const struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", PROG, c->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The exit code for a failure of the kernel or the daemon. */
static int exit_for(int err)
{
	switch (err) {
	case -EACCES:
	case -EPERM:
		return EXIT_DENIED;
	case -ENOENT:
	case -ECONNREFUSED:
		return EXIT_NODAEMON;
	case -ETIMEDOUT:
		return EXIT_TIMEOUT;
	default:
		return EXIT_FAIL;
	}
}

static int flush_stdout(const struct ctl *c)
{
	if (fflush(stdout) == 0)
		return EXIT_OK;
	say_err(c, "writing the output: %s", strerror(errno));
	return EXIT_FAIL;
}

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

/*
 * Ask adaptswapd one request; *body is its answer (valid until *ad is
 * closed).  0, or the exit code after saying why on stderr.
 */
static int ask_daemon(const struct ctl *c, const char *req, struct adaptswap_daemon **ad,
		      const char **body)
{
	int r = adaptswap_daemon_open(ad, NULL, c->timeout_ms);

	if (r == 0)
		r = adaptswap_daemon_ask(*ad, req, body);
	if (r == 0)
		return 0;
	say_err(c, "%s", adaptswap_daemon_errmsg(*ad));
	return exit_for(r);
}

/* Is the daemon's JSON answer one valid value?  Else say so. */
static bool json_ok(const struct ctl *c, const char *text)
{
	const char *why;
	size_t at;

	if (asj_check(text, strlen(text), &at, &why) == 0)
		return true;
	say_err(c, "adaptswapd sent malformed JSON (byte %zu: %s)", at, why);
	return false;
}

/* ---- status ------------------------------------------------------------ */

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

static const char status_help[] =
	"Show the module's level, memory, rates, knobs and counters, and adaptswapd's source,\n"
	"level, swap, budget, swappiness, files and last decisions.  Either part may be\n"
	"missing.  No privilege needed.  -j: {\"module\":{...}|null,\"daemon\":{...}|null}.";

/*
 * The module's part and the daemon's; either may be missing.  Exit 3
 * when both are; a daemon that is there but does not answer (or not to
 * us) fails the command after the module's part was printed.
 */
static int cmd_status(const struct ctl *c, int argc, char **argv)
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
	r = adaptswap_daemon_open(&ad, NULL, c->timeout_ms);
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

/* ---- the daemon's commands ------------------------------------------------ */

static const char grow_help[] =
	"Add one chunk of swap now, as if pressure had reached grow_level, budget\n"
	"permitting; print adaptswapd's decision.  Needs root.";

static const char shrink_help[] =
	"Start the swapoff of the least-used managed file now, without waiting for\n"
	"the quiet period, if memory allows; print the decision.  Needs root.";

static const char release_help[] =
	"Switch off and delete all managed swap, then hold growth until 'resume'.\n"
	"Refused when memory cannot take the swapped pages back.  Needs root.";

static const char hold_help[] = "Stop growing (until 'resume').  Needs root.";

static const char resume_help[] = "Allow growing again.  Needs root.";

static const char reload_help[] =
	"Make adaptswapd read its configuration file again and print the verdict:\n"
	"applied, or refused with the file's first error (exit 1, the running\n"
	"configuration is kept).  Needs root.";

static const char metrics_help[] =
	"Print adaptswapd's figures in the Prometheus text format; -j: one JSON\n"
	"object of the same names and values.  No privilege needed.";

/* -j: {"command":NAME,"ok":true,"message":ANSWER} */
static void answer_json(const struct ctl *c, const char *body)
{
	size_t n = strlen(body);
	char *msg = strndup(body, n && body[n - 1] == '\n' ? n - 1 : n);
	struct asj j;

	asj_begin(&j, stdout);
	asj_object(&j, NULL);
	asj_string(&j, "command", c->cmd->name);
	asj_bool(&j, "ok", true);
	asj_string(&j, "message", msg ? msg : body);
	asj_end(&j);
	free(msg);
}

/*
 * grow, shrink, release, hold, resume, reload: the answer, or the reason
 * why not; metrics: the figures (-j: the daemon's JSON, checked).
 */
static int cmd_daemon(const struct ctl *c, int argc, char **argv)
{
	bool metrics = !strcmp(c->cmd->name, "metrics");
	struct adaptswap_daemon *ad = NULL;
	const char *body;
	char req[32];
	int rc;

	if (argc > 1)
		return usage_err(c->cmd, "unexpected argument '%s'", argv[1]);
	snprintf(req, sizeof(req), "%s%s", c->cmd->name, metrics && c->json ? "-json" : "");
	rc = ask_daemon(c, req, &ad, &body);
	if (rc == 0 && !c->json) {
		fputs(body, stdout);
	} else if (rc == 0 && !metrics) {
		answer_json(c, body);
	} else if (rc == 0 && json_ok(c, body)) {
		struct asj j;

		asj_begin(&j, stdout);
		asj_raw(&j, NULL, body, strlen(body));
		fputc('\n', stdout);
	} else if (rc == 0) {
		rc = EXIT_FAIL;
	}
	adaptswap_daemon_close(ad);
	return rc ? rc : flush_stdout(c);
}

/* ---- events ---------------------------------------------------------------- */

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
	asj_end(&j);
}

static int on_event(const struct adaptswap_event *ev, void *arg)
{
	struct ev_state *s = arg;

	if (ev->missed)
		fprintf(stderr, "%s: %" PRIu64 " event(s) missed before seq %" PRIu64 "\n",
			PROG, ev->missed, ev->seq);
	if (s->json)
		event_json(ev);
	else
		printf("%.3f seq=%" PRIu64 " %-6s %s -> %s cause=%s avail=%.1fMiB swapfree=%.1fMiB"
		       " scan=%" PRIu64 "/s swapin=%" PRIu64 "/s swapout=%" PRIu64 "/s\n",
		       (double)ev->timestamp_ns / 1e9, ev->seq,
		       adaptswap_event_type_name(ev->type), adaptswap_level_name(ev->prev_level),
		       adaptswap_level_name(ev->level), adaptswap_cause_name(ev->cause),
		       (double)ev->mem_avail_kb / 1024, (double)ev->swap_free_kb / 1024,
		       ev->rates[ADAPTSWAP_RATE_SCAN], ev->rates[ADAPTSWAP_RATE_SWAPIN],
		       ev->rates[ADAPTSWAP_RATE_SWAPOUT]);
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

static const char events_help[] =
	"Print one line per event of the module until interrupted, until N events\n"
	"(-c, --count N, 1..86400000) or until the timeout (-t MS).  Reaching the\n"
	"timeout before N events is a failure.  No privilege needed.";

static int cmd_events(const struct ctl *c, int argc, char **argv)
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

/* ---- set ------------------------------------------------------------------- */

static const char set_help[] =
	"Change the module's knobs, all or none: the kernel validates them together.\n"
	"A knob given twice is a usage error.  Needs CAP_NET_ADMIN.  Prints nothing.";

static int cmd_set(const struct ctl *c, int argc, char **argv)
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

static const char help_help[] = "Print the usage, or COMMAND's.";

static int cmd_help(const struct ctl *c, int argc, char **argv)
{
	if (argc > 2)
		return usage_err(c->cmd, "unexpected argument '%s'", argv[2]);
	if (argc == 1) {
		usage(stdout);
		return EXIT_OK;
	}
	for (const struct cmd *k = cmds; k->name; k++) {
		if (!strcmp(k->name, argv[1])) {
			cmd_usage(k);
			return EXIT_OK;
		}
	}
	return usage_err(NULL, "unknown command '%s'", argv[1]);
}


static const struct cmd cmds[] = {
	{ "status", "", "the module's level and knobs, the daemon's swap", status_help,
	  cmd_status },
	{ "events", "[--count N]", "stream the module's events (-j: JSON lines)", events_help,
	  cmd_events },
	{ "set", "KEY=VALUE...", "change knobs, all or none (CAP_NET_ADMIN)", set_help, cmd_set },
	{ "grow", "", "add one chunk of swap now, budget permitting (root)", grow_help,
	  cmd_daemon },
	{ "shrink", "", "release the least-used file now, if memory allows (root)", shrink_help,
	  cmd_daemon },
	{ "release", "", "all managed swap off and deleted, growth on hold (root)", release_help,
	  cmd_daemon },
	{ "hold", "", "stop growing (root)", hold_help, cmd_daemon },
	{ "resume", "", "allow growing again (root)", resume_help, cmd_daemon },
	{ "reload", "", "re-read adaptswapd's configuration, all or nothing (root)", reload_help,
	  cmd_daemon },
	{ "metrics", "", "the daemon's figures (Prometheus text; -j: JSON)", metrics_help,
	  cmd_daemon },
	{ "help", "[COMMAND]", "this text, or a command's", help_help, cmd_help },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- the command line ------------------------------------------------------ */

static int parse_ms(const char *opt, const char *arg, int *out)
{
	uint64_t v;

	if (adaptswap_parse_u64(arg, MAX_MS, &v) < 0 || v == 0) {
		fprintf(stderr, "%s: %s: '%s' is not a positive number (1..%d)\n", PROG, opt,
			arg, MAX_MS);
		return -1;
	}
	*out = (int)v;
	return 0;
}

enum { OPT_DONE = 1000, OPT_EXIT };

/*
 * One option (getopt_long's o): sets c, or prints help or the version.
 * Returns 0 to go on, OPT_EXIT + rc to stop with rc.
 */
static int one_option(struct ctl *c, int o, char **argv)
{
	switch (o) {
	case 'j':
		c->json = true;
		return 0;
	case 't':
		return parse_ms("--timeout", optarg, &c->timeout_ms) ? OPT_EXIT + EXIT_USAGE : 0;
	case 'c':
		return parse_ms("--count", optarg, &c->count) ? OPT_EXIT + EXIT_USAGE : 0;
	case 'h':
		if (c->cmd)
			cmd_usage(c->cmd);
		else
			usage(stdout);
		return OPT_EXIT + EXIT_OK;
	case 'V':
		printf("%s %s\n", PROG, adaptswap_lib_version());
		return OPT_EXIT + EXIT_OK;
	case ':':
		return OPT_EXIT + usage_err(c->cmd, "option '%s' needs an argument",
					    argv[optind - 1]);
	default:
		if (optopt)
			return OPT_EXIT + usage_err(c->cmd, "unknown option '-%c'", optopt);
		return OPT_EXIT + usage_err(c->cmd, "unknown option '%s'", argv[optind - 1]);
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { 0 };
	char *args[argc + 1];
	int nargs = 0, o, r;

	opterr = 0;
	/* the options before the command: the global ones */
	while ((o = getopt_long(argc, argv, "+:jt:hV", lo, NULL)) != -1) {
		if (o == 'c')
			return usage_err(NULL, "--count goes after 'events'");
		r = one_option(&c, o, argv);
		if (r >= OPT_EXIT)
			return r - OPT_EXIT;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (const struct cmd *k = cmds; k->name; k++)
		if (!strcmp(argv[optind], k->name))
			c.cmd = k;
	if (!c.cmd)
		return usage_err(NULL, "unknown command '%s'", argv[optind]);
	/* after it: its own options and the global ones, in any order */
	args[nargs++] = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 0;		/* a fresh start for getopt, in its other mode */
	while ((o = getopt_long(argc, argv, c.cmd->fn == cmd_events ? "-:jt:hVc:" : "-:jt:hV",
				lo, NULL)) != -1) {
		if (o == 1) {		/* an argument of the command */
			args[nargs++] = optarg;
			continue;
		}
		if (o == 'c' && c.cmd->fn != cmd_events)
			return usage_err(c.cmd, "unknown option '--count'");
		r = one_option(&c, o, argv);
		if (r >= OPT_EXIT)
			return r - OPT_EXIT;
	}
	while (optind < argc)		/* after "--" */
		args[nargs++] = argv[optind++];
	args[nargs] = NULL;
	return c.cmd->fn(&c, nargs, args);
}
