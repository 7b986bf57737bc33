/* SPDX-License-Identifier: GPL-2.0-or-later */
/* manager: what owns the life of each conflicting socket's holders -- a
 * systemd socket unit or service, a container engine, a process
 * supervisor, a prefork parent -- from exact facts (the socket's holders,
 * their parents, environments and cgroups, and the managers' own
 * read-only answers over AF_UNIX), so that the first fix goes through
 * it and never signals the manager itself. */
#ifndef WB_MANAGER_H
#define WB_MANAGER_H

#include "whybind.h"

enum wb_manager_kind {
	WB_MGR_NONE,
	WB_MGR_SYSTEMD_SOCKET,
	WB_MGR_SYSTEMD_SERVICE,
	WB_MGR_DOCKER,
	WB_MGR_PODMAN,
	WB_MGR_SUPERVISORD,
	WB_MGR_PM2,
	WB_MGR_RUNIT,
	WB_MGR_S6,
	WB_MGR_PARENT,
};

/* Strings are raw bytes from /proc or from the manager: escape them. */
struct wb_manager {
	enum wb_manager_kind kind;
	char name[256];			/* as the manager names it: unit,
					 * container, program, service
					 * directory, parent's comm; "" unknown */
	char id[72];			/* a container's (short) id, else "" */
	pid_t pid;			/* the parent, the supervisor; 0 unknown */
	int restarts;			/* enum wb_tri: would a kill be undone */
	const char *reason;		/* static: what could not be asked, or NULL */

	/* A prefork tree among the holders (with any kind). */
	pid_t master;			/* the holder the others descend from, 0 none */
	unsigned workers;		/* the other holders: its descendants */

	/* systemd-socket: the socket unit's service, and whether it holds
	 * the socket too; a user manager's user. */
	char service[256];
	bool service_holds;
	bool user_manager;
	char user[64];			/* also pm2: the holder's user */
	uid_t uid;

	char group[128];		/* supervisord: the program's group */
	char config[256];		/* supervisord -c FILE; pm2: PM2_HOME */

	/* docker-proxy, from its command line (0, "": not given). */
	char proto[8];
	char container_ip[64];
	int container_port;
	int host_port;
};

/* One per socket of the scan, in the same order. */
struct wb_managers {
	struct wb_manager *v;
	size_t n;
};

/* Stage 3b: the manager of every socket in the way (read as const).
 * Asks systemd and the container engine only when a holder is theirs,
 * each question bounded by WB_MGR_TIMEOUT_MS. */
void manager_find(const struct wb_socklist *socks, struct wb_managers *m);
void managers_free(struct wb_managers *m);

#define WB_MGR_TIMEOUT_MS	1000

/* "systemd-socket", "parent", ...; NULL for WB_MGR_NONE. */
const char *manager_kind_name(enum wb_manager_kind k);

/* A process no fix may signal: PID 1, a systemd user manager, a
 * container engine, a process supervisor (pure: comm and pid). */
bool manager_untouchable(const struct wb_owner *o);
/* The same from a pid and a comm (a tracer, a parent). */
bool manager_untouchable_comm(pid_t pid, const char *comm);

/* For manager_*.c. */
/* The user's name, or its number. */
void manager_user_name(uid_t uid, char *out, size_t cap);
/* The socket units of the systemd manager holding s (pid 1, or a user
 * manager of uid): name, service, whether the service holds it. */
void manager_systemd_socket(const struct wb_sock *s, struct wb_manager *m);
/* A service's Restart=: m->restarts, or m->reason. */
void manager_systemd_restart(const struct wb_owner *o, struct wb_manager *m);
/* docker-proxy's container, from the Engine API, else from its command line. */
void manager_docker_proxy(const struct wb_owner *o, struct wb_manager *m);

#endif
