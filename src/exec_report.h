/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec_report: one failed bind() of a traced server, read, diagnosed and
 * reported on stderr while the server is held at that call. */
#ifndef WB_EXEC_REPORT_H
#define WB_EXEC_REPORT_H

#include <sys/socket.h>
#include "exec.h"

struct wb_exec_bind {
	pid_t tid;			/* the thread held at its bind() */
	int fd;				/* bind()'s arguments */
	struct sockaddr_storage addr;	/* as read from the server */
	socklen_t addrlen;		/* bytes of addr read (at most its size) */
	bool addr_read;
	int err;			/* bind()'s errno in the server */
};

/* Read the server's socket (pidfd_getfd, getsockopt, close), diagnose
 * exactly that bind in the server's network namespace, and write the
 * report to stderr in one write.  Never fails: what cannot be read is
 * said in the report. */
void exec_report_bind(const struct wb_exec_bind *b, const struct wb_exec_opts *o);

#endif
