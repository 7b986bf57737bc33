/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns: diagnose inside another network namespace. */
#ifndef WB_NETNS_H
#define WB_NETNS_H

#include <sys/types.h>

/* Enter the network namespace named by an `ip netns` NAME, a PATH such
 * as /proc/PID/ns/net, or a PID.  Only the network namespace changes:
 * /proc is still read from the caller's view, so owners are found.
 * Returns 0 or -errno (-ENOENT: no such namespace). */
int netns_enter(const char *spec);

/* Enter process pid's network namespace for a while: *back is set to a
 * descriptor of ours to return to with netns_restore(), or to -1 when we
 * are in it already (nothing to undo).  Returns 0 or -errno. */
int netns_enter_pid(pid_t pid, int *back);

/* Return to the namespace netns_enter_pid() left, and close *back.
 * Returns 0 or -errno. */
int netns_restore(int *back);

#endif
