// SPDX-License-Identifier: MIT
/*
 * The smallest client of adaptswapd's control socket: print the daemon's
 * status as JSON.  Build:
 *   cc daemon-status.c -ladaptswap $(pkg-config --cflags --libs libnl-genl-3.0)
 * Exits 0, or 1 with the reason (not running, no answer in 2 s, refused).
 */
#include <stdio.h>

#include <adaptswap/adaptswap.h>

int main(void)
{
	struct adaptswap_daemon *ad;
	const char *body;
	int r = adaptswap_daemon_open(&ad, NULL, 2000);	/* $ADAPTSWAP_RUNDIR; 2 s */

	if (r == 0)
		r = adaptswap_daemon_ask(ad, "status-json", &body);
	if (r < 0)	/* -ENOENT/-ECONNREFUSED: not running; -ETIMEDOUT; refusals */
		fprintf(stderr, "daemon-status: %s\n", adaptswap_daemon_errmsg(ad));
	else
		fputs(body, stdout);
	adaptswap_daemon_close(ad);
	return r < 0;
}
