/* SPDX-License-Identifier: GPL-2.0-or-later */
/* request: the command line's target, turned into binds to diagnose. */
#ifndef WB_REQUEST_H
#define WB_REQUEST_H

#include <sys/socket.h>

#include "whybind.h"

/* What the command line says of the bind, before it is resolved. */
struct wb_request_opts {
	const char *target;		/* [ADDRESS:]PORT, PATH or @NAME */
	int protocol;			/* IPPROTO_TCP or IPPROTO_UDP */
	int family;			/* -4, -6: for a bare PORT or a host name */
	bool reuseaddr, reuseport;
	int v6only;			/* enum wb_tri: WB_UNKNOWN = the sysctl */
	const char *interface;		/* -i, a device name */
	const char *user;		/* -U, a name or a uid */
	const char *netns;		/* -n, only for the device's error text */
};

/* Every bind the command line asks for: one AF_UNIX request, or one per
 * address of [ADDRESS:]PORT.  Returns the count (>0), or -errno with
 * *bad the argument at fault and *err a static message. */
int request_build(const struct wb_request_opts *o, struct wb_request **out,
		  const char **bad, const char **err);

struct wb_sockopts;

/* The request a server's own bind() makes: its address as it passed it,
 * its socket's protocol and options, its effective user (--exec, and
 * every other source of a real bind); s NULL when the socket could not
 * be read.  NULL, or why it cannot be diagnosed. */
const char *request_from_sockaddr(const struct sockaddr_storage *a,
				  socklen_t alen, const struct wb_sockopts *s,
				  uid_t euid, gid_t egid, struct wb_request *r);

struct wb_target {
	char *host;			/* NULL for a bare PORT */
	char *port;
};

/* Split "[ADDRESS:]PORT" ("8080", "127.0.0.1:80", "[::1]:80", "*:80",
 * "localhost:http").  Returns 0 or -EINVAL with *err set to a static
 * message. */
int request_split(const char *arg, struct wb_target *t, const char **err);

/* Resolve a port number or a service name for the protocol. */
int request_port(const char *s, int protocol, uint16_t *port,
		 const char **err);

/* Parse a numeric address: IPv4, IPv6 with an optional %zone (in
 * brackets or not), "*" for the wildcard of `family` (AF_INET when
 * AF_UNSPEC).  Returns 0, or -EINVAL when it is not numeric. */
int request_addr_numeric(const char *s, int family, struct wb_addr *a,
			 const char **err);

/* Every address to diagnose: the numeric one, or a host name's local
 * resolutions (getaddrinfo), de-duplicated, filtered by `family`
 * (AF_UNSPEC for both).  Returns the count (>0) or -errno. */
int request_addrs(const char *host, int family, struct wb_addr **out,
		  const char **err);

void target_free(struct wb_target *t);

/* Text form "0.0.0.0", "::1", "fe80::1%lo" (buf >= WB_ADDRSTRLEN). */
#define WB_ADDRSTRLEN (INET6_ADDRSTRLEN + IF_NAMESIZE + 2)
const char *addr_str(const struct wb_addr *a, char *buf, size_t cap);
bool addr_is_any(const struct wb_addr *a);

#endif
