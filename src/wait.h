/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wait: sleep on the events that can free a port. */
#ifndef WB_WAIT_H
#define WB_WAIT_H

#include <stdint.h>
#include <stdio.h>
#include "diagnose.h"

struct wb_waiter {
	int destroy_fd;			/* sock_diag destroy events, or -1 */
	int64_t deadline_ms;		/* CLOCK_MONOTONIC */
	FILE *countdown;		/* a terminal to draw on, or NULL */
	uint64_t own[32];		/* cookies of our latest probe sockets */
	unsigned int n_own;
};

/* Subscribe to the kernel's socket-destroy broadcasts (CAP_NET_ADMIN).
 * Without them, wait_event() re-checks every 100 ms instead. */
void wait_init(struct wb_waiter *w, unsigned timeout_s, FILE *countdown);
void wait_done(struct wb_waiter *w);

/* Sleep until a holder of a conflicting socket exits (its pidfd), a
 * socket is destroyed, the last conflicting TIME_WAIT expires, or the
 * deadline.  Returns 0, or -EINTR when a signal came. */
int wait_event(struct wb_waiter *w, const struct wb_diagnosis *d);

/* --wait: sleep on what can free the port and diagnose again after each
 * event, until the bind would succeed, the timeout, or SIGINT/SIGTERM.
 * A countdown is drawn on stderr when `countdown`.  What happened is left
 * in d->action.waited*.  Returns 0, or -errno when a diagnosis failed. */
int wait_until_free(struct wb_diagnosis *d, const struct wb_diag_opts *o,
		    unsigned timeout_s, bool countdown);

#endif
