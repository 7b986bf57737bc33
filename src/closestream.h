/* SPDX-License-Identifier: GPL-2.0-or-later */
/* closestream: what was written to stdout really went out, or why not. */
#ifndef WB_CLOSESTREAM_H
#define WB_CLOSESTREAM_H

#include <stdio.h>

/* Flush and close the stream: 0, or the negative errno of what failed
 * (-EIO when an earlier write failed and its errno is gone).  A stream
 * closed before we started (EBADF, nothing pending) is no error. */
int close_stream(FILE *f);

/* Before a report goes to stdout: a reader gone becomes EPIPE from the
 * write (reported, exit 3) instead of a SIGPIPE that kills us midway. */
void stdout_no_sigpipe(void);

/* At the end of the report: `rc` is the report's own result (0 or
 * -errno); stdout is closed either way.  0, or the first failure. */
int close_stdout(int rc);

/* The line main prints for that failure (a static buffer). */
const char *close_stdout_text(int rc);

#endif
