/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockopt: a live socket's options, read from a descriptor borrowed from
 * a process that holds it. */
#ifndef WB_SOCKOPT_H
#define WB_SOCKOPT_H

#include "whybind.h"

/* What getsockopt() says; WB_UNKNOWN where it could not be read. */
struct wb_sockopts {
	int domain, type, protocol;
	int reuseaddr, reuseport;	/* enum wb_tri */
	int v6only;			/* enum wb_tri; AF_INET6 only */
	int ifindex;			/* SO_BINDTOIFINDEX, 0 for none */
};

/* Borrow descriptor fd of process pid (pidfd_open, pidfd_getfd), read its
 * options, close it.  With a nonzero inode the descriptor must still be
 * that socket (the holder may have closed fd and reused its number):
 * -ESTALE if not.  The borrowed descriptor is only ever given to fstat
 * and getsockopt: never read, written, sent or received on (SPEC).
 * Returns 0 or -errno. */
int sockopt_borrow(pid_t pid, int fd, uint64_t inode, struct wb_sockopts *o);

#endif
