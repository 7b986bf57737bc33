// SPDX-License-Identifier: GPL-2.0-or-later
/* wbfix: build real sockets in real states on demand, for whybind's tests
 * (in the manner of util-linux's test_mkfds).
 *
 *   wbfix KIND ADDR PORT [TARGETPORT] [OPTION...]
 *
 * KIND         what is left on ADDR:PORT
 * listen       a TCP listener, held until SIGTERM or SIGINT
 * bound        a TCP socket bound and never listening nor connected, held
 * udp          a bound UDP socket, held
 * connectout   a TCP socket bound to ADDR:PORT and connected to a listener
 *              the fixture opens on loopback TARGETPORT (or target=PORT), held
 * childconn    a server accepts one connection, forks a child that keeps it
 *              (ESTABLISHED), closes its listener and exits
 * timewait     a server closes first (as when killed by Ctrl+C with a client
 *              connected): TIME_WAIT on ADDR:PORT; the fixture exits
 * clientclose  the client closes first: TIME_WAIT on the client's port
 *              only; the fixture exits
 * unix         an AF_UNIX socket bound to ADDR (a path, or @NAME for an
 *              abstract name), listening unless dgram; PORT is its type:
 *              stream, dgram or seqpacket; held
 * unixstale    the same bound and closed: a stale socket file is left;
 *              the fixture exits
 * udprecv      a UDP server bound to ADDR:PORT that answers each numbered
 *              datagram with the same number, and counts what it got
 * udpsend      a client of udprecv at ADDR:PORT: sends numbered datagrams
 *              one after the other, each once its answer came back (so no
 *              queue can overflow), and sends one again only when its
 *              answer is RETRANSMIT_MS late: it was lost; 0.2 ms apart
 *
 * OPTION: reuseaddr, reuseport, v6only=0|1, prefork=N (N forked children
 * hold the socket too), comm=NAME (prctl PR_SET_NAME; \xNN is a byte, \\ a
 * backslash), uid=N (become that user before making the socket),
 * workeruid=N (prefork: the children become that user after the fork),
 * dev=NAME (SO_BINDTODEVICE), threads=N (N idle threads share the
 * descriptors), fds=N (N descriptors of /dev/null opened before the
 * socket), count=N (udp: N sockets on the port), traced (a forked tracer holds the holder in a ptrace stop, state
 * t; the ready line comes from the tracer, its pid in pids=), log=PATH
 * (udprecv, udpsend: where the counts go, one line appended each time).
 *
 * udprecv on SIGUSR1 appends "received=N dup=N gaps=N max=N" to its log
 * and goes on.  udpsend appends "retransmit seq=N" for each loss at once;
 * on SIGUSR1 it finishes the datagram in flight, appends "sent=N
 * retransmits=N" and exits 0: every datagram sent was then answered.
 *
 * When everything is in place it prints one line and flushes:
 *   ready pid=PID [pids=PID,PID...] [tw=PORT]
 * pids: the other processes that hold the sockets; tw: the local port
 * of the TIME_WAIT socket left behind.  Bad arguments: exit 2; a failed
 * system call: exit 1.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <net/if.h>
#include <stddef.h>
#include <sys/wait.h>

#define MAX_PREFORK	16
#define COMM_LEN	16	/* TASK_COMM_LEN, with the NUL */
#define SETTLE_MS	3000	/* at most, for loopback FIN/ACK exchanges */
/* An answer this late on loopback means the datagram went elsewhere. */
#define RETRANSMIT_MS	3000

enum opt_bit {
	O_REUSEADDR = 1 << 0,
	O_REUSEPORT = 1 << 1,
	O_V6ONLY = 1 << 2,
	O_PREFORK = 1 << 3,
	O_COMM = 1 << 4,
	O_UID = 1 << 5,
	O_TARGET = 1 << 6,
	O_TRACED = 1 << 7,
	O_LOG = 1 << 8,
	O_DEV = 1 << 9,
	O_THREADS = 1 << 10,
	O_FDS = 1 << 11,
	O_COUNT = 1 << 12,
	O_WORKERUID = 1 << 13,
};

struct fix {
	const struct kind *kind;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int family;
	int utype;			/* AF_UNIX: SOCK_STREAM, ... */
	int target;			/* connectout's TARGETPORT */
	unsigned int given;		/* enum opt_bit */
	int v6only, prefork;
	uid_t uid;
	uid_t workeruid;		/* workeruid=N: prefork children's user */
	char comm[COMM_LEN];
	char dev[IF_NAMESIZE];		/* dev=NAME: SO_BINDTODEVICE */
	int threads;			/* threads=N: idle threads */
	int fds;			/* fds=N: /dev/null opened first */
	int count;			/* count=N: sockets (udp) */
	const char *log;		/* log=PATH */
};

struct kind {
	const char *name;
	void (*run)(const struct fix *f);
	unsigned int allowed;		/* enum opt_bit */
	bool target;			/* needs TARGETPORT */
};

static pid_t children[MAX_PREFORK + 1];
static int nchildren;
static volatile sig_atomic_t got_usr1;

static void usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *what) __attribute__((noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("wbfix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A system call failed while building the situation. */
static void die(const char *what)
{
	fprintf(stderr, "wbfix: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long number(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		usage_error("bad %s: '%s'", what, s);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		usage_error("bad %s: '%s' (%ld to %ld)", what, s, min, max);
	return v;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* comm=NAME: \xNN is one byte, \\ a backslash; raw bytes pass as they are. */
static void parse_comm(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		int hi, lo;

		if (n == COMM_LEN - 1)
			usage_error("comm= is longer than %d bytes", COMM_LEN - 1);
		if (in[0] != '\\') {
			out[n++] = *in++;
		} else if (in[1] == '\\') {
			out[n++] = '\\';
			in += 2;
		} else if (in[1] == 'x' && (hi = hexval(in[2])) >= 0 &&
			   (lo = hexval(in[3])) >= 0 && (hi || lo)) {
			out[n++] = (char)(hi << 4 | lo);
			in += 4;
		} else {
			usage_error("comm=: a backslash must start \\xNN (not \\x00) or \\\\");
		}
	}
	if (n == 0)
		usage_error("comm= is empty");
	out[n] = '\0';
}

static void set_addr(struct fix *f, const char *addr, int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&f->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&f->addr;

	memset(&f->addr, 0, sizeof(f->addr));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = f->family = AF_INET;
		sin->sin_port = htons(port);
		f->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = f->family = AF_INET6;
		sin6->sin6_port = htons(port);
		f->addrlen = sizeof(*sin6);
	} else {
		usage_error("bad address: '%s' (IPv4 or bare IPv6)", addr);
	}
}

static void parse_option(struct fix *f, const char *a)
{
	const char *v = strchr(a, '=');
	size_t klen = v ? (size_t)(v - a) : strlen(a);
	unsigned int bit;

	if (v)
		v++;
#define IS(key) (klen == strlen(key) && !strncmp(a, key, klen))
	if (IS("reuseaddr") && !v)
		bit = O_REUSEADDR;
	else if (IS("reuseport") && !v)
		bit = O_REUSEPORT;
	else if (IS("v6only") && v)
		bit = O_V6ONLY, f->v6only = number(v, 0, 1, "v6only");
	else if (IS("prefork") && v)
		bit = O_PREFORK, f->prefork = number(v, 1, MAX_PREFORK, "prefork");
	else if (IS("uid") && v)
		bit = O_UID, f->uid = number(v, 1, 0x7ffffffe, "uid");
	else if (IS("workeruid") && v)
		bit = O_WORKERUID, f->workeruid = number(v, 1, 0x7ffffffe, "workeruid");
	else if (IS("target") && v)
		bit = O_TARGET, f->target = number(v, 1, 65535, "target port");
	else if (IS("comm") && v)
		bit = O_COMM, parse_comm(v, f->comm);
	else if (IS("dev") && v && *v && strlen(v) < IF_NAMESIZE)
		bit = O_DEV, strcpy(f->dev, v);
	else if (IS("threads") && v)
		bit = O_THREADS, f->threads = number(v, 1, 256, "threads");
	else if (IS("fds") && v)
		bit = O_FDS, f->fds = number(v, 1, 100000, "fds");
	else if (IS("count") && v)
		bit = O_COUNT, f->count = number(v, 1, 65535, "count");
	else if (IS("traced") && !v)
		bit = O_TRACED;
	else if (IS("log") && v && *v)
		bit = O_LOG, f->log = v;
	else
		usage_error("unknown option: '%s'", a);
#undef IS
	if (!(f->kind->allowed & bit))
		usage_error("%s does not take '%s'", f->kind->name, a);
	if (f->given & bit)
		usage_error("option given twice: '%s'", a);
	f->given |= bit;
}

/* Options that leave a TIME_WAIT or a connection behind: the listener's
 * SO_REUSEADDR is what the accepted socket inherits. */
#define O_CONN	(O_REUSEADDR | O_V6ONLY | O_COMM)
#define O_HOLD	(O_REUSEADDR | O_REUSEPORT | O_V6ONLY | O_PREFORK | O_COMM | O_UID | O_DEV | \
		 O_THREADS | O_FDS | O_WORKERUID)

static void run_listen(const struct fix *f);
static void run_bound(const struct fix *f);
static void run_udp(const struct fix *f);
static void run_connectout(const struct fix *f);
static void run_childconn(const struct fix *f);
static void run_timewait(const struct fix *f);
static void run_clientclose(const struct fix *f);
static void run_unix(const struct fix *f);
static void run_unixstale(const struct fix *f);
static void run_udprecv(const struct fix *f);
static void run_udpsend(const struct fix *f);

static const struct kind kinds[] = {
	{ "listen", run_listen, O_HOLD | O_TRACED, false },
	{ "bound", run_bound, O_HOLD, false },
	{ "udp", run_udp, O_HOLD | O_COUNT, false },
	{ "connectout", run_connectout, (O_HOLD & ~O_PREFORK) | O_TARGET, true },
	{ "childconn", run_childconn, O_CONN, false },
	{ "timewait", run_timewait, O_CONN, false },
	{ "clientclose", run_clientclose, O_CONN, false },
	{ "unix", run_unix, O_PREFORK | O_COMM | O_UID, false },
	{ "unixstale", run_unixstale, O_UID, false },
	{ "udprecv", run_udprecv, O_REUSEADDR | O_REUSEPORT | O_V6ONLY | O_COMM | O_LOG, false },
	{ "udpsend", run_udpsend, O_COMM | O_LOG, false },
};

/* ADDR and PORT of the unix kinds: a path or @NAME, and a socket type. */
static void set_unix_addr(struct fix *f, const char *name, const char *type)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&f->addr;
	bool abstract = name[0] == '@';
	size_t len = strlen(name + abstract);

	memset(&f->addr, 0, sizeof(f->addr));
	if (len == 0 || len >= sizeof(sun->sun_path))
		usage_error("bad unix name: '%s'", name);
	sun->sun_family = f->family = AF_UNIX;
	memcpy(sun->sun_path + abstract, name + abstract, len);
	f->addrlen = offsetof(struct sockaddr_un, sun_path) + len + 1;
	if (!strcmp(type, "stream"))
		f->utype = SOCK_STREAM;
	else if (!strcmp(type, "dgram"))
		f->utype = SOCK_DGRAM;
	else if (!strcmp(type, "seqpacket"))
		f->utype = SOCK_SEQPACKET;
	else
		usage_error("bad unix socket type: '%s' (stream, dgram, seqpacket)", type);
}

static void parse(struct fix *f, int argc, char **argv)
{
	int i = 4;

	if (argc < 4)
		usage_error("usage: wbfix KIND ADDR PORT [TARGETPORT] [OPTION...]");
	memset(f, 0, sizeof(*f));
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(argv[1], kinds[k].name))
			f->kind = &kinds[k];
	if (!f->kind)
		usage_error("unknown kind: '%s'", argv[1]);
	if (f->kind->run == run_unix || f->kind->run == run_unixstale)
		set_unix_addr(f, argv[2], argv[3]);
	else
		set_addr(f, argv[2], number(argv[3], 1, 65535, "port"));
	if (f->kind->target && argc > 4 && argv[4][0] >= '0' && argv[4][0] <= '9') {
		f->target = number(argv[i++], 1, 65535, "target port");
		f->given |= O_TARGET;
	}
	/* Words after "--" are only there to make a long command line. */
	for (; i < argc && strcmp(argv[i], "--"); i++)
		parse_option(f, argv[i]);
	if (f->kind->target && !f->target)
		usage_error("%s needs TARGETPORT", f->kind->name);
	if (!f->kind->target && f->target)
		usage_error("%s takes no target port", f->kind->name);
	if ((f->given & O_V6ONLY) && f->family != AF_INET6)
		usage_error("v6only= needs an IPv6 address");
	if ((f->kind->allowed & O_LOG) && !f->log)
		usage_error("%s needs log=PATH", f->kind->name);
}

static void setopt(int fd, int level, int name, int on, const char *what)
{
	if (setsockopt(fd, level, name, &on, sizeof(on)) < 0)
		die(what);
}

static int bound_socket(const struct fix *f, int type)
{
	int fd = socket(f->family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (f->given & O_REUSEADDR)
		setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (f->given & O_REUSEPORT)
		setopt(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
	if (f->given & O_V6ONLY)
		setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, f->v6only, "IPV6_V6ONLY");
	if ((f->given & O_DEV) &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, f->dev, strlen(f->dev) + 1) < 0)
		die("SO_BINDTODEVICE");
	if (bind(fd, (const struct sockaddr *)&f->addr, f->addrlen) < 0)
		die("bind");
	return fd;
}

static int listener(const struct fix *f)
{
	int fd = bound_socket(f, SOCK_STREAM);

	if (listen(fd, 16) < 0)
		die("listen");
	return fd;
}

/* Loopback address reaching a socket bound to f->addr, on PORT. */
static void loopback_peer(const struct fix *f, int port,
			  struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	*ss = f->addr;
	if (f->family == AF_INET) {
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(port);
	} else {
		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons(port);
	}
}

static void connect_fd(int fd, const struct fix *f, int port)
{
	struct sockaddr_storage peer;

	loopback_peer(f, port, &peer);
	if (connect(fd, (struct sockaddr *)&peer, f->addrlen) < 0)
		die("connect");
}

static int accept_fd(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		die("accept");
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		die("getsockname");
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* One connection to our own listener: the client and the accepted end. */
static void connection(const struct fix *f, int lfd, int *client, int *server)
{
	*client = socket(f->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*client < 0)
		die("socket");
	connect_fd(*client, f, local_port(lfd));
	*server = accept_fd(lfd);
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		die("TCP_INFO");
	return ti.tcpi_state;
}

/*
 * Finish the close that the peer began: read its FIN, send ours, and wait
 * until the peer's last ACK came back (state CLOSE).  The peer's socket
 * is then in TIME_WAIT, for certain, and nothing else is left here.
 */
static void close_second(int fd)
{
	struct timespec ms = { 0, 1000000 };
	char c;
	int i;

	if (read(fd, &c, 1) != 0)
		die("read: no EOF from the peer");
	if (shutdown(fd, SHUT_WR) < 0)
		die("shutdown");
	for (i = 0; i < SETTLE_MS && tcp_state(fd) != TCP_CLOSE; i++)
		nanosleep(&ms, NULL);
	if (i == SETTLE_MS) {
		errno = ETIMEDOUT;
		die("waiting for the last ACK");
	}
	close(fd);
}

static void ready(int tw_port)
{
	printf("ready pid=%d", (int)getpid());
	for (int i = 0; i < nchildren; i++)
		printf("%s%d", i ? "," : " pids=", (int)children[i]);
	if (tw_port)
		printf(" tw=%d", tw_port);
	putchar('\n');
	if (fflush(stdout) == EOF)
		die("stdout");
}

/* A process that outlives the fixture must not keep the reader of its
 * output waiting for the end of it. */
static void leave_stdout(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		die("/dev/null");
	close(fd);
}

static void on_signal(int sig)
{
	(void)sig;
	for (int i = 0; i < nchildren; i++)
		kill(children[i], SIGTERM);
	_exit(0);
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static void __attribute__((noreturn)) wait_for_signal(void)
{
	for (;;)
		pause();
}

static void become(uid_t uid);

/* prefork=N: N children hold the same sockets, and die with the parent
 * (workeruid=N: as that user, as a root master's workers do). */
static void fork_holders(const struct fix *f)
{
	pid_t parent = getpid();

	for (int i = 0; i < f->prefork; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			nchildren = 0;
			if (f->given & O_WORKERUID)
				become(f->workeruid);	/* before: it clears the below */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			leave_stdout();
			wait_for_signal();
		}
		children[nchildren++] = pid;
	}
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* traced: a child attaches to us with ptrace and leaves us in the stop
 * (state t), as a debugger would; it says "ready" for us, and detaches by
 * dying on SIGTERM. */
static void __attribute__((noreturn)) traced_by_child(void)
{
	pid_t holder = getpid(), pid;
	int status;

	/* Yama's ptrace_scope 1 lets a process name its tracer; without
	 * Yama this fails, and nothing needs it. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid > 0) {
		children[nchildren++] = pid;
		wait_for_signal();
	}
	nchildren = 0;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A debugger does not hold its debuggee's sockets. */
	if (close_range(STDERR_FILENO + 1, ~0U, 0) < 0)
		die("close_range");
	if (ptrace(PTRACE_ATTACH, holder, NULL, NULL) < 0)
		die("PTRACE_ATTACH");
	if (waitpid(holder, &status, __WALL) < 0)
		die("waitpid");
	if (!WIFSTOPPED(status)) {
		errno = ESRCH;
		die("the traced holder did not stop");
	}
	printf("ready pid=%d pids=%d\n", (int)holder, (int)getpid());
	if (fflush(stdout) == EOF)
		die("stdout");
	leave_stdout();
	wait_for_signal();
}

static void hold(const struct fix *f)
{
	catch_signals();
	for (int i = 0; i < f->threads; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, idle_thread, NULL))
			die("pthread_create");
	}
	fork_holders(f);
	if (f->given & O_TRACED)
		traced_by_child();
	ready(0);
	wait_for_signal();
}

static void run_listen(const struct fix *f)
{
	listener(f);
	hold(f);
}

static void run_bound(const struct fix *f)
{
	bound_socket(f, SOCK_STREAM);
	hold(f);
}

static void run_udp(const struct fix *f)
{
	/* count=N: N sockets on the port (SO_REUSEPORT lets them share it). */
	for (int i = 0; i < (f->count ? f->count : 1); i++)
		bound_socket(f, SOCK_DGRAM);
	hold(f);
}

static void run_unix(const struct fix *f)
{
	int fd = bound_socket(f, f->utype);

	if (f->utype != SOCK_DGRAM && listen(fd, 16) < 0)
		die("listen");
	hold(f);
}

static void run_unixstale(const struct fix *f)
{
	close(bound_socket(f, f->utype));
	ready(0);
	exit(0);
}

/* A listener of our own on loopback TARGETPORT, no options. */
static int target_listener(const struct fix *f)
{
	struct fix t = *f;

	t.given = 0;
	set_addr(&t, f->family == AF_INET ? "127.0.0.1" : "::1", f->target);
	return listener(&t);
}

static void run_connectout(const struct fix *f)
{
	int lfd = target_listener(f);
	int fd = bound_socket(f, SOCK_STREAM);
	struct sockaddr_storage to;
	socklen_t len = sizeof(to);

	/* The target listens on 127.0.0.1 or [::1], whatever ADDR is. */
	if (getsockname(lfd, (struct sockaddr *)&to, &len) < 0)
		die("getsockname");
	if (connect(fd, (struct sockaddr *)&to, len) < 0)
		die("connect");
	accept_fd(lfd);
	hold(f);
}

static void run_childconn(const struct fix *f)
{
	int lfd = listener(f), client, server;
	pid_t pid;

	connection(f, lfd, &client, &server);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(lfd);
		leave_stdout();
		catch_signals();
		wait_for_signal();
	}
	children[nchildren++] = pid;
	close(server);
	close(client);
	close(lfd);
	ready(0);
	exit(0);
}

/* The server goes first, as a server killed with a client connected. */
static void run_timewait(const struct fix *f)
{
	int lfd = listener(f), client, server;
	int port = local_port(lfd);

	connection(f, lfd, &client, &server);
	close(server);
	close(lfd);
	close_second(client);
	ready(port);
	exit(0);
}

static void run_clientclose(const struct fix *f)
{
	int lfd = listener(f), client, server, port;

	connection(f, lfd, &client, &server);
	port = local_port(client);
	close(client);
	close(lfd);
	close_second(server);
	ready(port);
	exit(0);
}

static void become(uid_t uid)
{
	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		die("setresuid");
	/* Leaving root made us undumpable: /proc/PID/fd would stay root's. */
	if (prctl(PR_SET_DUMPABLE, 1) < 0)
		die("PR_SET_DUMPABLE");
}

int main(int argc, char **argv)
{
	struct fix f;

	parse(&f, argc, argv);
	if (f.given & O_UID)
		become(f.uid);
	for (int i = 0; i < f.fds; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			die("open /dev/null");
	if ((f.given & O_COMM) && prctl(PR_SET_NAME, f.comm) < 0)
		die("PR_SET_NAME");
	signal(SIGPIPE, SIG_IGN);
	f.kind->run(&f);
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* SIGUSR1 is blocked but while waiting in ppoll (given *waitmask), so a
 * request for the counts can never fall between a test and the wait. */
static void catch_usr1(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) < 0)
		die("sigprocmask");
	sigdelset(waitmask, SIGUSR1);
}

static void log_line(const struct fix *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void log_line(const struct fix *f, const char *fmt, ...)
{
	int fd = open(f->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	char line[256];
	va_list ap;
	int n;

	if (fd < 0)
		die(f->log);
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[n] = '\n';
	if (write(fd, line, n + 1) != n + 1)
		die(f->log);
	close(fd);
}

/* Wait until fd is readable (1) or ms have passed (0; ms -1: no limit),
 * or a SIGUSR1 came (-1). */
static int wait_readable(int fd, int ms, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec end, now, left;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (long)(ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000)
		end.tv_sec++, end.tv_nsec -= 1000000000;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0)
			left.tv_sec--, left.tv_nsec += 1000000000;
		if (ms >= 0 && left.tv_sec < 0)
			return 0;
		rc = ppoll(&pfd, 1, ms < 0 ? NULL : &left, waitmask);
		if (rc >= 0)
			return rc > 0;
		if (errno != EINTR)
			die("ppoll");
		if (got_usr1)
			return -1;
	}
}

struct udp_counts {
	unsigned long long received, dup, gaps, max;
};

static void count_seq(struct udp_counts *c, uint64_t seq)
{
	if (seq <= c->max) {
		c->dup++;
		return;
	}
	c->gaps += seq - c->max - 1;
	c->max = seq;
	c->received++;
}

static void run_udprecv(const struct fix *f)
{
	int fd = bound_socket(f, SOCK_DGRAM);
	struct udp_counts c = { 0 };
	sigset_t waitmask;

	catch_signals();
	catch_usr1(&waitmask);
	ready(0);
	for (;;) {
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		uint64_t seq;
		ssize_t n;

		if (got_usr1) {
			got_usr1 = 0;
			log_line(f, "received=%llu dup=%llu gaps=%llu max=%llu",
				 c.received, c.dup, c.gaps, c.max);
		}
		if (wait_readable(fd, -1, &waitmask) <= 0)
			continue;
		n = recvfrom(fd, &seq, sizeof(seq), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			die("recvfrom");
		if (n != sizeof(seq))
			continue;	/* not ours */
		count_seq(&c, seq);
		if (sendto(fd, &seq, sizeof(seq), 0, (struct sockaddr *)&from, len) < 0)
			die("sendto");
	}
}

/* Send seq and wait for its answer; false when it never came. */
static bool exchange(int fd, uint64_t seq, const sigset_t *waitmask)
{
	uint64_t answer;
	int rc;

	if (send(fd, &seq, sizeof(seq), 0) != sizeof(seq))
		die("send");
	/* On SIGUSR1 too: the datagram in flight is seen through first. */
	while ((rc = wait_readable(fd, RETRANSMIT_MS, waitmask)) != 0) {
		ssize_t n;

		if (rc < 0)
			continue;
		n = recv(fd, &answer, sizeof(answer), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			die("recv");
		if (n == sizeof(answer) && answer == seq)
			return true;
		/* A late answer to an earlier one: keep waiting. */
	}
	return false;
}

static void run_udpsend(const struct fix *f)
{
	int fd = socket(f->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned long long retransmits = 0;
	uint64_t seq = 0;
	sigset_t waitmask;

	if (fd < 0)
		die("socket");
	connect_fd(fd, f, f->family == AF_INET
		   ? ntohs(((const struct sockaddr_in *)&f->addr)->sin_port)
		   : ntohs(((const struct sockaddr_in6 *)&f->addr)->sin6_port));
	catch_signals();
	catch_usr1(&waitmask);
	ready(0);
	while (!got_usr1) {
		/* A steady stream, not a flood: leave the CPUs to whybind. */
		struct timespec gap = { 0, 200000 };

		nanosleep(&gap, NULL);
		seq++;
		while (!exchange(fd, seq, &waitmask)) {
			retransmits++;
			log_line(f, "retransmit seq=%llu", (unsigned long long)seq);
		}
	}
	log_line(f, "sent=%llu retransmits=%llu", (unsigned long long)seq, retransmits);
	exit(0);
}
