/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc: what /proc says of one process, read on one /proc/PID directory
 * descriptor: files opened relative to it come from the same process even
 * if its pid is reused meanwhile (they fail once it has exited). */
#ifndef WB_PROC_H
#define WB_PROC_H

#include "whybind.h"

/* /proc/PID/status, the lines whybind uses. */
struct wb_proc_status {
	char name[64];			/* Name:, as the kernel escapes it */
	pid_t tgid;
	uid_t euid;			/* the second number of Uid: */
	gid_t egid;			/* and of Gid: */
	pid_t tracer;			/* TracerPid: */
};

/* /proc/PID opened under procfd (a descriptor of /proc, or -1 for the
 * path "/proc/PID"): a directory descriptor, or -errno. */
int proc_open(int procfd, pid_t pid);

/* pid, comm, state, ppid, sid, tty, start_time, uid and cmdline of the
 * process at piddir, each file read once.  What cannot be read stays
 * empty (uid: (uid_t)-1, cmdline: NULL).  The caller frees o->cmdline. */
void proc_describe(int piddir, pid_t pid, struct wb_owner *o);

/* stat's starttime (clock ticks after boot); 0 if it cannot be read. */
unsigned long long proc_start_time(int piddir);

/* The comm file without its newline, NUL-terminated; its length, 0 if
 * unreadable. */
size_t proc_comm(int piddir, char *buf, size_t cap);

/* The status file: the fields it has are set, the others keep what the
 * caller put there.  0, or -errno if it cannot be read. */
int proc_status(int piddir, struct wb_proc_status *st);

/* Pure parsers of /proc text, for the above and for tests. */
int proc_parse_stat(const char *buf, size_t len, struct wb_owner *o);
void proc_parse_status(const char *buf, size_t len, struct wb_proc_status *st);
char *proc_join_cmdline(const char *buf, size_t len);
void proc_tty_name(int tty_nr, char *out, size_t cap);

#endif
