// SPDX-License-Identifier: GPL-2.0-or-later
/* probe: try the server's bind for real, and undo it at once. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "probe.h"
#include "unix.h"

static int set_flag(int fd, int level, int name, int on)
{
	return setsockopt(fd, level, name, &on, sizeof(on)) < 0 ? -errno : 0;
}

static socklen_t fill_sockaddr(const struct wb_request *req,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (req->addr.family == AF_UNIX) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;
		const struct wb_unix_target *t = &req->target;

		sun->sun_family = AF_UNIX;
		/* An abstract name is its bytes after a NUL, no terminator;
		 * a path is the string and its NUL. */
		memcpy(sun->sun_path + t->abstract, t->name, t->len);
		return offsetof(struct sockaddr_un, sun_path) + t->len + 1;
	} else if (req->addr.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(req->port);
		sin->sin_addr = req->addr.u.v4;
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(req->port);
		sin6->sin6_addr = req->addr.u.v6;
		sin6->sin6_scope_id = req->addr.scope_id;
		return sizeof(*sin6);
	}
}

static int set_options(int fd, const struct wb_request *req)
{
	int rc = 0;

	if (req->addr.family == AF_UNIX)
		return 0;
	if (req->reuseaddr)
		rc = set_flag(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!rc && req->reuseport)
		rc = set_flag(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/* Always explicit: the bind must not depend on our own defaults. */
	if (!rc && req->addr.family == AF_INET6)
		rc = set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY, req->v6only);
	if (!rc && req->ifindex) {
		char name[IF_NAMESIZE];

		if (!if_indextoname(req->ifindex, name))
			return -errno;
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name,
			       strlen(name) + 1) < 0)
			rc = -errno;
	}
	return rc;
}

/* Our probe made a socket file: remove it, but only once the kernel
 * confirms that the file at the path is the one our socket is bound to
 * (a server that unlinks and binds at this very moment keeps its own). */
static void unlink_own(const struct wb_request *req, int fd)
{
	struct wb_socklist l = { 0 };
	struct wb_unix_file f;
	struct stat st;

	if (fstat(fd, &st) < 0 || unix_inspect_path(req->target.name, &f) < 0 ||
	    unix_dump_bound(&req->target, &f, &l) < 0)
		return;
	if (l.n == 1 && l.v[0].inode == st.st_ino)
		unlink(req->target.name);
	socklist_free(&l);
}

static uint64_t socket_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
}

static int probe_here(const struct wb_request *req, uint64_t *cookie)
{
	struct sockaddr_storage ss;
	socklen_t len = fill_sockaddr(req, &ss);
	int type = req->addr.family == AF_UNIX ? req->unix_type
		 : req->protocol == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	bool path = req->addr.family == AF_UNIX && !req->target.abstract;
	sigset_t old;
	int fd, rc;

	fd = socket(req->addr.family, type | SOCK_CLOEXEC, req->protocol);
	if (fd < 0)
		return -errno;
	*cookie = socket_cookie(fd);
	rc = set_options(fd, req);
	/* A socket file we make is removed before any signal can end us:
	 * Ctrl+C never leaves one behind. */
	if (path)
		signals_hold(&old);
	if (rc == 0)
		rc = bind(fd, (struct sockaddr *)&ss, len) < 0 ? errno : 0;
	if (rc == 0 && path)
		unlink_own(req, fd);
	if (path)
		signals_release(&old);
	close(fd);
	return rc;
}

/* --user: the same probe in a child that has become that user; we keep
 * our privileges for /proc and netlink.  The child reports its result on
 * a pipe; a child that could not become the user reports -EPERM. */
static int probe_as_user(const struct wb_request *req, uint64_t *cookie)
{
	struct { int rc; uint64_t cookie; } res = { -EPERM, 0 };
	int pipefd[2], status, rc;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return rc;
	}
	if (pid == 0) {
		close(pipefd[0]);
		if (setgroups(0, NULL) == 0 &&
		    setresgid(req->gid, req->gid, req->gid) == 0 &&
		    setresuid(req->uid, req->uid, req->uid) == 0)
			res.rc = probe_here(req, &res.cookie);
		_exit(write(pipefd[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &res, sizeof(res)) != sizeof(res))
		res.rc = -ECHILD;
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*cookie = res.cookie;
	return res.rc;
}

int probe_bind(const struct wb_request *req, uint64_t *cookie)
{
	*cookie = 0;
	if (req->user_given && (req->uid != geteuid() || req->gid != getegid()))
		return probe_as_user(req, cookie);
	return probe_here(req, cookie);
}

static int read_sysctl_int(const char *path, int fallback)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC), v = fallback;
	ssize_t n;

	if (fd < 0)
		return fallback;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%d", &v) != 1)
			v = fallback;
	}
	return v;
}

bool probe_default_v6only(void)
{
	return read_sysctl_int("/proc/sys/net/ipv6/bindv6only", 0) == 1;
}

int probe_unprivileged_port_start(void)
{
	return read_sysctl_int("/proc/sys/net/ipv4/ip_unprivileged_port_start", -1);
}
