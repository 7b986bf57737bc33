// SPDX-License-Identifier: GPL-2.0-or-later
/* report_json: SPEC's JSON object, written a value at a time through
 * jsonwrt.  A port can have tens of thousands of sockets: nothing of the
 * document is held, each socket is written as it comes. */
#include "config.h"
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "jsonwrt.h"
#include "report.h"
#include "request.h"
#include "unix.h"

static void w_tri(struct jsonwrt *w, const char *key, int v)
{
	if (v == WB_UNKNOWN)
		jsonwrt_null(w, key);
	else
		jsonwrt_bool(w, key, v == WB_YES);
}

/* An integer where it is known, null where not. */
static void w_int_if(struct jsonwrt *w, const char *key, bool known, long long v)
{
	if (known)
		jsonwrt_int(w, key, v);
	else
		jsonwrt_null(w, key);
}

/* A port's sockets and their holders are mostly a few users: look each
 * up once (getpwuid() reads the user database afresh every call). */
static const char *user_name(uid_t uid)
{
	static struct { uid_t uid; bool known; char *name; } seen[8];
	static size_t next;
	size_t i = next;
	struct passwd *pw;

	for (size_t j = 0; j < sizeof(seen) / sizeof(seen[0]); j++)
		if (seen[j].known && seen[j].uid == uid)
			return seen[j].name;
	pw = getpwuid(uid);
	free(seen[i].name);
	seen[i].uid = uid;
	seen[i].known = true;
	seen[i].name = pw ? xstrdup(pw->pw_name) : NULL;
	next = (i + 1) % (sizeof(seen) / sizeof(seen[0]));
	return seen[i].name;
}

static void w_endpoint(struct jsonwrt *w, const char *key,
		       const struct wb_addr *a, uint16_t port)
{
	char buf[WB_ADDRSTRLEN];

	jsonwrt_object_open(w, key);
	jsonwrt_string(w, "address", addr_str(a, buf, sizeof(buf)));
	jsonwrt_int(w, "port", port);
	jsonwrt_object_close(w);
}

/* A string field that is empty when there is nothing: null then. */
static void w_nonempty(struct jsonwrt *w, const char *key, const char *s)
{
	jsonwrt_string(w, key, s[0] ? s : NULL);
}

static void w_container(struct jsonwrt *w, const struct wb_owner *o)
{
	if (!o->origin.runtime[0]) {
		jsonwrt_null(w, "container");
		return;
	}
	jsonwrt_object_open(w, "container");
	jsonwrt_string(w, "runtime", o->origin.runtime);
	jsonwrt_string(w, "id", o->origin.container);
	w_nonempty(w, "pod", o->origin.pod);
	jsonwrt_object_close(w);
}

static void w_owner(struct jsonwrt *w, const struct wb_owner *o)
{
	char state[2] = { o->state, '\0' };

	jsonwrt_object_open(w, NULL);
	jsonwrt_int(w, "pid", o->pid);
	jsonwrt_string(w, "comm", o->comm);
	jsonwrt_string(w, "cmdline", o->cmdline);
	jsonwrt_int(w, "uid", (int)o->uid);
	jsonwrt_string(w, "user", user_name(o->uid));
	jsonwrt_string(w, "state", state);
	jsonwrt_bool(w, "stopped", o->state == 'T' || o->state == 't');
	w_nonempty(w, "tty", o->tty);
	w_nonempty(w, "unit", o->origin.unit);
	w_container(w, o);
	jsonwrt_int(w, "fd", o->fd);
	jsonwrt_bool(w, "user_unit", o->origin.user_unit);
	if (o->origin.leader_comm[0]) {
		jsonwrt_object_open(w, "session_leader");
		jsonwrt_int(w, "pid", o->sid);
		jsonwrt_string(w, "comm", o->origin.leader_comm);
		jsonwrt_object_close(w);
	} else {
		jsonwrt_null(w, "session_leader");
	}
	if (o->origin.tracer)
		jsonwrt_int(w, "tracer", o->origin.tracer);
	else
		jsonwrt_null(w, "tracer");
	jsonwrt_string(w, "tracer_comm", o->origin.tracer && o->origin.tracer_comm[0]
					 ? o->origin.tracer_comm : NULL);
	jsonwrt_object_close(w);
}

static void w_owners(struct jsonwrt *w, const struct wb_sock *s)
{
	jsonwrt_array_open(w, "owners");
	for (size_t i = 0; i < s->n_owners; i++)
		w_owner(w, &s->owners[i]);
	jsonwrt_array_close(w);
}

/* The device's name, or its index when it has gone meanwhile. */
static void w_interface(struct jsonwrt *w, uint32_t ifindex)
{
	char name[IF_NAMESIZE];

	if (!ifindex)
		jsonwrt_null(w, "interface");
	else if (if_indextoname(ifindex, name))
		jsonwrt_string(w, "interface", name);
	else
		jsonwrt_int(w, "interface", ifindex);
}

/* Raw name bytes (a path, or an abstract name without its NUL), as
 * "/run/app.sock" or "@name"; bytes that are not UTF-8 become \xNN. */
static void w_unix_name(struct jsonwrt *w, const char *key, const char *name,
			size_t len, bool abstract)
{
	char *at;

	if (!abstract) {
		jsonwrt_string_n(w, key, name, len);
		return;
	}
	at = xmalloc(len + 1);
	at[0] = '@';
	memcpy(at + 1, name, len);
	jsonwrt_string_n(w, key, at, len + 1);
	free(at);
}

static void w_unix_sock(struct jsonwrt *w, const struct wb_sock *s)
{
	bool uid_known = s->uid != (uint32_t)-1;

	jsonwrt_string(w, "protocol", "unix");
	jsonwrt_string(w, "family", "unix");
	jsonwrt_string(w, "type", unix_type_name(s->type));
	jsonwrt_string(w, "state", sock_state_name(s));
	if (s->path)
		w_unix_name(w, "path", s->path, s->path_len, s->abstract);
	else
		jsonwrt_null(w, "path");
	jsonwrt_bool(w, "abstract", s->abstract);
	w_int_if(w, "inode", s->inode != 0, (long long)s->inode);
	w_int_if(w, "uid", uid_known, s->uid);
	jsonwrt_string(w, "user", uid_known ? user_name(s->uid) : NULL);
	w_int_if(w, "vfs_inode", s->vfs_ino != 0, (long long)s->vfs_ino);
}

static void w_inet_sock(struct jsonwrt *w, const struct wb_sock *s)
{
	bool tw = sock_is_time_wait(s);

	jsonwrt_string(w, "protocol", s->protocol == IPPROTO_UDP ? "udp" : "tcp");
	jsonwrt_string(w, "family", s->family == AF_INET6 ? "inet6" : "inet");
	jsonwrt_string(w, "state", sock_state_name(s));
	w_endpoint(w, "local", &s->local, s->lport);
	w_endpoint(w, "remote", &s->remote, s->rport);
	w_tri(w, "v6only", s->family == AF_INET6 ? s->v6only : WB_UNKNOWN);
	w_interface(w, s->ifindex);
	w_tri(w, "reuseaddr", s->reuseaddr);
	w_tri(w, "reuseport", s->reuseport);
	if (tw) {
		jsonwrt_null(w, "uid");
		jsonwrt_null(w, "user");
	} else {
		jsonwrt_int(w, "uid", s->uid);
		jsonwrt_string(w, "user", user_name(s->uid));
	}
	w_int_if(w, "inode", s->inode != 0, (long long)s->inode);
	w_int_if(w, "expires_ms", tw, s->expires_ms);
}

/* What owns the holders' lives (manager.h); a conflict's only. */
static void w_manager(struct jsonwrt *w, const struct wb_manager *m)
{
	const char *kind = m ? manager_kind_name(m->kind) : NULL;

	jsonwrt_string(w, "manager_reason", m ? m->reason : NULL);
	if (!kind) {
		jsonwrt_null(w, "manager");
		return;
	}
	jsonwrt_object_open(w, "manager");
	jsonwrt_string(w, "kind", kind);
	w_nonempty(w, "name", m->name);
	if (m->id[0])
		jsonwrt_string(w, "id", m->id);
	else if (m->kind == WB_MGR_PARENT)
		jsonwrt_int(w, "id", m->pid);
	else
		jsonwrt_null(w, "id");
	w_tri(w, "restarts", m->restarts);
	if (m->pid)
		jsonwrt_int(w, "pid", m->pid);
	else
		jsonwrt_null(w, "pid");
	if (m->workers)
		jsonwrt_int(w, "workers", m->workers);
	if (m->kind == WB_MGR_SYSTEMD_SOCKET || m->kind == WB_MGR_SYSTEMD_SERVICE) {
		jsonwrt_bool(w, "user_manager", m->user_manager);
		jsonwrt_string(w, "user", m->user_manager && m->user[0] ? m->user : NULL);
	}
	if (m->kind == WB_MGR_SYSTEMD_SOCKET) {
		w_nonempty(w, "socket", m->name);
		w_nonempty(w, "service", m->service);
		jsonwrt_bool(w, "service_holds", m->service_holds);
	} else if (m->kind == WB_MGR_DOCKER || m->kind == WB_MGR_PODMAN) {
		w_nonempty(w, "container", m->name);
		w_nonempty(w, "container_id", m->id);
		w_nonempty(w, "container_ip", m->container_ip);
		if (m->host_port) {
			jsonwrt_int(w, "container_port", m->container_port);
			jsonwrt_int(w, "host_port", m->host_port);
		}
	} else if (m->kind == WB_MGR_SUPERVISORD) {
		w_nonempty(w, "group", m->group);
		w_nonempty(w, "config", m->config);
	}
	jsonwrt_object_close(w);
}

static void w_sock(struct jsonwrt *w, const struct wb_sock *s,
		   const struct wb_manager *m, bool conflict)
{
	jsonwrt_object_open(w, NULL);
	if (s->family == AF_UNIX)
		w_unix_sock(w, s);
	else
		w_inet_sock(w, s);
	w_owners(w, s);
	jsonwrt_bool(w, "owners_visible", s->owners_visible);
	jsonwrt_string(w, "reason", s->why);
	if (conflict)
		w_manager(w, m);
	jsonwrt_object_close(w);
}

static void w_request(struct jsonwrt *w, const struct wb_request *r,
		      const char *netns)
{
	char addr[WB_ADDRSTRLEN];
	bool un = r->addr.family == AF_UNIX;

	jsonwrt_object_open(w, "request");
	if (un) {
		jsonwrt_string(w, "protocol", "unix");
		jsonwrt_string(w, "family", "unix");
		jsonwrt_null(w, "address");
		jsonwrt_null(w, "port");
		w_unix_name(w, "path", r->target.name, r->target.len,
			    r->target.abstract);
		jsonwrt_bool(w, "abstract", r->target.abstract);
		jsonwrt_string(w, "type", unix_type_name(r->unix_type));
	} else {
		jsonwrt_string(w, "protocol", r->protocol == IPPROTO_UDP ? "udp" : "tcp");
		jsonwrt_string(w, "family", r->addr.family == AF_INET6 ? "inet6" : "inet");
		jsonwrt_string(w, "address", addr_str(&r->addr, addr, sizeof(addr)));
		jsonwrt_int(w, "port", r->port);
		jsonwrt_null(w, "path");
	}
	jsonwrt_bool(w, "reuseaddr", !un && r->reuseaddr);
	jsonwrt_bool(w, "reuseport", !un && r->reuseport);
	w_tri(w, "v6only", r->addr.family == AF_INET6 ? r->v6only : WB_UNKNOWN);
	if (un)
		jsonwrt_null(w, "interface");
	else
		w_interface(w, r->ifindex);
	jsonwrt_string(w, "netns", netns);
	jsonwrt_string(w, "user", r->user_given ? r->user : NULL);
	/* Where the request came from: "argument", "message" (and the
	 * runtime whose error it was), "exec". */
	jsonwrt_string(w, "source", r->source ? r->source : "argument");
	jsonwrt_string(w, "runtime", r->runtime);
	jsonwrt_object_close(w);
}

static void w_bind(struct jsonwrt *w, const struct wb_diagnosis *d)
{
	jsonwrt_object_open(w, "bind");
	w_tri(w, "ok", d->probe.ok);
	jsonwrt_bool(w, "probed", d->probe.probed);
	jsonwrt_string(w, "errno", d->probe.err ? strerrorname_np(d->probe.err) : NULL);
	jsonwrt_string(w, "error", d->probe.err ? strerror(d->probe.err) : NULL);
	jsonwrt_object_close(w);
}

static void w_verdict(struct jsonwrt *w, const struct wb_verdict *v)
{
	jsonwrt_object_open(w, "verdict");
	jsonwrt_string(w, "cause", v->cause);
	w_tri(w, "reuseaddr_fixes", v->reuseaddr_fixes);
	w_tri(w, "reuseport_fixes", v->reuseport_fixes);
	jsonwrt_string(w, "summary", v->summary);
	jsonwrt_string(w, "reuseaddr_reason", v->reuseaddr_why);
	jsonwrt_string(w, "reuseport_reason", v->reuseport_why);
	jsonwrt_array_open(w, "fixes");
	for (size_t i = 0; i < v->n_fixes; i++) {
		jsonwrt_object_open(w, NULL);
		jsonwrt_string(w, "action", v->fixes[i].action);
		jsonwrt_string(w, "text", v->fixes[i].text);
		jsonwrt_string(w, "command", v->fixes[i].command);
		jsonwrt_object_close(w);
	}
	jsonwrt_array_close(w);
	jsonwrt_object_close(w);
}

/* What is at an AF_UNIX path, and where bind() would create it. */
static void w_file(struct jsonwrt *w, const struct wb_unix_file *f)
{
	jsonwrt_object_open(w, "file");
	jsonwrt_bool(w, "exists", f->exists);
	jsonwrt_string(w, "type", f->exists ? f->type_name : NULL);
	if (f->exists) {
		jsonwrt_int(w, "inode", (long long)f->ino);
		jsonwrt_int(w, "uid", f->uid);
	} else {
		jsonwrt_null(w, "inode");
		jsonwrt_null(w, "uid");
	}
	jsonwrt_string(w, "directory", f->parent);
	jsonwrt_bool(w, "directory_exists", f->parent_exists);
	jsonwrt_bool(w, "directory_writable", f->parent_writable);
	jsonwrt_object_close(w);
}

static void w_host_addrs(struct jsonwrt *w, const struct wb_diagnosis *d)
{
	jsonwrt_array_open(w, "host_addresses");
	for (size_t i = 0; i < d->facts.n_host_addrs; i++) {
		const struct wb_host_addr *h = &d->facts.host_addrs[i];
		char addr[WB_ADDRSTRLEN];

		jsonwrt_object_open(w, NULL);
		jsonwrt_string(w, "address", addr_str(&h->addr, addr, sizeof(addr)));
		jsonwrt_int(w, "prefix", (int)h->prefix);
		jsonwrt_string(w, "interface", h->ifname);
		jsonwrt_bool(w, "tentative", h->tentative);
		jsonwrt_object_close(w);
	}
	jsonwrt_array_close(w);
}

/* "conflicts" lists every socket that blocks or may; "others" the rest:
 * each written as it comes, so the document never is held whole. */
static void w_socks(struct jsonwrt *w, const char *key,
		    const struct wb_diagnosis *d, bool blocking)
{
	jsonwrt_array_open(w, key);
	for (size_t i = 0; i < d->scan.socks.n; i++)
		if (sock_in_the_way(&d->scan.socks.v[i]) == blocking)
			w_sock(w, &d->scan.socks.v[i],
			       i < d->managers.n ? &d->managers.v[i] : NULL, blocking);
	jsonwrt_array_close(w);
}

static void w_actions(struct jsonwrt *w, const struct wb_diagnosis *d)
{
	if (d->action.fix_attempted) {
		jsonwrt_object_open(w, "fix");
		jsonwrt_int(w, "destroyed", (int)d->action.fix_destroyed);
		jsonwrt_bool(w, "removed", d->action.fix_removed);
		jsonwrt_string(w, "error", d->action.fix_error);
		jsonwrt_object_close(w);
	}
	if (d->action.waited) {
		jsonwrt_object_open(w, "wait");
		jsonwrt_int(w, "waited_ms", d->action.waited_ms);
		jsonwrt_bool(w, "timed_out", d->action.wait_timed_out);
		jsonwrt_object_close(w);
	}
}

void report_json_members(struct jsonwrt *w, const struct wb_diagnosis *d,
			 const struct wb_report_opts *o)
{
	bool un = d->req.addr.family == AF_UNIX;

	jsonwrt_int(w, "version", 1);
	w_request(w, &d->req, o->netns);
	w_bind(w, d);
	w_socks(w, "conflicts", d, true);
	w_verdict(w, &d->verdict);
	jsonwrt_bool(w, "bound_sockets_visible",
		     d->req.protocol != IPPROTO_TCP || d->scan.info.bound_inactive);
	jsonwrt_string(w, "owner_lookup", d->scan.owner_lookup);
	if (un && !d->req.target.abstract && d->facts.file_known)
		w_file(w, &d->facts.file);
	if (d->probe.err == EACCES && !un) {
		if (d->facts.port_start >= 0)
			jsonwrt_int(w, "unprivileged_port_start", d->facts.port_start);
		else
			jsonwrt_null(w, "unprivileged_port_start");
	}
	if (d->probe.err == EADDRNOTAVAIL)
		w_host_addrs(w, d);
	w_actions(w, d);
	if (o->verbose)
		w_socks(w, "others", d, false);
}

int report_json(FILE *f, const struct wb_diagnosis *d, size_t n,
		const struct wb_report_opts *o)
{
	struct jsonwrt w;

	jsonwrt_init(&w, f, true);
	jsonwrt_object_open(&w, NULL);
	if (n == 1) {
		report_json_members(&w, d, o);
	} else {
		jsonwrt_int(&w, "version", 1);
		jsonwrt_string(&w, "host", o->host);
		jsonwrt_array_open(&w, "results");
		for (size_t i = 0; i < n; i++) {
			jsonwrt_object_open(&w, NULL);
			report_json_members(&w, &d[i], o);
			jsonwrt_object_close(&w);
		}
		jsonwrt_array_close(&w);
	}
	jsonwrt_object_close(&w);
	jsonwrt_end(&w);
	return jsonwrt_error(&w);
}

void report_json_line_begin(struct jsonwrt *w, FILE *f,
			    const struct wb_diagnosis *d,
			    const struct wb_report_opts *o, const char *why)
{
	jsonwrt_init(w, f, false);
	jsonwrt_object_open(w, NULL);
	if (d) {
		report_json_members(w, d, o);
		jsonwrt_bool(w, "diagnosed", true);
	} else {
		jsonwrt_int(w, "version", 1);
		jsonwrt_bool(w, "diagnosed", false);
		jsonwrt_string(w, "reason", why);
	}
}

void report_json_line_end(struct jsonwrt *w)
{
	jsonwrt_object_close(w);
	jsonwrt_end(w);
}
