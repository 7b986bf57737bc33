// SPDX-License-Identifier: GPL-2.0-or-later
/* Untrusted bytes out: the terminal form has no control byte and is
 * valid UTF-8; the JSON form is accepted by jansson (valid UTF-8); the
 * shell form reads back... at least contains no raw control byte. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "escape.h"

static void check_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
	json_t *j = json_string(s);	/* valid UTF-8, or NULL */

	if (!j)
		abort();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *term = wb_escape((const char *)data, size, WB_ESC_TERM);
	char *js = wb_escape((const char *)data, size, WB_ESC_JSON);
	char *sh = wb_escape((const char *)data, size, WB_ESC_SHELL);
	json_t *j = json_string(js);

	check_clean(term);
	check_clean(sh);
	if (!j)
		abort();
	json_decref(j);
	free(term);
	free(js);
	free(sh);
	return 0;
}
