/* verdict: from the probe and the conflicting sockets, the cause and the
 * fixes, most useful first.  Pure: no system calls. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflict.h"
#include "escape.h"
#include "request.h"
#include "verdict.h"

/* SPEC's precedence: the cause that will not go away by itself wins. */
enum cause {
	C_STOPPED, C_LISTENING, C_BOUND, C_ESTABLISHED, C_UDP, C_TIME_WAIT,
	C_NONE,
};

static const char *const cause_names[] = {
	[C_STOPPED] = "stopped",
	[C_LISTENING] = "listening",
	[C_BOUND] = "bound",
	[C_ESTABLISHED] = "established",
	[C_UDP] = "udp-bound",
	[C_TIME_WAIT] = "time-wait",
};

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		abort();
	return s;
}

const char *sock_state_name(const struct wb_sock *s)
{
	static const char *const tcp[] = {
		[WB_TCP_ESTABLISHED] = "ESTABLISHED", [WB_TCP_SYN_SENT] = "SYN_SENT",
		[WB_TCP_SYN_RECV] = "SYN_RECV", [WB_TCP_FIN_WAIT1] = "FIN_WAIT1",
		[WB_TCP_FIN_WAIT2] = "FIN_WAIT2", [WB_TCP_TIME_WAIT] = "TIME_WAIT",
		[WB_TCP_CLOSE] = "CLOSE", [WB_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
		[WB_TCP_LAST_ACK] = "LAST_ACK", [WB_TCP_LISTEN] = "LISTEN",
		[WB_TCP_CLOSING] = "CLOSING", [WB_TCP_NEW_SYN_RECV] = "SYN_RECV",
		[WB_TCP_BOUND_INACTIVE] = "BOUND",
	};

	if (s->protocol == IPPROTO_UDP ||
	    (s->family == AF_UNIX && s->state != WB_TCP_LISTEN))
		return s->state == WB_TCP_ESTABLISHED ? "ESTABLISHED" : "UNCONN";
	if (s->state > 0 && s->state <= WB_TCP_BOUND_INACTIVE)
		return tcp[s->state];
	return "UNKNOWN";
}

bool sock_held_stopped(const struct wb_sock *s)
{
	for (size_t i = 0; i < s->n_owners; i++)
		if (s->owners[i].state != 'T' && s->owners[i].state != 't')
			return false;
	return s->n_owners > 0;
}

static enum cause sock_cause(const struct wb_sock *s)
{
	if (sock_held_stopped(s))
		return C_STOPPED;
	if (s->protocol == IPPROTO_UDP)
		return C_UDP;
	switch (s->state) {
	case WB_TCP_LISTEN:
		return C_LISTENING;
	case WB_TCP_BOUND_INACTIVE:
	case WB_TCP_CLOSE:
		return C_BOUND;
	case WB_TCP_TIME_WAIT:
		return C_TIME_WAIT;
	default:
		return C_ESTABLISHED;
	}
}

static bool in_way(const struct wb_sock *s)
{
	return s->blocks != WB_NO;
}

/* The first conflicting socket of the winning cause: the one to name. */
static const struct wb_sock *main_sock(const struct wb_diagnosis *d,
				       enum cause *cause)
{
	const struct wb_sock *best = NULL;

	*cause = C_NONE;
	for (size_t i = 0; i < d->socks.n; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		if (in_way(s) && sock_cause(s) < *cause) {
			*cause = sock_cause(s);
			best = s;
		}
	}
	return best;
}

static void add_fix(struct wb_verdict *v, const char *action, char *text,
		    char *command)
{
	if (v->n_fixes == WB_MAX_FIXES) {
		free(text);
		free(command);
		return;
	}
	v->fixes[v->n_fixes++] = (struct wb_fix){ action, text, command };
}

/* ", nginx.service" or ", docker container 3f2a9c1b7d4e", or "". */
static char *origin_text(const struct wb_owner *o)
{
	char *name, *out;

	if (o->runtime[0]) {
		name = wb_escape_str(o->container, WB_ESC_TERM);
		out = fmt(", %s container %s", o->runtime, name);
	} else if (o->unit[0]) {
		name = wb_escape_str(o->unit, WB_ESC_TERM);
		out = fmt(", %s%s", name, o->user_unit ? " (user unit)" : "");
	} else {
		return fmt("%s", "");
	}
	free(name);
	return out;
}

/* "nginx (pid 812)", "nginx (pids 812, 813)", or who we could not see. */
static char *holder_text(const struct wb_sock *s)
{
	char *comm, *where, *out, *pids = fmt("%d", s->owners ? s->owners[0].pid : 0);

	if (s->n_owners == 0) {
		free(pids);
		if (s->state == WB_TCP_TIME_WAIT)
			return fmt("no process (TIME_WAIT)");
		return s->owners_visible ? fmt("a process that could not be found")
			: fmt("a process of uid %u (not visible without privilege)", s->uid);
	}
	for (size_t i = 1; i < s->n_owners && i < 8; i++) {
		char *more = fmt("%s, %d", pids, s->owners[i].pid);

		free(pids);
		pids = more;
	}
	comm = wb_escape_str(s->owners[0].comm, WB_ESC_TERM);
	where = origin_text(&s->owners[0]);
	out = fmt("%s (pid%s %s%s%s)", comm, s->n_owners > 1 ? "s" : "", pids,
		  s->n_owners > 8 ? ", ..." : "", where);
	free(where);
	free(comm);
	free(pids);
	return out;
}

/* Every pid holding a socket of this cause, for one kill command. */
static char *pid_list(const struct wb_diagnosis *d, enum cause c)
{
	char *list = NULL;

	for (size_t i = 0; i < d->socks.n; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		if (!in_way(s) || sock_cause(s) != c)
			continue;
		for (size_t j = 0; j < s->n_owners; j++) {
			char pid[16], *more;

			snprintf(pid, sizeof(pid), " %d ", s->owners[j].pid);
			if (list && strstr(list, pid))
				continue;
			more = fmt("%s%d ", list ? list : " ", s->owners[j].pid);
			free(list);
			list = more;
		}
	}
	if (list) {
		char *trimmed = fmt("%.*s", (int)strlen(list) - 2, list + 1);

		free(list);
		list = trimmed;
	}
	return list;
}

static uint32_t time_wait_left_ms(const struct wb_diagnosis *d)
{
	uint32_t max = 0;

	for (size_t i = 0; i < d->socks.n; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		if (in_way(s) && s->state == WB_TCP_TIME_WAIT && s->expires_ms > max)
			max = s->expires_ms;
	}
	return max;
}

static bool any_in_way(const struct wb_diagnosis *d, enum cause c)
{
	for (size_t i = 0; i < d->socks.n; i++)
		if (in_way(&d->socks.v[i]) && sock_cause(&d->socks.v[i]) == c)
			return true;
	return false;
}

static char *reuseaddr_why(const struct wb_diagnosis *d, unsigned secs)
{
	if (d->reuseaddr_ok == WB_YES)
		return fmt("the sockets in the way are not listening and set SO_REUSEADDR themselves");
	if (d->reuseaddr_ok == WB_UNKNOWN && !d->probed && d->req.protocol == IPPROTO_TCP)
		return fmt("not probed (--no-probe)");
	if (d->reuseaddr_ok == WB_UNKNOWN)
		return fmt("it depends on whether the old socket set SO_REUSEADDR, which the kernel does not show");
	if (any_in_way(d, C_LISTENING) || any_in_way(d, C_STOPPED))
		return fmt("a listening socket blocks every bind of its port on an overlapping address, SO_REUSEADDR or not");
	if (any_in_way(d, C_TIME_WAIT) && !any_in_way(d, C_BOUND) &&
	    !any_in_way(d, C_ESTABLISHED))
		return fmt("the old server never set SO_REUSEADDR, so its TIME_WAIT sockets block even a server that sets it, for %u s more", secs);
	if (any_in_way(d, C_UDP))
		return fmt("the UDP socket holding the port did not set SO_REUSEADDR; both sockets need it");
	return fmt("the socket in the way did not set SO_REUSEADDR; both sockets need it");
}

static char *reuseport_why(const struct wb_diagnosis *d, const struct wb_sock *s)
{
	char *who, *out;

	if (d->reuseport_ok == WB_UNKNOWN)
		return NULL;
	if (d->reuseport_ok == WB_NO) {
		if (conflict_group_full(&d->req, d->socks.v, d->socks.n))
			return fmt("the SO_REUSEPORT group on that address is full: the kernel admits %u sockets to one group",
				   WB_REUSEPORT_GROUP_MAX);
		if (s && s->reuseport == WB_YES && s->uid != d->req.uid)
			return fmt("SO_REUSEPORT is set, but the socket belongs to uid %u: a reuseport group only admits the same user", s->uid);
		return fmt("the socket in the way did not set SO_REUSEPORT; both sockets need it, under the same user");
	}
	who = s ? holder_text(s) : fmt("the socket in the way");
	out = fmt("both would set SO_REUSEPORT, under the same user; the new server would then share the port's traffic with %s", who);
	free(who);
	return out;
}

static void fixes_stopped(struct wb_verdict *v, const struct wb_sock *s,
			  const char *pids)
{
	const struct wb_owner *o = &s->owners[0];
	char *leader = wb_escape_str(o->leader_comm[0] ? o->leader_comm : "the shell",
				     WB_ESC_TERM);

	/* SIGCONT does not end a ptrace stop: the debugger must let go. */
	if (o->state == 't' && o->tracer > 0) {
		char *tracer = wb_escape_str(o->tracer_comm[0] ? o->tracer_comm : "a tracer",
					     WB_ESC_TERM);

		add_fix(v, "resume-process",
			fmt("the process is held by a debugger (%s, tracer pid %d): detach it, or end the debugger, then resume the process",
			    tracer, o->tracer), fmt("kill %d; kill -CONT %s", o->tracer, pids));
		free(tracer);
	} else if (o->state == 't') {
		add_fix(v, "resume-process",
			fmt("the process is held in a ptrace stop: detach its debugger, then resume it"),
			fmt("kill -CONT %s", pids));
	} else if (o->tty[0]) {
		add_fix(v, "resume-process",
			fmt("resume the job stopped with Ctrl+Z: run `fg` in %s (pid %d) on %s, or send it SIGCONT",
			    leader, o->sid, o->tty),
			fmt("kill -CONT %s", pids));
	} else {
		add_fix(v, "resume-process",
			fmt("resume the stopped process (it was sent SIGSTOP)"),
			fmt("kill -CONT %s", pids));
	}
	add_fix(v, "stop-process", fmt("or end it (it exits once resumed)"),
		fmt("kill %s; kill -CONT %s", pids, pids));
	free(leader);
}

/* "systemctl stop UNIT"; a user unit through its user's manager (-M
 * USER@ when whybind runs as someone else, as root usually does). */
static char *systemctl_stop(const struct wb_owner *o, uid_t caller)
{
	char *unit = wb_escape_str(o->unit, WB_ESC_SHELL), *user, *out;
	const char *dashes = o->unit[0] == '-' ? "-- " : "";

	if (!o->user_unit) {
		out = fmt("systemctl stop %s%s", dashes, unit);
	} else if (o->uid == caller || !o->unit_user[0]) {
		out = fmt("systemctl --user stop %s%s", dashes, unit);
	} else {
		user = wb_escape_str(o->unit_user, WB_ESC_SHELL);
		out = fmt("systemctl --user -M %s@ stop %s%s", user, dashes, unit);
		free(user);
	}
	free(unit);
	return out;
}

/* The holder's manager stops it properly: systemd, a container runtime. */
static void fixes_manager(struct wb_verdict *v, const struct wb_sock *s,
			  uid_t caller)
{
	static const struct { const char *runtime, *stop; } runtimes[] = {
		{ "docker", "docker stop" }, { "podman", "podman stop" },
		{ "containerd", "crictl stop" }, { "cri-o", "crictl stop" },
		{ "lxc", "lxc-stop -n" },
	};
	const struct wb_owner *o = &s->owners[0];
	char *name;

	for (size_t i = 0; o->runtime[0] && i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		if (strcmp(o->runtime, runtimes[i].runtime))
			continue;
		name = wb_escape_str(o->container, WB_ESC_SHELL);
		add_fix(v, "stop-container",
			fmt("stop the %s container %s that runs it", o->runtime, name),
			fmt("%s %s", runtimes[i].stop, name));
		free(name);
		return;
	}
	if (strlen(o->unit) > 8 && !strcmp(o->unit + strlen(o->unit) - 8, ".service")) {
		name = wb_escape_str(o->unit, WB_ESC_TERM);
		add_fix(v, "stop-unit", fmt("stop the systemd %sunit %s that runs it",
					    o->user_unit ? "user " : "", name),
			systemctl_stop(o, caller));
		free(name);
	}
}

static void fixes_in_use(struct wb_diagnosis *d, enum cause c,
			 const struct wb_sock *s)
{
	struct wb_verdict *v = &d->verdict;
	unsigned secs = (time_wait_left_ms(d) + 999) / 1000;
	char *pids = pid_list(d, c);

	if (c == C_STOPPED && pids)
		fixes_stopped(v, s, pids);
	if (d->reuseaddr_ok == WB_YES && c == C_UDP)
		add_fix(v, "set-reuseaddr",
			fmt("set SO_REUSEADDR on the server's socket before bind(); beware: the newer UDP socket then takes the port's unicast datagrams from the old one"),
			NULL);
	else if (d->reuseaddr_ok == WB_YES)
		add_fix(v, "set-reuseaddr",
			fmt("set SO_REUSEADDR on the server's socket before bind()"), NULL);
	if (d->reuseport_ok == WB_YES && c != C_STOPPED)
		add_fix(v, "set-reuseport",
			fmt("set SO_REUSEPORT on the server's socket (same user as the holder): the two servers would share the traffic"),
			NULL);
	if (c == C_TIME_WAIT) {
		add_fix(v, "wait", fmt("wait %u s for the TIME_WAIT sockets to expire", secs),
			fmt("sleep %u", secs));
		add_fix(v, "fix-time-wait",
			fmt("destroy the TIME_WAIT sockets now (root, CONFIG_INET_DIAG_DESTROY)"),
			fmt("ss -K state time-wait '( sport = :%u )'", d->req.port));
		if (d->reuseaddr_ok == WB_NO && !d->req.reuseaddr)
			add_fix(v, "set-reuseaddr",
				fmt("set SO_REUSEADDR in the server, so that its own TIME_WAIT sockets do not block its next start"),
				NULL);
	} else if (c != C_STOPPED && pids) {
		char *who = holder_text(s);

		fixes_manager(v, s, d->req.uid);
		add_fix(v, "stop-process", fmt("stop %s", who), fmt("kill %s", pids));
		free(who);
	}
	add_fix(v, "other-port", fmt("or use another port"), NULL);
	free(pids);
}

static char *summary_in_use(const struct wb_diagnosis *d, enum cause c,
			    const struct wb_sock *s)
{
	char addr[WB_ADDRSTRLEN], *who = holder_text(s), *out;
	unsigned secs = (time_wait_left_ms(d) + 999) / 1000;

	addr_str(&s->local, addr, sizeof(addr));
	switch (c) {
	case C_STOPPED:
		if (s->owners[0].state == 't') {
			out = fmt("%s holds port %u but is stopped under a debugger (ptrace): it keeps the port until the debugger lets it go",
				  who, d->req.port);
			break;
		}
		out = fmt("%s holds port %u but is stopped (Ctrl+Z or SIGSTOP): it keeps the port until it is resumed or ended",
			  who, d->req.port);
		break;
	case C_LISTENING:
		out = fmt("%s is listening on %s port %u", who, addr, s->lport);
		break;
	case C_BOUND:
		out = fmt("%s has a socket bound to %s port %u that neither listens nor connects",
			  who, addr, s->lport);
		break;
	case C_ESTABLISHED:
		out = fmt("%s holds a %s connection on port %u", who,
			  sock_state_name(s), s->lport);
		break;
	case C_UDP:
		out = fmt("%s has a UDP socket bound to %s port %u", who, addr, s->lport);
		break;
	default:
		out = fmt("TIME_WAIT sockets left by a closed connection hold port %u for %u s more",
			  d->req.port, secs);
		break;
	}
	free(who);
	return out;
}

static void verdict_in_use(struct wb_diagnosis *d)
{
	struct wb_verdict *v = &d->verdict;
	enum cause c;
	const struct wb_sock *s = main_sock(d, &c);
	unsigned secs = (time_wait_left_ms(d) + 999) / 1000;

	v->reuseaddr_why = reuseaddr_why(d, secs);
	v->reuseport_why = reuseport_why(d, s);
	if (!s) {
		v->cause = "other";
		v->summary = d->info.bound_inactive || d->req.protocol == IPPROTO_UDP
			? fmt("the port is in use, but no conflicting socket is left: it may have been freed since")
			: fmt("no conflicting socket is visible: this kernel cannot list sockets that are bound but neither listen nor connect, the likely holder");
		add_fix(v, "other-port", fmt("try again, or use another port"), NULL);
		return;
	}
	v->cause = cause_names[c];
	v->summary = summary_in_use(d, c, s);
	fixes_in_use(d, c, s);
}

/* EACCES on an inet port: below the threshold, or a policy. */
static void verdict_permission(struct wb_diagnosis *d)
{
	struct wb_verdict *v = &d->verdict;
	unsigned port = d->req.port;
	int start = d->port_start;

	v->cause = "permission";
	if (start >= 0 && port >= (unsigned)start) {
		v->summary = fmt("port %u is not below net.ipv4.ip_unprivileged_port_start (%d), so a security policy refused the bind: an LSM (SELinux, AppArmor) or a cgroup BPF program",
				 port, start);
		add_fix(v, "check-policy", fmt("look for the denial in the kernel log"),
			fmt("journalctl -k -g 'denied|avc'"));
		return;
	}
	if (start >= 0)
		v->summary = fmt("port %u is below net.ipv4.ip_unprivileged_port_start (%d) in this network namespace: binding it needs CAP_NET_BIND_SERVICE, which uid %u lacks",
				 port, start, (unsigned)d->req.uid);
	else
		v->summary = fmt("port %u needs CAP_NET_BIND_SERVICE, which uid %u lacks",
				 port, (unsigned)d->req.uid);
	add_fix(v, "grant-capability",
		fmt("give the server's binary the capability (no other privilege)"),
		fmt("setcap cap_net_bind_service=+ep /path/to/server"));
	add_fix(v, "grant-capability",
		fmt("or, for a systemd service, add AmbientCapabilities=CAP_NET_BIND_SERVICE to its [Service] section"),
		NULL);
	add_fix(v, "lower-threshold",
		fmt("or let every user bind ports from %u up in this network namespace", port),
		fmt("sysctl -w net.ipv4.ip_unprivileged_port_start=%u", port));
	if (start > 0)
		add_fix(v, "other-port", fmt("or use a port of %d or above", start), NULL);
	else
		add_fix(v, "other-port", fmt("or use a port above 1023"), NULL);
}

static const struct wb_host_addr *find_host_addr(const struct wb_diagnosis *d)
{
	for (size_t i = 0; i < d->n_host_addrs; i++) {
		const struct wb_addr *a = &d->host_addrs[i].addr;

		if (a->family == d->req.addr.family &&
		    (a->family == AF_INET ? a->u.v4.s_addr == d->req.addr.u.v4.s_addr
		     : !memcmp(&a->u.v6, &d->req.addr.u.v6, sizeof(a->u.v6))))
			return &d->host_addrs[i];
	}
	return NULL;
}

/* "127.0.0.1 (lo), 10.0.0.2 (eth0)" */
static char *host_addr_list(const struct wb_diagnosis *d)
{
	char *list = fmt("%s", "");

	for (size_t i = 0; i < d->n_host_addrs && i < 16; i++) {
		char addr[WB_ADDRSTRLEN], *dev, *more;

		addr_str(&d->host_addrs[i].addr, addr, sizeof(addr));
		dev = wb_escape_str(d->host_addrs[i].ifname, WB_ESC_TERM);
		more = fmt("%s%s%s (%s)", list, i ? ", " : "", addr, dev);
		free(dev);
		free(list);
		list = more;
	}
	return list;
}

/* EADDRNOTAVAIL: the address is not here (or not ready, or the wrong
 * family for the socket). */
static void verdict_unavailable(struct wb_diagnosis *d)
{
	struct wb_verdict *v = &d->verdict;
	bool v6 = d->req.addr.family == AF_INET6;
	const struct wb_host_addr *here = find_host_addr(d);
	const char *ip = v6 ? "ipv6" : "ipv4";
	char addr[WB_ADDRSTRLEN], *list, *dev;

	v->cause = "address-unavailable";
	addr_str(&d->req.addr, addr, sizeof(addr));
	if (v6 && IN6_IS_ADDR_V4MAPPED(&d->req.addr.u.v6)) {
		v->summary = fmt("%s is an IPv4 address written as IPv6 (v4-mapped), and no IPv4 address of this namespace matches it", addr);
		add_fix(v, "other-address",
			fmt("bind the IPv4 address with an IPv4 socket, or [::] dual-stack for every address"),
			NULL);
		return;
	}
	if (here && here->tentative) {
		dev = wb_escape_str(here->ifname, WB_ESC_SHELL);
		v->summary = fmt("%s is on %s but still tentative: IPv6 duplicate address detection has not finished (or found a duplicate)",
				 addr, here->ifname);
		add_fix(v, "wait", fmt("wait a few seconds for duplicate address detection, then start the server"),
			fmt("ip -6 addr show dev %s tentative", dev));
		add_fix(v, "allow-nonlocal-bind",
			fmt("or let the server bind addresses not (yet) ready: IP_FREEBIND on its socket, or the sysctl"),
			fmt("sysctl -w net.ipv6.ip_nonlocal_bind=1"));
		free(dev);
		return;
	}
	list = host_addr_list(d);
	v->summary = d->n_host_addrs
		? fmt("%s is on no interface of this network namespace; its %s addresses: %s",
		      addr, v6 ? "IPv6" : "IPv4", list)
		: fmt("%s is on no interface of this network namespace, which has no %s address at all",
		      addr, v6 ? "IPv6" : "IPv4");
	free(list);
	add_fix(v, "add-address", fmt("add the address to an interface (DEV: the one it belongs on)"),
		fmt("ip addr add %s/%u dev DEV", addr, v6 ? 128 : 32));
	add_fix(v, "allow-nonlocal-bind",
		fmt("or let the server bind an address this host does not have (yet): IP_FREEBIND on its socket, or the sysctl"),
		fmt("sysctl -w net.%s.ip_nonlocal_bind=1", ip));
	add_fix(v, "other-address",
		fmt("or bind the wildcard (%s) to accept on every address", v6 ? "[::]" : "0.0.0.0"),
		NULL);
}

static void verdict_other_error(struct wb_diagnosis *d)
{
	struct wb_verdict *v = &d->verdict;
	const char *name = strerrorname_np(d->err);

	if (d->err == EACCES) {
		verdict_permission(d);
	} else if (d->err == EADDRNOTAVAIL) {
		verdict_unavailable(d);
	} else if (d->err == EINVAL && d->req.addr.family == AF_INET6 &&
		   IN6_IS_ADDR_LINKLOCAL(&d->req.addr.u.v6) && !d->req.addr.scope_id) {
		char addr[WB_ADDRSTRLEN];

		addr_str(&d->req.addr, addr, sizeof(addr));
		v->cause = "other";
		v->summary = fmt("bind() failed with EINVAL: %s is link-local, and a link-local address needs its device (zone)",
				 addr);
		add_fix(v, "other-address", fmt("name the device in the address, as [%s%%DEV]:%u", addr,
						d->req.port), NULL);
	} else {
		v->cause = "other";
		v->summary = fmt("bind() failed with %s: %s", name ? name : "an unknown error",
				 strerror(d->err));
	}
}

/* ---- AF_UNIX ---- */

int unix_expected_errno(const struct wb_diagnosis *d)
{
	const struct wb_unix_file *f = &d->file;

	if (d->req.target.abstract)
		return d->ok == WB_NO ? EADDRINUSE : 0;
	if (!d->file_known)
		return 0;
	if (f->exists)
		return EADDRINUSE;
	if (!f->parent_exists)
		return f->parent_error ? f->parent_error : ENOENT;
	return f->parent_writable ? 0 : EACCES;
}

/* "/run/app.sock" or "@name", escaped for the terminal. */
static char *unix_name_text(const struct wb_request *r)
{
	char *name = wb_escape(r->target.name, r->target.len, WB_ESC_TERM);
	char *out = fmt("%s%s", r->target.abstract ? "@" : "", name);

	free(name);
	return out;
}

static const struct wb_sock *unix_holder(const struct wb_diagnosis *d)
{
	const struct wb_sock *best = NULL;

	for (size_t i = 0; i < d->socks.n; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		if (!in_way(s))
			continue;
		if (!best || (sock_held_stopped(s) && !sock_held_stopped(best)))
			best = s;
	}
	return best;
}

static void unix_live(struct wb_diagnosis *d, const struct wb_sock *s,
		      const char *name)
{
	struct wb_verdict *v = &d->verdict;
	char *who = holder_text(s), *pids = NULL;
	const char *state = s->state == WB_TCP_LISTEN ? "listening"
			  : s->state == WB_TCP_ESTABLISHED ? "connected" : "not connected";

	v->cause = "unix-live";
	v->summary = fmt("%s holds %s: a live %s socket (%s) is bound to it%s",
			 who, name, unix_type_name(s->type), state,
			 d->req.target.abstract ? "" : "; the file is in use, never remove it");
	for (size_t j = 0; j < s->n_owners; j++) {
		char *more = fmt("%s%s%d", pids ? pids : "", pids ? " " : "", s->owners[j].pid);

		free(pids);
		pids = more;
	}
	if (pids && sock_held_stopped(s)) {
		fixes_stopped(v, s, pids);
	} else if (pids) {
		fixes_manager(v, s, d->req.uid);
		add_fix(v, "stop-process", fmt("stop %s, if it is an old instance of the server", who),
			fmt("kill %s", pids));
	}
	add_fix(v, "other-path", fmt("or give the new server another %s",
				     d->req.target.abstract ? "name" : "path"), NULL);
	free(pids);
	free(who);
}

static void unix_in_use(struct wb_diagnosis *d, const char *name)
{
	struct wb_verdict *v = &d->verdict;
	const struct wb_unix_file *f = &d->file;
	const struct wb_sock *s = unix_holder(d);
	char *quoted;

	if (s) {
		unix_live(d, s, name);
		return;
	}
	if (d->req.target.abstract) {
		v->cause = "other";
		v->summary = fmt("a socket holds %s, but it is gone now or could not be seen", name);
		add_fix(v, "other-path", fmt("try again, or use another name"), NULL);
		return;
	}
	quoted = wb_escape_str(d->req.target.name, WB_ESC_SHELL);
	if (d->file_known && f->exists && !f->is_socket) {
		v->cause = "unix-not-socket";
		v->summary = fmt("%s is a %s, not a socket: bind() never replaces an existing file, and this one is not stale: it is not a socket at all",
				 name, f->type_name);
		add_fix(v, "inspect-path", fmt("look at what it is; remove or move it only if you know nothing needs it"),
			fmt("ls -ld -- %s", quoted));
		add_fix(v, "other-path", fmt("or give the server another socket path"), NULL);
	} else if (d->file_known && f->exists) {
		v->cause = "unix-stale";
		v->summary = fmt("%s is a stale socket file: no live socket in this network namespace is bound to it (its server exited without removing it); it is safe to remove",
				 name);
		add_fix(v, "remove-stale-socket",
			fmt("remove the stale file (or run whybind --fix), then start the server"),
			fmt("rm -- %s", quoted));
		add_fix(v, "unlink-before-bind",
			fmt("make the server remove its stale socket file before bind() (systemd: RuntimeDirectory= starts it clean)"),
			NULL);
	} else {
		v->cause = "other";
		v->summary = fmt("%s was in use when probed, and is gone now", name);
		add_fix(v, "other-path", fmt("try again"), NULL);
	}
	free(quoted);
}

static void verdict_unix(struct wb_diagnosis *d, int err)
{
	struct wb_verdict *v = &d->verdict;
	const struct wb_unix_file *f = &d->file;
	char *name = unix_name_text(&d->req), *dir, *quoted;
	const char *who = d->req.user_given ? d->req.user : NULL;

	if (d->ok == WB_YES) {
		v->cause = "free";
		v->summary = d->req.target.abstract
			? fmt("the bind would succeed: no socket holds %s", name)
			: fmt("the bind would succeed: nothing is at %s", name);
	} else if (err == EADDRINUSE) {
		unix_in_use(d, name);
	} else if (err == ENOENT || (err == ENOTDIR && !f->parent_exists)) {
		dir = wb_escape_str(f->parent, WB_ESC_TERM);
		quoted = wb_escape_str(f->parent, WB_ESC_SHELL);
		v->cause = "unix-no-directory";
		v->summary = fmt("the directory %s does not exist (bind() creates the socket file, never its directory)", dir);
		add_fix(v, "create-directory", fmt("create it, owned by the server's user (systemd: RuntimeDirectory=)"),
			fmt("mkdir -p -- %s", quoted));
		free(dir);
		free(quoted);
	} else if (err == EACCES) {
		dir = wb_escape_str(f->parent, WB_ESC_TERM);
		quoted = wb_escape_str(f->parent, WB_ESC_SHELL);
		v->cause = "permission";
		v->summary = who
			? fmt("%s (uid %u) may not create a file in %s: it needs write and search permission on the directory",
			      who, (unsigned)d->req.uid, dir)
			: fmt("uid %u may not create a file in %s: it needs write and search permission on the directory",
			      (unsigned)d->req.uid, dir);
		add_fix(v, "grant-permission", fmt("let the server's user create files there"),
			fmt("setfacl -m u:%u:wx -- %s", (unsigned)d->req.uid, quoted));
		add_fix(v, "other-path", fmt("or give the server a directory of its own (systemd: RuntimeDirectory=)"),
			NULL);
		free(dir);
		free(quoted);
	} else if (err) {
		verdict_other_error(d);
	} else {
		v->cause = "other";
		v->summary = fmt("what is at %s could not be read", name);
	}
	free(name);
}

/* A UDP bind that succeeds next to a live UDP socket (both set the
 * option) changes where that socket's datagrams go: say so. */
static char *summary_free(struct wb_diagnosis *d)
{
	const struct wb_sock *s = NULL;
	const char *why;
	char addr[WB_ADDRSTRLEN], *who, *out;

	for (size_t i = 0; i < d->socks.n && !s && d->req.protocol == IPPROTO_UDP; i++)
		if (d->socks.v[i].protocol == IPPROTO_UDP &&
		    conflict_overlap(&d->req, &d->socks.v[i], &why) != WB_NO)
			s = &d->socks.v[i];
	if (!s)
		return fmt("the bind would succeed: nothing holds port %u", d->req.port);
	d->verdict.takes_udp = true;
	who = holder_text(s);
	addr_str(&s->local, addr, sizeof(addr));
	if (d->req.reuseport && s->reuseport == WB_YES)
		out = fmt("the bind would succeed: it would join the SO_REUSEPORT group of %s on %s port %u and share the port's datagrams with it",
			  who, addr, s->lport);
	else
		out = fmt("the bind would succeed next to the UDP socket of %s on %s port %u, and the newer socket takes the port's unicast datagrams: %s would stop receiving them",
			  who, addr, s->lport, who);
	free(who);
	return out;
}

void verdict_make(struct wb_diagnosis *d)
{
	struct wb_verdict *v = &d->verdict;

	memset(v, 0, sizeof(*v));
	v->reuseaddr_fixes = d->ok == WB_YES ? WB_UNKNOWN : d->reuseaddr_ok;
	v->reuseport_fixes = d->ok == WB_YES ? WB_UNKNOWN : d->reuseport_ok;
	if (d->req.addr.family == AF_UNIX) {
		verdict_unix(d, d->probed ? d->err : unix_expected_errno(d));
	} else if (d->ok == WB_YES) {
		v->cause = "free";
		v->summary = summary_free(d);
	} else if (d->err == EADDRINUSE || !d->probed) {
		verdict_in_use(d);
	} else {
		verdict_other_error(d);
	}
}

void verdict_free(struct wb_verdict *v)
{
	for (size_t i = 0; i < v->n_fixes; i++) {
		free(v->fixes[i].text);
		free(v->fixes[i].command);
	}
	free(v->summary);
	free(v->reuseaddr_why);
	free(v->reuseport_why);
	memset(v, 0, sizeof(*v));
}
