// SPDX-License-Identifier: GPL-2.0-or-later
/* Cause selection by SPEC's precedence, and the fixes. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "pidlist.h"
#include "strbuf.h"
#include "unit.h"
#include "diagnose.h"
#include "verdict.h"

static struct wb_diagnosis *new_diag(void)
{
	struct wb_diagnosis *d = xcalloc(1, sizeof(*d));

	d->req.protocol = IPPROTO_TCP;
	d->req.addr.family = AF_INET;
	d->req.port = 8080;
	d->probe.probed = true;
	d->probe.ok = WB_NO;
	d->probe.err = EADDRINUSE;
	d->probe.reuseaddr_ok = WB_NO;
	d->probe.reuseport_ok = WB_NO;
	d->scan.info.bound_inactive = true;
	return d;
}

static struct wb_sock *add(struct wb_diagnosis *d, int state, int proto,
			   pid_t pid, char pstate)
{
	struct wb_sock *s = socklist_add(&d->scan.socks);

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

/* Stage 5 over what the test set up: the verdict, made again. */
static void judge(struct wb_diagnosis *d)
{
	struct wb_verdict v;

	verdict_free(&d->verdict);
	verdict_make(d, &v);
	d->verdict = v;
}

static void done(struct wb_diagnosis *d)
{
	verdict_free(&d->verdict);
	socklist_free(&d->scan.socks);
	managers_free(&d->managers);
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
		judge(d);
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
	judge(d);
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

	s->owners[0].origin.tracer = 900;
	judge(d);
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

		strcpy(s->owners[0].origin.unit, cases[i].unit);
		strcpy(s->owners[0].origin.unit_user, cases[i].user);
		s->owners[0].origin.user_unit = cases[i].user_unit;
		s->owners[0].uid = cases[i].uid;
		d->req.uid = cases[i].caller;
		judge(d);
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
	d->probe.reuseaddr_ok = WB_YES;
	judge(d);
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
	judge(d);
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
	d->probe.reuseport_ok = WB_YES;
	judge(d);
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
	d->probe.reuseaddr_ok = WB_YES;
	judge(d);
	CHECK_STR(d->verdict.cause, "udp-bound");
	/* A UDP newcomer with SO_REUSEADDR takes the old one's datagrams. */
	CHECK(strstr(d->verdict.fixes[0].text, "datagrams") != NULL);
	done(d);

	d = new_diag();
	d->probe.ok = WB_YES;
	d->probe.err = 0;
	judge(d);
	CHECK_STR(d->verdict.cause, "free");
	CHECK(d->verdict.n_fixes == 0);
	CHECK(d->verdict.reuseaddr_fixes == WB_UNKNOWN);
	done(d);

	d = new_diag();
	d->scan.info.bound_inactive = false;
	judge(d);
	CHECK_STR(d->verdict.cause, "other");
	CHECK(strstr(d->verdict.summary, "cannot list") != NULL);
	done(d);

	d = new_diag();
	d->probe.err = EACCES;
	judge(d);
	CHECK_STR(d->verdict.cause, "permission");
	done(d);

	d = new_diag();
	d->probe.err = EADDRNOTAVAIL;
	judge(d);
	CHECK_STR(d->verdict.cause, "address-unavailable");
	done(d);

	d = new_diag();
	d->probe.err = EINVAL;
	judge(d);
	CHECK_STR(d->verdict.cause, "other");
	done(d);
}

/* The enum and its names: every cause named once; the verdict's kind
 * and printed name agree. */
static void check_cause_names(void)
{
	struct wb_diagnosis *d;

	CHECK(wb_cause_name(WB_CAUSE_NONE) == NULL);
	CHECK(wb_cause_name((enum wb_cause)(WB_CAUSE_OTHER + 1)) == NULL);
	for (int i = WB_CAUSE_NONE + 1; i <= WB_CAUSE_OTHER; i++) {
		CHECK(wb_cause_name(i) != NULL);
		for (int j = WB_CAUSE_NONE + 1; j < i; j++)
			CHECK(strcmp(wb_cause_name(i), wb_cause_name(j)) != 0);
	}
	CHECK_STR(wb_cause_name(WB_CAUSE_UDP_BOUND), "udp-bound");
	CHECK_STR(wb_cause_name(WB_CAUSE_UNIX_STALE), "unix-stale");

	d = new_diag();
	add(d, WB_TCP_TIME_WAIT, IPPROTO_TCP, 0, 0);
	judge(d);
	CHECK(d->verdict.kind == WB_CAUSE_TIME_WAIT);
	CHECK_STR(d->verdict.cause, wb_cause_name(d->verdict.kind));
	done(d);

	d = new_diag();
	d->probe.err = EADDRNOTAVAIL;
	judge(d);
	CHECK(d->verdict.kind == WB_CAUSE_ADDRESS_UNAVAILABLE);
	CHECK_STR(d->verdict.cause, wb_cause_name(d->verdict.kind));
	done(d);
}

static void check_strbuf(void)
{
	struct wb_strbuf b = { 0 };
	char *s = strbuf_steal(&b);

	CHECK_STR(s, "");
	free(s);
	strbuf_puts(&b, "port ");
	strbuf_printf(&b, "%u%s", 8080u, "/tcp");
	strbuf_put(&b, "!?", 1);
	s = strbuf_steal(&b);
	CHECK_STR(s, "port 8080/tcp!");
	CHECK(b.p == NULL && b.len == 0);
	free(s);
	for (int i = 0; i < 1000; i++)
		strbuf_printf(&b, "%d,", i % 10);
	s = strbuf_steal(&b);
	CHECK(strlen(s) == 2000 && !strncmp(s + 1990, "5,6,7,8,9,", 10));
	free(s);
}

static void check_pidlist(void)
{
	struct wb_pidlist l = { 0 };
	char *s;

	CHECK(pidlist_join(&l, ", ", 8) == NULL);
	for (pid_t p = 10; p < 13; p++)
		pidlist_add(&l, p);
	pidlist_add(&l, 10);
	pidlist_add_once(&l, 11);
	pidlist_add_once(&l, 14);
	s = pidlist_join(&l, " ", SIZE_MAX);
	CHECK_STR(s, "10 11 12 10 14");
	free(s);
	s = pidlist_join(&l, ", ", 3);
	CHECK_STR(s, "10, 11, 12, ...");
	free(s);
	pidlist_free(&l);
	CHECK(l.v == NULL && l.n == 0);
}

/* The holder's text names 8 pids at most; the kill command names every
 * pid once, across the sockets of the cause. */
static void check_pid_lists(void)
{
	struct wb_diagnosis *d = new_diag();
	struct wb_sock *s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 100, 'S');
	const struct wb_fix *f;

	s->owners = xrealloc(s->owners, 10 * sizeof(*s->owners));
	for (int i = 1; i < 10; i++) {
		s->owners[i] = s->owners[0];
		s->owners[i].pid = 100 + i;
	}
	s->n_owners = 10;
	s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 105, 'S');
	add(d, WB_TCP_LISTEN, IPPROTO_TCP, 200, 'S');
	judge(d);
	CHECK(strstr(d->verdict.summary,
		     "(pids 100, 101, 102, 103, 104, 105, 106, 107, ...)") != NULL);
	f = find_fix(&d->verdict, "stop-process");
	CHECK(f && strcmp(f->command, "kill 100 101 102 103 104 105 106 107 108 109 200") == 0);
	done(d);
}

static void check_time_left(void)
{
	struct wb_socklist l = { 0 };
	struct wb_sock *s;

	CHECK(socks_time_wait_left_ms(&l) == -1);
	s = socklist_add(&l);
	s->protocol = IPPROTO_TCP;
	s->state = WB_TCP_TIME_WAIT;
	s->blocks = WB_NO;			/* not in the way: not waited for */
	s->expires_ms = 90000;
	CHECK(socks_time_wait_left_ms(&l) == -1);
	s = socklist_add(&l);
	s->protocol = IPPROTO_TCP;
	s->state = WB_TCP_TIME_WAIT;
	s->blocks = WB_UNKNOWN;			/* may be in the way: counted */
	s->expires_ms = 0;
	CHECK(socks_time_wait_left_ms(&l) == 0);
	s = socklist_add(&l);
	s->protocol = IPPROTO_TCP;
	s->state = WB_TCP_TIME_WAIT;
	s->blocks = WB_YES;
	s->expires_ms = 41500;
	CHECK(socks_time_wait_left_ms(&l) == 41500);
	CHECK(sock_in_the_way(s) && sock_is_time_wait(s));
	socklist_free(&l);
}

/* A manager among the holders is never stopped, through its unit or by
 * a signal, and neither are the processes beside it (it would start
 * them again); a kill leaves out the holders of a restarting manager. */
static void check_manager_holders(void)
{
	struct wb_diagnosis *d = new_diag();
	struct wb_sock *s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 700, 'S');

	strcpy(s->owners[0].comm, "dockerd");
	strcpy(s->owners[0].origin.unit, "docker.service");
	judge(d);
	for (size_t i = 0; i < d->verdict.n_fixes; i++) {
		const char *c = d->verdict.fixes[i].command;

		CHECK(!c || (!strstr(c, "docker.service") && !strstr(c, "kill")));
	}
	CHECK(find_fix(&d->verdict, "no-safe-stop") != NULL);
	done(d);

	/* supervisord's fcgi socket: supervisord and the child it gave it. */
	d = new_diag();
	s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 701, 'S');
	s->owners = xrealloc(s->owners, 2 * sizeof(*s->owners));
	s->n_owners = 2;
	memset(&s->owners[1], 0, sizeof(s->owners[1]));
	strcpy(s->owners[0].comm, "supervisord");
	s->owners[1].pid = 702;
	s->owners[1].ppid = 701;
	s->owners[1].state = 'S';
	strcpy(s->owners[1].comm, "fcgi");
	strcpy(s->owners[0].origin.unit, "supervisor.service");
	strcpy(s->owners[1].origin.unit, "supervisor.service");
	judge(d);
	for (size_t i = 0; i < d->verdict.n_fixes; i++) {
		const char *c = d->verdict.fixes[i].command;

		CHECK(!c || (!strstr(c, "supervisor.service") && !strstr(c, "kill")));
	}
	done(d);

	/* Two sockets of one cause: a plain process's, and a Restart=always
	 * service's: the kill names the plain process alone. */
	d = new_diag();
	add(d, WB_TCP_LISTEN, IPPROTO_TCP, 703, 'S');
	s = add(d, WB_TCP_LISTEN, IPPROTO_TCP, 704, 'S');
	d->managers.v = xcalloc(2, sizeof(*d->managers.v));
	d->managers.n = 2;
	d->managers.v[1].kind = WB_MGR_SYSTEMD_SERVICE;
	d->managers.v[1].restarts = WB_YES;
	strcpy(d->managers.v[1].name, "app.service");
	strcpy(s->owners[0].origin.unit, "app.service");
	judge(d);
	for (size_t i = 0; i < d->verdict.n_fixes; i++) {
		const char *c = d->verdict.fixes[i].command;

		CHECK(!c || !strstr(c, "704") || !strstr(c, "kill"));
	}
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
	check_cause_names();
	check_strbuf();
	check_pidlist();
	check_pid_lists();
	check_time_left();
	check_manager_holders();
	return unit_done();
}
