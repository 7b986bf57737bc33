/* owners: socket inode -> the processes holding it: by the kernel's own
 * walk of the descriptor tables (a BPF iterator, owners_bpf.c) where it
 * may be used, else by one walk of /proc/PID/fd; then, for the processes
 * that hold one, what they are. */
#include "config.h"
#ifndef _GNU_SOURCE
#define _GNU_SOURCE			/* CPU_COUNT */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "owners.h"
#include "owners_bpf.h"

/* Linux 5.3 and 5.6; the same number on every architecture. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* A command line longer than this is cut and marked "...": whybind must
 * not grow with a hostile process's argv. */
#define CMDLINE_MAX (64 * 1024)
/* 52 numeric fields and a comm of at most 64 bytes fit; we need seven. */
#define STAT_MAX 1024
/* The Uid: line comes before any field a process controls the length of
 * (Name: is escaped, at most 256 bytes). */
#define STATUS_MAX 4096
/* readlinkat of /proc/PID/fd/N costs 2-4 us in the kernel, for every fd
 * of the host: the walk is shared by a few threads, never many on a
 * production host. */
#define WALKERS_MAX 4

struct wanted {
	uint64_t inode;
	size_t sock;			/* index in the caller's array */
};

/* The walk, shared by its threads. */
struct walk {
	const struct wanted *w;
	size_t nw;
	struct wb_sock *socks;
	int procfd;
	DIR *proc;
	pthread_mutex_t lock;		/* proc and every socks[].owners */
	atomic_bool unreadable;		/* some process's fds hidden */
};

/* One process's details, read once at its first wanted socket. */
struct proc {
	int dirfd;			/* /proc/PID: pins the process */
	pid_t pid;
	bool described;
	struct wb_owner tmpl;
};

static int cmp_wanted(const void *a, const void *b)
{
	const struct wanted *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Strict decimal: "123" -> 123; anything else (".", "self") -> -1. */
static long parse_num(const char *s)
{
	long v = *s ? 0 : -1;

	for (; *s && v >= 0; s++) {
		if (*s < '0' || *s > '9' || v > INT_MAX / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* "socket:[12345]" -> 12345, or 0 for anything else. */
static uint64_t socket_inode(const char *link, size_t len)
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

/* The kernel's name for a device it has no fixed rule for. */
static int tty_from_sysfs(unsigned major, unsigned minor, char *out, size_t cap)
{
	char path[64], buf[512], *name, *end;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/uevent",
		 major, minor);
	if (!wb_read_at(AT_FDCWD, path, buf, sizeof(buf)))
		return -ENOENT;
	/* uevent starts with MAJOR= and MINOR=, so DEVNAME follows a '\n'. */
	name = strstr(buf, "\nDEVNAME=");
	if (!name || name[9] == '\n' || !name[9])
		return -ENOENT;
	if ((end = strchr(name + 9, '\n')))
		*end = '\0';
	snprintf(out, cap, "%s", name + 9);
	return 0;
}

void owners_tty_name(int tty_nr, char *out, size_t cap)
{
	unsigned nr = (unsigned)tty_nr;
	unsigned major = (nr >> 8) & 0xfff;
	unsigned minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);

	if (nr == 0)
		snprintf(out, cap, "%s", "");
	else if (major >= 136 && major <= 143)
		snprintf(out, cap, "pts/%u", minor + (major - 136) * 256);
	else if (major == 4 && minor < 64)
		snprintf(out, cap, "tty%u", minor);
	else if (major == 4)
		snprintf(out, cap, "ttyS%u", minor - 64);
	else if (tty_from_sysfs(major, minor, out, cap) < 0)
		snprintf(out, cap, "%u:%u", major, minor);
}

/* " 123" -> 123 at *p, which moves past it.  The buffer need not be
 * NUL-terminated, and a field cut by a short read is refused. */
static int stat_field(const char **p, const char *end, long long *v)
{
	const char *s = *p;
	long long n = 0;
	int neg = 0;

	if (s >= end || *s++ != ' ')
		return -EINVAL;
	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	if (s >= end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (LLONG_MAX - 9) / 10)
			return -ERANGE;
		n = n * 10 + (*s - '0');
	}
	if (s >= end || (*s != ' ' && *s != '\n'))
		return -EINVAL;
	*v = neg ? -n : n;
	*p = s;
	return 0;
}

/* Field 22, starttime (clock ticks after boot), from just past field 7
 * (tty_nr); 0 if it cannot be read. */
static unsigned long long parse_start_time(const char *p, const char *end)
{
	long long v = 0;

	for (int field = 8; field <= 22; field++)
		if (stat_field(&p, end, &v) < 0)
			return 0;
	return v < 0 ? 0 : (unsigned long long)v;
}

int owners_parse_stat(const char *buf, size_t len, struct wb_owner *o)
{
	const char *lp, *rp = NULL, *p, *end = buf + len;
	long long ppid, pgrp, sid, tty;
	size_t n;
	char state;

	/* comm may hold spaces, '(' and ')': the last ')' ends it. */
	lp = memchr(buf, '(', len);
	for (p = buf; p < end; p++)
		if (*p == ')')
			rp = p;
	if (!lp || !rp || rp < lp || end - rp < 3 || rp[1] != ' ')
		return -EINVAL;
	state = rp[2];
	p = rp + 3;
	if (stat_field(&p, end, &ppid) < 0 || stat_field(&p, end, &pgrp) < 0 ||
	    stat_field(&p, end, &sid) < 0 || stat_field(&p, end, &tty) < 0)
		return -EINVAL;
	n = (size_t)(rp - lp - 1);
	if (n >= sizeof(o->comm))
		n = sizeof(o->comm) - 1;
	memcpy(o->comm, lp + 1, n);
	o->comm[n] = '\0';
	o->state = state;
	o->start_time = parse_start_time(p, end);
	o->ppid = (pid_t)ppid;
	o->sid = (pid_t)sid;
	owners_tty_name((int)tty, o->tty, sizeof(o->tty));
	return 0;
}

char *owners_join_cmdline(const char *buf, size_t len)
{
	char *s;

	/* Trailing NULs (and setproctitle padding) are not separators. */
	while (len && buf[len - 1] == '\0')
		len--;
	s = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		s[i] = buf[i] ? buf[i] : ' ';
	s[len] = '\0';
	return s;
}

static char *read_cmdline(int piddir)
{
	/* One byte over the cap tells a cut from an exact fit. */
	char *buf = xmalloc(CMDLINE_MAX + 4), *s;
	size_t n = wb_read_at(piddir, "cmdline", buf, CMDLINE_MAX + 2);

	if (n > CMDLINE_MAX) {
		memcpy(buf + CMDLINE_MAX, "...", 3);
		n = CMDLINE_MAX + 3;
	}
	s = n ? owners_join_cmdline(buf, n) : NULL;
	free(buf);
	return s;
}

/* The effective uid: the second number of the Uid: line. */
static uid_t read_euid(int piddir)
{
	char buf[STATUS_MAX], *p, *end;
	unsigned long v;

	if (!wb_read_at(piddir, "status", buf, sizeof(buf)))
		return (uid_t)-1;
	p = strstr(buf, "\nUid:");
	if (!p)
		return (uid_t)-1;
	strtoul(p + 5, &end, 10);
	v = strtoul(end, &p, 10);
	return p == end ? (uid_t)-1 : (uid_t)v;
}

static void describe(int piddir, struct wb_owner *o)
{
	char buf[STAT_MAX];
	size_t n;

	o->uid = (uid_t)-1;
	n = wb_read_at(piddir, "stat", buf, sizeof(buf));
	owners_parse_stat(buf, n, o);
	/* The comm file has the same bytes as stat; it wins if readable. */
	n = wb_read_at(piddir, "comm", buf, sizeof(o->comm) + 1);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n && n < sizeof(o->comm))
		memcpy(o->comm, buf, n + 1);
	o->uid = read_euid(piddir);
	o->cmdline = read_cmdline(piddir);
}

static void add_owner(struct walk *wk, struct proc *p, size_t sock, int fd)
{
	struct wb_sock *s = &wk->socks[sock];
	size_t i;

	if (!p->described) {
		p->tmpl.pid = p->pid;
		describe(p->dirfd, &p->tmpl);
		p->described = true;
	}
	pthread_mutex_lock(&wk->lock);
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
	pthread_mutex_unlock(&wk->lock);
}

static void match(struct walk *wk, struct proc *p, uint64_t ino, int fd)
{
	const struct wanted *w = wk->w, *end = w + wk->nw, *hit;
	struct wanted key = { .inode = ino };

	hit = bsearch(&key, w, wk->nw, sizeof(*w), cmp_wanted);
	if (!hit)
		return;
	/* The caller may list one socket twice: serve every entry. */
	while (hit > w && hit[-1].inode == ino)
		hit--;
	for (; hit < end && hit->inode == ino; hit++)
		add_owner(wk, p, hit->sock, fd);
}

static bool denied(int err)
{
	return err == EACCES || err == EPERM;
}

/* Match one process's descriptors against the wanted inodes. */
static void scan_fds(struct walk *wk, struct proc *p, DIR *dir)
{
	struct dirent *e;
	char link[64];
	uint64_t ino;
	ssize_t n;

	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(dir), e->d_name, link, sizeof(link));
		if (n < 0 && denied(errno)) {
			/* The ptrace check is per process: all would fail. */
			wk->unreadable = true;
			return;
		}
		if (n <= 0 || (size_t)n >= sizeof(link))
			continue;	/* closed meanwhile, or a long path */
		ino = socket_inode(link, (size_t)n);
		if (ino)
			match(wk, p, ino, (int)parse_num(e->d_name));
	}
}

static void scan_process(struct walk *wk, pid_t pid)
{
	struct proc p = { .pid = pid };
	char name[16];
	int fddir;
	DIR *dir;

	/* Through /proc/PID, so the details come from the same process
	 * even if its pid is reused while we read. */
	snprintf(name, sizeof(name), "%d", pid);
	p.dirfd = openat(wk->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fddir = p.dirfd < 0 ? -1 :
		openat(p.dirfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fddir >= 0 ? fdopendir(fddir) : NULL;
	if (!dir) {
		/* ENOENT, ESRCH: it exited.  Anything else (EACCES: another
		 * user's process, or hidepid=1) hides its fds from us. */
		if (errno != ENOENT && errno != ESRCH)
			wk->unreadable = true;
		if (fddir >= 0)
			close(fddir);
	} else {
		scan_fds(wk, &p, dir);
		closedir(dir);
	}
	if (p.described)
		free(p.tmpl.cmdline);
	if (p.dirfd >= 0)
		close(p.dirfd);
}

static void *walker(void *arg)
{
	struct walk *wk = arg;
	struct dirent *e;
	long pid;

	for (;;) {
		pid = -1;
		pthread_mutex_lock(&wk->lock);
		while (pid <= 0 && (e = readdir(wk->proc)))
			pid = parse_num(e->d_name);
		pthread_mutex_unlock(&wk->lock);
		if (pid <= 0)
			return NULL;
		scan_process(wk, (pid_t)pid);
	}
}

/* The calling thread walks too; a thread that cannot start leaves its
 * share to the others. */
static void walk_all(struct walk *wk)
{
	bool started[WALKERS_MAX - 1] = { false };
	pthread_t th[WALKERS_MAX - 1];
	sigset_t old;
	cpu_set_t cpus;
	size_t n = 1;

	/* The CPUs we may run on (taskset, cpuset), not the host's. */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		n = (size_t)CPU_COUNT(&cpus);
	n = n < 1 ? 1 : n > WALKERS_MAX ? WALKERS_MAX : n;

	/* Signals stay with the main thread, however main.c set them up. */
	signals_hold(&old);
	for (size_t i = 0; i + 1 < n; i++)
		started[i] = pthread_create(&th[i], NULL, walker, wk) == 0;
	signals_release(&old);
	walker(wk);
	for (size_t i = 0; i + 1 < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}

static int cmp_owner(const void *a, const void *b)
{
	const struct wb_owner *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static size_t wanted_build(const struct wb_sock *socks, size_t n,
			   struct wanted **out)
{
	struct wanted *w = xcalloc(n, sizeof(*w));
	size_t nw = 0;

	for (size_t i = 0; i < n; i++)
		if (socks[i].inode)
			w[nw++] = (struct wanted){ socks[i].inode, i };
	qsort(w, nw, sizeof(*w), cmp_wanted);
	*out = w;
	return nw;
}

static int cmp_hit(const void *a, const void *b)
{
	const struct wb_bpf_hit *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

/* Is descriptor fd of the process still that socket?  The iterator's
 * answer is a moment old: the process may have closed it, or exited and
 * left its pid to another. */
static bool still_holds(int piddir, int fd, uint64_t ino)
{
	char name[32], link[64];
	ssize_t n;

	snprintf(name, sizeof(name), "fd/%d", fd);
	n = readlinkat(piddir, name, link, sizeof(link));
	return n > 0 && (size_t)n < sizeof(link) && socket_inode(link, (size_t)n) == ino;
}

/* owners_prefetch(): every socket descriptor of the host, listed by the
 * iterator in a thread of its own while the caller dumps the port's
 * sockets: the kernel's two walks overlap.  When the dump shows nothing
 * any process can hold (TIME_WAIT only), the walk is abandoned, not
 * waited for: its thread frees its own results. */
enum { PF_RUNNING, PF_DONE, PF_ABANDONED };

struct prefetch {
	pthread_t thread;
	atomic_int state;
	atomic_bool cancel;
	int rc;
	struct wb_bpf_hit *hits;
	size_t n;
};

static struct prefetch *prefetch;

static void prefetch_free(struct prefetch *pf)
{
	free(pf->hits);
	free(pf);
}

static void *prefetch_main(void *arg)
{
	struct prefetch *pf = arg;

	pf->rc = owners_bpf_find(NULL, 0, &pf->hits, &pf->n, &pf->cancel);
	if (atomic_exchange(&pf->state, PF_DONE) == PF_ABANDONED)
		prefetch_free(pf);
	return NULL;
}

/* The iterator names a task by its pid in the initial pid namespace;
 * inside a container's, /proc counts in another, where the same numbers
 * are other processes or none.  PROC_PID_INIT_INO (include/linux/
 * proc_ns.h), the initial namespace's inode, has been fixed since v3.8. */
static bool pids_global(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFCU;
}

static bool bpf_wanted(void)
{
	const char *want = getenv("WHYBIND_OWNERS");

	return (!want || strcmp(want, "proc")) && pids_global();
}

void owners_prefetch(void)
{
	struct prefetch *pf;
	sigset_t old;

	/* Loading needs CAP_BPF and CAP_PERFMON: not worth a try without. */
	if (prefetch || geteuid() != 0 || !bpf_wanted())
		return;
	pf = xcalloc(1, sizeof(*pf));
	atomic_init(&pf->state, PF_RUNNING);
	atomic_init(&pf->cancel, false);
	signals_hold(&old);
	if (pthread_create(&pf->thread, NULL, prefetch_main, pf) == 0)
		prefetch = pf;
	else
		free(pf);
	signals_release(&old);
}

static void prefetch_abandon(void)
{
	struct prefetch *pf = prefetch;

	if (!pf)
		return;
	prefetch = NULL;
	atomic_store(&pf->cancel, true);
	pthread_detach(pf->thread);
	if (atomic_exchange(&pf->state, PF_ABANDONED) == PF_DONE)
		prefetch_free(pf);
}

/* The prefetched hits, once (-EAGAIN: none were prefetched). */
static int prefetched(struct wb_bpf_hit **hits, size_t *n)
{
	struct prefetch *pf = prefetch;
	int rc;

	if (!pf)
		return -EAGAIN;
	prefetch = NULL;
	pthread_join(pf->thread, NULL);
	rc = pf->rc;
	*hits = pf->hits;
	*n = pf->n;
	free(pf);
	return rc;
}

/* Index in wk->w of the first entry for this inode, or -1. */
static long wanted_index(const struct walk *wk, uint64_t ino)
{
	struct wanted key = { .inode = ino };
	const struct wanted *hit = bsearch(&key, wk->w, wk->nw, sizeof(*wk->w), cmp_wanted);

	if (!hit)
		return -1;
	while (hit > wk->w && hit[-1].inode == ino)
		hit--;
	return hit - wk->w;
}

/* Keep the hits on wanted sockets.  Did every wanted socket get one?
 * (One made after the prefetch passed its process would be missing.) */
static bool keep_wanted(const struct walk *wk, struct wb_bpf_hit *hits, size_t *n)
{
	bool *got = xcalloc(wk->nw ? wk->nw : 1, sizeof(*got));
	size_t kept = 0;
	bool all = true;

	for (size_t i = 0; i < *n; i++) {
		long k = wanted_index(wk, hits[i].ino);

		if (k < 0)
			continue;
		hits[kept++] = hits[i];
		for (size_t j = (size_t)k; j < wk->nw && wk->w[j].inode == hits[i].ino; j++)
			got[j] = true;
	}
	*n = kept;
	for (size_t k = 0; k < wk->nw; k++)
		all = all && got[k];
	free(got);
	return all;
}

/* The kernel's own walk of every descriptor table (owners_bpf.c), then
 * /proc only for the processes it named. */
static int find_by_bpf(struct walk *wk)
{
	uint64_t *inodes;
	struct wb_bpf_hit *hits;
	size_t n_hits, i = 0;
	int rc = prefetched(&hits, &n_hits);

	if (rc == 0 && !keep_wanted(wk, hits, &n_hits)) {
		free(hits);
		rc = -EAGAIN;
	}
	if (rc < 0) {
		inodes = xcalloc(wk->nw, sizeof(*inodes));
		for (size_t k = 0; k < wk->nw; k++)
			inodes[k] = wk->w[k].inode;
		rc = owners_bpf_find(inodes, wk->nw, &hits, &n_hits, NULL);
		free(inodes);
	}
	if (rc < 0)
		return rc;
	if (n_hits)		/* hits may be NULL then */
		qsort(hits, n_hits, sizeof(*hits), cmp_hit);
	while (i < n_hits) {
		struct proc p = { .pid = hits[i].pid };
		char name[16];

		snprintf(name, sizeof(name), "%d", p.pid);
		p.dirfd = openat(wk->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* Threads repeat their process's hits: one pass per pid. */
		for (; i < n_hits && hits[i].pid == p.pid; i++)
			if (p.dirfd >= 0 && (i == 0 || hits[i - 1].pid != p.pid ||
					     hits[i - 1].fd != hits[i].fd) &&
			    still_holds(p.dirfd, hits[i].fd, hits[i].ino))
				match(wk, &p, hits[i].ino, hits[i].fd);
		if (p.described)
			free(p.tmpl.cmdline);
		if (p.dirfd >= 0)
			close(p.dirfd);
	}
	free(hits);
	return 0;
}

/* WHYBIND_OWNERS=proc or =bpf picks the way (for tests and comparison);
 * by default the iterator where it works, the walk elsewhere. */
static const char *last_method;

const char *owners_method(void)
{
	return last_method;
}

static void find_holders(struct walk *wk)
{
	const char *want = getenv("WHYBIND_OWNERS");
	int rc = -ENOTSUP;

	if (bpf_wanted()) {
		rc = find_by_bpf(wk);
		if (rc < 0 && want && !strcmp(want, "bpf"))
			fprintf(stderr, "whybind: WHYBIND_OWNERS=bpf: the BPF iterator cannot be used (%s); walking /proc\n",
				strerror(-rc));
	} else if (want && !strcmp(want, "bpf")) {
		fprintf(stderr, "whybind: WHYBIND_OWNERS=bpf: in a pid namespace of its own the BPF iterator's pids are not /proc's; walking /proc\n");
	}
	if (rc == 0) {
		last_method = "bpf";
	} else {
		last_method = "proc";
		walk_all(wk);
	}
}

int owners_find(struct wb_sock *socks, size_t n)
{
	struct walk wk = { .socks = socks };
	struct wanted *w;
	int rc = 0;

	last_method = NULL;
	wk.nw = wanted_build(socks, n, &w);
	wk.w = w;
	if (!wk.nw)
		prefetch_abandon();	/* nothing to look for */
	/* getdents moves the file offset, openat does not use it: the
	 * listing and the lookups can share one descriptor. */
	wk.proc = wk.nw ? opendir("/proc") : NULL;
	if (wk.nw && !wk.proc) {
		rc = -errno;
		wk.unreadable = true;
	} else if (wk.nw) {
		wk.procfd = dirfd(wk.proc);
		pthread_mutex_init(&wk.lock, NULL);
		find_holders(&wk);
		pthread_mutex_destroy(&wk.lock);
		closedir(wk.proc);
	}
	/* Whichever thread found them, owners come in pid order.  No owner
	 * found is only an answer if nothing was hidden from us; a socket
	 * no process holds (TIME_WAIT) hides nothing. */
	for (size_t i = 0; i < n; i++) {
		if (socks[i].n_owners > 1)
			qsort(socks[i].owners, socks[i].n_owners,
			      sizeof(*socks[i].owners), cmp_owner);
		socks[i].owners_visible = socks[i].n_owners > 0 ||
					  !socks[i].inode || !wk.unreadable;
	}
	free(w);
	return rc;
}

static int get_flag(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v = 0;

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return WB_UNKNOWN;
	return v ? WB_YES : WB_NO;
}

/* A descriptor of the holder's, or -1.  It must still be our socket: the
 * holder may have closed the fd and reused its number since the walk. */
static int borrow(const struct wb_sock *s, const struct wb_owner *o)
{
	int pidfd, fd, domain = -1;
	socklen_t len = sizeof(domain);
	struct stat st;

	pidfd = (int)syscall(SYS_pidfd_open, o->pid, 0);
	if (pidfd < 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, o->fd, 0);
	close(pidfd);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    (uint64_t)st.st_ino != s->inode ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    (s->family && domain != s->family)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The borrowed descriptor is only ever given to fstat and getsockopt,
 * then closed: never read, written, sent or received on (SPEC). */
void owners_read_sockopts(struct wb_sock *s)
{
	int fd = -1;

	/* Any holder will do; the first may have exited or be denied. */
	for (size_t i = 0; i < s->n_owners && fd < 0; i++)
		fd = borrow(s, &s->owners[i]);
	if (fd < 0)
		return;
	s->reuseaddr = get_flag(fd, SOL_SOCKET, SO_REUSEADDR);
	s->reuseport = get_flag(fd, SOL_SOCKET, SO_REUSEPORT);
	if (s->family == AF_INET6 && s->v6only == WB_UNKNOWN)
		s->v6only = get_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY);
	/* The dump's bound device, confirmed from the socket itself. */
	if (!s->ifindex) {
		int ifindex = 0;
		socklen_t len = sizeof(ifindex);

		if (getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, &len) == 0 &&
		    ifindex > 0)
			s->ifindex = (uint32_t)ifindex;
	}
	close(fd);
}
