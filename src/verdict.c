// SPDX-License-Identifier: GPL-2.0-or-later
/* verdict: from the probe and the conflicting sockets, the cause and the
 * fixes, most useful first.  Pure: no system calls.  This file picks the
 * part that judges (verdict_impl.h lists them) and ranks the causes. */
#include "config.h"
#include <stdlib.h>
#include <string.h>

#include "verdict_impl.h"

static const char *const cause_names[] = {
	[WB_CAUSE_STOPPED] = "stopped",
	[WB_CAUSE_LISTENING] = "listening",
	[WB_CAUSE_BOUND] = "bound",
	[WB_CAUSE_ESTABLISHED] = "established",
	[WB_CAUSE_UDP_BOUND] = "udp-bound",
	[WB_CAUSE_TIME_WAIT] = "time-wait",
	[WB_CAUSE_FREE] = "free",
	[WB_CAUSE_PERMISSION] = "permission",
	[WB_CAUSE_ADDRESS_UNAVAILABLE] = "address-unavailable",
	[WB_CAUSE_UNIX_LIVE] = "unix-live",
	[WB_CAUSE_UNIX_STALE] = "unix-stale",
	[WB_CAUSE_UNIX_NOT_SOCKET] = "unix-not-socket",
	[WB_CAUSE_UNIX_NO_DIRECTORY] = "unix-no-directory",
	[WB_CAUSE_OTHER] = "other",
};

const char *wb_cause_name(enum wb_cause c)
{
	if ((unsigned)c < sizeof(cause_names) / sizeof(cause_names[0]))
		return cause_names[c];
	return NULL;
}

void verdict_set_cause(struct wb_verdict *v, enum wb_cause c)
{
	v->kind = c;
	v->cause = wb_cause_name(c);
}

void verdict_add_fix(struct wb_verdict *v, const char *action, char *text,
		     char *command)
{
	if (v->n_fixes == WB_MAX_FIXES) {
		free(text);
		free(command);
		return;
	}
	v->fixes[v->n_fixes++] = (struct wb_fix){ action, text, command };
}

enum wb_cause verdict_sock_cause(const struct wb_sock *s)
{
	if (sock_held_stopped(s))
		return WB_CAUSE_STOPPED;
	if (s->protocol == IPPROTO_UDP)
		return WB_CAUSE_UDP_BOUND;
	switch (s->state) {
	case WB_TCP_LISTEN:
		return WB_CAUSE_LISTENING;
	case WB_TCP_BOUND_INACTIVE:
	case WB_TCP_CLOSE:
		return WB_CAUSE_BOUND;
	case WB_TCP_TIME_WAIT:
		return WB_CAUSE_TIME_WAIT;
	default:
		return WB_CAUSE_ESTABLISHED;
	}
}

/* The port-in-use causes are ranked by their order in enum wb_cause. */
const struct wb_sock *verdict_main_sock(const struct wb_diagnosis *d,
					enum wb_cause *cause)
{
	const struct wb_sock *best = NULL;

	*cause = WB_CAUSE_OTHER;
	for (size_t i = 0; i < d->scan.socks.n; i++) {
		const struct wb_sock *s = &d->scan.socks.v[i];

		if (sock_in_the_way(s) && verdict_sock_cause(s) < *cause) {
			*cause = verdict_sock_cause(s);
			best = s;
		}
	}
	return best;
}

void verdict_make(const struct wb_diagnosis *d, struct wb_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->reuseaddr_fixes = d->probe.ok == WB_YES ? WB_UNKNOWN : d->probe.reuseaddr_ok;
	v->reuseport_fixes = d->probe.ok == WB_YES ? WB_UNKNOWN : d->probe.reuseport_ok;
	if (d->req.addr.family == AF_UNIX)
		verdict_unix(d, v, d->probe.probed ? d->probe.err : unix_expected_errno(d));
	else if (d->probe.ok == WB_YES)
		verdict_port_free(d, v);
	else if (bind_in_use(d))
		verdict_in_use(d, v);
	else
		verdict_other_error(d, v);
}

void verdict_free(struct wb_verdict *v)
{
	for (size_t i = 0; i < v->n_fixes; i++) {
		free(v->fixes[i].text);
		free(v->fixes[i].command);
	}
	free(v->summary);
	free(v->reuseaddr_why);
	free(v->reuseport_why);
	memset(v, 0, sizeof(*v));
}
