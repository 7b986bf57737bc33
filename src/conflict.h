/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conflict: the kernel's bind rules as a pure function. */
#ifndef WB_CONFLICT_H
#define WB_CONFLICT_H

#include "whybind.h"

/* Do the two local addresses overlap as the kernel sees them
 * (wildcards, IPv4 vs dual-stack IPv6, v4-mapped, bound devices,
 * protocol)?  Unknown only when the socket's v6only is unknown and
 * matters.  On WB_NO, *why says why not. */
int conflict_overlap(const struct wb_request *req, const struct wb_sock *s,
		     const char **why);

/* Would `s` make a bind of `req` fail with EADDRINUSE?  Uses the
 * request's reuseaddr/reuseport/uid and the socket's own flags; WB_UNKNOWN
 * where the answer depends on a flag no one can read (a TIME_WAIT's
 * SO_REUSEADDR).  *why is a short static reason either way. */
int conflict_blocks(const struct wb_request *req, const struct wb_sock *s,
		    const char **why);

/* Do s's own options matter to a bind of req even where their addresses
 * do not overlap?  A TCP SO_REUSEPORT bind: any socket on the port may
 * have opened the kernel's fast path (see conflict_predict()). */
bool conflict_options_matter(const struct wb_request *req,
			     const struct wb_sock *s);

/* The most sockets one SO_REUSEPORT group holds: reuseport_grow() in
 * net/core/sock_reuseport.c doubles a u16 count from 128 and stops here. */
#define WB_REUSEPORT_GROUP_MAX	32768

/* A UDP bind with SO_REUSEPORT joins the group of the sockets on its very
 * address (udp_reuseport_add_sock()), and fails with EADDRINUSE when that
 * group is full.  Is the group req would join with SO_REUSEPORT (set or
 * not) full?  The second, for a req that sets it, marks the group's
 * sockets as blocking when it is. */
bool conflict_group_full(const struct wb_request *req,
			 const struct wb_sock *socks, size_t n);
bool conflict_mark_full_group(const struct wb_request *req,
			      struct wb_sock *socks, size_t n);

/* Fold conflict_blocks over a list, the full group included: WB_YES if
 * any socket blocks, WB_NO if none can, WB_UNKNOWN otherwise.  This is
 * the --no-probe prediction. */
int conflict_predict(const struct wb_request *req,
		     const struct wb_sock *socks, size_t n);

/* The rules of the kernel whose release (uname -r) is `release`: where
 * they differ from v6.8's (struct wb_kernel_rules).  NULL or a release
 * that does not parse counts as old. */
void conflict_kernel_rules(const char *release, struct wb_kernel_rules *k);

#endif
