// SPDX-License-Identifier: GPL-2.0-or-later
/* The streaming writer against jansson's own dump: the same layout
 * (JSON_INDENT(2) and JSON_COMPACT) and the same string escapes, so a
 * document written a value at a time reads as a whole tree dumped. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "escape.h"
#include "jsonwrt.h"
#include "unit.h"

#define PRETTY	(JSON_INDENT(2) | JSON_PRESERVE_ORDER)
#define COMPACT	(JSON_COMPACT | JSON_PRESERVE_ORDER)

/* A small document of every kind of value, empty containers included. */
static void write_doc(struct jsonwrt *w, const char *s, size_t len)
{
	jsonwrt_object_open(w, NULL);
	jsonwrt_int(w, "version", 1);
	jsonwrt_string_n(w, "s", s, len);
	jsonwrt_null(w, "n");
	jsonwrt_bool(w, "t", true);
	jsonwrt_bool(w, "f", false);
	jsonwrt_int(w, "neg", -4294967296LL);
	jsonwrt_array_open(w, "empty");
	jsonwrt_array_close(w);
	jsonwrt_object_open(w, "none");
	jsonwrt_object_close(w);
	jsonwrt_array_open(w, "list");
	jsonwrt_object_open(w, NULL);
	jsonwrt_string(w, "k", NULL);
	jsonwrt_array_open(w, "inner");
	jsonwrt_int(w, NULL, 7);
	jsonwrt_string(w, NULL, "x");
	jsonwrt_array_close(w);
	jsonwrt_object_close(w);
	jsonwrt_int(w, NULL, 0);
	jsonwrt_array_close(w);
	jsonwrt_object_close(w);
}

static json_t *tree_doc(const char *s, size_t len)
{
	char *e = wb_escape(s, len, WB_ESC_JSON);
	json_t *j = json_pack("{s:i, s:s, s:n, s:b, s:b, s:I, s:[], s:{},"
			      " s:[{s:n, s:[i, s]}, i]}",
			      "version", 1, "s", e, "n", "t", 1, "f", 0,
			      "neg", (json_int_t)-4294967296LL, "empty", "none",
			      "list", "k", "inner", 7, "x", 0);

	free(e);
	return j;
}

static char *written(const char *s, size_t len, bool pretty)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct jsonwrt w;

	jsonwrt_init(&w, f, pretty);
	write_doc(&w, s, len);
	CHECK(jsonwrt_error(&w) == 0);
	fclose(f);
	return buf;
}

static void same(const char *s, size_t len)
{
	json_t *t = tree_doc(s, len);

	for (int pretty = 0; pretty < 2; pretty++) {
		char *want = t ? json_dumps(t, pretty ? PRETTY : COMPACT) : NULL;
		char *got = written(s, len, pretty);

		CHECK_STR(got, want);
		free(want);
		free(got);
	}
	json_decref(t);
}

int main(void)
{
	char all[256];

	same("nginx", 5);
	same("", 0);
	same("q\"b\\s/", 6);
	same("\x1b[2J\x07\b\f\n\r\t\x7f", 12);
	same("caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80", 14);
	same("bad\xff\xfe", 5);			/* \xNN, then escaped */
	same("nul\0in", 6);
	for (int c = 0; c < 256; c++)
		all[c] = (char)c;
	same(all, sizeof(all));
	for (int c = 1; c < 256; c++) {
		char one = (char)c;

		same(&one, 1);
	}

	/* A failed write is kept: its errno, and nothing more is tried. */
	FILE *full = fopen("/dev/full", "w");

	if (full) {
		struct jsonwrt w;

		setvbuf(full, NULL, _IONBF, 0);
		jsonwrt_init(&w, full, true);
		write_doc(&w, "x", 1);
		CHECK(jsonwrt_error(&w) == -ENOSPC);
		fclose(full);
	}
	return unit_done();
}
