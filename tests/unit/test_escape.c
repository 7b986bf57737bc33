// SPDX-License-Identifier: GPL-2.0-or-later
/* Untrusted bytes on their way to a terminal, JSON or a shell. */
#include "config.h"
#include <stdlib.h>

#include "escape.h"
#include "unit.h"

static void expect(const char *in, size_t len, enum wb_escape_mode m,
		   const char *want)
{
	char *got = wb_escape(in, len, m);

	CHECK_STR(got, want);
	free(got);
}

#define T(in, want) expect(in, sizeof(in) - 1, WB_ESC_TERM, want)
#define J(in, want) expect(in, sizeof(in) - 1, WB_ESC_JSON, want)
#define S(in, want) expect(in, sizeof(in) - 1, WB_ESC_SHELL, want)

int main(void)
{
	T("nginx", "nginx");
	T("", "");
	T("a\033[2Jb", "a\\x1b[2Jb");
	T("tab\there", "tab\\x09here");
	T("nul\0x", "nul\\x00x");
	T("back\\slash", "back\\\\slash");
	T("caf\xc3\xa9", "caf\xc3\xa9");			/* valid UTF-8 stays */
	T("c1\xc2\x9b" "31m", "c1\\xc2\\x9b31m");		/* C1 CSI */
	T("bidi\xe2\x80\xae", "bidi\\xe2\\x80\\xae");		/* U+202E */
	T("bad\xff\xfe", "bad\\xff\\xfe");
	T("overlong\xc0\xaf", "overlong\\xc0\\xaf");
	T("surrogate\xed\xa0\x80", "surrogate\\xed\\xa0\\x80");
	T("cut\xe2\x82", "cut\\xe2\\x82");
	T("del\x7f", "del\\x7f");
	T("emoji\xf0\x9f\x98\x80", "emoji\xf0\x9f\x98\x80");

	J("a\033b", "a\033b");				/* the encoder escapes it */
	J("bad\xff", "bad\\xff");
	J("caf\xc3\xa9", "caf\xc3\xa9");
	J("back\\slash", "back\\slash");
	J("nul\0inside", "nul\\x00inside");		/* found by fuzz_escape */
	T("nul\0inside", "nul\\x00inside");

	S("nginx.service", "nginx.service");
	S("my app", "'my app'");
	S("it's", "'it'\\''s'");
	S("", "''");
	S("esc\033x", "$'esc\\x1bx'");
	S("q'\033", "$'q\\'\\x1b'");
	S("bad\xff", "$'bad\\xff'");
	S("nul\0inside", "$'nul\\x00inside'");	/* not "nul" */
	return unit_done();
}
