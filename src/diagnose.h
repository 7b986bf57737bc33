/* diagnose: one bind, start to verdict. */
#ifndef WB_DIAGNOSE_H
#define WB_DIAGNOSE_H

#include "verdict.h"

struct wb_diag_opts {
	bool no_probe;			/* never bind(): the rules predict */
	bool verbose;			/* list the other protocol's sockets too */
	bool tracing;			/* --exec: a process we hold is running */
};

/* Fill d (d->req set by the caller) and make its verdict.  0, or a
 * negative errno when the kernel could not be asked (exit 3). */
int diagnose(struct wb_diagnosis *d, const struct wb_diag_opts *o);
/* Forget everything but the request, for a fresh diagnose(). */
void diagnosis_reset(struct wb_diagnosis *d);

#endif
