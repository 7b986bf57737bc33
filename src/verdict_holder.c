// SPDX-License-Identifier: GPL-2.0-or-later
/* verdict_holder: who holds a socket, in words, and the fixes that go
 * through the holder: resume a stopped one, stop one through its manager. */
#include "config.h"
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "origin.h"
#include "verdict_impl.h"

/* The pids holder_text names; more are "...". */
#define HOLDER_PIDS	8

/* ", nginx.service" or ", docker container 3f2a9c1b7d4e", or "". */
static char *origin_text(const struct wb_owner *o)
{
	char *name, *out;

	if (o->origin.runtime[0]) {
		name = wb_escape_str(o->origin.container, WB_ESC_TERM);
		out = xasprintf(", %s container %s", o->origin.runtime, name);
	} else if (o->origin.unit[0]) {
		name = wb_escape_str(o->origin.unit, WB_ESC_TERM);
		out = xasprintf(", %s%s", name, o->origin.user_unit ? " (user unit)" : "");
	} else {
		return xstrdup("");
	}
	free(name);
	return out;
}

char *holder_text(const struct wb_sock *s)
{
	struct wb_pidlist l = { 0 };
	char *comm, *where, *pids, *out;

	if (s->n_owners == 0) {
		if (s->state == WB_TCP_TIME_WAIT)
			return xstrdup("no process (TIME_WAIT)");
		return s->owners_visible ? xstrdup("a process that could not be found")
			: xasprintf("a process of uid %u (not visible without privilege)", s->uid);
	}
	pidlist_add_owners(&l, s);
	pids = pidlist_join(&l, ", ", HOLDER_PIDS);
	comm = wb_escape_str(s->owners[0].comm, WB_ESC_TERM);
	where = origin_text(&s->owners[0]);
	out = xasprintf("%s (pid%s %s%s)", comm, s->n_owners > 1 ? "s" : "", pids, where);
	free(where);
	free(comm);
	free(pids);
	pidlist_free(&l);
	return out;
}

void fixes_stopped(struct wb_verdict *v, const struct wb_sock *s,
		   const char *pids)
{
	const struct wb_owner *o = &s->owners[0];
	char *leader = wb_escape_str(o->origin.leader_comm[0] ? o->origin.leader_comm : "the shell",
				     WB_ESC_TERM);

	/* SIGCONT does not end a ptrace stop: the debugger must let go. */
	if (o->state == 't' && o->origin.tracer > 0 &&
	    !manager_untouchable_comm(o->origin.tracer, o->origin.tracer_comm)) {
		char *tracer = wb_escape_str(o->origin.tracer_comm[0] ? o->origin.tracer_comm : "a tracer",
					     WB_ESC_TERM);

		verdict_add_fix(v, "resume-process",
			xasprintf("the process is held by a debugger (%s, tracer pid %d): detach it, or end the debugger, then resume the process",
				  tracer, o->origin.tracer), xasprintf("kill %d; kill -CONT %s", o->origin.tracer, pids));
		free(tracer);
	} else if (o->state == 't') {
		verdict_add_fix(v, "resume-process",
			xstrdup("the process is held in a ptrace stop: detach its debugger, then resume it"),
			xasprintf("kill -CONT %s", pids));
	} else if (o->tty[0]) {
		verdict_add_fix(v, "resume-process",
			xasprintf("resume the job stopped with Ctrl+Z: run `fg` in %s (pid %d) on %s, or send it SIGCONT",
				  leader, o->sid, o->tty),
			xasprintf("kill -CONT %s", pids));
	} else {
		verdict_add_fix(v, "resume-process",
			xstrdup("resume the stopped process (it was sent SIGSTOP)"),
			xasprintf("kill -CONT %s", pids));
	}
	verdict_add_fix(v, "stop-process", xstrdup("or end it (it exits once resumed)"),
			xasprintf("kill %s; kill -CONT %s", pids, pids));
	free(leader);
}

/* "systemctl stop UNIT"; a user unit through its user's manager (-M
 * USER@ when whybind runs as someone else, as root usually does). */
static char *systemctl_stop(const struct wb_owner *o, uid_t caller)
{
	char *unit = wb_escape_str(o->origin.unit, WB_ESC_SHELL), *user, *out;
	const char *dashes = o->origin.unit[0] == '-' ? "-- " : "";

	if (!o->origin.user_unit) {
		out = xasprintf("systemctl stop %s%s", dashes, unit);
	} else if (o->uid == caller || !o->origin.unit_user[0]) {
		out = xasprintf("systemctl --user stop %s%s", dashes, unit);
	} else {
		user = wb_escape_str(o->origin.unit_user, WB_ESC_SHELL);
		out = xasprintf("systemctl --user -M %s@ stop %s%s", user, dashes, unit);
		free(user);
	}
	free(unit);
	return out;
}

void fixes_manager(struct wb_verdict *v, const struct wb_sock *s,
		   uid_t caller)
{
	static const struct { const char *runtime, *stop; } runtimes[] = {
		{ "docker", "docker stop" }, { "podman", "podman stop" },
		{ "containerd", "crictl stop" }, { "cri-o", "crictl stop" },
		{ "lxc", "lxc-stop -n" },
	};
	const struct wb_owner *o = &s->owners[0];
	char *name;

	/* A manager among the holders: stopping its unit or container
	 * would stop it, and everything it runs. */
	for (size_t i = 0; i < s->n_owners; i++)
		if (manager_untouchable(&s->owners[i]))
			return;
	for (size_t i = 0; o->origin.runtime[0] && i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		if (strcmp(o->origin.runtime, runtimes[i].runtime))
			continue;
		name = wb_escape_str(o->origin.container, WB_ESC_SHELL);
		verdict_add_fix(v, "stop-container",
			xasprintf("stop the %s container %s that runs it", o->origin.runtime, name),
			xasprintf("%s %s", runtimes[i].stop, name));
		free(name);
		return;
	}
	if (origin_is_service(o->origin.unit)) {
		name = wb_escape_str(o->origin.unit, WB_ESC_TERM);
		verdict_add_fix(v, "stop-unit", xasprintf("stop the systemd %sunit %s that runs it",
							  o->origin.user_unit ? "user " : "", name),
				systemctl_stop(o, caller));
		free(name);
	}
}
