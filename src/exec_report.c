// SPDX-License-Identifier: GPL-2.0-or-later
/* exec_report: a traced server's failed bind(), from its own arguments
 * and its own socket to a report on stderr. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/un.h>

#include "escape.h"
#include "exec_report.h"
#include "jsonwrt.h"
#include "netns.h"
#include "proc.h"
#include "repeat.h"
#include "report.h"
#include "request.h"
#include "sockopt.h"
#include "unix.h"

/* The server's socket, as getsockopt() tells it. */
struct sockinfo {
	int error;			/* errno of pidfd_getfd, or 0 */
	struct wb_sockopts opt;
};

/* The process around the thread. */
struct procinfo {
	pid_t tgid;
	uid_t euid;
	gid_t egid;
	char comm[64];
};

static void read_proc(pid_t tid, struct procinfo *p)
{
	struct wb_proc_status st = { .name = "?", .tgid = tid,
				     .euid = geteuid(), .egid = getegid() };
	int piddir = proc_open(-1, tid);

	if (piddir >= 0) {
		proc_status(piddir, &st);
		close(piddir);
	}
	p->tgid = st.tgid;
	p->euid = st.euid;
	p->egid = st.egid;
	snprintf(p->comm, sizeof(p->comm), "%s", st.name);
}

/* Borrow the server's descriptor: only getsockopt(), then close. */
static void read_socket(pid_t tgid, int fd, struct sockinfo *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = sockopt_borrow(tgid, fd, 0, &s->opt);
	s->error = rc < 0 ? -rc : 0;
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
		safe = unix_display_name(un->sun_path + abstract, len - abstract, abstract);
		snprintf(buf, cap, "%s", safe);
		free(safe);
	} else {
		snprintf(buf, cap, "(address family %d)", b->addr.ss_family);
	}
}

static const char *build_request(const struct wb_exec_bind *b,
				 const struct sockinfo *s, const struct procinfo *p,
				 struct wb_request *r)
{
	const char *why;

	if (!b->addr_read)
		return "the address it passed could not be read";
	why = request_from_sockaddr(&b->addr, b->addrlen, s->error ? NULL : &s->opt,
				    p->euid, p->egid, r);
	r->source = "exec";
	return why;
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

	report_json_line_begin(&w, f, d, &ro, why);
	w_exec(&w, b, p, where, held_ms);
	report_json_line_end(&w);
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
	int64_t start = wb_now_ms();
	struct wb_diagnosis d = { 0 };
	struct procinfo p;
	struct sockinfo s;
	char where[512], where_dir[64], *out = NULL;
	const char *why;
	size_t len = 0;
	FILE *m;
	struct wb_diag_opts dopts = o->dopts;
	int rc, cwd = -1, netns = -1;

	if (o->quiet)
		return;
	/* The server, held at its bind by us, is running (diagnose.h). */
	dopts.tracing = true;
	read_proc(b->tid, &p);
	read_socket(p.tgid, b->fd, &s);
	sockaddr_text(b, where, sizeof(where));
	why = build_request(b, &s, &p, &d.req);
	if (!why && (rc = netns_enter_pid(b->tid, &netns)) < 0)
		why = "cannot enter the server's network namespace";
	/* A relative socket path is the server's: from its directory. */
	if (!why && d.req.addr.family == AF_UNIX && !d.req.target.abstract &&
	    d.req.target.name[0] != '/' && (cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		snprintf(where_dir, sizeof(where_dir), "/proc/%d/cwd", b->tid);
		if (chdir(where_dir) < 0)
			why = "cannot enter the server's working directory";
	}
	if (!why && (rc = diagnose(&d, &dopts)) < 0)
		why = rc == -EPERM || rc == -EACCES
			? "cannot ask the kernel about sockets: permission denied"
			: "cannot ask the kernel about the port's sockets (sock_diag)";
	/* The same failure again soon after is counted (repeat.c), not
	 * reported again: its one line comes when the run is over. */
	m = why || !exec_repeat_check(stderr, o->json, p.tgid, p.comm, b->fd,
				      where, b->err, &d)
		? open_memstream(&out, &len) : NULL;
	if (m) {
		if (o->json)
			write_json(m, b, &p, where, why ? NULL : &d, why, wb_now_ms() - start);
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
	netns_restore(&netns);
	diagnosis_reset(&d);
}
