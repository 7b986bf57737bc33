/* report_json: SPEC's JSON object, built with jansson. */
#include "config.h"
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <jansson.h>

#include "escape.h"
#include "report.h"
#include "request.h"
#include "unix.h"

/* Untrusted bytes: made valid UTF-8 first, as jansson requires. */
static json_t *jstr_untrusted(const char *s)
{
	char *e;
	json_t *j;

	if (!s)
		return json_null();
	e = wb_escape_str(s, WB_ESC_JSON);
	j = json_string(e);
	free(e);
	return j ? j : json_null();
}

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jtri(int v)
{
	return v == WB_UNKNOWN ? json_null() : json_boolean(v == WB_YES);
}

/* A port's sockets and their holders are mostly a few users: look each
 * up once (getpwuid() reads the user database afresh every call). */
static json_t *juser(uid_t uid)
{
	static struct { uid_t uid; bool known; char *name; } seen[8];
	static size_t next;
	struct passwd *pw;

	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++)
		if (seen[i].known && seen[i].uid == uid)
			return seen[i].name ? jstr_untrusted(seen[i].name) : json_null();
	pw = getpwuid(uid);
	free(seen[next].name);
	seen[next].uid = uid;
	seen[next].known = true;
	seen[next].name = pw ? xstrdup(pw->pw_name) : NULL;
	next = (next + 1) % (sizeof(seen) / sizeof(seen[0]));
	return pw ? jstr_untrusted(pw->pw_name) : json_null();
}

static json_t *jendpoint(const struct wb_addr *a, uint16_t port)
{
	char buf[WB_ADDRSTRLEN];

	return json_pack("{s:s, s:i}", "address", addr_str(a, buf, sizeof(buf)),
			 "port", port);
}

static json_t *jcontainer(const struct wb_owner *o)
{
	if (!o->runtime[0])
		return json_null();
	return json_pack("{s:s, s:o, s:o}", "runtime", o->runtime,
			 "id", jstr_untrusted(o->container),
			 "pod", o->pod[0] ? jstr_untrusted(o->pod) : json_null());
}

static json_t *jowner(const struct wb_owner *o)
{
	char state[2] = { o->state, '\0' };
	json_t *j;

	j = json_pack("{s:i, s:o, s:o, s:i, s:o, s:s, s:b, s:o, s:o, s:o, s:i}",
		      "pid", o->pid, "comm", jstr_untrusted(o->comm),
		      "cmdline", jstr_untrusted(o->cmdline),
		      "uid", (int)o->uid, "user", juser(o->uid),
		      "state", state, "stopped", o->state == 'T' || o->state == 't',
		      "tty", o->tty[0] ? json_string(o->tty) : json_null(),
		      "unit", o->unit[0] ? jstr_untrusted(o->unit) : json_null(),
		      "container", jcontainer(o), "fd", o->fd);
	json_object_set_new(j, "user_unit", json_boolean(o->user_unit));
	json_object_set_new(j, "session_leader", o->leader_comm[0] ?
		json_pack("{s:i, s:o}", "pid", o->sid, "comm", jstr_untrusted(o->leader_comm))
		: json_null());
	json_object_set_new(j, "tracer", o->tracer ? json_integer(o->tracer) : json_null());
	json_object_set_new(j, "tracer_comm", o->tracer && o->tracer_comm[0]
			    ? jstr_untrusted(o->tracer_comm) : json_null());
	return j;
}

static json_t *jinterface(uint32_t ifindex)
{
	char name[IF_NAMESIZE];

	if (!ifindex)
		return json_null();
	if (if_indextoname(ifindex, name))
		return json_string(name);
	return json_integer(ifindex);
}

/* Raw name bytes (a path, or an abstract name without its NUL), as
 * "/run/app.sock" or "@name"; bytes that are not UTF-8 become \xNN. */
static json_t *junix_name(const char *name, size_t len, bool abstract)
{
	char *e = wb_escape(name, len, WB_ESC_JSON);
	json_t *j;

	if (abstract) {
		char *at = xmalloc(strlen(e) + 2);

		at[0] = '@';
		strcpy(at + 1, e);
		free(e);
		e = at;
	}
	j = json_stringn(e, strlen(e));
	free(e);
	return j ? j : json_null();
}

static json_t *junix_sock(const struct wb_sock *s)
{
	json_t *owners = json_array();

	for (size_t i = 0; i < s->n_owners; i++)
		json_array_append_new(owners, jowner(&s->owners[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:b, s:o}",
			 "protocol", "unix", "family", "unix",
			 "type", unix_type_name(s->type),
			 "state", sock_state_name(s),
			 "path", s->path ? junix_name(s->path, s->path_len, s->abstract)
					 : json_null(),
			 "abstract", s->abstract,
			 "inode", s->inode ? json_integer((json_int_t)s->inode) : json_null(),
			 "uid", s->uid == (uint32_t)-1 ? json_null() : json_integer(s->uid),
			 "user", s->uid == (uint32_t)-1 ? json_null() : juser(s->uid),
			 "vfs_inode", s->vfs_ino ? json_integer((json_int_t)s->vfs_ino) : json_null(),
			 "owners", owners,
			 "owners_visible", s->owners_visible,
			 "reason", jstr_or_null(s->why));
}

static json_t *jsock(const struct wb_sock *s)
{
	bool tw = s->state == WB_TCP_TIME_WAIT && s->protocol == IPPROTO_TCP;
	json_t *owners;

	if (s->family == AF_UNIX)
		return junix_sock(s);
	owners = json_array();

	for (size_t i = 0; i < s->n_owners; i++)
		json_array_append_new(owners, jowner(&s->owners[i]));
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o,"
			 " s:o, s:o, s:o, s:o, s:o, s:b, s:o}",
			 "protocol", s->protocol == IPPROTO_UDP ? "udp" : "tcp",
			 "family", s->family == AF_INET6 ? "inet6" : "inet",
			 "state", sock_state_name(s),
			 "local", jendpoint(&s->local, s->lport),
			 "remote", jendpoint(&s->remote, s->rport),
			 "v6only", s->family == AF_INET6 ? jtri(s->v6only) : json_null(),
			 "interface", jinterface(s->ifindex),
			 "reuseaddr", jtri(s->reuseaddr),
			 "reuseport", jtri(s->reuseport),
			 "uid", tw ? json_null() : json_integer(s->uid),
			 "user", tw ? json_null() : juser(s->uid),
			 "inode", s->inode ? json_integer(s->inode) : json_null(),
			 "expires_ms", tw ? json_integer(s->expires_ms) : json_null(),
			 "owners", owners,
			 "owners_visible", s->owners_visible,
			 "reason", jstr_or_null(s->why));
}

static json_t *juser_given(const struct wb_request *r)
{
	return r->user_given ? jstr_untrusted(r->user) : json_null();
}

static json_t *junix_request(const struct wb_request *r, const char *netns)
{
	return json_pack("{s:s, s:s, s:n, s:n, s:o, s:b, s:s, s:b, s:b, s:n, s:n, s:o, s:o}",
			 "protocol", "unix", "family", "unix", "address", "port",
			 "path", junix_name(r->target.name, r->target.len, r->target.abstract),
			 "abstract", r->target.abstract,
			 "type", unix_type_name(r->unix_type),
			 "reuseaddr", false, "reuseport", false, "v6only", "interface",
			 "netns", jstr_untrusted(netns), "user", juser_given(r));
}

static json_t *jrequest(const struct wb_request *r, const char *netns)
{
	char addr[WB_ADDRSTRLEN];

	if (r->addr.family == AF_UNIX)
		return junix_request(r, netns);
	return json_pack("{s:s, s:s, s:s, s:i, s:n, s:b, s:b, s:o, s:o, s:o, s:o}",
			 "protocol", r->protocol == IPPROTO_UDP ? "udp" : "tcp",
			 "family", r->addr.family == AF_INET6 ? "inet6" : "inet",
			 "address", addr_str(&r->addr, addr, sizeof(addr)),
			 "port", r->port, "path",
			 "reuseaddr", r->reuseaddr, "reuseport", r->reuseport,
			 "v6only", r->addr.family == AF_INET6 ? json_boolean(r->v6only)
							      : json_null(),
			 "interface", jinterface(r->ifindex),
			 "netns", jstr_untrusted(netns), "user", juser_given(r));
}

static json_t *jbind(const struct wb_diagnosis *d)
{
	const char *name = d->err ? strerrorname_np(d->err) : NULL;

	return json_pack("{s:o, s:b, s:o, s:o}",
			 "ok", jtri(d->ok), "probed", d->probed,
			 "errno", jstr_or_null(name),
			 "error", d->err ? json_string(strerror(d->err)) : json_null());
}

static json_t *jverdict(const struct wb_verdict *v)
{
	json_t *fixes = json_array();

	for (size_t i = 0; i < v->n_fixes; i++)
		json_array_append_new(fixes, json_pack("{s:s, s:o, s:o}",
			"action", v->fixes[i].action,
			"text", jstr_or_null(v->fixes[i].text),
			"command", jstr_or_null(v->fixes[i].command)));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "cause", v->cause,
			 "reuseaddr_fixes", jtri(v->reuseaddr_fixes),
			 "reuseport_fixes", jtri(v->reuseport_fixes),
			 "summary", jstr_or_null(v->summary),
			 "reuseaddr_reason", jstr_or_null(v->reuseaddr_why),
			 "reuseport_reason", jstr_or_null(v->reuseport_why),
			 "fixes", fixes);
}

/* What is at an AF_UNIX path, and where bind() would create it. */
static json_t *jfile(const struct wb_unix_file *f)
{
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:b, s:b}",
			 "exists", f->exists,
			 "type", f->exists && f->type_name ? json_string(f->type_name) : json_null(),
			 "inode", f->exists ? json_integer((json_int_t)f->ino) : json_null(),
			 "uid", f->exists ? json_integer(f->uid) : json_null(),
			 "directory", jstr_untrusted(f->parent),
			 "directory_exists", f->parent_exists,
			 "directory_writable", f->parent_writable);
}

static json_t *jhost_addrs(const struct wb_diagnosis *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->n_host_addrs; i++) {
		const struct wb_host_addr *h = &d->host_addrs[i];
		char addr[WB_ADDRSTRLEN];

		json_array_append_new(a, json_pack("{s:s, s:i, s:o, s:b}",
			"address", addr_str(&h->addr, addr, sizeof(addr)),
			"prefix", (int)h->prefix, "interface", jstr_untrusted(h->ifname),
			"tentative", h->tentative));
	}
	return a;
}

/* "conflicts" lists every socket that blocks or may; "others" the rest. */
static bool listed_as_conflict(const struct wb_sock *s)
{
	return s->blocks != WB_NO;
}

/* The diagnosis as one object.  Without `lists`, "conflicts" and
 * "others" are left empty, for report_json() to stream. */
static json_t *jdiagnosis(const struct wb_diagnosis *d,
			  const struct wb_report_opts *o, bool lists)
{
	json_t *conflicts = json_array(), *others = json_array(), *root;

	for (size_t i = 0; i < d->socks.n && lists; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		json_array_append_new(listed_as_conflict(s) ? conflicts : others,
				      jsock(s));
	}
	root = json_pack("{s:i, s:o, s:o, s:o, s:o, s:b}",
			 "version", 1, "request", jrequest(&d->req, o->netns),
			 "bind", jbind(d), "conflicts", conflicts,
			 "verdict", jverdict(&d->verdict),
			 "bound_sockets_visible",
			 d->req.protocol != IPPROTO_TCP || d->info.bound_inactive);
	json_object_set_new(root, "owner_lookup", jstr_or_null(d->owner_lookup));
	if (d->req.addr.family == AF_UNIX && !d->req.target.abstract && d->file_known)
		json_object_set_new(root, "file", jfile(&d->file));
	if (d->err == EACCES && d->req.addr.family != AF_UNIX)
		json_object_set_new(root, "unprivileged_port_start",
				    d->port_start >= 0 ? json_integer(d->port_start) : json_null());
	if (d->err == EADDRNOTAVAIL)
		json_object_set_new(root, "host_addresses", jhost_addrs(d));
	if (d->fix_attempted)
		json_object_set_new(root, "fix", json_pack("{s:i, s:b, s:o}",
			"destroyed", d->fix_destroyed, "removed", d->fix_removed,
			"error", jstr_or_null(d->fix_error)));
	if (d->waited)
		json_object_set_new(root, "wait", json_pack("{s:I, s:b}",
			"waited_ms", (json_int_t)d->waited_ms, "timed_out", d->wait_timed_out));
	if (o->verbose)
		json_object_set_new(root, "others", others);
	else
		json_decref(others);
	return root;
}

json_t *report_json_object(const struct wb_diagnosis *d,
			   const struct wb_report_opts *o)
{
	return jdiagnosis(d, o, true);
}

/* ---- the document, streamed ----
 * A port can have tens of thousands of sockets; as one jansson tree the
 * document took 400 MB for 65 535 of them.  So each diagnosis is dumped
 * without its socket lists, and the lists are written one socket at a
 * time where their empty arrays were, in the very layout json_dumpf()
 * gives a whole tree (JSON_INDENT(2): two spaces a level). */

#define DUMP_FLAGS	(JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* Bytes of a dump made at depth 0, written as if at `depth`: every line
 * after the first indented two spaces a level more.  A JSON string holds
 * no raw newline, so every newline is the layout's. */
static void put_at(FILE *f, const char *p, size_t len, int depth)
{
	const char *end = p + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		fwrite(p, 1, n, f);
		if (nl)
			fprintf(f, "%*s", 2 * depth, "");
		p += n;
	}
}

static int put_value(FILE *f, json_t *v, int depth)
{
	char *s = json_dumps(v, DUMP_FLAGS);

	json_decref(v);
	if (!s)
		return -ENOMEM;
	put_at(f, s, strlen(s), depth);
	free(s);
	return 0;
}

/* The sockets that block (or, `blocking` false, the others) as the array
 * value of a key at `depth`. */
static int put_socks(FILE *f, const struct wb_diagnosis *d, bool blocking,
		     int depth)
{
	bool first = true;
	int rc = 0;

	fputc('[', f);
	for (size_t i = 0; i < d->socks.n && rc == 0; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		if (listed_as_conflict(s) != blocking)
			continue;
		fprintf(f, "%s\n%*s", first ? "" : ",", 2 * (depth + 1), "");
		first = false;
		rc = put_value(f, jsock(s), depth + 1);
	}
	if (!first)
		fprintf(f, "\n%*s", 2 * depth, "");
	fputc(']', f);
	return rc;
}

/* One diagnosis, as an object at `depth`. */
static int put_diagnosis(FILE *f, const struct wb_diagnosis *d,
			 const struct wb_report_opts *o, int depth)
{
	static const char *const keys[] = { "\n  \"conflicts\": []", "\n  \"others\": []" };
	json_t *root = jdiagnosis(d, o, false);
	char *s = root ? json_dumps(root, DUMP_FLAGS) : NULL;
	const char *p;
	int rc = 0;

	json_decref(root);
	if (!s)
		return -ENOMEM;
	/* "conflicts" comes before "others" (added last, with -v); either
	 * key at the object's own level is unique: a quote inside a string
	 * value is escaped. */
	p = s;
	for (size_t k = 0; k < 2 && rc == 0; k++) {
		const char *at = strstr(p, keys[k]);
		size_t key_len = strlen(keys[k]) - 2;	/* up to the "[]" */

		if (!at)
			continue;
		put_at(f, p, (size_t)(at - p) + key_len, depth);
		rc = put_socks(f, d, k == 0, depth + 1);
		p = at + key_len + 2;
	}
	put_at(f, p, strlen(p), depth);
	free(s);
	return rc;
}

int report_json(FILE *f, const struct wb_diagnosis *d, size_t n,
		const struct wb_report_opts *o)
{
	int rc = 0;

	if (n == 1) {
		rc = put_diagnosis(f, d, o, 0);
	} else {
		json_t *h = jstr_untrusted(o->host);
		char *hs = json_dumps(h, JSON_ENCODE_ANY);

		json_decref(h);
		if (!hs)
			return -ENOMEM;
		fprintf(f, "{\n  \"version\": 1,\n  \"host\": %s,\n  \"results\": [", hs);
		free(hs);
		for (size_t i = 0; i < n && rc == 0; i++) {
			fprintf(f, "%s\n    ", i ? "," : "");
			rc = put_diagnosis(f, &d[i], o, 2);
		}
		fprintf(f, "%s]\n}", n ? "\n  " : "");
	}
	fputc('\n', f);
	if (rc == 0 && ferror(f))
		rc = -EIO;
	return rc;
}
