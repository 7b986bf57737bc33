/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strbuf: a growable NUL-terminated string, built by appending, for text
 * whose length is not known before (escaped names, lists). */
#ifndef WB_STRBUF_H
#define WB_STRBUF_H

#include <stddef.h>

struct wb_strbuf {
	char *p;			/* NULL until the first append */
	size_t len, cap;
};

void strbuf_put(struct wb_strbuf *b, const char *s, size_t n);
void strbuf_puts(struct wb_strbuf *b, const char *s);
void strbuf_printf(struct wb_strbuf *b, const char *f, ...)
	__attribute__((format(printf, 2, 3)));
/* The string, handed to the caller (free() it): "" when nothing was
 * appended, never NULL.  The buffer is empty again. */
char *strbuf_steal(struct wb_strbuf *b);

/* A newly allocated formatted string; aborts without memory, as xmalloc. */
char *xasprintf(const char *f, ...) __attribute__((format(printf, 1, 2)));

#endif
