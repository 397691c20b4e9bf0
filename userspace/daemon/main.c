// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapd - grow swapfiles before the OOM killer acts, shrink them
 * safely, tune vm.swappiness.
 *
 * main.c: the options, start-up (configuration, instance lock, recovery),
 * the event loop and shutdown.  One thread runs the loop (poll on: module
 * events or the PSI trigger, the family watch, the control socket,
 * signals, the timer); the worker thread runs what may block for long.
 * Which file does what: README.md in this directory.
 *
 * Owns: the one struct daemon, d->sig_fd, d->timer_fd.  Calls: every file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "daemon.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: adaptswapd [OPTIONS]\n"
		"  -c, --config FILE     configuration (default " DEFAULT_CONFIG ")\n"
		"      --check-config    check the configuration (the file, then its drop-ins\n"
		"                        FILE.d/*.conf), print each value with the file and\n"
		"                        line it came from, and exit\n"
		"      --stopped         write the textfile of a stopped daemon (adaptswap_daemon_up\n"
		"                        0) into textfile_dir, if set, and exit (ExecStopPost=)\n"
		"      --source SOURCE   auto (default), module or psi\n"
		"      --rundir DIR      control socket and state (default " DEFAULT_RUNDIR ")\n"
		"      --release         with no daemon running: swapoff and delete the managed\n"
		"                        files (when memory allows), restore vm.swappiness, exit\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\nexit codes: 0 stopped by a signal (--release: all released), 1 fatal error\n"
		"(--release: refused or failed, see the message), 2 usage error,\n"
		"3 bad configuration (nothing was changed)\n");
}

enum mode { MODE_RUN, MODE_CHECK, MODE_RELEASE, MODE_STOPPED };

/* Parse the command line into d and *mode; -1: exit with *rc. */
static int parse_args(struct daemon *d, int argc, char **argv, enum mode *mode, int *rc)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "source", required_argument, NULL, 's' },
		{ "rundir", required_argument, NULL, 'r' },
		{ "release", no_argument, NULL, 'R' },
		{ "stopped", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool check = false, release = false, stopped = false;
	int o;

	*rc = EXIT_USAGE;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":c:h", lo, NULL)) != -1) {
		switch (o) {
		case 'c':
			d->config_path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'R':
			release = true;
			break;
		case 'S':
			stopped = true;
			break;
		case 's':
			if (!strcmp(optarg, "auto"))
				d->src.forced = ASD_SOURCE_AUTO;
			else if (!strcmp(optarg, "module"))
				d->src.forced = ASD_SOURCE_MODULE;
			else if (!strcmp(optarg, "psi"))
				d->src.forced = ASD_SOURCE_PSI;
			else {
				fprintf(stderr, "adaptswapd: --source: '%s' is not auto, module or psi\n",
					optarg);
				return -1;
			}
			break;
		case 'r':
			if (strlen(optarg) >= sizeof(d->rundir) - 20 || optarg[0] != '/') {
				fprintf(stderr, "adaptswapd: --rundir: need an absolute path shorter than %zu\n",
					sizeof(d->rundir) - 20);
				return -1;
			}
			snprintf(d->rundir, sizeof(d->rundir), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			*rc = EXIT_OK;
			return -1;
		case 'V':
			printf("adaptswapd %s\n", ADAPTSWAP_VERSION);
			*rc = EXIT_OK;
			return -1;
		case ':':
			fprintf(stderr, "adaptswapd: option '%s' needs an argument\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "adaptswapd: unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "adaptswapd: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -1;
	}
	if (check + release + stopped > 1) {
		fprintf(stderr, "adaptswapd: %s do not go together\n",
			!stopped ? "--check-config and --release" : check ?
			"--check-config and --stopped" : "--release and --stopped");
		return -1;
	}
	*mode = check ? MODE_CHECK : release ? MODE_RELEASE : stopped ? MODE_STOPPED : MODE_RUN;
	return 0;
}

/* ---- systemd notification (no libsystemd needed) ------------------------- */

static void sd_notify_msg(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(a.sun_path))
		return;
	strcpy(a.sun_path, path);
	if (a.sun_path[0] == '@')
		a.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&a,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
}

/* ---- the event loop ------------------------------------------------------ */

/* A signal: true to stop. */
static bool on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	char msg[600];

	if (read(d->sig_fd, &si, sizeof(si)) != sizeof(si))
		return false;
	if (si.ssi_signo == SIGHUP) {
		settings_reload(d, msg, sizeof(msg));
	} else if (si.ssi_signo == SIGCHLD) {
		pid_t pid;
		int st;

		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			action_reaped(d, pid, st);
	} else {
		logmsg(d, LOG_INFO_, "stopping on signal %u", si.ssi_signo);
		return true;
	}
	return false;
}

static void main_loop(struct daemon *d)
{
	for (;;) {
		struct pollfd p[8 + MAX_CLIENTS];
		int n = 0, ev_i = -1, w_i = -1, psi_i = -1, en_i = -1, cl_i;

		tick_arm(d);
		p[n++] = (struct pollfd){ .fd = d->sig_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d->timer_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d->worker.wake_rd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = d->ctl.fd, .events = POLLIN };
		if (src_module_fd(d) >= 0) {
			ev_i = n;
			p[n++] = (struct pollfd){ .fd = src_module_fd(d), .events = POLLIN };
		}
		if (src_watch_fd(d) >= 0) {
			w_i = n;
			p[n++] = (struct pollfd){ .fd = src_watch_fd(d), .events = POLLIN };
		}
		if (src_enabled_fd(d) >= 0) {
			en_i = n;
			p[n++] = (struct pollfd){ .fd = src_enabled_fd(d), .events = POLLPRI };
		}
		if (d->src.psi_fd >= 0) {
			psi_i = n;
			p[n++] = (struct pollfd){ .fd = d->src.psi_fd, .events = POLLPRI };
		}
		cl_i = n;
		for (int i = 0; i < MAX_CLIENTS; i++)
			p[n++] = (struct pollfd){ .fd = d->ctl.clients[i].fd, .events = POLLIN };

		if (poll(p, (nfds_t)n, ctl_next_deadline(d)) < 0) {
			if (errno == EINTR)
				continue;
			logmsg(d, LOG_ERR_, "poll: %s", strerror(errno));
			return;
		}
		if (p[0].revents && on_signal(d))
			return;
		if (ev_i >= 0 && p[ev_i].revents) {
			src_module_readable(d);
			swappiness_tune(d);
			action_check(d);
		}
		if (w_i >= 0 && p[w_i].revents)
			src_watch_readable(d);
		if (en_i >= 0 && p[en_i].revents & (POLLPRI | POLLERR))
			src_enabled_changed(d);
		if (psi_i >= 0 && p[psi_i].revents & POLLPRI)
			src_psi_sample(d, true);
		if (p[1].revents)
			tick(d);
		if (p[2].revents)
			act_job_finished(d);
		if (p[3].revents)
			ctl_accept(d);
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (d->ctl.clients[i].fd >= 0 && p[cl_i + i].revents)
				ctl_readable(d, i);
		ctl_expire(d);
		textfile_update(d);	/* only when a figure moved */
	}
}

/* ---- start-up and shutdown ----------------------------------------------- */

/*
 * Keep the daemon's pages in RAM.  Under the pressure it exists for,
 * reclaim evicts the text and data of an idle process first; every page
 * of its own it then touches is a read from a disk busy with swap-out,
 * and a daemon that stalls for seconds grows swap after the OOM killer
 * (a 2-vCPU 1 GiB guest under four allocating processes, PSI only: 2.8 s
 * between two checks due 100 ms apart).  What is mapped now (the program,
 * its libraries, the heap) is locked whole; later mappings (the worker's
 * stack, new heap) as their pages are touched, so an 8 MiB thread stack
 * costs what it uses.  Needs CAP_IPC_LOCK (the unit grants it) or a
 * RLIMIT_MEMLOCK that holds it; without, a warning, and the daemon runs.
 */
static void lock_memory(struct daemon *d)
{
	if (mlockall(MCL_CURRENT) < 0 ||
	    mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0) {
		int e = errno;

		munlockall();
		logmsg(d, LOG_WARN_, "cannot lock the daemon's memory (%s): under heavy "
		       "pressure it may stall while its pages are read back", strerror(e));
	}
}

/* Signals, the timer, the socket, recovery, the worker, the source. */
static int start(struct daemon *d)
{
	sigset_t set;

	/* The daemon must survive the pressure it exists for. */
	proc_write("/proc/self/oom_score_adj", "-1000");
	lock_memory(d);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);	/* inherited by the worker */
	/* A client that gave up waiting (adaptswapctl -t) must not end the
	 * daemon when its answer is written: EPIPE instead of SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->sig_fd < 0 || d->timer_fd < 0) {
		logmsg(d, LOG_ERR_, "setup: %s", strerror(errno));
		return -1;
	}
	if (ctl_open(d) < 0)
		return -1;

	inv_recover(d);
	swappiness_init(d);
	if (worker_start(d) < 0) {
		logmsg(d, LOG_ERR_, "cannot start the worker thread");
		return -1;
	}
	src_init(d);
	src_use_best(d);
	logmsg(d, LOG_INFO_, "started: dir %s, chunk %" PRIu64 " MiB, max %" PRIu64
	       " MiB, floor %" PRIu64 " MiB", d->cfg.dir, d->lim.chunk / ASD_MIB,
	       d->lim.max_swap / ASD_MIB, d->lim.floor / ASD_MIB);
	/* up to the floor (no-op without one), one chunk at a time */
	for (int i = 0; i < MAX_FILES / 2; i++) {
		uint64_t g = d->act.grows;

		act_grow(d, "floor", 0, false, NULL, 0);
		if (d->act.grows == g)
			break;
	}
	act_refill_standby(d);
	return 0;
}

static void stop(struct daemon *d)
{
	swappiness_restore(d);
	worker_stop(d);
	for (int i = 0; i < d->inv.n; i++) {
		/* a standby being written is incomplete: recovery would delete it */
		if (d->inv.files[i].busy && !d->inv.files[i].active)
			inv_unlink(d, d->inv.files[i].name);
	}
	src_close(d);
	ctl_close(d);
	textfile_stop(d);
	logmsg(d, LOG_INFO_, "stopped; managed swap stays active and is adopted by the next start");
}

/*
 * Load the configuration, the file and its drop-ins: a bad one stops us
 * before anything changes.  A missing file at the default path means the
 * defaults (and the drop-ins).
 */
static int load_config(struct daemon *d)
{
	bool missing_ok = !strcmp(d->config_path, DEFAULT_CONFIG);
	char err[1024];

	asd_config_defaults(&d->cfg);
	if (asd_config_load_all(d->config_path, missing_ok, &d->cfg, d->origin, err,
				sizeof(err)) < 0) {
		fprintf(stderr, "adaptswapd: %s\n", err);
		return -1;
	}
	if (d->src.forced == ASD_SOURCE_AUTO)
		d->src.forced = d->cfg.source;
	return 0;
}

/* The textfile's directory, when set: its fd, or -1 with the value's origin. */
static int open_textfile_dir(struct daemon *d, bool *bad)
{
	const struct asd_config_origin *o = &d->origin[asd_config_key("textfile_dir")];
	char err[600];
	int fd;

	*bad = false;
	if (!d->cfg.textfile_dir[0])
		return -1;
	fd = textfile_open_dir(d->cfg.textfile_dir, err, sizeof(err));
	if (fd < 0) {
		*bad = true;
		fprintf(stderr, "adaptswapd: %s:%u: %s\n", o->file, o->line, err);
	}
	return fd;
}

int main(int argc, char **argv)
{
	static struct daemon daemon;	/* the one instance; everything gets a pointer */
	struct daemon *d = &daemon;
	enum mode mode;
	char err[512];
	int rc;

	d->config_path = DEFAULT_CONFIG;
	snprintf(d->rundir, sizeof(d->rundir), "%s", DEFAULT_RUNDIR);
	d->src.forced = ASD_SOURCE_AUTO;
	d->src.psi_fd = -1;
	d->swp.orig = -1;
	d->log.level = LOG_INFO_;
	d->sig_fd = d->timer_fd = d->ctl.fd = d->tf.dir_fd = d->inv.dirfd = -1;
	if (parse_args(d, argc, argv, &mode, &rc) < 0)
		return rc;
	if (load_config(d) < 0)
		return EXIT_CONFIG;
	if (mode == MODE_STOPPED) {
		if (d->cfg.textfile_dir[0] &&
		    textfile_write_down(d->cfg.textfile_dir, err, sizeof(err)) < 0) {
			fprintf(stderr, "adaptswapd: %s\n", err);
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	if (mode == MODE_CHECK || mode == MODE_RUN) {
		bool bad;
		int fd = open_textfile_dir(d, &bad);

		if (bad)
			return EXIT_CONFIG;
		if (mode == MODE_RUN)
			d->tf.dir_fd = fd;
		else if (fd >= 0)
			close(fd);
	}
	if (mode == MODE_CHECK) {
		size_t len = ASD_CONFIG_NKEYS * (ASD_ORIGIN_MAX + 600);
		char *dump = malloc(len);

		if (!dump) {
			fprintf(stderr, "adaptswapd: out of memory\n");
			return EXIT_FAIL;
		}
		asd_config_dump(&d->cfg, d->origin, dump, len);
		fputs(dump, stdout);
		free(dump);
		if (access(d->config_path, F_OK))
			fprintf(stderr, "adaptswapd: %s: missing: the defaults apply\n",
				d->config_path);
		fprintf(stderr, "adaptswapd: %s: configuration ok\n", d->config_path);
		if (strcmp(d->cfg.dir, DEFAULT_DIR))
			fprintf(stderr, "adaptswapd: note: dir %s is outside " DEFAULT_DIR ": under "
				"adaptswapd.service it is writable only with a drop-in "
				"'ReadWritePaths=%s' (see adaptswapd(8))\n", d->cfg.dir, d->cfg.dir);
		return EXIT_OK;
	}
	d->log.level = d->cfg.log_level;

	if (geteuid() != 0) {
		fprintf(stderr, "adaptswapd: must run as root (swapon, vm.swappiness)\n");
		return EXIT_FAIL;
	}
	if (mode == MODE_RELEASE) {
		if (instance_claim(d, true, err, sizeof(err)) < 0) {
			fprintf(stderr, "adaptswapd: release refused: %s\n", err);
			return EXIT_FAIL;
		}
		settings_resolve(d);	/* fails only without the dir: then nothing to do */
		return release_offline(d);
	}
	if (instance_claim(d, false, err, sizeof(err)) < 0) {
		logmsg(d, LOG_ERR_, "%s", err);
		return EXIT_FAIL;
	}
	if (settings_resolve(d) < 0) {
		logmsg(d, LOG_ERR_, "cannot size the budget: %s", strerror(errno));
		return EXIT_FAIL;
	}
	d->start_time_s = (uint64_t)time(NULL);
	if (start(d) < 0)
		return EXIT_FAIL;
	textfile_update(d);	/* there when systemctl start returns */
	sd_notify_msg("READY=1");

	main_loop(d);

	sd_notify_msg("STOPPING=1");
	stop(d);
	return EXIT_OK;
}
