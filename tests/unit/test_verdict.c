/* Cause selection by SPEC's precedence, and the fixes. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "unit.h"
#include "verdict.h"

static struct wb_diagnosis *new_diag(void)
{
	struct wb_diagnosis *d = xcalloc(1, sizeof(*d));

	d->req.protocol = IPPROTO_TCP;
	d->req.addr.family = AF_INET;
	d->req.port = 8080;
	d->probed = true;
	d->ok = WB_NO;
	d->err = EADDRINUSE;
	d->reuseaddr_ok = WB_NO;
	d->reuseport_ok = WB_NO;
	d->info.bound_inactive = true;
	return d;
}

static struct wb_sock *add(struct wb_diagnosis *d, int state, int proto,
			   pid_t pid, char pstate)
{
	struct wb_sock *s = socklist_add(&d->socks);

	s->protocol = proto;
	s->family = AF_INET;
	s->state = state;
	s->lport = 8080;
	s->blocks = WB_YES;
	s->owners_visible = true;
	if (pid) {
		s->inode = 1000 + pid;
		s->owners = xcalloc(1, sizeof(*s->owners));
		s->n_owners = 1;
		s->owners[0].pid = pid;
		s->owners[0].state = pstate;
		strcpy(s->owners[0].comm, "server\033[2J");
	} else {
		s->expires_ms = 41500;
	}
	return s;
}

static const struct wb_fix *find_fix(const struct wb_verdict *v, const char *action)
{
	for (size_t i = 0; i < v->n_fixes; i++)
		if (strcmp(v->fixes[i].action, action) == 0)
			return &v->fixes[i];
	return NULL;
}

static void done(struct wb_diagnosis *d)
{
	verdict_free(&d->verdict);
	socklist_free(&d->socks);
	free(d);
}

static void check_precedence(void)
{
	static const struct {
		int state, proto;
		pid_t pid;
		char pstate;
	} socks[] = {
		{ WB_TCP_TIME_WAIT, IPPROTO_TCP, 0, 0 },
		{ WB_TCP_ESTABLISHED, IPPROTO_TCP, 20, 'S' },
		{ WB_TCP_BOUND_INACTIVE, IPPROTO_TCP, 30, 'S' },
		{ WB_TCP_LISTEN, IPPROTO_TCP, 40, 'S' },
		{ WB_TCP_LISTEN, IPPROTO_TCP, 50, 'T' },
	};
	static const char *const want[] = {
		"time-wait", "established", "bound", "listening", "stopped",
	};

	/* Adding a socket of a stronger cause always takes over. */
	for (size_t n = 1; n <= 5; n++) {
		struct wb_diagnosis *d = new_diag();

		for (size_t i = 0; i < n; i++)
			add(d, socks[i].state, socks[i].proto, socks[i].pid, socks[i].pstate);
		verdict_make(d);
		CHECK_STR(d->verdict.cause, want[n - 1]);
		CHECK(d->verdict.summary && !strchr(d->verdict.summary, '\033'));
		CHECK(find_fix(&d->verdict, "other-port") != NULL);
		done(d);
	}
}

static void check_stopped(void)
{
	struct wb_diagnosis *d = new_diag();
	struct wb_sock *s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 812, 'T');
	const struct wb_fix *f;

	strcpy(s->owners[0].tty, "pts/3");
	s->owners[0].sid = 4242;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "stopped");
	CHECK_STR(d->verdict.fixes[0].action, "resume-process");
	CHECK_STR(d->verdict.fixes[0].command, "kill -CONT 812");
	CHECK(strstr(d->verdict.fixes[0].text, "pts/3") != NULL);
	CHECK(strstr(d->verdict.fixes[0].text, "4242") != NULL);
	f = find_fix(&d->verdict, "stop-process");
	CHECK(f && strstr(f->command, "kill 812") != NULL);
	CHECK(d->verdict.reuseaddr_fixes == WB_NO);
	done(d);
}

/* A debugger's stop: SIGCONT alone does not end it. */
static void check_traced(void)
{
	struct wb_diagnosis *d = new_diag();
	struct wb_sock *s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 812, 't');

	s->owners[0].tracer = 900;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "stopped");
	CHECK(strstr(d->verdict.summary, "debugger") != NULL);
	CHECK_STR(d->verdict.fixes[0].action, "resume-process");
	CHECK_STR(d->verdict.fixes[0].command, "kill 900; kill -CONT 812");
	CHECK(strstr(d->verdict.fixes[0].text, "tracer pid 900") != NULL);
	done(d);
}

/* The unit's own manager: the user's one for a user unit, reached with
 * -M USER@ when whybind runs as another user (root); "--" before a name
 * that would read as an option. */
static void check_units(void)
{
	static const struct {
		const char *unit, *user;
		bool user_unit;
		uid_t uid, caller;
		const char *command;
	} cases[] = {
		{ "nginx.service", "", false, 33, 0, "systemctl stop nginx.service" },
		{ "app.service", "alice", true, 1000, 0, "systemctl --user -M alice@ stop app.service" },
		{ "app.service", "alice", true, 1000, 1000, "systemctl --user stop app.service" },
		{ "-x.service", "", false, 0, 0, "systemctl stop -- -x.service" },
		{ "a b;$(id).service", "", false, 0, 0, "systemctl stop 'a b;$(id).service'" },
		{ "a\033.service", "", false, 0, 0, "systemctl stop $'a\\x1b.service'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wb_diagnosis *d = new_diag();
		struct wb_sock *s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 812, 'S');
		const struct wb_fix *f;

		strcpy(s->owners[0].unit, cases[i].unit);
		strcpy(s->owners[0].unit_user, cases[i].user);
		s->owners[0].user_unit = cases[i].user_unit;
		s->owners[0].uid = cases[i].uid;
		d->req.uid = cases[i].caller;
		verdict_make(d);
		f = find_fix(&d->verdict, "stop-unit");
		CHECK(f != NULL);
		if (f)
			CHECK_STR(f->command, cases[i].command);
		CHECK(f && strchr(f->text, '\033') == NULL);
		done(d);
	}
}

static void check_time_wait(void)
{
	struct wb_diagnosis *d = new_diag();
	const struct wb_fix *f;

	add(d, WB_TCP_TIME_WAIT, IPPROTO_TCP, 0, 0);
	d->reuseaddr_ok = WB_YES;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "time-wait");
	CHECK(d->verdict.reuseaddr_fixes == WB_YES);
	CHECK_STR(d->verdict.fixes[0].action, "set-reuseaddr");
	f = find_fix(&d->verdict, "wait");
	CHECK(f && strcmp(f->command, "sleep 42") == 0);
	CHECK(find_fix(&d->verdict, "fix-time-wait") != NULL);
	done(d);

	/* The old server never set SO_REUSEADDR: say so, with the time. */
	d = new_diag();
	d->req.reuseaddr = true;
	add(d, WB_TCP_TIME_WAIT, IPPROTO_TCP, 0, 0);
	verdict_make(d);
	CHECK(d->verdict.reuseaddr_fixes == WB_NO);
	CHECK(strstr(d->verdict.reuseaddr_why, "never set SO_REUSEADDR") != NULL);
	CHECK(strstr(d->verdict.reuseaddr_why, "42 s") != NULL);
	CHECK_STR(d->verdict.fixes[0].action, "wait");
	done(d);
}

static void check_listening(void)
{
	struct wb_diagnosis *d = new_diag();
	struct wb_sock *s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 812, 'S');
	const struct wb_fix *f;

	s->owners = xrealloc(s->owners, 2 * sizeof(*s->owners));
	s->owners[1] = s->owners[0];
	s->owners[1].pid = 813;
	s->n_owners = 2;
	d->reuseport_ok = WB_YES;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "listening");
	CHECK(strstr(d->verdict.reuseaddr_why, "listening socket") != NULL);
	CHECK(strstr(d->verdict.reuseport_why, "share") != NULL);
	CHECK_STR(d->verdict.fixes[0].action, "set-reuseport");
	f = find_fix(&d->verdict, "stop-process");
	CHECK(f && strcmp(f->command, "kill 812 813") == 0);
	done(d);
}

static void check_others(void)
{
	struct wb_diagnosis *d = new_diag();
	struct wb_sock *s;

	add(d, WB_TCP_CLOSE, IPPROTO_UDP, 7, 'S');
	s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 9, 'S');
	s->blocks = WB_NO;			/* not in the way: ignored */
	d->reuseaddr_ok = WB_YES;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "udp-bound");
	/* A UDP newcomer with SO_REUSEADDR takes the old one's datagrams. */
	CHECK(strstr(d->verdict.fixes[0].text, "datagrams") != NULL);
	done(d);

	d = new_diag();
	d->ok = WB_YES;
	d->err = 0;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "free");
	CHECK(d->verdict.n_fixes == 0);
	CHECK(d->verdict.reuseaddr_fixes == WB_UNKNOWN);
	done(d);

	d = new_diag();
	d->info.bound_inactive = false;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "other");
	CHECK(strstr(d->verdict.summary, "cannot list") != NULL);
	done(d);

	d = new_diag();
	d->err = EACCES;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "permission");
	done(d);

	d = new_diag();
	d->err = EADDRNOTAVAIL;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "address-unavailable");
	done(d);

	d = new_diag();
	d->err = EINVAL;
	verdict_make(d);
	CHECK_STR(d->verdict.cause, "other");
	done(d);
}

int main(void)
{
	check_precedence();
	check_stopped();
	check_traced();
	check_units();
	check_time_wait();
	check_listening();
	check_others();
	return unit_done();
}
