/* diagnose: one bind, start to verdict: probe, list the port's sockets,
 * keep the conflicts, find their owners, try SO_REUSE*, judge. */
#include "config.h"
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "conflict.h"
#include "diag.h"
#include "diagnose.h"
#include "origin.h"
#include "owners.h"
#include "probe.h"
#include "unix.h"

/* The same bind with one more option, for "would SO_REUSE* fix it". */
static struct wb_request with_flag(const struct wb_request *req, bool port)
{
	struct wb_request r = *req;

	if (port)
		r.reuseport = true;
	else
		r.reuseaddr = true;
	return r;
}

static int ok_of_prediction(int blocks)
{
	return blocks == WB_UNKNOWN ? WB_UNKNOWN : !blocks;
}

/* A live UDP socket on an overlapping address would start receiving our
 * probe's datagrams if we joined it with SO_REUSE*: never probe then. */
static bool live_udp_overlap(const struct wb_diagnosis *d)
{
	const char *why;

	if (d->req.protocol != IPPROTO_UDP)
		return false;
	for (size_t i = 0; i < d->socks.n; i++)
		if (conflict_overlap(&d->req, &d->socks.v[i], &why) != WB_NO)
			return true;
	return false;
}

/* The rules' answer, where no probe may be made.  A TCP socket that is
 * only bound is invisible on kernels before v6.7: no "free" then. */
static int predict(const struct wb_diagnosis *d)
{
	int ok = ok_of_prediction(conflict_predict(&d->req, d->socks.v, d->socks.n));

	if (ok == WB_YES && d->req.protocol == IPPROTO_TCP && !d->info.bound_inactive)
		return WB_UNKNOWN;
	return ok;
}

/* Many sockets, few processes: a process's origin is read once, then
 * copied to its other sockets' owners. */
#define ORIGIN_CACHE 64

static void read_origin(struct wb_owner *o, const struct wb_owner **cache)
{
	const struct wb_owner **slot = &cache[(unsigned)o->pid % ORIGIN_CACHE];

	if (*slot && (*slot)->pid == o->pid &&
	    (*slot)->start_time == o->start_time) {
		o->origin = (*slot)->origin;
		return;
	}
	origin_read(o);
	*slot = o;
}

/* WHYBIND_OWNERS=bpf asked for what could not be done: say why. */
static void say_owners_fallback(const struct wb_owners_how *how)
{
	if (how->bpf_pidns)
		fprintf(stderr, "whybind: WHYBIND_OWNERS=bpf: in a pid namespace of its own the BPF iterator's pids are not /proc's; walking /proc\n");
	else if (how->bpf_err)
		fprintf(stderr, "whybind: WHYBIND_OWNERS=bpf: the BPF iterator cannot be used (%s); walking /proc\n",
			strerror(-how->bpf_err));
}

/* The dumped sockets: their owners, and whether each is in the way.
 * The details (options, origin) only for those that can be, and the
 * options of those whose options the rules use. */
static int judge_sockets(struct wb_diagnosis *d, struct wb_owner_walk *walk)
{
	const struct wb_owner *cache[ORIGIN_CACHE] = { 0 };
	struct wb_owners_how how;
	int rc;

	d->dumped = true;
	rc = owners_find(walk, d->socks.v, d->socks.n, &how);
	d->owner_lookup = how.method;
	say_owners_fallback(&how);
	for (size_t i = 0; i < d->socks.n; i++) {
		struct wb_sock *s = &d->socks.v[i];
		const char *why;
		bool overlaps = conflict_overlap(&d->req, s, &why) != WB_NO;

		if (s->family != AF_UNIX &&
		    (overlaps || conflict_options_matter(&d->req, s)))
			owners_read_sockopts(s);
		if (overlaps)
			for (size_t j = 0; j < s->n_owners; j++)
				read_origin(&s->owners[j], cache);
		s->blocks = conflict_blocks(&d->req, s, &s->why);
	}
	conflict_mark_full_group(&d->req, d->socks.v, d->socks.n);
	return rc;
}

static int list_sockets(struct wb_diagnosis *d, bool verbose)
{
	struct wb_owner_walk *walk = owners_open();
	int rc;

	d->info.start_walk = walk;	/* the holders' walk, meanwhile */
	rc = diag_dump_port(d->req.protocol, d->req.port, &d->socks, &d->info);
	if (rc == 0 && verbose)
		rc = diag_dump_port(d->req.protocol == IPPROTO_UDP ? IPPROTO_TCP
			: IPPROTO_UDP, d->req.port, &d->socks, &d->info);
	d->info.start_walk = NULL;
	if (rc == 0)
		rc = judge_sockets(d, walk);
	owners_close(walk);	/* a walk the dump made useless is dropped */
	return rc;
}

static int try_bind(const struct wb_request *req, int *ok, int *err)
{
	int rc = probe_bind(req);

	if (rc < 0)
		return rc;
	if (err)
		*err = rc;
	*ok = rc ? WB_NO : WB_YES;
	return 0;
}

/* Would the bind succeed with SO_REUSEADDR, or SO_REUSEPORT, added? */
static int try_reuse(struct wb_diagnosis *d)
{
	bool rules = live_udp_overlap(d);
	int rc = 0;

	for (int port = 0; port <= 1 && rc == 0; port++) {
		struct wb_request r = with_flag(&d->req, port);
		int *ok = port ? &d->reuseport_ok : &d->reuseaddr_ok;

		if (port ? d->req.reuseport : d->req.reuseaddr)
			*ok = d->ok;
		else if (!d->probed && !rules)
			continue;	/* --no-probe: null, as promised */
		else if (rules)
			*ok = ok_of_prediction(conflict_predict(&r, d->socks.v, d->socks.n));
		else
			rc = try_bind(&r, ok, NULL);
	}
	return rc;
}

/* The live sockets bound to an AF_UNIX path or name, and their owners. */
static int list_unix(struct wb_diagnosis *d)
{
	int rc = unix_dump_bound(&d->req.target, d->file_known ? &d->file : NULL,
				 &d->socks);
	struct wb_owner_walk *walk;

	if (rc < 0)
		return rc;
	walk = owners_open();
	rc = judge_sockets(d, walk);
	owners_close(walk);
	return rc;
}

/* Under --exec a process of ours shows as traced-stopped only because we
 * hold it at a bind: it is running, not a stopped job. */
static void judge(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	if (o->tracing)
		origin_unhold(d->socks.v, d->socks.n, getpid());
	verdict_make(d);
}

static int diagnose_unix(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	int rc;

	if (!d->req.target.abstract) {
		rc = unix_inspect_path(d->req.target.name, &d->file);
		d->file_known = rc == 0 || d->file.exists || d->file.error;
	}
	if (o->no_probe) {
		int err = d->req.target.abstract ? 0 : unix_expected_errno(d);

		if (d->req.target.abstract || err == EADDRINUSE) {
			rc = list_unix(d);
			if (rc < 0)
				return rc;
		}
		if (d->req.target.abstract)
			d->ok = ok_of_prediction(conflict_predict(&d->req, d->socks.v,
								  d->socks.n));
		else
			d->ok = d->file_known ? !err : WB_UNKNOWN;
	} else {
		rc = try_bind(&d->req, &d->ok, &d->err);
		if (rc < 0)
			return rc;
		d->probed = true;
		if (d->err == EADDRINUSE || o->verbose) {
			rc = list_unix(d);
			if (rc < 0)
				return rc;
		}
	}
	judge(d, o);
	return 0;
}

static unsigned int prefix_len(const struct sockaddr *mask)
{
	const unsigned char *b;
	size_t n;
	unsigned int bits = 0;

	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr;
		n = 4;
	} else {
		b = ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		bits += (unsigned int)__builtin_popcount(b[i]);
	return bits;
}

/* IFA_F_TENTATIVE (0x40) and IFA_F_DADFAILED (0x08) of an IPv6 address,
 * from /proc/net/if_inet6 ("ADDR32HEX IFINDEX PREFIX SCOPE FLAGS DEV"). */
static bool v6_tentative(const struct in6_addr *a)
{
	FILE *fp = fopen("/proc/net/if_inet6", "re");
	char hex[33], want[33];
	unsigned int ifindex, prefix, scope, flags;
	bool found = false;

	if (!fp)
		return false;
	for (int i = 0; i < 16; i++)
		snprintf(want + 2 * i, 3, "%02x", a->s6_addr[i]);
	while (!found && fscanf(fp, "%32s %x %x %x %x %*s", hex, &ifindex,
				&prefix, &scope, &flags) == 5)
		found = strcmp(hex, want) == 0 && (flags & (0x40 | 0x08));
	fclose(fp);
	return found;
}

/* EADDRNOTAVAIL: the addresses this namespace does have, of the
 * request's family, to show next to the one asked for. */
static void gather_host_addrs(struct wb_diagnosis *d)
{
	struct ifaddrs *list, *ifa;
	int family = d->req.addr.family;

	if (getifaddrs(&list) < 0)
		return;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		struct wb_host_addr *h;

		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != family)
			continue;
		d->host_addrs = xrealloc(d->host_addrs,
					 (d->n_host_addrs + 1) * sizeof(*h));
		h = &d->host_addrs[d->n_host_addrs++];
		memset(h, 0, sizeof(*h));
		h->addr.family = family;
		if (family == AF_INET) {
			h->addr.u.v4 = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
		} else {
			const struct sockaddr_in6 *sin6 =
				(const struct sockaddr_in6 *)ifa->ifa_addr;

			h->addr.u.v6 = sin6->sin6_addr;
			h->addr.scope_id = sin6->sin6_scope_id;
			h->tentative = v6_tentative(&sin6->sin6_addr);
		}
		h->prefix = prefix_len(ifa->ifa_netmask);
		snprintf(h->ifname, sizeof(h->ifname), "%s", ifa->ifa_name);
	}
	freeifaddrs(list);
}

/* What the other bind errors need to be explained on this host. */
static void gather_error_facts(struct wb_diagnosis *d)
{
	if (d->err == EACCES)
		d->port_start = probe_unprivileged_port_start();
	if (d->err == EADDRNOTAVAIL)
		gather_host_addrs(d);
}

static int diagnose_once(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	bool udp_reuse = d->req.protocol == IPPROTO_UDP &&
			 (d->req.reuseaddr || d->req.reuseport);
	int rc;

	d->ok = d->reuseaddr_ok = d->reuseport_ok = WB_UNKNOWN;
	d->port_start = -1;
	if (d->req.addr.family == AF_UNIX)
		return diagnose_unix(d, o);
	if (udp_reuse || o->no_probe) {
		rc = list_sockets(d, o->verbose);
		if (rc < 0)
			return rc;
	}
	if (o->no_probe || live_udp_overlap(d)) {
		d->ok = predict(d);
	} else {
		rc = try_bind(&d->req, &d->ok, &d->err);
		if (rc < 0)
			return rc;
		d->probed = true;
	}
	if (!d->dumped && (d->err == EADDRINUSE || o->verbose)) {
		rc = list_sockets(d, o->verbose);
		if (rc < 0)
			return rc;
	}
	if (bind_in_use(d)) {
		rc = try_reuse(d);
		if (rc < 0)
			return rc;
	}
	gather_error_facts(d);
	judge(d, o);
	return 0;
}

/* A socket some process held at the dump, whose holder the walk then did
 * not find, and which a new dump no longer shows: it closed (its process
 * exited, or closed it) while we looked.  What we saw is out of date. */
static bool held_socket_vanished(const struct wb_diagnosis *d)
{
	struct wb_socklist now = { 0 };
	bool vanished = false;
	int dumped = -1;		/* the protocol `now` holds */

	for (size_t i = 0; i < d->socks.n; i++) {
		const struct wb_sock *s = &d->socks.v[i];

		if (!s->inode || s->n_owners || !s->owners_visible)
			continue;
		if (dumped != s->protocol) {
			int rc;

			socklist_free(&now);
			rc = d->req.addr.family == AF_UNIX
				? unix_dump_bound(&d->req.target,
					d->file_known ? &d->file : NULL, &now)
				: diag_dump_port(s->protocol, d->req.port, &now, NULL);
			if (rc < 0)
				break;
			dumped = s->protocol;
		}
		vanished = true;
		for (size_t j = 0; j < now.n && vanished; j++)
			vanished = now.v[j].inode != s->inode;
		if (vanished)
			break;
	}
	socklist_free(&now);
	return vanished;
}

/* The sockets change while we look: a holder that exits between the dump
 * and the owners' walk leaves a verdict about a socket that is gone.
 * Then look again, a few times at most. */
#define DIAGNOSE_TRIES 3

int diagnose(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	for (int i = 1;; i++) {
		int rc = diagnose_once(d, o);

		if (rc < 0 || i == DIAGNOSE_TRIES || !held_socket_vanished(d))
			return rc;
		diagnosis_reset(d);
	}
}

void diagnosis_reset(struct wb_diagnosis *d)
{
	socklist_free(&d->socks);
	verdict_free(&d->verdict);
	free(d->host_addrs);
	d->host_addrs = NULL;
	d->n_host_addrs = 0;
	d->probed = d->dumped = d->file_known = false;
	d->err = 0;
}

