/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * adaptswapctl's pieces: the parsed command line, the table of commands,
 * the exit codes and the helpers every command uses.
 *
 *	adaptswapctl.c  the command line, usage, the table, main()
 *	status.c        status (the module's part and the daemon's)
 *	events.c        events and set (the module)
 *	drive.c         grow, shrink, release, hold, resume, reload, metrics
 */
#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stdio.h>

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
/* The daemon's answer, without -t: status and metrics come at once; a
 * change may run swapoffs or write a chunk first. */
#define READ_TIMEOUT_MS		ADAPTSWAP_DAEMON_TIMEOUT_MS
#define CHANGE_TIMEOUT_MS	60000

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

/* adaptswapctl.c */
__attribute__((format(printf, 2, 3)))
int usage_err(const struct cmd *c, const char *fmt, ...);
/* "adaptswapctl: COMMAND: reason" on stderr */
__attribute__((format(printf, 2, 3)))
void say_err(const struct ctl *c, const char *fmt, ...);
/* The exit code for a failure of the kernel or the daemon (-errno). */
int exit_for(int err);
int flush_stdout(const struct ctl *c);

/* status.c */
extern const char status_help[];
int cmd_status(const struct ctl *c, int argc, char **argv);

/* events.c */
extern const char events_help[], set_help[];
int cmd_events(const struct ctl *c, int argc, char **argv);
int cmd_set(const struct ctl *c, int argc, char **argv);

/* drive.c */
extern const char grow_help[], shrink_help[], release_help[], hold_help[], resume_help[],
	reload_help[], metrics_help[];
int cmd_daemon(const struct ctl *c, int argc, char **argv);
/* Is the daemon's JSON answer one valid value?  Else say so. */
bool json_ok(const struct ctl *c, const char *text);

#endif /* CTL_H */
