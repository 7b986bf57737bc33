// SPDX-License-Identifier: GPL-2.0-or-later
/* sock: names and predicates of one socket, shared by every stage. */
#include "config.h"

#include "sock.h"

const char *sock_state_name(const struct wb_sock *s)
{
	static const char *const tcp[] = {
		[WB_TCP_ESTABLISHED] = "ESTABLISHED", [WB_TCP_SYN_SENT] = "SYN_SENT",
		[WB_TCP_SYN_RECV] = "SYN_RECV", [WB_TCP_FIN_WAIT1] = "FIN_WAIT1",
		[WB_TCP_FIN_WAIT2] = "FIN_WAIT2", [WB_TCP_TIME_WAIT] = "TIME_WAIT",
		[WB_TCP_CLOSE] = "CLOSE", [WB_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
		[WB_TCP_LAST_ACK] = "LAST_ACK", [WB_TCP_LISTEN] = "LISTEN",
		[WB_TCP_CLOSING] = "CLOSING", [WB_TCP_NEW_SYN_RECV] = "SYN_RECV",
		[WB_TCP_BOUND_INACTIVE] = "BOUND",
	};

	if (s->protocol == IPPROTO_UDP ||
	    (s->family == AF_UNIX && s->state != WB_TCP_LISTEN))
		return s->state == WB_TCP_ESTABLISHED ? "ESTABLISHED" : "UNCONN";
	if (s->state > 0 && s->state <= WB_TCP_BOUND_INACTIVE)
		return tcp[s->state];
	return "UNKNOWN";
}

bool sock_held_stopped(const struct wb_sock *s)
{
	for (size_t i = 0; i < s->n_owners; i++)
		if (s->owners[i].state != 'T' && s->owners[i].state != 't')
			return false;
	return s->n_owners > 0;
}

int64_t socks_time_wait_left_ms(const struct wb_socklist *l)
{
	int64_t max = -1;

	for (size_t i = 0; i < l->n; i++) {
		const struct wb_sock *s = &l->v[i];

		if (sock_in_the_way(s) && sock_is_time_wait(s) && s->expires_ms > max)
			max = s->expires_ms;
	}
	return max;
}
