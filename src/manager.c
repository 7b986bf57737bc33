// SPDX-License-Identifier: GPL-2.0-or-later
/* manager: what owns each conflicting socket's holders.  The facts, in
 * order: a systemd manager holding the socket itself (a socket unit); a
 * prefork tree among the holders (the master is the one to ask about);
 * docker-proxy; the master's container (cgroup); a supervisor's marks in
 * its environment (supervisord, pm2) or its parent (runsv, s6-supervise);
 * its systemd service (cgroup) and that service's Restart=; else the
 * tree's master. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "manager.h"
#include "origin.h"
#include "proc.h"
#include "sock.h"

#define ENVIRON_MAX	(64 * 1024)

const char *manager_kind_name(enum wb_manager_kind k)
{
	static const char *const names[] = {
		[WB_MGR_SYSTEMD_SOCKET] = "systemd-socket",
		[WB_MGR_SYSTEMD_SERVICE] = "systemd-service",
		[WB_MGR_DOCKER] = "docker", [WB_MGR_PODMAN] = "podman",
		[WB_MGR_SUPERVISORD] = "supervisord", [WB_MGR_PM2] = "pm2",
		[WB_MGR_RUNIT] = "runit", [WB_MGR_S6] = "s6",
		[WB_MGR_PARENT] = "parent",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : NULL;
}

bool manager_untouchable_comm(pid_t pid, const char *comm)
{
	static const char *const comms[] = {
		"systemd", "dockerd", "containerd", "podman", "supervisord",
		"runsv", "runsvdir", "s6-supervise", "s6-svscan",
	};

	if (pid == 1)
		return true;
	for (size_t i = 0; i < sizeof(comms) / sizeof(comms[0]); i++)
		if (!strncmp(comm, comms[i], strlen(comms[i])))
			return true;
	return !strncmp(comm, "PM2 ", 4);	/* pm2's daemon: "PM2 v5.3.0: God" */
}

bool manager_untouchable(const struct wb_owner *o)
{
	return manager_untouchable_comm(o->pid, o->comm);
}

void manager_user_name(uid_t uid, char *out, size_t cap)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(out, cap, "%s", res->pw_name);
	else
		snprintf(out, cap, "%u", uid);
}

/* A systemd manager itself holds the socket: PID 1, or a user's
 * `systemd --user` (its comm, and --user on its command line). */
static const struct wb_owner *systemd_holder(const struct wb_sock *s)
{
	for (size_t i = 0; i < s->n_owners; i++) {
		const struct wb_owner *o = &s->owners[i];

		if (strcmp(o->comm, "systemd"))
			continue;
		if (o->pid == 1 || (o->cmdline && strstr(o->cmdline, "--user")))
			return o;
	}
	return NULL;
}

static bool holds(const struct wb_sock *s, pid_t pid)
{
	for (size_t i = 0; i < s->n_owners; i++)
		if (s->owners[i].pid == pid)
			return true;
	return false;
}

/* The holder every other holder is a child of (a prefork master), and
 * how many those are; else the first holder and 0. */
static const struct wb_owner *tree(const struct wb_sock *s, struct wb_manager *m)
{
	const struct wb_owner *root = NULL;

	for (size_t i = 0; i < s->n_owners; i++) {
		const struct wb_owner *o = &s->owners[i];

		if (holds(s, o->ppid) && o->ppid != o->pid)
			continue;
		if (root && root->pid != o->pid)
			return &s->owners[0];	/* two roots: no one tree */
		root = o;
	}
	if (!root)
		return &s->owners[0];
	for (size_t i = 0; i < s->n_owners; i++) {
		bool seen = s->owners[i].pid == root->pid;

		for (size_t j = 0; j < i && !seen; j++)
			seen = s->owners[j].pid == s->owners[i].pid;
		m->workers += !seen;
	}
	if (m->workers)
		m->master = root->pid;
	return root;
}

/* KEY's value in an environ block (NUL-separated), or NULL. */
static const char *env_get(const char *env, size_t len, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = env; p < env + len; p += strlen(p) + 1)
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
	return NULL;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* FILE of `-c FILE` (or `--configuration=FILE`) in a NUL-separated argv. */
static void config_arg(const char *argv, size_t len, char *out, size_t cap)
{
	for (const char *p = argv; p < argv + len; p += strlen(p) + 1) {
		const char *next = p + strlen(p) + 1;

		if ((!strcmp(p, "-c") || !strcmp(p, "--configuration")) && next < argv + len)
			copy(out, cap, next);
		else if (!strncmp(p, "--configuration=", 16))
			copy(out, cap, p + 16);
	}
}

/* supervisord's -c, read from the parent when it is supervisord. */
static void supervisord_config(pid_t ppid, struct wb_manager *m)
{
	int dir = proc_open(-1, ppid);
	char comm[64], argv[4096];
	size_t n;

	if (dir < 0)
		return;
	if (proc_comm(dir, comm, sizeof(comm)) && !strcmp(comm, "supervisord")) {
		m->pid = ppid;
		n = wb_read_at(dir, "cmdline", argv, sizeof(argv));
		config_arg(argv, n, m->config, sizeof(m->config));
	}
	close(dir);
}

/* supervisord and pm2 mark the environment of what they start. */
static bool supervised_env(const struct wb_owner *o, struct wb_manager *m)
{
	int dir = proc_open(-1, o->pid);
	char *env = xmalloc(ENVIRON_MAX);
	size_t n = dir < 0 ? 0 : wb_read_at(dir, "environ", env, ENVIRON_MAX);
	const char *name, *v;

	if (dir >= 0)
		close(dir);
	if ((name = env_get(env, n, "SUPERVISOR_PROCESS_NAME"))) {
		m->kind = WB_MGR_SUPERVISORD;
		copy(m->name, sizeof(m->name), name);
		copy(m->group, sizeof(m->group), env_get(env, n, "SUPERVISOR_GROUP_NAME"));
		supervisord_config(o->ppid, m);
	} else if (env_get(env, n, "pm_id") && (name = env_get(env, n, "name"))) {
		m->kind = WB_MGR_PM2;
		copy(m->name, sizeof(m->name), name);
		copy(m->config, sizeof(m->config), env_get(env, n, "PM2_HOME"));
		m->pid = o->ppid;
		m->uid = o->uid;
		manager_user_name(o->uid, m->user, sizeof(m->user));
		v = env_get(env, n, "autorestart");
		m->restarts = !v ? WB_UNKNOWN : !strcmp(v, "false") ? WB_NO : WB_YES;
	}
	free(env);
	return m->kind != WB_MGR_NONE;
}

/* runsv and s6-supervise run in the service directory they supervise. */
static bool supervised_parent(const struct wb_owner *o, struct wb_manager *m)
{
	int dir = proc_open(-1, o->ppid);
	char comm[64];
	ssize_t n;

	if (dir < 0)
		return false;
	if (proc_comm(dir, comm, sizeof(comm)))
		m->kind = !strcmp(comm, "runsv") ? WB_MGR_RUNIT
			: !strcmp(comm, "s6-supervise") ? WB_MGR_S6 : WB_MGR_NONE;
	if (m->kind != WB_MGR_NONE) {
		n = readlinkat(dir, "cwd", m->name, sizeof(m->name) - 1);
		m->name[n > 0 ? n : 0] = '\0';
		m->pid = o->ppid;
		m->restarts = WB_YES;	/* both start it again until told down */
		if (n <= 0)
			m->reason = "the supervisor's service directory could not be read";
	}
	close(dir);
	return m->kind != WB_MGR_NONE;
}

static bool container(const struct wb_owner *o, struct wb_manager *m)
{
	if (!strcmp(o->origin.runtime, "docker"))
		m->kind = WB_MGR_DOCKER;
	else if (!strcmp(o->origin.runtime, "podman"))
		m->kind = WB_MGR_PODMAN;
	else
		return false;
	copy(m->id, sizeof(m->id), o->origin.container);
	copy(m->name, sizeof(m->name), o->origin.container);
	return true;
}

static bool docker_proxy(const struct wb_owner *o)
{
	return !strcmp(o->comm, "docker-proxy") && o->cmdline &&
	       strstr(o->cmdline, " -host-port ") && strstr(o->cmdline, " -container-ip ");
}

static void manager_of_sock(const struct wb_sock *s, struct wb_manager *m)
{
	const struct wb_owner *o;

	m->restarts = WB_UNKNOWN;
	if (!s->n_owners)
		return;
	if (systemd_holder(s)) {
		manager_systemd_socket(s, m);
		return;
	}
	o = tree(s, m);
	/* The root holder is a manager itself (supervisord's fcgi socket,
	 * pm2's cluster, dockerd's own port): it is never the one stopped.
	 * Its children may say which of its programs this is. */
	if (manager_untouchable(o)) {
		m->workers = 0;
		for (size_t i = 0; i < s->n_owners; i++)
			if (&s->owners[i] != o && supervised_env(&s->owners[i], m))
				return;
		return;
	}
	if (docker_proxy(o))
		manager_docker_proxy(o, m);
	else if (container(o, m) || supervised_env(o, m) || supervised_parent(o, m))
		return;
	else if (origin_is_service(o->origin.unit))
		manager_systemd_restart(o, m);
	else if (m->workers) {
		m->kind = WB_MGR_PARENT;
		copy(m->name, sizeof(m->name), o->comm);
		m->pid = o->pid;
	}
}

void manager_find(const struct wb_socklist *socks, struct wb_managers *m)
{
	m->v = xcalloc(socks->n ? socks->n : 1, sizeof(*m->v));
	m->n = socks->n;
	for (size_t i = 0; i < socks->n; i++)
		if (sock_in_the_way(&socks->v[i]) && !sock_is_time_wait(&socks->v[i]))
			manager_of_sock(&socks->v[i], &m->v[i]);
}

void managers_free(struct wb_managers *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
