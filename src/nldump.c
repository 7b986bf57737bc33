// SPDX-License-Identifier: GPL-2.0-or-later
/* nldump: a NETLINK_SOCK_DIAG dump via libmnl, retried whole when the
 * kernel says it was interrupted or the receive queue overran. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include "nldump.h"

/* The kernel sizes dump messages after our receive buffer, up to 32 KiB. */
#define DUMP_BUF	32768

struct run {
	const struct wb_dump *d;
	int error;		/* -errno from a callback, else 0 */
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct run *r = data;
	int rc = r->d->on_msg(nlh, r->d->arg);

	if (rc < 0) {
		r->error = rc;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct run *r = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		r->error = -EBADMSG;
		return MNL_CB_ERROR;
	}
	/* A dump is never acked: an error of 0 is no end of it. */
	if (e->error == 0)
		return MNL_CB_OK;
	r->error = e->error < 0 ? e->error : -e->error;
	return MNL_CB_ERROR;
}

/* A dump that fails once it has started (e.g. ENOENT without the
 * protocol's diag module) says so in NLMSG_DONE's payload (netlink_dump()
 * in af_netlink.c), which libmnl's default handler takes for success. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct run *r = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0) {
		r->error = err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* Not const: mnl_cb_run2() takes it so. */
/* Never written; libmnl 1.0.4 takes it as non-const. */
static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

static int open_diag(struct mnl_socket **out)
{
	struct timeval tv = { .tv_sec = WB_DUMP_TIMEOUT_S };
	struct mnl_socket *nl;
	int rc;

	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)) < 0 ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		mnl_socket_close(nl);
		return rc;
	}
	*out = nl;
	return 0;
}

static int receive(struct mnl_socket *nl, char *buf, unsigned int seq,
		   struct run *r)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t len;
	int rc = MNL_CB_OK;

	do {
		len = mnl_socket_recvfrom(nl, buf, DUMP_BUF);
		if (len < 0 && errno == EINTR)
			continue;	/* a signal (--wait's handler), not the dump */
		if (len < 0)
			return errno == EAGAIN ? -WB_EDUMP_TIMEOUT : -errno;
		/* Checks sequence and port id; NLM_F_DUMP_INTR gives EINTR. */
		rc = mnl_cb_run2(buf, len, seq, portid, data_cb, r,
				 ctl_cb, MNL_ARRAY_SIZE(ctl_cb));
	} while (rc > MNL_CB_STOP);
	if (rc < 0)
		return r->error ? r->error : -errno;
	return 0;
}

/* A fresh socket per attempt: nothing of a failed one stays queued. */
static int attempt(struct run *r, unsigned int seq)
{
	char buf[DUMP_BUF];
	struct mnl_socket *nl = NULL;
	struct nlmsghdr *nlh;
	int rc = open_diag(&nl);

	if (rc < 0)
		return rc;
	r->error = 0;
	nlh = r->d->request(buf, r->d->arg);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		rc = -errno;
	else
		rc = receive(nl, buf, seq, r);
	mnl_socket_close(nl);
	return rc;
}

int wb_dump_run(const struct wb_dump *d)
{
	struct run r = { .d = d };
	unsigned int seq = (unsigned int)time(NULL);
	int rc;

	for (int i = 0; i < (d->once ? 1 : WB_DUMP_TRIES); i++) {
		rc = attempt(&r, seq + (unsigned int)i);
		if (rc == 0)
			return 0;
		if (d->reset)
			d->reset(d->arg);
		if (rc == -ENOENT)
			return -WB_EDUMP_NOPROTO;
		if (rc != -EINTR && rc != -ENOBUFS)
			return rc;
	}
	return -WB_EDUMP_INTR;
}

struct strict_walk {
	mnl_attr_cb_t cb;
	void *data;
	const char *next;		/* just past the last attribute seen */
};

static int strict_cb(const struct nlattr *attr, void *data)
{
	struct strict_walk *w = data;

	w->next = (const char *)attr + MNL_ALIGN(attr->nla_len);
	return w->cb(attr, w->data);
}

int wb_attr_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		  mnl_attr_cb_t cb, void *data)
{
	struct strict_walk w = { cb, data, NULL };

	/* libmnl walks to the aligned end of the message, so an unaligned
	 * length (the kernel always pads) would let it read past ours. */
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen) ||
	    nlh->nlmsg_len % MNL_ALIGNTO)
		return -EBADMSG;
	w.next = mnl_nlmsg_get_payload_offset(nlh, hdrlen);
	if (mnl_attr_parse(nlh, hdrlen, strict_cb, &w) < 0)
		return -EBADMSG;
	/* mnl_attr_parse() ends quietly at an attribute whose length runs
	 * past the message: a malformed message, not its end. */
	if (w.next != (const char *)mnl_nlmsg_get_payload_tail(nlh))
		return -EBADMSG;
	return 0;
}
