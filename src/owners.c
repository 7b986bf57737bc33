// SPDX-License-Identifier: GPL-2.0-or-later
/* owners: socket inode -> the processes holding it: by the kernel's own
 * walk of the descriptor tables (a BPF iterator, owners_prefetch.c) where
 * it may be used, else by one walk of /proc/PID/fd (owners_walk.c); then,
 * for the processes that hold one, what they are (proc.c). */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "owners_int.h"
#include "proc.h"
#include "sockopt.h"

struct wb_owner_walk {
	bool bpf;			/* the iterator is the way */
	bool asked_bpf;			/* WHYBIND_OWNERS=bpf */
	struct owners_prefetch *prefetch;	/* started, not yet used */
};

/* The iterator names a task by its pid in the initial pid namespace;
 * inside a container's, /proc counts in another, where the same numbers
 * are other processes or none.  PROC_PID_INIT_INO (include/linux/
 * proc_ns.h), the initial namespace's inode, has been fixed since v3.8. */
static bool pids_global(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFCU;
}

struct wb_owner_walk *owners_open(void)
{
	struct wb_owner_walk *walk = xcalloc(1, sizeof(*walk));
	const char *want = getenv("WHYBIND_OWNERS");

	walk->asked_bpf = want && !strcmp(want, "bpf");
	walk->bpf = (!want || strcmp(want, "proc")) && pids_global();
	return walk;
}

void owners_start(struct wb_owner_walk *walk)
{
	/* Loading needs CAP_BPF and CAP_PERFMON: not worth a try without. */
	if (walk->prefetch || !walk->bpf || geteuid() != 0)
		return;
	walk->prefetch = owners_prefetch_start();
}

void owners_close(struct wb_owner_walk *walk)
{
	if (!walk)
		return;
	owners_prefetch_abandon(walk->prefetch);
	free(walk);
}

static int cmp_wanted(const void *a, const void *b)
{
	const struct wanted *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* "socket:[12345]" -> 12345, or 0 for anything else. */
uint64_t owners_socket_inode(const char *link, size_t len)
{
	uint64_t ino = 0;

	if (len < 10 || memcmp(link, "socket:[", 8) != 0 ||
	    link[len - 1] != ']')
		return 0;
	for (size_t i = 8; i < len - 1; i++) {
		if (link[i] < '0' || link[i] > '9')
			return 0;
		ino = ino * 10 + (uint64_t)(link[i] - '0');
	}
	return ino;
}

/* Index in sc->w of the first entry for this inode, or -1. */
long owners_wanted_index(const struct owner_scan *sc, uint64_t ino)
{
	struct wanted key = { .inode = ino };
	const struct wanted *hit = bsearch(&key, sc->w, sc->nw, sizeof(*sc->w),
					   cmp_wanted);

	if (!hit)
		return -1;
	while (hit > sc->w && hit[-1].inode == ino)
		hit--;
	return hit - sc->w;
}

static void add_owner(struct owner_scan *sc, struct scan_proc *p, size_t sock, int fd)
{
	struct wb_sock *s = &sc->socks[sock];
	size_t i;

	if (!p->described) {
		proc_describe(p->dirfd, p->pid, &p->tmpl);
		p->described = true;
	}
	pthread_mutex_lock(&sc->lock);
	/* One entry per (process, socket): the first, lowest fd. */
	for (i = 0; i < s->n_owners && s->owners[i].pid != p->pid; i++)
		;
	if (i == s->n_owners) {
		s->owners = xrealloc(s->owners, (i + 1) * sizeof(*s->owners));
		s->owners[i] = p->tmpl;
		s->owners[i].fd = fd;
		if (p->tmpl.cmdline)
			s->owners[i].cmdline = xstrdup(p->tmpl.cmdline);
		s->n_owners++;
	}
	pthread_mutex_unlock(&sc->lock);
}

/* The caller may list one socket twice: serve every entry. */
void owners_match(struct owner_scan *sc, struct scan_proc *p, uint64_t ino, int fd)
{
	long k = owners_wanted_index(sc, ino);

	for (size_t i = (size_t)k; k >= 0 && i < sc->nw && sc->w[i].inode == ino; i++)
		add_owner(sc, p, sc->w[i].sock, fd);
}

void owners_proc_done(struct scan_proc *p)
{
	if (p->described)
		free(p->tmpl.cmdline);
	if (p->dirfd >= 0)
		close(p->dirfd);
}

static size_t wanted_build(const struct wb_sock *socks, size_t n,
			   struct wanted **out)
{
	struct wanted *w = xcalloc(n ? n : 1, sizeof(*w));
	size_t nw = 0;

	for (size_t i = 0; i < n; i++)
		if (socks[i].inode)
			w[nw++] = (struct wanted){ socks[i].inode, i };
	qsort(w, nw, sizeof(*w), cmp_wanted);
	*out = w;
	return nw;
}

static void find_holders(struct wb_owner_walk *walk, struct owner_scan *sc,
			 struct wb_owners_how *how)
{
	struct owners_prefetch *pf = walk->prefetch;
	int rc = -ENOTSUP;

	walk->prefetch = NULL;		/* used once */
	if (walk->bpf) {
		rc = owners_find_bpf(sc, pf);
		if (rc < 0 && walk->asked_bpf)
			how->bpf_err = rc;
	} else {
		how->bpf_pidns = walk->asked_bpf;
	}
	how->method = rc == 0 ? "bpf" : "proc";
	if (rc < 0)
		owners_walk_proc(sc);
}

static int cmp_owner(const void *a, const void *b)
{
	const struct wb_owner *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int owners_find(struct wb_owner_walk *walk, struct wb_sock *socks, size_t n,
		struct wb_owners_how *how)
{
	struct owner_scan sc = { .socks = socks };
	struct wanted *w;
	int rc = 0;

	memset(how, 0, sizeof(*how));
	sc.nw = wanted_build(socks, n, &w);
	sc.w = w;
	if (!sc.nw) {			/* nothing to look for */
		owners_prefetch_abandon(walk->prefetch);
		walk->prefetch = NULL;
	}
	/* getdents moves the file offset, openat does not use it: the
	 * listing and the lookups can share one descriptor. */
	sc.proc = sc.nw ? opendir("/proc") : NULL;
	if (sc.nw && !sc.proc) {
		rc = -errno;
		sc.unreadable = true;
	} else if (sc.nw) {
		sc.procfd = dirfd(sc.proc);
		pthread_mutex_init(&sc.lock, NULL);
		find_holders(walk, &sc, how);
		pthread_mutex_destroy(&sc.lock);
		closedir(sc.proc);
	}
	/* Whichever thread found them, owners come in pid order.  No owner
	 * found is only an answer if nothing was hidden from us; a socket
	 * no process holds (TIME_WAIT) hides nothing. */
	for (size_t i = 0; i < n; i++) {
		if (socks[i].n_owners > 1)
			qsort(socks[i].owners, socks[i].n_owners,
			      sizeof(*socks[i].owners), cmp_owner);
		socks[i].owners_visible = socks[i].n_owners > 0 ||
					  !socks[i].inode || !sc.unreadable;
	}
	free(w);
	return rc;
}

/* Any holder will do; the first may have exited or be denied.  Its
 * descriptor must still be our socket, of our family. */
void owners_read_sockopts(struct wb_sock *s)
{
	struct wb_sockopts o;
	size_t i;

	for (i = 0; i < s->n_owners; i++)
		if (sockopt_borrow(s->owners[i].pid, s->owners[i].fd, s->inode, &o) == 0 &&
		    o.domain != WB_UNKNOWN && (!s->family || o.domain == s->family))
			break;
	if (i == s->n_owners)
		return;
	s->reuseaddr = o.reuseaddr;
	s->reuseport = o.reuseport;
	if (s->family == AF_INET6 && s->v6only == WB_UNKNOWN)
		s->v6only = o.v6only;
	/* The dump's bound device, confirmed from the socket itself. */
	if (!s->ifindex && o.ifindex > 0)
		s->ifindex = (uint32_t)o.ifindex;
}
