/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli: the command line (argp), read into what main() needs. */
#ifndef WB_CLI_H
#define WB_CLI_H

#include "diagnose.h"
#include "request.h"

struct wb_cli {
	struct wb_request_opts req;	/* the bind, as the command line says it */
	bool json, quiet;
	struct wb_diag_opts dopts;	/* --no-probe, --verbose */
	bool fix;
	long wait_s;			/* -1: do not wait */
	bool proto_given;		/* -t or -u (AF_UNIX: stream or dgram) */
	int color;			/* enum wb_tri: WB_UNKNOWN = auto */
	const char *bad_arg;		/* the argument a usage error is about */
	const char *error;		/* usage error, reported once by main */
	char **exec_argv;		/* --exec COMMAND [ARG...], NULL-terminated */
	const char *message;		/* -m: an error message, "-" for stdin */
	bool watch;			/* --watch: the arguments are filters */
	bool journal;			/* --journal */
	char **watch_args;
	int n_watch_args;
};

/* Read argv into o (argp: --help, --usage and --version print and exit
 * here).  0, or -EINVAL with o->error (and o->bad_arg, the argument it
 * is about, or NULL) set for main to report. */
int cli_parse(int argc, char **argv, struct wb_cli *o);

#endif
