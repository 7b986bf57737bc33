// SPDX-License-Identifier: GPL-2.0-or-later
/* diag: the port's sockets, from NETLINK_SOCK_DIAG (inet_diag) via libmnl.
 *
 * One dump per family, filtered in the kernel by bytecode on the local
 * port, so the cost follows the port's sockets and not the host's.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include "conflict.h"
#include "diag.h"
#include "nldump.h"
#include "owners.h"

/* TCP states 1 (ESTABLISHED) to 11 (CLOSING), as ss's "all"; the kernel
 * adds NEW_SYN_RECV itself when SYN_RECV is asked for.  Bit 13 asks for
 * bind()-only sockets; a kernel that predates it matches no socket to it,
 * so asking is harmless there. */
#define STATES_ALL	(0xfffU | 1U << WB_TCP_BOUND_INACTIVE)

struct dump_ctx {
	int protocol;
	int family;
	uint32_t states;
	uint16_t port;
	struct wb_socklist *out;
	size_t first;			/* where this family's sockets start */
	struct wb_diag_info *info;	/* may be NULL */
	bool seen_bound_inactive;	/* proof beyond the kernel's version */
};


size_t diag_port_bytecode(uint16_t port, void *buf, size_t cap)
{
	/* "sport >= port && sport <= port".  INET_DIAG_BC_S_EQ would do it in
	 * one test, but it is a later addition that an older kernel's audit
	 * (inet_diag_bc_audit) rejects with EINVAL; S_GE and S_LE are as old
	 * as the bytecode.  The port rides in the second op of each test.
	 * "yes" falls through to the next test, or off the end: accept;
	 * "no" jumps 4 bytes past the end, which inet_diag_bc_run rejects. */
	const struct inet_diag_bc_op prog[] = {
		{ INET_DIAG_BC_S_GE, 8, 16 + 4 }, { 0, 0, port },
		{ INET_DIAG_BC_S_LE, 8, 8 + 4 }, { 0, 0, port },
	};

	if (cap < sizeof(prog))
		return 0;
	memcpy(buf, prog, sizeof(prog));
	return sizeof(prog);
}

void diag_kernel_rules(struct wb_kernel_rules *k)
{
	struct utsname u;

	conflict_kernel_rules(uname(&u) < 0 ? NULL : u.release, k);
}

bool diag_kernel_has_bound_inactive(void)
{
	struct wb_kernel_rules k;

	diag_kernel_rules(&k);
	return !k.no_bound_dump;
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	/* Attributes newer than our headers are skipped, not an error. */
	if (mnl_attr_type_valid(attr, INET_DIAG_MAX) < 0)
		return MNL_CB_OK;
	if (type == INET_DIAG_SKV6ONLY &&
	    mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static void copy_addr(struct wb_addr *a, int family, const __be32 *raw)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(&a->u, raw, family == AF_INET ? 4 : 16);
}

/* Bound-only sockets come from the walk of the bind table (v6.8+, and
 * only when bit 13 was asked) with their real state, TCP_CLOSE, not 13.
 * No other walk yields a closed TCP socket: tcp_set_state() unhashes a
 * socket from the established and listening tables as it closes. */
static int state_of(int protocol, int state)
{
	if (protocol == IPPROTO_TCP && state == WB_TCP_CLOSE)
		return WB_TCP_BOUND_INACTIVE;
	return state;
}

int diag_parse_inet(const struct nlmsghdr *nlh, int protocol,
		    struct wb_sock *s)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1] = { 0 };
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*m) ||
	    nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return -EBADMSG;
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	if (wb_attr_parse(nlh, sizeof(struct inet_diag_msg), attr_cb, tb) < 0)
		return -EBADMSG;

	s->protocol = protocol;
	s->family = m->idiag_family;
	s->state = state_of(protocol, m->idiag_state);
	copy_addr(&s->local, s->family, m->id.idiag_src);
	copy_addr(&s->remote, s->family, m->id.idiag_dst);
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	s->ifindex = m->id.idiag_if;
	s->cookie[0] = m->id.idiag_cookie[0];
	s->cookie[1] = m->id.idiag_cookie[1];
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	/* UDP has no timer; before kernel commit 71ddeac8cd1d ("inet_diag:
	 * fix kernel-infoleak for UDP sockets", v5.16) the field was left
	 * unset for it. */
	s->expires_ms = protocol == IPPROTO_TCP ? m->idiag_expires : 0;
	/* Sent for AF_INET6 sockets in LISTEN or CLOSE only: not for
	 * TIME_WAIT, ESTABLISHED or connected UDP. */
	if (tb[INET_DIAG_SKV6ONLY])
		s->v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) ?
			    WB_YES : WB_NO;
	else
		s->v6only = WB_UNKNOWN;
	return 0;
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct wb_sock *s = socklist_add(c->out);
	int rc = diag_parse_inet(nlh, c->protocol, s);

	if (rc < 0) {
		socklist_truncate(c->out, c->out->n - 1);
		return rc;
	}
	if (s->state == WB_TCP_BOUND_INACTIVE)
		c->seen_bound_inactive = true;
	if (s->inode && c->info && c->info->start_walk) {
		owners_start(c->info->start_walk);
		c->info->start_walk = NULL;
	}
	return 0;
}

static void reset(void *data)
{
	struct dump_ctx *c = data;

	socklist_truncate(c->out, c->first);
}

static struct nlmsghdr *put_request(char *buf, void *data)
{
	const struct dump_ctx *c = data;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	char bc[16];

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = c->family;
	req->sdiag_protocol = c->protocol;
	req->idiag_states = c->states;
	/* The listening, established and UDP walks test id.idiag_sport
	 * before the bytecode; the bind-table walk does not. */
	req->id.idiag_sport = htons(c->port);
	mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE,
		     diag_port_bytecode(c->port, bc, sizeof(bc)), bc);
	return nlh;
}

static int dump_family(int family, struct dump_ctx *c, bool once)
{
	struct wb_dump d = { put_request, on_msg, reset, c, once };

	c->family = family;
	c->first = c->out->n;
	return wb_dump_run(&d);
}

/* A TCP dump answers only once the kernel has walked the established and
 * bind tables of the whole host (milliseconds when they are full), even
 * for a port with one listener.  Asked for LISTEN alone, it walks the
 * listening table and stops: a listener some process holds is known at
 * once, so the owners' walk (start_walk) can start before the long dump.
 * What this finds is dropped; the full dump that follows lists it again.
 * Only a kernel that does not answer fails it: the full dump would wait
 * as long again. */
static int peek_listeners(struct dump_ctx *c)
{
	size_t first = c->out->n;
	int rc;

	c->states = 1U << WB_TCP_LISTEN;
	rc = dump_family(AF_INET, c, true);
	if (rc == 0 && c->info->start_walk)
		rc = dump_family(AF_INET6, c, true);
	socklist_truncate(c->out, first);
	c->states = STATES_ALL;
	return rc == -WB_EDUMP_TIMEOUT ? rc : 0;
}

int diag_dump_port(int protocol, uint16_t port, struct wb_socklist *out,
		   struct wb_diag_info *info)
{
	struct dump_ctx c = { .protocol = protocol, .states = STATES_ALL,
			      .port = port, .out = out, .info = info };
	size_t first = out->n;
	int rc;

	if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	rc = protocol == IPPROTO_TCP && info && info->start_walk ?
	     peek_listeners(&c) : 0;
	if (rc == 0)
		rc = dump_family(AF_INET, &c, false);
	if (rc == 0)
		rc = dump_family(AF_INET6, &c, false);
	if (rc < 0) {
		socklist_truncate(out, first);	/* never half a list */
		return rc;
	}
	if (info)
		info->bound_inactive = c.seen_bound_inactive ||
				       diag_kernel_has_bound_inactive();
	return 0;
}
