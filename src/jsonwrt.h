/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonwrt: a streaming JSON writer, a value at a time, straight to a FILE.
 *
 * The caller opens and closes objects and arrays and writes keyed or bare
 * values; the writer keeps the indentation and the commas.  Its layout is
 * that of jansson's json_dumpf() with JSON_INDENT(2) (pretty) or
 * JSON_COMPACT, so that a document written here reads as a whole tree
 * dumped would.  Strings are the one place bytes become JSON text: any
 * bytes go in, valid UTF-8 JSON comes out (escape.c's WB_ESC_JSON first).
 */
#ifndef WB_JSONWRT_H
#define WB_JSONWRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONWRT_MAX_DEPTH	32

struct jsonwrt {
	FILE *out;
	bool pretty;			/* newlines and two spaces a level */
	int depth;			/* open objects and arrays */
	uint32_t filled;		/* bit d: level d has a member already */
	int err;			/* the first write's errno, or 0 */
};

void jsonwrt_init(struct jsonwrt *w, FILE *out, bool pretty);

/* `key` names the member in an object; NULL in an array or at the top. */
void jsonwrt_object_open(struct jsonwrt *w, const char *key);
void jsonwrt_object_close(struct jsonwrt *w);
void jsonwrt_array_open(struct jsonwrt *w, const char *key);
void jsonwrt_array_close(struct jsonwrt *w);

/* Any bytes; NULL is null.  The _n form takes a length (NULs included). */
void jsonwrt_string(struct jsonwrt *w, const char *key, const char *s);
void jsonwrt_string_n(struct jsonwrt *w, const char *key, const char *s,
		      size_t len);
void jsonwrt_int(struct jsonwrt *w, const char *key, long long v);
void jsonwrt_bool(struct jsonwrt *w, const char *key, bool v);
void jsonwrt_null(struct jsonwrt *w, const char *key);

/* After the top-level value: the newline that ends the document. */
void jsonwrt_end(struct jsonwrt *w);

/* 0, or the negative errno of the first write that failed. */
int jsonwrt_error(const struct jsonwrt *w);

#endif
