/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag: ask the kernel over NETLINK_SOCK_DIAG which sockets use a port. */
#ifndef WB_DIAG_H
#define WB_DIAG_H

#include <linux/netlink.h>
#include "whybind.h"

struct wb_owner_walk;

struct wb_diag_info {
	bool bound_inactive;	/* the kernel can dump bind()-only TCP sockets */
	/* The owners' walk to start (owners_start), once, as soon as the
	 * dump shows a socket some process holds (a nonzero inode); then
	 * cleared: the walk goes on while the dump does.  For TCP a dump of
	 * the port's listeners alone comes first, so a held listener starts
	 * it within a fraction of a millisecond, before the walk of the
	 * whole host's tables.  NULL: nothing to start. */
	struct wb_owner_walk *start_walk;
};

/* Append to `out` every socket of `protocol` (IPPROTO_TCP or IPPROTO_UDP),
 * IPv4 and IPv6, whose local port is `port`: every TCP state, and
 * bound-but-inactive sockets where the kernel offers them.  The port is
 * filtered in the kernel by inet_diag bytecode.  Returns 0, or what
 * wb_dump_run() fails with (nldump.h: an interrupted dump is retried a
 * few times, then -WB_EDUMP_INTR; never a partial list presented as
 * whole). */
int diag_dump_port(int protocol, uint16_t port, struct wb_socklist *out,
		   struct wb_diag_info *info);

/* Pure: turn one SOCK_DIAG_BY_FAMILY reply message into `out`.
 * Validates lengths and every attribute; returns 0 or -EBADMSG. */
int diag_parse_inet(const struct nlmsghdr *nlh, int protocol,
		    struct wb_sock *out);

/* Pure: the inet_diag bytecode that keeps sockets whose source port is
 * `port`.  Writes at most `cap` bytes to buf; returns the length used. */
size_t diag_port_bytecode(uint16_t port, void *buf, size_t cap);

/* Does this kernel dump bound-but-inactive TCP sockets, by its version
 * (v6.8 and later)?  diag_dump_port() also counts what a dump showed. */
bool diag_kernel_has_bound_inactive(void);

/* The running kernel's rules, from its release (conflict_kernel_rules). */
void diag_kernel_rules(struct wb_kernel_rules *k);

#endif
