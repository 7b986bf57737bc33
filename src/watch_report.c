// SPDX-License-Identifier: GPL-2.0-or-later
/* watch_report: one failed bind that the kernel saw, from its event to
 * a diagnosis in its network namespace and a report (watch.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/un.h>

#include "escape.h"
#include "journal.h"
#include "jsonwrt.h"
#include "report.h"
#include "request.h"
#include "sockopt.h"
#include "strbuf.h"
#include "unix.h"
#include "watch.h"

/* What a repeat run's line and entry say, kept with its signature. */
struct run {
	struct wb_watch_event ev;
	char *head;			/* "nginx (pid 812) failed bind ..." */
	char *where;			/* the address or path */
	char unit[256];
};

static void run_free(void *p)
{
	struct run *r = p;

	if (r) {
		free(r->head);
		free(r->where);
		free(r);
	}
}

static const char *proto_name(const struct wb_watch_event *e)
{
	if (e->family == AF_UNIX)
		return "unix";
	return e->protocol == IPPROTO_UDP ? "udp" : e->protocol == IPPROTO_TCP ? "tcp" : "?";
}

static const char *errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "?";
}

/* The address as the process passed it: 0.0.0.0:80, [::]:80, a path or
 * @name (escaped for a terminal). */
static char *event_where(const struct wb_watch_event *e, uint16_t *port)
{
	const struct sockaddr_in *in = (const void *)e->addr;
	const struct sockaddr_in6 *in6 = (const void *)e->addr;
	char a[INET6_ADDRSTRLEN];

	*port = 0;
	if (e->family == AF_INET && e->addrlen >= sizeof(*in)) {
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		*port = ntohs(in->sin_port);
		return xasprintf("%s:%u", a, *port);
	}
	if (e->family == AF_INET6 && e->addrlen >= sizeof(*in6)) {
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		*port = ntohs(in6->sin6_port);
		return xasprintf("[%s]:%u", a, *port);
	}
	if (e->family == AF_UNIX && e->addrlen > offsetof(struct sockaddr_un, sun_path)) {
		const char *p = (const char *)e->addr + offsetof(struct sockaddr_un, sun_path);
		size_t len = e->addrlen - offsetof(struct sockaddr_un, sun_path);
		bool abstract = p[0] == '\0';

		if (!abstract)
			len = strnlen(p, len);
		return unix_display_name(p + abstract, len - abstract, abstract);
	}
	return xstrdup("?");
}

static void options_text(struct wb_strbuf *b, const struct wb_watch_event *e)
{
	char ifname[IF_NAMESIZE];

	if (e->reuseaddr)
		strbuf_puts(b, " SO_REUSEADDR");
	if (e->reuseport)
		strbuf_puts(b, " SO_REUSEPORT");
	if (e->family == AF_INET6 && e->v6only)
		strbuf_puts(b, " IPV6_V6ONLY");
	if (e->ifindex > 0)
		strbuf_printf(b, " SO_BINDTODEVICE=%s",
			      if_indextoname(e->ifindex, ifname) ? ifname : "?");
	if (e->freebind)
		strbuf_puts(b, " IP_FREEBIND");
	if (e->transparent)
		strbuf_puts(b, " IP_TRANSPARENT");
}

/* nginx (pid 812, nginx.service) failed bind 0.0.0.0:80/tcp SO_REUSEADDR */
static char *header(const struct wb_watch_failure *f, const char *where)
{
	const struct wb_watch_event *e = &f->ev;
	char *comm = wb_escape(e->comm, strnlen(e->comm, sizeof(e->comm)), WB_ESC_TERM);
	char *unit = wb_escape_str(f->unit[0] ? f->unit : f->container, WB_ESC_TERM);
	struct wb_strbuf b = { 0 };

	strbuf_printf(&b, "%s (pid %u%s%s) failed bind %s/%s", comm, e->pid,
		      *unit ? ", " : "", unit, where, proto_name(e));
	if (e->family == AF_UNIX)
		strbuf_puts(&b, e->type == SOCK_DGRAM ? " dgram"
			    : e->type == SOCK_SEQPACKET ? " seqpacket" : " stream");
	options_text(&b, e);
	free(comm);
	free(unit);
	return strbuf_steal(&b);
}

/* The bind exactly as it was asked: its address, protocol, the socket's
 * own options, and the process's user (the probe is made as it). */
static const char *build_request(const struct wb_watch_event *e, struct wb_request *r)
{
	struct wb_sockopts opt = {
		.domain = e->family, .type = e->type, .protocol = e->protocol,
		.reuseaddr = e->reuseaddr != 0, .reuseport = e->reuseport != 0,
		.v6only = e->family == AF_INET6 ? e->v6only != 0 : WB_UNKNOWN,
		.ifindex = e->ifindex,
	};
	struct sockaddr_storage ss = { 0 };
	size_t len = e->addrlen < sizeof(ss) ? e->addrlen : sizeof(ss);
	const char *why;

	memcpy(&ss, e->addr, len);
	ss.ss_family = e->family;
	why = request_from_sockaddr(&ss, (socklen_t)len, &opt, e->euid, e->egid, r);
	r->source = "watch";
	return why;
}

static void rfc3339(const struct wb_watch_out *w, uint64_t mono_ns, char *buf, size_t cap)
{
	int64_t real = (int64_t)mono_ns + w->mono_to_real_ns;
	time_t s = (time_t)(real / 1000000000);
	struct tm tm;
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%06dZ", (int)(real % 1000000000 / 1000));
}

static void w_event(struct jsonwrt *j, const struct wb_watch_out *w,
		    const struct wb_watch_event *e, const char *unit,
		    const char *container, const char *where, unsigned long repeats)
{
	char t[64];

	rfc3339(w, e->time_ns, t, sizeof(t));
	jsonwrt_object_open(j, "event");
	jsonwrt_int(j, "pid", e->pid);
	jsonwrt_int(j, "tid", e->tid);
	jsonwrt_string_n(j, "comm", e->comm, strnlen(e->comm, sizeof(e->comm)));
	jsonwrt_string(j, "address", where);
	jsonwrt_string(j, "errno", errno_name(e->err));
	jsonwrt_string(j, "error", strerror(e->err));
	jsonwrt_int(j, "netns", e->netns);
	jsonwrt_int(j, "cgroup_id", (long long)e->cgroup_id);
	if (unit && *unit)
		jsonwrt_string(j, "unit", unit);
	else
		jsonwrt_null(j, "unit");
	if (container && *container)
		jsonwrt_string(j, "container", container);
	else
		jsonwrt_null(j, "container");
	jsonwrt_bool(j, "freebind", e->freebind);
	jsonwrt_bool(j, "transparent", e->transparent);
	jsonwrt_string(j, "time", t);
	jsonwrt_int(j, "repeats", (long long)repeats);
	jsonwrt_object_close(j);
}

static void emit(struct wb_watch_out *w, char *buf, size_t len)
{
	if (w->to_stdout && fwrite(buf, 1, len, stdout) == len)
		fflush(stdout);
	free(buf);
}

/* The holders' pids ("812 813") and the first holder's unit. */
static void holders(const struct wb_diagnosis *d, struct wb_strbuf *pids, const char **unit)
{
	*unit = NULL;
	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];

		if (!sock_in_the_way(s))
			continue;
		for (size_t j = 0; j < s->n_owners; j++) {
			strbuf_printf(pids, "%s%d", pids->len ? " " : "", (int)s->owners[j].pid);
			if (!*unit && s->owners[j].origin.unit[0])
				*unit = s->owners[j].origin.unit;
		}
	}
}

static void to_journal(const struct wb_watch_failure *f, const char *head, const char *where,
		       const struct wb_diagnosis *d, const char *why, unsigned long repeats)
{
	struct wb_strbuf pids = { 0 };
	const char *hunit = NULL;
	char *msg, *p;
	uint16_t port;
	char *addr = event_where(&f->ev, &port);

	if (d)
		holders(d, &pids, &hunit);
	/* The address without its port: WHYBIND_PORT says that. */
	if (port && (p = strrchr(addr, ':')))
		*p = '\0';
	if (port && addr[0] == '[') {
		memmove(addr, addr + 1, strlen(addr));
		addr[strlen(addr) - 1] = '\0';
	}
	if (repeats)
		msg = xasprintf("%s: failed %lu more times, same holders", head, repeats);
	else
		msg = xasprintf("%s: %s: %s", head, strerror(f->ev.err),
				d ? d->verdict.summary : why);
	journal_send(&(struct wb_journal_entry){
		.message = msg, .protocol = proto_name(&f->ev), .address = addr,
		.port = port, .errno_name = errno_name(f->ev.err), .pid = f->ev.pid,
		.comm = f->ev.comm, .unit = f->unit, .cause = d ? d->verdict.cause : NULL,
		.holder_pids = pids.p, .holder_unit = hunit, .repeats = repeats });
	(void)where;
	free(msg);
	free(addr);
	free(pids.p);
}

static void report(struct wb_watch_out *w, const struct wb_watch_failure *f,
		   const char *head, const char *where, const struct wb_diagnosis *d,
		   const char *why)
{
	struct wb_report_opts ro = { .color = w->color, .verbose = w->o->dopts.verbose };
	char *out = NULL;
	size_t len = 0;
	FILE *m;

	w->reports++;
	if (w->journal)
		to_journal(f, head, where, d, why, 0);
	if (!w->to_stdout || !(m = open_memstream(&out, &len)))
		return;
	if (w->o->json) {
		struct jsonwrt j;

		report_json_line_begin(&j, m, d, &ro, why);
		w_event(&j, w, &f->ev, f->unit, f->container, where, 0);
		report_json_line_end(&j);
	} else {
		if (w->reports > 1)
			fputc('\n', m);
		fprintf(m, "%s: %s\n", head, strerror(f->ev.err));
		if (d)
			report_text(m, d, &ro);
		else
			fprintf(m, "not diagnosed: %s\n", why);
	}
	fclose(m);
	emit(w, out, len);
}

/* A run of repeats is over: its one line. */
static void run_done(const struct wb_repeat *r, void *arg)
{
	struct wb_watch_out *w = arg;
	const struct run *x = r->data;
	char *out = NULL;
	size_t len = 0;
	FILE *m;

	if (w->journal) {
		struct wb_watch_failure f = { .ev = x->ev };

		snprintf(f.unit, sizeof(f.unit), "%s", x->unit);
		to_journal(&f, x->head, x->where, NULL, NULL, r->count);
	}
	if (!w->to_stdout || !(m = open_memstream(&out, &len)))
		return;
	if (w->o->json) {
		struct jsonwrt j;

		jsonwrt_init(&j, m, false);
		jsonwrt_object_open(&j, NULL);
		jsonwrt_int(&j, "version", 1);
		jsonwrt_bool(&j, "repeated", true);
		w_event(&j, w, &x->ev, x->unit, NULL, x->where, r->count);
		jsonwrt_int(&j, "repeats_ms", r->last_ms - r->first_ms);
		jsonwrt_object_close(&j);
		jsonwrt_end(&j);
	} else {
		fprintf(m, "\n%s: failed %lu more time%s in %.1f s, same holders\n",
			x->head, r->count, r->count == 1 ? "" : "s",
			(double)(r->last_ms - r->first_ms) / 1000);
	}
	fclose(m);
	emit(w, out, len);
}

void watch_out_init(struct wb_watch_out *w, const struct wb_watch_opts *o)
{
	struct timespec real, mono;
	bool journal_stdout = journal_is_stdout();

	memset(w, 0, sizeof(*w));
	w->o = o;
	w->journal = o->journal || journal_stdout;
	w->to_stdout = !o->quiet && !journal_stdout;
	w->color = report_want_color(o->color, STDOUT_FILENO);
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	w->mono_to_real_ns = ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000 +
			     (real.tv_nsec - mono.tv_nsec);
	repeats_init(&w->runs, WB_REPEAT_WINDOW_MS, run_done, run_free, w);
}

/* In the failing process's namespace and directory, and back. */
static const char *diagnose_there(struct wb_watch_out *w, struct wb_watch_failure *f,
				  struct wb_diagnosis *d, int own_netns, int *fatal)
{
	const char *why = NULL;
	int here = -1, rc;

	if (f->netns_fd >= 0 && setns(f->netns_fd, CLONE_NEWNET) < 0)
		return "cannot enter its network namespace";
	if (f->cwd_fd >= 0 && (here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0 &&
	    fchdir(f->cwd_fd) < 0)
		why = "cannot enter its working directory";
	if (!why && (rc = diagnose(d, &w->o->dopts)) < 0)
		why = rc == -EPERM || rc == -EACCES
			? "cannot ask the kernel about sockets: permission denied"
			: "cannot ask the kernel about the port's sockets (sock_diag)";
	if (here >= 0) {
		if (fchdir(here) < 0)
			*fatal = -errno;
		close(here);
	}
	if (f->netns_fd >= 0 && setns(own_netns, CLONE_NEWNET) < 0)
		*fatal = -errno;
	return why;
}

int watch_report(struct wb_watch_out *w, struct wb_watch_failure *f, int own_netns)
{
	struct wb_diagnosis d = { 0 };
	struct run *x = xcalloc(1, sizeof(*x));
	const char *why = f->gone;
	char *sig;
	uint16_t port;
	unsigned long n;
	int fatal = 0;

	x->ev = f->ev;
	x->where = event_where(&f->ev, &port);
	x->head = header(f, x->where);
	snprintf(x->unit, sizeof(x->unit), "%s", f->unit[0] ? f->unit : "");
	if (!why)
		why = build_request(&f->ev, &d.req);
	if (!why)
		why = diagnose_there(w, f, &d, own_netns, &fatal);
	if (why)
		sig = xasprintf("%u|%d|%s|%s", f->ev.pid, f->ev.err, x->where, why);
	else
		sig = repeat_signature(f->ev.pid, f->ev.err, &d);
	repeats_expire(&w->runs, wb_now_ms(), false);
	n = repeats_seen(&w->runs, sig, wb_now_ms(), x, f->count);
	if (n == 0)
		report(w, f, x->head, x->where, why ? NULL : &d, why);
	w->repeats += f->count - (n == 0);
	free(sig);
	diagnosis_reset(&d);
	return fatal;
}

void watch_report_lost(struct wb_watch_out *w, unsigned long long kernel,
		       unsigned long long queue)
{
	if (!w->to_stdout)
		return;
	if (w->o->json)
		printf("{\"version\":1,\"lost\":{\"kernel\":%llu,\"queue\":%llu}}\n", kernel, queue);
	else
		printf("\nwhybind: failed binds not reported so far: %llu lost in the kernel "
		       "(ring buffer full), %llu not diagnosed (too many waiting)\n", kernel, queue);
	fflush(stdout);
}

void watch_report_summary(struct wb_watch_out *w, unsigned long long seen,
			  unsigned long long received, unsigned long long lost,
			  unsigned long long dropped, unsigned long long filtered,
			  int64_t ms)
{
	repeats_expire(&w->runs, wb_now_ms(), true);
	if (w->o->json && w->to_stdout) {
		printf("{\"version\":1,\"summary\":{\"seconds\":%.3f,\"failed\":%llu,"
		       "\"received\":%llu,\"lost\":%llu,\"not_diagnosed\":%llu,"
		       "\"filtered\":%llu,\"reports\":%lu,\"repeats\":%lu}}\n",
		       (double)ms / 1000, seen, received, lost, dropped, filtered,
		       w->reports, w->repeats);
		fflush(stdout);
	}
	if (!w->o->quiet)
		fprintf(stderr, "whybind: watched %.1f s: %llu failed binds (%llu received, "
			"%llu lost in the kernel, %llu not diagnosed: too many waiting, "
			"%llu filtered out), %lu reports, %lu repeats condensed\n",
			(double)ms / 1000, seen, received, lost, dropped, filtered,
			w->reports, w->repeats);
}
