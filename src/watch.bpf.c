// SPDX-License-Identifier: GPL-2.0-or-later
/* watch.bpf.c: the kernel side of whybind --watch.
 *
 * Two programs on the generic syscall raw tracepoints, sys_enter and
 * sys_exit, that act on bind() alone: at the entry the descriptor and
 * the caller's address pointer are kept by thread; at the exit, when the
 * call failed with EADDRINUSE, EACCES or EADDRNOTAVAIL, the socket
 * behind the descriptor is read (its own options, its namespace) with
 * the address the caller passed, into one ring buffer record
 * (watch_event.h).  When the ring is full the failure is counted as
 * lost, never dropped silently.  It only reads.
 *
 * Why not fexit on inet_bind, inet6_bind and unix_bind: those need BPF
 * trampolines, which a kernel built without CONFIG_FUNCTION_TRACER does
 * not have (the load fails with EPERM), and kprobes need CONFIG_KPROBES;
 * raw tracepoints need neither, nor tracefs mounted.
 *
 * CO-RE: the kernel types below are declared here with only the fields
 * read, preserve_access_index, and libbpf relocates each access against
 * the running kernel's BTF, so the build needs no kernel headers or BTF.
 */
#include <linux/bpf.h>
#include <asm-generic/errno.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "watch_event.h"

#define PAI __attribute__((preserve_access_index))

typedef struct { __u32 val; } PAI kuid_t;
typedef struct { __u32 val; } PAI kgid_t;

struct ns_common { unsigned int inum; } PAI;
struct net { struct ns_common ns; } PAI;
typedef struct { struct net *net; } PAI possible_net_t;

struct sock_common {
	unsigned short skc_family;
	unsigned char skc_reuse:4;
	unsigned char skc_reuseport:1;
	unsigned char skc_ipv6only:1;
	int skc_bound_dev_if;
	possible_net_t skc_net;
} PAI;

struct sock {
	struct sock_common __sk_common;
	kuid_t sk_uid;
	__u16 sk_protocol;
	__u16 sk_type;
} PAI;

/* 6.6 and later: the inet flags are bits of one word (kernel commit
 * "inet: move inet->freebind to inet->inet_flags" and its series); the
 * enum that names them is anonymous, so its values are written here:
 * INET_FLAGS_FREEBIND 11, INET_FLAGS_TRANSPARENT 15 (include/net/inet_sock.h,
 * unchanged since). */
struct inet_sock {
	struct sock sk;
	unsigned long inet_flags;
} PAI;
#define WB_INET_FLAGS_FREEBIND		11
#define WB_INET_FLAGS_TRANSPARENT	15

/* Up to 6.5 (Debian 12's 6.1): one-bit fields. */
struct inet_sock___old {
	__u8 freebind:1;
	__u8 transparent:1;
} PAI;

struct file;

struct socket {
	short type;
	struct file *file;
	struct sock *sk;
} PAI;

struct file { void *private_data; } PAI;
struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} PAI;
struct files_struct { struct fdtable *fdt; } PAI;

/* The syscall's registers as sys_enter sees them, and bind's number. */
#if defined(__TARGET_ARCH_x86)
struct pt_regs { unsigned long di, si, dx, orig_ax; } PAI;
#define NR(r) BPF_CORE_READ(r, orig_ax)
#define ARG1(r) BPF_CORE_READ(r, di)
#define ARG2(r) BPF_CORE_READ(r, si)
#define ARG3(r) BPF_CORE_READ(r, dx)
#define WB_NR_BIND 49
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs { __u64 regs[31]; } PAI;
struct pt_regs {
	struct user_pt_regs user_regs;
	__s32 syscallno;
} PAI;
#define NR(r) BPF_CORE_READ(r, syscallno)
#define ARG1(r) BPF_CORE_READ(r, user_regs.regs[0])
#define ARG2(r) BPF_CORE_READ(r, user_regs.regs[1])
#define ARG3(r) BPF_CORE_READ(r, user_regs.regs[2])
#define WB_NR_BIND 200
#else
#error "watch.bpf.c: bind's syscall number and arguments for this architecture"
#endif

struct cred {
	kuid_t euid;
	kgid_t egid;
} PAI;

struct task_struct {
	const struct cred *cred;
	struct files_struct *files;
} PAI;

/* A bind() between its entry and its exit. */
struct pending {
	__u64 addr;			/* the caller's pointer */
	__u32 fd;
	__u32 addrlen;
};

/* whybind itself: its probes fail by design and are not the host's. */
const volatile __u32 self_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* By thread id; LRU: a thread killed inside bind() leaves no slot
 * behind for ever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pending);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WB_WATCH_NCOUNTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&counts, &which);

	if (n)
		*n += 1;
}

/* "whybind": another whybind's probe (a second watch, a diagnosis run
 * by hand) is not a server failing; reporting it would make two
 * watches diagnose each other's probes for ever. */
static __always_inline int is_whybind(const char *c)
{
	return c[0] == 'w' && c[1] == 'h' && c[2] == 'y' && c[3] == 'b' &&
	       c[4] == 'i' && c[5] == 'n' && c[6] == 'd' && c[7] == '\0';
}

static __always_inline void read_inet_flags(struct sock *sk, struct wb_watch_event *e)
{
	struct inet_sock *inet = (void *)sk;

	if (bpf_core_field_exists(inet->inet_flags)) {
		unsigned long flags = BPF_CORE_READ(inet, inet_flags);

		e->freebind = (flags >> WB_INET_FLAGS_FREEBIND) & 1;
		e->transparent = (flags >> WB_INET_FLAGS_TRANSPARENT) & 1;
	} else {
		struct inet_sock___old *old = (void *)sk;

		e->freebind = BPF_CORE_READ_BITFIELD_PROBED(old, freebind);
		e->transparent = BPF_CORE_READ_BITFIELD_PROBED(old, transparent);
	}
}

/* The socket behind the descriptor, if it is one still. */
static __always_inline struct sock *fd_sock(struct task_struct *task, __u32 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;
	struct socket *sock;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), fds + fd);
	if (!file)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock || BPF_CORE_READ(sock, file) != file)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

static __always_inline int record(const struct pending *p, long ret)
{
	struct wb_watch_event *e;
	struct task_struct *task = (void *)bpf_get_current_task();
	struct sock *sk;
	char comm[WB_WATCH_COMM];
	__u64 id = bpf_get_current_pid_tgid();
	__u32 len;

	if (ret != -EADDRINUSE && ret != -EACCES && ret != -EADDRNOTAVAIL)
		return 0;
	if ((__u32)(id >> 32) == self_tgid)
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	if (is_whybind(comm))
		return 0;
	sk = fd_sock(task, p->fd);
	if (!sk)
		return 0;
	count(WB_WATCH_SEEN);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(WB_WATCH_LOST);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->time_ns = bpf_ktime_get_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	__builtin_memcpy(e->comm, comm, sizeof(comm));
	e->euid = BPF_CORE_READ(task, cred, euid.val);
	e->egid = BPF_CORE_READ(task, cred, egid.val);
	e->err = -ret;
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->type = BPF_CORE_READ(sk, sk_type);
	e->protocol = e->family == 1 /* AF_UNIX */ ? 0 : BPF_CORE_READ(sk, sk_protocol);
	e->sk_uid = BPF_CORE_READ(sk, sk_uid.val);
	e->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	e->ifindex = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	e->reuseaddr = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse);
	e->reuseport = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuseport);
	e->v6only = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only);
	if (e->family != 1)
		read_inet_flags(sk, e);
	/* The address from the caller's memory, as bind() copied it. */
	len = p->addrlen > WB_WATCH_ADDR_MAX ? WB_WATCH_ADDR_MAX : p->addrlen;
	if (bpf_probe_read_user(e->addr, len & (WB_WATCH_ADDR - 1), (const void *)p->addr) == 0)
		e->addrlen = len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(wb_bind_enter, struct pt_regs *regs, long nr)
{
	struct pending p;
	__u32 tid;

	if (nr != WB_NR_BIND)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	p.fd = (__u32)ARG1(regs);
	p.addr = ARG2(regs);
	p.addrlen = (__u32)ARG3(regs);
	bpf_map_update_elem(&inflight, &tid, &p, BPF_ANY);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(wb_bind_exit, struct pt_regs *regs, long ret)
{
	struct pending *p, copy;
	__u32 tid;

	if (NR(regs) != WB_NR_BIND)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	p = bpf_map_lookup_elem(&inflight, &tid);
	if (!p)
		return 0;
	copy = *p;
	bpf_map_delete_elem(&inflight, &tid);
	return record(&copy, ret);
}

char LICENSE[] SEC("license") = "GPL";
