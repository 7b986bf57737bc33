/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose: one bind, start to verdict. */
#ifndef WB_DIAGNOSE_H
#define WB_DIAGNOSE_H

#include <errno.h>

#include "whybind.h"
#include "diag.h"
#include "manager.h"
#include "unix.h"
#include "verdict.h"

/* One bind, stage by stage.  Each stage reads the ones before it and
 * fills its own:
 *
 *   1. request   what to bind (request.h, request_build.c): given
 *   2. probe     what bind() answered, or what the rules predict
 *   3. scan      the port's sockets, the conflicts, their holders
 *   3b. managers what owns each conflict's holders (manager.h)
 *   4. facts     what else the verdict weighs (the file at a path, the
 *                unprivileged port floor, the host's addresses)
 *   5. verdict   the cause and the fixes (verdict.h; pure)
 *   6. action    what --fix and --wait did
 *
 * The reports read them all.  A new diagnosis of the same request
 * (after --fix, on each --wait event, when the sockets changed under the
 * scan) replaces stages 2 to 5 whole: diagnosis_reset() frees and zeroes
 * them; the request and the actions stay. */

struct wb_probe {
	bool probed;			/* bind() was really tried */
	int ok;				/* enum wb_tri: would the bind succeed */
	int err;			/* errno of the failed bind, else 0 */
	int reuseaddr_ok;		/* with SO_REUSEADDR added: enum wb_tri */
	int reuseport_ok;		/* with SO_REUSEPORT added: enum wb_tri */
	/* SO_COOKIE of each probe socket made: --wait hears of their
	 * destruction from the kernel, and must not take it for news. */
	uint64_t cookies[4];
	unsigned int n_cookies;
};

struct wb_scan {
	bool dumped;			/* the port's sockets were listed */
	struct wb_diag_info info;
	struct wb_socklist socks;	/* every socket seen on the port */
	const char *owner_lookup;	/* "bpf", "proc", or NULL: none needed */
};

/* An address of this network namespace (EADDRNOTAVAIL). */
struct wb_host_addr {
	struct wb_addr addr;
	unsigned int prefix;
	char ifname[IF_NAMESIZE];
	bool tentative;			/* IPv6 duplicate address detection
					 * not done yet (or failed) */
};

struct wb_facts {
	struct wb_unix_file file;	/* AF_UNIX path: what is at it,
					 * looked at before the probe */
	bool file_known;
	int port_start;			/* EACCES: ip_unprivileged_port_start,
					 * -1 unknown */
	struct wb_host_addr *host_addrs; /* EADDRNOTAVAIL: this namespace's
					 * addresses of the request's family */
	size_t n_host_addrs;
};

struct wb_action {
	bool fix_attempted;
	unsigned fix_destroyed;		/* TIME_WAIT sockets destroyed */
	bool fix_removed;		/* the stale socket file was removed */
	const char *fix_error;		/* why nothing (more) was fixed */
	bool waited;
	int64_t waited_ms;
	bool wait_timed_out;
};

struct wb_diagnosis {
	struct wb_request req;		/* 1 */
	struct wb_probe probe;		/* 2 */
	struct wb_scan scan;		/* 3 */
	struct wb_managers managers;	/* 3b: one per scan.socks.v[i] */
	struct wb_facts facts;		/* 4 */
	struct wb_verdict verdict;	/* 5 */
	struct wb_action action;	/* 6 */
};

/* The question of who holds the address, and whether SO_REUSEADDR or
 * SO_REUSEPORT would help: the bind failed with EADDRINUSE, or was not
 * tried and is not known to succeed. */
static inline bool bind_in_use(const struct wb_diagnosis *d)
{
	return d->probe.ok != WB_YES &&
	       (d->probe.err == EADDRINUSE || !d->probe.probed);
}

struct wb_diag_opts {
	bool no_probe;			/* never bind(): the rules predict */
	bool verbose;			/* list the other protocol's sockets too */
	bool tracing;			/* --exec: a process we hold is running */
};

/* Stages 2 to 5 of d (d->req set by the caller, stages 2 to 5 zeroed or
 * reset).  0, or a negative errno when the kernel could not be asked
 * (exit 3). */
int diagnose(struct wb_diagnosis *d, const struct wb_diag_opts *o);
/* Free stages 2 to 5 and zero them; the request and the actions stay. */
void diagnosis_reset(struct wb_diagnosis *d);

/* Stage 4, what diagnose() gathers after the probe and the scan (facts.c). */
void facts_gather(const struct wb_request *req, const struct wb_probe *p,
		  struct wb_facts *f);

#endif
