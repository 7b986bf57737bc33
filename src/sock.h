/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sock: what every stage asks of one socket seen on the port, spelled
 * once: its state's name, whether it is in the way, a TIME_WAIT's time. */
#ifndef WB_SOCK_H
#define WB_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "whybind.h"

/* In the way: it blocks the request, or may (the rules could not tell).
 * Such a socket is a conflict: named, listed, waited on, fixed. */
static inline bool sock_in_the_way(const struct wb_sock *s)
{
	return s->blocks != WB_NO;
}

/* A TCP TIME_WAIT socket: no process holds it; the kernel ends it. */
static inline bool sock_is_time_wait(const struct wb_sock *s)
{
	return s->protocol == IPPROTO_TCP && s->state == WB_TCP_TIME_WAIT;
}

/* The time left to the last TIME_WAIT socket in the way, in ms as the
 * kernel shows it (0: due, not yet fired); -1 when none is in the way. */
int64_t socks_time_wait_left_ms(const struct wb_socklist *l);

/* "LISTEN", "TIME_WAIT", "BOUND", "UNCONN", ... for a socket. */
const char *sock_state_name(const struct wb_sock *s);
/* A socket whose every visible holder is stopped (T) or traced (t). */
bool sock_held_stopped(const struct wb_sock *s);

#endif
