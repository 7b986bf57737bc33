/* SPDX-License-Identifier: GPL-2.0-or-later */
/* message: the failed bind read out of a server's error text, as that
 * server binds (its own socket options, from its source). */
#ifndef WB_MESSAGE_H
#define WB_MESSAGE_H

#include <stdio.h>
#include "address.h"

/* The longest line looked at: error lines are short; a longer line is
 * read in its first MESSAGE_LINE_MAX - 1 bytes. */
#define MESSAGE_LINE_MAX 4096

/* The failed bind in TEXT (one line or several: the last one that
 * matches wins; PostgreSQL's port is on the line after its address).
 * Returns 0, or -EINVAL with *err "no failed bind found in the message". */
int message_parse(const char *text, struct wb_address *a, const char **err);

/* The same, from a stream ("-m -"): its last matching line. */
int message_read(FILE *f, struct wb_address *a, const char **err);

/* --message=help: each form known, and the options that runtime sets. */
void message_help(FILE *f);

#endif
