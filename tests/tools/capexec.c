// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-capexec: run a command with exactly the given capabilities,
 * optionally as another user (busybox's setpriv cannot do this).
 *
 * usage: adaptswap-capexec [-u UID] [-c CAP[,CAP...]] COMMAND [ARG...]
 *   -u UID   switch to this uid and gid (supplementary groups dropped)
 *   -c CAPS  capabilities the command keeps, by name without "cap_"
 *            (net_admin, sys_admin, dac_override, ...) or number; the
 *            default is none.  They become its permitted, effective,
 *            inheritable and ambient sets, and every other capability is
 *            dropped from the bounding set, so the command has these and
 *            no others, as root too.
 *
 * Must start with CAP_SETPCAP, CAP_SETUID and CAP_SETGID (root).  Exit 2
 * on a usage error, 1 when a step fails (with the reason on stderr);
 * otherwise the command replaces this program.
 */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static const char *const cap_names[] = {
	[CAP_CHOWN] = "chown",
	[CAP_DAC_OVERRIDE] = "dac_override",
	[CAP_DAC_READ_SEARCH] = "dac_read_search",
	[CAP_FOWNER] = "fowner",
	[CAP_KILL] = "kill",
	[CAP_SETGID] = "setgid",
	[CAP_SETUID] = "setuid",
	[CAP_SETPCAP] = "setpcap",
	[CAP_NET_ADMIN] = "net_admin",
	[CAP_IPC_LOCK] = "ipc_lock",
	[CAP_SYS_MODULE] = "sys_module",
	[CAP_SYS_RESOURCE] = "sys_resource",
	[CAP_SYS_ADMIN] = "sys_admin",
};

static void usage(void)
{
	fprintf(stderr, "usage: adaptswap-capexec [-u UID] [-c CAP[,CAP...]] COMMAND [ARG...]\n");
	exit(2);
}

static int cap_parse(const char *s)
{
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (cap_names[i] && !strcmp(s, cap_names[i]))
			return (int)i;
	n = strtol(s, &end, 10);
	if (*s && !*end && n >= 0 && n < 64)
		return (int)n;
	return -1;
}

static int fail(const char *what)
{
	fprintf(stderr, "adaptswap-capexec: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint64_t keep = 0;
	long uid = -1;
	int o, last;

	while ((o = getopt(argc, argv, "+u:c:")) != -1) {
		switch (o) {
		case 'u': {
			char *end;

			uid = strtol(optarg, &end, 10);
			if (*end || end == optarg || uid < 0)
				usage();
			break;
		}
		case 'c':
			for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ",")) {
				int c = cap_parse(tok);

				if (c < 0) {
					fprintf(stderr, "adaptswap-capexec: unknown capability '%s'\n", tok);
					return 2;
				}
				keep |= 1ULL << c;
			}
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();

	/* The highest capability this kernel knows. */
	for (last = 0; last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0; last++)
		;
	for (int c = 0; c <= last; c++)
		if (!(keep >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return fail("dropping from the bounding set");

	if (uid >= 0) {
		/* Keep the permitted set across the uid change. */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return fail("PR_SET_KEEPCAPS");
		if (setgroups(0, NULL) < 0)
			return fail("setgroups");
		if (setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) < 0)
			return fail("setresgid");
		if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
			return fail("setresuid");
	}

	memset(data, 0, sizeof(data));
	data[0].permitted = data[0].effective = data[0].inheritable = (uint32_t)keep;
	data[1].permitted = data[1].effective = data[1].inheritable = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail("capset");
	for (int c = 0; c <= last; c++)
		if ((keep >> c & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return fail("raising an ambient capability");

	execvp(argv[optind], argv + optind);
	return fail(argv[optind]);
}
