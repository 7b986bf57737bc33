// SPDX-License-Identifier: GPL-2.0-or-later
/* owners: the /proc parsers on hostile input, and a live walk that finds
 * this process and a child (with a 1 MB command line) holding one socket. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "owners.h"
#include "proc.h"
#include "unit.h"

#define HOLD_NAME "wb) (x y"	/* the child's comm: ")" and spaces */
#define BIG_ARGS 16		/* of 64 KiB each: a 1 MB argv */

/* Parse from a copy that is not NUL-terminated, so a read past len
 * shows under ASan. */
static int stat_of(const char *text, struct wb_owner *o)
{
	size_t len = strlen(text);
	char *buf = xmalloc(len);
	int rc;

	memcpy(buf, text, len);
	memset(o, 0, sizeof(*o));
	rc = proc_parse_stat(buf, len, o);
	free(buf);
	return rc;
}

static void test_parse_stat(void)
{
	static const char *cut[] = {
		"", "1", "1 (a", "1 (a)", "1 (a) S", "1 (a) S 1 2 3",
		"1 (a) S 1 2 3 3481", "1 (a) S 1 2 3 -", "1 (a) S x 2 3 4 5",
		"1 (a)S 1 2 3 4 5", "1 a) S 1 2 3 4 5",
		"1 (a) S 1 2 3 99999999999999999999999 5",
	};
	char comm64[65], line[128];
	struct wb_owner o;

	CHECK(stat_of("1 (bash) S 0 1 1 0 -1 4194560 1 2\n", &o) == 0);
	CHECK_STR(o.comm, "bash");
	CHECK(o.state == 'S' && o.ppid == 0 && o.sid == 1);
	CHECK_STR(o.tty, "");

	CHECK(stat_of("4242 (a) b (c) T 4200 4242 4100 34819 42 0\n", &o) == 0);
	CHECK_STR(o.comm, "a) b (c");
	CHECK(o.state == 'T' && o.ppid == 4200 && o.sid == 4100);
	CHECK_STR(o.tty, "pts/3");

	/* A comm that forges the fields after it: the last ')' wins. */
	CHECK(stat_of("77 (x) S 99 99 99 99) R 1 2 3 0 5\n", &o) == 0);
	CHECK_STR(o.comm, "x) S 99 99 99 99");
	CHECK(o.state == 'R' && o.ppid == 1 && o.sid == 3);
	CHECK_STR(o.tty, "");

	CHECK(stat_of("9 (123456789012345) t 1 9 9 1025 9\n", &o) == 0);
	CHECK_STR(o.comm, "123456789012345");
	CHECK(o.state == 't');
	CHECK_STR(o.tty, "tty1");

	CHECK(stat_of("9 (\x1b[31mred\x07\xff\n) S 1 9 9 0 9", &o) == 0);
	CHECK_STR(o.comm, "\x1b[31mred\x07\xff\n");

	/* starttime, field 22, names the process with its pid; a line
	 * cut before it still parses, with none. */
	CHECK(stat_of("1 (bash) S 0 1 1 0 -1 4194560 1 2\n", &o) == 0 &&
	      o.start_time == 0);
	CHECK(stat_of("4242 (init (x)) S 1 4242 4242 0 -1 4194560 1033 0 0 0 "
		      "2 3 0 0 20 0 1 0 123456789 10854400 1019 18446744073709551615\n",
		      &o) == 0);
	CHECK(o.start_time == 123456789ULL && o.sid == 4242);
	CHECK(stat_of("9 (a) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5 0\n", &o) == 0 &&
	      o.start_time == 0);

	CHECK(stat_of("9 () Z 1 9 9 0\n", &o) == 0);
	CHECK_STR(o.comm, "");
	CHECK(o.state == 'Z');

	/* Kernel worker names reach 64 bytes: cut, still terminated. */
	memset(comm64, 'k', 64);
	comm64[64] = '\0';
	snprintf(line, sizeof(line), "5 (%s) I 2 0 0 0 0", comm64);
	CHECK(stat_of(line, &o) == 0);
	CHECK(strlen(o.comm) == sizeof(o.comm) - 1);
	CHECK(o.state == 'I' && o.ppid == 2);

	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		int rc = stat_of(cut[i], &o);

		CHECK(rc == -EINVAL);
		if (rc != -EINVAL)
			fprintf(stderr, "  accepted: \"%s\"\n", cut[i]);
		/* A refused line leaves the owner alone. */
		CHECK(o.state == 0 && o.comm[0] == '\0');
	}
}

static void check_join(const char *buf, size_t len, const char *want)
{
	char *copy = xmalloc(len), *s;

	memcpy(copy, buf, len);
	s = proc_join_cmdline(copy, len);
	CHECK_STR(s, want);
	free(s);
	free(copy);
}

static void test_join_cmdline(void)
{
	check_join("a\0b\0c\0", 6, "a b c");
	check_join("a\0b", 3, "a b");
	check_join("", 0, "");
	check_join("\0\0", 2, "");
	check_join("a\0\0b\0", 5, "a  b");
	check_join("nginx: master process\0\0\0", 24, "nginx: master process");
	check_join("\xff\xfe\0\xc3\0", 5, "\xff\xfe \xc3");
	check_join("\x1b]0;x\x07\0-c\0", 9, "\x1b]0;x\x07 -c");
}

static void check_tty(int nr, const char *want)
{
	char buf[32];

	proc_tty_name(nr, buf, sizeof(buf));
	CHECK_STR(buf, want);
}


/* status: the lines used, anywhere; the others keep the caller's values. */
static void test_parse_status(void)
{
	const char *text = "Name:\twb\\nx y\nUmask:\t0022\nState:\tS (sleeping)\n"
			   "Tgid:\t812\nPid:\t813\nTracerPid:\t77\n"
			   "Uid:\t1000\t1001\t1000\t1000\nGid:\t50\t51\t50\t50\n";
	struct wb_proc_status st = { .euid = 9, .egid = 9 };
	struct wb_proc_status keep = { .name = "?", .tgid = 5, .euid = 6, .egid = 7 };

	proc_parse_status(text, strlen(text), &st);
	CHECK_STR(st.name, "wb\\nx y");
	CHECK(st.tgid == 812 && st.tracer == 77);
	CHECK(st.euid == 1001 && st.egid == 51);
	/* Cut before the Uid: line's second number: the uid is not guessed. */
	proc_parse_status(text, strstr(text, "1001") - text, &keep);
	CHECK_STR(keep.name, "wb\\nx y");
	CHECK(keep.tgid == 812 && keep.euid == 6 && keep.egid == 7);
	proc_parse_status("", 0, &keep);
	CHECK(keep.tgid == 812);
}

/* The kernel's new_encode_dev(). */
static int dev(unsigned major, unsigned minor)
{
	return (int)((minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12));
}

static void test_tty_name(void)
{
	char buf[32];

	check_tty(0, "");
	check_tty(34816, "pts/0");
	check_tty(34819, "pts/3");
	check_tty(dev(137, 44), "pts/300");
	check_tty(dev(136, 300), "pts/300");
	check_tty(dev(136, 0x80000), "pts/524288");	/* a negative int */
	check_tty(dev(4, 1), "tty1");
	check_tty(dev(4, 63), "tty63");
	check_tty(dev(4, 64), "ttyS0");
	check_tty(dev(4, 65), "ttyS1");
	proc_tty_name(dev(5, 1), buf, sizeof(buf));
	CHECK(strcmp(buf, "console") == 0 || strcmp(buf, "5:1") == 0);
	proc_tty_name(34819, buf, 4);
	CHECK_STR(buf, "pts");
}

/* --- live: real sockets, real processes ------------------------------ */

static int hold(const char *ready_fd)
{
	prctl(PR_SET_NAME, HOLD_NAME);
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive the test */
	if (write(atoi(ready_fd), "r", 1) != 1)
		return 1;
	for (;;)
		pause();
}

/* The child said it is ready just before pause(): let it get there. */
static void wait_asleep(pid_t pid)
{
	char path[64], buf[1024];
	struct wb_owner o;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 500; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
		if (fd >= 0)
			close(fd);
		if (n > 0 && proc_parse_stat(buf, (size_t)n, &o) == 0 &&
		    o.state == 'S')
			return;
		usleep(10000);
	}
}

static pid_t spawn_holder(void)
{
	static char big[BIG_ARGS][65536];
	char *argv[3 + BIG_ARGS + 1], fdbuf[16];
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		snprintf(fdbuf, sizeof(fdbuf), "%d", p[1]);
		argv[0] = "wb-hold";
		argv[1] = "--hold";
		argv[2] = fdbuf;
		for (int i = 0; i < BIG_ARGS; i++) {
			memset(big[i], 'A' + i, sizeof(big[i]) - 1);
			argv[3 + i] = big[i];
		}
		argv[3 + BIG_ARGS] = NULL;
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	wait_asleep(pid);
	return pid;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Whether this process may read the descriptors of process `name`. */
static bool fds_readable(const char *name)
{
	char path[300], link[300];
	struct dirent *e;
	bool ok = true;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", name);
	d = opendir(path);
	if (!d)
		return errno != EACCES && errno != EPERM;
	while (ok && (e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    readlinkat(dirfd(d), e->d_name, link, sizeof(link)) < 0)
			ok = errno != EACCES && errno != EPERM;
	closedir(d);
	return ok;
}

/* What owners_visible should say of a socket nobody holds: whether some
 * process's descriptors are hidden from us. */
static bool all_fds_readable(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	bool ok = true;

	while (proc && (e = readdir(proc)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			ok &= fds_readable(e->d_name);
	if (proc)
		closedir(proc);
	return ok;
}

static struct wb_sock *add_sock(struct wb_socklist *l, int family, uint64_t ino)
{
	struct wb_sock *s = socklist_add(l);

	s->protocol = IPPROTO_TCP;
	s->family = family;
	s->inode = ino;
	return s;
}

static const struct wb_owner *owner_of(const struct wb_sock *s, pid_t pid)
{
	for (size_t i = 0; i < s->n_owners; i++)
		if (s->owners[i].pid == pid)
			return &s->owners[i];
	return NULL;
}

static void check_self(const struct wb_owner *o, int fd, const char *argv0)
{
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK(o->fd == fd);
	CHECK_STR(o->comm, "wb-parent");
	CHECK(o->uid == geteuid());
	/* R, or S while this thread waits for the other walkers. */
	CHECK(o->state == 'R' || o->state == 'S');
	CHECK(o->ppid == getppid() && o->sid == getsid(0));
	CHECK(o->cmdline && strncmp(o->cmdline, argv0, strlen(argv0)) == 0);
}

static void check_child(const struct wb_owner *o, const struct wb_owner *self,
			int fd)
{
	size_t len;

	CHECK(o != NULL);
	if (!o)
		return;
	CHECK(o->fd == fd);
	CHECK_STR(o->comm, HOLD_NAME);
	CHECK(o->uid == geteuid());
	CHECK(o->state == 'S');
	CHECK(o->ppid == getpid() && o->sid == getsid(0));
	if (self)
		CHECK_STR(o->tty, self->tty);
	len = o->cmdline ? strlen(o->cmdline) : 0;
	CHECK(len == 65536 + 3);
	CHECK(len > 3 && strncmp(o->cmdline, "wb-hold --hold ", 15) == 0);
	CHECK(len > 3 && strcmp(o->cmdline + len - 3, "...") == 0);
}

/* owners_find() on a walk of its own; `start`: with the BPF iterator's
 * list made meanwhile, where it is the way. */
static int find(struct wb_socklist *l, bool start, struct wb_owners_how *how)
{
	struct wb_owner_walk *walk = owners_open();
	int rc;

	if (start)
		owners_start(walk);
	rc = owners_find(walk, l->v, l->n, how);
	owners_close(walk);
	return rc;
}

/* A walk started, then closed unused (the dump failed, or showed no held
 * socket): its thread is left to finish and free its own list. */
static void test_abandon(void)
{
	struct wb_socklist l = { 0 };
	struct wb_owners_how how;
	struct wb_owner_walk *walk = owners_open();

	owners_start(walk);
	owners_close(walk);
	walk = owners_open();
	owners_start(walk);
	owners_start(walk);		/* again: nothing */
	add_sock(&l, AF_INET, 0);	/* nothing to look for: abandoned */
	CHECK(owners_find(walk, l.v, l.n, &how) == 0);
	CHECK(how.method == NULL && l.v[0].owners_visible);
	owners_close(walk);
	socklist_free(&l);
}

/* The live socket's owners, their details, and its options. */
static void test_live(int s, int s6, pid_t child, const char *argv0, bool start)
{
	struct wb_owners_how how;
	struct wb_socklist l = { 0 };
	struct wb_sock *v;
	int gone = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint64_t gone_ino = inode_of(gone);

	close(gone);
	add_sock(&l, AF_INET, inode_of(s));
	add_sock(&l, AF_INET, 0);	/* TIME_WAIT: nobody holds it */
	add_sock(&l, AF_INET, gone_ino);	/* closed: nobody holds it */
	add_sock(&l, AF_INET6, inode_of(s6));
	CHECK(find(&l, start, &how) == 0);
	CHECK(how.method && (!strcmp(how.method, "bpf") || !strcmp(how.method, "proc")));
	v = l.v;
	CHECK(v[0].n_owners == 2 && v[0].owners_visible);
	check_self(owner_of(&v[0], getpid()), s, argv0);
	check_child(owner_of(&v[0], child), owner_of(&v[0], getpid()), s);
	CHECK(v[1].n_owners == 0 && v[1].owners_visible);
	CHECK(v[2].n_owners == 0);
	/* The BPF iterator sees every process; the /proc walk may not. */
	CHECK(v[2].owners_visible == (!strcmp(how.method, "bpf") || all_fds_readable()));

	owners_read_sockopts(&v[0]);
	CHECK(v[0].reuseaddr == WB_YES && v[0].reuseport == WB_NO);
	CHECK(v[0].v6only == WB_UNKNOWN);	/* not asked of AF_INET */
	if (s6 >= 0) {
		CHECK(v[3].n_owners == 1 && owner_of(&v[3], getpid()));
		owners_read_sockopts(&v[3]);
		CHECK(v[3].reuseaddr == WB_NO && v[3].reuseport == WB_YES);
		CHECK(v[3].v6only == WB_YES);
	}
	socklist_free(&l);
}

/* A socket with one given holder, for owners_read_sockopts alone. */
static struct wb_sock held_by(uint64_t ino, struct wb_owner *o)
{
	struct wb_sock v = { .family = AF_INET, .inode = ino,
			     .reuseaddr = WB_UNKNOWN, .reuseport = WB_UNKNOWN,
			     .v6only = WB_UNKNOWN, .owners = o, .n_owners = 1 };

	return v;
}

/* A stopped holder: state T, and its socket's options still readable. */
static void test_stopped(int s, pid_t child)
{
	struct wb_owners_how how;
	struct wb_socklist l = { 0 };
	struct wb_owner *o, only;
	struct wb_sock *v, w;
	int status;

	kill(child, SIGSTOP);
	CHECK(waitpid(child, &status, WUNTRACED) == child);
	CHECK(WIFSTOPPED(status));
	v = add_sock(&l, AF_INET, inode_of(s));
	CHECK(find(&l, false, &how) == 0);
	o = (struct wb_owner *)owner_of(v, child);
	CHECK(o && o->state == 'T');
	if (o) {
		only = *o;
		w = held_by(v->inode, &only);
		owners_read_sockopts(&w);
		CHECK(w.reuseaddr == WB_YES && w.reuseport == WB_NO);
	}
	socklist_free(&l);
	kill(child, SIGCONT);
}

/* A descriptor whose number now names another socket, and a holder that
 * has exited: the options stay unknown, never guessed. */
static void test_not_ours(int s, int other, pid_t dead)
{
	struct wb_owner o = { .pid = getpid(), .fd = other };
	struct wb_sock v = held_by(inode_of(s), &o);

	owners_read_sockopts(&v);
	CHECK(v.reuseaddr == WB_UNKNOWN && v.reuseport == WB_UNKNOWN);
	o.pid = dead;
	o.fd = s;
	owners_read_sockopts(&v);
	CHECK(v.reuseaddr == WB_UNKNOWN && v.reuseport == WB_UNKNOWN);
	/* The same with a live holder reads: the checks above can fail. */
	o.pid = getpid();
	owners_read_sockopts(&v);
	CHECK(v.reuseaddr == WB_YES);
}

static int open_sockets(int *s, int *dup_fd, int *s6)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1;

	/* Not CLOEXEC: the child keeps it across its exec. */
	*s = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (*s < 0 ||
	    setsockopt(*s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(*s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	/* The same socket on a higher fd: the owner names the first. */
	*dup_fd = fcntl(*s, F_DUPFD, 100);
	*s6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*s6 >= 0 &&
	    setsockopt(*s6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		return -1;
	if (*s6 >= 0 &&
	    setsockopt(*s6, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		return -1;
	return *dup_fd < 0 ? -1 : 0;
}

static void live(const char *argv0)
{
	int s, dup_fd, s6, other, status;
	pid_t child, dead;

	if (open_sockets(&s, &dup_fd, &s6) < 0) {
		CHECK(!"cannot create the test sockets");
		return;
	}
	child = spawn_holder();
	CHECK(child > 0);
	if (child <= 0)
		return;
	prctl(PR_SET_NAME, "wb-parent");
	test_live(s, s6, child, argv0, false);
	test_live(s, s6, child, argv0, true);
	test_abandon();
	test_stopped(s, child);

	other = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, &status, 0);
	test_not_ours(s, other, dead);

	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	close(other);
	close(s);
	close(dup_fd);
	if (s6 >= 0)
		close(s6);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--hold") == 0)
		return hold(argv[2]);
	test_parse_stat();
	test_join_cmdline();
	test_tty_name();
	test_parse_status();
	live(argv[0]);
	return unit_done();
}
