// SPDX-License-Identifier: GPL-2.0-or-later
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

#include "diagnose.h"
#include "fix.h"
#include "sock.h"

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

	if (!sock_is_time_wait(s))
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

/* --fix: the only safe fix for an inet port is destroying TIME_WAIT
 * sockets, and only when nothing else is in the way. */
static bool only_time_wait(const struct wb_diagnosis *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];

		if (!sock_in_the_way(s))
			continue;
		if (!sock_is_time_wait(s))
			return false;
		n++;
	}
	return n > 0;
}

/* After a fix: probe again, unless it failed (what was done stays: the
 * reset keeps the actions). */
static int fix_done(struct wb_diagnosis *d, const struct wb_diag_opts *o,
		    const char *error)
{
	d->action.fix_attempted = true;
	d->action.fix_error = error;
	if (error)
		return 0;
	diagnosis_reset(d);
	return diagnose(d, o);
}

/* A fix is applied whole: Ctrl+C, a hangup or a kill that comes
 * meanwhile takes effect once the last socket is destroyed or the file
 * removed (signals_hold), never half-way through. */
static int apply_fix_unix(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	const char *error = NULL;
	sigset_t held;
	int rc;

	if (d->verdict.kind != WB_CAUSE_UNIX_STALE) {
		d->action.fix_attempted = true;
		d->action.fix_error = "nothing safe to fix: only a stale socket file is removed; a file a live socket holds, or that is not a socket, is never touched";
		return 0;
	}
	signals_hold(&held);
	rc = fix_remove_stale_socket(&d->req.target, &d->facts.file);
	signals_release(&held);
	if (rc == -ESTALE)
		error = "the file changed since it was judged stale: not removed";
	else if (rc == -EBUSY)
		error = "a live socket is bound to the file now: not removed";
	else if (rc == -EACCES || rc == -EPERM)
		error = "no permission to remove the file: run as its owner or root";
	else if (rc < 0)
		error = "the stale socket file could not be removed";
	d->action.fix_removed = !error;
	return fix_done(d, o, error);
}

int fix_apply(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	unsigned destroyed = 0;
	const char *error = NULL;
	sigset_t held;

	if (d->req.addr.family == AF_UNIX)
		return apply_fix_unix(d, o);

	if (!only_time_wait(d)) {
		d->action.fix_attempted = true;
		d->action.fix_error = "nothing safe to fix: only TIME_WAIT sockets are destroyed; a live socket's process is never signalled";
		return 0;
	}
	signals_hold(&held);
	for (size_t i = 0; i < d->scan.socks.n && !error; i++) {
		int rc;

		if (!sock_in_the_way(&d->scan.socks.v[i]))
			continue;
		rc = fix_destroy_time_wait(&d->scan.socks.v[i]);
		if (rc == 0 || rc == -ENOENT)
			destroyed += rc == 0;
		else if (rc == -EPERM || rc == -EACCES)
			error = "destroying sockets needs CAP_NET_ADMIN: run as root, or use the ss -K command below";
		else if (rc == -EOPNOTSUPP)
			error = "this kernel cannot destroy sockets (CONFIG_INET_DIAG_DESTROY is off)";
		else
			error = "SOCK_DESTROY failed";
	}
	signals_release(&held);
	d->action.fix_destroyed = destroyed;
	return fix_done(d, o, error);
}
