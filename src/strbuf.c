// SPDX-License-Identifier: GPL-2.0-or-later
/* strbuf: a growable string; each append is amortised O(its length). */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "whybind.h"

/* Room for n more bytes and the NUL. */
static void reserve(struct wb_strbuf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = 2 * (b->len + n + 1);
		b->p = xrealloc(b->p, b->cap);
	}
}

void strbuf_put(struct wb_strbuf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void strbuf_puts(struct wb_strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}

void strbuf_printf(struct wb_strbuf *b, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0)
		abort();
	reserve(b, (size_t)n);
	va_start(ap, f);
	vsnprintf(b->p + b->len, (size_t)n + 1, f, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *strbuf_steal(struct wb_strbuf *b)
{
	char *p;

	strbuf_put(b, "", 0);
	p = b->p;
	*b = (struct wb_strbuf){ 0 };
	return p;
}

char *xasprintf(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}
