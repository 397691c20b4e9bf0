// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The action hook: when policy.c says thrashing has lasted (action_*
 * keys), run action_command with /bin/sh -c, at most once per
 * action_interval_s and never two at once.  The child starts clean: no
 * blocked signals, every disposition the default, oom_score_adj 0 (the
 * daemon's -1000 is not passed on), its own session, stdin /dev/null,
 * no fd of the daemon's but stdout and stderr, and an environment of
 * PATH, LANG=C.UTF-8 and the ADAPTSWAP_* variables of adaptswap.conf(5).
 * After ACTION_TIMEOUT_S its session gets SIGTERM, ACTION_KILL_S later
 * SIGKILL.  The event loop reaps it on SIGCHLD (action_reaped()).
 *
 * Owns: d->action.  Calls: policy.c, procfs.c, log.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "daemon.h"

#define ACTION_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* After fork(): only async-signal-safe calls from here to execve(). */
static void child(const char *cmd, char *const envp[])
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int fd;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);	/* SIG_IGN would outlive execve */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0", 1) < 0) {
			/* nothing to do about it in a child */
		}
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd > 0) {
		dup2(fd, 0);
		close(fd);
	}
	close_range(3, ~0u, 0);
	execve("/bin/sh", (char *const[]){ "sh", "-c", (char *)cmd, NULL }, envp);
	_exit(127);
}

void action_check(struct daemon *d)
{
	char reason[200], e_reason[260], e_level[40], e_used[60], e_total[60], e_rate[60],
	     e_pid[40], e_dir[300];
	char *envp[] = { ACTION_PATH, "LANG=C.UTF-8", e_reason, e_level, e_used, e_total,
			 e_rate, e_pid, e_dir, NULL };
	struct asd_sample s;
	uint64_t t = now_ms();
	pid_t pid;

	if (d->action.pid > 0) {
		/* one at a time; and not for ever */
		uint64_t age = t - d->action.started_ms;

		if (!d->action.termed && age >= ACTION_TIMEOUT_S * 1000ull) {
			logmsg(d, LOG_WARN_, "action: still running after %d s, sending SIGTERM",
			       ACTION_TIMEOUT_S);
			kill(-d->action.pid, SIGTERM);
			d->action.termed = true;
		} else if (age >= (ACTION_TIMEOUT_S + ACTION_KILL_S) * 1000ull) {
			kill(-d->action.pid, SIGKILL);
		}
		return;
	}
	if (!d->cfg.action_command[0])
		return;
	proc_sample(d, &s);
	if (!asd_action_due(&d->cfg, &d->lim, &s, &d->action.state, reason, sizeof(reason)))
		return;
	snprintf(e_reason, sizeof(e_reason), "ADAPTSWAP_REASON=%s", reason);
	snprintf(e_level, sizeof(e_level), "ADAPTSWAP_LEVEL=%s", adaptswap_level_name(s.level));
	snprintf(e_used, sizeof(e_used), "ADAPTSWAP_SWAP_USED=%" PRIu64,
		 s.swap_total - s.swap_free);
	snprintf(e_total, sizeof(e_total), "ADAPTSWAP_SWAP_TOTAL=%" PRIu64, s.swap_total);
	snprintf(e_rate, sizeof(e_rate), "ADAPTSWAP_SWAPIN_RATE=%" PRIu64, s.swapin_rate);
	snprintf(e_pid, sizeof(e_pid), "ADAPTSWAP_DAEMON_PID=%d", (int)getpid());
	snprintf(e_dir, sizeof(e_dir), "ADAPTSWAP_DIR=%s", d->cfg.dir);
	/* the command is the administrator's: in the log, not in status */
	logmsg(d, LOG_INFO_, "action: running '%s'", d->cfg.action_command);
	pid = fork();
	if (pid == 0)
		child(d->cfg.action_command, envp);
	if (pid < 0) {
		logmsg(d, LOG_ERR_, "action: fork: %s", strerror(errno));
		return;
	}
	decide(d, "action: action_command started (pid %d): %s", (int)pid, reason);
	d->action.pid = pid;
	d->action.started_ms = t;
	d->action.termed = false;
	d->action.runs++;
}

void action_reaped(struct daemon *d, pid_t pid, int status)
{
	if (pid != d->action.pid || pid <= 0)
		return;
	d->action.pid = 0;
	if (WIFEXITED(status))
		logmsg(d, WEXITSTATUS(status) ? LOG_WARN_ : LOG_INFO_,
		       "action: finished with exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		logmsg(d, LOG_WARN_, "action: ended by signal %d", WTERMSIG(status));
}
