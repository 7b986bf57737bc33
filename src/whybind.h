/* SPDX-License-Identifier: GPL-2.0-or-later */
/* whybind: the plain structs every stage passes to the next.
 *
 * Data flows one way: request -> probe -> sockets -> conflicts -> owners
 * -> verdict -> report.  Functions return 0 or a negative errno; only
 * main() prints errors and picks the exit status.
 */
#ifndef WHYBIND_H
#define WHYBIND_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <net/if.h>

/* Kernel TCP states as inet_diag reports them (include/net/tcp_states.h). */
enum wb_tcp_state {
	WB_TCP_ESTABLISHED = 1,
	WB_TCP_SYN_SENT,
	WB_TCP_SYN_RECV,
	WB_TCP_FIN_WAIT1,
	WB_TCP_FIN_WAIT2,
	WB_TCP_TIME_WAIT,
	WB_TCP_CLOSE,
	WB_TCP_CLOSE_WAIT,
	WB_TCP_LAST_ACK,
	WB_TCP_LISTEN,
	WB_TCP_CLOSING,
	WB_TCP_NEW_SYN_RECV,
	/* Kernel commit 91051f003948 (v6.7): bind() without listen()/connect().
	 * Debian 12's headers lack it; such sockets come back as TCP_CLOSE. */
	WB_TCP_BOUND_INACTIVE,
};

/* Unknown is a value of its own: a fact we could not read is never guessed. */
enum wb_tri { WB_UNKNOWN = -1, WB_NO = 0, WB_YES = 1 };

/* Where the running kernel's answers differ from the newest kernels'
 * (conflict_kernel_rules() decides them, in one place).  All false is
 * v6.8 and later: a zeroed request follows the newest rules. */
struct wb_kernel_rules {
	bool no_bound_dump;		/* inet_diag cannot dump bind()-only TCP */
	bool mapped_misses_mapped_any;	/* a TCP bind of ::ffff:A.B.C.D does not
					 * meet a socket on [::ffff:0.0.0.0] */
};

struct wb_addr {
	int family;			/* AF_INET, AF_INET6 (AF_UNIX: see
					 * wb_request.target) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
	uint32_t scope_id;		/* IPv6 link-local zone, else 0 */
};

/* sun_path is 108 bytes: a path fits with its NUL, an abstract name
 * after its leading NUL. */
#define WB_UNIX_NAME_MAX	107

/* An AF_UNIX target: a path, or an abstract name (without its leading
 * NUL).  name is NUL-terminated. */
struct wb_unix_target {
	bool abstract;
	char name[WB_UNIX_NAME_MAX + 1];
	size_t len;			/* bytes in name, without the NUL */
};

struct wb_request {
	int protocol;			/* IPPROTO_TCP, IPPROTO_UDP; 0 for AF_UNIX */
	struct wb_addr addr;		/* family AF_UNIX for a unix target */
	struct wb_unix_target target;	/* AF_UNIX: the path or the name */
	int unix_type;			/* AF_UNIX: SOCK_STREAM or SOCK_DGRAM */
	uint16_t port;
	bool reuseaddr;
	bool reuseport;
	bool v6only;			/* effective IPV6_V6ONLY of an inet6 bind */
	bool v6only_given;		/* --v6only was on the command line */
	int ifindex;			/* SO_BINDTODEVICE, 0 for none */
	uid_t uid;			/* effective uid the server runs as */
	gid_t gid;			/* --user: its group, for the probe */
	bool user_given;		/* --user: probe as uid/gid, not as us */
	char user[64];			/* --user: the name (or the number) */
	const char *source;		/* "argument" (or NULL), "message", "exec" */
	const char *runtime;		/* --message: "go", "nginx"...; else NULL */
	const char *runtime_name;	/* and its name: "as Go binds" */
	struct wb_kernel_rules kernel;	/* the rules of the kernel asked */
};

/* Where a process comes from (origin.c); "" where it cannot be told. */
struct wb_origin {
	char unit[256];			/* innermost systemd .service or .scope */
	bool user_unit;			/* under user@UID.service */
	char runtime[16];		/* docker, podman, containerd, cri-o, lxc */
	char container[72];		/* the id as that runtime prints it */
	char pod[72];			/* Kubernetes pod uid */
	char leader_comm[64];		/* the session leader's comm (a shell) */
	pid_t tracer;			/* TracerPid of a traced process */
	char tracer_comm[64];		/* and its comm (strace, gdb...) */
	char unit_user[64];		/* a user unit's user (name, or uid) */
};

/* One process holding a socket. Strings are raw bytes from /proc:
 * escape them (escape.h) before they reach a terminal or JSON. */
struct wb_owner {
	pid_t pid;
	int fd;
	char comm[64];
	char *cmdline;			/* argv joined by spaces; may be NULL */
	uid_t uid;
	char state;			/* /proc/PID/stat letter: R S D T t Z ... */
	unsigned long long start_time;	/* stat's starttime: with pid, who */
	pid_t ppid;
	pid_t sid;			/* session leader (a stopped job's shell) */
	char tty[32];			/* "pts/3", "tty1", or "" for none */

	struct wb_origin origin;
};

struct wb_sock {
	int protocol;			/* IPPROTO_TCP or IPPROTO_UDP; 0 for unix */
	int family;			/* AF_INET, AF_INET6 or AF_UNIX */
	int state;			/* enum wb_tcp_state (UDP: CLOSE or ESTABLISHED) */
	struct wb_addr local;
	struct wb_addr remote;
	uint16_t lport;
	uint16_t rport;
	uint32_t ifindex;		/* bound device, 0 for none */
	uint32_t uid;
	uint64_t inode;			/* 0 for TIME_WAIT: no process holds it */
	uint32_t cookie[2];
	uint32_t expires_ms;		/* TIME_WAIT: time left, from the kernel */
	int v6only;			/* enum wb_tri, from INET_DIAG_SKV6ONLY */

	/* AF_UNIX only (unix_diag). */
	int type;			/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	char *path;			/* bound name, raw bytes; abstract: no
					 * leading NUL, see `abstract` */
	size_t path_len;
	bool abstract;
	uint64_t vfs_dev;		/* UDIAG_SHOW_VFS: the file's device */
	uint64_t vfs_ino;		/* and inode */

	/* The socket's own options, read from a holder's descriptor. */
	int reuseaddr;			/* enum wb_tri */
	int reuseport;			/* enum wb_tri */

	struct wb_owner *owners;
	size_t n_owners;
	bool owners_visible;

	/* Set by the conflict rules. */
	int blocks;			/* enum wb_tri: does it block the request? */
	const char *why;		/* reason, a static string */
};

struct wb_socklist {
	struct wb_sock *v;
	size_t n;
	size_t cap;
};

/* Helpers that report a failed allocation by aborting: the tool has
 * nothing sensible to do without memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

struct wb_sock *socklist_add(struct wb_socklist *l);
void socklist_truncate(struct wb_socklist *l, size_t n);
void socklist_free(struct wb_socklist *l);

/* Hold every signal that can be held (in this thread, and in threads it
 * starts meanwhile) until signals_release: for what must be done whole,
 * as a fix or the removal of our own socket file.  One arriving
 * meanwhile is acted on at the release. */
void signals_hold(sigset_t *old);
void signals_release(const sigset_t *old);

/* Read at most cap - 1 bytes of a file (a /proc one: read to its end, not
 * by its size) at dirfd/name, NUL-terminated; the length, 0 on failure. */
size_t wb_read_at(int dirfd, const char *name, char *buf, size_t cap);

/* CLOCK_MONOTONIC in milliseconds: for timeouts and durations. */
int64_t wb_now_ms(void);

#endif
