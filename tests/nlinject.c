// SPDX-License-Identifier: GPL-2.0-or-later
/* nlinject: an LD_PRELOAD shim that makes the kernel's sock_diag dumps
 * fail the ways a busy host makes them fail, so tests can see whybind
 * retry them whole or give up honestly.
 *
 * WB_NLINJECT=MODE[=N] picks what happens to the first N dumps (every one
 * when N is left out) that the process asks of NETLINK_SOCK_DIAG:
 *   intr     the reply part that ends the dump comes flagged
 *            NLM_F_DUMP_INTR, as when the table changed during the walk;
 *   enobufs  that part is lost and recvmsg() fails with ENOBUFS, as when
 *            the receive queue overran;
 *   hang     no reply ever arrives (the kernel's answer is thrown away).
 * The parts before the last are delivered intact, so a whybind that kept
 * them would show a partial list.  whybind's quick look at a port's
 * listeners (an inet dump of LISTEN alone, before the full one) is neither
 * counted nor touched, unless WB_NLINJECT_PEEK=1: then it is the only
 * kind of dump that is.  Each injection is logged as a line
 * "MODE dump D part P" to $WB_NLINJECT_LOG, so a test can tell it
 * happened.
 */
#include "config.h"
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>

#ifndef NETLINK_SOCK_DIAG
#define NETLINK_SOCK_DIAG 4
#endif
#define MAX_FD 4096

static struct {
	unsigned dump;		/* 1-based index of the dump on this fd */
	unsigned part;		/* reply parts received so far */
} fds[MAX_FD];
static unsigned dumps;

static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static int (*real_close)(int);
static ssize_t (*real_sendto)(int, const void *, size_t, int,
			      const struct sockaddr *, socklen_t);

static const char *mode(void)
{
	const char *m = getenv("WB_NLINJECT");

	return m ? m : "";
}

static bool is_mode(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(mode(), name, n) && (!mode()[n] || mode()[n] == '=');
}

static bool injected(unsigned dump)
{
	const char *eq = strchr(mode(), '=');

	return *mode() && (!eq || dump <= strtoul(eq + 1, NULL, 10));
}

static void note(const char *what, int fd)
{
	const char *path = getenv("WB_NLINJECT_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;

	if (!f)
		return;
	fprintf(f, "%s dump %u part %u\n", what, fds[fd].dump, fds[fd].part);
	fclose(f);
}

static bool is_sock_diag(int fd)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 ||
	    v != AF_NETLINK)
		return false;
	len = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 &&
	       v == NETLINK_SOCK_DIAG;
}

/* An inet dump of listeners alone (whybind's quick look), whatever its
 * protocol: a test can then tell that UDP gets none. */
static bool is_peek(const void *buf, size_t len)
{
	const struct inet_diag_req_v2 *r =
		(const void *)((const char *)buf + NLMSG_HDRLEN);

	return len >= NLMSG_HDRLEN + sizeof(*r) &&
	       (r->sdiag_family == AF_INET || r->sdiag_family == AF_INET6) &&
	       r->idiag_states == 1U << 10;	/* TCP_LISTEN */
}

static bool wants_peeks(void)
{
	const char *p = getenv("WB_NLINJECT_PEEK");

	return p && !strcmp(p, "1");
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	const struct nlmsghdr *nlh = buf;

	if (!real_sendto)
		real_sendto = dlsym(RTLD_NEXT, "sendto");
	if (fd >= 0 && fd < MAX_FD) {
		fds[fd].dump = 0;
		fds[fd].part = 0;
		if (len >= sizeof(*nlh) &&
		    (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
		    is_sock_diag(fd) && is_peek(buf, len) == wants_peeks())
			fds[fd].dump = ++dumps;
	}
	return real_sendto(fd, buf, len, flags, to, tolen);
}

int close(int fd)
{
	if (!real_close)
		real_close = dlsym(RTLD_NEXT, "close");
	if (fd >= 0 && fd < MAX_FD)
		fds[fd].dump = 0;
	return real_close(fd);
}

/* Does this reply part end the dump?  Then flag or drop it. */
static bool ends_dump(void *buf, size_t len)
{
	for (struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
		if (h->nlmsg_type == NLMSG_DONE)
			return true;
	return false;
}

static void flag_intr(void *buf, size_t len)
{
	for (struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
		h->nlmsg_flags |= NLM_F_DUMP_INTR;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t n;

	if (!real_recvmsg)
		real_recvmsg = dlsym(RTLD_NEXT, "recvmsg");
	if (fd < 0 || fd >= MAX_FD || !fds[fd].dump ||
	    !injected(fds[fd].dump))
		return real_recvmsg(fd, msg, flags);
	if (is_mode("hang")) {
		/* Swallow the answer until the receive timeout ends it. */
		int err;

		while ((n = real_recvmsg(fd, msg, flags)) >= 0)
			fds[fd].part++;
		err = errno;
		note("hang", fd);
		errno = err;
		return n;
	}
	n = real_recvmsg(fd, msg, flags);
	if (n <= 0 || msg->msg_iovlen < 1)
		return n;
	fds[fd].part++;
	if (!ends_dump(msg->msg_iov[0].iov_base, (size_t)n))
		return n;
	if (is_mode("intr")) {
		flag_intr(msg->msg_iov[0].iov_base, (size_t)n);
		note("intr", fd);
	} else if (is_mode("enobufs")) {
		note("enobufs", fd);
		errno = ENOBUFS;
		return -1;
	}
	return n;
}
