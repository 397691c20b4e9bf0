// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapctl - show and drive adaptswap.  A table of commands, each a
 * small handler (status.c, events.c, drive.c; see ctl.h); global options
 * anywhere on the line; data on stdout (JSON with -j, one object per
 * line), diagnostics on stderr, each said once as "adaptswapctl: COMMAND:
 * reason".  The module is reached through libadaptswap's netlink client,
 * adaptswapd through its control socket client (adaptswap_daemon_*), JSON
 * through lib/json.h.
 *
 * This file: the command line, the usage, the table, main().
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const struct cmd cmds[];

static const char global_help[] =
	"options (before or after the command):\n"
	"  -j, --json         JSON on stdout, one object per line\n"
	"  -t, --timeout MS   wait at most MS milliseconds (1..86400000): for adaptswapd's\n"
	"                     answer (default: 10000 for status and metrics, 60000 for\n"
	"                     the commands that change something), for events (no limit)\n"
	"  -h, --help         this text; after a command, the command's help\n"
	"  -V, --version      print the version\n";

static const char exit_help[] =
	"exit codes:\n"
	"  0  success\n"
	"  1  the operation failed, or the kernel or adaptswapd refused it (reason on stderr)\n"
	"  2  usage error\n"
	"  3  the adaptswap module is not loaded (status: nor is adaptswapd running)\n"
	"  4  adaptswapd is not running\n"
	"  5  permission denied (the command needs root, or CAP_NET_ADMIN + CAP_SYS_ADMIN)\n"
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
		"  hysteresis_pct (0..50, low_pct + hysteresis_pct < 100)\n"
		"  sample_idle_ms (10..60000)  sample_fast_ms (1..1000, <= sample_idle_ms)\n"
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

int usage_err(const struct cmd *c, const char *fmt, ...)
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

void say_err(const struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", PROG, c->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The exit code for a failure of the kernel or the daemon. */
int exit_for(int err)
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

int flush_stdout(const struct ctl *c)
{
	if (fflush(stdout) == 0)
		return EXIT_OK;
	say_err(c, "writing the output: %s", strerror(errno));
	return EXIT_FAIL;
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
	{ "set", "KEY=VALUE...", "change knobs, all or none (CAP_NET_ADMIN + CAP_SYS_ADMIN)",
	  set_help, cmd_set },
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
