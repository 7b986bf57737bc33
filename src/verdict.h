/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict: from what was seen, the cause and the fixes (pure).  The
 * diagnosis it reads is diagnose.h's. */
#ifndef WB_VERDICT_H
#define WB_VERDICT_H

#include "whybind.h"
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

struct wb_diagnosis;

/* Stage 5: pick the cause by SPEC's precedence and write the fixes into
 * v, from the stages before it alone (d->verdict is neither read nor
 * needed).  The verdict is pure: no system call, no output. */
void verdict_make(const struct wb_diagnosis *d, struct wb_verdict *v);
void verdict_free(struct wb_verdict *v);

/* --no-probe on an AF_UNIX target: the errno bind() would give, from
 * what is at the path (or, for an abstract name, d->probe.ok); 0 for none. */
int unix_expected_errno(const struct wb_diagnosis *d);

#endif
