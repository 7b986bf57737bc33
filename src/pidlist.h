/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pidlist: the pids a text names or a command signals, in the order
 * they were seen. */
#ifndef WB_PIDLIST_H
#define WB_PIDLIST_H

#include <stddef.h>
#include <sys/types.h>

#include "whybind.h"

struct wb_pidlist {
	pid_t *v;
	size_t n, cap;
};

void pidlist_add(struct wb_pidlist *l, pid_t pid);
/* pidlist_add, unless the pid is in the list already. */
void pidlist_add_once(struct wb_pidlist *l, pid_t pid);
/* Every holder of s, one entry per descriptor (as s->owners). */
void pidlist_add_owners(struct wb_pidlist *l, const struct wb_sock *s);

/* The first `max` pids joined by sep ("812, 813"), then sep and "..."
 * if there are more; NULL for an empty list.  free() it. */
char *pidlist_join(const struct wb_pidlist *l, const char *sep, size_t max);
void pidlist_free(struct wb_pidlist *l);

#endif
