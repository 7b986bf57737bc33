// SPDX-License-Identifier: GPL-2.0-or-later
/* verdict_unix: an AF_UNIX path or abstract name: a live socket holds
 * it, a stale file is left, something else is there, or the directory
 * is missing or closed to the server's user. */
#include "config.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "escape.h"
#include "verdict_impl.h"

int unix_expected_errno(const struct wb_diagnosis *d)
{
	const struct wb_unix_file *f = &d->facts.file;

	if (d->req.target.abstract)
		return d->probe.ok == WB_NO ? EADDRINUSE : 0;
	if (!d->facts.file_known)
		return 0;
	if (f->exists)
		return EADDRINUSE;
	if (!f->parent_exists)
		return f->parent_error ? f->parent_error : ENOENT;
	return f->parent_writable ? 0 : EACCES;
}

/* The socket in the way to name: a stopped holder's first. */
static const struct wb_sock *unix_holder(const struct wb_diagnosis *d)
{
	const struct wb_sock *best = NULL;

	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];

		if (!sock_in_the_way(s))
			continue;
		if (!best || (sock_held_stopped(s) && !sock_held_stopped(best)))
			best = s;
	}
	return best;
}

static void unix_live(const struct wb_diagnosis *d, struct wb_verdict *v,
		      const struct wb_sock *s, const char *name)
{
	struct wb_pidlist l = { 0 };
	char *who = holder_text(s), *pids;
	const char *state = s->state == WB_TCP_LISTEN ? "listening"
			  : s->state == WB_TCP_ESTABLISHED ? "connected" : "not connected";

	verdict_set_cause(v, WB_CAUSE_UNIX_LIVE);
	v->summary = xasprintf("%s holds %s: a live %s socket (%s) is bound to it%s",
			       who, name, unix_type_name(s->type), state,
			       d->req.target.abstract ? "" : "; the file is in use, never remove it");
	for (size_t i = 0; i < s->n_owners; i++)
		if (!manager_untouchable(&s->owners[i]))
			pidlist_add_once(&l, s->owners[i].pid);
	pids = pidlist_join(&l, " ", SIZE_MAX);
	if (pids && sock_held_stopped(s))
		fixes_stopped(v, s, pids);
	else if (s->n_owners)
		fixes_holder(d, v, s, pids,
			     xasprintf("stop %s, if it is an old instance of the server", who));
	verdict_add_fix(v, "other-path", xasprintf("or give the new server another %s",
						   d->req.target.abstract ? "name" : "path"), NULL);
	pidlist_free(&l);
	free(pids);
	free(who);
}

static void unix_not_socket(const struct wb_diagnosis *d, struct wb_verdict *v,
			    const char *name, const char *quoted)
{
	verdict_set_cause(v, WB_CAUSE_UNIX_NOT_SOCKET);
	v->summary = xasprintf("%s is a %s, not a socket: bind() never replaces an existing file, and this one is not stale: it is not a socket at all",
			       name, d->facts.file.type_name);
	verdict_add_fix(v, "inspect-path", xstrdup("look at what it is; remove or move it only if you know nothing needs it"),
			xasprintf("ls -ld -- %s", quoted));
	verdict_add_fix(v, "other-path", xstrdup("or give the server another socket path"), NULL);
}

static void unix_stale(struct wb_verdict *v, const char *name, const char *quoted)
{
	verdict_set_cause(v, WB_CAUSE_UNIX_STALE);
	v->summary = xasprintf("%s is a stale socket file: no live socket in this network namespace is bound to it (its server exited without removing it); it is safe to remove",
			       name);
	verdict_add_fix(v, "remove-stale-socket",
		xstrdup("remove the stale file (or run whybind --fix), then start the server"),
		xasprintf("rm -- %s", quoted));
	verdict_add_fix(v, "unlink-before-bind",
		xstrdup("make the server remove its stale socket file before bind() (systemd: RuntimeDirectory= starts it clean)"),
		NULL);
}

static void unix_in_use(const struct wb_diagnosis *d, struct wb_verdict *v,
			const char *name)
{
	const struct wb_unix_file *f = &d->facts.file;
	const struct wb_sock *s = unix_holder(d);
	char *quoted;

	if (s) {
		unix_live(d, v, s, name);
		return;
	}
	if (d->req.target.abstract) {
		verdict_set_cause(v, WB_CAUSE_OTHER);
		v->summary = xasprintf("a socket holds %s, but it is gone now or could not be seen", name);
		verdict_add_fix(v, "other-path", xstrdup("try again, or use another name"), NULL);
		return;
	}
	quoted = wb_escape_str(d->req.target.name, WB_ESC_SHELL);
	if (d->facts.file_known && f->exists && !f->is_socket) {
		unix_not_socket(d, v, name, quoted);
	} else if (d->facts.file_known && f->exists) {
		unix_stale(v, name, quoted);
	} else {
		verdict_set_cause(v, WB_CAUSE_OTHER);
		v->summary = xasprintf("%s was in use when probed, and is gone now", name);
		verdict_add_fix(v, "other-path", xstrdup("try again"), NULL);
	}
	free(quoted);
}

static void unix_no_directory(const struct wb_diagnosis *d, struct wb_verdict *v)
{
	char *dir = wb_escape_str(d->facts.file.parent, WB_ESC_TERM);
	char *quoted = wb_escape_str(d->facts.file.parent, WB_ESC_SHELL);

	verdict_set_cause(v, WB_CAUSE_UNIX_NO_DIRECTORY);
	v->summary = xasprintf("the directory %s does not exist (bind() creates the socket file, never its directory)", dir);
	verdict_add_fix(v, "create-directory", xstrdup("create it, owned by the server's user (systemd: RuntimeDirectory=)"),
			xasprintf("mkdir -p -- %s", quoted));
	free(dir);
	free(quoted);
}

static void unix_permission(const struct wb_diagnosis *d, struct wb_verdict *v)
{
	char *dir = wb_escape_str(d->facts.file.parent, WB_ESC_TERM);
	char *quoted = wb_escape_str(d->facts.file.parent, WB_ESC_SHELL);
	const char *who = d->req.user_given ? d->req.user : NULL;
	unsigned uid = (unsigned)d->req.uid;

	verdict_set_cause(v, WB_CAUSE_PERMISSION);
	v->summary = who
		? xasprintf("%s (uid %u) may not create a file in %s: it needs write and search permission on the directory",
			    who, uid, dir)
		: xasprintf("uid %u may not create a file in %s: it needs write and search permission on the directory",
			    uid, dir);
	verdict_add_fix(v, "grant-permission", xstrdup("let the server's user create files there"),
			xasprintf("setfacl -m u:%u:wx -- %s", uid, quoted));
	verdict_add_fix(v, "other-path", xstrdup("or give the server a directory of its own (systemd: RuntimeDirectory=)"),
			NULL);
	free(dir);
	free(quoted);
}

void verdict_unix(const struct wb_diagnosis *d, struct wb_verdict *v, int err)
{
	char *name = unix_display_name(d->req.target.name, d->req.target.len, d->req.target.abstract);

	if (d->probe.ok == WB_YES) {
		verdict_set_cause(v, WB_CAUSE_FREE);
		v->summary = d->req.target.abstract
			? xasprintf("the bind would succeed: no socket holds %s", name)
			: xasprintf("the bind would succeed: nothing is at %s", name);
	} else if (err == EADDRINUSE) {
		unix_in_use(d, v, name);
	} else if (err == ENOENT || (err == ENOTDIR && !d->facts.file.parent_exists)) {
		unix_no_directory(d, v);
	} else if (err == EACCES) {
		unix_permission(d, v);
	} else if (err) {
		verdict_other_error(d, v);
	} else {
		verdict_set_cause(v, WB_CAUSE_OTHER);
		v->summary = xasprintf("what is at %s could not be read", name);
	}
	free(name);
}
