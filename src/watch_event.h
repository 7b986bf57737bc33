/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch_event: what the BPF program of --watch (watch.bpf.c) sends to
 * user space (watch.c) for each failed bind(): one ring buffer record.
 * Both sides include it; only fixed-size types. */
#ifndef WB_WATCH_EVENT_H
#define WB_WATCH_EVENT_H

#include <linux/types.h>

#define WB_WATCH_COMM	16		/* TASK_COMM_LEN */
#define WB_WATCH_ADDR	128		/* a power of two (the verifier's mask) */
#define WB_WATCH_ADDR_MAX 112		/* what is copied: a sockaddr_un (110) */

/* The per-CPU counters, summed by user space. */
enum wb_watch_count {
	WB_WATCH_SEEN,			/* failed binds of the three errnos */
	WB_WATCH_LOST,			/* of those, not sent: ring buffer full */
	WB_WATCH_NCOUNTS,
};

struct wb_watch_event {
	__u64 time_ns;			/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cgroup_id;		/* cgroup v2 id of the task */
	__u32 pid, tid;
	__u32 sk_uid;			/* the socket's owner (SO_REUSEPORT's uid) */
	__u32 euid, egid;		/* the task's effective ids */
	__u32 netns;			/* inode of the socket's network namespace */
	__s32 err;			/* bind()'s errno, positive */
	__s32 ifindex;			/* SO_BINDTODEVICE, 0 for none */
	__u16 family;			/* the socket's: AF_INET, AF_INET6, AF_UNIX */
	__u16 type;			/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u16 protocol;			/* IPPROTO_TCP, IPPROTO_UDP; 0 for AF_UNIX */
	__u16 addrlen;			/* bytes of addr copied from bind()'s */
	__u8 reuseaddr;			/* sk_reuse */
	__u8 reuseport;			/* sk_reuseport */
	__u8 v6only;			/* sk_ipv6only */
	__u8 freebind;			/* IP_FREEBIND / IPV6_FREEBIND */
	__u8 transparent;		/* IP_TRANSPARENT */
	__u8 pad[3];
	char comm[WB_WATCH_COMM];
	__u8 addr[WB_WATCH_ADDR];	/* bind()'s sockaddr, as the kernel got it */
};

#endif
