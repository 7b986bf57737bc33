// SPDX-License-Identifier: GPL-2.0-or-later
/* request: "[ADDRESS:]PORT" into the addresses and port to diagnose. */
#include "config.h"
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "request.h"

/* Longest argument we look at: a host name is at most 253 bytes. */
#define MAX_ARG 300

int request_split(const char *arg, struct wb_target *t, const char **err)
{
	const char *colon;

	memset(t, 0, sizeof(*t));
	if (strnlen(arg, MAX_ARG + 1) > MAX_ARG) {
		*err = "argument too long";
		return -EINVAL;
	}
	for (const char *p = arg; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*err = "control character in the argument";
			return -EINVAL;
		}
	}
	if (arg[0] == '[') {
		const char *end = strchr(arg, ']');

		if (!end) {
			*err = "missing ']' after IPv6 address";
			return -EINVAL;
		}
		if (end[1] != ':' || end[2] == '\0') {
			*err = "expected [ADDRESS]:PORT";
			return -EINVAL;
		}
		t->host = strndup(arg + 1, end - arg - 1);
		t->port = xstrdup(end + 2);
		return 0;
	}
	colon = strrchr(arg, ':');
	if (!colon) {
		t->port = xstrdup(arg);
		return 0;
	}
	if (strchr(arg, ':') != colon) {
		*err = "an IPv6 address needs brackets: [ADDRESS]:PORT";
		return -EINVAL;
	}
	if (colon == arg || colon[1] == '\0') {
		*err = "expected ADDRESS:PORT";
		return -EINVAL;
	}
	t->host = strndup(arg, colon - arg);
	t->port = xstrdup(colon + 1);
	return 0;
}

void target_free(struct wb_target *t)
{
	free(t->host);
	free(t->port);
	t->host = t->port = NULL;
}

int request_port(const char *s, int protocol, uint16_t *port,
		 const char **err)
{
	const char *proto = protocol == IPPROTO_UDP ? "udp" : "tcp";
	struct servent *se;
	char *end;
	long v;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		if (*end != '\0' || errno || v < 1 || v > 65535) {
			*err = "port must be a number from 1 to 65535 or a service name";
			return -EINVAL;
		}
		*port = (uint16_t)v;
		return 0;
	}
	se = *s ? getservbyname(s, proto) : NULL;
	if (!se) {
		*err = "unknown service name (see /etc/services)";
		return -EINVAL;
	}
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

static int parse_zone(const char *zone, uint32_t *scope_id)
{
	char *end;
	unsigned long v;

	v = strtoul(zone, &end, 10);
	if (*zone && *end == '\0') {
		*scope_id = (uint32_t)v;
		return 0;
	}
	*scope_id = if_nametoindex(zone);
	return *scope_id ? 0 : -ENODEV;
}

int request_addr_numeric(const char *s, int family, struct wb_addr *a,
			 const char **err)
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	char *zone;

	memset(a, 0, sizeof(*a));
	if (strcmp(s, "*") == 0) {
		a->family = family == AF_INET6 ? AF_INET6 : AF_INET;
		return 0;
	}
	if (family != AF_INET6 && inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	zone = strchr(buf, '%');
	if (zone)
		*zone++ = '\0';
	if (family == AF_INET || inet_pton(AF_INET6, buf, &a->u.v6) != 1)
		return -EINVAL;
	a->family = AF_INET6;
	if (zone && parse_zone(zone, &a->scope_id) < 0) {
		*err = "unknown interface in the IPv6 zone (%DEV)";
		return -ENODEV;
	}
	return 0;
}

static bool addr_equal(const struct wb_addr *a, const struct wb_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	return !memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) &&
	       a->scope_id == b->scope_id;
}

/* inet_aton()'s forms, which getaddrinfo() takes too: "1.2.3" is
 * 1.2.0.3, "127.1" is 127.0.0.1, "0x7f.1" and "010.1.1.1" (octal).  A
 * server never means those: refuse them rather than diagnose a surprise. */
static bool ipv4_shorthand(const char *host)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *res;

	if (getaddrinfo(host, NULL, &hints, &res))
		return false;
	freeaddrinfo(res);
	return true;
}

static int resolve(const char *host, int family, struct wb_addr **out,
		   const char **err)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int n = 0, rc;

	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc) {
		*err = "host name does not resolve on this host";
		return -ENOENT;
	}
	for (ai = res; ai; ai = ai->ai_next)
		n++;
	*out = xcalloc(n, sizeof(**out));
	n = 0;
	for (ai = res; ai; ai = ai->ai_next) {
		struct wb_addr a = { .family = ai->ai_family };
		bool seen = false;

		if (ai->ai_family == AF_INET) {
			a.u.v4 = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		} else if (ai->ai_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (void *)ai->ai_addr;

			a.u.v6 = s6->sin6_addr;
			a.scope_id = s6->sin6_scope_id;
		} else {
			continue;
		}
		for (int i = 0; i < n; i++)
			seen = seen || addr_equal(&(*out)[i], &a);
		if (!seen)
			(*out)[n++] = a;
	}
	freeaddrinfo(res);
	if (n == 0) {
		free(*out);
		*out = NULL;
		*err = "host name has no address of the requested family";
		return -ENOENT;
	}
	return n;
}

int request_addrs(const char *host, int family, struct wb_addr **out,
		  const char **err)
{
	struct wb_addr a;
	int rc;

	*out = NULL;
	if (!host)
		host = "*";
	rc = request_addr_numeric(host, family, &a, err);
	if (rc == 0) {
		*out = xmalloc(sizeof(a));
		**out = a;
		return 1;
	}
	if (rc != -EINVAL)
		return rc;
	if (family == AF_INET6 && inet_pton(AF_INET, host, &a.u.v4) == 1) {
		*err = "an IPv4 address with -6";
		return -EINVAL;
	}
	if (strchr(host, ':')) {
		*err = family == AF_INET ? "an IPv6 address with -4"
					 : "not a valid IPv6 address";
		return -EINVAL;
	}
	if (ipv4_shorthand(host)) {
		*err = "not a valid IPv4 address (four decimal numbers: 192.0.2.1)";
		return -EINVAL;
	}
	return resolve(host, family, out, err);
}

bool addr_is_any(const struct wb_addr *a)
{
	if (a->family == AF_INET)
		return a->u.v4.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&a->u.v6);
}

const char *addr_str(const struct wb_addr *a, char *buf, size_t cap)
{
	char ifname[IF_NAMESIZE];
	size_t len;

	if (!inet_ntop(a->family, &a->u, buf, cap)) {
		snprintf(buf, cap, "?");
		return buf;
	}
	if (a->family == AF_INET6 && a->scope_id) {
		len = strlen(buf);
		if (if_indextoname(a->scope_id, ifname))
			snprintf(buf + len, cap - len, "%%%s", ifname);
		else
			snprintf(buf + len, cap - len, "%%%u", a->scope_id);
	}
	return buf;
}
