// SPDX-License-Identifier: GPL-2.0-or-later
/* watch: load the BPF programs of watch.bpf.c (libbpf skeleton), read
 * their ring buffer, coalesce and queue the failures, diagnose them one
 * at a time between reads (watch_report.c), until SIGINT or SIGTERM.
 *
 * Under a storm the ring buffer is drained between diagnoses into a
 * queue of at most WB_WATCH_PENDING failures, each one process's one
 * bind: more of the same add to its count; a new kind with the queue
 * full is counted as not diagnosed.  Memory stays flat; every failure is
 * counted (seen in the kernel = received + lost). */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "origin.h"
#include "watch.h"
#include "watch.skel.h"

#define WB_WATCH_PENDING	256	/* failures waiting for a diagnosis */
#define WB_WATCH_NETNS_CACHE	32	/* namespaces kept open, by inode */

struct netns_slot {
	unsigned int ino;
	int fd;
};

struct watch {
	const struct wb_watch_opts *o;
	struct wb_watch_out out;
	unsigned int own_ino;
	int own_netns;
	int cgroup_root;		/* the cgroup2 mount, for cgroup ids */
	struct wb_watch_failure q[WB_WATCH_PENDING];
	uint64_t qhash[WB_WATCH_PENDING];
	size_t head, n;
	struct netns_slot ns[WB_WATCH_NETNS_CACHE];
	size_t ns_next;
	unsigned long long received, dropped, filtered;
};

static char bpf_msg[256];

/* libbpf's messages: the last warning is kept for the one-line reason,
 * nothing is printed. */
static int keep_message(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN) {
		vsnprintf(bpf_msg, sizeof(bpf_msg), fmt, ap);
		bpf_msg[strcspn(bpf_msg, "\n")] = '\0';
	}
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	struct servent *se;
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s && !*end && !errno && v >= 1 && v <= 65535) {
		*port = (uint16_t)v;
		return 0;
	}
	se = *s ? getservbyname(s, NULL) : NULL;
	if (!se)
		return -EINVAL;
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

int watch_filter_add(struct wb_watch_opts *o, const char *arg, const char **err)
{
	struct wb_watch_filter f = { 0 };
	const char *colon = strrchr(arg, ':');
	char a[INET6_ADDRSTRLEN + 2];

	*err = "not a [ADDRESS:]PORT, PATH or @NAME";
	if (arg[0] == '@' || strchr(arg, '/')) {
		f.is_unix = true;
		f.abstract = arg[0] == '@';
		if (strlen(arg + f.abstract) > WB_UNIX_NAME_MAX)
			return -EINVAL;
		strcpy(f.name, arg + f.abstract);
	} else if (!colon) {
		if (parse_port(arg, &f.port) < 0)
			return -EINVAL;
	} else {
		size_t n = (size_t)(colon - arg);

		if (parse_port(colon + 1, &f.port) < 0 || n >= sizeof(a))
			return -EINVAL;
		if (arg[0] == '[' && n >= 2 && arg[n - 1] == ']')
			snprintf(a, sizeof(a), "%.*s", (int)n - 2, arg + 1);
		else
			snprintf(a, sizeof(a), "%.*s", (int)n, arg);
		if (inet_pton(AF_INET, a, &f.addr.u.v4) == 1)
			f.family = AF_INET;
		else if (inet_pton(AF_INET6, a, &f.addr.u.v6) == 1)
			f.family = AF_INET6;
		else if (strcmp(a, "*") != 0 && a[0])
			return *err = "ADDRESS must be a numeric IPv4 or IPv6 address, or *", -EINVAL;
	}
	o->filters = xrealloc(o->filters, (o->n_filters + 1) * sizeof(f));
	o->filters[o->n_filters++] = f;
	return 0;
}

static bool filter_one(const struct wb_watch_filter *f, const struct wb_watch_event *e)
{
	const struct sockaddr_in *in = (const void *)e->addr;
	const struct sockaddr_in6 *in6 = (const void *)e->addr;
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (f->is_unix) {
		const char *p = (const char *)e->addr + off;
		size_t len = e->addrlen > off ? e->addrlen - off : 0;

		if (e->family != AF_UNIX || !len || (p[0] == '\0') != f->abstract)
			return false;
		len -= f->abstract;
		p += f->abstract;
		if (!f->abstract)
			len = strnlen(p, len);
		return len == strlen(f->name) && memcmp(p, f->name, len) == 0;
	}
	if (e->family == AF_INET && e->addrlen >= sizeof(*in))
		return ntohs(in->sin_port) == f->port &&
		       (!f->family || (f->family == AF_INET &&
				       in->sin_addr.s_addr == f->addr.u.v4.s_addr));
	if (e->family == AF_INET6 && e->addrlen >= sizeof(*in6))
		return ntohs(in6->sin6_port) == f->port &&
		       (!f->family || (f->family == AF_INET6 &&
				       !memcmp(&in6->sin6_addr, &f->addr.u.v6, 16)));
	return false;
}

static bool wanted(const struct wb_watch_opts *o, const struct wb_watch_event *e)
{
	if (o->protocol && e->family != AF_UNIX && e->protocol != o->protocol)
		return false;
	if (!o->n_filters)
		return true;
	for (size_t i = 0; i < o->n_filters; i++)
		if (filter_one(&o->filters[i], e))
			return true;
	return false;
}

/* Two failures are of one kind: same process, same bind, same options. */
static uint64_t kind_hash(const struct wb_watch_event *e)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p = (const void *)&e->pid;
	size_t n = offsetof(struct wb_watch_event, comm) - offsetof(struct wb_watch_event, pid);

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	for (size_t i = 0; i < e->addrlen && i < WB_WATCH_ADDR; i++)
		h = (h ^ e->addr[i]) * 1099511628211ULL;
	return h;
}

static bool same_kind(const struct wb_watch_event *a, const struct wb_watch_event *b)
{
	return a->pid == b->pid && a->netns == b->netns && a->err == b->err &&
	       a->family == b->family && a->protocol == b->protocol && a->type == b->type &&
	       a->reuseaddr == b->reuseaddr && a->reuseport == b->reuseport &&
	       a->v6only == b->v6only && a->ifindex == b->ifindex &&
	       a->addrlen == b->addrlen && !memcmp(a->addr, b->addr, a->addrlen);
}

static int open_ns_checked(const char *path, unsigned int ino)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_ino != ino)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void cache_ns(struct watch *w, unsigned int ino, int fd)
{
	struct netns_slot *s = &w->ns[w->ns_next++ % WB_WATCH_NETNS_CACHE];

	if (s->ino)
		close(s->fd);
	s->ino = ino;
	s->fd = dup(fd);
	if (s->fd < 0)
		s->ino = 0;
}

/* The failing socket's namespace, at once: the task's own, one seen
 * before, or any process's that is in it (the task may have exited). */
static int find_netns(struct watch *w, const struct wb_watch_event *e)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/ns/net", e->pid, e->tid);
	fd = open_ns_checked(path, e->netns);
	for (size_t i = 0; fd < 0 && i < WB_WATCH_NETNS_CACHE; i++)
		if (w->ns[i].ino == e->netns)
			return fcntl(w->ns[i].fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		DIR *proc = opendir("/proc");
		struct dirent *d;

		while (proc && fd < 0 && (d = readdir(proc))) {
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%.16s/ns/net", d->d_name);
			fd = open_ns_checked(path, e->netns);
		}
		if (proc)
			closedir(proc);
	}
	if (fd >= 0)
		cache_ns(w, e->netns, fd);
	return fd;
}

/* The unit or container of the failing process, from its cgroup id
 * (still right after it has exited) or else from /proc. */
static void find_origin(struct watch *w, struct wb_watch_failure *f)
{
	struct { struct file_handle fh; uint64_t id; } h = {
		.fh = { .handle_bytes = sizeof(uint64_t), .handle_type = 0xfe /* FILEID_KERNFS */ },
		.id = f->ev.cgroup_id };
	struct wb_owner o = { .pid = (pid_t)f->ev.pid };
	char link[64], path[4096 + 4] = "0::";
	ssize_t n = -1;
	int fd = w->cgroup_root >= 0
		? open_by_handle_at(w->cgroup_root, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, path + 3, sizeof(path) - 4);
		close(fd);
	}
	if (n > 0 && (size_t)n >= strlen("/sys/fs/cgroup")) {
		size_t skip = strlen("/sys/fs/cgroup");

		memmove(path + 3, path + 3 + skip, (size_t)n - skip);
		path[3 + n - skip] = '\0';
		origin_parse_cgroup(path, strlen(path), &o.origin);
	} else {
		origin_read(&o);
	}
	snprintf(f->unit, sizeof(f->unit), "%s", o.origin.unit);
	if (o.origin.container[0])
		snprintf(f->container, sizeof(f->container), "%s:%s", o.origin.runtime, o.origin.container);
}

static void queue_failure(struct watch *w, const struct wb_watch_event *e, uint64_t h)
{
	struct wb_watch_failure *f = &w->q[(w->head + w->n) % WB_WATCH_PENDING];
	size_t off = offsetof(struct sockaddr_un, sun_path);
	char path[64];

	memset(f, 0, sizeof(*f));
	w->qhash[(w->head + w->n) % WB_WATCH_PENDING] = h;
	w->n++;
	f->ev = *e;
	f->count = 1;
	f->netns_fd = f->cwd_fd = -1;
	if (e->netns != w->own_ino && (f->netns_fd = find_netns(w, e)) < 0)
		f->gone = "the process exited before its network namespace could be entered";
	if (e->family == AF_UNIX && e->addrlen > off + 1 && e->addr[off] != '\0' &&
	    e->addr[off] != '/') {
		snprintf(path, sizeof(path), "/proc/%u/cwd", e->tid);
		f->cwd_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (f->cwd_fd < 0 && !f->gone)
			f->gone = "the process exited before its working directory could be read";
	}
	find_origin(w, f);
}

/* The ring buffer's callback: cheap, no diagnosis here. */
static int on_event(void *ctx, void *data, size_t size)
{
	struct watch *w = ctx;
	const struct wb_watch_event *e = data;
	uint64_t h;

	if (size < sizeof(*e))
		return 0;
	w->received++;
	if (!wanted(w->o, e)) {
		w->filtered++;
		return 0;
	}
	h = kind_hash(e);
	for (size_t i = 0; i < w->n; i++) {
		size_t k = (w->head + i) % WB_WATCH_PENDING;

		if (w->qhash[k] == h && same_kind(&w->q[k].ev, e)) {
			w->q[k].count++;
			return 0;
		}
	}
	if (w->n == WB_WATCH_PENDING)
		w->dropped++;
	else
		queue_failure(w, e, h);
	return 0;
}

static void counts_read(struct watch_bpf *skel, unsigned long long c[WB_WATCH_NCOUNTS])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v = xcalloc(ncpu > 0 ? ncpu : 1, sizeof(*v));

	for (uint32_t k = 0; k < WB_WATCH_NCOUNTS; k++) {
		c[k] = 0;
		if (ncpu > 0 && bpf_map__lookup_elem(skel->maps.counts, &k, sizeof(k), v,
						     sizeof(*v) * ncpu, 0) == 0)
			for (int i = 0; i < ncpu; i++)
				c[k] += v[i];
	}
	free(v);
}

static const char *load_error(int rc)
{
	static char msg[400];
	char lockdown[128] = "";
	int fd = open("/sys/kernel/security/lockdown", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, lockdown, sizeof(lockdown) - 1);

		lockdown[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	if (strstr(lockdown, "[confidentiality]"))
		return "the kernel is locked down (confidentiality): it allows no BPF tracing";
	if (rc == -EPERM || rc == -EACCES)
		return "loading BPF programs needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)";
	snprintf(msg, sizeof(msg), "cannot load the BPF programs: %s%s%s", strerror(-rc),
		 bpf_msg[0] ? ": libbpf: " : "", bpf_msg);
	return msg;
}

static int setup(struct watch *w, struct watch_bpf **skel, const char **err)
{
	struct stat st;
	int rc;

	libbpf_set_print(keep_message);
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		return *err = errno == ENOENT
			? "this kernel has no BTF (/sys/kernel/btf/vmlinux): --watch needs CONFIG_DEBUG_INFO_BTF"
			: "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): permission denied",
			-errno;
	*skel = watch_bpf__open();
	if (!*skel)
		return *err = load_error(-errno), -errno;
	(*skel)->rodata->self_tgid = (uint32_t)getpid();
	if ((rc = watch_bpf__load(*skel)) < 0 || (rc = watch_bpf__attach(*skel)) < 0)
		return *err = load_error(rc), rc;
	w->own_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (w->own_netns < 0 || fstat(w->own_netns, &st) < 0)
		return *err = "cannot open whybind's own network namespace", -errno;
	w->own_ino = (unsigned int)st.st_ino;
	w->cgroup_root = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return 0;
}

static int signals(void)
{
	sigset_t set;

	/* A shell starts a background job with SIGINT ignored: an ignored
	 * signal never reaches the signalfd. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int loop(struct watch *w, struct watch_bpf *skel, struct ring_buffer *rb, int sfd)
{
	struct epoll_event ev = { .events = EPOLLIN }, got[2];
	unsigned long long c[WB_WATCH_NCOUNTS], lost_said = 0, dropped_said = 0;
	int64_t next_counts = 0;
	int ep = epoll_create1(EPOLL_CLOEXEC), rc = 0;

	if (ep < 0)
		return -EIO;
	ev.data.fd = sfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) < 0)
		rc = -EIO;
	ev.data.fd = ring_buffer__epoll_fd(rb);
	if (rc == 0 && epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		rc = -EIO;
	if (rc < 0) {
		close(ep);
		return rc;
	}
	for (;;) {
		int64_t now = wb_now_ms(), wait = repeats_next_ms(&w->out.runs, now);
		int n;

		if (wait < 0 || wait > 1000)
			wait = 1000;
		n = epoll_wait(ep, got, 2, w->n ? 0 : (int)wait);
		if (n < 0 && errno != EINTR) {
			rc = -EIO;
			break;
		}
		for (int i = 0; i < n; i++)
			if (got[i].data.fd == sfd)
				goto out;
		if (ring_buffer__consume(rb) < 0 && errno != EINTR) {
			rc = -EIO;
			break;
		}
		if (w->n) {
			struct wb_watch_failure *f = &w->q[w->head];

			rc = watch_report(&w->out, f, w->own_netns);
			if (f->netns_fd >= 0)
				close(f->netns_fd);
			if (f->cwd_fd >= 0)
				close(f->cwd_fd);
			w->head = (w->head + 1) % WB_WATCH_PENDING;
			w->n--;
			if (rc < 0)
				break;
		}
		repeats_expire(&w->out.runs, wb_now_ms(), false);
		if (wb_now_ms() >= next_counts) {
			counts_read(skel, c);
			if (c[WB_WATCH_LOST] > lost_said || w->dropped > dropped_said) {
				lost_said = c[WB_WATCH_LOST];
				dropped_said = w->dropped;
				watch_report_lost(&w->out, lost_said, dropped_said);
			}
			next_counts = wb_now_ms() + 1000;
		}
	}
out:
	close(ep);
	return rc;
}

int watch_run(const struct wb_watch_opts *o, const char **err)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	struct watch_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	unsigned long long c[WB_WATCH_NCOUNTS];
	int64_t start = wb_now_ms();
	int sfd = signals(), rc;

	w->o = o;
	w->own_netns = w->cgroup_root = -1;
	watch_out_init(&w->out, o);
	if ((rc = setup(w, &skel, err)) < 0)
		goto out;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, w, NULL);
	if (!rb || sfd < 0) {
		rc = -errno;
		*err = "cannot read the BPF ring buffer";
		goto out;
	}
	if (!o->quiet)
		fprintf(stderr, "whybind: watching every failing bind() on this host "
			"(BPF on the bind() syscall); Ctrl+C to stop\n");
	rc = loop(w, skel, rb, sfd);
	if (rc < 0)
		*err = rc == -EIO ? "cannot wait on the BPF ring buffer"
		     : "cannot go back to whybind's own network namespace";
	/* What is still queued is reported before the end. */
	while (rc == 0 && ring_buffer__consume(rb) > 0)
		;
	counts_read(skel, c);
	watch_report_summary(&w->out, c[WB_WATCH_SEEN], w->received, c[WB_WATCH_LOST],
			     w->dropped + w->n, w->filtered, wb_now_ms() - start);
out:
	ring_buffer__free(rb);
	watch_bpf__destroy(skel);
	for (size_t i = 0; i < WB_WATCH_NETNS_CACHE; i++)
		if (w->ns[i].ino)
			close(w->ns[i].fd);
	for (size_t i = 0; i < w->n; i++) {
		struct wb_watch_failure *f = &w->q[(w->head + i) % WB_WATCH_PENDING];

		if (f->netns_fd >= 0)
			close(f->netns_fd);
		if (f->cwd_fd >= 0)
			close(f->cwd_fd);
	}
	if (w->own_netns >= 0)
		close(w->own_netns);
	if (w->cgroup_root >= 0)
		close(w->cgroup_root);
	if (sfd >= 0)
		close(sfd);
	free(w);
	return rc;
}
