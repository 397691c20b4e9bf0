// SPDX-License-Identifier: MIT
/*
 * The smallest adaptswap subscriber: print each pressure event's level and
 * how long it took to arrive.  Build:
 *   cc subscriber.c -ladaptswap $(pkg-config --cflags --libs libnl-genl-3.0)
 * Exits after N events (argument, default 1).
 */
#include <stdio.h>
#include <stdlib.h>

#include <adaptswap/adaptswap.h>

static int on_event(const struct adaptswap_event *ev, void *arg)
{
	int *left = arg;

	printf("seq %llu: %s -> %s (%s), delivered in %.3f ms\n",
	       (unsigned long long)ev->seq, adaptswap_level_name(ev->prev_level),
	       adaptswap_level_name(ev->level), adaptswap_cause_name(ev->cause),
	       (double)(ev->received_ns - ev->timestamp_ns) / 1e6);
	fflush(stdout);
	return --*left == 0;	/* non-zero stops adaptswap_dispatch() */
}

int main(int argc, char **argv)
{
	int left = argc > 1 ? atoi(argv[1]) : 1;
	struct adaptswap *as;

	if (adaptswap_open(&as) < 0 || adaptswap_subscribe(as) < 0) {
		fprintf(stderr, "subscriber: %s\n", adaptswap_errmsg(as));
		adaptswap_close(as);
		return 1;
	}
	fprintf(stderr, "subscriber: listening\n");
	while (left > 0)
		if (adaptswap_dispatch(as, on_event, &left) < 0)
			fprintf(stderr, "subscriber: %s\n", adaptswap_errmsg(as));
	adaptswap_close(as);
	return 0;
}
