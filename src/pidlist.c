// SPDX-License-Identifier: GPL-2.0-or-later
/* pidlist: a growable array of pids, joined into text once, at the end. */
#include "config.h"
#include <stdlib.h>

#include "pidlist.h"
#include "strbuf.h"

void pidlist_add(struct wb_pidlist *l, pid_t pid)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = pid;
}

/* A linear search: a port's holders are a handful of processes, even
 * when they hold thousands of sockets. */
void pidlist_add_once(struct wb_pidlist *l, pid_t pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == pid)
			return;
	pidlist_add(l, pid);
}

void pidlist_add_owners(struct wb_pidlist *l, const struct wb_sock *s)
{
	for (size_t i = 0; i < s->n_owners; i++)
		pidlist_add(l, s->owners[i].pid);
}

char *pidlist_join(const struct wb_pidlist *l, const char *sep, size_t max)
{
	struct wb_strbuf b = { 0 };

	if (!l->n)
		return NULL;
	for (size_t i = 0; i < l->n && i < max; i++)
		strbuf_printf(&b, "%s%d", i ? sep : "", (int)l->v[i]);
	if (l->n > max)
		strbuf_printf(&b, "%s...", sep);
	return strbuf_steal(&b);
}

void pidlist_free(struct wb_pidlist *l)
{
	free(l->v);
	*l = (struct wb_pidlist){ 0 };
}
