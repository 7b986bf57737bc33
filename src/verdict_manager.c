// SPDX-License-Identifier: GPL-2.0-or-later
/* verdict_manager: the fixes that go through what owns a holder's life
 * (manager.h): first the manager's own stop, then a kill only where no
 * manager would undo it, and never a signal to a manager itself. */
#include "config.h"
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "verdict_impl.h"

const struct wb_manager *verdict_manager(const struct wb_diagnosis *d,
					 const struct wb_sock *s)
{
	size_t i = (size_t)(s - d->scan.socks.v);

	if (s < d->scan.socks.v || i >= d->managers.n || d->managers.v[i].kind == WB_MGR_NONE)
		return NULL;
	return &d->managers.v[i];
}

static const struct wb_owner *master_of(const struct wb_sock *s, const struct wb_manager *m)
{
	for (size_t i = 0; i < s->n_owners; i++)
		if (s->owners[i].pid == m->master)
			return &s->owners[i];
	return NULL;
}

char *holder_tree_text(const struct wb_sock *s, const struct wb_manager *m)
{
	const struct wb_owner *o = m && m->workers ? master_of(s, m) : NULL;
	char *comm, *all, *out;

	if (!o)
		return holder_text(s);
	comm = wb_escape_str(o->comm, WB_ESC_TERM);
	all = holder_text(s);
	out = xasprintf("%s master %d and %u worker%s: %s", comm, o->pid, m->workers,
			m->workers == 1 ? "" : "s", all);
	free(all);
	free(comm);
	return out;
}

/* ", for the systemd socket unit web.socket", or "". */
char *manager_text(const struct wb_manager *m)
{
	char *name, *out;
	const char *what[] = {
		[WB_MGR_SYSTEMD_SOCKET] = "the systemd socket unit",
		[WB_MGR_SYSTEMD_SERVICE] = "the systemd service",
		[WB_MGR_DOCKER] = "the docker container",
		[WB_MGR_PODMAN] = "the podman container",
		[WB_MGR_SUPERVISORD] = "the supervisord program",
		[WB_MGR_PM2] = "the pm2 process", [WB_MGR_RUNIT] = "the runit service",
		[WB_MGR_S6] = "the s6 service",
	};

	if (!m || m->kind == WB_MGR_PARENT || !m->name[0])
		return xstrdup("");
	name = wb_escape_str(m->name, WB_ESC_TERM);
	out = xasprintf(", for %s %s", what[m->kind], name);
	free(name);
	return out;
}

/* A name as one shell word; "-- " before it where it could be an option. */
static char *word(const char *s)
{
	char *q = wb_escape_str(s, WB_ESC_SHELL), *out;

	out = xasprintf("%s%s", s[0] == '-' ? "-- " : "", q);
	free(q);
	return out;
}

/* Accept=yes triggers a template (foo@.service): its instances are
 * stopped by the pattern foo@*.service. */
static char *service_word(const char *service)
{
	const char *at = strstr(service, "@.");
	char *pattern, *out;

	if (!at)
		return word(service);
	pattern = xasprintf("%.*s@*%s", (int)(at - service), service, at + 1);
	out = word(pattern);
	free(pattern);
	return out;
}

static void fix_socket_unit(struct wb_verdict *v, const struct wb_manager *m)
{
	char *user = wb_escape_str(m->user, WB_ESC_SHELL);
	char *ctl = m->user_manager ? xasprintf("systemctl --user -M %s@", user) : xstrdup("systemctl");
	char *unit, *svc, *tunit, *tsvc;

	if (!m->name[0]) {
		verdict_add_fix(v, "find-socket-unit",
			xasprintf("systemd (pid %d) holds the socket for a socket unit it could not be asked about (%s): find the unit listening here, and stop it with `systemctl stop NAME.socket`; never signal systemd",
				  m->pid, m->reason ? m->reason : "no answer"),
			xasprintf("%s list-sockets", ctl));
		goto out;
	}
	unit = word(m->name);
	svc = m->service_holds ? service_word(m->service) : xstrdup("");
	tunit = wb_escape_str(m->name, WB_ESC_TERM);
	tsvc = wb_escape_str(m->service, WB_ESC_TERM);
	verdict_add_fix(v, "stop-socket-unit",
		m->service_holds
		? xasprintf("stop the systemd socket unit %s and its service %s, which holds the socket too (stopping one alone leaves the port held)", tunit, tsvc)
		: xasprintf("stop the systemd socket unit %s: systemd holds the socket for it and starts %s on the next connection", tunit, m->service[0] ? tsvc : "its service"),
		xasprintf("%s stop %s%s%s", ctl, unit, m->service_holds ? " " : "", svc));
	free(tsvc);
	free(tunit);
	free(svc);
	free(unit);
out:
	free(ctl);
	free(user);
}

static void fix_docker(struct wb_verdict *v, const struct wb_manager *m)
{
	char *name, *tname, *ip = wb_escape_str(m->container_ip, WB_ESC_TERM);

	if (!m->name[0]) {
		verdict_add_fix(v, "find-container",
			xasprintf("docker-proxy holds host port %d for a container at %s port %d; the engine could not be asked (%s): find the container, then `docker stop` it (never stop dockerd)",
				  m->host_port, ip, m->container_port, m->reason ? m->reason : "no answer"),
			xasprintf("docker ps --filter publish=%d", m->host_port));
		free(ip);
		return;
	}
	name = word(m->name);
	tname = wb_escape_str(m->name, WB_ESC_TERM);
	verdict_add_fix(v, "stop-container",
		xasprintf("stop the docker container %s (%s) that publishes host port %d (docker-proxy holds it for the container's %s port %d)",
			  tname, m->id, m->host_port, ip, m->container_port),
		xasprintf("docker stop %s", name));
	free(tname);
	free(name);
	free(ip);
}

static void fix_supervised(struct wb_verdict *v, const struct wb_manager *m,
			   uid_t caller)
{
	char *name = word(m->name), *tname = wb_escape_str(m->name, WB_ESC_TERM), *cmd;
	char *extra = NULL;

	if (m->kind == WB_MGR_SUPERVISORD) {
		char *full = m->group[0] ? xasprintf("%s:%s", m->group, m->name) : xstrdup(m->name);
		char *w = word(full), *conf = m->config[0] ? word(m->config) : NULL;

		cmd = xasprintf("supervisorctl %s%s%sstop %s", conf ? "-c " : "", conf ? conf : "",
				conf ? " " : "", w);
		extra = xasprintf("stop the supervisord program %s: supervisord starts it again after a kill where autorestart is set (never signal supervisord)", tname);
		free(conf);
		free(w);
		free(full);
	} else if (m->kind == WB_MGR_PM2) {
		char *user = word(m->user), *home = m->config[0] ? word(m->config) : NULL;
		char *sudo = m->uid != caller && m->user[0] ? xasprintf("sudo -u %s ", user) : xstrdup("");
		char *env = home ? xasprintf("env PM2_HOME=%s ", home) : xstrdup("");

		cmd = xasprintf("%s%spm2 stop %s", sudo, env, name);
		extra = xasprintf("stop the pm2 process %s, as its user: pm2 starts it again after a kill%s (never signal the pm2 daemon)",
				  tname, m->restarts == WB_NO ? " unless autorestart is off" : "");
		free(env);
		free(sudo);
		free(home);
		free(user);
	} else {
		bool runit = m->kind == WB_MGR_RUNIT;

		cmd = xasprintf("%s %s", runit ? "sv down" : "s6-svc -d", name);
		extra = xasprintf("stop the %s service %s: %s (pid %d) starts it again after a kill (never signal it)",
				  runit ? "runit" : "s6", tname, runit ? "runsv" : "s6-supervise", m->pid);
	}
	verdict_add_fix(v, "stop-supervised", extra, cmd);
	free(tname);
	free(name);
}

static void fix_parent(struct wb_verdict *v, const struct wb_sock *s,
		       const struct wb_manager *m)
{
	char *comm = wb_escape_str(m->name, WB_ESC_TERM);

	(void)s;
	verdict_add_fix(v, "stop-parent",
		xasprintf("end the master %s (pid %d): its %u worker%s, which hold the socket it gave them, go with it",
			  comm, m->pid, m->workers, m->workers == 1 ? "" : "s"),
		xasprintf("kill %d", m->pid));
	free(comm);
}

/* May a kill of this manager's holders follow its own fix?  Not where it
 * would start them again, or where it is itself the way to stop them. */
bool verdict_kill_allowed(const struct wb_manager *m)
{
	switch (m->kind) {
	case WB_MGR_SYSTEMD_SOCKET: case WB_MGR_SUPERVISORD: case WB_MGR_PM2:
	case WB_MGR_RUNIT: case WB_MGR_S6: case WB_MGR_PARENT:
		return false;
	case WB_MGR_DOCKER:
		return !m->host_port;
	default:
		return m->restarts != WB_YES;
	}
}

/* The manager's fix; true when a kill of the holders may follow it. */
static bool fixes_through(struct wb_verdict *v, const struct wb_sock *s,
			  const struct wb_manager *m, uid_t caller)
{
	switch (m->kind) {
	case WB_MGR_SYSTEMD_SOCKET:
		fix_socket_unit(v, m);
		return false;
	case WB_MGR_DOCKER:
		if (m->host_port) {
			fix_docker(v, m);
			return false;
		}
		fixes_manager(v, s, caller);
		return true;
	case WB_MGR_SUPERVISORD: case WB_MGR_PM2: case WB_MGR_RUNIT: case WB_MGR_S6:
		fix_supervised(v, m, caller);
		return false;
	case WB_MGR_PARENT:
		fix_parent(v, s, m);
		return false;
	default:
		fixes_manager(v, s, caller);
		if (m->kind == WB_MGR_SYSTEMD_SERVICE && m->restarts == WB_YES && v->n_fixes) {
			struct wb_fix *f = &v->fixes[v->n_fixes - 1];
			char *t = xasprintf("%s: systemd restarts it, a kill would only bring it back", f->text);

			free(f->text);
			f->text = t;
		}
		return verdict_kill_allowed(m);
	}
}

void fixes_holder(const struct wb_diagnosis *d, struct wb_verdict *v,
		  const struct wb_sock *s, const char *pids, char *stop_text)
{
	const struct wb_manager *m = verdict_manager(d, s);
	const struct wb_owner *boss = NULL;
	bool kill;

	for (size_t i = 0; i < s->n_owners && !boss; i++)
		if (manager_untouchable(&s->owners[i]))
			boss = &s->owners[i];
	/* A manager holds the socket too: the processes beside it are its
	 * own, and a kill of them it would undo. */
	kill = m ? fixes_through(v, s, m, d->req.uid)
		 : !boss && (fixes_manager(v, s, d->req.uid), true);
	if (kill && pids) {
		verdict_add_fix(v, "stop-process", stop_text, xasprintf("kill %s", pids));
		return;
	}
	if (!m && (boss || !pids) && s->n_owners) {
		const struct wb_owner *o = boss ? boss : &s->owners[0];
		char *comm = wb_escape_str(o->comm, WB_ESC_TERM);

		verdict_add_fix(v, "no-safe-stop",
			xasprintf("%s (pid %d) is a service or process manager itself: no safe command is known; stop it the way it was started, never by a signal",
				  comm, o->pid), NULL);
		free(comm);
	}
	free(stop_text);
}
