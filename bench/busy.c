// SPDX-License-Identifier: GPL-2.0-or-later
/* busy: load generator for bench/run (not part of the whybind build).
 *
 *   busy hold NPROC NFDS HOLDER PORT CONNPORT NCONN
 *       Fork NPROC children.  Each opens NFDS descriptors in all (its share
 *       of NCONN established loopback connections to CONNPORT, the rest
 *       /dev/null).  Child number HOLDER also listens on 0.0.0.0:PORT and
 *       accepts and closes every connection at once (so its side goes to
 *       TIME_WAIT on PORT: see twc).  The parent accepts and holds the NCONN
 *       server ends, prints "ready parent=P holder=H", and waits for
 *       SIGTERM; the children die with it (PR_SET_PDEATHSIG).
 *   busy tw TOTAL BASEPORT NPORTS
 *       TOTAL TIME_WAIT sockets spread over 127.0.0.1:BASEPORT..+NPORTS-1:
 *       listen, connect, accept, the server end closes first, the client
 *       reads EOF and closes.  The listeners close at exit; the TIME_WAIT
 *       sockets stay for 60 s.
 *   busy twc N PORT
 *       N connections to an existing listener on 127.0.0.1:PORT that closes
 *       first (the holder of "hold"): N TIME_WAIT sockets on PORT.
 *   busy serve PORT
 *       A server's start-up: socket, SO_REUSEADDR, bind 0.0.0.0:PORT,
 *       listen, exit 0 (exit 1 if the bind fails).
 *
 * Loopback only; run it inside the benchmark's private network namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "busy: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_in addr_of(in_addr_t a, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = a };
	return sa;
}

static int listener(in_addr_t a, int port)
{
	struct sockaddr_in sa = addr_of(a, port);
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	if (listen(s, 4096) < 0)
		die("listen");
	return s;
}

static int connect_to(int port)
{
	struct sockaddr_in sa = addr_of(htonl(INADDR_LOOPBACK), port);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (c < 0)
		die("socket");
	if (connect(c, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("connect");
	return c;
}

/* Wait for the peer's FIN, then close: the peer closed first. */
static void drain_close(int c)
{
	char buf[64];

	while (read(c, buf, sizeof buf) > 0)
		;
	close(c);
}

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static int hold(int nproc, int nfds, int holder, int port, int connport,
		int nconn)
{
	int ls = listener(htonl(INADDR_LOOPBACK), connport), p[2];
	pid_t holder_pid = 0, parent = getpid();
	char byte;

	if (ls < 0)
		die("bind CONNPORT");
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	setpgid(0, 0);
	for (int i = 0; i < nproc; i++) {
		int share = nconn / nproc + (i < nconn % nproc);
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid > 0) {
			if (i == holder)
				holder_pid = pid;
			continue;
		}
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		/* Exactly nfds descriptors: 0, 1, 2, the pipe as 3, then ours. */
		if (dup3(p[1], 3, O_CLOEXEC) < 0)
			die("dup3");
		p[1] = 3;
		close_range(4, ~0U, 0);
		int open_fds = 4;
		int hs = -1;
		if (i == holder) {
			hs = listener(htonl(INADDR_ANY), port);
			if (hs < 0)
				die("bind PORT");
			open_fds++;
		}
		for (int k = 0; k < share; k++, open_fds++)
			connect_to(connport);
		for (; open_fds < nfds; open_fds++)
			if (open("/dev/null", O_RDONLY) < 0)
				die("open /dev/null");
		if (write(p[1], "x", 1) != 1)
			die("write");
		close(p[1]);
		open("/dev/null", O_RDONLY); /* keep the count at nfds */
		if (hs >= 0) {
			for (;;) {
				int a = accept4(hs, NULL, NULL, SOCK_CLOEXEC);
				if (a >= 0)
					close(a);
			}
		}
		for (;;)
			pause();
	}
	close(p[1]);
	for (int i = 0; i < nconn; i++)
		if (accept4(ls, NULL, NULL, SOCK_CLOEXEC) < 0)
			die("accept");
	for (int i = 0; i < nproc; i++)
		if (read(p[0], &byte, 1) != 1)
			die("a child failed");
	close(p[0]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("ready parent=%d holder=%d\n", (int)getpid(), (int)holder_pid);
	fflush(stdout);
	while (!stop)
		pause();
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

#define BATCH 256

/* n TIME_WAIT sockets on port, accepted by ls (or by another process when
 * ls < 0). */
static void make_tw(int ls, int port, int n)
{
	int c[BATCH];

	while (n > 0) {
		int b = n < BATCH ? n : BATCH;

		for (int k = 0; k < b; k++)
			c[k] = connect_to(port);
		if (ls >= 0)
			for (int k = 0; k < b; k++) {
				int a = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
				if (a < 0)
					die("accept");
				close(a);
			}
		for (int k = 0; k < b; k++)
			drain_close(c[k]);
		n -= b;
	}
}

static int tw(int total, int base, int nports)
{
	for (int i = 0; i < nports; i++) {
		int n = total / nports + (i < total % nports);
		int ls = listener(htonl(INADDR_LOOPBACK), base + i);

		if (ls < 0)
			die("bind");
		make_tw(ls, base + i, n);
		close(ls);
	}
	return 0;
}

static int serve(int port)
{
	int s = listener(htonl(INADDR_ANY), port);

	return s < 0 ? 1 : 0;
}

static int num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 10000000) {
		fprintf(stderr, "busy: bad number: %s\n", s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	if (argc == 8 && !strcmp(argv[1], "hold"))
		return hold(num(argv[2]), num(argv[3]), num(argv[4]),
			    num(argv[5]), num(argv[6]), num(argv[7]));
	if (argc == 5 && !strcmp(argv[1], "tw"))
		return tw(num(argv[2]), num(argv[3]), num(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "twc")) {
		make_tw(-1, num(argv[3]), num(argv[2]));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(num(argv[2]));
	fprintf(stderr, "usage: busy hold NPROC NFDS HOLDER PORT CONNPORT NCONN\n"
			"       busy tw TOTAL BASEPORT NPORTS\n"
			"       busy twc N PORT\n"
			"       busy serve PORT\n");
	return 2;
}
