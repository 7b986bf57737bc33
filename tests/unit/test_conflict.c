/* The conflict rules, as a table of cases.
 *
 * Without arguments: each case through the pure rules.
 * With --kernel (run as root in a private network namespace, as
 * tests/integration/rules_kernel.sh does): each case is also built for
 * real -- the old socket in a child process of the given uid, then the
 * new bind -- so the table itself is checked against this kernel.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "conflict.h"
#include "probe.h"
#include "request.h"
#include "unit.h"

enum kind { LISTEN, BOUND, TIMEWAIT, UDP };

struct rule_case {
	const char *name;
	enum kind old;
	const char *old_addr;
	int old_v6only, old_reuseaddr, old_reuseport;
	uid_t old_uid;
	int req_protocol;
	const char *req_addr;
	int req_v6only, req_reuseaddr, req_reuseport;
	int want;		/* does the old socket block the bind */
};

#define NOBODY 65534

static const struct rule_case cases[] = {
	{ "listener blocks the same bind", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "SO_REUSEADDR on both does not pass a listener", LISTEN, "0.0.0.0", 0, 1, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 1, 0, WB_YES },
	{ "wildcard listener blocks a specific address, reuseaddr on both", LISTEN, "0.0.0.0", 0, 1, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 1, 0, WB_YES },
	{ "specific listener blocks the wildcard", LISTEN, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "two specific addresses do not conflict", LISTEN, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.2", 0, 0, 0, WB_NO },
	{ "dual-stack [::] blocks 0.0.0.0", LISTEN, "::", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "v6only [::] does not block 0.0.0.0", LISTEN, "::", 1, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "dual-stack [::] blocks 127.0.0.1", LISTEN, "::", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 0, 0, WB_YES },
	{ "0.0.0.0 blocks a dual-stack [::]", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "::", 0, 0, 0, WB_YES },
	{ "0.0.0.0 does not block a v6only [::]", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "::", 1, 0, 0, WB_NO },
	{ "v6only [::] blocks v6only [::]", LISTEN, "::", 1, 0, 0, 0, IPPROTO_TCP, "::", 1, 0, 0, WB_YES },
	{ "[::1] does not block 127.0.0.1", LISTEN, "::1", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 0, 0, WB_NO },
	{ "[::1] does not block v4-mapped [::ffff:127.0.0.1]", LISTEN, "::1", 0, 0, 0, 0, IPPROTO_TCP, "::ffff:127.0.0.1", 0, 0, 0, WB_NO },
	{ "127.0.0.1 blocks v4-mapped [::ffff:127.0.0.1]", LISTEN, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "::ffff:127.0.0.1", 0, 0, 0, WB_YES },
	{ "[::] dual-stack blocks [::1]", LISTEN, "::", 0, 0, 0, 0, IPPROTO_TCP, "::1", 1, 0, 0, WB_YES },
	{ "SO_REUSEPORT on both, same uid, shares", LISTEN, "0.0.0.0", 0, 0, 1, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 1, WB_NO },
	{ "SO_REUSEPORT on both, other uid, refused", LISTEN, "0.0.0.0", 0, 0, 1, NOBODY, IPPROTO_TCP, "0.0.0.0", 0, 0, 1, WB_YES },
	{ "SO_REUSEPORT on the new socket only", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 1, WB_YES },
	{ "bound socket blocks without SO_REUSEADDR", BOUND, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "bound socket passes with SO_REUSEADDR on both", BOUND, "0.0.0.0", 0, 1, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 1, 0, WB_NO },
	{ "bound socket blocks if only the new one sets it", BOUND, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 1, 0, WB_YES },
	{ "bound socket of another uid, reuseaddr on both", BOUND, "0.0.0.0", 0, 1, 0, NOBODY, IPPROTO_TCP, "0.0.0.0", 0, 1, 0, WB_NO },
	{ "TIME_WAIT blocks without SO_REUSEADDR", TIMEWAIT, "127.0.0.1", 0, 1, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 0, 0, WB_YES },
	{ "TIME_WAIT of a server without SO_REUSEADDR blocks one with it", TIMEWAIT, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 1, 0, WB_YES },
	{ "TIME_WAIT passes with SO_REUSEADDR on both", TIMEWAIT, "127.0.0.1", 0, 1, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 1, 0, WB_NO },
	{ "TIME_WAIT blocks the wildcard", TIMEWAIT, "127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "TIME_WAIT with SO_REUSEPORT on both, no uid check", TIMEWAIT, "127.0.0.1", 0, 0, 1, NOBODY, IPPROTO_TCP, "127.0.0.1", 0, 0, 1, WB_NO },
	{ "dual-stack [::1] does not block 0.0.0.0", LISTEN, "::1", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "v6only [::1] and 0.0.0.0", LISTEN, "::1", 1, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "v4-mapped [::ffff:127.0.0.1] blocks 127.0.0.1", LISTEN, "::ffff:127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "127.0.0.1", 0, 0, 0, WB_YES },
	{ "v4-mapped [::ffff:127.0.0.1] blocks 0.0.0.0", BOUND, "::ffff:127.0.0.1", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "0.0.0.0 blocks a v4-mapped bind", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "::ffff:127.0.0.1", 0, 0, 0, WB_YES },
	{ "UDP blocks a second UDP bind", UDP, "0.0.0.0", 0, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "UDP does not block TCP", UDP, "0.0.0.0", 0, 0, 0, 0, IPPROTO_TCP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "TCP does not block UDP", LISTEN, "0.0.0.0", 0, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 0, WB_NO },
	{ "UDP with SO_REUSEADDR on both", UDP, "0.0.0.0", 0, 1, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 1, 0, WB_NO },
	{ "UDP with SO_REUSEADDR on the new one only", UDP, "0.0.0.0", 0, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 1, 0, WB_YES },
	{ "UDP with SO_REUSEPORT on both, same uid", UDP, "0.0.0.0", 0, 0, 1, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 1, WB_NO },
	{ "UDP with SO_REUSEPORT on both, other uid", UDP, "0.0.0.0", 0, 0, 1, NOBODY, IPPROTO_UDP, "0.0.0.0", 0, 0, 1, WB_YES },
	{ "UDP wildcard blocks a specific address", UDP, "0.0.0.0", 0, 0, 0, 0, IPPROTO_UDP, "127.0.0.1", 0, 0, 0, WB_YES },
	{ "UDP on two specific addresses", UDP, "127.0.0.1", 0, 0, 0, 0, IPPROTO_UDP, "127.0.0.2", 0, 0, 0, WB_NO },
	{ "UDP dual-stack [::] blocks 0.0.0.0", UDP, "::", 0, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 0, WB_YES },
	{ "UDP v6only [::] does not block 0.0.0.0", UDP, "::", 1, 0, 0, 0, IPPROTO_UDP, "0.0.0.0", 0, 0, 0, WB_NO },
};

static void parse_addr(const char *s, struct wb_addr *a)
{
	const char *err;

	if (request_addr_numeric(s, AF_UNSPEC, a, &err) != 0) {
		fprintf(stderr, "bad address in the table: %s\n", s);
		exit(99);
	}
}

static void case_sock(const struct rule_case *c, struct wb_sock *s)
{
	memset(s, 0, sizeof(*s));
	parse_addr(c->old_addr, &s->local);
	s->family = s->local.family;
	s->protocol = c->old == UDP ? IPPROTO_UDP : IPPROTO_TCP;
	s->state = c->old == LISTEN ? WB_TCP_LISTEN : c->old == BOUND ?
		   WB_TCP_BOUND_INACTIVE : c->old == TIMEWAIT ? WB_TCP_TIME_WAIT
		   : WB_TCP_CLOSE;
	s->v6only = s->family == AF_INET6 ? c->old_v6only : WB_NO;
	s->reuseaddr = c->old_reuseaddr;
	s->reuseport = c->old_reuseport;
	s->uid = c->old == TIMEWAIT ? 0 : c->old_uid;
}

static void case_request(const struct rule_case *c, uint16_t port,
			 struct wb_request *r)
{
	memset(r, 0, sizeof(*r));
	parse_addr(c->req_addr, &r->addr);
	r->protocol = c->req_protocol;
	r->port = port;
	r->v6only = c->req_v6only;
	r->reuseaddr = c->req_reuseaddr;
	r->reuseport = c->req_reuseport;
	r->uid = 0;
}

static void check_rules(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wb_request r;
		struct wb_sock s;
		const char *why;
		int got;

		case_sock(&cases[i], &s);
		case_request(&cases[i], 5000, &r);
		s.lport = 5000;
		got = conflict_blocks(&r, &s, &why);
		CHECK(why != NULL);
		if (got != cases[i].want)
			fprintf(stderr, "rules: %s: got %d want %d (%s)\n",
				cases[i].name, got, cases[i].want, why);
		CHECK(got == cases[i].want);
	}
}

/* A TIME_WAIT socket's flags are not in the dump: undecided only where
 * the answer depends on them. */
static void check_unknown_flags(void)
{
	struct wb_request r;
	struct wb_sock s;
	const char *why;

	case_sock(&cases[24], &s);
	case_request(&cases[24], 5000, &r);
	s.reuseaddr = s.reuseport = WB_UNKNOWN;
	CHECK(conflict_blocks(&r, &s, &why) == WB_UNKNOWN);
	r.reuseaddr = false;
	CHECK(conflict_blocks(&r, &s, &why) == WB_YES);
	CHECK(conflict_predict(&r, &s, 1) == WB_YES);
	s.local.u.v4.s_addr = htonl(0x7f000002);
	r.reuseaddr = true;
	r.addr.u.v4.s_addr = htonl(0x7f000003);
	CHECK(conflict_predict(&r, &s, 1) == WB_NO);
}

/* --kernel: build the old socket for real. */
static int flag(int fd, int level, int name, int on)
{
	return setsockopt(fd, level, name, &on, sizeof(on));
}

static int old_socket(const struct rule_case *c, uint16_t port)
{
	struct wb_request r;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (void *)&ss;
	struct sockaddr_in6 *sin6 = (void *)&ss;
	int fd, type = c->old == UDP ? SOCK_DGRAM : SOCK_STREAM;

	case_request(c, port, &r);
	parse_addr(c->old_addr, &r.addr);
	fd = socket(r.addr.family, type, 0);
	if (c->old_reuseaddr)
		flag(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (c->old_reuseport)
		flag(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (r.addr.family == AF_INET6)
		flag(fd, IPPROTO_IPV6, IPV6_V6ONLY, c->old_v6only);
	ss.ss_family = r.addr.family;
	if (r.addr.family == AF_INET) {
		sin->sin_port = htons(port);
		sin->sin_addr = r.addr.u.v4;
	} else {
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = r.addr.u.v6;
	}
	if (bind(fd, (void *)&ss, sizeof(ss)) < 0)
		return -1;
	if (c->old == LISTEN || c->old == TIMEWAIT)
		listen(fd, 8);
	if (c->old == TIMEWAIT) {
		int cl = socket(r.addr.family, SOCK_STREAM, 0), acc;

		connect(cl, (void *)&ss, sizeof(ss));
		acc = accept(fd, NULL, NULL);
		close(acc);		/* the server closes first */
		close(fd);
		usleep(20000);
		close(cl);
		usleep(20000);
	}
	return 0;
}

/* The old socket lives in a child of its own uid until `hold` closes. */
static pid_t spawn_old(const struct rule_case *c, uint16_t port, int *hold)
{
	int ready[2], wait_pipe[2];
	char b;
	pid_t pid;

	if (pipe(ready) || pipe(wait_pipe))
		exit(99);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(wait_pipe[1]);
		if (c->old_uid && setresuid(c->old_uid, c->old_uid, c->old_uid))
			_exit(99);
		b = old_socket(c, port) == 0 ? 'y' : 'n';
		if (write(ready[1], &b, 1) != 1 || b != 'y')
			_exit(1);
		if (read(wait_pipe[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(wait_pipe[0]);
	if (read(ready[0], &b, 1) != 1 || b != 'y') {
		fprintf(stderr, "kernel: could not build: %s\n", c->name);
		exit(99);
	}
	close(ready[0]);
	*hold = wait_pipe[1];
	return pid;
}

static void check_kernel(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t port = (uint16_t)(20000 + i);
		struct wb_request r;
		int hold, rc, got;
		pid_t pid;

		pid = spawn_old(&cases[i], port, &hold);
		case_request(&cases[i], port, &r);
		rc = probe_bind(&r);
		close(hold);
		waitpid(pid, NULL, 0);
		got = rc == EADDRINUSE ? WB_YES : rc == 0 ? WB_NO : -2;
		if (got != cases[i].want)
			fprintf(stderr, "kernel: %s: bind gave %s, table says %s\n",
				cases[i].name, rc ? strerror(rc) : "success",
				cases[i].want == WB_YES ? "refused" : "allowed");
		CHECK(got == cases[i].want);
	}
}

int main(int argc, char **argv)
{
	check_rules();
	check_unknown_flags();
	if (argc > 1 && strcmp(argv[1], "--kernel") == 0)
		check_kernel();
	return unit_done();
}
