// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adaptswap-genlfuzz: random generic-netlink messages for the adaptswap
 * family, built by hand on a raw socket (no libnl, so it can send what
 * libnl would refuse to build).
 *
 * usage: adaptswap-genlfuzz [options]
 *   -n N           messages to send (default 20000; 0 with -t: until then)
 *   -s SEED        seed (default $SEED, else a random one); printed first,
 *                  the same seed sends the same messages
 *   -t SEC         stop after SEC seconds
 *   -u USER        become USER (name or uid) before opening any socket
 *   --fire         the module may be unloaded and loaded meanwhile: find
 *                  the family again when it goes, never autoload it, no
 *                  checks of the knobs (others change them too)
 *   --restore      (root) afterwards, set every knob back to its value
 *                  before the run, and check that it reads so
 *   --unchanged    fail unless every knob reads the same after the run
 *   --get          only send one well-formed GET and print the knobs
 *   -v             print every datagram sent, in hex
 *   --only I       send only message I of the sequence (with -n > I):
 *                  replays one message of a run, with -v to see it
 *   --dry-run[=ID] send nothing: print the datagrams a seed gives (for
 *                  family id ID, default 0x20), in hex
 *   --lenient L    take either answer (ack, or EINVAL/ERANGE and no change)
 *                  to simple SETs that only the rules in L judge, and count
 *                  them; L is low-hyst (low_pct + hysteresis_pct >= 100,
 *                  refused once issue #11's fix lands; tests/tools/fuzz.h)
 *
 * What is sent: commands 0-255 (biased to GET and SET), random versions,
 * flags and reserved bytes; attribute sets of random types with payloads
 * of 0-300 bytes, truncated and overlong nla_len, nested garbage; wrong
 * nlmsg_len, several messages in one datagram, short junk datagrams; the
 * socket is reopened now and then with extended acks, capped acks and
 * strict checking switched at random.  Replies are read without blocking
 * and counted by errno.
 *
 * Checks (exit 1 when one fails):
 *   - a well-formed GET is answered after the run, with every knob;
 *   - every data reply is a well-formed attribute stream with LEVEL;
 *   - from a user without CAP_NET_ADMIN no well-formed SET is acknowledged;
 *   - as root, "simple" SETs (well-formed knob attributes only) are checked
 *     against the documented rules: accepted exactly when the new set of
 *     values is valid, refused ones (EINVAL or ERANGE, with an extended-ack
 *     message when the socket asked for one) change nothing, accepted ones
 *     change exactly the knobs they carry (verified by a GET);
 *   - --unchanged / --restore as above.
 * Exit 0 when all hold, 1 when one fails, 2 on usage or setup errors.
 */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/adaptswap.h>

#include "fuzz.h"

#define PROG "adaptswap-genlfuzz"
#define KNOB_ATTR(k) (ADAPTSWAP_A_ENABLED + (k))
#define RING 65536
/*
 * Message i carries sequence number (i + 1) * SEQ_MUL (odd, so invertible mod
 * 2^32): a reply names its message, and the numbers do not look like the
 * small values in attribute payloads that a misparsed message (after a
 * wrong nlmsg_len) may present as its own sequence number.
 */
#define SEQ_MUL 0x9e3779b1u

static uint32_t seq_of(unsigned long i)
{
	return (uint32_t)(i + 1) * SEQ_MUL;	/* never 0 */
}


static struct fuzz_rng rng;
static uint16_t family;		/* 0: not known (or not registered) */
static bool fire, dry;
static unsigned lenient;	/* FUZZ_L_* bits */
static uint32_t ctl_seq = 1;

struct sent {
	uint32_t seq;
	uint8_t cmd;
	bool clean;	/* header as built: REQUEST set, right length and type */
	bool simple;	/* a simple SET (see above) */
};
static struct sent ring[RING];

/* The index of the message that carries seq (if it is one of ours). */
static uint32_t index_of(uint32_t seq)
{
	uint32_t inv = SEQ_MUL;

	for (int k = 0; k < 5; k++)	/* Newton: inv = SEQ_MUL^-1 mod 2^32 */
		inv *= 2 - SEQ_MUL * inv;
	return seq * inv - 1;
}

/* The message a sequence number was sent with, if it is a recent one. */
static const struct sent *sent_of(uint32_t seq)
{
	const struct sent *s = &ring[index_of(seq) % RING];

	return s->seq == seq ? s : NULL;
}

static struct {
	unsigned long datagrams, data, done, other, malformed, overruns;
	unsigned long family_gone, resolves, simple, simple_wrong, violations;
	unsigned long no_ack, skipped;
	struct fuzz_counts send, reply, recv;
	struct fuzz_lenient_counts len;
} st;

/* ---- sockets and plain requests ----------------------------------------- */

static int nl_socket(bool nonblock, int ext_ack, int cap_ack, int strict)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
			NETLINK_GENERIC);
	int buf = 1 << 20;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(fd);
		return -e;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &ext_ack, sizeof(ext_ack));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &cap_ack, sizeof(cap_ack));
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &strict, sizeof(strict));
	return fd;
}

static int nl_send(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	return sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&k, sizeof(k)) < 0 ? -errno : 0;
}

/* Walk the attributes in [p, p+len): calls cb(type, payload, len) for each;
 * returns -1 when the stream is malformed. */
static int walk_attrs(const void *p, size_t len,
		      void (*cb)(uint16_t type, const void *data, size_t n, void *arg), void *arg)
{
	const unsigned char *b = p;
	size_t off = 0;

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)(b + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return -1;
		if (cb)
			cb(a->nla_type & NLA_TYPE_MASK, b + off + NLA_HDRLEN,
			   a->nla_len - NLA_HDRLEN, arg);
		off += NLA_ALIGN(a->nla_len);
	}
	return off >= len ? 0 : -1;
}

static size_t put_attr(unsigned char *p, uint16_t type, const void *data, size_t n)
{
	struct nlattr *a = (struct nlattr *)p;

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	memcpy(p + NLA_HDRLEN, data, n);
	memset(p + NLA_HDRLEN + n, 0, NLA_ALIGN(n) - n);
	return NLA_ALIGN(NLA_HDRLEN + n);
}

/*
 * One request on a blocking socket, then its answer: data messages go to
 * cb; returns the error of an NLMSG_ERROR (0 for an ack), 0 after the
 * first data message (or NLMSG_DONE for a dump), -ETIMEDOUT.
 */
static int nl_ask(int fd, void *req, size_t len, bool dump,
		  int (*cb)(const struct nlmsghdr *, void *), void *arg)
{
	static unsigned char buf[65536];
	struct nlmsghdr *h = req;
	double deadline = fuzz_now() + 5;
	int r;

	h->nlmsg_seq = ctl_seq++;
	r = nl_send(fd, req, len);
	if (r)
		return r;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)((deadline - fuzz_now()) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *m = (void *)buf; NLMSG_OK(m, n); m = NLMSG_NEXT(m, n)) {
			if (m->nlmsg_seq != h->nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(m))->error;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			r = cb ? cb(m, arg) : 0;
			if (r || !dump)
				return r;
		}
	}
}

struct family_want {
	bool match;
	uint16_t id;
	bool found;
};

static void family_attr(uint16_t type, const void *data, size_t n, void *arg)
{
	struct family_want *w = arg;

	if (type == CTRL_ATTR_FAMILY_NAME && n >= sizeof(ADAPTSWAP_GENL_NAME) &&
	    !memcmp(data, ADAPTSWAP_GENL_NAME, sizeof(ADAPTSWAP_GENL_NAME)))
		w->match = true;
	if (type == CTRL_ATTR_FAMILY_ID && n >= 2)
		memcpy(&w->id, data, 2);
}

static int family_cb(const struct nlmsghdr *m, void *arg)
{
	struct family_want *w = arg;

	w->match = false;
	w->id = 0;
	if (walk_attrs((const char *)NLMSG_DATA(m) + GENL_HDRLEN,
		       m->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, family_attr, w) == 0 &&
	    w->match && w->id)
		w->found = true;
	return w->found ? 1 : 0;
}

/*
 * The family's id: by name (which autoloads the module, as every client
 * does), or with --fire from a dump of all families (which does not).
 */
static int resolve(int fd, uint16_t *id)
{
	unsigned char req[128] = { 0 };
	struct nlmsghdr *h = (void *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct family_want w = { 0 };
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;
	int r;

	st.resolves++;
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST | (fire ? NLM_F_DUMP : 0);
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	if (!fire)
		len += put_attr(req + len, CTRL_ATTR_FAMILY_NAME, ADAPTSWAP_GENL_NAME,
				sizeof(ADAPTSWAP_GENL_NAME));
	h->nlmsg_len = (uint32_t)len;
	r = nl_ask(fd, req, len, fire, family_cb, &w);
	if (r < 0 && r != 1)
		return r;
	if (!w.found)
		return -ENOENT;
	*id = w.id;
	return 0;
}

struct status {
	uint32_t knobs[FUZZ_NKNOBS];
	unsigned seen;		/* bit k: knob k present; bit 31: LEVEL */
};

static void status_attr(uint16_t type, const void *data, size_t n, void *arg)
{
	struct status *s = arg;

	if (type >= KNOB_ATTR(0) && type < KNOB_ATTR(FUZZ_NKNOBS) && n == 4) {
		memcpy(&s->knobs[type - KNOB_ATTR(0)], data, 4);
		s->seen |= 1u << (type - KNOB_ATTR(0));
	}
	if (type == ADAPTSWAP_A_LEVEL && n == 1)
		s->seen |= 1u << 31;
}

static int status_cb(const struct nlmsghdr *m, void *arg)
{
	struct status *s = arg;

	if (m->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	s->seen = 0;
	if (walk_attrs((const char *)NLMSG_DATA(m) + GENL_HDRLEN,
		       m->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, status_attr, s))
		return -EBADMSG;
	return s->seen == ((1u << 31) | ((1u << FUZZ_NKNOBS) - 1)) ? 0 : -EBADMSG;
}

/* A well-formed GET; 0 with the knobs, or -errno. */
static int get_knobs(int fd, uint32_t *knobs)
{
	unsigned char req[NLMSG_HDRLEN + GENL_HDRLEN] = { 0 };
	struct nlmsghdr *h = (void *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct status s = { 0 };
	int r;

	if (!family)
		return -ENOENT;
	h->nlmsg_len = sizeof(req);
	h->nlmsg_type = family;
	h->nlmsg_flags = NLM_F_REQUEST;
	g->cmd = ADAPTSWAP_CMD_GET;
	g->version = ADAPTSWAP_GENL_VERSION;
	r = nl_ask(fd, req, sizeof(req), false, status_cb, &s);
	if (r == 0)
		memcpy(knobs, s.knobs, sizeof(s.knobs));
	return r;
}

/* Every knob at once (all or nothing); 0 or -errno. */
static int set_knobs(int fd, const uint32_t *knobs)
{
	unsigned char req[256] = { 0 };
	struct nlmsghdr *h = (void *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;

	h->nlmsg_type = family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g->cmd = ADAPTSWAP_CMD_SET;
	g->version = ADAPTSWAP_GENL_VERSION;
	for (int k = 0; k < FUZZ_NKNOBS; k++)
		len += put_attr(req + len, KNOB_ATTR(k), &knobs[k], 4);
	h->nlmsg_len = (uint32_t)len;
	return nl_ask(fd, req, len, false, NULL, NULL);
}

static void print_knobs(const char *label, const uint32_t *k)
{
	printf("genlfuzz: %s", label);
	for (int i = 0; i < FUZZ_NKNOBS; i++)
		printf(" %s=%u", fuzz_knobs[i].name, k[i]);
	putchar('\n');
}

/* ---- the generator ------------------------------------------------------ */

static const uint32_t interesting[] = {
	0, 1, 2, 3, 4, 5, 9, 10, 11, 19, 20, 21, 49, 50, 51, 98, 99, 100, 101,
	127, 128, 255, 256, 999, 1000, 1001, 4095, 4096, 59999, 60000, 60001,
	65535, 65536, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};
#define NINTERESTING (sizeof(interesting) / sizeof(interesting[0]))

static uint32_t gen_u32(int knob)
{
	if (knob >= 0 && knob < FUZZ_NKNOBS && fuzz_pct(&rng, 70)) {
		uint32_t lo = fuzz_knobs[knob].min ? fuzz_knobs[knob].min - 1 : 0;
		uint32_t hi = fuzz_knobs[knob].max + 1;

		/* near the ends, or anywhere in range */
		if (fuzz_pct(&rng, 30))
			return fuzz_pct(&rng, 50) ? lo + fuzz_below(&rng, 3) : hi - fuzz_below(&rng, 3);
		return lo + fuzz_below(&rng, hi - lo + 1);
	}
	if (fuzz_pct(&rng, 60))
		return interesting[fuzz_below(&rng, NINTERESTING)];
	return (uint32_t)fuzz_u64(&rng);
}

static uint16_t gen_type(void)
{
	uint32_t c = fuzz_below(&rng, 100);

	if (c < 45)
		return (uint16_t)fuzz_below(&rng, ADAPTSWAP_A_MAX + 4);
	if (c < 75)
		return (uint16_t)KNOB_ATTR(fuzz_below(&rng, FUZZ_NKNOBS));
	if (c < 85)	/* the same with a flag bit */
		return (uint16_t)(fuzz_below(&rng, ADAPTSWAP_A_MAX + 1) |
				  (fuzz_pct(&rng, 50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER));
	return (uint16_t)fuzz_u64(&rng);
}

static size_t gen_len(void)
{
	uint32_t c = fuzz_below(&rng, 100);

	if (c < 35)
		return 4;
	if (c < 45)
		return 8;
	if (c < 55)
		return 0;
	if (c < 65)
		return 1;
	if (c < 75) {
		static const size_t odd[] = { 2, 3, 5, 6, 7, 9, 12, 16 };

		return odd[fuzz_below(&rng, 8)];
	}
	return fuzz_below(&rng, 301);
}

static void gen_payload(unsigned char *p, size_t n, uint16_t type)
{
	uint16_t t = type & NLA_TYPE_MASK;
	int knob = t >= KNOB_ATTR(0) && t < KNOB_ATTR(FUZZ_NKNOBS) ? t - KNOB_ATTR(0) : -1;

	if (n == 4) {
		uint32_t v = gen_u32(knob);

		memcpy(p, &v, 4);
	} else if (n == 8 && fuzz_pct(&rng, 50)) {
		uint64_t v = fuzz_pct(&rng, 50) ? gen_u32(knob) : fuzz_u64(&rng);

		memcpy(p, &v, 8);
	} else if (fuzz_pct(&rng, 10)) {
		memset(p, fuzz_pct(&rng, 50) ? 0 : 0xff, n);
	} else {
		fuzz_bytes(&rng, p, n);
	}
}

/* Random attributes into [p, p+room); returns the bytes used. */
static size_t gen_attrs(unsigned char *p, size_t room, int depth)
{
	uint32_t c = fuzz_below(&rng, 100);
	unsigned n = c < 10 ? 0 : c < 70 ? 1 + fuzz_below(&rng, 4) :
		     c < 95 ? 5 + fuzz_below(&rng, 8) : 13 + fuzz_below(&rng, 28);
	size_t used = 0;

	for (unsigned i = 0; i < n && room - used >= NLA_HDRLEN; i++) {
		struct nlattr *a = (struct nlattr *)(p + used);
		size_t avail = room - used - NLA_HDRLEN, plen, step;
		uint16_t type = gen_type();

		if (depth < 3 && fuzz_pct(&rng, 10)) {
			/* nested garbage */
			plen = gen_attrs(p + used + NLA_HDRLEN, avail < 300 ? avail : 300, depth + 1);
			if (fuzz_pct(&rng, 90))
				type |= NLA_F_NESTED;
		} else {
			plen = gen_len();
			if (plen > avail)
				plen = avail;
			gen_payload(p + used + NLA_HDRLEN, plen, type);
		}
		a->nla_type = type;
		a->nla_len = (uint16_t)(NLA_HDRLEN + plen);
		c = fuzz_below(&rng, 100);
		if (c < 6)		/* truncated: shorter than its header */
			a->nla_len = (uint16_t)fuzz_below(&rng, NLA_HDRLEN);
		else if (c < 10)	/* truncated: shorter than its payload */
			a->nla_len = (uint16_t)fuzz_below(&rng, (uint32_t)(NLA_HDRLEN + plen));
		else if (c < 16)	/* overlong: past the end of the message */
			a->nla_len = fuzz_pct(&rng, 20) ? 0xffff :
				     (uint16_t)(NLA_HDRLEN + plen + 1 + fuzz_below(&rng, 400));
		step = NLA_ALIGN(NLA_HDRLEN + plen);
		if (step > room - used)
			step = room - used;
		/* padding: zero, or junk now and then */
		for (size_t b = NLA_HDRLEN + plen; b < step; b++)
			p[used + b] = fuzz_pct(&rng, 5) ? (unsigned char)fuzz_u64(&rng) : 0;
		used += step;
	}
	return used;
}

/* A simple SET: 1 to 8 distinct knobs, well-formed, values near their ranges. */
static size_t gen_simple_set(unsigned char *p, uint32_t *mask, uint32_t *vals)
{
	unsigned n = fuzz_pct(&rng, 10) ? FUZZ_NKNOBS : 1 + fuzz_below(&rng, 3);
	size_t used = 0;

	*mask = 0;
	for (unsigned i = 0; i < n; i++) {
		int k = (int)fuzz_below(&rng, FUZZ_NKNOBS);

		if (*mask & (1u << k))
			continue;
		*mask |= 1u << k;
		vals[k] = gen_u32(k);
		used += put_attr(p + used, (uint16_t)KNOB_ATTR(k), &vals[k], 4);
	}
	return used;
}

struct msg_info {
	uint8_t cmd;
	bool clean, simple;
	uint32_t mask, vals[FUZZ_NKNOBS];
};

/* One netlink message at p (at most room bytes); returns its length. */
static size_t gen_msg(unsigned char *p, size_t room, uint32_t seq, struct msg_info *mi)
{
	struct nlmsghdr *h = (void *)p;
	struct genlmsghdr *g = (void *)(p + NLMSG_HDRLEN);
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;
	uint32_t c = fuzz_below(&rng, 100);

	memset(p, 0, len);
	mi->clean = true;
	mi->simple = false;
	h->nlmsg_type = fuzz_pct(&rng, 97) ? family : GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	g->version = ADAPTSWAP_GENL_VERSION;
	if (c < 15) {
		/* simple SET: checked against the rules */
		g->cmd = ADAPTSWAP_CMD_SET;
		len += gen_simple_set(p + len, &mi->mask, mi->vals);
		mi->simple = h->nlmsg_type == family;
	} else if (c < 35) {
		/* SET with random attributes besides the knobs */
		g->cmd = ADAPTSWAP_CMD_SET;
		if (fuzz_pct(&rng, 50))
			len += gen_simple_set(p + len, &mi->mask, mi->vals);
		len += gen_attrs(p + len, room - len < 1200 ? room - len : 1200, 0);
	} else if (c < 50) {
		g->cmd = ADAPTSWAP_CMD_GET;
		if (fuzz_pct(&rng, 40))
			len += gen_attrs(p + len, room - len < 1200 ? room - len : 1200, 0);
	} else {
		g->cmd = fuzz_pct(&rng, 30) ? (uint8_t)fuzz_below(&rng, 6) : (uint8_t)fuzz_below(&rng, 256);
		len += gen_attrs(p + len, room - len < 1200 ? room - len : 1200, 0);
	}
	if (!mi->simple) {
		if (fuzz_pct(&rng, 30))
			g->version = (uint8_t)fuzz_u64(&rng);
		if (fuzz_pct(&rng, 10))
			g->reserved = (uint16_t)fuzz_u64(&rng);
		c = fuzz_below(&rng, 100);
		if (c < 10)
			h->nlmsg_flags = NLM_F_REQUEST;
		else if (c < 20)
			h->nlmsg_flags |= NLM_F_DUMP;
		else if (c < 25)
			h->nlmsg_flags |= NLM_F_ECHO;
		else if (c < 35)
			h->nlmsg_flags = (uint16_t)fuzz_u64(&rng);
	}
	mi->cmd = g->cmd;
	h->nlmsg_len = (uint32_t)len;
	if (!mi->simple) {
		c = fuzz_below(&rng, 100);
		if (c < 4)		/* shorter than its headers, or than its attributes */
			h->nlmsg_len = fuzz_below(&rng, (uint32_t)len);
		else if (c < 8)		/* longer than the datagram */
			h->nlmsg_len = (uint32_t)len + 1 + fuzz_below(&rng, 2000);
		else if (c < 9)
			h->nlmsg_len = (uint32_t)fuzz_u64(&rng);
	}
	mi->clean = h->nlmsg_len == len && (h->nlmsg_flags & NLM_F_REQUEST) &&
		    h->nlmsg_type == family;
	return len;
}

static size_t gen_junk(unsigned char *p, uint32_t seq)
{
	size_t len = fuzz_below(&rng, 48);
	struct nlmsghdr *h = (void *)p;

	fuzz_bytes(&rng, p, len);
	if (len >= 6) {
		/* never another family with random commands: ours, or control types */
		static const uint16_t types[] = { NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE,
						  NLMSG_OVERRUN, GENL_ID_CTRL };

		h->nlmsg_type = fuzz_pct(&rng, 50) ? family : types[fuzz_below(&rng, 5)];
	}
	if (len >= 12)
		h->nlmsg_seq = seq;
	return len;
}

/* ---- replies ------------------------------------------------------------- */

static bool privileged;

static void on_error(const struct nlmsghdr *m)
{
	const struct nlmsgerr *e = NLMSG_DATA(m);
	const struct sent *s = sent_of(m->nlmsg_seq);

	if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
		st.malformed++;
		fuzz_fail("an error message of %u bytes", m->nlmsg_len);
		return;
	}
	fuzz_count(&st.reply, e->error);
	if (!privileged && e->error == 0 && s && s->clean &&
	    s->cmd == ADAPTSWAP_CMD_SET) {
		st.violations++;
		fuzz_fail("message %u: a SET from uid %u was acknowledged", index_of(m->nlmsg_seq),
		     getuid());
	}
}

static void on_data(const struct nlmsghdr *m)
{
	struct status s = { 0 };

	st.data++;
	if (status_cb(m, &s) == 0)
		return;
	/* a reply of ours: GET's status, well-formed and complete */
	st.malformed++;
	fuzz_fail("message %u: a malformed or incomplete reply of %u bytes", index_of(m->nlmsg_seq),
	     m->nlmsg_len);
}

static void parse_replies(const unsigned char *buf, ssize_t n)
{
	for (const struct nlmsghdr *m = (const void *)buf; NLMSG_OK(m, n);
	     m = NLMSG_NEXT(m, n)) {
		if (m->nlmsg_type == NLMSG_ERROR)
			on_error(m);
		else if (m->nlmsg_type == NLMSG_DONE)
			st.done++;
		else if (family && m->nlmsg_type == family)
			on_data(m);
		else
			st.other++;
	}
}

/* Read what is there, never wait. */
static void drain(int fd)
{
	static unsigned char buf[65536];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == ENOBUFS)
				st.overruns++;
			else if (errno != EINTR)
				fuzz_count(&st.recv, errno);
			continue;
		}
		parse_replies(buf, n);
	}
}

static void ack_attr(uint16_t type, const void *data, size_t n, void *arg)
{
	if (type == NLMSGERR_ATTR_MSG && n > 1 && ((const char *)data)[0])
		*(bool *)arg = true;
}

/*
 * The answer to one simple SET, read while it is the only message in
 * flight: returns its error (0 = ack) and whether an extended-ack message
 * came with it, or 1 when none came.
 */
static int simple_answer(int fd, uint32_t seq, bool *has_msg)
{
	static unsigned char buf[65536];
	int ret = 1;

	*has_msg = false;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return ret;
			if (errno == ENOBUFS)
				st.overruns++;
			continue;
		}
		for (const struct nlmsghdr *m = (const void *)buf; NLMSG_OK(m, n);
		     m = NLMSG_NEXT(m, n)) {
			const struct nlmsgerr *e = NLMSG_DATA(m);
			size_t off;

			if (m->nlmsg_type != NLMSG_ERROR || m->nlmsg_seq != seq ||
			    m->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
				parse_replies((const void *)m, m->nlmsg_len);
				continue;
			}
			on_error(m);
			ret = e->error;
			if (!(m->nlmsg_flags & NLM_F_ACK_TLVS))
				continue;
			off = NLMSG_HDRLEN + sizeof(*e);
			if (!(m->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len - NLMSG_HDRLEN;
			if (off < m->nlmsg_len)
				walk_attrs((const char *)m + off, m->nlmsg_len - off, ack_attr, has_msg);
		}
	}
}

/* ---- the run ---------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-n N] [-s SEED] [-t SEC] [-u USER] [--fire] [--restore]\n"
		"       [--unchanged] [--get] [--only I] [--lenient low-hyst] [--dry-run[=ID]] [-v]\n",
		PROG);
}

static void print_hex(unsigned long i, const unsigned char *p, size_t n)
{
	printf("msg %lu:", i);
	for (size_t b = 0; b < n; b++)
		printf("%s%02x", b % 4 ? "" : " ", p[b]);
	putchar('\n');
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "fire", no_argument, NULL, 'F' },
		{ "restore", no_argument, NULL, 'R' },
		{ "unchanged", no_argument, NULL, 'U' },
		{ "get", no_argument, NULL, 'G' },
		{ "dry-run", optional_argument, NULL, 'D' },
		{ "only", required_argument, NULL, 'O' },
		{ "lenient", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static unsigned char dgram[16384];
	bool restore = false, unchanged = false, get_only = false, have_before = false;
	unsigned long only = ULONG_MAX;	/* every input */
	uint32_t before[FUZZ_NKNOBS], after[FUZZ_NKNOBS], model[FUZZ_NKNOBS];
	bool model_known = false;
	int ctl = -1, fz = -1, o, ext_ack = 1, r;
	unsigned long reopen_at = 0;

	fuzz_init("genlfuzz", 20000);
	while ((o = getopt_long(argc, argv, FUZZ_OPTS, lo, NULL)) != -1) {
		char *end;

		switch (fuzz_option(o, optarg)) {
		case 0: break;
		case 'F': fire = true; break;
		case 'R': restore = true; break;
		case 'U': unchanged = true; break;
		case 'G': get_only = true; break;
		case 'O': if (fuzz_num(optarg, ULONG_MAX - 1, &only)) { usage(stderr); return 2; } break;
		case 'D':
			dry = true;
			family = 0x20;
			if (optarg) {
				unsigned long f = strtoul(optarg, &end, 0);

				if (*end || !f || f > 0xffff) { usage(stderr); return 2; }
				family = (uint16_t)f;
			}
			break;
		case 'L':
			/* only the knob rule concerns netlink: its numbers are binary */
			if (fuzz_parse_lenient(optarg, &lenient) ||
			    (lenient & ~(1u << FUZZ_L_LOW_HYST))) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (fuzz_options_end(argc)) {
		usage(stderr);
		return 2;
	}
	if (fuzz_run.user && fuzz_become(PROG, fuzz_run.user))
		return 2;
	privileged = geteuid() == 0;
	signal(SIGPIPE, SIG_IGN);
	fuzz_catch_signals();

	if (dry) {
		fuzz_hello(&rng, ", dry run for family 0x%x", family);
		goto run;
	}
	ctl = nl_socket(false, 1, 1, 0);
	if (ctl < 0) {
		fprintf(stderr, "%s: netlink socket: %s\n", PROG, strerror(-ctl));
		return 2;
	}
	if (get_only) {
		fire = true;	/* never autoload: answering means it is loaded */
		r = resolve(ctl, &family);
		if (!r)
			r = get_knobs(ctl, before);
		if (r) {
			printf("genlfuzz: no answer to GET: %s\n", strerror(-r));
			return 1;
		}
		print_knobs("knobs:", before);
		return 0;
	}

	fuzz_hello(&rng, ", uid %u, %s%s", geteuid(), fire ? "under fire" : "checked",
		   fuzz_run.n ? "" : " (timed)");
	r = resolve(ctl, &family);
	if (r && !fire) {
		fprintf(stderr, "%s: family %s: %s\n", PROG, ADAPTSWAP_GENL_NAME, strerror(-r));
		return 2;
	}
	if (r)
		family = 0;
	have_before = family && get_knobs(ctl, before) == 0;
	if (!fire && !have_before) {
		fprintf(stderr, "%s: no answer to GET before the run\n", PROG);
		return 2;
	}
	if (have_before) {
		printf("genlfuzz: family 0x%x\n", family);
		print_knobs("knobs before:", before);
		memcpy(model, before, sizeof(model));
		model_known = !fire;
	}

run:
	fuzz_start();
	for (unsigned long i = 0; fuzz_more(i); i++) {
		uint32_t seq = seq_of(i), kind;
		struct msg_info mi = { 0 };
		size_t len = 0;
		bool checked;

		/* now and then a fresh socket with other options */
		if (i >= reopen_at) {
			int cap_ack, strict;

			if (fz >= 0)
				close(fz);
			ext_ack = fuzz_pct(&rng, 80);
			cap_ack = fuzz_pct(&rng, 50);
			strict = fuzz_pct(&rng, 50);
			fz = dry ? -1 : nl_socket(true, ext_ack, cap_ack, strict);
			if (!dry && fz < 0) {
				fprintf(stderr, "%s: netlink socket: %s\n", PROG, strerror(-fz));
				return 2;
			}
			reopen_at = i + 1 + fuzz_below(&rng, 2000);
		}
		if (fire && (!family || i % 256 == 0)) {
			uint16_t id;

			if (resolve(ctl, &id) == 0) {
				family = id;
			} else {
				st.family_gone += family != 0;
				family = 0;
			}
		}
		/*
		 * Built whatever the family is: the same seed gives the same
		 * sequence of messages (only the family id in them differs).
		 */
		kind = fuzz_below(&rng, 100);
		if (kind < 5) {
			len = gen_junk(dgram, seq);
		} else if (kind < 10) {
			unsigned parts = 2 + fuzz_below(&rng, 3);

			for (unsigned p = 0; p < parts && sizeof(dgram) - len > 2048; p++)
				len = NLMSG_ALIGN(len + gen_msg(dgram + len, 2048, seq, &mi));
			mi.clean = mi.simple = false;
		} else {
			len = gen_msg(dgram, sizeof(dgram), seq, &mi);
		}
		if (only != ULONG_MAX && i != only)
			continue;
		if (dry) {
			printf("socket ext_ack=%d; ", ext_ack);
			print_hex(i, dgram, len);
			continue;
		}
		if (!family) {
			st.skipped++;
			usleep(1000);
			continue;
		}
		ring[i % RING] = (struct sent){ .seq = seq, .cmd = mi.cmd, .clean = mi.clean };
		if (fuzz_run.verbose)
			print_hex(i, dgram, len);
		checked = mi.simple && !fire;
		if (checked) {
			drain(fz);	/* so that it is alone in flight */
			if (!model_known) {
				if (get_knobs(ctl, model)) {
					fuzz_fail("message %lu: no answer to GET", i);
					continue;
				}
				model_known = true;
			}
		}
		r = nl_send(fz, dgram, len);
		fuzz_count(&st.send, r);
		st.datagrams++;
		if (!checked || r) {
			drain(fz);
			/* as root, anything but a simple SET may have changed knobs */
			if (privileged && (kind < 10 || mi.cmd == ADAPTSWAP_CMD_SET))
				model_known = false;
			continue;
		}

		/* the oracle: a simple SET against the documented rules */
		uint32_t want[FUZZ_NKNOBS], now[FUZZ_NKNOBS];
		const char *why, *pend, *wrong = NULL;
		bool has_msg, either = false, refused;
		int e = simple_answer(fz, seq, &has_msg);

		st.simple++;
		if (e == 1) {
			st.no_ack++;
			fuzz_fail("message %lu: no answer to a SET that asked for an ack", i);
			model_known = false;
			continue;
		}
		memcpy(want, model, sizeof(want));
		for (int k = 0; k < FUZZ_NKNOBS; k++)
			if (mi.mask & (1u << k))
				want[k] = mi.vals[k];
		why = fuzz_knobs_invalid(want);
		pend = why ? NULL : fuzz_knobs_pending(want);
		if (pend && (lenient & (1u << FUZZ_L_LOW_HYST)) && privileged) {
			either = true;	/* a known fault: taken or refused */
			st.len.seen[FUZZ_L_LOW_HYST]++;
			st.len.taken[FUZZ_L_LOW_HYST] += !e;
		} else if (pend) {
			why = pend;
		}
		/* what a refusal must look like, and what it must leave */
		refused = why || (either && e);
		if (get_knobs(ctl, now)) {
			fuzz_fail("message %lu: no answer to GET", i);
			model_known = false;
			continue;
		}
		if (!privileged && e != -EPERM)
			wrong = "a SET without CAP_NET_ADMIN did not fail with EPERM";
		else if (!privileged && memcmp(now, model, sizeof(now)))
			wrong = "a SET without CAP_NET_ADMIN changed knobs";
		else if (privileged && !why && !either && e)
			wrong = "a valid SET was refused";
		else if (privileged && why && !e)
			wrong = "a SET that breaks the rules was accepted";
		else if (privileged && refused && e != -EINVAL && e != -ERANGE)
			wrong = "a refused SET failed with neither EINVAL nor ERANGE";
		else if (privileged && refused && ext_ack && !has_msg)
			wrong = "a refused SET came without an extended-ack message";
		else if (memcmp(now, refused || !privileged ? model : want, sizeof(now)))
			wrong = e ? "a refused SET changed knobs" : "an accepted SET did not set what it asked";
		if (wrong) {
			st.simple_wrong++;
			fuzz_fail("message %lu: %s (answer %s%s%s)", i, wrong, fuzz_errname(-e),
			     why ? ", rule broken: " : "", why ? why : "");
			if (fuzz_failures_shown()) {
				print_knobs("  knobs before:", model);
				print_knobs("  SET asked:   ", want);
				print_knobs("  knobs after: ", now);
				print_hex(i, dgram, len);
			}
		}
		memcpy(model, now, sizeof(model));
	}
	if (dry)
		return 0;
	/* the last answers */
	if (fz >= 0) {
		struct pollfd p = { .fd = fz, .events = POLLIN };

		while (poll(&p, 1, 200) > 0)
			drain(fz);
	}
	fuzz_print_rate(st.datagrams, "datagrams sent");
	if (st.skipped)
		printf(", %lu not sent while the family was gone", st.skipped);
	putchar('\n');
	fuzz_print_counts(stdout, "genlfuzz: send:", &st.send, "ok");
	fuzz_print_counts(stdout, "genlfuzz: replies:", &st.reply, "ack");
	printf("genlfuzz: data replies %lu, done %lu, other %lu, malformed %lu, overruns %lu\n",
	       st.data, st.done, st.other, st.malformed, st.overruns);
	fuzz_print_errors(stdout, "genlfuzz: recv errors:", &st.recv, "?");
	if (fire)
		printf("genlfuzz: family lookups %lu, family gone %lu times\n", st.resolves,
		       st.family_gone);
	else
		printf("genlfuzz: simple SETs checked %lu, wrong %lu, unanswered %lu\n", st.simple,
		       st.simple_wrong, st.no_ack);
	if (!fire)
		fuzz_print_lenient(stdout, "genlfuzz", lenient, &st.len);
	if (st.violations)
		printf("genlfuzz: SETs acknowledged without CAP_NET_ADMIN: %lu\n", st.violations);

	/* the module still answers */
	if (fire) {
		uint16_t id;

		if (resolve(ctl, &id) == 0)
			family = id;
		else
			family = 0;
	}
	r = family ? get_knobs(ctl, after) : -ENOENT;
	if (r) {
		if (!fire)
			fuzz_fail("no answer to a well-formed GET after the run: %s", strerror(-r));
		else
			printf("genlfuzz: after the run: the module is not loaded\n");
	} else {
		print_knobs("knobs after: ", after);
		printf("genlfuzz: GET answered after the run\n");
	}
	if (!r && unchanged && have_before && memcmp(before, after, sizeof(before)))
		fuzz_fail("the knobs changed during the run (uid %u)", geteuid());
	if (!r && restore && have_before) {
		r = set_knobs(ctl, before);
		if (r)
			fuzz_fail("restoring the knobs: %s", strerror(-r));
		else if (get_knobs(ctl, after) || memcmp(before, after, sizeof(before)))
			fuzz_fail("the knobs do not read as restored");
		else
			printf("genlfuzz: knobs restored\n");
	}
	return fuzz_finish();
}
