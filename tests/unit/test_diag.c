// SPDX-License-Identifier: GPL-2.0-or-later
/* diag: the parser on replies captured from a real kernel (6.18, in a
 * private network namespace, by a throwaway program that built each
 * socket and dumped its port), malformed copies of them, the port
 * bytecode, and one live dump of a socket of our own.
 *
 * Every message is parsed from a heap copy of exactly its length, so
 * AddressSanitizer catches any read past it.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "diag.h"
#include "unit.h"

/* Replies captured from kernel 6.18 (x86_64, so little-endian). */
/* TCP LISTEN 0.0.0.0:8080 */
static const unsigned char tcp4_listen[] = {
	0x7c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x76, 0x06, 0x6b,
	0xc6, 0x55, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x1f, 0x90, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc1, 0x0b, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x4d, 0xec, 0x20, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x15, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x16, 0x00,
	0x52, 0x00, 0x00, 0x00,
};

/* TCP TIME_WAIT 127.0.0.1:8080 -> 127.0.0.1:34886 (the server closed first) */
static const unsigned char tcp4_timewait[] = {
	0x60, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x76, 0x06, 0x6b,
	0xc6, 0x55, 0x00, 0x00, 0x02, 0x06, 0x03, 0x00, 0x1f, 0x90, 0x88, 0x46,
	0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc2, 0x0b, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0xe9, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* TCP bound only [::1]:8080, IPV6_V6ONLY, created with euid 65534 */
static const unsigned char tcp6_bound[] = {
	0x84, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x76, 0x06, 0x6b,
	0xc6, 0x55, 0x00, 0x00, 0x0a, 0x07, 0x00, 0x00, 0x1f, 0x90, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc3, 0x0b, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xff, 0x00, 0x00,
	0x50, 0xec, 0x20, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x15, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x16, 0x00, 0x12, 0x00, 0x00, 0x00,
};

/* TCP LISTEN [::]:8081, dual-stack */
static const unsigned char tcp6_listen[] = {
	0x84, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x76, 0x06, 0x6b,
	0xc6, 0x55, 0x00, 0x00, 0x0a, 0x0a, 0x00, 0x00, 0x1f, 0x91, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc4, 0x0b, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x51, 0xec, 0x20, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x15, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x16, 0x00, 0x12, 0x00, 0x00, 0x00,
};

/* TCP ESTABLISHED [::1]:8081 -> [::1]:43992 (an accepted connection) */
static const unsigned char tcp6_estab[] = {
	0x7c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x76, 0x06, 0x6b,
	0xc6, 0x55, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x00, 0x1f, 0x91, 0xab, 0xd8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0xc5, 0x0b, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x53, 0xec, 0x20, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x15, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x16, 0x00,
	0x12, 0x00, 0x00, 0x00,
};

/* UDP 127.0.0.1:5353 connected to 127.0.0.1:9 */
static const unsigned char udp4_conn[] = {
	0x7c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x76, 0x06, 0x6b,
	0xc6, 0x55, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x14, 0xe9, 0x00, 0x09,
	0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc6, 0x0b, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x55, 0xec, 0x20, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x15, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x16, 0x00,
	0x50, 0x00, 0x00, 0x00,
};

/* UDP [::]:5353 unconnected, dual-stack */
static const unsigned char udp6_unconn[] = {
	0x84, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x76, 0x06, 0x6b,
	0xc6, 0x55, 0x00, 0x00, 0x0a, 0x07, 0x00, 0x00, 0x14, 0xe9, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc7, 0x0b, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x54, 0xec, 0x20, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x15, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x16, 0x00, 0x10, 0x00, 0x00, 0x00,
};

static struct nlmsghdr *copy_msg(const unsigned char *bytes, size_t len)
{
	struct nlmsghdr *nlh = malloc(len);

	if (!nlh)
		abort();
	memcpy(nlh, bytes, len);
	return nlh;
}

/* Parse `len` bytes of a captured message, its header's length set to
 * `len` (a copy cut short is a truncated message, not a short buffer). */
static int parse_cut(const unsigned char *bytes, size_t len, int protocol,
		     struct wb_sock *s)
{
	struct nlmsghdr *nlh = copy_msg(bytes, len);
	int rc;

	nlh->nlmsg_len = len;
	rc = diag_parse_inet(nlh, protocol, s);
	free(nlh);
	return rc;
}

#define PARSE(msg, proto, s) parse_cut(msg, sizeof(msg), proto, s)

/* What socklist_add() leaves; diag_parse_inet() must not touch these. */
static void blank(struct wb_sock *s)
{
	memset(s, 0, sizeof(*s));
	s->v6only = 42;
	s->reuseaddr = WB_YES;
	s->reuseport = WB_NO;
	s->owners_visible = true;
	s->blocks = WB_UNKNOWN;
}

static bool is_v4(const struct wb_addr *a, const char *text)
{
	struct in_addr want;

	inet_pton(AF_INET, text, &want);
	return a->family == AF_INET && a->u.v4.s_addr == want.s_addr;
}

static bool is_v6(const struct wb_addr *a, const char *text)
{
	struct in6_addr want;

	inet_pton(AF_INET6, text, &want);
	return a->family == AF_INET6 && a->scope_id == 0 &&
	       memcmp(&a->u.v6, &want, sizeof(want)) == 0;
}

static void test_tcp4(void)
{
	struct wb_sock s;

	blank(&s);
	CHECK(PARSE(tcp4_listen, IPPROTO_TCP, &s) == 0);
	CHECK(s.protocol == IPPROTO_TCP);
	CHECK(s.family == AF_INET);
	CHECK(s.state == WB_TCP_LISTEN);
	CHECK(is_v4(&s.local, "0.0.0.0") && s.lport == 8080);
	CHECK(is_v4(&s.remote, "0.0.0.0") && s.rport == 0);
	CHECK(s.uid == 0 && s.inode == 2157645);
	CHECK(s.cookie[0] == 0x70bc1 && s.cookie[1] == 0);
	CHECK(s.ifindex == 0 && s.expires_ms == 0);
	CHECK(s.v6only == WB_UNKNOWN);	/* only sent for AF_INET6 */
	CHECK(s.reuseaddr == WB_YES && s.reuseport == WB_NO);
	CHECK(s.owners_visible && s.owners == NULL);

	/* TIME_WAIT: no process, placeholders 0, time left from the kernel. */
	blank(&s);
	CHECK(PARSE(tcp4_timewait, IPPROTO_TCP, &s) == 0);
	CHECK(s.family == AF_INET && s.state == WB_TCP_TIME_WAIT);
	CHECK(is_v4(&s.local, "127.0.0.1") && s.lport == 8080);
	CHECK(is_v4(&s.remote, "127.0.0.1") && s.rport == 34886);
	CHECK(s.inode == 0 && s.uid == 0);
	CHECK(s.expires_ms > 0 && s.expires_ms <= 60000);
	CHECK(s.expires_ms == 59896);
	CHECK(s.v6only == WB_UNKNOWN);
}

static void test_tcp6(void)
{
	struct wb_sock s;

	/* The kernel sends a bound-only socket with its real state, CLOSE. */
	CHECK(tcp6_bound[16 + 1] == WB_TCP_CLOSE);
	blank(&s);
	CHECK(PARSE(tcp6_bound, IPPROTO_TCP, &s) == 0);
	CHECK(s.family == AF_INET6);
	CHECK(s.state == WB_TCP_BOUND_INACTIVE);
	CHECK(is_v6(&s.local, "::1") && s.lport == 8080);
	CHECK(is_v6(&s.remote, "::") && s.rport == 0);
	CHECK(s.uid == 65534 && s.inode == 2157648);
	CHECK(s.v6only == WB_YES);

	blank(&s);
	CHECK(PARSE(tcp6_listen, IPPROTO_TCP, &s) == 0);
	CHECK(s.state == WB_TCP_LISTEN);
	CHECK(is_v6(&s.local, "::") && s.lport == 8081);
	CHECK(s.v6only == WB_NO);

	/* No INET_DIAG_SKV6ONLY outside LISTEN and CLOSE: unknown. */
	blank(&s);
	CHECK(PARSE(tcp6_estab, IPPROTO_TCP, &s) == 0);
	CHECK(s.state == WB_TCP_ESTABLISHED);
	CHECK(is_v6(&s.local, "::1") && s.lport == 8081);
	CHECK(is_v6(&s.remote, "::1") && s.rport == 43992);
	CHECK(s.inode != 0);
	CHECK(s.v6only == WB_UNKNOWN);
}

static void test_udp(void)
{
	struct wb_sock s;

	blank(&s);
	CHECK(PARSE(udp4_conn, IPPROTO_UDP, &s) == 0);
	CHECK(s.protocol == IPPROTO_UDP && s.family == AF_INET);
	CHECK(s.state == WB_TCP_ESTABLISHED);
	CHECK(is_v4(&s.local, "127.0.0.1") && s.lport == 5353);
	CHECK(is_v4(&s.remote, "127.0.0.1") && s.rport == 9);

	/* An unconnected UDP socket stays CLOSE: not a bound TCP one. */
	blank(&s);
	CHECK(PARSE(udp6_unconn, IPPROTO_UDP, &s) == 0);
	CHECK(s.family == AF_INET6 && s.state == WB_TCP_CLOSE);
	CHECK(is_v6(&s.local, "::") && s.lport == 5353);
	CHECK(s.v6only == WB_NO && s.expires_ms == 0);
}

/* Run a copy of `msg` changed at byte `at` to `val` (a 16-bit value when
 * `wide`), its length set to `len`. */
static int parse_patched(const unsigned char *msg, size_t len, size_t at,
			 unsigned int val, bool wide, struct wb_sock *s)
{
	struct nlmsghdr *nlh = copy_msg(msg, len);
	uint16_t v16 = val;
	int rc;

	nlh->nlmsg_len = len;
	if (wide)
		memcpy((char *)nlh + at, &v16, sizeof(v16));
	else
		((unsigned char *)nlh)[at] = val;
	rc = diag_parse_inet(nlh, IPPROTO_TCP, s);
	free(nlh);
	return rc;
}

static void test_malformed(void)
{
	const size_t base = 16 + sizeof(struct inet_diag_msg);
	struct wb_sock s;

	blank(&s);
	s.state = -1;
	/* Shorter than the header plus struct inet_diag_msg. */
	CHECK(parse_cut(tcp6_bound, base - 4, IPPROTO_TCP, &s) == -EBADMSG);
	CHECK(parse_cut(tcp6_bound, 16, IPPROTO_TCP, &s) == -EBADMSG);
	/* An attribute cut in the middle, the length still aligned. */
	CHECK(parse_cut(tcp6_bound, sizeof(tcp6_bound) - 4, IPPROTO_TCP,
			&s) == -EBADMSG);
	/* An attribute header cut short. */
	CHECK(parse_cut(tcp4_listen, base + 4 + 2, IPPROTO_TCP,
			&s) == -EBADMSG);
	/* An unaligned length: libmnl would walk past it. */
	CHECK(parse_cut(tcp6_bound, sizeof(tcp6_bound) - 2, IPPROTO_TCP,
			&s) == -EBADMSG);
	/* First attribute (at `base`) claims more than the message holds. */
	CHECK(parse_patched(tcp6_bound, sizeof(tcp6_bound), base, 200, true,
			    &s) == -EBADMSG);
	CHECK(parse_patched(tcp6_bound, sizeof(tcp6_bound), base, 0xffff,
			    true, &s) == -EBADMSG);
	/* ... or less than its own header. */
	CHECK(parse_patched(tcp6_bound, sizeof(tcp6_bound), base, 2, true,
			    &s) == -EBADMSG);
	/* INET_DIAG_SKV6ONLY (the second attribute) four bytes long. */
	CHECK(parse_patched(tcp6_bound, sizeof(tcp6_bound), base + 8, 8, true,
			    &s) == -EBADMSG);
	/* Not a SOCK_DIAG_BY_FAMILY message; not an inet family. */
	CHECK(parse_patched(tcp6_bound, sizeof(tcp6_bound), 4, NLMSG_ERROR,
			    true, &s) == -EBADMSG);
	CHECK(parse_patched(tcp6_bound, sizeof(tcp6_bound), 16, AF_UNIX,
			    false, &s) == -EBADMSG);
	CHECK(s.state == -1 && s.v6only == 42);	/* untouched on error */

	/* No attributes at all is well formed: v6only is then unknown. */
	CHECK(parse_cut(tcp6_bound, base, IPPROTO_TCP, &s) == 0);
	CHECK(s.state == WB_TCP_BOUND_INACTIVE && s.v6only == WB_UNKNOWN);
	/* An attribute type newer than our headers is skipped. */
	CHECK(parse_patched(tcp4_listen, sizeof(tcp4_listen), base + 2, 999,
			    true, &s) == 0);
}

/* The kernel's reading of the bytecode (inet_diag_bc_audit and
 * inet_diag_bc_run, net/ipv4/inet_diag.c), for port tests only. */
static int bc_accepts(const unsigned char *bc, int len, uint16_t sport)
{
	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		int yes;

		/* What the audit would refuse with EINVAL. */
		if (len < 8 || op->yes < 8 || op->yes > len + 4 ||
		    op->yes & 3 || op->no < 8 || op->no > len + 4 ||
		    op->no & 3)
			return -1;
		if (op->code == INET_DIAG_BC_S_GE)
			yes = sport >= op[1].no;
		else if (op->code == INET_DIAG_BC_S_LE)
			yes = sport <= op[1].no;
		else
			return -1;
		len -= yes ? op->yes : op->no;
		bc += yes ? op->yes : op->no;
	}
	return len == 0;
}

static void test_bytecode(void)
{
	struct inet_diag_bc_op ops[8], prog[8];
	const unsigned char *buf = (const unsigned char *)prog;
	size_t n = diag_port_bytecode(8080, ops, sizeof(ops));

	CHECK(n == 16);
	CHECK(ops[0].code == INET_DIAG_BC_S_GE && ops[0].yes == 8 &&
	      ops[0].no == 20 && ops[1].no == 8080);
	CHECK(ops[2].code == INET_DIAG_BC_S_LE && ops[2].yes == 8 &&
	      ops[2].no == 12 && ops[3].no == 8080);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		static const unsigned char want[16] = {
			2, 8, 20, 0, 0, 0, 0x90, 0x1f,
			3, 8, 12, 0, 0, 0, 0x90, 0x1f,
		};

		CHECK(memcmp(ops, want, sizeof(want)) == 0);
	}
#endif
	CHECK(diag_port_bytecode(8080, prog, 15) == 0);

	memcpy(prog, ops, n);
	CHECK(bc_accepts(buf, n, 8080) == 1);
	CHECK(bc_accepts(buf, n, 8079) == 0);
	CHECK(bc_accepts(buf, n, 8081) == 0);
	CHECK(bc_accepts(buf, n, 0) == 0);
	n = diag_port_bytecode(65535, prog, sizeof(prog));
	CHECK(bc_accepts(buf, n, 65535) == 1);
	CHECK(bc_accepts(buf, n, 65534) == 0);
	n = diag_port_bytecode(1, prog, sizeof(prog));
	CHECK(bc_accepts(buf, n, 1) == 1);
	CHECK(bc_accepts(buf, n, 0) == 0 && bc_accepts(buf, n, 2) == 0);
}

static const struct wb_sock *find_inode(const struct wb_socklist *l,
					uint64_t inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode)
			return &l->v[i];
	return NULL;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* A listener and a bound-only socket of our own on one ephemeral port:
 * 0.0.0.0 and a v6only [::] do not overlap, and need no address up. */
static void test_live(void)
{
	struct sockaddr_in sa4 = { .sin_family = AF_INET };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	socklen_t salen = sizeof(sa4);
	struct wb_socklist l = { 0 };
	struct wb_diag_info info = { 0 };
	const struct wb_sock *s;
	int one = 1, lfd, bfd, rc;
	uint16_t port;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(lfd >= 0);
	CHECK(bind(lfd, (struct sockaddr *)&sa4, sizeof(sa4)) == 0);
	CHECK(listen(lfd, 1) == 0);
	CHECK(getsockname(lfd, (struct sockaddr *)&sa4, &salen) == 0);
	port = ntohs(sa4.sin_port);
	sa6.sin6_port = sa4.sin_port;
	if (bfd < 0 || setsockopt(bfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				  sizeof(one)) < 0 ||
	    bind(bfd, (struct sockaddr *)&sa6, sizeof(sa6)) < 0) {
		printf("no IPv6: bound-only socket not made\n");
		if (bfd >= 0)
			close(bfd);
		bfd = -1;
	}

	rc = diag_dump_port(IPPROTO_TCP, port, &l, &info);
	if (rc == -ENOENT || rc == -EPROTONOSUPPORT) {
		printf("no inet_diag: live dump skipped\n");
		goto out;
	}
	CHECK(rc == 0);
	CHECK(info.bound_inactive == diag_kernel_has_bound_inactive());
	s = find_inode(&l, inode_of(lfd));
	CHECK(s && s->state == WB_TCP_LISTEN && s->family == AF_INET &&
	      is_v4(&s->local, "0.0.0.0") && s->lport == port &&
	      s->uid == geteuid());
	if (bfd >= 0) {
		s = find_inode(&l, inode_of(bfd));
		if (info.bound_inactive)
			CHECK(s && s->state == WB_TCP_BOUND_INACTIVE &&
			      is_v6(&s->local, "::") && s->v6only == WB_YES);
		else
			CHECK(s == NULL);
	}
	for (size_t i = 0; i < l.n; i++)
		CHECK(l.v[i].lport == port);
	CHECK(diag_dump_port(IPPROTO_ICMP, port, &l, &info) ==
	      -EPROTONOSUPPORT);
out:
	socklist_free(&l);
	if (lfd >= 0)
		close(lfd);
	if (bfd >= 0)
		close(bfd);
}

int main(void)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	test_tcp4();
	test_tcp6();
	test_udp();
	test_malformed();
#else
	printf("big-endian: the captured (little-endian) replies skipped\n");
#endif
	test_bytecode();
	test_live();
	return unit_done();
}
