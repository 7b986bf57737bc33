/* wbfix: build real sockets in real states, for whybind's tests.
 *
 *   wbfix KIND ADDR PORT [OPTION...]
 *
 * KIND: listen, bound, udp (hold the socket until SIGTERM);
 *       timewait, clientclose (leave TIME_WAIT behind and exit);
 *       childconn (a forked child keeps an accepted connection; the
 *       server exits); connectout (bound to ADDR:PORT and connected out).
 * OPTION: reuseaddr, reuseport, v6only=0|1, prefork=N, comm=NAME (\xNN
 *       escapes allowed), uid=N (create the socket as that user),
 *       target=PORT (connectout's listener).
 *
 * It prints "ready pid=PID[ pids=A,B,...]" once everything is in place.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

struct opts {
	const char *kind;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int family;
	int reuseaddr, reuseport, v6only, prefork, uid, target;
	char comm[16];
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("wbfix: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static int number(const char *s, int max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 0 || v > max)
		die("bad number: %s", s);
	return (int)v;
}

static void unescape(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	while (*in && n + 1 < cap) {
		unsigned v;

		if (in[0] == '\\' && in[1] == 'x' && sscanf(in + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			in += 4;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
}

static void set_addr(struct opts *o, const char *addr, int port)
{
	struct sockaddr_in *sin = (void *)&o->addr;
	struct sockaddr_in6 *sin6 = (void *)&o->addr;

	memset(&o->addr, 0, sizeof(o->addr));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = o->family = AF_INET;
		sin->sin_port = htons(port);
		o->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = o->family = AF_INET6;
		sin6->sin6_port = htons(port);
		o->addrlen = sizeof(*sin6);
	} else {
		die("bad address: %s", addr);
	}
}

static void parse(struct opts *o, int argc, char **argv)
{
	if (argc < 4)
		die("usage: wbfix KIND ADDR PORT [OPTION...]");
	memset(o, 0, sizeof(*o));
	o->kind = argv[1];
	o->v6only = -1;
	set_addr(o, argv[2], number(argv[3], 65535));
	for (int i = 4; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "reuseaddr"))
			o->reuseaddr = 1;
		else if (!strcmp(a, "reuseport"))
			o->reuseport = 1;
		else if (!strncmp(a, "v6only=", 7))
			o->v6only = number(a + 7, 1);
		else if (!strncmp(a, "prefork=", 8))
			o->prefork = number(a + 8, 64);
		else if (!strncmp(a, "uid=", 4))
			o->uid = number(a + 4, 1 << 30);
		else if (!strncmp(a, "target=", 7))
			o->target = number(a + 7, 65535);
		else if (!strncmp(a, "comm=", 5))
			unescape(a + 5, o->comm, sizeof(o->comm));
		else
			die("unknown option: %s", a);
	}
}

static void flag(int fd, int level, int name, int on)
{
	if (setsockopt(fd, level, name, &on, sizeof(on)) < 0)
		die("setsockopt: %s", strerror(errno));
}

/* A socket of the fixture's family with its options, bound. */
static int bound_socket(const struct opts *o, int type)
{
	int fd = socket(o->family, type, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (o->reuseaddr)
		flag(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (o->reuseport)
		flag(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (o->family == AF_INET6 && o->v6only >= 0)
		flag(fd, IPPROTO_IPV6, IPV6_V6ONLY, o->v6only);
	if (bind(fd, (const struct sockaddr *)&o->addr, o->addrlen) < 0)
		die("bind: %s", strerror(errno));
	return fd;
}

static int listener(const struct opts *o)
{
	int fd = bound_socket(o, SOCK_STREAM);

	if (listen(fd, 64) < 0)
		die("listen: %s", strerror(errno));
	return fd;
}

/* A loopback address to reach what listens on o->addr. */
static void peer_of(const struct opts *o, struct sockaddr_storage *ss, int port)
{
	*ss = o->addr;
	if (o->family == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (port)
			sin->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *sin6 = (void *)ss;

		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			sin6->sin6_addr = in6addr_loopback;
		if (port)
			sin6->sin6_port = htons(port);
	}
}

static int connect_to(const struct opts *o, int port)
{
	struct sockaddr_storage ss;
	int fd = socket(o->family, SOCK_STREAM, 0);

	peer_of(o, &ss, port);
	if (connect(fd, (struct sockaddr *)&ss, o->addrlen) < 0)
		die("connect: %s", strerror(errno));
	return fd;
}

/* One connection to our own listener: returns the accepted end. */
static int one_connection(const struct opts *o, int lfd, int *client)
{
	int fd;

	*client = connect_to(o, 0);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept: %s", strerror(errno));
	return fd;
}

static void ready(const pid_t *kids, int n)
{
	printf("ready pid=%d", (int)getpid());
	for (int i = 0; i < n; i++)
		printf(i ? ",%d" : " pids=%d", (int)kids[i]);
	putchar('\n');
	fflush(stdout);
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static void hold(void)
{
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (;;)
		pause();
}

/* Parent and prefork children keep the same socket. */
static void hold_forked(int n)
{
	pid_t kids[64];

	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			hold();
	}
	ready(kids, n);
	signal(SIGTERM, SIG_IGN);
	hold();
}

static void time_wait(const struct opts *o, bool server_first)
{
	int lfd = listener(o), client, conn = one_connection(o, lfd, &client);

	close(server_first ? conn : client);
	usleep(20000);
	close(server_first ? client : conn);
	close(lfd);
	usleep(20000);
	ready(NULL, 0);
	exit(0);
}

static void child_keeps_connection(const struct opts *o)
{
	int lfd = listener(o), client, conn = one_connection(o, lfd, &client);
	pid_t kid = fork();

	if (kid == 0) {
		close(lfd);
		/* Let whoever reads our output see its end when we exit. */
		if (!freopen("/dev/null", "w", stdout))
			_exit(1);
		hold();
	}
	close(conn);
	close(lfd);
	ready(&kid, 1);
	/* The client end stays open in the child too (inherited). */
	exit(0);
}

static void connect_out(const struct opts *o)
{
	struct opts t = *o;
	int lfd, fd, conn;
	struct sockaddr_storage ss;

	t.reuseaddr = t.reuseport = 0;
	set_addr(&t, o->family == AF_INET ? "127.0.0.1" : "::1", o->target);
	lfd = listener(&t);
	fd = bound_socket(o, SOCK_STREAM);
	peer_of(&t, &ss, o->target);
	if (connect(fd, (struct sockaddr *)&ss, t.addrlen) < 0)
		die("connect: %s", strerror(errno));
	conn = accept(lfd, NULL, NULL);
	(void)conn;
	ready(NULL, 0);
	hold();
}

int main(int argc, char **argv)
{
	struct opts o;

	parse(&o, argc, argv);
	if (o.comm[0])
		prctl(PR_SET_NAME, o.comm);
	if (o.uid && setresuid(o.uid, o.uid, o.uid) < 0)
		die("setresuid: %s", strerror(errno));
	if (!strcmp(o.kind, "listen"))
		listener(&o);
	else if (!strcmp(o.kind, "bound"))
		bound_socket(&o, SOCK_STREAM);
	else if (!strcmp(o.kind, "udp"))
		bound_socket(&o, SOCK_DGRAM);
	else if (!strcmp(o.kind, "timewait"))
		time_wait(&o, true);
	else if (!strcmp(o.kind, "clientclose"))
		time_wait(&o, false);
	else if (!strcmp(o.kind, "childconn"))
		child_keeps_connection(&o);
	else if (!strcmp(o.kind, "connectout"))
		connect_out(&o);
	else
		die("unknown kind: %s", o.kind);
	hold_forked(o.prefork);
	return 0;
}
