/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: run the server under whybind and diagnose its failing binds. */
#ifndef WB_EXEC_H
#define WB_EXEC_H

#include "diagnose.h"

struct wb_exec_opts {
	bool json;			/* one compact JSON object a line */
	bool quiet;			/* no reports at all */
	int color;			/* enum wb_tri: WB_UNKNOWN = auto (stderr) */
	struct wb_diag_opts dopts;
};

/* Run argv (argv[0] looked up in PATH) as whybind's child, traced at
 * bind() alone, and report each bind() of it, its threads and its
 * children that fails, on stderr.  Returns the command's exit status
 * (128+N when signal N killed it) once every traced process has exited,
 * or a negative errno with *err a static reason when the command could
 * not be started as promised: -ENOENT and -EACCES when execvp() failed
 * (the shell's 127 and 126), others before the command ran (exit 3). */
int exec_run(char *const argv[], const struct wb_exec_opts *o, const char **err);

#endif
