// SPDX-License-Identifier: GPL-2.0-or-later
/* origin: systemd units and containers from /proc/PID/cgroup, the session
 * leader of a stopped job, the tracer of a traced process. */
#include "config.h"
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "origin.h"
#include "proc.h"

/* /proc/PID/cgroup is short; a path longer than this is cut, not fatal. */
#define CGROUP_MAX 8192

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* A path component is not NUL-terminated: compare within its length. */
static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static void copy(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	return true;
}

/* A path component naming a container: "docker-ID.scope", "libpod-ID.scope",
 * "cri-containerd-ID.scope", "crio-ID.scope", or a bare 64-hex id under
 * /docker/ or a kubepods tree.  The id is cut as the runtime's own tool
 * prints it: 12 digits for docker and podman, 13 for crictl. */
static bool container_component(const char *c, size_t len, const char *parent,
				struct wb_origin *o)
{
	static const struct { const char *prefix, *runtime; size_t idlen; } scopes[] = {
		{ "docker-", "docker", 12 }, { "libpod-", "podman", 12 },
		{ "cri-containerd-", "containerd", 13 }, { "crio-", "cri-o", 13 },
	};

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t p = strlen(scopes[i].prefix);

		if (len == p + 64 + 6 && !strncmp(c, scopes[i].prefix, p) &&
		    ends_with(c, len, ".scope") && all_hex(c + p, 64)) {
			copy(o->runtime, sizeof(o->runtime), scopes[i].runtime, strlen(scopes[i].runtime));
			copy(o->container, sizeof(o->container), c + p,
			     scopes[i].idlen);
			return true;
		}
	}
	if (len == 64 && all_hex(c, 64) && parent) {
		bool docker = !strcmp(parent, "docker");
		const char *rt = docker ? "docker" : "containerd";

		copy(o->runtime, sizeof(o->runtime), rt, strlen(rt));
		copy(o->container, sizeof(o->container), c, docker ? 12 : 13);
		return true;
	}
	return false;
}

/* "pod<uid>" (cgroupfs) or "kubepods-<qos>-pod<uid>.slice" (systemd). */
static void pod_component(const char *c, size_t len, struct wb_origin *o)
{
	const char *pod = NULL;
	size_t n;

	if (len > 3 && !strncmp(c, "pod", 3))
		pod = c;
	for (const char *p = c; !pod && (p = memmem(p, len - (p - c), "-pod", 4)); p++)
		if (!memmem(p + 1, len - (p + 1 - c), "-pod", 4))
			pod = p + 1;
	if (!pod)
		return;
	n = len - (pod + 3 - c);
	if (ends_with(c, len, ".slice"))
		n -= 6;
	copy(o->pod, sizeof(o->pod), pod + 3, n);
	for (char *u = o->pod; *u; u++)
		if (*u == '_')
			*u = '-';	/* systemd escapes the uid's dashes */
}

/* Walk "/a/b/c" from the root: the innermost unit wins. */
static void parse_path(const char *path, size_t len, struct wb_origin *o)
{
	const char *end = path + len, *c = path;
	char parent[16] = "";
	bool kube = false;

	while (c < end) {
		const char *slash = memchr(c, '/', end - c);
		size_t n = (slash ? slash : end) - c;

		if (n == 0) {
			c++;
			continue;
		}
		if (n > 13 && !strncmp(c, "user@", 5) && ends_with(c, n, ".service"))
			o->user_unit = true;
		if (ends_with(c, n, ".service") || ends_with(c, n, ".scope"))
			copy(o->unit, sizeof(o->unit), c, n);
		if (starts_with(c, n, "kubepods"))
			kube = true;
		if (kube)
			pod_component(c, n, o);
		if (starts_with(c, n, "lxc.payload.") || !strcmp(parent, "lxc")) {
			size_t p = starts_with(c, n, "lxc.payload.") ? 12 : 0;

			copy(o->runtime, sizeof(o->runtime), "lxc", 3);
			copy(o->container, sizeof(o->container), c + p, n - p);
		} else {
			container_component(c, n, kube ? "kubepods" :
					    !strcmp(parent, "docker") ? parent : NULL, o);
		}
		copy(parent, sizeof(parent), c, n);
		c += n;
	}
	/* A user unit is named without the user@ wrapper. */
	if (o->user_unit && !strncmp(o->unit, "user@", 5))
		o->user_unit = false;
}

void origin_parse_cgroup(const char *buf, size_t len, struct wb_origin *o)
{
	const char *line = buf, *end = buf + len, *v1 = NULL, *v2 = NULL;
	size_t v1_len = 0, v2_len = 0;

	while (line < end) {
		const char *nl = memchr(line, '\n', end - line);
		size_t n = (nl ? nl : end) - line;

		if (n > 3 && !strncmp(line, "0::", 3)) {
			v2 = line + 3;
			v2_len = n - 3;
		} else {
			const char *sd = memmem(line, n, ":name=systemd:", 14);

			if (sd) {
				v1 = sd + 14;
				v1_len = n - (size_t)(v1 - line);
			}
		}
		line += n + 1;
	}
	/* cgroup v2 when it is in use ("0::/" alone means a v1 host). */
	if (v2 && v2_len > 1)
		parse_path(v2, v2_len, o);
	else if (v1)
		parse_path(v1, v1_len, o);
}

/* The comm of another process (a session leader, a tracer), by pid; with
 * `older`, only if it started no later than `when`: a session leader is
 * older than its members, a younger one at that pid is another.  Its
 * length, 0 if there is none. */
static size_t comm_of(pid_t pid, bool older, unsigned long long when,
		      char *buf, size_t cap)
{
	int piddir = proc_open(-1, pid);
	unsigned long long t;
	size_t n = 0;

	if (piddir < 0)
		return 0;
	t = older ? proc_start_time(piddir) : 0;
	if (!older || (t && t <= when))
		n = proc_comm(piddir, buf, cap);
	close(piddir);
	return n;
}

static void read_leader(struct wb_owner *o)
{
	char buf[64];
	size_t n;

	if (o->sid <= 0 || o->sid == o->pid)
		return;
	n = comm_of(o->sid, true, o->start_time, buf, sizeof(buf));
	copy(o->origin.leader_comm, sizeof(o->origin.leader_comm), buf, n);
}

static void read_tracer(int piddir, struct wb_owner *o)
{
	struct wb_proc_status st = { .tracer = o->origin.tracer };
	char buf[64];

	if (proc_status(piddir, &st) < 0)
		return;
	o->origin.tracer = st.tracer;
	if (o->origin.tracer > 0) {
		size_t n = comm_of(o->origin.tracer, false, 0, buf, sizeof(buf));

		copy(o->origin.tracer_comm, sizeof(o->origin.tracer_comm), buf, n);
	}
}

/* /proc/PID of the very process the owners' walk saw, or -1: by now it
 * may have exited and its pid gone to another, whose unit or container
 * must not be told as its.  The pid and the start time name a process;
 * the directory, once open, stays that process's or fails. */
static int open_same_process(const struct wb_owner *o)
{
	int piddir = proc_open(-1, o->pid);
	unsigned long long t;

	if (piddir < 0)
		return -1;
	t = proc_start_time(piddir);
	if (!t || t != o->start_time) {
		close(piddir);
		return -1;
	}
	return piddir;
}

void origin_read(struct wb_owner *o)
{
	int piddir = open_same_process(o);
	char *buf;
	size_t n;

	if (piddir < 0)
		return;
	buf = xmalloc(CGROUP_MAX);
	n = wb_read_at(piddir, "cgroup", buf, CGROUP_MAX);
	origin_parse_cgroup(buf, n, &o->origin);
	free(buf);
	if (o->state == 'T' || o->state == 't')
		read_leader(o);
	if (o->state == 't')
		read_tracer(piddir, o);
	close(piddir);
	if (o->origin.user_unit) {
		/* systemctl -M names the user whose manager runs the unit. */
		struct passwd *pw = getpwuid(o->uid);

		if (pw)
			copy(o->origin.unit_user, sizeof(o->origin.unit_user), pw->pw_name,
			     strlen(pw->pw_name));
		else
			snprintf(o->origin.unit_user, sizeof(o->origin.unit_user), "%u", (unsigned)o->uid);
	}
}

void origin_unhold(struct wb_sock *socks, size_t n, pid_t tracer)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < socks[i].n_owners; j++) {
			struct wb_owner *w = &socks[i].owners[j];

			if (w->state == 't' && w->origin.tracer == tracer) {
				w->state = 'R';
				w->origin.tracer = 0;
				w->origin.leader_comm[0] = '\0';
			}
		}
}

bool origin_is_service(const char *unit)
{
	size_t n = strlen(unit);

	return n > 8 && !strcmp(unit + n - 8, ".service");
}
