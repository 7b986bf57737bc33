// SPDX-License-Identifier: GPL-2.0-or-later
/* proc: the /proc parsers (stat, status, cmdline, tty) and the reading of
 * one process's files on its /proc/PID descriptor. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

/* A command line longer than this is cut and marked "...": whybind must
 * not grow with a hostile process's argv. */
#define CMDLINE_MAX (64 * 1024)
/* 52 numeric fields and a comm of at most 64 bytes fit; we need seven. */
#define STAT_MAX 1024
/* The Uid:, Gid: and TracerPid: lines come before any field a process
 * controls the length of (Name: is escaped, at most 256 bytes). */
#define STATUS_MAX 4096

int proc_open(int procfd, pid_t pid)
{
	char name[32];
	int fd;

	if (procfd < 0)
		snprintf(name, sizeof(name), "/proc/%d", (int)pid);
	else
		snprintf(name, sizeof(name), "%d", (int)pid);
	fd = openat(procfd < 0 ? AT_FDCWD : procfd, name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The kernel's name for a device it has no fixed rule for. */
static int tty_from_sysfs(unsigned major, unsigned minor, char *out, size_t cap)
{
	char path[64], buf[512], *name, *end;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/uevent",
		 major, minor);
	if (!wb_read_at(AT_FDCWD, path, buf, sizeof(buf)))
		return -ENOENT;
	/* uevent starts with MAJOR= and MINOR=, so DEVNAME follows a '\n'. */
	name = strstr(buf, "\nDEVNAME=");
	if (!name || name[9] == '\n' || !name[9])
		return -ENOENT;
	if ((end = strchr(name + 9, '\n')))
		*end = '\0';
	snprintf(out, cap, "%s", name + 9);
	return 0;
}

void proc_tty_name(int tty_nr, char *out, size_t cap)
{
	unsigned nr = (unsigned)tty_nr;
	unsigned major = (nr >> 8) & 0xfff;
	unsigned minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);

	if (nr == 0)
		snprintf(out, cap, "%s", "");
	else if (major >= 136 && major <= 143)
		snprintf(out, cap, "pts/%u", minor + (major - 136) * 256);
	else if (major == 4 && minor < 64)
		snprintf(out, cap, "tty%u", minor);
	else if (major == 4)
		snprintf(out, cap, "ttyS%u", minor - 64);
	else if (tty_from_sysfs(major, minor, out, cap) < 0)
		snprintf(out, cap, "%u:%u", major, minor);
}

/* " 123" -> 123 at *p, which moves past it.  The buffer need not be
 * NUL-terminated, and a field cut by a short read is refused. */
static int stat_field(const char **p, const char *end, long long *v)
{
	const char *s = *p;
	long long n = 0;
	int neg = 0;

	if (s >= end || *s++ != ' ')
		return -EINVAL;
	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	if (s >= end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (LLONG_MAX - 9) / 10)
			return -ERANGE;
		n = n * 10 + (*s - '0');
	}
	if (s >= end || (*s != ' ' && *s != '\n'))
		return -EINVAL;
	*v = neg ? -n : n;
	*p = s;
	return 0;
}

/* Field 22, starttime (clock ticks after boot), from just past field 7
 * (tty_nr); 0 if it cannot be read. */
static unsigned long long parse_start_time(const char *p, const char *end)
{
	long long v = 0;

	for (int field = 8; field <= 22; field++)
		if (stat_field(&p, end, &v) < 0)
			return 0;
	return v < 0 ? 0 : (unsigned long long)v;
}

int proc_parse_stat(const char *buf, size_t len, struct wb_owner *o)
{
	const char *lp, *rp = NULL, *p, *end = buf + len;
	long long ppid, pgrp, sid, tty;
	size_t n;
	char state;

	/* comm may hold spaces, '(' and ')': the last ')' ends it. */
	lp = memchr(buf, '(', len);
	for (p = buf; p < end; p++)
		if (*p == ')')
			rp = p;
	if (!lp || !rp || rp < lp || end - rp < 3 || rp[1] != ' ')
		return -EINVAL;
	state = rp[2];
	p = rp + 3;
	if (stat_field(&p, end, &ppid) < 0 || stat_field(&p, end, &pgrp) < 0 ||
	    stat_field(&p, end, &sid) < 0 || stat_field(&p, end, &tty) < 0)
		return -EINVAL;
	n = (size_t)(rp - lp - 1);
	if (n >= sizeof(o->comm))
		n = sizeof(o->comm) - 1;
	memcpy(o->comm, lp + 1, n);
	o->comm[n] = '\0';
	o->state = state;
	o->start_time = parse_start_time(p, end);
	o->ppid = (pid_t)ppid;
	o->sid = (pid_t)sid;
	proc_tty_name((int)tty, o->tty, sizeof(o->tty));
	return 0;
}

/* The numbers after a status line's name: "Uid:\t0\t1000..." -> 0, 1000.
 * How many were read (at most 2). */
static int status_numbers(const char *s, size_t len, unsigned long v[2])
{
	char tmp[128], *p = tmp, *end;
	int n;

	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	for (n = 0; n < 2; n++, p = end) {
		v[n] = strtoul(p, &end, 10);
		if (end == p)
			break;
	}
	return n;
}

static void status_line(const char *s, size_t len, struct wb_proc_status *st)
{
	unsigned long v[2];
	int n;

	if (len >= 6 && !memcmp(s, "Name:\t", 6)) {
		len -= 6;
		if (len >= sizeof(st->name))
			len = sizeof(st->name) - 1;
		memcpy(st->name, s + 6, len);
		st->name[len] = '\0';
	} else if (len >= 5 && !memcmp(s, "Tgid:", 5)) {
		if (status_numbers(s + 5, len - 5, v) >= 1)
			st->tgid = (pid_t)v[0];
	} else if (len >= 4 && (!memcmp(s, "Uid:", 4) || !memcmp(s, "Gid:", 4))) {
		n = status_numbers(s + 4, len - 4, v);
		if (n == 2 && s[0] == 'U')
			st->euid = (uid_t)v[1];
		else if (n == 2)
			st->egid = (gid_t)v[1];
	} else if (len >= 10 && !memcmp(s, "TracerPid:", 10)) {
		if (status_numbers(s + 10, len - 10, v) >= 1)
			st->tracer = (pid_t)v[0];
	}
}

void proc_parse_status(const char *buf, size_t len, struct wb_proc_status *st)
{
	const char *line = buf, *end = buf + len;

	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = (size_t)((nl ? nl : end) - line);

		status_line(line, n, st);
		line += n + 1;
	}
}

int proc_status(int piddir, struct wb_proc_status *st)
{
	char buf[STATUS_MAX];
	size_t n = wb_read_at(piddir, "status", buf, sizeof(buf));

	if (!n)
		return -ENOENT;
	proc_parse_status(buf, n, st);
	return 0;
}

char *proc_join_cmdline(const char *buf, size_t len)
{
	char *s;

	/* Trailing NULs (and setproctitle padding) are not separators. */
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
	/* One byte over the cap tells a cut from an exact fit. */
	char *buf = xmalloc(CMDLINE_MAX + 4), *s;
	size_t n = wb_read_at(piddir, "cmdline", buf, CMDLINE_MAX + 2);

	if (n > CMDLINE_MAX) {
		memcpy(buf + CMDLINE_MAX, "...", 3);
		n = CMDLINE_MAX + 3;
	}
	s = n ? proc_join_cmdline(buf, n) : NULL;
	free(buf);
	return s;
}

unsigned long long proc_start_time(int piddir)
{
	struct wb_owner p = { 0 };
	char buf[STAT_MAX];
	size_t n = wb_read_at(piddir, "stat", buf, sizeof(buf));

	return proc_parse_stat(buf, n, &p) == 0 ? p.start_time : 0;
}

size_t proc_comm(int piddir, char *buf, size_t cap)
{
	size_t n = wb_read_at(piddir, "comm", buf, cap);

	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

void proc_describe(int piddir, pid_t pid, struct wb_owner *o)
{
	struct wb_proc_status st = { .euid = (uid_t)-1 };
	char buf[STAT_MAX];
	size_t n;

	o->pid = pid;
	n = wb_read_at(piddir, "stat", buf, sizeof(buf));
	proc_parse_stat(buf, n, o);
	/* The comm file has the same bytes as stat; it wins if readable. */
	n = proc_comm(piddir, buf, sizeof(o->comm) + 1);
	if (n && n < sizeof(o->comm))
		memcpy(o->comm, buf, n + 1);
	proc_status(piddir, &st);
	o->uid = st.euid;
	o->cmdline = read_cmdline(piddir);
}
