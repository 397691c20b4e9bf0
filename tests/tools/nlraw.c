// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-nlraw: send a hand-made adaptswap netlink request, for the
 * tests of malformed messages.
 *
 * usage: adaptswap-nlraw CMD [TYPE:HEXBYTES]...
 *   CMD   a command number (1 get, 2 set, 3 event, anything else)
 *   TYPE  attribute type number; HEXBYTES its payload ("-" for none),
 *         e.g. 17:01000000 is ENABLED=1 as a u32 on x86.  TYPE@LEN:HEX
 *         claims nla_len LEN whatever the payload (malformed headers).
 *
 * Prints "ok" or "error <errno> <message>" (the message carries the
 * kernel's extended ack) on stdout; exit 0, 1 when refused, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "adaptswap.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	static unsigned char buf[8192];
	size_t len = 0;
	struct adaptswap *as;
	int cmd, err;

	if (argc < 2) {
		fprintf(stderr, "usage: adaptswap-nlraw CMD [TYPE:HEX]...\n");
		return 2;
	}
	cmd = atoi(argv[1]);
	for (int i = 2; i < argc; i++) {
		char *colon = strchr(argv[i], ':');
		struct nlattr *a = (struct nlattr *)(buf + len);
		size_t n = 0;

		if (!colon || len + NLA_HDRLEN + strlen(colon) / 2 + 4 > sizeof(buf)) {
			fprintf(stderr, "adaptswap-nlraw: bad attribute '%s'\n", argv[i]);
			return 2;
		}
		a->nla_type = (unsigned short)atoi(argv[i]);
		if (strcmp(colon + 1, "-") != 0) {
			for (const char *h = colon + 1; *h; h += 2) {
				int hi = hexval(h[0]), lo = h[1] ? hexval(h[1]) : -1;

				if (hi < 0 || lo < 0) {
					fprintf(stderr, "adaptswap-nlraw: bad hex in '%s'\n", argv[i]);
					return 2;
				}
				buf[len + NLA_HDRLEN + n++] = (unsigned char)(hi << 4 | lo);
			}
		}
		a->nla_len = (unsigned short)(NLA_HDRLEN + n);
		len += NLA_ALIGN(a->nla_len);
		if (strchr(argv[i], '@') && strchr(argv[i], '@') < colon)
			a->nla_len = (unsigned short)atoi(strchr(argv[i], '@') + 1);
	}
	if (adaptswap_open(&as) < 0) {
		printf("error %d %s\n", ENOENT, adaptswap_errmsg(as));
		adaptswap_close(as);
		return 1;
	}
	err = adaptswap_request_raw(as, cmd, buf, len, NULL);
	if (err < 0)
		printf("error %d %s\n", -err, adaptswap_errmsg(as));
	else
		printf("ok\n");
	adaptswap_close(as);
	return err < 0 ? 1 : 0;
}
