/* SPDX-License-Identifier: GPL-2.0-or-later */
/* owners_int: what the owners' files share; not for the other stages. */
#ifndef WB_OWNERS_INT_H
#define WB_OWNERS_INT_H

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>

#include "owners.h"

struct wanted {
	uint64_t inode;
	size_t sock;			/* index in the caller's array */
};

/* One owners_find(): the inodes it looks for, sorted, and where their
 * holders go.  Shared by the walk's threads. */
struct owner_scan {
	const struct wanted *w;
	size_t nw;
	struct wb_sock *socks;
	int procfd;
	DIR *proc;
	pthread_mutex_t lock;		/* proc and every socks[].owners */
	atomic_bool unreadable;		/* some process's fds hidden */
};

/* One process, described at its first wanted socket. */
struct scan_proc {
	int dirfd;			/* /proc/PID: pins the process */
	pid_t pid;
	bool described;
	struct wb_owner tmpl;
};

/* owners.c: the matching both ways share. */
uint64_t owners_socket_inode(const char *link, size_t len);
long owners_wanted_index(const struct owner_scan *sc, uint64_t ino);
void owners_match(struct owner_scan *sc, struct scan_proc *p, uint64_t ino, int fd);
void owners_proc_done(struct scan_proc *p);

/* owners_walk.c: every /proc/PID/fd of the host, in a few threads. */
void owners_walk_proc(struct owner_scan *sc);

/* owners_prefetch.c: the BPF iterator's list of the host's socket
 * descriptors, made in a thread while the caller dumps the port. */
struct owners_prefetch;
struct owners_prefetch *owners_prefetch_start(void);
/* Stop waiting for it: its thread frees what it found. */
void owners_prefetch_abandon(struct owners_prefetch *pf);
/* The iterator's holders of the wanted inodes, from pf's list (which it
 * consumes; pf may be NULL) or from a walk of its own; then /proc only
 * for the processes it named.  0 or -errno (then nothing was added). */
int owners_find_bpf(struct owner_scan *sc, struct owners_prefetch *pf);

#endif
