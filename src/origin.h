/* SPDX-License-Identifier: GPL-2.0-or-later */
/* origin: where a process comes from -- its systemd unit, its container,
 * the shell that stopped it, the debugger that traces it. */
#ifndef WB_ORIGIN_H
#define WB_ORIGIN_H

#include "whybind.h"

/* Fill unit, user_unit, runtime, container, pod, leader_comm and tracer
 * of an owner from /proc.  A process that has gone leaves them empty. */
void origin_read(struct wb_owner *o);

/* A process traced by `tracer` (--exec, that is us) shows as traced-
 * stopped ('t') only because it is held at a bind, this one or another:
 * it is running, not a stopped job (a server that binds the same port
 * twice holds the socket in the way itself).  Say so of every owner. */
void origin_unhold(struct wb_sock *socks, size_t n, pid_t tracer);

/* Is a unit name a service's ("nginx.service"), not a scope or slice? */
bool origin_is_service(const char *unit);

/* Pure: parse the text of /proc/PID/cgroup (cgroup v2 "0::/path" or the
 * v1 "N:name=systemd:/path" line). */
void origin_parse_cgroup(const char *buf, size_t len, struct wb_origin *o);

#endif
