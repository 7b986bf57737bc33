/* diag: the port's sockets, from NETLINK_SOCK_DIAG (inet_diag) via libmnl.
 *
 * One dump per family, filtered in the kernel by bytecode on the local
 * port, so the cost follows the port's sockets and not the host's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include "diag.h"

/* An interrupted dump (NLM_F_DUMP_INTR) or a full receive buffer is
 * retried whole; after that the dump fails rather than look complete. */
#define DUMP_TRIES 3
#define RECV_TIMEOUT_S 5
/* Large enough for any one dump message batch the kernel sends. */
#define DUMP_BUF 32768

struct dump_ctx {
	int protocol;
	struct wb_socklist *out;
	size_t first;			/* out->n before this dump */
	bool interrupted;
	int error;
};

size_t diag_port_bytecode(uint16_t port, void *buf, size_t cap)
{
	/* "sport >= P && sport <= P": S_GE and S_LE are understood by every
	 * kernel with inet_diag bytecode, unlike S_EQ (v5.x).  A "no" jump
	 * lands 4 bytes past the end: reject. */
	const struct inet_diag_bc_op prog[4] = {
		{ INET_DIAG_BC_S_GE, 8, 16 + 4 },
		{ 0, 0, port },
		{ INET_DIAG_BC_S_LE, 8, 8 + 4 },
		{ 0, 0, port },
	};

	if (cap < sizeof(prog))
		return 0;
	memcpy(buf, prog, sizeof(prog));
	return sizeof(prog);
}

bool diag_kernel_has_bound_inactive(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	/* Kernel commit 91051f003948 ("tcp: Dump bound-only sockets in
	 * inet_diag.") is in v6.7; older kernels ignore the state bit. */
	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 7);
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, INET_DIAG_MAX) < 0)
		return MNL_CB_OK;		/* newer than us: ignore */
	if (type == INET_DIAG_SKV6ONLY && mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
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

int diag_parse_inet(const struct nlmsghdr *nlh, int protocol,
		    struct wb_sock *s)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1] = { 0 };
	const struct inet_diag_msg *m;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*m))
		return -EBADMSG;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*m), attr_cb, tb) < 0)
		return -EBADMSG;
	s->protocol = protocol;
	s->family = m->idiag_family;
	s->state = m->idiag_state;
	/* Bound-only sockets come back from the bind-table walk as TCP_CLOSE:
	 * a TCP socket that is closed yet still in a dump is exactly that. */
	if (protocol == IPPROTO_TCP && s->state == WB_TCP_CLOSE)
		s->state = WB_TCP_BOUND_INACTIVE;
	copy_addr(&s->local, s->family, m->id.idiag_src);
	copy_addr(&s->remote, s->family, m->id.idiag_dst);
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	s->ifindex = m->id.idiag_if;
	s->cookie[0] = m->id.idiag_cookie[0];
	s->cookie[1] = m->id.idiag_cookie[1];
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->expires_ms = m->idiag_expires;
	if (tb[INET_DIAG_SKV6ONLY])
		s->v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) ? WB_YES : WB_NO;
	else if (s->family == AF_INET)
		s->v6only = WB_NO;
	return 0;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct wb_sock *s;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		c->interrupted = true;
	s = socklist_add(c->out);
	if (diag_parse_inet(nlh, c->protocol, s) < 0) {
		c->out->n--;
		c->error = -EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void put_request(struct nlmsghdr *nlh, int protocol, int family,
			uint16_t port, unsigned int seq)
{
	struct inet_diag_req_v2 *req;
	char bc[64];

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = protocol;
	/* Every state; bit 13 asks v6.7+ kernels for bound-only sockets. */
	req->idiag_states = ~0U;
	mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE,
		     diag_port_bytecode(port, bc, sizeof(bc)), bc);
}

static int dump_once(struct mnl_socket *nl, int family, uint16_t port,
		     struct dump_ctx *c)
{
	char buf[DUMP_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	static unsigned int seq;
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t len;
	int rc;

	put_request(nlh, c->protocol, family, port, ++seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		rc = mnl_cb_run(buf, len, seq, portid, data_cb, c);
	} while (rc > MNL_CB_STOP);
	if (rc < 0)
		return c->error ? c->error : -errno;
	return 0;
}

static struct mnl_socket *open_diag(void)
{
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);

	if (!nl)
		return NULL;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)) < 0 ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

static int dump_family(int protocol, int family, uint16_t port,
		       struct wb_socklist *out)
{
	struct dump_ctx c = { .protocol = protocol, .out = out, .first = out->n };
	struct mnl_socket *nl = open_diag();
	int rc = -EAGAIN;

	if (!nl)
		return -errno;
	for (int i = 0; i < DUMP_TRIES; i++) {
		c.interrupted = false;
		c.error = 0;
		rc = dump_once(nl, family, port, &c);
		if (rc == 0 && !c.interrupted)
			break;
		/* Start over: never a partial list presented as whole. */
		socklist_truncate(out, c.first);
		if (rc == 0 || rc == -ENOBUFS)
			rc = -EAGAIN;
		else
			break;
	}
	mnl_socket_close(nl);
	return rc;
}

int diag_dump_port(int protocol, uint16_t port, struct wb_socklist *out,
		   struct wb_diag_info *info)
{
	int rc = dump_family(protocol, AF_INET, port, out);

	if (rc < 0)
		return rc;
	rc = dump_family(protocol, AF_INET6, port, out);
	/* A kernel without IPv6 has nothing to dump for it. */
	if (rc == -EAFNOSUPPORT || rc == -ENOENT)
		rc = 0;
	info->bound_inactive = diag_kernel_has_bound_inactive();
	return rc;
}
