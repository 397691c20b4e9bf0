// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-ctlfuzz: clients of adaptswapd's control socket that misbehave
 * in every way a local user can: random bytes, partial and oversized
 * lines, clients that write one byte at a time, many clients at once,
 * idle clients holding connections, clients that close before reading
 * the answer.
 *
 * usage: adaptswap-ctlfuzz [options]
 *   -n N            scenarios (default 200; 0 with -t: until then)
 *   -s SEED         seed (default $SEED, else a random one); printed first,
 *                   the same seed plays the same scenarios with the same bytes
 *   -t SEC          stop after SEC seconds
 *   -u USER         the clients run as USER (name or uid); started as
 *                   root, a root helper stays behind for the probes
 *   -p PATH         the socket (default $ADAPTSWAP_RUNDIR/adaptswapd.sock,
 *                   else /run/adaptswap/adaptswapd.sock)
 *   -P PID          the daemon's pid: fail as soon as it is gone
 *   --probe-socket PATH  the probes' socket (default: the same as -p)
 *   -S LIST         scenarios, comma-separated (default all): junk, partial,
 *                   oversized, slow, burst, hold, early-close, commands
 *   --min-hold N    at least N connections held at once (default 1)
 *   --max-hold N    at most N connections held at once (default 32)
 *   --hold-ms MS    held connections stay up to MS (default 2000)
 *   --probe-ms MS   a probe must be answered within MS (default 3000)
 *   --dry-run       play nothing: print the scenarios a seed gives
 *   -v              print every scenario and what came of it
 *
 * The probe: a client that connects, sends "status" and must get an
 * answer starting with "ok" (retrying while the daemon closes it unread)
 * within --probe-ms.  It runs as root when the fuzzer was started as root
 * (from the helper when -u is given): what root's adaptswapctl needs.
 * Probes run while connections are held (hold), right after clients
 * closed without reading (early-close), and at the end.
 *
 * Checks (exit 1 when one fails):
 *   - the daemon stays up (-P, and every connect);
 *   - every probe is answered in time;
 *   - every answer starts with "ok\n" or "error " and its first line ends;
 *   - a client without root never gets "ok" for grow, shrink, release,
 *     hold, resume or reload.
 * Exit 0 when all hold, 1 when one fails, 2 on usage or setup errors.
 */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "fuzz.h"

#define PROG "adaptswap-ctlfuzz"
#define MAXCONN 128
#define MAXDATA 65536

static struct fuzz_rng rng;
static struct sockaddr_un addr = { .sun_family = AF_UNIX };
static struct sockaddr_un probe_addr = { .sun_family = AF_UNIX };
static bool dry;
static pid_t daemon_pid;
static int helper = -1;		/* socket to the root helper */
static unsigned min_hold = 1, max_hold = 32, hold_ms = 2000, probe_ms = 3000;
static bool gone;		/* the daemon is gone: stop */

enum kind { JUNK, PARTIAL, OVERSIZED, SLOW, BURST, HOLD, EARLY, COMMANDS, NKINDS };
static const char *kind_names[NKINDS] = {
	"junk", "partial", "oversized", "slow", "burst", "hold", "early-close", "commands",
};

static const char *commands[] = {
	"status", "status-json", "metrics",			/* everyone */
	"grow", "shrink", "release", "hold", "resume", "reload",	/* root */
};
#define NCMD (sizeof(commands) / sizeof(commands[0]))
#define NPUBLIC 3

static struct {
	unsigned long scenarios, connects, answered_ok, answered_error, unanswered;
	unsigned long closed_unread, probes, probe_retries, sends_failed;
	double probe_max_ms;
	struct fuzz_counts connect_err, by_kind_fail;
	unsigned long kind_runs[NKINDS];
} st;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- one client ------------------------------------------------------- */

/* A connected non-blocking socket, or -errno (EAGAIN: the backlog is full). */
static int connect_to(const struct sockaddr_un *a)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)a, sizeof(*a))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* connect, counting; a refused or missing socket means the daemon is gone */
static int client(void)
{
	int fd = connect_to(&addr);

	st.connects++;
	if (fd < 0) {
		fuzz_count(&st.connect_err, fd);
		if (fd == -ECONNREFUSED || fd == -ENOENT) {
			if (!gone)
				fuzz_fail("connect: %s: the daemon does not listen any more",
				     strerror(-fd));
			gone = true;
		}
	}
	return fd;
}

/* Send as much of buf as goes within ms; returns the bytes sent. */
static size_t send_some(int fd, const void *buf, size_t len, unsigned ms)
{
	double end = fuzz_now() + ms / 1000.0;
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int left = (int)((end - fuzz_now()) * 1000);

			if (left > 0 && poll(&p, 1, left) > 0)
				continue;
		}
		if (n < 0 && errno != EAGAIN)
			st.sends_failed++;
		break;
	}
	return done;
}

/*
 * Read until EOF, ms or a full buffer.  Returns the bytes read; *eof tells
 * whether the daemon closed the connection.
 */
static size_t read_answer(int fd, char *buf, size_t cap, unsigned ms, bool *eof)
{
	double end = fuzz_now() + ms / 1000.0;
	size_t got = 0;

	*eof = false;
	while (got < cap - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)((end - fuzz_now()) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = recv(fd, buf + got, cap - 1 - got, MSG_DONTWAIT);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			*eof = true;
			break;
		}
	}
	buf[got] = '\0';
	return got;
}

/* The command a line names: its bytes up to the first NUL, CR or LF. */
static int line_command(const void *data, size_t len)
{
	const char *d = data;
	size_t n = 0;

	while (n < len && d[n] && d[n] != '\r' && d[n] != '\n')
		n++;
	for (size_t c = 0; c < NCMD; c++)
		if (strlen(commands[c]) == n && !memcmp(commands[c], d, n))
			return (int)c;
	return -1;
}

/*
 * Judge the answer (n bytes) to what a client sent (sent, len): the
 * protocol says it starts with a line "ok" or "error REASON"; "ok" only
 * for a known command, and for grow ... reload only for root.
 */
static void judge(const char *what, const void *sent, size_t len, const char *buf, size_t n,
		  bool eof)
{
	int cmd = line_command(sent, len);

	if (!n) {
		st.unanswered++;
		if (eof)
			st.closed_unread++;
		return;
	}
	if (!strncmp(buf, "ok\n", 3)) {
		st.answered_ok++;
		if (cmd < 0) {
			fuzz_fail("%s: \"ok\" for a line that is no command:", what);
			if (fuzz_failures_shown()) {
				printf("  ");
				fuzz_print_bytes(stdout, sent, len, 120);
				putchar('\n');
			}
		} else if (cmd >= NPUBLIC && geteuid() != 0) {
			fuzz_fail("%s: '%s' from uid %u was answered \"ok\"", what, commands[cmd],
			     geteuid());
		}
		return;
	}
	if (!strncmp(buf, "error ", 6) && (memchr(buf, '\n', n) || (!eof && n < 4096))) {
		/* (without eof the rest of the line may still come) */
		st.answered_error++;
		return;
	}
	fuzz_fail("%s: an answer that is neither \"ok\" nor \"error ...\": ", what);
	if (fuzz_failures_shown()) {
		printf("  ");
		fuzz_print_bytes(stdout, buf, n, 120);
		putchar('\n');
	}
}

/* ---- the probe ------------------------------------------------------- */

/*
 * Ask "status" until an answer comes (the daemon may close a connection
 * unread while it is full), within probe_ms.  Returns the milliseconds it
 * took, or -1 with why filled in.
 */
static double probe_here(char *why, size_t len)
{
	double t0 = fuzz_now(), end = t0 + probe_ms / 1000.0;

	for (int tries = 0; fuzz_now() < end; tries++) {
		char buf[8192];
		bool eof;
		size_t n;
		int fd = connect_to(&probe_addr);

		if (fd == -ECONNREFUSED || fd == -ENOENT) {
			snprintf(why, len, "connect: %s (the daemon is gone)", strerror(-fd));
			return -1;
		}
		if (fd < 0) {
			sleep_ms(20);
			continue;
		}
		if (send_some(fd, "status\n", 7, 500) != 7) {
			close(fd);
			sleep_ms(20);
			continue;
		}
		n = read_answer(fd, buf, sizeof(buf), (unsigned)((end - fuzz_now()) * 1000) + 1, &eof);
		close(fd);
		if (n >= 3 && !strncmp(buf, "ok\n", 3))
			return (fuzz_now() - t0) * 1000;
		if (n) {
			snprintf(why, len, "answered \"%.40s\"", buf);
			return -1;
		}
		sleep_ms(20);
	}
	snprintf(why, len, "no answer within %u ms", probe_ms);
	return -1;
}

/* The root helper: probes on request, until its socket closes. */
static void helper_loop(int s)
{
	char req;

	while (recv(s, &req, 1, 0) == 1) {
		char reply[200];
		double ms = probe_here(reply + 1, sizeof(reply) - 1);

		if (ms >= 0) {
			reply[0] = 1;
			snprintf(reply + 1, sizeof(reply) - 1, "%.3f", ms);
		} else {
			reply[0] = 0;
		}
		send(s, reply, strlen(reply + 1) + 2, MSG_NOSIGNAL);
	}
	_exit(0);
}

static void probe(const char *when)
{
	char why[200] = "";
	double ms;

	st.probes++;
	if (helper >= 0) {
		char reply[200] = { 0 };

		if (send(helper, "p", 1, MSG_NOSIGNAL) != 1 || recv(helper, reply, sizeof(reply) - 1, 0) <= 0) {
			fuzz_fail("the root helper is gone");
			return;
		}
		if (reply[0] == 1) {
			ms = atof(reply + 1);
		} else {
			ms = -1;
			snprintf(why, sizeof(why), "%s", reply + 1);
		}
	} else {
		ms = probe_here(why, sizeof(why));
	}
	if (ms < 0) {
		fuzz_fail("%s: a probe (\"status\" as uid %d) failed: %s", when,
		     helper >= 0 ? 0 : (int)geteuid(), why);
		if (strstr(why, "gone"))
			gone = true;
		return;
	}
	if (ms > st.probe_max_ms)
		st.probe_max_ms = ms;
	if (fuzz_run.verbose)
		printf("  probe %s: answered in %.1f ms\n", when, ms);
}

static bool daemon_alive(void)
{
	if (daemon_pid > 0 && kill(daemon_pid, 0) && errno == ESRCH) {
		if (!gone)
			fuzz_fail("the daemon (pid %d) is gone", daemon_pid);
		gone = true;
	}
	return !gone;
}

/* ---- scenarios -------------------------------------------------------- */

struct plan {
	enum kind kind;
	unsigned n;		/* connections (burst, hold) */
	unsigned ms;		/* hold or wait time; per byte for slow */
	unsigned how;		/* early-close: 0 close, 1 shutdown then close, 2 reset */
	size_t len;		/* bytes in data */
	int cmd[MAXCONN];	/* per connection: a command, or -1 for data */
	unsigned char data[MAXDATA];
};

static void gen_line(struct plan *p)
{
	static const struct { const char *s; size_t n; } tails[] = {
		{ "\r\n", 2 }, { " \n", 2 }, { "\t\n", 2 }, { "\0\n", 2 }, { "\n\n", 2 },
		{ "x\n", 2 }, { "\nstatus\n", 8 }, { "\0", 1 }, { "", 0 }, { "\r", 1 },
		{ "\0garbage\n", 9 }, { "\n", 1 },
	};
	uint32_t c = fuzz_below(&rng, 100);

	if (c < 40) {		/* random bytes, with and without newlines */
		p->len = 1 + fuzz_below(&rng, 200);
		fuzz_bytes(&rng, p->data, p->len);
		if (fuzz_pct(&rng, 50))
			p->data[p->len - 1] = '\n';
	} else if (c < 70) {	/* a command, mangled */
		const char *cmd = commands[fuzz_below(&rng, NCMD)];
		unsigned t = fuzz_below(&rng, sizeof(tails) / sizeof(tails[0]));

		if (fuzz_pct(&rng, 20))
			cmd = "STATUS";
		p->len = strlen(cmd);
		memcpy(p->data, cmd, p->len);
		memcpy(p->data + p->len, tails[t].s, tails[t].n);
		p->len += tails[t].n;
	} else {		/* printable junk, one line */
		p->len = 1 + fuzz_below(&rng, 120);
		for (size_t i = 0; i < p->len; i++)
			p->data[i] = (unsigned char)(0x20 + fuzz_below(&rng, 0x5f));
		p->data[p->len - 1] = '\n';
	}
}

static void gen_plan(struct plan *p, const bool *enabled)
{
	uint32_t k;

	do
		k = fuzz_below(&rng, NKINDS);
	while (!enabled[k]);
	p->kind = (enum kind)k;
	p->n = 1;
	p->ms = 0;
	p->how = 0;
	p->len = 0;
	p->cmd[0] = -1;
	switch (p->kind) {
	case JUNK:
		gen_line(p);
		break;
	case PARTIAL:	/* the start of a command or of junk, no newline */
		if (fuzz_pct(&rng, 50)) {
			const char *cmd = commands[fuzz_below(&rng, NCMD)];

			p->len = 1 + fuzz_below(&rng, (uint32_t)strlen(cmd));
			memcpy(p->data, cmd, p->len);
		} else {
			p->len = 1 + fuzz_below(&rng, 100);
			fuzz_bytes(&rng, p->data, p->len);
			for (size_t i = 0; i < p->len; i++)
				if (p->data[i] == '\n')
					p->data[i] = ' ';
		}
		p->ms = fuzz_below(&rng, 500);
		break;
	case OVERSIZED: {
		static const size_t sizes[] = { 126, 127, 128, 129, 255, 256, 4096, 65536 };

		p->len = sizes[fuzz_below(&rng, 8)];
		for (size_t i = 0; i < p->len; i++)
			p->data[i] = fuzz_pct(&rng, 90) ? (unsigned char)('a' + fuzz_below(&rng, 26)) :
							  (unsigned char)fuzz_u64(&rng);
		if (fuzz_pct(&rng, 50)) {
			/* a command at its end, after the long junk */
			memcpy(p->data + p->len - 7, "status\n", 7);
		} else {
			for (size_t i = 0; i < p->len; i++)
				if (p->data[i] == '\n')
					p->data[i] = '.';
		}
		break;
	}
	case SLOW:	/* a command, one byte at a time */
		p->cmd[0] = (int)fuzz_below(&rng, NPUBLIC);
		p->ms = 20 + fuzz_below(&rng, 200);
		break;
	case BURST:
		p->n = 8 + fuzz_below(&rng, MAXCONN - 8 + 1);
		for (unsigned i = 0; i < p->n; i++)
			p->cmd[i] = fuzz_pct(&rng, 80) ? (int)fuzz_below(&rng, NPUBLIC) : -1;
		gen_line(p);	/* what the others send */
		break;
	case HOLD:
		p->n = min_hold + fuzz_below(&rng, max_hold - min_hold + 1);
		p->ms = 100 + fuzz_below(&rng, hold_ms > 100 ? hold_ms - 100 + 1 : 1);
		p->how = fuzz_below(&rng, 3);	/* 0 silent, 1 a partial line, 2 one byte */
		break;
	case EARLY:
		p->cmd[0] = (int)fuzz_below(&rng, NPUBLIC + 1);	/* the last: junk */
		p->how = fuzz_below(&rng, 3);
		if (p->cmd[0] == NPUBLIC) {
			p->cmd[0] = -1;
			memcpy(p->data, "no-such-command\n", 16);
			p->len = 16;
		}
		break;
	case COMMANDS:
		p->cmd[0] = (int)fuzz_below(&rng, NCMD);
		break;
	case NKINDS:
		break;
	}
}

static void print_plan(unsigned long i, const struct plan *p)
{
	printf("scenario %lu: %s", i, kind_names[p->kind]);
	if (p->kind == BURST || p->kind == HOLD)
		printf(" x%u", p->n);
	if (p->ms)
		printf(" %u ms", p->ms);
	if (p->kind == HOLD || p->kind == EARLY)
		printf(" how=%u", p->how);
	if (p->cmd[0] >= 0)
		printf(" '%s'", commands[p->cmd[0]]);
	if (p->len) {
		printf(" ");
		fuzz_print_bytes(stdout, p->data, p->len, 60);
	}
	putchar('\n');
}

static char answer[65536];

static void run_junk(const struct plan *p, const char *what, unsigned read_ms)
{
	bool eof;
	int fd = client();
	size_t n;

	if (fd < 0)
		return;
	send_some(fd, p->data, p->len, 1000);
	n = read_answer(fd, answer, sizeof(answer), read_ms, &eof);
	judge(what, p->data, p->len, answer, n, eof);
	close(fd);
}

static void run_plan(unsigned long i, const struct plan *p)
{
	char what[64];
	int fds[MAXCONN];
	bool eof;
	size_t n;

	snprintf(what, sizeof(what), "scenario %lu (%s)", i, kind_names[p->kind]);
	switch (p->kind) {
	case JUNK:
		run_junk(p, what, 1000);
		break;
	case OVERSIZED:
		run_junk(p, what, 1500);
		break;
	case PARTIAL: {
		int fd = client();

		if (fd < 0)
			break;
		send_some(fd, p->data, p->len, 500);
		sleep_ms(p->ms);
		close(fd);	/* never a whole line: nothing to answer */
		break;
	}
	case SLOW: {
		const char *cmd = commands[p->cmd[0]];
		int fd = client();

		if (fd < 0)
			break;
		for (size_t b = 0; b <= strlen(cmd); b++) {
			if (send_some(fd, b < strlen(cmd) ? cmd + b : "\n", 1, 500) != 1)
				break;
			sleep_ms(p->ms);
		}
		n = read_answer(fd, answer, sizeof(answer), 2000, &eof);
		judge(what, cmd, strlen(cmd), answer, n, eof);
		close(fd);
		break;
	}
	case BURST:
		for (unsigned c = 0; c < p->n; c++)
			fds[c] = client();
		for (unsigned c = 0; c < p->n; c++) {
			const char *cmd = p->cmd[c] >= 0 ? commands[p->cmd[c]] : NULL;

			if (fds[c] < 0)
				continue;
			if (cmd) {
				send_some(fds[c], cmd, strlen(cmd), 200);
				send_some(fds[c], "\n", 1, 200);
			} else {
				send_some(fds[c], p->data, p->len, 200);
			}
		}
		for (unsigned c = 0; c < p->n; c++) {
			const char *cmd = p->cmd[c] >= 0 ? commands[p->cmd[c]] : NULL;

			if (fds[c] < 0)
				continue;
			n = read_answer(fds[c], answer, sizeof(answer), 1000, &eof);
			judge(what, cmd ? cmd : (const char *)p->data, cmd ? strlen(cmd) : p->len,
			      answer, n, eof);
			close(fds[c]);
		}
		break;
	case HOLD: {
		unsigned held = 0;

		for (unsigned c = 0; c < p->n; c++) {
			fds[c] = client();
			if (fds[c] < 0)
				continue;
			held++;
			if (p->how == 1)
				send_some(fds[c], "stat", 4, 100);
			else if (p->how == 2)
				send_some(fds[c], "\0", 1, 100);
		}
		/* root must be served while they sit there */
		sleep_ms(p->ms / 2);
		snprintf(what, sizeof(what), "scenario %lu (%u connections held)", i, held);
		probe(what);
		sleep_ms(p->ms - p->ms / 2);
		for (unsigned c = 0; c < p->n; c++)
			if (fds[c] >= 0)
				close(fds[c]);
		break;
	}
	case EARLY: {
		char line[32];
		int fd = client();

		if (fd < 0)
			break;
		if (p->cmd[0] >= 0)
			snprintf(line, sizeof(line), "%s\n", commands[p->cmd[0]]);
		else
			snprintf(line, sizeof(line), "%.*s", (int)p->len, p->data);
		send_some(fd, line, strlen(line), 200);
		if (p->how == 1) {
			shutdown(fd, SHUT_RDWR);
		} else if (p->how == 2) {
			struct linger l = { 1, 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		}
		close(fd);	/* before the answer: the daemon writes to a closed socket */
		sleep_ms(50);
		snprintf(what, sizeof(what), "scenario %lu (a client closed before its answer)", i);
		probe(what);
		break;
	}
	case COMMANDS: {
		char line[32];
		const char *cmd = commands[p->cmd[0]];
		int fd = client();

		if (fd < 0)
			break;
		snprintf(line, sizeof(line), "%s\n", cmd);
		send_some(fd, line, strlen(line), 500);
		/* grow, shrink and release may take a while as root */
		n = read_answer(fd, answer, sizeof(answer), 30000, &eof);
		judge(what, cmd, strlen(cmd), answer, n, eof);
		close(fd);
		break;
	}
	case NKINDS:
		break;
	}
}

/* ---- main ------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-n N] [-s SEED] [-t SEC] [-u USER] [-p PATH] [-P PID] [-S LIST]\n"
		"       [--min-hold N] [--max-hold N] [--hold-ms MS] [--probe-ms MS]\n"
		"       [--probe-socket PATH] [--dry-run] [-v]\n", PROG);
}

static int parse_kinds(const char *list, bool *enabled)
{
	char buf[256], *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	memset(enabled, 0, NKINDS * sizeof(*enabled));
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k;

		for (k = 0; k < NKINDS && strcmp(t, kind_names[k]); k++)
			;
		if (k == NKINDS) {
			fprintf(stderr, "%s: no scenario '%s'\n", PROG, t);
			return -1;
		}
		enabled[k] = true;
	}
	for (int k = 0; k < NKINDS; k++)
		if (enabled[k])
			return 0;
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "min-hold", required_argument, NULL, 'I' },
		{ "max-hold", required_argument, NULL, 'H' },
		{ "hold-ms", required_argument, NULL, 'M' },
		{ "probe-ms", required_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "probe-socket", required_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct plan plan;
	const char *path = NULL, *probe_path = NULL;
	bool enabled[NKINDS];
	unsigned long v;
	pid_t helper_pid = -1;
	int o;

	fuzz_init("ctlfuzz", 200);
	for (int k = 0; k < NKINDS; k++)
		enabled[k] = true;
	while ((o = getopt_long(argc, argv, FUZZ_OPTS "p:P:S:", lo, NULL)) != -1) {
		switch (fuzz_option(o, optarg)) {
		case 0: break;
		case 'P': if (fuzz_num(optarg, 1 << 30, &v) || !v) { usage(stderr); return 2; }
			daemon_pid = (pid_t)v; break;
		case 'H': if (fuzz_num(optarg, MAXCONN, &v) || !v) { usage(stderr); return 2; }
			max_hold = (unsigned)v; break;
		case 'I': if (fuzz_num(optarg, MAXCONN, &v) || !v) { usage(stderr); return 2; }
			min_hold = (unsigned)v; break;
		case 'M': if (fuzz_num(optarg, 600000, &v) || v < 100) { usage(stderr); return 2; }
			hold_ms = (unsigned)v; break;
		case 'R': if (fuzz_num(optarg, 600000, &v) || !v) { usage(stderr); return 2; }
			probe_ms = (unsigned)v; break;
		case 'p': path = optarg; break;
		case 'Q': probe_path = optarg; break;
		case 'S': if (parse_kinds(optarg, enabled)) { usage(stderr); return 2; } break;
		case 'D': dry = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (fuzz_options_end(argc) || min_hold > max_hold) {
		usage(stderr);
		return 2;
	}
	if (!path) {
		const char *r = getenv("ADAPTSWAP_RUNDIR");

		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/adaptswapd.sock",
			 r && *r ? r : "/run/adaptswap");
	} else if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "%s: socket path too long\n", PROG);
		return 2;
	} else {
		strcpy(addr.sun_path, path);
	}
	probe_addr = addr;
	if (probe_path) {
		if (strlen(probe_path) >= sizeof(probe_addr.sun_path)) {
			fprintf(stderr, "%s: socket path too long\n", PROG);
			return 2;
		}
		strcpy(probe_addr.sun_path, probe_path);
	}
	signal(SIGPIPE, SIG_IGN);	/* ours: send() says MSG_NOSIGNAL anyway */
	fuzz_catch_signals();

	if (fuzz_run.user && !dry) {
		if (geteuid() == 0) {
			int sv[2];

			if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
				perror(PROG ": socketpair");
				return 2;
			}
			helper_pid = fork();
			if (helper_pid < 0) {
				perror(PROG ": fork");
				return 2;
			}
			if (helper_pid == 0) {
				close(sv[0]);
				helper_loop(sv[1]);
			}
			close(sv[1]);
			helper = sv[0];
		}
		if (fuzz_become(PROG, fuzz_run.user))
			return 2;
	}

	fuzz_hello(&rng, ", uid %u, probes as uid %d, %s%s", geteuid(),
		   helper >= 0 ? 0 : (int)geteuid(), addr.sun_path, dry ? ", dry run" : "");
	printf("ctlfuzz: scenarios:");
	for (int k = 0; k < NKINDS; k++)
		if (enabled[k])
			printf(" %s", kind_names[k]);
	printf("; %u to %u held for up to %u ms; probes within %u ms\n", min_hold, max_hold,
	       hold_ms, probe_ms);

	fuzz_start();
	for (unsigned long i = 0; !gone && fuzz_more(i); i++) {
		gen_plan(&plan, enabled);
		if (dry || fuzz_run.verbose)
			print_plan(i, &plan);
		if (dry)
			continue;
		st.scenarios++;
		st.kind_runs[plan.kind]++;
		run_plan(i, &plan);
		if (!daemon_alive() || gone) {
			printf("ctlfuzz: the daemon is gone after scenario %lu: ", i);
			print_plan(i, &plan);
		}
	}
	if (dry)
		return 0;
	double el = fuzz_elapsed();

	if (!gone)
		probe("after the run");
	printf("ctlfuzz: %lu scenarios in %.1f s:", st.scenarios, el);
	for (int k = 0; k < NKINDS; k++)
		if (st.kind_runs[k])
			printf(" %s=%lu", kind_names[k], st.kind_runs[k]);
	putchar('\n');
	printf("ctlfuzz: %lu connections; answers: ok=%lu error=%lu none=%lu (closed unread %lu); "
	       "sends cut short %lu\n", st.connects, st.answered_ok, st.answered_error,
	       st.unanswered, st.closed_unread, st.sends_failed);
	fuzz_print_errors(stdout, "ctlfuzz: connect failures:", &st.connect_err, "-");
	printf("ctlfuzz: probes %lu, slowest %.1f ms\n", st.probes, st.probe_max_ms);
	if (helper >= 0) {
		close(helper);
		waitpid(helper_pid, NULL, 0);
	}
	return fuzz_finish();
}
