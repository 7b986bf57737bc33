/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe: the bind the server wanted, tried and undone at once. */
#ifndef WB_PROBE_H
#define WB_PROBE_H

#include "whybind.h"

/* socket(), the request's options, bind(), close().  Never listen(),
 * connect(), send or receive.  A socket file an AF_UNIX probe created is
 * removed at once.  With req->user_given, done by a child that has
 * become that uid and gid.  Returns 0 if the bind succeeded, the
 * positive errno of bind() if it failed, or a negative errno if the probe
 * socket itself could not be set up.  *cookie: the probe socket's
 * SO_COOKIE, 0 if none was made. */
int probe_bind(const struct wb_request *req, uint64_t *cookie);

/* The sysctl net.ipv6.bindv6only of this namespace (0 when unreadable). */
bool probe_default_v6only(void);

/* net.ipv4.ip_unprivileged_port_start of this namespace, -1 unreadable. */
int probe_unprivileged_port_start(void);

#endif
