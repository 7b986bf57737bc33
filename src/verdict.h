/* verdict: from what was seen, the cause and the fixes (pure). */
#ifndef WB_VERDICT_H
#define WB_VERDICT_H

#include "whybind.h"
#include "diag.h"

#define WB_MAX_FIXES 10

struct wb_fix {
	const char *action;		/* "wait", "resume-process", ... */
	char *text;
	char *command;			/* shell command, or NULL */
};

struct wb_verdict {
	const char *cause;		/* "free", "listening", ... */
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
	struct wb_verdict verdict;

	/* --fix and --wait, when asked for. */
	bool fix_attempted;
	unsigned fix_destroyed;		/* TIME_WAIT sockets destroyed */
	const char *fix_error;		/* why nothing (more) was fixed */
	bool waited;
	int64_t waited_ms;
	bool wait_timed_out;
};

/* Pick the cause by SPEC's precedence and write the fixes. */
void verdict_make(struct wb_diagnosis *d);
void verdict_free(struct wb_verdict *v);

/* "LISTEN", "TIME_WAIT", "BOUND", "UNCONN", ... for a socket. */
const char *sock_state_name(const struct wb_sock *s);
/* A socket whose every visible holder is stopped (T) or traced (t). */
bool sock_held_stopped(const struct wb_sock *s);

#endif
