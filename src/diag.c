/* diag: the port's sockets, from NETLINK_SOCK_DIAG (inet_diag) via libmnl.
 *
 * One dump per family, filtered in the kernel by bytecode on the local
 * port, so the cost follows the port's sockets and not the host's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include "diag.h"

/* An interrupted dump (NLM_F_DUMP_INTR) or an overrun receive queue
 * (ENOBUFS) is retried whole; then the dump fails rather than look whole. */
#define DUMP_TRIES	3
#define RECV_TIMEOUT_S	5
/* The kernel sizes dump messages after our receive buffer, up to 32 KiB. */
#define DUMP_BUF	32768

/* TCP states 1 (ESTABLISHED) to 11 (CLOSING), as ss's "all"; the kernel
 * adds NEW_SYN_RECV itself when SYN_RECV is asked for.  Bit 13 asks for
 * bind()-only sockets; a kernel that predates it matches no socket to it,
 * so asking is harmless there. */
#define STATES_ALL	(0xfffU | 1U << WB_TCP_BOUND_INACTIVE)

struct dump_ctx {
	int protocol;
	struct wb_socklist *out;
	struct wb_diag_info *info;	/* may be NULL */
	int error;			/* -errno from a callback, else 0 */
};

/* The kernel showed us a bound-only socket: proof beyond its version. */
static bool seen_bound_inactive;

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

bool diag_kernel_has_bound_inactive(void)
{
	struct utsname u;
	int major, minor;

	/* Kernel commit 91051f003948 ("tcp: Dump bound-only sockets in
	 * inet_diag.") was applied to net-next in December 2023, after the
	 * v6.7 merge window: it is in v6.8.  A distribution may backport
	 * it, hence the evidence of a dump counts too. */
	if (seen_bound_inactive)
		return true;
	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 8);
}

struct attr_ctx {
	const struct nlattr **tb;
	const char *next;		/* just past the last attribute seen */
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attr_ctx *a = data;
	int type = mnl_attr_get_type(attr);

	a->next = (const char *)attr + MNL_ALIGN(attr->nla_len);
	/* Attributes newer than our headers are skipped, not an error. */
	if (mnl_attr_type_valid(attr, INET_DIAG_MAX) < 0)
		return MNL_CB_OK;
	if (type == INET_DIAG_SKV6ONLY &&
	    mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
		return MNL_CB_ERROR;
	a->tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	struct attr_ctx a = { tb, mnl_nlmsg_get_payload_offset(nlh,
				sizeof(struct inet_diag_msg)) };

	/* libmnl walks to the aligned end of the message, so an unaligned
	 * length (the kernel always pads) would let it read past ours. */
	if (nlh->nlmsg_len % MNL_ALIGNTO)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct inet_diag_msg), attr_cb, &a) < 0)
		return -EBADMSG;
	/* mnl_attr_parse() ends quietly at an attribute whose length runs
	 * past the message: a malformed message, not its end. */
	if (a.next != (const char *)mnl_nlmsg_get_payload_tail(nlh))
		return -EBADMSG;
	return 0;
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
	if (parse_attrs(nlh, tb) < 0)
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

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct wb_sock *s = socklist_add(c->out);
	int rc = diag_parse_inet(nlh, c->protocol, s);

	if (rc < 0) {
		socklist_truncate(c->out, c->out->n - 1);
		c->error = rc;
		return MNL_CB_ERROR;
	}
	if (s->state == WB_TCP_BOUND_INACTIVE)
		seen_bound_inactive = true;
	if (s->inode && c->info && c->info->on_held) {
		c->info->on_held();
		c->info->on_held = NULL;
	}
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct dump_ctx *c = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		c->error = -EBADMSG;
		return MNL_CB_ERROR;
	}
	/* A dump is never acked: an error of 0 is no end of it. */
	if (e->error == 0)
		return MNL_CB_OK;
	c->error = e->error < 0 ? e->error : -e->error;
	return MNL_CB_ERROR;
}

/* A dump that fails once it has started (e.g. ENOENT without the
 * protocol's diag module) says so in NLMSG_DONE's payload (netlink_dump()
 * in af_netlink.c), which libmnl's default handler takes for success. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0) {
		c->error = err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* Not const: mnl_cb_run2() takes it so. */
static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

static struct nlmsghdr *put_request(char *buf, int protocol, int family,
				    uint16_t port, unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	char bc[16];

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = protocol;
	req->idiag_states = STATES_ALL;
	/* The listening, established and UDP walks test id.idiag_sport
	 * before the bytecode; the bind-table walk does not. */
	req->id.idiag_sport = htons(port);
	mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE,
		     diag_port_bytecode(port, bc, sizeof(bc)), bc);
	return nlh;
}

static int open_diag(struct mnl_socket **out)
{
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	struct mnl_socket *nl;

	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)) < 0 ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int rc = -errno;

		mnl_socket_close(nl);
		return rc;
	}
	*out = nl;
	return 0;
}

static int receive_dump(struct mnl_socket *nl, char *buf, unsigned int seq,
			struct dump_ctx *c)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t len;
	int rc;

	do {
		len = mnl_socket_recvfrom(nl, buf, DUMP_BUF);
		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		/* Checks sequence and port id; NLM_F_DUMP_INTR gives EINTR. */
		rc = mnl_cb_run2(buf, len, seq, portid, data_cb, c,
				 ctl_cb, MNL_ARRAY_SIZE(ctl_cb));
	} while (rc > MNL_CB_STOP);
	if (rc < 0)
		return c->error ? c->error : -errno;
	return 0;
}

/* A fresh socket per attempt: nothing of a failed dump is left queued. */
static int dump_once(int family, uint16_t port, struct dump_ctx *c)
{
	char buf[DUMP_BUF];
	unsigned int seq = (unsigned int)time(NULL);
	struct mnl_socket *nl = NULL;
	struct nlmsghdr *nlh;
	int rc = open_diag(&nl);

	if (rc < 0)
		return rc;
	c->error = 0;
	nlh = put_request(buf, c->protocol, family, port, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		rc = -errno;
	else
		rc = receive_dump(nl, buf, seq, c);
	mnl_socket_close(nl);
	return rc;
}

static int dump_family(int family, uint16_t port, struct dump_ctx *c)
{
	size_t first = c->out->n;
	int rc = 0;

	for (int i = 0; i < DUMP_TRIES; i++) {
		rc = dump_once(family, port, c);
		if (rc != -EINTR && rc != -ENOBUFS)
			return rc;
		socklist_truncate(c->out, first);
	}
	return -EAGAIN;
}

int diag_dump_port(int protocol, uint16_t port, struct wb_socklist *out,
		   struct wb_diag_info *info)
{
	struct dump_ctx c = { .protocol = protocol, .out = out, .info = info };
	size_t first = out->n;
	int rc;

	if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	rc = dump_family(AF_INET, port, &c);
	if (rc == 0)
		rc = dump_family(AF_INET6, port, &c);
	if (rc < 0) {
		socklist_truncate(out, first);	/* never half a list */
		return rc;
	}
	if (info)
		info->bound_inactive = diag_kernel_has_bound_inactive();
	return 0;
}
