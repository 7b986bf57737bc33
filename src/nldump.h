/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nldump: one NETLINK_SOCK_DIAG dump, whole or not at all. */
#ifndef WB_NLDUMP_H
#define WB_NLDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

/* Each attempt sends the request again on a fresh socket.  An attempt
 * the kernel marks interrupted (NLM_F_DUMP_INTR: the table changed under
 * the walk) or that overran the receive queue (ENOBUFS) is thrown away
 * through `reset` and retried; after WB_DUMP_TRIES such attempts the dump
 * fails with -WB_EDUMP_INTR.  A kernel that stops answering fails it
 * with -WB_EDUMP_TIMEOUT after WB_DUMP_TIMEOUT_S seconds.  Never a
 * partial dump presented as whole. */
#define WB_DUMP_TRIES		3
#define WB_DUMP_TIMEOUT_S	5

struct wb_dump {
	/* Writes the request at buf (a page or more); NLM_F_REQUEST and
	 * NLM_F_DUMP are added, and the sequence number set, by the run. */
	struct nlmsghdr *(*request)(char *buf, void *arg);
	/* One reply message: 0, or -errno to fail the dump. */
	int (*on_msg)(const struct nlmsghdr *nlh, void *arg);
	/* Forget what a failed attempt's messages added. */
	void (*reset)(void *arg);
	void *arg;
	/* One attempt only, for a dump whose answer is a hint: one that
	 * was interrupted or overran fails at once with -WB_EDUMP_INTR. */
	bool once;
};

/* Failures only a dump has, as negative values beyond errno's range, so
 * that a message can name them and no other error is taken for them. */
enum {
	WB_EDUMP_INTR = 4096,	/* interrupted or overrun every time */
	WB_EDUMP_TIMEOUT,	/* no answer in WB_DUMP_TIMEOUT_S */
	WB_EDUMP_NOPROTO,	/* no sock_diag handler (ENOENT from the kernel) */
};

/* 0, or -WB_EDUMP_*, or -errno (-EBADMSG, or another error the kernel
 * answered). */
int wb_dump_run(const struct wb_dump *d);

/* Walk the attributes that follow a reply's fixed header of `hdrlen`
 * bytes, as mnl_attr_parse() does, but strictly: a message shorter than
 * its header, of unaligned length, or whose last attribute runs past
 * its end is malformed (-EBADMSG), as is a walk `cb` stops with
 * MNL_CB_ERROR.  0 when every attribute was seen. */
int wb_attr_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		  mnl_attr_cb_t cb, void *data);

#endif
