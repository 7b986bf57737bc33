/* fix: the safe fixes --fix may apply. */
#ifndef WB_FIX_H
#define WB_FIX_H

#include "whybind.h"

/* Destroy exactly this TIME_WAIT socket (SOCK_DESTROY with its full
 * tuple and cookie; CAP_NET_ADMIN).  Returns 0 or -errno: -EPERM without
 * the capability, -EOPNOTSUPP without CONFIG_INET_DIAG_DESTROY, -ENOENT if
 * it is already gone. */
int fix_destroy_time_wait(const struct wb_sock *s);

#endif
