/* SPDX-License-Identifier: GPL-2.0-or-later */
/* escape: the one way untrusted bytes leave the program. */
#ifndef WB_ESCAPE_H
#define WB_ESCAPE_H

#include <stddef.h>

enum wb_escape_mode {
	/* Control bytes, C1 controls, invalid UTF-8 and the backslash become
	 * \xNN (\\ for backslash): safe to write to a terminal. */
	WB_ESC_TERM,
	/* Invalid UTF-8 becomes \xNN; the rest is kept for the JSON encoder,
	 * which escapes control characters itself.  Always valid UTF-8. */
	WB_ESC_JSON,
	/* Quote for a POSIX shell command line (single quotes). */
	WB_ESC_SHELL,
};

/* Returns a newly allocated NUL-terminated string. */
char *wb_escape(const char *buf, size_t len, enum wb_escape_mode mode);

/* wb_escape over a NUL-terminated string; NULL stays NULL. */
char *wb_escape_str(const char *s, enum wb_escape_mode mode);

#endif
