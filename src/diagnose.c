// SPDX-License-Identifier: GPL-2.0-or-later
/* diagnose: one bind, start to verdict: probe, list the port's sockets,
 * keep the conflicts, find their owners, try SO_REUSE*, judge. */
#include "config.h"
#include <errno.h>
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
static bool live_udp_overlap(const struct wb_request *req,
			     const struct wb_scan *scan)
{
	const char *why;

	if (req->protocol != IPPROTO_UDP)
		return false;
	for (size_t i = 0; i < scan->socks.n; i++)
		if (conflict_overlap(req, &scan->socks.v[i], &why) != WB_NO)
			return true;
	return false;
}

/* The rules' answer, where no probe may be made.  A TCP socket that is
 * only bound is invisible on kernels before v6.7: no "free" then. */
static int predict(const struct wb_request *req, const struct wb_scan *scan)
{
	int ok = ok_of_prediction(conflict_predict(req, scan->socks.v, scan->socks.n));

	if (ok == WB_YES && req->protocol == IPPROTO_TCP && !scan->info.bound_inactive)
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
static int judge_sockets(const struct wb_request *req, struct wb_scan *scan,
			 struct wb_owner_walk *walk)
{
	const struct wb_owner *cache[ORIGIN_CACHE] = { 0 };
	struct wb_owners_how how;
	int rc;

	scan->dumped = true;
	rc = owners_find(walk, scan->socks.v, scan->socks.n, &how);
	scan->owner_lookup = how.method;
	say_owners_fallback(&how);
	for (size_t i = 0; i < scan->socks.n; i++) {
		struct wb_sock *s = &scan->socks.v[i];
		const char *why;
		bool overlaps = conflict_overlap(req, s, &why) != WB_NO;

		if (s->family != AF_UNIX &&
		    (overlaps || conflict_options_matter(req, s)))
			owners_read_sockopts(s);
		if (overlaps)
			for (size_t j = 0; j < s->n_owners; j++)
				read_origin(&s->owners[j], cache);
		s->blocks = conflict_blocks(req, s, &s->why);
	}
	conflict_mark_full_group(req, scan->socks.v, scan->socks.n);
	return rc;
}

static int list_sockets(const struct wb_request *req, struct wb_scan *scan,
			bool verbose)
{
	struct wb_owner_walk *walk = owners_open();
	int rc;

	scan->info.start_walk = walk;	/* the holders' walk, meanwhile */
	rc = diag_dump_port(req->protocol, req->port, &scan->socks, &scan->info);
	if (rc == 0 && verbose)
		rc = diag_dump_port(req->protocol == IPPROTO_UDP ? IPPROTO_TCP
			: IPPROTO_UDP, req->port, &scan->socks, &scan->info);
	scan->info.start_walk = NULL;
	if (rc == 0)
		rc = judge_sockets(req, scan, walk);
	owners_close(walk);	/* a walk the dump made useless is dropped */
	return rc;
}

static int try_bind(const struct wb_request *req, struct wb_probe *p,
		    int *ok, int *err)
{
	uint64_t cookie;
	int rc = probe_bind(req, &cookie);

	if (cookie && p->n_cookies < sizeof(p->cookies) / sizeof(p->cookies[0]))
		p->cookies[p->n_cookies++] = cookie;
	if (rc < 0)
		return rc;
	if (err)
		*err = rc;
	*ok = rc ? WB_NO : WB_YES;
	return 0;
}

/* Would the bind succeed with SO_REUSEADDR, or SO_REUSEPORT, added? */
static int try_reuse(const struct wb_request *req, const struct wb_scan *scan,
		     struct wb_probe *p)
{
	bool rules = live_udp_overlap(req, scan);
	int rc = 0;

	for (int port = 0; port <= 1 && rc == 0; port++) {
		struct wb_request r = with_flag(req, port);
		int *ok = port ? &p->reuseport_ok : &p->reuseaddr_ok;

		if (port ? req->reuseport : req->reuseaddr)
			*ok = p->ok;
		else if (!p->probed && !rules)
			continue;	/* --no-probe: null, as promised */
		else if (rules)
			*ok = ok_of_prediction(conflict_predict(&r, scan->socks.v, scan->socks.n));
		else
			rc = try_bind(&r, p, ok, NULL);
	}
	return rc;
}

/* The live sockets bound to an AF_UNIX path or name, and their owners. */
static int list_unix(const struct wb_request *req, const struct wb_facts *f,
		     struct wb_scan *scan)
{
	int rc = unix_dump_bound(&req->target, f->file_known ? &f->file : NULL,
				 &scan->socks);
	struct wb_owner_walk *walk;

	if (rc < 0)
		return rc;
	walk = owners_open();
	rc = judge_sockets(req, scan, walk);
	owners_close(walk);
	return rc;
}

/* Under --exec a process of ours shows as traced-stopped only because we
 * hold it at a bind: it is running, not a stopped job. */
static void judge(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	struct wb_verdict v;

	if (o->tracing)
		origin_unhold(d->scan.socks.v, d->scan.socks.n, getpid());
	manager_find(&d->scan.socks, &d->managers);
	verdict_make(d, &v);
	d->verdict = v;
}

static int diagnose_unix(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	int rc;

	if (!d->req.target.abstract) {
		rc = unix_inspect_path(d->req.target.name, &d->facts.file);
		d->facts.file_known = rc == 0 || d->facts.file.exists || d->facts.file.error;
	}
	if (o->no_probe) {
		int err = d->req.target.abstract ? 0 : unix_expected_errno(d);

		if (d->req.target.abstract || err == EADDRINUSE) {
			rc = list_unix(&d->req, &d->facts, &d->scan);
			if (rc < 0)
				return rc;
		}
		if (d->req.target.abstract)
			d->probe.ok = ok_of_prediction(conflict_predict(&d->req, d->scan.socks.v,
								  d->scan.socks.n));
		else
			d->probe.ok = d->facts.file_known ? !err : WB_UNKNOWN;
	} else {
		rc = try_bind(&d->req, &d->probe, &d->probe.ok, &d->probe.err);
		if (rc < 0)
			return rc;
		d->probe.probed = true;
		if (d->probe.err == EADDRINUSE || o->verbose) {
			rc = list_unix(&d->req, &d->facts, &d->scan);
			if (rc < 0)
				return rc;
		}
	}
	judge(d, o);
	return 0;
}

static int diagnose_once(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	bool udp_reuse = d->req.protocol == IPPROTO_UDP &&
			 (d->req.reuseaddr || d->req.reuseport);
	int rc;

	d->probe.ok = d->probe.reuseaddr_ok = d->probe.reuseport_ok = WB_UNKNOWN;
	d->facts.port_start = -1;
	diag_kernel_rules(&d->req.kernel);
	if (d->req.addr.family == AF_UNIX)
		return diagnose_unix(d, o);
	if (udp_reuse || o->no_probe) {
		rc = list_sockets(&d->req, &d->scan, o->verbose);
		if (rc < 0)
			return rc;
	}
	if (o->no_probe || live_udp_overlap(&d->req, &d->scan)) {
		d->probe.ok = predict(&d->req, &d->scan);
	} else {
		rc = try_bind(&d->req, &d->probe, &d->probe.ok, &d->probe.err);
		if (rc < 0)
			return rc;
		d->probe.probed = true;
	}
	if (!d->scan.dumped && (d->probe.err == EADDRINUSE || o->verbose)) {
		rc = list_sockets(&d->req, &d->scan, o->verbose);
		if (rc < 0)
			return rc;
	}
	if (bind_in_use(d)) {
		rc = try_reuse(&d->req, &d->scan, &d->probe);
		if (rc < 0)
			return rc;
	}
	facts_gather(&d->req, &d->probe, &d->facts);
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

	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];

		if (!s->inode || s->n_owners || !s->owners_visible)
			continue;
		if (dumped != s->protocol) {
			int rc;

			socklist_free(&now);
			rc = d->req.addr.family == AF_UNIX
				? unix_dump_bound(&d->req.target,
					d->facts.file_known ? &d->facts.file : NULL, &now)
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
	socklist_free(&d->scan.socks);
	managers_free(&d->managers);
	free(d->facts.host_addrs);
	verdict_free(&d->verdict);
	memset(&d->probe, 0, sizeof(d->probe));
	memset(&d->scan, 0, sizeof(d->scan));
	memset(&d->facts, 0, sizeof(d->facts));
	memset(&d->verdict, 0, sizeof(d->verdict));
}

