/* exec_report: a traced server's failed bind(), from its own arguments
 * and its own socket to a report on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "escape.h"
#include "exec_report.h"
#include "jsonwrt.h"
#include "repeat.h"
#include "report.h"
#include "request.h"

/* The server's socket, as getsockopt() tells it. */
struct sockinfo {
	int error;			/* errno of pidfd_getfd, or 0 */
	int domain, type, protocol;
	int reuseaddr, reuseport, v6only, ifindex;
};

/* The process around the thread. */
struct procinfo {
	pid_t tgid;
	uid_t euid;
	gid_t egid;
	char comm[64];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void read_proc(pid_t tid, struct procinfo *p)
{
	char path[64], line[256];
	unsigned long ruid, euid;
	FILE *f;

	p->tgid = tid;
	p->euid = geteuid();
	p->egid = getegid();
	snprintf(p->comm, sizeof(p->comm), "?");
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Name:\t", 6) == 0)
			snprintf(p->comm, sizeof(p->comm), "%.*s",
				 (int)strcspn(line + 6, "\n"), line + 6);
		else if (strncmp(line, "Tgid:", 5) == 0)
			p->tgid = (pid_t)strtol(line + 5, NULL, 10);
		else if (sscanf(line, "Uid: %lu %lu", &ruid, &euid) == 2)
			p->euid = (uid_t)euid;
		else if (sscanf(line, "Gid: %lu %lu", &ruid, &euid) == 2)
			p->egid = (gid_t)euid;
	}
	fclose(f);
}

static int get_int(int fd, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, level, name, &v, &len) < 0 ? WB_UNKNOWN : v;
}

/* Borrow the server's descriptor: only getsockopt(), then close. */
static void read_socket(pid_t tgid, int fd, struct sockinfo *s)
{
	int pidfd = pidfd_open(tgid, 0), sfd = -1;

	memset(s, 0, sizeof(*s));
	if (pidfd >= 0) {
		sfd = pidfd_getfd(pidfd, fd, 0);
		close(pidfd);
	}
	if (sfd < 0) {
		s->error = errno;
		return;
	}
	s->domain = get_int(sfd, SOL_SOCKET, SO_DOMAIN);
	s->type = get_int(sfd, SOL_SOCKET, SO_TYPE);
	s->protocol = get_int(sfd, SOL_SOCKET, SO_PROTOCOL);
	s->reuseaddr = get_int(sfd, SOL_SOCKET, SO_REUSEADDR);
	s->reuseport = get_int(sfd, SOL_SOCKET, SO_REUSEPORT);
	s->ifindex = get_int(sfd, SOL_SOCKET, SO_BINDTOIFINDEX);
	s->v6only = s->domain == AF_INET6 ? get_int(sfd, IPPROTO_IPV6, IPV6_V6ONLY)
					  : WB_UNKNOWN;
	close(sfd);
}

/* Diagnose in the server's network namespace, which may not be ours. */
static int enter_netns(pid_t tid)
{
	char path[64];
	struct stat mine, its;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &its) == 0 && stat("/proc/self/ns/net", &mine) == 0 &&
	    its.st_ino == mine.st_ino && its.st_dev == mine.st_dev)
		goto out;
	if (setns(fd, CLONE_NEWNET) < 0)
		rc = -errno;
out:
	close(fd);
	return rc;
}

/* The address as the server passed it, for the report's first line. */
static void sockaddr_text(const struct wb_exec_bind *b, char *buf, size_t cap)
{
	const struct sockaddr_in *in = (const void *)&b->addr;
	const struct sockaddr_in6 *in6 = (const void *)&b->addr;
	const struct sockaddr_un *un = (const void *)&b->addr;
	char a[INET6_ADDRSTRLEN];

	if (!b->addr_read) {
		snprintf(buf, cap, "?");
	} else if (b->addr.ss_family == AF_INET && b->addrlen >= sizeof(*in)) {
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, cap, "%s:%u", a, ntohs(in->sin_port));
	} else if (b->addr.ss_family == AF_INET6 && b->addrlen >= sizeof(*in6)) {
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(buf, cap, "[%s]:%u", a, ntohs(in6->sin6_port));
	} else if (b->addr.ss_family == AF_UNIX) {
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t len = b->addrlen > off ? b->addrlen - off : 0;
		bool abstract = len > 0 && un->sun_path[0] == '\0';
		char *safe;

		if (!abstract)
			len = strnlen(un->sun_path, len);
		safe = wb_escape(un->sun_path + abstract, len - abstract, WB_ESC_TERM);
		snprintf(buf, cap, "%s%s", abstract ? "@" : "", safe);
		free(safe);
	} else {
		snprintf(buf, cap, "(address family %d)", b->addr.ss_family);
	}
}

/* The request whybind diagnoses: the server's address and port, its
 * socket's protocol and options.  NULL, or why it cannot be. */
/* An AF_UNIX bind: the path (relative to the server's directory) or
 * the abstract name, and the socket's type. */
static const char *unix_request(const struct wb_exec_bind *b,
				const struct sockinfo *s, struct wb_request *r)
{
	const struct sockaddr_un *un = (const void *)&b->addr;
	size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t len = b->addrlen > off ? b->addrlen - off : 0;
	bool abstract = len > 0 && un->sun_path[0] == '\0';

	if (!abstract)
		len = strnlen(un->sun_path, len);
	if (len <= (size_t)abstract)
		return "an unnamed AF_UNIX bind (autobind)";
	len -= abstract;
	if (len > WB_UNIX_NAME_MAX)
		return "the name is longer than sun_path";
	r->addr.family = AF_UNIX;
	r->target.abstract = abstract;
	memcpy(r->target.name, un->sun_path + abstract, len);
	r->target.name[len] = '\0';
	r->target.len = len;
	r->unix_type = s->type == SOCK_DGRAM || s->type == SOCK_SEQPACKET
		? s->type : SOCK_STREAM;
	return NULL;
}

static const char *build_request(const struct wb_exec_bind *b,
				 const struct sockinfo *s, const struct procinfo *p,
				 struct wb_request *r)
{
	const struct sockaddr_in *in = (const void *)&b->addr;
	const struct sockaddr_in6 *in6 = (const void *)&b->addr;

	if (!b->addr_read)
		return "the address it passed could not be read";
	if (b->addr.ss_family != AF_INET && b->addr.ss_family != AF_INET6 &&
	    b->addr.ss_family != AF_UNIX)
		return "only IPv4, IPv6 and AF_UNIX binds are diagnosed";
	if (s->error)
		return "its socket could not be read (pidfd_getfd)";
	memset(r, 0, sizeof(*r));
	/* The probe is made as the server's user, as the server made it. */
	r->uid = p->euid;
	r->gid = p->egid;
	r->user_given = p->euid != geteuid() || p->egid != getegid();
	snprintf(r->user, sizeof(r->user), "%u", (unsigned)p->euid);
	if (b->addr.ss_family == AF_UNIX)
		return s->domain == AF_UNIX ? unix_request(b, s, r)
			: "the address family does not match the socket's";
	if (s->protocol != IPPROTO_TCP && s->protocol != IPPROTO_UDP)
		return "only TCP and UDP sockets are diagnosed";
	if (s->domain != b->addr.ss_family)
		return "the address family does not match the socket's";
	r->protocol = s->protocol;
	r->addr.family = b->addr.ss_family;
	if (r->addr.family == AF_INET) {
		if (b->addrlen < sizeof(*in))
			return "the address is too short";
		r->addr.u.v4 = in->sin_addr;
		r->port = ntohs(in->sin_port);
	} else {
		if (b->addrlen < sizeof(*in6))
			return "the address is too short";
		r->addr.u.v6 = in6->sin6_addr;
		r->addr.scope_id = in6->sin6_scope_id;
		r->port = ntohs(in6->sin6_port);
		r->v6only = s->v6only > 0;
	}
	r->reuseaddr = s->reuseaddr > 0;
	r->reuseport = s->reuseport > 0;
	r->v6only_given = true;
	r->ifindex = s->ifindex > 0 ? s->ifindex : 0;
	return NULL;
}

/* A process of ours shows as traced-stopped ('t') only because we hold
 * it at a bind, this one or another: it is running, not a stopped job
 * (a server that binds the same port twice holds the socket in the way
 * itself).  Judge again without that. */
static void unhold_owners(struct wb_diagnosis *d)
{
	pid_t me = getpid();
	bool changed = false;

	for (size_t i = 0; i < d->socks.n; i++)
		for (size_t j = 0; j < d->socks.v[i].n_owners; j++) {
			struct wb_owner *w = &d->socks.v[i].owners[j];

			if (w->state == 't' && w->tracer == me) {
				w->state = 'R';
				w->tracer = 0;
				w->leader_comm[0] = '\0';
				changed = true;
			}
		}
	if (changed) {
		verdict_free(&d->verdict);
		verdict_make(d);
	}
}

static void w_exec(struct jsonwrt *w, const struct wb_exec_bind *b,
		   const struct procinfo *p, const char *where, int64_t held_ms)
{
	const char *name = strerrorname_np(b->err);

	jsonwrt_object_open(w, "exec");
	jsonwrt_int(w, "pid", p->tgid);
	jsonwrt_int(w, "tid", b->tid);
	jsonwrt_string(w, "comm", p->comm);
	jsonwrt_int(w, "fd", b->fd);
	jsonwrt_string(w, "address", where);
	jsonwrt_string(w, "errno", name ? name : "?");
	jsonwrt_string(w, "error", strerror(b->err));
	jsonwrt_int(w, "held_ms", held_ms);
	jsonwrt_object_close(w);
}

/* Everything a report says, in a memory stream: one write at the end,
 * so that it cannot interleave with the server's own stderr lines. */
static void write_json(FILE *f, const struct wb_exec_bind *b, const struct procinfo *p,
		       const char *where, const struct wb_diagnosis *d,
		       const char *why, int64_t held_ms)
{
	struct wb_report_opts ro = { 0 };
	struct jsonwrt w;

	jsonwrt_init(&w, f, false);
	jsonwrt_object_open(&w, NULL);
	if (d) {
		report_json_members(&w, d, &ro);
		jsonwrt_bool(&w, "diagnosed", true);
	} else {
		jsonwrt_int(&w, "version", 1);
		jsonwrt_bool(&w, "diagnosed", false);
		jsonwrt_string(&w, "reason", why);
	}
	w_exec(&w, b, p, where, held_ms);
	jsonwrt_object_close(&w);
	jsonwrt_end(&w);
}

/* The human report, every line marked as whybind's. */
static void write_text(FILE *f, const struct wb_exec_bind *b, const struct procinfo *p,
		       const char *where, const struct wb_diagnosis *d,
		       const char *why, const struct wb_exec_opts *o)
{
	struct wb_report_opts ro = { .color = report_want_color(o->color, STDERR_FILENO),
				     .verbose = o->dopts.verbose };
	char *comm = wb_escape_str(p->comm, WB_ESC_TERM), *body = NULL, *line, *end;
	size_t len = 0;
	FILE *m;

	fprintf(f, "whybind: pid %d (%s): bind(%d, %s) failed: %s (%s)\n",
		p->tgid, comm, b->fd, where, strerror(b->err),
		strerrorname_np(b->err) ? strerrorname_np(b->err) : "?");
	free(comm);
	if (!d) {
		fprintf(f, "whybind: not diagnosed: %s\n", why);
		return;
	}
	m = open_memstream(&body, &len);
	if (!m)
		return;
	report_text(m, d, &ro);
	fclose(m);
	for (line = body; *line; line = end + (*end == '\n')) {
		end = line + strcspn(line, "\n");
		fprintf(f, "whybind:%s%.*s\n", end > line ? " " : "",
			(int)(end - line), line);
	}
	free(body);
}

void exec_report_bind(const struct wb_exec_bind *b, const struct wb_exec_opts *o)
{
	int64_t start = now_ms();
	struct wb_diagnosis d = { 0 };
	struct procinfo p;
	struct sockinfo s;
	char where[512], where_dir[64], *out = NULL;
	const char *why;
	size_t len = 0;
	FILE *m;
	int rc, cwd = -1;

	if (o->quiet)
		return;
	read_proc(b->tid, &p);
	read_socket(p.tgid, b->fd, &s);
	sockaddr_text(b, where, sizeof(where));
	why = build_request(b, &s, &p, &d.req);
	if (!why && (rc = enter_netns(b->tid)) < 0)
		why = "cannot enter the server's network namespace";
	/* A relative socket path is the server's: from its directory. */
	if (!why && d.req.addr.family == AF_UNIX && !d.req.target.abstract &&
	    d.req.target.name[0] != '/' && (cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		snprintf(where_dir, sizeof(where_dir), "/proc/%d/cwd", b->tid);
		if (chdir(where_dir) < 0)
			why = "cannot enter the server's working directory";
	}
	if (!why && (rc = diagnose(&d, &o->dopts)) < 0)
		why = rc == -EPERM || rc == -EACCES
			? "cannot ask the kernel about sockets: permission denied"
			: "cannot ask the kernel about the port's sockets (sock_diag)";
	if (!why)
		unhold_owners(&d);
	/* The same failure again soon after is counted (repeat.c), not
	 * reported again: its one line comes when the run is over. */
	m = why || !exec_repeat_check(stderr, o->json, p.tgid, p.comm, b->fd,
				      where, b->err, &d)
		? open_memstream(&out, &len) : NULL;
	if (m) {
		if (o->json)
			write_json(m, b, &p, where, why ? NULL : &d, why, now_ms() - start);
		else
			write_text(m, b, &p, where, why ? NULL : &d, why, o);
		fclose(m);
		if (fwrite(out, 1, len, stderr) != len)
			clearerr(stderr);
		free(out);
	}
	if (cwd >= 0) {
		if (fchdir(cwd) < 0)
			why = NULL;	/* nothing more depends on it */
		close(cwd);
	}
	diagnosis_reset(&d);
}
