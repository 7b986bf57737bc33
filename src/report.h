/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report: the human and the JSON output. */
#ifndef WB_REPORT_H
#define WB_REPORT_H

#include <stdio.h>
#include "diagnose.h"

struct wb_report_opts {
	bool color;
	bool verbose;			/* also the sockets that do not conflict */
	const char *host;		/* the host name asked for, or NULL */
	const char *netns;		/* --netns as given, or NULL */
	const char *ifname;		/* --interface as given, or NULL */
};

void report_text(FILE *f, const struct wb_diagnosis *d,
		 const struct wb_report_opts *o);

/* One JSON object for one diagnosis; several (a host name with many
 * addresses) are wrapped as {"version":1,"host":...,"results":[...]}.
 * 0, or the negative errno of the first write that failed. */
int report_json(FILE *f, const struct wb_diagnosis *d, size_t n,
		const struct wb_report_opts *o);

/* --color=WHEN (WB_YES always, WB_NO never, WB_UNKNOWN auto): auto colours
 * only a terminal at fd, never with NO_COLOR set or TERM=dumb. */
bool report_want_color(int color, int fd);

/* The members of one diagnosis's object, into an object the caller has
 * opened, for a caller that adds members of its own (--exec). */
struct jsonwrt;
void report_json_members(struct jsonwrt *w, const struct wb_diagnosis *d,
			 const struct wb_report_opts *o);

/* One compact JSON line of --exec or --watch: the diagnosis (or, for d
 * NULL, "diagnosed": false and why), then the caller's own members, then
 * report_json_line_end(). */
void report_json_line_begin(struct jsonwrt *w, FILE *f,
			    const struct wb_diagnosis *d,
			    const struct wb_report_opts *o, const char *why);
void report_json_line_end(struct jsonwrt *w);

#endif
