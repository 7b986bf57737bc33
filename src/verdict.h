/* verdict: from what was seen, the cause and the fixes (pure). */
#ifndef WB_VERDICT_H
#define WB_VERDICT_H

#include <errno.h>

#include "whybind.h"
#include "diag.h"
#include "sock.h"
#include "unix.h"

#define WB_MAX_FIXES 10

/* Why the bind fails (or that it would not).  The port-in-use causes
 * come first, in SPEC's precedence: the one that will not go away by
 * itself wins.  NONE: a verdict not made (a zeroed one). */
enum wb_cause {
	WB_CAUSE_NONE,
	WB_CAUSE_STOPPED,
	WB_CAUSE_LISTENING,
	WB_CAUSE_BOUND,
	WB_CAUSE_ESTABLISHED,
	WB_CAUSE_UDP_BOUND,
	WB_CAUSE_TIME_WAIT,
	WB_CAUSE_FREE,
	WB_CAUSE_PERMISSION,
	WB_CAUSE_ADDRESS_UNAVAILABLE,
	WB_CAUSE_UNIX_LIVE,
	WB_CAUSE_UNIX_STALE,
	WB_CAUSE_UNIX_NOT_SOCKET,
	WB_CAUSE_UNIX_NO_DIRECTORY,
	WB_CAUSE_OTHER,
};

/* Its name in the reports: "stopped", "udp-bound", "unix-stale", ...;
 * NULL for WB_CAUSE_NONE. */
const char *wb_cause_name(enum wb_cause c);

struct wb_fix {
	const char *action;		/* "wait", "resume-process", ... */
	char *text;
	char *command;			/* shell command, or NULL */
};

struct wb_verdict {
	enum wb_cause kind;
	const char *cause;		/* wb_cause_name(kind), as printed */
	int reuseaddr_fixes;		/* enum wb_tri; WB_UNKNOWN prints null */
	int reuseport_fixes;
	char *summary;
	bool takes_udp;			/* free, but next to a live UDP socket
					 * whose datagrams it would take or share */
	char *reuseaddr_why;		/* the reason behind reuseaddr_fixes */
	char *reuseport_why;
	struct wb_fix fixes[WB_MAX_FIXES];
	size_t n_fixes;
};

/* An address of this network namespace (EADDRNOTAVAIL). */
struct wb_host_addr {
	struct wb_addr addr;
	unsigned int prefix;
	char ifname[IF_NAMESIZE];
	bool tentative;			/* IPv6 duplicate address detection
					 * not done yet (or failed) */
};

/* Everything known about one bind: the input of the verdict and the
 * reports. */
struct wb_diagnosis {
	struct wb_request req;
	bool probed;			/* bind() was really tried */
	int ok;				/* enum wb_tri: would the bind succeed */
	int err;			/* errno of the failed bind, else 0 */
	int reuseaddr_ok;		/* with SO_REUSEADDR added: enum wb_tri */
	int reuseport_ok;		/* with SO_REUSEPORT added: enum wb_tri */
	bool dumped;			/* the port's sockets were listed */
	struct wb_diag_info info;
	struct wb_socklist socks;	/* every socket seen on the port */
	const char *owner_lookup;	/* "bpf", "proc", or NULL: none needed */
	struct wb_verdict verdict;

	/* AF_UNIX path: what is at it, looked at before the probe. */
	struct wb_unix_file file;
	bool file_known;

	/* Facts for the other bind errors. */
	int port_start;			/* EACCES: ip_unprivileged_port_start,
					 * -1 unknown */
	struct wb_host_addr *host_addrs; /* EADDRNOTAVAIL: this namespace's
					 * addresses of the request's family */
	size_t n_host_addrs;

	/* --fix and --wait, when asked for. */
	bool fix_attempted;
	unsigned fix_destroyed;		/* TIME_WAIT sockets destroyed */
	bool fix_removed;		/* the stale socket file was removed */
	const char *fix_error;		/* why nothing (more) was fixed */
	bool waited;
	int64_t waited_ms;
	bool wait_timed_out;
};

/* The question of who holds the address, and whether SO_REUSEADDR or
 * SO_REUSEPORT would help: the bind failed with EADDRINUSE, or was not
 * tried and is not known to succeed. */
static inline bool bind_in_use(const struct wb_diagnosis *d)
{
	return d->ok != WB_YES && (d->err == EADDRINUSE || !d->probed);
}

/* Pick the cause by SPEC's precedence and write the fixes into v, from
 * d alone (d->verdict is neither read nor needed). */
void verdict_of(const struct wb_diagnosis *d, struct wb_verdict *v);
/* verdict_of(d, &d->verdict). */
void verdict_make(struct wb_diagnosis *d);
void verdict_free(struct wb_verdict *v);

/* --no-probe on an AF_UNIX target: the errno bind() would give, from
 * what is at the path (or, for an abstract name, d->ok); 0 for none. */
int unix_expected_errno(const struct wb_diagnosis *d);

#endif
