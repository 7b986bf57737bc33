// SPDX-License-Identifier: GPL-2.0-or-later
/* verdict_inuse: an inet port in use (EADDRINUSE, or predicted so): the
 * socket to name, whether SO_REUSEADDR or SO_REUSEPORT would help, and
 * the fixes; and a free port beside a live UDP socket. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>

#include "conflict.h"
#include "request.h"
#include "verdict_impl.h"

/* Every pid holding a socket of this cause, each once, for one kill
 * command ("812 813"); NULL if none. */
static char *pid_list(const struct wb_diagnosis *d, enum wb_cause c)
{
	struct wb_pidlist l = { 0 };
	char *out;

	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];

		const struct wb_manager *m = verdict_manager(d, s);

		if (!sock_in_the_way(s) || verdict_sock_cause(s) != c)
			continue;
		/* A manager that would undo a kill: its fix, not a kill. */
		if (m && !verdict_kill_allowed(m))
			continue;
		for (size_t j = 0; j < s->n_owners; j++)
			if (!manager_untouchable(&s->owners[j]))
				pidlist_add_once(&l, s->owners[j].pid);
	}
	out = pidlist_join(&l, " ", SIZE_MAX);
	pidlist_free(&l);
	return out;
}

/* The seconds the TIME_WAIT sockets in the way still hold the port. */
static unsigned time_wait_secs(const struct wb_diagnosis *d)
{
	int64_t ms = socks_time_wait_left_ms(&d->scan.socks);

	return ms < 0 ? 0 : (unsigned)((ms + 999) / 1000);
}

static bool any_in_way(const struct wb_diagnosis *d, enum wb_cause c)
{
	for (size_t i = 0; i < d->scan.socks.n; i++)
		if (sock_in_the_way(&d->scan.socks.v[i]) && verdict_sock_cause(&d->scan.socks.v[i]) == c)
			return true;
	return false;
}

static char *reuseaddr_why(const struct wb_diagnosis *d, unsigned secs)
{
	if (d->probe.reuseaddr_ok == WB_YES)
		return xstrdup("the sockets in the way are not listening and set SO_REUSEADDR themselves");
	if (d->probe.reuseaddr_ok == WB_UNKNOWN && !d->probe.probed && d->req.protocol == IPPROTO_TCP)
		return xstrdup("not probed (--no-probe)");
	if (d->probe.reuseaddr_ok == WB_UNKNOWN)
		return xstrdup("it depends on whether the old socket set SO_REUSEADDR, which the kernel does not show");
	if (any_in_way(d, WB_CAUSE_LISTENING) || any_in_way(d, WB_CAUSE_STOPPED))
		return xstrdup("a listening socket blocks every bind of its port on an overlapping address, SO_REUSEADDR or not");
	if (any_in_way(d, WB_CAUSE_TIME_WAIT) && !any_in_way(d, WB_CAUSE_BOUND) &&
	    !any_in_way(d, WB_CAUSE_ESTABLISHED))
		return xasprintf("the old server never set SO_REUSEADDR, so its TIME_WAIT sockets block even a server that sets it, for %u s more", secs);
	if (any_in_way(d, WB_CAUSE_UDP_BOUND))
		return xstrdup("the UDP socket holding the port did not set SO_REUSEADDR; both sockets need it");
	return xstrdup("the socket in the way did not set SO_REUSEADDR; both sockets need it");
}

static char *reuseport_why(const struct wb_diagnosis *d, const struct wb_sock *s)
{
	char *who, *out;

	if (d->probe.reuseport_ok == WB_UNKNOWN)
		return NULL;
	if (d->probe.reuseport_ok == WB_NO) {
		if (conflict_group_full(&d->req, d->scan.socks.v, d->scan.socks.n))
			return xasprintf("the SO_REUSEPORT group on that address is full: the kernel admits %u sockets to one group",
					 WB_REUSEPORT_GROUP_MAX);
		if (s && s->reuseport == WB_YES && s->uid != d->req.uid)
			return xasprintf("SO_REUSEPORT is set, but the socket belongs to uid %u: a reuseport group only admits the same user", s->uid);
		return xstrdup("the socket in the way did not set SO_REUSEPORT; both sockets need it, under the same user");
	}
	who = s ? holder_text(s) : xstrdup("the socket in the way");
	out = xasprintf("both would set SO_REUSEPORT, under the same user; the new server would then share the port's traffic with %s", who);
	free(who);
	return out;
}

static void fix_reuse(const struct wb_diagnosis *d, struct wb_verdict *v,
		      enum wb_cause c)
{
	if (d->probe.reuseaddr_ok == WB_YES && c == WB_CAUSE_UDP_BOUND)
		verdict_add_fix(v, "set-reuseaddr",
			xstrdup("set SO_REUSEADDR on the server's socket before bind(); beware: the newer UDP socket then takes the port's unicast datagrams from the old one"),
			NULL);
	else if (d->probe.reuseaddr_ok == WB_YES)
		verdict_add_fix(v, "set-reuseaddr",
			xstrdup("set SO_REUSEADDR on the server's socket before bind()"), NULL);
	if (d->probe.reuseport_ok == WB_YES && c != WB_CAUSE_STOPPED)
		verdict_add_fix(v, "set-reuseport",
			xstrdup("set SO_REUSEPORT on the server's socket (same user as the holder): the two servers would share the traffic"),
			NULL);
}

static void fix_time_wait(const struct wb_diagnosis *d, struct wb_verdict *v,
			  unsigned secs)
{
	verdict_add_fix(v, "wait", xasprintf("wait %u s for the TIME_WAIT sockets to expire", secs),
			xasprintf("sleep %u", secs));
	verdict_add_fix(v, "fix-time-wait",
		xstrdup("destroy the TIME_WAIT sockets now (root, CONFIG_INET_DIAG_DESTROY)"),
		xasprintf("ss -K state time-wait '( sport = :%u )'", d->req.port));
	if (d->probe.reuseaddr_ok == WB_NO && !d->req.reuseaddr)
		verdict_add_fix(v, "set-reuseaddr",
			xstrdup("set SO_REUSEADDR in the server, so that its own TIME_WAIT sockets do not block its next start"),
			NULL);
}

static void fixes_in_use(const struct wb_diagnosis *d, struct wb_verdict *v,
			 enum wb_cause c, const struct wb_sock *s, unsigned secs)
{
	char *pids = pid_list(d, c);

	if (c == WB_CAUSE_STOPPED && pids)
		fixes_stopped(v, s, pids);
	fix_reuse(d, v, c);
	if (c == WB_CAUSE_TIME_WAIT) {
		fix_time_wait(d, v, secs);
	} else if (c != WB_CAUSE_STOPPED && s->n_owners) {
		char *who = holder_text(s);

		fixes_holder(d, v, s, pids, xasprintf("stop %s", who));
		free(who);
	}
	verdict_add_fix(v, "other-port", xstrdup("or use another port"), NULL);
	free(pids);
}

static char *summary_stopped(const struct wb_diagnosis *d, const struct wb_sock *s,
			     const char *who)
{
	if (s->owners[0].state == 't')
		return xasprintf("%s holds port %u but is stopped under a debugger (ptrace): it keeps the port until the debugger lets it go",
				 who, d->req.port);
	return xasprintf("%s holds port %u but is stopped (Ctrl+Z or SIGSTOP): it keeps the port until it is resumed or ended",
			 who, d->req.port);
}

static char *summary_in_use(const struct wb_diagnosis *d, enum wb_cause c,
			    const struct wb_sock *s, unsigned secs)
{
	const struct wb_manager *m = verdict_manager(d, s);
	char addr[WB_ADDRSTRLEN], *who = holder_tree_text(s, m), *out, *mgr, *all;

	addr_str(&s->local, addr, sizeof(addr));
	switch (c) {
	case WB_CAUSE_STOPPED:
		out = summary_stopped(d, s, who);
		break;
	case WB_CAUSE_LISTENING:
		out = xasprintf("%s is listening on %s port %u", who, addr, s->lport);
		break;
	case WB_CAUSE_BOUND:
		out = xasprintf("%s has a socket bound to %s port %u that neither listens nor connects",
				who, addr, s->lport);
		break;
	case WB_CAUSE_ESTABLISHED:
		out = xasprintf("%s holds a %s connection on port %u", who,
				sock_state_name(s), s->lport);
		break;
	case WB_CAUSE_UDP_BOUND:
		out = xasprintf("%s has a UDP socket bound to %s port %u", who, addr, s->lport);
		break;
	default:
		out = xasprintf("TIME_WAIT sockets left by a closed connection hold port %u for %u s more",
				d->req.port, secs);
		break;
	}
	mgr = manager_text(m);
	all = xasprintf("%s%s", out, mgr);
	free(mgr);
	free(out);
	free(who);
	return all;
}

void verdict_in_use(const struct wb_diagnosis *d, struct wb_verdict *v)
{
	enum wb_cause c;
	const struct wb_sock *s = verdict_main_sock(d, &c);
	unsigned secs = time_wait_secs(d);

	v->reuseaddr_why = reuseaddr_why(d, secs);
	v->reuseport_why = reuseport_why(d, s);
	if (!s) {
		verdict_set_cause(v, WB_CAUSE_OTHER);
		v->summary = d->scan.info.bound_inactive || d->req.protocol == IPPROTO_UDP
			? xstrdup("the port is in use, but no conflicting socket is left: it may have been freed since")
			: xstrdup("no conflicting socket is visible: this kernel cannot list sockets that are bound but neither listen nor connect, the likely holder");
		verdict_add_fix(v, "other-port", xstrdup("try again, or use another port"), NULL);
		return;
	}
	verdict_set_cause(v, c);
	v->summary = summary_in_use(d, c, s, secs);
	fixes_in_use(d, v, c, s, secs);
}

/* A UDP bind that succeeds next to a live UDP socket (both set the
 * option) changes where that socket's datagrams go: say so. */
void verdict_port_free(const struct wb_diagnosis *d, struct wb_verdict *v)
{
	const struct wb_sock *s = NULL;
	const char *why;
	char addr[WB_ADDRSTRLEN], *who;

	verdict_set_cause(v, WB_CAUSE_FREE);
	for (size_t i = 0; i < d->scan.socks.n && !s && d->req.protocol == IPPROTO_UDP; i++)
		if (d->scan.socks.v[i].protocol == IPPROTO_UDP &&
		    conflict_overlap(&d->req, &d->scan.socks.v[i], &why) != WB_NO)
			s = &d->scan.socks.v[i];
	if (!s) {
		v->summary = xasprintf("the bind would succeed: nothing holds port %u", d->req.port);
		return;
	}
	v->takes_udp = true;
	who = holder_text(s);
	addr_str(&s->local, addr, sizeof(addr));
	if (d->req.reuseport && s->reuseport == WB_YES)
		v->summary = xasprintf("the bind would succeed: it would join the SO_REUSEPORT group of %s on %s port %u and share the port's datagrams with it",
				       who, addr, s->lport);
	else
		v->summary = xasprintf("the bind would succeed next to the UDP socket of %s on %s port %u, and the newer socket takes the port's unicast datagrams: %s would stop receiving them",
				       who, addr, s->lport, who);
	free(who);
}
