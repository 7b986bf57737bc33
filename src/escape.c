// SPDX-License-Identifier: GPL-2.0-or-later
/* escape: untrusted bytes (process names, command lines, paths) made safe
 * for a terminal, for JSON, or for a shell command line. */
#include "config.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "strbuf.h"

static void put_hex(struct wb_strbuf *b, unsigned char c)
{
	char hex[5];

	snprintf(hex, sizeof(hex), "\\x%02x", c);
	strbuf_put(b, hex, 4);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid;
 * *cp receives the code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len;
	unsigned c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that change what a terminal shows: C0 and C1 controls,
 * DEL, and the bidirectional overrides that can disguise text. */
static bool unsafe_on_terminal(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029;
}

static bool shell_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("_./:@%+=,-", c));
}

static void escape_term_json(struct wb_strbuf *b, const unsigned char *s, size_t n,
			     enum wb_escape_mode mode)
{
	size_t i = 0;

	while (i < n) {
		unsigned cp;
		size_t len = utf8_seq(s + i, n - i, &cp);

		if (len == 0) {
			put_hex(b, s[i++]);
			continue;
		}
		/* A NUL would end the C string the caller gets back. */
		if ((mode == WB_ESC_TERM && unsafe_on_terminal(cp)) || cp == 0) {
			for (size_t j = 0; j < len; j++)
				put_hex(b, s[i + j]);
		} else if (mode == WB_ESC_TERM && cp == '\\') {
			strbuf_put(b, "\\\\", 2);
		} else {
			strbuf_put(b, (const char *)s + i, len);
		}
		i += len;
	}
}

/* Plain words as they are; printable text in '...'; anything else in
 * bash's $'...' with \xNN, so the command is both safe and runnable. */
static void escape_shell(struct wb_strbuf *b, const unsigned char *s, size_t n)
{
	bool plain = n > 0, printable = true;
	size_t i;

	for (i = 0; i < n; i++)
		plain = plain && shell_plain(s[i]);
	for (i = 0; i < n && printable;) {
		unsigned cp;
		size_t len = utf8_seq(s + i, n - i, &cp);

		printable = len > 0 && !unsafe_on_terminal(cp);
		i += len ? len : 1;
	}
	if (plain) {
		strbuf_put(b, (const char *)s, n);
	} else if (printable) {
		strbuf_put(b, "'", 1);
		for (i = 0; i < n; i++) {
			if (s[i] == '\'')
				strbuf_put(b, "'\\''", 4);
			else
				strbuf_put(b, (const char *)s + i, 1);
		}
		strbuf_put(b, "'", 1);
	} else {
		strbuf_put(b, "$'", 2);
		for (i = 0; i < n; i++) {
			if (s[i] == '\'' || s[i] == '\\') {
				strbuf_put(b, "\\", 1);
				strbuf_put(b, (const char *)s + i, 1);
			} else if (s[i] < 0x20 || s[i] >= 0x7f) {
				put_hex(b, s[i]);
			} else {
				strbuf_put(b, (const char *)s + i, 1);
			}
		}
		strbuf_put(b, "'", 1);
	}
}

char *wb_escape(const char *buf, size_t len, enum wb_escape_mode mode)
{
	struct wb_strbuf b = { 0 };

	if (mode == WB_ESC_SHELL)
		escape_shell(&b, (const unsigned char *)buf, len);
	else
		escape_term_json(&b, (const unsigned char *)buf, len, mode);
	return strbuf_steal(&b);
}

char *wb_escape_str(const char *s, enum wb_escape_mode mode)
{
	return s ? wb_escape(s, strlen(s), mode) : NULL;
}
