// SPDX-License-Identifier: GPL-2.0-or-later
/* jsonwrt: a streaming JSON writer (see jsonwrt.h).  Nothing is held but
 * the nesting: a document of any size costs the memory of its largest
 * string. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "jsonwrt.h"

void jsonwrt_init(struct jsonwrt *w, FILE *out, bool pretty)
{
	*w = (struct jsonwrt){ .out = out, .pretty = pretty };
}

/* Every byte goes through here: after a failed write nothing more is
 * tried (a reader gone, a full disk), and the errno is kept. */
static void put(struct jsonwrt *w, const char *s, size_t n)
{
	if (w->err || n == 0)
		return;
	errno = 0;
	if (fwrite(s, 1, n, w->out) != n)
		w->err = errno ? errno : EIO;
}

static void put_str(struct jsonwrt *w, const char *s)
{
	put(w, s, strlen(s));
}

static void newline(struct jsonwrt *w)
{
	static const char spaces[] = "                                ";

	if (!w->pretty)
		return;
	put(w, "\n", 1);
	for (int n = 2 * w->depth; n > 0; n -= (int)sizeof(spaces) - 1)
		put(w, spaces, n < (int)sizeof(spaces) - 1 ? (size_t)n
							   : sizeof(spaces) - 1);
}

/* Bytes that are valid UTF-8 without NUL, quoted: the quote, the
 * backslash and the C0 controls escaped as jansson's encoder does. */
static void put_quoted(struct jsonwrt *w, const char *s)
{
	const char *run = s;

	put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char seq[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':  put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\b': put(w, "\\b", 2); break;
		case '\f': put(w, "\\f", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default:
			snprintf(seq, sizeof(seq), "\\u%04X", c);
			put(w, seq, 6);
		}
	}
	put(w, run, (size_t)(s - run));
	put(w, "\"", 1);
}

/* Any bytes, made valid UTF-8 (escape.c's \xNN for the rest), quoted. */
static void put_string(struct jsonwrt *w, const char *s, size_t len)
{
	char *e = wb_escape(s, len, WB_ESC_JSON);

	put_quoted(w, e);
	free(e);
}

/* What comes before a value: the comma after the previous member, the
 * line break and indent, the key. */
static void member(struct jsonwrt *w, const char *key)
{
	if (w->depth > 0) {
		if (w->filled & (1u << w->depth))
			put(w, ",", 1);
		w->filled |= 1u << w->depth;
		newline(w);
	}
	if (key) {
		put_string(w, key, strlen(key));
		put_str(w, w->pretty ? ": " : ":");
	}
}

static void open_(struct jsonwrt *w, const char *key, const char *brace)
{
	member(w, key);
	put_str(w, brace);
	if (w->depth + 1 >= JSONWRT_MAX_DEPTH)
		abort();		/* a bug: no document here nests so deep */
	w->depth++;
	w->filled &= ~(1u << w->depth);
}

static void close_(struct jsonwrt *w, const char *brace)
{
	bool filled = w->filled & (1u << w->depth);

	w->depth--;
	if (filled)
		newline(w);
	put_str(w, brace);
}

void jsonwrt_object_open(struct jsonwrt *w, const char *key)
{
	open_(w, key, "{");
}

void jsonwrt_object_close(struct jsonwrt *w)
{
	close_(w, "}");
}

void jsonwrt_array_open(struct jsonwrt *w, const char *key)
{
	open_(w, key, "[");
}

void jsonwrt_array_close(struct jsonwrt *w)
{
	close_(w, "]");
}

void jsonwrt_string_n(struct jsonwrt *w, const char *key, const char *s,
		      size_t len)
{
	member(w, key);
	if (s)
		put_string(w, s, len);
	else
		put_str(w, "null");
}

void jsonwrt_string(struct jsonwrt *w, const char *key, const char *s)
{
	jsonwrt_string_n(w, key, s, s ? strlen(s) : 0);
}

void jsonwrt_int(struct jsonwrt *w, const char *key, long long v)
{
	char num[24];

	member(w, key);
	snprintf(num, sizeof(num), "%lld", v);
	put_str(w, num);
}

void jsonwrt_bool(struct jsonwrt *w, const char *key, bool v)
{
	member(w, key);
	put_str(w, v ? "true" : "false");
}

void jsonwrt_null(struct jsonwrt *w, const char *key)
{
	member(w, key);
	put_str(w, "null");
}

void jsonwrt_end(struct jsonwrt *w)
{
	put(w, "\n", 1);
}

int jsonwrt_error(const struct jsonwrt *w)
{
	return -w->err;
}
