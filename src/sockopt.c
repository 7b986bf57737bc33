// SPDX-License-Identifier: GPL-2.0-or-later
/* sockopt: the socket-option borrow that --exec and the owners share. */
#include "config.h"
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "pidfd.h"
#include "sockopt.h"

static int get_int(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v = 0;

	return getsockopt(fd, level, name, &v, &len) < 0 ? WB_UNKNOWN : v;
}

static int get_flag(int fd, int level, int name)
{
	int v = get_int(fd, level, name);

	return v == WB_UNKNOWN ? WB_UNKNOWN : v ? WB_YES : WB_NO;
}

static bool is_socket(int fd, uint64_t inode)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       (uint64_t)st.st_ino == inode;
}

int sockopt_borrow(pid_t pid, int fd, uint64_t inode, struct wb_sockopts *o)
{
	int copy = wb_pidfd_dup(pid, fd);

	if (copy < 0)
		return copy;
	if (inode && !is_socket(copy, inode)) {
		close(copy);
		return -ESTALE;
	}
	o->domain = get_int(copy, SOL_SOCKET, SO_DOMAIN);
	o->type = get_int(copy, SOL_SOCKET, SO_TYPE);
	o->protocol = get_int(copy, SOL_SOCKET, SO_PROTOCOL);
	o->reuseaddr = get_flag(copy, SOL_SOCKET, SO_REUSEADDR);
	o->reuseport = get_flag(copy, SOL_SOCKET, SO_REUSEPORT);
	o->v6only = o->domain == AF_INET6 ?
		    get_flag(copy, IPPROTO_IPV6, IPV6_V6ONLY) : WB_UNKNOWN;
	o->ifindex = get_int(copy, SOL_SOCKET, SO_BINDTOIFINDEX);
	close(copy);
	return 0;
}
