/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny unit test harness: CHECK records a failure and goes on, so one
 * run shows every broken case; unit_done() gives Automake the exit status. */
#ifndef WB_UNIT_H
#define WB_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed;
static int unit_checked;

#define CHECK(cond) do {						\
	unit_checked++;							\
	if (!(cond)) {							\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	unit_checked++;							\
	if (!g_ || !w_ ? g_ != w_ : strcmp(g_, w_) != 0) {		\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",	\
			__FILE__, __LINE__, g_ ? g_ : "(null)",		\
			w_ ? w_ : "(null)");				\
	}								\
} while (0)

static inline int unit_done(void)
{
	printf("%d checks, %d failed\n", unit_checked, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
