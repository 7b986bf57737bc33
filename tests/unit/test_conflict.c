// SPDX-License-Identifier: GPL-2.0-or-later
/* The conflict rules, pure: each case of the table (rule_cases.c)
 * through conflict_blocks(), and the kernel behaviours the property test
 * found, where what decides is not in any dump.  No socket is made here:
 * tests/wbrules.c builds the same table, and random cases, for real. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "conflict.h"
#include "rule_cases.h"
#include "unit.h"

static void check_rules(void)
{
	for (size_t i = 0; i < rule_ncases; i++) {
		struct wb_request r;
		struct wb_sock s;
		const char *why;
		int got;

		rule_sock(&rule_cases[i], &s);
		rule_request(&rule_cases[i], 5000, &r);
		s.lport = 5000;
		got = conflict_blocks(&r, &s, &why);
		CHECK(why != NULL);
		if (got != rule_cases[i].want)
			fprintf(stderr, "rules: %s: got %d want %d (%s)\n",
				rule_cases[i].name, got, rule_cases[i].want, why);
		CHECK(got == rule_cases[i].want);
	}
}

/* A TIME_WAIT socket's flags are not in the dump: undecided only where
 * the answer depends on them. */
static void check_unknown_flags(void)
{
	struct wb_request r;
	struct wb_sock s;
	const char *why;

	rule_sock(&rule_cases[24], &s);
	rule_request(&rule_cases[24], 5000, &r);
	s.reuseaddr = s.reuseport = WB_UNKNOWN;
	CHECK(conflict_blocks(&r, &s, &why) == WB_UNKNOWN);
	r.reuseaddr = false;
	CHECK(conflict_blocks(&r, &s, &why) == WB_YES);
	CHECK(conflict_predict(&r, &s, 1) == WB_YES);
	s.local.u.v4.s_addr = htonl(0x7f000002);
	r.reuseaddr = true;
	r.addr.u.v4.s_addr = htonl(0x7f000003);
	CHECK(conflict_predict(&r, &s, 1) == WB_NO);
}

/* Two kernel behaviours the property test found, where the bind-time
 * state the kernel consults is not in any dump: undecided, not wrong. */
static void check_quirks(void)
{
	struct wb_request r = { .protocol = IPPROTO_TCP, .port = 5000, .reuseport = true };
	struct wb_sock s[2];
	const char *why;

	/* seed 7 trial 153: an ESTABLISHED socket with SO_REUSEADDR on
	 * 127.0.0.2, a TIME_WAIT left by a SO_REUSEPORT listener on 0.0.0.0,
	 * and a new SO_REUSEPORT bind on 0.0.0.0, which the kernel let in
	 * through its fast path (seed 98472 trial 41: the same without
	 * SO_REUSEADDR, an ESTABLISHED socket on [::1]). */
	memset(s, 0, sizeof(s));
	rule_addr("0.0.0.0", &r.addr);
	rule_addr("127.0.0.2", &s[0].local);
	rule_addr("127.0.0.1", &s[1].local);
	for (int i = 0; i < 2; i++) {
		s[i].family = AF_INET;
		s[i].protocol = IPPROTO_TCP;
		s[i].reuseaddr = s[i].reuseport = WB_NO;
	}
	s[0].state = WB_TCP_ESTABLISHED;
	s[0].reuseaddr = WB_YES;
	s[1].state = WB_TCP_TIME_WAIT;
	s[1].reuseaddr = s[1].reuseport = WB_UNKNOWN;
	CHECK(conflict_blocks(&r, &s[0], &why) == WB_YES);
	CHECK(conflict_predict(&r, s, 2) == WB_UNKNOWN);
	CHECK(conflict_predict(&r, s, 1) == WB_YES);	/* no trace of one */
	r.reuseport = false;
	CHECK(conflict_predict(&r, s, 2) == WB_YES);

	/* seed 7 trial 603: UDP on 127.0.0.1 (SO_REUSEPORT, root) and on
	 * [::1] (SO_REUSEPORT, nobody); a dual-stack [::] SO_REUSEPORT bind
	 * as root got in: the kernel stopped at root's socket. */
	memset(s, 0, sizeof(s));
	r = (struct wb_request){ .protocol = IPPROTO_UDP, .port = 5000, .reuseport = true };
	rule_addr("::", &r.addr);
	rule_addr("127.0.0.1", &s[0].local);
	rule_addr("::1", &s[1].local);
	for (int i = 0; i < 2; i++) {
		s[i].family = s[i].local.family;
		s[i].protocol = IPPROTO_UDP;
		s[i].state = WB_TCP_CLOSE;
		s[i].reuseaddr = s[i].reuseport = WB_YES;
		s[i].v6only = WB_YES;
	}
	s[1].uid = NOBODY;
	CHECK(conflict_blocks(&r, &s[1], &why) == WB_YES);
	CHECK(conflict_predict(&r, s, 2) == WB_UNKNOWN);
	CHECK(conflict_predict(&r, &s[1], 1) == WB_YES);
	r.reuseport = false;
	r.reuseaddr = true;
	s[1].reuseaddr = WB_NO;
	CHECK(conflict_predict(&r, s, 2) == WB_YES);

	/* seed 88831 trial 108: a socket bound-only on ::ffff:127.0.0.1
	 * (SO_REUSEADDR), and a connection out of [::] (SO_REUSEADDR and
	 * SO_REUSEPORT, now on ::1, overlapping nothing); a SO_REUSEPORT
	 * bind of [::ffff:0.0.0.0] got in: the connection's socket had left
	 * the port's fast path open.  Its options are read for that. */
	memset(s, 0, sizeof(s));
	r = (struct wb_request){ .protocol = IPPROTO_TCP, .port = 5000, .reuseport = true };
	rule_addr("::ffff:0.0.0.0", &r.addr);
	rule_addr("::ffff:127.0.0.1", &s[0].local);
	rule_addr("::1", &s[1].local);
	for (int i = 0; i < 2; i++) {
		s[i].family = AF_INET6;
		s[i].protocol = IPPROTO_TCP;
		s[i].v6only = WB_NO;
		s[i].reuseaddr = WB_YES;
	}
	s[0].state = WB_TCP_BOUND_INACTIVE;
	s[0].reuseport = WB_NO;
	s[1].state = WB_TCP_ESTABLISHED;
	s[1].reuseport = WB_YES;
	CHECK(conflict_blocks(&r, &s[0], &why) == WB_YES);
	CHECK(conflict_overlap(&r, &s[1], &why) == WB_NO);
	CHECK(conflict_options_matter(&r, &s[1]));
	CHECK(conflict_predict(&r, s, 2) == WB_UNKNOWN);
	s[1].reuseport = WB_NO;
	CHECK(conflict_predict(&r, s, 2) == WB_YES);
	r.reuseport = false;
	CHECK(!conflict_options_matter(&r, &s[1]));

	/* seed 11 trial 683, seed 13 trials 268 and 848: a connection on
	 * [::1] accepted by (or made from) a socket bound to [::] blocked
	 * 0.0.0.0 -- and not 127.0.0.2 (seed 11 trial 290) nor
	 * [::ffff:0.0.0.0] (seed 11 trial 681). */
	memset(s, 0, sizeof(s));
	r = (struct wb_request){ .protocol = IPPROTO_TCP, .port = 5000 };
	rule_addr("0.0.0.0", &r.addr);
	rule_addr("::1", &s[0].local);
	s[0].family = AF_INET6;
	s[0].protocol = IPPROTO_TCP;
	s[0].state = WB_TCP_ESTABLISHED;
	s[0].v6only = WB_NO;
	s[0].reuseaddr = s[0].reuseport = WB_NO;
	CHECK(conflict_blocks(&r, &s[0], &why) == WB_UNKNOWN && strstr(why, "[::]"));
	s[0].state = WB_TCP_LISTEN;	/* a listener on [::1] does not */
	CHECK(conflict_blocks(&r, &s[0], &why) == WB_NO);
	s[0].state = WB_TCP_ESTABLISHED;
	rule_addr("127.0.0.2", &r.addr);
	CHECK(conflict_blocks(&r, &s[0], &why) == WB_NO);
	rule_addr("::ffff:0.0.0.0", &r.addr);
	CHECK(conflict_blocks(&r, &s[0], &why) == WB_NO);
}

/* A SO_REUSEPORT group holds 32 768 sockets at most; the next UDP bind
 * that would join it fails (hostile.sh asks the kernel).  Only the
 * sockets it would join count: same family, address, user, device,
 * IPv6-only setting, SO_REUSEPORT. */
static void check_full_group(void)
{
	size_t n = WB_REUSEPORT_GROUP_MAX + 1;
	struct wb_sock *s = calloc(n, sizeof(*s));
	struct wb_request r = { .protocol = IPPROTO_UDP, .port = 5000, .reuseport = true };

	rule_addr("0.0.0.0", &r.addr);
	for (size_t i = 0; i < n; i++) {
		rule_addr("0.0.0.0", &s[i].local);
		s[i].family = AF_INET;
		s[i].protocol = IPPROTO_UDP;
		s[i].state = WB_TCP_CLOSE;
		s[i].reuseaddr = WB_NO;
		s[i].reuseport = WB_YES;
	}
	/* 32 767 of the group, and one on 127.0.0.1: room for one more. */
	rule_addr("127.0.0.1", &s[0].local);
	CHECK(conflict_predict(&r, s, WB_REUSEPORT_GROUP_MAX) == WB_NO);
	CHECK(!conflict_mark_full_group(&r, s, WB_REUSEPORT_GROUP_MAX));
	CHECK(!conflict_group_full(&r, s, WB_REUSEPORT_GROUP_MAX));
	/* Another user's socket, an unread flag, another device: not members. */
	for (int k = 0; k < 3; k++) {
		struct wb_sock *x = &s[WB_REUSEPORT_GROUP_MAX];

		x->uid = k == 0 ? NOBODY : 0;
		x->reuseport = k == 1 ? WB_UNKNOWN : WB_YES;
		x->ifindex = k == 2 ? 7 : 0;
		CHECK(conflict_predict(&r, s, n) != WB_YES);
	}
	/* 32 768: full.  The group's sockets block, the other does not. */
	s[WB_REUSEPORT_GROUP_MAX] = s[1];
	CHECK(conflict_predict(&r, s, n) == WB_YES);
	for (size_t i = 0; i < n; i++)
		s[i].blocks = WB_NO;
	CHECK(conflict_mark_full_group(&r, s, n));
	CHECK(s[1].blocks == WB_YES && strstr(s[1].why, "full"));
	CHECK(s[0].blocks == WB_NO);
	CHECK(conflict_group_full(&r, s, n));
	/* A bind on 127.0.0.1, or without SO_REUSEPORT, joins no full group. */
	r.reuseport = false;
	CHECK(!conflict_mark_full_group(&r, s, n));
	r.reuseport = true;
	rule_addr("127.0.0.1", &r.addr);
	CHECK(!conflict_mark_full_group(&r, s, n));
	free(s);
}

/* The rules that changed between kernel generations, under each: a
 * TCP socket on [::ffff:0.0.0.0] against a bind of a specific v4-mapped
 * address (before v6.8 the two do not meet; Debian 12's 6.1.0-57 in
 * tests/vm).  The same socket against IPv4 addresses, and UDP, never
 * changed. */
static void check_generations(void)
{
	static const struct { const char *old, *req; int proto, want_new, want_old; } t[] = {
		{ "::ffff:0.0.0.0", "::ffff:127.0.0.1", IPPROTO_TCP, WB_YES, WB_NO },
		{ "::ffff:0.0.0.0", "::ffff:127.0.0.2", IPPROTO_TCP, WB_YES, WB_NO },
		{ "::ffff:0.0.0.0", "::ffff:0.0.0.0", IPPROTO_TCP, WB_YES, WB_YES },
		{ "::ffff:0.0.0.0", "127.0.0.1", IPPROTO_TCP, WB_YES, WB_YES },
		{ "::ffff:0.0.0.0", "0.0.0.0", IPPROTO_TCP, WB_YES, WB_YES },
		{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", IPPROTO_TCP, WB_YES, WB_YES },
		{ "::ffff:127.0.0.1", "::ffff:0.0.0.0", IPPROTO_TCP, WB_YES, WB_YES },
		{ "::ffff:0.0.0.0", "::ffff:127.0.0.1", IPPROTO_UDP, WB_YES, WB_YES },
	};
	struct wb_kernel_rules k61, k618;

	conflict_kernel_rules("6.1.0-57-amd64", &k61);
	conflict_kernel_rules("6.18.0", &k618);
	CHECK(k61.no_bound_dump && k61.mapped_misses_mapped_any);
	CHECK(!k618.no_bound_dump && !k618.mapped_misses_mapped_any);
	conflict_kernel_rules("6.8.0", &k618);
	CHECK(!k618.no_bound_dump && !k618.mapped_misses_mapped_any);
	conflict_kernel_rules("6.7.12", &k61);
	CHECK(k61.no_bound_dump && k61.mapped_misses_mapped_any);
	conflict_kernel_rules("10.2.1", &k618);
	CHECK(!k618.no_bound_dump);
	conflict_kernel_rules(NULL, &k61);
	CHECK(k61.no_bound_dump);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct rule_case c = { "generation", t[i].proto == IPPROTO_UDP ? UDP : LISTEN,
				       t[i].old, 0, 0, 0, 0, t[i].proto, t[i].req, 0, 0, 0, 0 };
		struct wb_request r;
		struct wb_sock s;
		const char *why;
		int got_new, got_old;

		rule_sock(&c, &s);
		rule_request(&c, 5000, &r);
		s.lport = 5000;
		got_new = conflict_blocks(&r, &s, &why);
		r.kernel.mapped_misses_mapped_any = true;
		got_old = conflict_blocks(&r, &s, &why);
		if (got_new != t[i].want_new || got_old != t[i].want_old)
			fprintf(stderr, "generations: %s against %s: %d/%d, want %d/%d\n",
				t[i].req, t[i].old, got_new, got_old, t[i].want_new, t[i].want_old);
		CHECK(got_new == t[i].want_new);
		CHECK(got_old == t[i].want_old);
		/* Not overlapping is not blocking, for the prediction too. */
		CHECK(conflict_predict(&r, &s, 1) == t[i].want_old);
	}
}

int main(void)
{
	check_rules();
	check_unknown_flags();
	check_quirks();
	check_full_group();
	check_generations();
	return unit_done();
}
