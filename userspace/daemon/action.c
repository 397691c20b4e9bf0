// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The action hook: when policy.c says thrashing has lasted (action_*
 * keys), run action_command with /bin/sh -c, at most once per
 * action_interval_s.  The child is reaped on SIGCHLD by the event loop.
 *
 * Owns: d->action.  Calls: policy.c, procfs.c, log.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

void action_check(struct daemon *d)
{
	struct asd_sample s;
	char reason[200];
	pid_t pid;

	if (!d->cfg.action_command[0])
		return;
	proc_sample(d, &s);
	if (!asd_action_due(&d->cfg, &d->lim, &s, &d->action.state, reason, sizeof(reason)))
		return;
	decide(d, "action: running '%s': %s", d->cfg.action_command, reason);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);	/* the daemon's own choice, not the command's */
		setsid();
		execl("/bin/sh", "sh", "-c", d->cfg.action_command, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		logmsg(d, LOG_ERR_, "action: fork: %s", strerror(errno));
	else
		d->action.runs++;
}
