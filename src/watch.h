/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch: every failing bind() on the host, caught in the kernel (BPF,
 * watch.bpf.c), diagnosed at once in its network namespace, reported. */
#ifndef WB_WATCH_H
#define WB_WATCH_H

#include "diagnose.h"
#include "repeat.h"
#include "watch_event.h"

/* Only these binds ([ADDRESS:]PORT, PATH or @NAME arguments). */
struct wb_watch_filter {
	bool is_unix;
	bool abstract;
	char name[WB_UNIX_NAME_MAX + 1];
	int family;			/* 0: any address */
	struct wb_addr addr;
	uint16_t port;
};

struct wb_watch_opts {
	bool json, quiet;
	bool journal;			/* --journal */
	int color;			/* enum wb_tri, WB_UNKNOWN: auto */
	int protocol;			/* -t / -u: only that one; 0 both */
	struct wb_diag_opts dopts;
	struct wb_watch_filter *filters;
	size_t n_filters;
};

/* Add an argument to the filters: 0, or -EINVAL with *err why. */
int watch_filter_add(struct wb_watch_opts *o, const char *arg, const char **err);

/* Watch until SIGINT or SIGTERM: 0 then, with every program and link
 * gone; or a negative errno with *err one line saying why BPF cannot be
 * used (exit 3). */
int watch_run(const struct wb_watch_opts *o, const char **err);

/* watch_report.c: one failure, as the watch loop hands it over. */
struct wb_watch_failure {
	struct wb_watch_event ev;	/* the first of its kind */
	unsigned long count;		/* coalesced with it, at least 1 */
	int netns_fd;			/* its namespace, -1: whybind's own */
	int cwd_fd;			/* its directory (AF_UNIX), or -1 */
	const char *gone;		/* why it cannot be diagnosed, or NULL */
	char unit[256];			/* where the process comes from */
	char container[96];
};

struct wb_watch_out {
	const struct wb_watch_opts *o;
	bool to_stdout;			/* reports on stdout (not the journal) */
	bool journal;			/* entries to the journal */
	bool color;
	int64_t mono_to_real_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	unsigned long reports, repeats;	/* made, condensed */
	struct wb_repeats runs;
};

void watch_out_init(struct wb_watch_out *w, const struct wb_watch_opts *o);
/* Diagnose one failure (in its namespace) and report it, or count it as
 * a repeat.  Returns 0, or -errno when whybind's own namespace could not
 * be entered again (fatal). */
int watch_report(struct wb_watch_out *w, struct wb_watch_failure *f, int own_netns);
/* A line on the losses (kernel: ring buffer full; queue: too many
 * failures waiting at once). */
void watch_report_lost(struct wb_watch_out *w, unsigned long long kernel,
		       unsigned long long queue);
void watch_report_summary(struct wb_watch_out *w, unsigned long long seen,
			  unsigned long long received, unsigned long long lost,
			  unsigned long long dropped, unsigned long long filtered,
			  int64_t ms);

#endif
