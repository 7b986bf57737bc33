// SPDX-License-Identifier: GPL-2.0-or-later
/* wbserve: a small server for the tests of whybind --exec: it binds what
 * its arguments say, the way a real server would, and says what happened.
 *
 *   wbserve ADDR PORT [OPTION...]
 *
 * ADDR is an IPv4 or IPv6 address (0.0.0.0, ::, 127.0.0.1); a TCP socket
 * is made, the options set, bind() called, and on success listen().  It
 * prints one line per bind() call: "bound ADDR PORT" or "bind ADDR PORT:
 * ENAME", and exits 0 if the last bind succeeded, 3 if it failed.
 *
 * OPTION:
 *   udp          a UDP socket
 *   reuseaddr    SO_REUSEADDR;  reuseport: SO_REUSEPORT
 *   v6only=0|1   IPV6_V6ONLY of an IPv6 socket
 *   unix         ADDR is ignored, PORT is an AF_UNIX path to bind
 *   fork         bind in a forked child; the parent exits as the child did
 *   thread       bind in a second thread
 *   tries=N      call bind() N times on the same socket until one succeeds
 *   then=PORT    after a failed bind, bind PORT instead (a new socket)
 *   again        after a bind that succeeds, bind a second socket to the
 *                same address and port (a server's duplicate listen)
 *   hold         when done, print "ready pid=PID" and wait for SIGTERM,
 *                then print "got SIGTERM" and exit 42
 *   raise=N      when done, kill itself with signal N
 * Bad arguments: exit 2; another failed call: exit 1.
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

struct conf {
	const char *addr, *port, *then;
	bool udp, reuseaddr, reuseport, unix_, fork_, thread, hold, again;
	int v6only;			/* -1: not set */
	int tries, raise_sig;
	int status;			/* of the last bind: 0 or 3 */
};

static volatile sig_atomic_t got_term;

/* LeakSanitizer cannot work under ptrace, and wbserve runs under whybind
 * --exec: in a sanitizer build, its leak check is off (whybind's is not). */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return 1;
}

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "wbserve: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int make_socket(const struct conf *c, int family)
{
	int one = 1, fd = socket(family, c->udp ? SOCK_DGRAM : SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (c->reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (c->reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		die("SO_REUSEPORT");
	if (family == AF_INET6 && c->v6only >= 0 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &c->v6only, sizeof(c->v6only)))
		die("IPV6_V6ONLY");
	return fd;
}

/* One socket, up to `tries` bind() calls on it. */
static int bind_one(const struct conf *c, const char *port, int tries)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in = (void *)&ss;
	struct sockaddr_in6 *in6 = (void *)&ss;
	struct sockaddr_un *un = (void *)&ss;
	socklen_t len;
	int fd, rc = -1;

	if (c->unix_) {
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "%s", port);
		len = sizeof(*un);
	} else if (inet_pton(AF_INET, c->addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(port));
		len = sizeof(*in);
	} else if (inet_pton(AF_INET6, c->addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(port));
		len = sizeof(*in6);
	} else {
		fprintf(stderr, "wbserve: bad address %s\n", c->addr);
		exit(2);
	}
	fd = c->unix_ ? socket(AF_UNIX, SOCK_STREAM, 0) : make_socket(c, ss.ss_family);
	for (int i = 0; i < tries && rc < 0; i++) {
		rc = bind(fd, (struct sockaddr *)&ss, len);
		if (rc == 0)
			printf("bound %s %s\n", c->addr, port);
		else
			printf("bind %s %s: %s\n", c->addr, port, strerrorname_np(errno));
	}
	if (rc == 0 && !c->udp && listen(fd, 8) < 0)
		die("listen");
	if (rc < 0)
		close(fd);
	return rc;
}

static void *work(void *arg)
{
	struct conf *c = arg;
	int rc = bind_one(c, c->port, c->tries);

	if (rc < 0 && c->then)
		rc = bind_one(c, c->then, 1);
	else if (rc == 0 && c->again)
		rc = bind_one(c, c->port, 1);
	c->status = rc < 0 ? 3 : 0;
	return NULL;
}

static void finish(struct conf *c)
{
	if (c->hold) {
		printf("ready pid=%d\n", (int)getpid());
		while (!got_term)
			pause();
		printf("got SIGTERM\n");
		exit(42);
	}
	if (c->raise_sig)
		kill(getpid(), c->raise_sig);
	exit(c->status);
}

static void run(struct conf *c)
{
	pthread_t t;

	if (!c->thread) {
		work(c);
		return;
	}
	errno = pthread_create(&t, NULL, work, c);
	if (errno)
		die("pthread_create");
	pthread_join(t, NULL);
}

static void parse(struct conf *c, int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: wbserve ADDR PORT [OPTION...]\n");
		exit(2);
	}
	c->addr = argv[1];
	c->port = argv[2];
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "udp")) c->udp = true;
		else if (!strcmp(a, "reuseaddr")) c->reuseaddr = true;
		else if (!strcmp(a, "reuseport")) c->reuseport = true;
		else if (!strcmp(a, "unix")) c->unix_ = true;
		else if (!strcmp(a, "fork")) c->fork_ = true;
		else if (!strcmp(a, "thread")) c->thread = true;
		else if (!strcmp(a, "hold")) c->hold = true;
		else if (!strcmp(a, "again")) c->again = true;
		else if (!strncmp(a, "v6only=", 7)) c->v6only = atoi(a + 7);
		else if (!strncmp(a, "tries=", 6)) c->tries = atoi(a + 6);
		else if (!strncmp(a, "then=", 5)) c->then = a + 5;
		else if (!strncmp(a, "raise=", 6)) c->raise_sig = atoi(a + 6);
		else {
			fprintf(stderr, "wbserve: unknown option %s\n", a);
			exit(2);
		}
	}
	if (c->tries < 1)
		c->tries = 1;
}

int main(int argc, char **argv)
{
	struct conf c = { .v6only = -1 };
	struct sigaction sa = { .sa_handler = on_term };
	pid_t pid;
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse(&c, argc, argv);
	sigaction(SIGTERM, &sa, NULL);
	if (!c.fork_) {
		run(&c);
		finish(&c);
	}
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		run(&c);
		finish(&c);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
	}
	return WEXITSTATUS(status);
}
