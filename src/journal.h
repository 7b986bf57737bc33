/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journal: --watch's failures as structured journal entries. */
#ifndef WB_JOURNAL_H
#define WB_JOURNAL_H

#include <stdbool.h>
#include <sys/types.h>

/* whybind's own MESSAGE_ID: `journalctl MESSAGE_ID=...` finds every
 * failed bind --watch saw. */
#define WB_JOURNAL_MESSAGE_ID "c0d74de6afcc423fa2c0c4f25cec405a"

/* One failed bind, as the journal keeps it.  Strings may be NULL. */
struct wb_journal_entry {
	const char *message;		/* the human summary: MESSAGE */
	const char *protocol;		/* "tcp", "udp", "unix" */
	const char *address;		/* the address asked for, or the path */
	int port;			/* 0 for AF_UNIX */
	const char *errno_name;		/* "EADDRINUSE" */
	pid_t pid;
	const char *comm;
	const char *unit;		/* the failing process's unit */
	const char *cause;		/* the verdict's cause name */
	const char *holder_pids;	/* "812 813" */
	const char *holder_unit;
	unsigned long repeats;		/* a repeat run's count, else 0 */
};

/* Is stdout the journal (JOURNAL_STREAM names its device and inode)? */
bool journal_is_stdout(void);

/* Send one entry: 0 or -errno. */
int journal_send(const struct wb_journal_entry *e);

#endif
