/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fix: the safe fixes --fix may apply. */
#ifndef WB_FIX_H
#define WB_FIX_H

#include "whybind.h"
#include "unix.h"

/* Destroy exactly this TIME_WAIT socket (SOCK_DESTROY with its full
 * tuple and cookie; CAP_NET_ADMIN).  Returns 0 or -errno: -EPERM without
 * the capability, -EOPNOTSUPP without CONFIG_INET_DIAG_DESTROY, -ENOENT if
 * it is already gone. */
int fix_destroy_time_wait(const struct wb_sock *s);

/* Remove a stale AF_UNIX socket file, but only if it is still the file
 * that was judged stale (`seen`: same device and inode, still a socket)
 * and still no live socket of this namespace is bound to it, checked
 * right before unlink(2).  Returns 0, -ESTALE if the file changed,
 * -EBUSY if a live socket holds it now, or -errno. */
int fix_remove_stale_socket(const struct wb_unix_target *t,
			    const struct wb_unix_file *seen);

struct wb_diagnosis;
struct wb_diag_opts;

/* --fix: apply the safe fix the diagnosis allows, if any (destroy the
 * conflicting TIME_WAIT sockets when nothing else is in the way, or
 * remove a stale socket file), whole or not at all, then diagnose
 * again.  What was done, or why nothing, is left in d->fix_*.  Returns
 * 0, or -errno when the new diagnosis could not be made. */
int fix_apply(struct wb_diagnosis *d, const struct wb_diag_opts *o);

#endif
