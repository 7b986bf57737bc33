/* owners: socket inode -> the processes holding it, by one walk of
 * /proc/PID/fd; then, for those processes only, what they are. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "owners.h"

/* A command line longer than this is cut and marked: whybind must not
 * grow with a hostile process's argv. */
#define CMDLINE_MAX 65536

struct wanted {
	uint64_t inode;
	size_t sock;			/* index in the caller's array */
};

static int cmp_wanted(const void *a, const void *b)
{
	const struct wanted *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* "socket:[12345]" -> 12345, or 0. */
static uint64_t socket_inode(const char *link)
{
	uint64_t ino = 0;

	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	for (link += 8; *link >= '0' && *link <= '9'; link++)
		ino = ino * 10 + (uint64_t)(*link - '0');
	return *link == ']' ? ino : 0;
}

static size_t read_at(int dirfd, const char *name, char *buf, size_t cap)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0, r;

	if (fd < 0)
		return 0;
	while ((size_t)n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return (size_t)n;
}

void owners_tty_name(int tty_nr, char *out, size_t cap)
{
	unsigned major = ((unsigned)tty_nr >> 8) & 0xfff;
	unsigned minor = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);

	if (tty_nr == 0)
		snprintf(out, cap, "%s", "");
	else if (major >= 136 && major <= 143)
		snprintf(out, cap, "pts/%u", minor + (major - 136) * 256);
	else if (major == 4 && minor < 64)
		snprintf(out, cap, "tty%u", minor);
	else if (major == 4)
		snprintf(out, cap, "ttyS%u", minor - 64);
	else
		snprintf(out, cap, "%u:%u", major, minor);
}

int owners_parse_stat(const char *buf, size_t len, struct wb_owner *o)
{
	const char *close = NULL;
	int ppid, pgrp, sid, tty;
	char state;

	/* comm may hold spaces and ')': the last ')' ends it. */
	for (size_t i = 0; i < len; i++)
		if (buf[i] == ')')
			close = buf + i;
	if (!close || (size_t)(close - buf) + 2 >= len)
		return -EINVAL;
	if (sscanf(close + 2, "%c %d %d %d %d", &state, &ppid, &pgrp, &sid, &tty) != 5)
		return -EINVAL;
	o->state = state;
	o->ppid = ppid;
	o->sid = sid;
	owners_tty_name(tty, o->tty, sizeof(o->tty));
	return 0;
}

char *owners_join_cmdline(const char *buf, size_t len)
{
	char *s;

	while (len && buf[len - 1] == '\0')
		len--;
	s = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		s[i] = buf[i] ? buf[i] : ' ';
	s[len] = '\0';
	return s;
}

static char *read_cmdline(int piddir)
{
	char *buf = xmalloc(CMDLINE_MAX + 4), *s;
	size_t n = read_at(piddir, "cmdline", buf, CMDLINE_MAX);

	if (n == CMDLINE_MAX - 1) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	s = n ? owners_join_cmdline(buf, n) : NULL;
	free(buf);
	return s;
}

static uid_t read_euid(int piddir)
{
	char buf[4096], *uid;
	unsigned real, eff;

	if (!read_at(piddir, "status", buf, sizeof(buf)))
		return (uid_t)-1;
	uid = strstr(buf, "\nUid:");
	if (!uid || sscanf(uid + 5, "%u %u", &real, &eff) != 2)
		return (uid_t)-1;
	return eff;
}

static void describe(int piddir, struct wb_owner *o)
{
	char buf[1024];
	size_t n;

	n = read_at(piddir, "comm", o->comm, sizeof(o->comm));
	if (n && o->comm[n - 1] == '\n')
		o->comm[n - 1] = '\0';
	n = read_at(piddir, "stat", buf, sizeof(buf));
	owners_parse_stat(buf, n, o);
	o->uid = read_euid(piddir);
	o->cmdline = read_cmdline(piddir);
}

static void add_owner(struct wb_sock *s, int piddir, pid_t pid, int fd)
{
	struct wb_owner *o;

	for (size_t i = 0; i < s->n_owners; i++)
		if (s->owners[i].pid == pid)
			return;		/* the same socket on two fds */
	s->owners = xrealloc(s->owners, (s->n_owners + 1) * sizeof(*s->owners));
	o = &s->owners[s->n_owners++];
	memset(o, 0, sizeof(*o));
	o->pid = pid;
	o->fd = fd;
	describe(piddir, o);
}

/* Match one process's descriptors; returns -errno if its fd directory
 * could not be read. */
static int scan_process(int procfd, pid_t pid, const struct wanted *w,
			size_t nw, struct wb_sock *socks)
{
	char name[32], link[64];
	struct dirent *e;
	int piddir, fddir;
	DIR *dir;

	snprintf(name, sizeof(name), "%d", pid);
	piddir = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir < 0)
		return errno == ENOENT ? 0 : -errno;
	fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fddir >= 0 ? fdopendir(fddir) : NULL;
	if (!dir) {
		int err = errno;

		if (fddir >= 0)
			close(fddir);
		close(piddir);
		return err == ENOENT ? 0 : -err;
	}
	while ((e = readdir(dir))) {
		struct wanted key, *hit;
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(fddir, e->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		key.inode = socket_inode(link);
		hit = key.inode ? bsearch(&key, w, nw, sizeof(*w), cmp_wanted) : NULL;
		if (hit)
			add_owner(&socks[hit->sock], piddir, pid, atoi(e->d_name));
	}
	closedir(dir);
	close(piddir);
	return 0;
}

int owners_find(struct wb_sock *socks, size_t n)
{
	struct wanted *w = xcalloc(n, sizeof(*w));
	size_t nw = 0, unreadable = 0;
	struct dirent *e;
	int procfd;
	DIR *proc;

	for (size_t i = 0; i < n; i++)
		if (socks[i].inode)
			w[nw++] = (struct wanted){ socks[i].inode, i };
	qsort(w, nw, sizeof(*w), cmp_wanted);
	procfd = nw ? open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	proc = procfd >= 0 ? fdopendir(procfd) : NULL;
	if (nw && !proc) {
		free(w);
		return -errno;
	}
	while (proc && (e = readdir(proc))) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid > 0 && scan_process(procfd, pid, w, nw, socks) < 0)
			unreadable++;
	}
	if (proc)
		closedir(proc);
	for (size_t i = 0; i < n; i++)
		socks[i].owners_visible = socks[i].n_owners > 0 || !unreadable ||
					  !socks[i].inode;
	free(w);
	return 0;
}

static int get_flag(int fd, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return WB_UNKNOWN;
	return v ? WB_YES : WB_NO;
}

/* Borrow the holder's descriptor: getsockopt and fstat only, then close.
 * Never a read, write, send or receive on it. */
void owners_read_sockopts(struct wb_sock *s)
{
	struct stat st;
	int pidfd, fd;

	if (!s->n_owners)
		return;
	pidfd = (int)syscall(SYS_pidfd_open, s->owners[0].pid, 0);
	if (pidfd < 0)
		return;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, s->owners[0].fd, 0);
	close(pidfd);
	if (fd < 0)
		return;
	/* The fd number may have been reused since the walk. */
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == s->inode) {
		s->reuseaddr = get_flag(fd, SOL_SOCKET, SO_REUSEADDR);
		s->reuseport = get_flag(fd, SOL_SOCKET, SO_REUSEPORT);
		if (s->family == AF_INET6 && s->v6only == WB_UNKNOWN)
			s->v6only = get_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY);
	}
	close(fd);
}
