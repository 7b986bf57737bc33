/* report_json: SPEC's JSON object, built with jansson. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <jansson.h>

#include "escape.h"
#include "report.h"
#include "request.h"

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

static json_t *juser(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

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

static json_t *jsock(const struct wb_sock *s)
{
	bool tw = s->state == WB_TCP_TIME_WAIT && s->protocol == IPPROTO_TCP;
	json_t *owners = json_array();

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

static json_t *jrequest(const struct wb_request *r, const char *netns)
{
	char addr[WB_ADDRSTRLEN];

	return json_pack("{s:s, s:s, s:s, s:i, s:n, s:b, s:b, s:o, s:o, s:o, s:n}",
			 "protocol", r->protocol == IPPROTO_UDP ? "udp" : "tcp",
			 "family", r->addr.family == AF_INET6 ? "inet6" : "inet",
			 "address", addr_str(&r->addr, addr, sizeof(addr)),
			 "port", r->port, "path",
			 "reuseaddr", r->reuseaddr, "reuseport", r->reuseport,
			 "v6only", r->addr.family == AF_INET6 ? json_boolean(r->v6only)
							      : json_null(),
			 "interface", jinterface(r->ifindex),
			 "netns", jstr_untrusted(netns), "user");
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

static json_t *jdiagnosis(const struct wb_diagnosis *d,
			  const struct wb_report_opts *o)
{
	json_t *conflicts = json_array(), *others = json_array(), *root;

	for (size_t i = 0; i < d->socks.n; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		json_array_append_new(s->blocks == WB_NO ? others : conflicts,
				      jsock(s));
	}
	root = json_pack("{s:i, s:o, s:o, s:o, s:o, s:b}",
			 "version", 1, "request", jrequest(&d->req, o->netns),
			 "bind", jbind(d), "conflicts", conflicts,
			 "verdict", jverdict(&d->verdict),
			 "bound_sockets_visible",
			 d->req.protocol == IPPROTO_UDP || d->info.bound_inactive);
	if (d->fix_attempted)
		json_object_set_new(root, "fix", json_pack("{s:i, s:o}",
			"destroyed", d->fix_destroyed, "error", jstr_or_null(d->fix_error)));
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
	return jdiagnosis(d, o);
}

int report_json(FILE *f, const struct wb_diagnosis *d, size_t n,
		const struct wb_report_opts *o)
{
	json_t *root;
	int rc;

	if (n == 1) {
		root = jdiagnosis(d, o);
	} else {
		json_t *results = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(results, jdiagnosis(&d[i], o));
		root = json_pack("{s:i, s:o, s:o}", "version", 1,
				 "host", jstr_untrusted(o->host), "results", results);
	}
	if (!root)
		return -ENOMEM;
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
	return rc ? -EIO : 0;
}
