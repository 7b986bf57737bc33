// SPDX-License-Identifier: GPL-2.0-or-later
/* The conflict rules' table of cases (rule_cases.h). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "rule_cases.h"

const struct rule_case rule_cases[] = {
	{ "listener blocks the same bind", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "SO_REUSEADDR on both does not pass a listener", LISTEN, "0.0.0.0", 0, 1, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 1, 0, WB_YES },
	{ "wildcard listener blocks a specific address, reuseaddr on both", LISTEN, "0.0.0.0", 0, 1, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 1, 0, WB_YES },
	{ "specific listener blocks the wildcard", LISTEN, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "two specific addresses do not conflict", LISTEN, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.2", 0, 0, 0, WB_NO },
	{ "dual-stack [::] blocks 0.0.0.0", LISTEN, "::", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "v6only [::] does not block 0.0.0.0", LISTEN, "::", 1, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "dual-stack [::] blocks 127.0.0.1", LISTEN, "::", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 0, 0, WB_YES },
	{ "0.0.0.0 blocks a dual-stack [::]", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "::", 0, 0, 0, WB_YES },
	{ "0.0.0.0 does not block a v6only [::]", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "::", 1, 0, 0, WB_NO },
	{ "v6only [::] blocks v6only [::]", LISTEN, "::", 1, 0, 0, 0, IPPROTO_TCP, "::", 1, 0, 0, WB_YES },
	{ "[::1] does not block 127.0.0.1", LISTEN, "::1", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 0, 0, WB_NO },
	{ "[::1] does not block v4-mapped [::ffff:127.0.0.1]", LISTEN, "::1", 0, 0, 0, 0, IPPROTO_TCP, "::ffff:127.0.0.1", 0, 0, 0, WB_NO },
	{ "127.0.0.1 blocks v4-mapped [::ffff:127.0.0.1]", LISTEN, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "::ffff:127.0.0.1", 0, 0, 0, WB_YES },
	{ "[::] dual-stack blocks [::1]", LISTEN, "::", 0, 0, 0, 0, IPPROTO_TCP, "::1", 1, 0, 0, WB_YES },
	{ "SO_REUSEPORT on both, same uid, shares", LISTEN, "0.0.0.0", 0, 0, 1, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 1, WB_NO },
	{ "SO_REUSEPORT on both, other uid, refused", LISTEN, "0.0.0.0", 0, 0, 1, NOBODY, IPPROTO_TCP, "0.0.0.0", 0, 0, 1, WB_YES },
	{ "SO_REUSEPORT on the new socket only", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 1, WB_YES },
	{ "bound socket blocks without SO_REUSEADDR", BOUND, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "bound socket passes with SO_REUSEADDR on both", BOUND, "0.0.0.0", 0, 1, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 1, 0, WB_NO },
	{ "bound socket blocks if only the new one sets it", BOUND, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 1, 0, WB_YES },
	{ "bound socket of another uid, reuseaddr on both", BOUND, "0.0.0.0", 0, 1, 0, NOBODY, IPPROTO_TCP, "0.0.0.0", 0, 1, 0, WB_NO },
	{ "TIME_WAIT blocks without SO_REUSEADDR", TIMEWAIT, "127.0.0.1", 0, 1, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 0, 0, WB_YES },
	{ "TIME_WAIT of a server without SO_REUSEADDR blocks one with it", TIMEWAIT, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 1, 0, WB_YES },
	{ "TIME_WAIT passes with SO_REUSEADDR on both", TIMEWAIT, "127.0.0.1", 0, 1, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 1, 0, WB_NO },
	{ "TIME_WAIT blocks the wildcard", TIMEWAIT, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "TIME_WAIT with SO_REUSEPORT on both, no uid check", TIMEWAIT, "127.0.0.1", 0, 0, 1, NOBODY, IPPROTO_TCP, "127.0.0.1", 0, 0, 1, WB_NO },
	{ "dual-stack [::1] does not block 0.0.0.0", LISTEN, "::1", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "v6only [::1] and 0.0.0.0", LISTEN, "::1", 1, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "v4-mapped [::ffff:127.0.0.1] blocks 127.0.0.1", LISTEN, "::ffff:127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 0, 0, WB_YES },
	{ "v4-mapped [::ffff:127.0.0.1] blocks 0.0.0.0", BOUND, "::ffff:127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "0.0.0.0 blocks a v4-mapped bind", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "::ffff:127.0.0.1", 0, 0, 0, WB_YES },
	{ "UDP blocks a second UDP bind", UDP, "0.0.0.0", 0, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "UDP does not block TCP", UDP, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "TCP does not block UDP", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "UDP with SO_REUSEADDR on both", UDP, "0.0.0.0", 0, 1, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 1, 0, WB_NO },
	{ "UDP with SO_REUSEADDR on the new one only", UDP, "0.0.0.0", 0, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 1, 0, WB_YES },
	{ "UDP with SO_REUSEPORT on both, same uid", UDP, "0.0.0.0", 0, 0, 1, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 1, WB_NO },
	{ "UDP with SO_REUSEPORT on both, other uid", UDP, "0.0.0.0", 0, 0, 1, NOBODY, IPPROTO_UDP, "0.0.0.0", 0, 0, 1, WB_YES },
	{ "UDP wildcard blocks a specific address", UDP, "0.0.0.0", 0, 0, 0, 0, IPPROTO_UDP, "127.0.0.1", 0, 0, 0, WB_YES },
	{ "UDP on two specific addresses", UDP, "127.0.0.1", 0, 0, 0, 0, IPPROTO_UDP, "127.0.0.2", 0, 0, 0, WB_NO },
	{ "UDP dual-stack [::] blocks 0.0.0.0", UDP, "::", 0, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "UDP v6only [::] does not block 0.0.0.0", UDP, "::", 1, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 0, WB_NO },
};

const size_t rule_ncases = sizeof(rule_cases) / sizeof(rule_cases[0]);

void rule_addr(const char *s, struct wb_addr *a)
{
	const char *err;

	if (request_addr_numeric(s, AF_UNSPEC, a, &err) != 0) {
		fprintf(stderr, "bad address in the table: %s\n", s);
		exit(99);
	}
}

void rule_sock(const struct rule_case *c, struct wb_sock *s)
{
	memset(s, 0, sizeof(*s));
	rule_addr(c->old_addr, &s->local);
	s->family = s->local.family;
	s->protocol = c->old == UDP ? IPPROTO_UDP : IPPROTO_TCP;
	s->state = c->old == LISTEN ? WB_TCP_LISTEN : c->old == BOUND ?
		   WB_TCP_BOUND_INACTIVE : c->old == TIMEWAIT ? WB_TCP_TIME_WAIT
		   : WB_TCP_CLOSE;
	s->v6only = s->family == AF_INET6 ? c->old_v6only : WB_NO;
	s->reuseaddr = c->old_reuseaddr;
	s->reuseport = c->old_reuseport;
	s->uid = c->old == TIMEWAIT ? 0 : c->old_uid;
}

void rule_request(const struct rule_case *c, uint16_t port, struct wb_request *r)
{
	memset(r, 0, sizeof(*r));
	rule_addr(c->req_addr, &r->addr);
	r->protocol = c->req_protocol;
	r->port = port;
	r->v6only = c->req_v6only;
	r->reuseaddr = c->req_reuseaddr;
	r->reuseport = c->req_reuseport;
	r->uid = 0;
}
