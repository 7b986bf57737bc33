/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repeat: the same process failing the same bind against the same
 * holders again within a few seconds is counted, not reported again;
 * when it stops (or at the end) one short line says how many times.
 * Used by --watch and --exec. */
#ifndef WB_REPEAT_H
#define WB_REPEAT_H

#include <stdint.h>
#include <stdio.h>

#include "verdict.h"

#define WB_REPEAT_WINDOW_MS	5000	/* quiet this long: the run is over */
#define WB_REPEAT_MAX		256	/* signatures remembered at once */

struct wb_repeat {
	char *sig;			/* what makes two failures the same */
	int64_t first_ms, last_ms;	/* the report, the latest repeat */
	unsigned long count;		/* repeats since the report */
	void *data;			/* the caller's, for its short line */
};

/* The short line of an entry whose run is over (count > 0). */
typedef void wb_repeat_fn(const struct wb_repeat *r, void *arg);

struct wb_repeats {
	struct wb_repeat v[WB_REPEAT_MAX];
	size_t n;
	int64_t window_ms;
	wb_repeat_fn *done;		/* called before an entry is forgotten */
	void (*free_data)(void *);
	void *arg;
};

void repeats_init(struct wb_repeats *r, int64_t window_ms, wb_repeat_fn *done,
		  void (*free_data)(void *), void *arg);

/* n failures with signature sig at now_ms: 0 when it is new (report
 * the first in full, the n - 1 others are its repeats; data is then kept
 * with it, else freed), or the count of repeats so far (these counted,
 * not reported).  The table full, the oldest entry's run is closed
 * first. */
unsigned long repeats_seen(struct wb_repeats *r, const char *sig, int64_t now_ms,
			   void *data, unsigned long n);

/* Close the runs quiet since window_ms (all of them with all). */
void repeats_expire(struct wb_repeats *r, int64_t now_ms, bool all);

/* Milliseconds until the next run closes, -1 for none. */
int64_t repeats_next_ms(const struct wb_repeats *r, int64_t now_ms);

/* The signature of a diagnosed failure: the process, the bind as asked
 * (protocol, address, port or path, options, errno) and the sockets in
 * the way with their holders.  Free it. */
char *repeat_signature(pid_t pid, int err, const struct wb_diagnosis *d);

/* --exec: is this failure a repeat?  Closes the runs that are over
 * first, their lines on f (JSON lines with json).  A new failure is
 * remembered; the caller reports it.  exec_repeat_flush: at the end. */
bool exec_repeat_check(FILE *f, bool json, pid_t pid, const char *comm,
		       int fd, const char *where, int err, const struct wb_diagnosis *d);
void exec_repeat_flush(void);

#endif
