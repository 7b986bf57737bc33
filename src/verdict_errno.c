// SPDX-License-Identifier: GPL-2.0-or-later
/* verdict_errno: the bind errors other than EADDRINUSE: EACCES on an
 * inet port, EADDRNOTAVAIL, a link-local address without its zone, and
 * any other errno by its name. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "request.h"
#include "verdict_impl.h"

/* The host addresses host_addr_list names at most. */
#define HOST_ADDRS_SHOWN	16

/* EACCES on an inet port: below the threshold, or a policy. */
static void verdict_permission(const struct wb_diagnosis *d, struct wb_verdict *v)
{
	unsigned port = d->req.port;
	int start = d->facts.port_start;

	verdict_set_cause(v, WB_CAUSE_PERMISSION);
	if (start >= 0 && port >= (unsigned)start) {
		v->summary = xasprintf("port %u is not below net.ipv4.ip_unprivileged_port_start (%d), so a security policy refused the bind: an LSM (SELinux, AppArmor) or a cgroup BPF program",
				       port, start);
		verdict_add_fix(v, "check-policy", xstrdup("look for the denial in the kernel log"),
				xstrdup("journalctl -k -g 'denied|avc'"));
		return;
	}
	if (start >= 0)
		v->summary = xasprintf("port %u is below net.ipv4.ip_unprivileged_port_start (%d) in this network namespace: binding it needs CAP_NET_BIND_SERVICE, which uid %u lacks",
				       port, start, (unsigned)d->req.uid);
	else
		v->summary = xasprintf("port %u needs CAP_NET_BIND_SERVICE, which uid %u lacks",
				       port, (unsigned)d->req.uid);
	verdict_add_fix(v, "grant-capability",
		xstrdup("give the server's binary the capability (no other privilege)"),
		xstrdup("setcap cap_net_bind_service=+ep /path/to/server"));
	verdict_add_fix(v, "grant-capability",
		xstrdup("or, for a systemd service, add AmbientCapabilities=CAP_NET_BIND_SERVICE to its [Service] section"),
		NULL);
	verdict_add_fix(v, "lower-threshold",
		xasprintf("or let every user bind ports from %u up in this network namespace", port),
		xasprintf("sysctl -w net.ipv4.ip_unprivileged_port_start=%u", port));
	if (start > 0)
		verdict_add_fix(v, "other-port", xasprintf("or use a port of %d or above", start), NULL);
	else
		verdict_add_fix(v, "other-port", xstrdup("or use a port above 1023"), NULL);
}

static const struct wb_host_addr *find_host_addr(const struct wb_diagnosis *d)
{
	for (size_t i = 0; i < d->facts.n_host_addrs; i++) {
		const struct wb_addr *a = &d->facts.host_addrs[i].addr;

		if (a->family == d->req.addr.family &&
		    (a->family == AF_INET ? a->u.v4.s_addr == d->req.addr.u.v4.s_addr
		     : !memcmp(&a->u.v6, &d->req.addr.u.v6, sizeof(a->u.v6))))
			return &d->facts.host_addrs[i];
	}
	return NULL;
}

/* "127.0.0.1 (lo), 10.0.0.2 (eth0)" */
static char *host_addr_list(const struct wb_diagnosis *d)
{
	struct wb_strbuf b = { 0 };

	for (size_t i = 0; i < d->facts.n_host_addrs && i < HOST_ADDRS_SHOWN; i++) {
		char addr[WB_ADDRSTRLEN], *dev;

		addr_str(&d->facts.host_addrs[i].addr, addr, sizeof(addr));
		dev = wb_escape_str(d->facts.host_addrs[i].ifname, WB_ESC_TERM);
		strbuf_printf(&b, "%s%s (%s)", i ? ", " : "", addr, dev);
		free(dev);
	}
	return strbuf_steal(&b);
}

static void unavailable_tentative(const struct wb_host_addr *here, const char *addr,
				  struct wb_verdict *v)
{
	char *dev = wb_escape_str(here->ifname, WB_ESC_SHELL);

	v->summary = xasprintf("%s is on %s but still tentative: IPv6 duplicate address detection has not finished (or found a duplicate)",
			       addr, here->ifname);
	verdict_add_fix(v, "wait", xstrdup("wait a few seconds for duplicate address detection, then start the server"),
			xasprintf("ip -6 addr show dev %s tentative", dev));
	verdict_add_fix(v, "allow-nonlocal-bind",
		xstrdup("or let the server bind addresses not (yet) ready: IP_FREEBIND on its socket, or the sysctl"),
		xstrdup("sysctl -w net.ipv6.ip_nonlocal_bind=1"));
	free(dev);
}

static void unavailable_absent(const struct wb_diagnosis *d, const char *addr,
			       struct wb_verdict *v)
{
	bool v6 = d->req.addr.family == AF_INET6;
	char *list = host_addr_list(d);

	v->summary = d->facts.n_host_addrs
		? xasprintf("%s is on no interface of this network namespace; its %s addresses: %s",
			    addr, v6 ? "IPv6" : "IPv4", list)
		: xasprintf("%s is on no interface of this network namespace, which has no %s address at all",
			    addr, v6 ? "IPv6" : "IPv4");
	free(list);
	verdict_add_fix(v, "add-address", xstrdup("add the address to an interface (DEV: the one it belongs on)"),
			xasprintf("ip addr add %s/%u dev DEV", addr, v6 ? 128 : 32));
	verdict_add_fix(v, "allow-nonlocal-bind",
		xstrdup("or let the server bind an address this host does not have (yet): IP_FREEBIND on its socket, or the sysctl"),
		xasprintf("sysctl -w net.%s.ip_nonlocal_bind=1", v6 ? "ipv6" : "ipv4"));
	verdict_add_fix(v, "other-address",
		xasprintf("or bind the wildcard (%s) to accept on every address", v6 ? "[::]" : "0.0.0.0"),
		NULL);
}

/* EADDRNOTAVAIL: the address is not here (or not ready, or the wrong
 * family for the socket). */
static void verdict_unavailable(const struct wb_diagnosis *d, struct wb_verdict *v)
{
	const struct wb_host_addr *here = find_host_addr(d);
	char addr[WB_ADDRSTRLEN];

	verdict_set_cause(v, WB_CAUSE_ADDRESS_UNAVAILABLE);
	addr_str(&d->req.addr, addr, sizeof(addr));
	if (d->req.addr.family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&d->req.addr.u.v6)) {
		v->summary = xasprintf("%s is an IPv4 address written as IPv6 (v4-mapped), and no IPv4 address of this namespace matches it", addr);
		verdict_add_fix(v, "other-address",
			xstrdup("bind the IPv4 address with an IPv4 socket, or [::] dual-stack for every address"),
			NULL);
	} else if (here && here->tentative) {
		unavailable_tentative(here, addr, v);
	} else {
		unavailable_absent(d, addr, v);
	}
}

/* EINVAL on a link-local IPv6 address without its device. */
static bool no_zone(const struct wb_diagnosis *d)
{
	return d->probe.err == EINVAL && d->req.addr.family == AF_INET6 &&
	       IN6_IS_ADDR_LINKLOCAL(&d->req.addr.u.v6) && !d->req.addr.scope_id;
}

void verdict_other_error(const struct wb_diagnosis *d, struct wb_verdict *v)
{
	const char *name = strerrorname_np(d->probe.err);

	if (d->probe.err == EACCES) {
		verdict_permission(d, v);
	} else if (d->probe.err == EADDRNOTAVAIL) {
		verdict_unavailable(d, v);
	} else if (no_zone(d)) {
		char addr[WB_ADDRSTRLEN];

		addr_str(&d->req.addr, addr, sizeof(addr));
		verdict_set_cause(v, WB_CAUSE_OTHER);
		v->summary = xasprintf("bind() failed with EINVAL: %s is link-local, and a link-local address needs its device (zone)",
				       addr);
		verdict_add_fix(v, "other-address", xasprintf("name the device in the address, as [%s%%DEV]:%u",
							      addr, d->req.port), NULL);
	} else {
		verdict_set_cause(v, WB_CAUSE_OTHER);
		v->summary = xasprintf("bind() failed with %s: %s", name ? name : "an unknown error",
				       strerror(d->probe.err));
	}
}
