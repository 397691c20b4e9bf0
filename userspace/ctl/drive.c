// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswapctl's commands that drive adaptswapd: grow, shrink, release,
 * hold, resume, reload, and metrics; each one request on the daemon's
 * control socket (libadaptswap's adaptswap_daemon_ask()).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/*
 * Ask adaptswapd one request; *body is its answer (valid until *ad is
 * closed).  0, or the exit code after saying why on stderr.
 */
static int ask_daemon(const struct ctl *c, const char *req, struct adaptswap_daemon **ad,
		      const char **body)
{
	bool change = strcmp(c->cmd->name, "metrics");
	int r = adaptswap_daemon_open(ad, NULL, c->timeout_ms ? c->timeout_ms :
				      change ? CHANGE_TIMEOUT_MS : READ_TIMEOUT_MS);

	if (r == 0)
		r = adaptswap_daemon_ask(*ad, req, body);
	if (r == 0)
		return 0;
	say_err(c, "%s", adaptswap_daemon_errmsg(*ad));
	return exit_for(r);
}

/* Is the daemon's JSON answer one valid value?  Else say so. */
bool json_ok(const struct ctl *c, const char *text)
{
	const char *why;
	size_t at;

	if (asj_check(text, strlen(text), &at, &why) == 0)
		return true;
	say_err(c, "adaptswapd sent malformed JSON (byte %zu: %s)", at, why);
	return false;
}

const char grow_help[] =
	"Add one chunk of swap now, as if pressure had reached grow_level, budget\n"
	"permitting; print adaptswapd's decision.  Needs root.";

const char shrink_help[] =
	"Start the swapoff of the least-used managed file now, without waiting for\n"
	"the quiet period, if memory allows; print the decision.  Needs root.";

const char release_help[] =
	"Switch off and delete all managed swap, then hold growth until 'resume'.\n"
	"Refused when memory cannot take the swapped pages back.  Needs root.";

const char hold_help[] = "Stop growing (until 'resume').  Needs root.";

const char resume_help[] = "Allow growing again.  Needs root.";

const char reload_help[] =
	"Make adaptswapd read its configuration file again and print the verdict:\n"
	"applied, or refused with the file's first error (exit 1, the running\n"
	"configuration is kept).  Needs root.";

const char metrics_help[] =
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
int cmd_daemon(const struct ctl *c, int argc, char **argv)
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

