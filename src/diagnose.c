/* diagnose: one bind, start to verdict: probe, list the port's sockets,
 * keep the conflicts, find their owners, try SO_REUSE*, judge. */
#include <errno.h>
#include <sys/socket.h>

#include "conflict.h"
#include "diag.h"
#include "diagnose.h"
#include "origin.h"
#include "owners.h"
#include "probe.h"

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

static int list_sockets(struct wb_diagnosis *d, bool verbose)
{
	int rc = diag_dump_port(d->req.protocol, d->req.port, &d->socks, &d->info);

	if (rc == 0 && verbose)
		rc = diag_dump_port(d->req.protocol == IPPROTO_UDP ? IPPROTO_TCP
			: IPPROTO_UDP, d->req.port, &d->socks, &d->info);
	if (rc < 0)
		return rc;
	d->dumped = true;
	rc = owners_find(d->socks.v, d->socks.n);
	for (size_t i = 0; i < d->socks.n; i++) {
		struct wb_sock *s = &d->socks.v[i];
		const char *why;

		/* The details only for the sockets that can be in the way. */
		if (conflict_overlap(&d->req, s, &why) != WB_NO) {
			owners_read_sockopts(s);
			for (size_t j = 0; j < s->n_owners; j++)
				origin_read(&s->owners[j]);
		}
		s->blocks = conflict_blocks(&d->req, s, &s->why);
	}
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

int diagnose(struct wb_diagnosis *d, const struct wb_diag_opts *o)
{
	bool udp_reuse = d->req.protocol == IPPROTO_UDP &&
			 (d->req.reuseaddr || d->req.reuseport);
	int rc;

	d->ok = d->reuseaddr_ok = d->reuseport_ok = WB_UNKNOWN;
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
	if (d->ok != WB_YES && (d->err == EADDRINUSE || !d->probed)) {
		rc = try_reuse(d);
		if (rc < 0)
			return rc;
	}
	verdict_make(d);
	return 0;
}

void diagnosis_reset(struct wb_diagnosis *d)
{
	socklist_free(&d->socks);
	verdict_free(&d->verdict);
	d->probed = d->dumped = false;
	d->err = 0;
}

