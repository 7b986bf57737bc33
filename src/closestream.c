// SPDX-License-Identifier: GPL-2.0-or-later
/* closestream: stdout checked at the end, in the manner of util-linux's
 * close_stdout().  A report cut short by a full disk or a reader that went
 * away must say so (exit 3), not end in silence with exit 0 or 1. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio_ext.h>
#include <string.h>

#include "closestream.h"

int close_stream(FILE *f)
{
	bool pending = __fpending(f) != 0;
	bool failed = ferror(f) != 0;
	int rc;

	errno = 0;
	rc = fclose(f);
	if (rc != 0 && (pending || errno != EBADF))
		return errno ? -errno : -EIO;
	return failed ? -EIO : 0;
}

void stdout_no_sigpipe(void)
{
	/* Only ever before reporting: --exec's command must not inherit
	 * an ignored SIGPIPE (exec() keeps it), and runs before this. */
	signal(SIGPIPE, SIG_IGN);
}

int close_stdout(int rc)
{
	int crc = close_stream(stdout);

	return rc < 0 ? rc : crc;
}

const char *close_stdout_text(int rc)
{
	static char msg[96];

	snprintf(msg, sizeof(msg), "cannot write the report to stdout: %s",
		 strerror(-rc));
	return msg;
}
