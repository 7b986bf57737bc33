// SPDX-License-Identifier: GPL-2.0-or-later
/* manager_systemd: systemd's own answers, over sd-bus: which socket unit
 * a socket held by PID 1 (or a user's manager) belongs to, and a
 * service's Restart=.  Read-only calls only (ListUnitsByPatterns and
 * property Gets), over AF_UNIX only, each connection and its calls
 * bounded by WB_MGR_TIMEOUT_MS: a bus that is absent or mute leaves the
 * manager unknown and says why. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "manager.h"
#include "sock.h"

#ifdef HAVE_SDBUS
#include <systemd/sd-bus.h>

#define SD_DEST		"org.freedesktop.systemd1"
#define SD_UNIT_PATH	"/org/freedesktop/systemd1/unit"

/* The system manager: the bus the environment names, else, as root,
 * systemd's own private socket (no bus daemon needed), else the system
 * bus.  A user's manager: its private socket (it admits its user and
 * root).  Only AF_UNIX addresses, and only one. */
static bool bus_address(const struct wb_manager *m, char *out, size_t cap,
			bool *client)
{
	const char *env = getenv("DBUS_SYSTEM_BUS_ADDRESS");

	*client = false;
	if (m->user_manager)
		snprintf(out, cap, "unix:path=/run/user/%u/systemd/private", m->uid);
	else if (env && *env)
		snprintf(out, cap, "%s", env), *client = true;
	else if (geteuid() == 0)
		snprintf(out, cap, "unix:path=/run/systemd/private");
	else
		snprintf(out, cap, "unix:path=/run/dbus/system_bus_socket"), *client = true;
	return !strncmp(out, "unix:", 5) && !strchr(out, ';');
}

/* Connected and authenticated by the deadline, or a reason. */
static sd_bus *bus_connect(const struct wb_manager *m, int64_t deadline,
			   const char **why)
{
	char addr[512];
	bool client;
	sd_bus *b = NULL;
	int r;

	*why = "the systemd manager's bus address is not AF_UNIX: not asked";
	if (!bus_address(m, addr, sizeof(addr), &client) || sd_bus_new(&b) < 0)
		return NULL;
	*why = "the systemd manager's bus is absent";
	if (sd_bus_set_address(b, addr) < 0 || sd_bus_set_bus_client(b, client) < 0 ||
	    sd_bus_start(b) < 0)
		return sd_bus_unref(b);
	*why = "the systemd manager did not answer within the timeout";
	while ((r = sd_bus_is_ready(b)) == 0) {
		int64_t left = deadline - wb_now_ms();

		if (left <= 0)
			return sd_bus_unref(b);
		if (sd_bus_process(b, NULL) > 0)
			continue;
		sd_bus_wait(b, (uint64_t)left * 1000);
	}
	if (r < 0) {
		*why = "the systemd manager's bus closed the connection";
		return sd_bus_unref(b);
	}
	/* 0 would be sd-bus's default of 25 s: at least 1 ms. */
	if (deadline - wb_now_ms() < 1) {
		*why = "the systemd manager did not answer within the timeout";
		return sd_bus_unref(b);
	}
	sd_bus_set_method_call_timeout(b, (uint64_t)(deadline - wb_now_ms()) * 1000);
	*why = NULL;
	return b;
}

static bool family_port(const char *a, int *family, struct wb_addr *ad, int *port)
{
	char host[128];
	const char *colon, *end;
	size_t n;

	if (strspn(a, "0123456789") == strlen(a)) {
		*family = 0;	/* every address, both families */
		*port = atoi(a);
		return *a != '\0';
	}
	if (*a == '[') {
		end = strchr(a, ']');
		if (!end || end[1] != ':')
			return false;
		n = strcspn(a + 1, "%]");
		colon = end + 1;
		*family = AF_INET6;
		a++;
	} else {
		colon = strrchr(a, ':');
		if (!colon)
			return false;
		n = (size_t)(colon - a);
		*family = AF_INET;
	}
	if (n >= sizeof(host))
		return false;
	memcpy(host, a, n);
	host[n] = '\0';
	*port = atoi(colon + 1);
	return inet_pton(*family, host, &ad->u) == 1;
}

static bool any_addr(const struct wb_addr *a)
{
	return a->family == AF_INET ? a->u.v4.s_addr == 0
		: IN6_IS_ADDR_UNSPECIFIED(&a->u.v6);
}

/* One Listen= entry (as the Listen property gives it) against s. */
static bool listen_matches(const char *type, const char *addr, const struct wb_sock *s)
{
	struct wb_addr a = { 0 };
	int family, port;

	if (s->family == AF_UNIX) {
		char name[WB_UNIX_NAME_MAX + 2];

		snprintf(name, sizeof(name), "%s%.*s", s->abstract ? "@" : "",
			 (int)s->path_len, s->path ? s->path : "");
		return s->path && !strcmp(addr, name);
	}
	if (strcmp(type, s->protocol == IPPROTO_UDP ? "Datagram" : "Stream"))
		return false;
	if (!family_port(addr, &family, &a, &port) || port != s->lport)
		return false;
	if (!family)
		return any_addr(&s->local);
	return family == s->family &&
	       !memcmp(&a.u, &s->local.u, family == AF_INET ? 4 : 16);
}

static bool unit_listens_on(sd_bus *b, const char *path, const struct wb_sock *s)
{
	sd_bus_message *reply = NULL;
	const char *type, *addr;
	bool found = false;

	if (sd_bus_get_property(b, SD_DEST, path, "org.freedesktop.systemd1.Socket",
				"Listen", NULL, &reply, "a(ss)") < 0)
		return false;
	if (sd_bus_message_enter_container(reply, 'a', "(ss)") >= 0)
		while (!found && sd_bus_message_read(reply, "(ss)", &type, &addr) > 0)
			found = listen_matches(type, addr, s);
	sd_bus_message_unref(reply);
	return found;
}

/* The socket unit's service: the first unit it triggers. */
static void socket_service(sd_bus *b, const char *path, struct wb_manager *m)
{
	char **triggers = NULL;

	if (sd_bus_get_property_strv(b, SD_DEST, path, "org.freedesktop.systemd1.Unit",
				     "Triggers", NULL, &triggers) < 0)
		return;
	if (triggers && triggers[0])
		snprintf(m->service, sizeof(m->service), "%s", triggers[0]);
	for (size_t i = 0; triggers && triggers[i]; i++)
		free(triggers[i]);
	free(triggers);
}

/* Does another holder run in the service (or, Accept=yes, an instance
 * of its template foo@.service)? */
static bool service_holds(const struct wb_sock *s, const char *service)
{
	size_t at = strcspn(service, "@");

	for (size_t i = 0; service[0] && i < s->n_owners; i++) {
		const char *u = s->owners[i].origin.unit;

		if (!strcmp(u, service) || (service[at] == '@' && !strncmp(u, service, at + 1)))
			return true;
	}
	return false;
}

/* What is left of the deadline for the next call (each call would get
 * the whole timeout again: the total is what is bounded); false when
 * nothing is. */
static bool bus_time_left(sd_bus *b, int64_t deadline)
{
	int64_t left = deadline - wb_now_ms();

	if (left < 1)
		return false;
	sd_bus_set_method_call_timeout(b, (uint64_t)left * 1000);
	return true;
}

static void find_socket_unit(sd_bus *b, const struct wb_sock *s, struct wb_manager *m,
			     int64_t deadline)
{
	sd_bus_message *reply = NULL;
	const char *name, *path, *skip;
	uint32_t job;
	int r;

	m->reason = "systemd did not list its socket units";
	r = sd_bus_call_method(b, SD_DEST, "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "ListUnitsByPatterns",
			       NULL, &reply, "asas", 0, 1, "*.socket");
	if (r < 0 || sd_bus_message_enter_container(reply, 'a', "(ssssssouso)") < 0)
		goto out;
	m->reason = "no socket unit of systemd listens on this address";
	while (sd_bus_message_read(reply, "(ssssssouso)", &name, &skip, &skip, &skip,
				   &skip, &skip, &path, &job, &skip, &skip) > 0) {
		if (!bus_time_left(b, deadline)) {
			m->reason = "the systemd manager did not answer within the timeout";
			break;
		}
		if (!unit_listens_on(b, path, s))
			continue;
		snprintf(m->name, sizeof(m->name), "%s", name);
		socket_service(b, path, m);
		m->service_holds = service_holds(s, m->service);
		m->reason = NULL;
		break;
	}
out:
	sd_bus_message_unref(reply);
}

void manager_systemd_socket(const struct wb_sock *s, struct wb_manager *m)
{
	int64_t deadline;
	sd_bus *b;

	m->kind = WB_MGR_SYSTEMD_SOCKET;
	m->restarts = WB_YES;	/* a connection starts the service again */
	for (size_t i = 0; i < s->n_owners; i++)
		if (!strcmp(s->owners[i].comm, "systemd")) {
			m->pid = s->owners[i].pid;
			m->user_manager = m->pid != 1;
			m->uid = s->owners[i].uid;
			break;
		}
	if (m->user_manager)
		manager_user_name(m->uid, m->user, sizeof(m->user));
	deadline = wb_now_ms() + WB_MGR_TIMEOUT_MS;
	b = bus_connect(m, deadline, &m->reason);
	if (b)
		find_socket_unit(b, s, m, deadline);
	sd_bus_flush_close_unref(b);
}

/* SIGTERM, the signal `kill` sends, is a clean exit to systemd: only
 * Restart=always and on-success start the service again after it. */
void manager_systemd_restart(const struct wb_owner *o, struct wb_manager *m)
{
	char *path = NULL, *restart = NULL;
	sd_bus *b;

	m->kind = WB_MGR_SYSTEMD_SERVICE;
	snprintf(m->name, sizeof(m->name), "%s", o->origin.unit);
	m->user_manager = o->origin.user_unit;
	m->uid = o->uid;
	b = bus_connect(m, wb_now_ms() + WB_MGR_TIMEOUT_MS, &m->reason);
	if (b && sd_bus_path_encode(SD_UNIT_PATH, o->origin.unit, &path) >= 0 &&
	    sd_bus_get_property_string(b, SD_DEST, path, "org.freedesktop.systemd1.Service",
				       "Restart", NULL, &restart) >= 0)
		m->restarts = !strcmp(restart, "always") || !strcmp(restart, "on-success");
	else if (b)
		m->reason = "systemd did not say the service's Restart=";
	free(restart);
	free(path);
	sd_bus_flush_close_unref(b);
}

#else	/* !HAVE_SDBUS */

void manager_systemd_socket(const struct wb_sock *s, struct wb_manager *m)
{
	(void)s;
	m->kind = WB_MGR_SYSTEMD_SOCKET;
	m->restarts = WB_YES;
	m->reason = "built without libsystemd: systemd was not asked";
}

void manager_systemd_restart(const struct wb_owner *o, struct wb_manager *m)
{
	m->kind = WB_MGR_SYSTEMD_SERVICE;
	snprintf(m->name, sizeof(m->name), "%s", o->origin.unit);
	m->reason = "built without libsystemd: systemd was not asked";
}

#endif
