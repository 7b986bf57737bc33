/* fix: the two safe fixes.  SOCK_DESTROY of one exact TIME_WAIT socket:
 * the request names the full 4-tuple and the cookie from the dump, so the
 * kernel destroys that socket or none, never a dump-wide match (compare
 * `ss -K`).  And the removal of a stale AF_UNIX socket file, re-checked
 * just before. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include "fix.h"

static void fill_id(struct inet_diag_sockid *id, const struct wb_sock *s)
{
	id->idiag_sport = htons(s->lport);
	id->idiag_dport = htons(s->rport);
	id->idiag_if = s->ifindex;
	id->idiag_cookie[0] = s->cookie[0];
	id->idiag_cookie[1] = s->cookie[1];
	if (s->family == AF_INET) {
		id->idiag_src[0] = s->local.u.v4.s_addr;
		id->idiag_dst[0] = s->remote.u.v4.s_addr;
	} else {
		memcpy(id->idiag_src, &s->local.u.v6, 16);
		memcpy(id->idiag_dst, &s->remote.u.v6, 16);
	}
}

int fix_destroy_time_wait(const struct wb_sock *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	struct timeval tv = { .tv_sec = 5 };
	unsigned int seq = (unsigned int)time(NULL), portid;
	ssize_t len;
	int rc;

	if (s->protocol != IPPROTO_TCP || s->state != WB_TCP_TIME_WAIT)
		return -EINVAL;
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return -errno;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = s->family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = 1 << WB_TCP_TIME_WAIT;
	fill_id(&req->id, s);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (len < 0) {
		rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
		goto out;
	}
	/* The ack is an NLMSG_ERROR; mnl_cb_run turns its code into errno. */
	rc = mnl_cb_run(buf, len, seq, portid, NULL, NULL) < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return rc;
}

int fix_remove_stale_socket(const struct wb_unix_target *t,
			    const struct wb_unix_file *seen)
{
	struct wb_socklist live = { 0 };
	struct wb_unix_file now;
	int rc;

	if (t->abstract || !seen->exists || !seen->is_socket)
		return -EINVAL;
	rc = unix_inspect_path(t->name, &now);
	if (rc < 0)
		return rc;
	if (!now.exists || !now.is_socket || now.dev != seen->dev ||
	    now.ino != seen->ino)
		return -ESTALE;
	rc = unix_dump_bound(t, &now, &live);
	if (rc == 0 && live.n)
		rc = -EBUSY;
	socklist_free(&live);
	if (rc == 0 && unlink(t->name) < 0)
		rc = -errno;
	return rc;
}
