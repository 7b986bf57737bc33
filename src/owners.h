/* SPDX-License-Identifier: GPL-2.0-or-later */
/* owners: which processes hold a socket, and what state they are in. */
#ifndef WB_OWNERS_H
#define WB_OWNERS_H

#include "whybind.h"

/* One diagnosis's search for holders: how it will look (chosen once, by
 * WHYBIND_OWNERS and the pid namespace) and, once started, the BPF
 * iterator's list of the host's socket descriptors being made in a
 * thread meanwhile. */
struct wb_owner_walk;

/* How owners_find() found the holders. */
struct wb_owners_how {
	const char *method;		/* "bpf", "proc"; NULL: none looked for */
	/* WHYBIND_OWNERS=bpf, and /proc walked instead: */
	bool bpf_pidns;			/* the iterator's pids are not /proc's */
	int bpf_err;			/* or it failed: -errno */
};

/* A walk, not started: WHYBIND_OWNERS=proc or =bpf picks the way (for
 * tests and comparison); by default the iterator where it works (in the
 * initial pid namespace), /proc elsewhere.  Never NULL. */
struct wb_owner_walk *owners_open(void);

/* Start listing the host's socket descriptors with the BPF iterator in a
 * thread (as root, where it is the way), for owners_find(): call it as
 * soon as the port's dump shows a held socket, so that the two walks
 * overlap.  Again, or where BPF is not the way: nothing. */
void owners_start(struct wb_owner_walk *walk);

/* Fill owners/n_owners/owners_visible of each socket with a nonzero
 * inode: by the iterator (the list owners_start() made, else a walk of
 * its own) where it is the way and works, else by one walk of
 * /proc/PID/fd.  Processes that vanish mid-walk are skipped.
 * owners_visible is false for a socket whose holders could not be found
 * while some /proc/PID/fd was unreadable.  Returns 0 or -errno. */
int owners_find(struct wb_owner_walk *walk, struct wb_sock *socks, size_t n,
		struct wb_owners_how *how);

/* Free the walk; a list still being made is abandoned, not waited for. */
void owners_close(struct wb_owner_walk *walk);

/* Read SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY and the bound device
 * (SO_BINDTOIFINDEX, where the dump gave none) of a live socket from
 * its first holder that lends it (sockopt.h).  Leaves the fields
 * WB_UNKNOWN where that is not permitted. */
void owners_read_sockopts(struct wb_sock *s);

#endif
