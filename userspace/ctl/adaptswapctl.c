// SPDX-License-Identifier: GPL-2.0-or-later
/* adaptswapctl - show and drive adaptswap. */
#include <stdio.h>
#include <string.h>

#include "adaptswap.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	/* the operation failed (kernel, daemon, I/O) */
	EXIT_USAGE = 2,	/* bad command line */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: adaptswapctl [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"Exit codes: 0 success, 1 the operation failed, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("adaptswapctl %s\n", adaptswap_lib_version());
		return EXIT_OK;
	}
	fprintf(stderr, "adaptswapctl: unknown command '%s' (see --help)\n",
		argv[1]);
	return EXIT_USAGE;
}
