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
#include "owners.h"

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
				struct wb_owner *o)
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
static void pod_component(const char *c, size_t len, struct wb_owner *o)
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
static void parse_path(const char *path, size_t len, struct wb_owner *o)
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

void origin_parse_cgroup(const char *buf, size_t len, struct wb_owner *o)
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

/* The comm of another process (a session leader, a tracer), by pid. */
static size_t read_comm(pid_t pid, char *buf, size_t cap)
{
	char path[64];
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	n = wb_read_at(AT_FDCWD, path, buf, cap);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/* The start time in the stat file at dirfd/name; 0 if unreadable. */
static unsigned long long start_time_at(int dirfd, const char *name)
{
	struct wb_owner p = { 0 };
	char buf[1024];
	size_t n = wb_read_at(dirfd, name, buf, sizeof(buf));

	return owners_parse_stat(buf, n, &p) == 0 ? p.start_time : 0;
}

/* Is pid a process that started no later than `when`?  A session leader
 * is older than its members: a younger one at that pid is another. */
static bool started_by(pid_t pid, unsigned long long when)
{
	char path[32];
	unsigned long long t;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	t = start_time_at(AT_FDCWD, path);
	return t && t <= when;
}

static void read_leader(struct wb_owner *o)
{
	char buf[64];
	size_t n;

	if (o->sid <= 0 || o->sid == o->pid || !started_by(o->sid, o->start_time))
		return;
	n = read_comm(o->sid, buf, sizeof(buf));
	copy(o->leader_comm, sizeof(o->leader_comm), buf, n);
}

static void read_tracer(int piddir, struct wb_owner *o)
{
	char buf[4096], *t;

	if (!wb_read_at(piddir, "status", buf, sizeof(buf)))
		return;
	t = strstr(buf, "\nTracerPid:");
	if (t)
		o->tracer = (pid_t)strtol(t + 11, NULL, 10);
	if (o->tracer > 0) {
		size_t n = read_comm(o->tracer, buf, sizeof(buf));

		copy(o->tracer_comm, sizeof(o->tracer_comm), buf, n);
	}
}

/* /proc/PID of the very process the owners' walk saw, or -1: by now it
 * may have exited and its pid gone to another, whose unit or container
 * must not be told as its.  The pid and the start time name a process;
 * the directory, once open, stays that process's or fails. */
static int open_same_process(const struct wb_owner *o)
{
	char path[32];
	unsigned long long t;
	int dirfd;

	snprintf(path, sizeof(path), "/proc/%d", (int)o->pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	t = start_time_at(dirfd, "stat");
	if (!t || t != o->start_time) {
		close(dirfd);
		return -1;
	}
	return dirfd;
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
	origin_parse_cgroup(buf, n, o);
	free(buf);
	if (o->state == 'T' || o->state == 't')
		read_leader(o);
	if (o->state == 't')
		read_tracer(piddir, o);
	close(piddir);
	if (o->user_unit) {
		/* systemctl -M names the user whose manager runs the unit. */
		struct passwd *pw = getpwuid(o->uid);

		if (pw)
			copy(o->unit_user, sizeof(o->unit_user), pw->pw_name,
			     strlen(pw->pw_name));
		else
			snprintf(o->unit_user, sizeof(o->unit_user), "%u", (unsigned)o->uid);
	}
}
