// SPDX-License-Identifier: GPL-2.0-or-later
/* address: the argument's forms, most specific first (address.h). */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "address.h"
#include "message.h"

static int copy(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		return -EINVAL;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int address_join(struct wb_address *a, const char *host, const char *port,
		 int family)
{
	bool brackets;
	int n;

	if (!*host && family == AF_INET6)
		host = "::";
	brackets = strchr(host, ':') != NULL;
	if (!*host)
		n = snprintf(a->target, sizeof(a->target), "%s", port);
	else
		n = snprintf(a->target, sizeof(a->target), "%s%s%s:%s",
			     brackets ? "[" : "", host, brackets ? "]" : "", port);
	return n < 0 || (size_t)n >= sizeof(a->target) ? -EINVAL : 0;
}

int address_split_last(const char *s, char *host, size_t hcap, char *port,
		       size_t pcap)
{
	const char *colon, *end;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		colon = end + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		end = colon;
	}
	if (!colon[1] || copy(host, hcap, s, (size_t)(end - s)) < 0)
		return -EINVAL;
	return copy(port, pcap, colon + 1, strlen(colon + 1));
}

/* An IPv6 address, with an optional %zone that has no colon in it. */
static bool is_ipv6(const char *s)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a;
	const char *zone = strchr(s, '%');
	size_t len = zone ? (size_t)(zone - s) : strlen(s);

	if (zone && (!zone[1] || strchr(zone, ':')))
		return false;
	return copy(buf, sizeof(buf), s, len) == 0 &&
	       inet_pton(AF_INET6, buf, &a) == 1;
}

static bool is_number_port(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return false;
	v = strtol(s, &end, 10);
	return !*end && v >= 1 && v <= 65535;
}

/* A port as request_port() takes it: a number, or a service name. */
static bool is_port(const char *s, int protocol)
{
	if (is_number_port(s))
		return true;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return *s && getservbyname(s, protocol == IPPROTO_UDP ? "udp" : "tcp");
}

/* "::1:80" is [::1]:80, and also the address ::1:80 without a port. */
static int unbracketed_v6(const char *s, struct wb_address *a, int protocol,
			  const char **err)
{
	static char msg[4 * WB_ADDRESS_MAX];
	char host[WB_ADDRESS_MAX], port[WB_ADDRESS_MAX];
	bool split, whole = is_ipv6(s);

	split = address_split_last(s, host, sizeof(host), port, sizeof(port)) == 0 &&
		is_ipv6(host) && is_port(port, protocol);
	if (split && whole) {
		snprintf(msg, sizeof(msg), "ambiguous: [%s]:%s, or the address %s "
			 "with no port; write the address in brackets", host, port, s);
		*err = msg;
		return -EINVAL;
	}
	if (whole) {
		*err = "an IPv6 address without a port: write [ADDRESS]:PORT";
		return -EINVAL;
	}
	if (!split) {
		*err = "not an IPv6 address and a port: write [ADDRESS]:PORT";
		return -EINVAL;
	}
	return address_join(a, host, port, AF_INET6);
}

/* Go's ":8080": every address, one dual-stack [::] socket where the host
 * has IPv6 (ipsock_posix.go favoriteAddrFamily), else 0.0.0.0. */
static bool have_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int every_address(const char *port, const struct wb_address_opts *o,
			 struct wb_address *a)
{
	if (o->family == AF_INET || (o->family == 0 && !have_ipv6()))
		return address_join(a, "0.0.0.0", port, AF_INET);
	if (o->family == 0)
		a->v6only = WB_NO;
	return address_join(a, "::", port, AF_INET6);
}

/* [ADDRESS:]PORT, :PORT, or IPv6 and a port without brackets. */
static int parse_inet(const char *s, const struct wb_address_opts *o,
		      struct wb_address *a, const char **err)
{
	int protocol = a->protocol ? a->protocol : o->protocol;
	const char *first = strchr(s, ':');

	if (first == s && s[1] != ':' && !strchr(s + 1, ':')) {
		if (!s[1]) {
			*err = "expected :PORT";
			return -EINVAL;
		}
		return every_address(s + 1, o, a);
	}
	if (first && s[0] != '[' && strchr(first + 1, ':'))
		return unbracketed_v6(s, a, protocol, err);
	if (copy(a->target, sizeof(a->target), s, strlen(s)) < 0) {
		*err = "argument too long";
		return -EINVAL;
	}
	return 0;
}

static int suffix_protocol(const char *s)
{
	if (strcasecmp(s, "tcp") == 0)
		return IPPROTO_TCP;
	if (strcasecmp(s, "udp") == 0)
		return IPPROTO_UDP;
	return 0;
}

/* "8080/tcp", "0.0.0.0:53/udp", "[::1]:80/tcp": the part before the
 * suffix has no '/', and ends in a port. */
static bool port_proto_shape(const char *s, size_t len, int protocol)
{
	char buf[WB_ADDRESS_MAX];
	const char *port;

	if (len == 0 || copy(buf, sizeof(buf), s, len) < 0 || memchr(s, '/', len))
		return false;
	port = strrchr(buf, ':');
	port = port ? port + 1 : buf;
	return is_port(port, protocol);
}

/* SCHEME://[USER@]HOST[:PORT][/PATH]: tcp, udp, http, https, unix, or a
 * service name for the default port. */
static int scheme_port(const char *scheme, char *port, size_t cap, int *protocol)
{
	struct servent *se;

	*protocol = IPPROTO_TCP;
	if (strcmp(scheme, "udp") == 0)
		*protocol = IPPROTO_UDP;
	if (strcmp(scheme, "tcp") == 0 || strcmp(scheme, "udp") == 0)
		return -ENOENT;
	if (strcmp(scheme, "http") == 0)
		return snprintf(port, cap, "80") < 0 ? -EINVAL : 0;
	if (strcmp(scheme, "https") == 0)
		return snprintf(port, cap, "443") < 0 ? -EINVAL : 0;
	se = getservbyname(scheme, "tcp");
	if (!se && (se = getservbyname(scheme, "udp")))
		*protocol = IPPROTO_UDP;
	if (!se)
		return -EINVAL;
	snprintf(port, cap, "%u", ntohs((uint16_t)se->s_port));
	return 0;
}

static int url_host_port(const char *auth, size_t len, char *host, char *port,
			 const char **err)
{
	char buf[WB_ADDRESS_MAX];
	const char *at = memrchr(auth, '@', len), *colon;

	if (at) {
		len -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	if (copy(buf, sizeof(buf), auth, len) < 0)
		return -EINVAL;
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (!end || (end[1] && end[1] != ':')) {
			*err = "expected [ADDRESS] in the URL";
			return -EINVAL;
		}
		*end = '\0';
		strcpy(host, buf + 1);
		if (end[1])
			strcpy(port, end + 2);
		return 0;
	}
	colon = strchr(buf, ':');
	if (colon && strchr(colon + 1, ':')) {
		*err = "an IPv6 address in a URL needs brackets: SCHEME://[ADDRESS]:PORT";
		return -EINVAL;
	}
	if (colon)
		strcpy(port, colon + 1);
	copy(host, WB_ADDRESS_MAX, buf, colon ? (size_t)(colon - buf) : strlen(buf));
	return 0;
}

static int parse_url(const char *arg, const char *sep, struct wb_address *a,
		     const char **err)
{
	char scheme[32], host[WB_ADDRESS_MAX] = "", port[WB_ADDRESS_MAX] = "";
	char dflt[16] = "";
	const char *auth = sep + 3;
	size_t len = strcspn(auth, "/?#");
	int rc, protocol;

	if (copy(scheme, sizeof(scheme), arg, (size_t)(sep - arg)) < 0)
		goto bad_scheme;
	for (char *p = scheme; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(scheme, "unix") == 0)
		return copy(a->target, sizeof(a->target), auth, strlen(auth));
	rc = scheme_port(scheme, dflt, sizeof(dflt), &protocol);
	if (rc == -EINVAL)
		goto bad_scheme;
	a->protocol = protocol;
	if (url_host_port(auth, len, host, port, err) < 0)
		return -EINVAL;
	if (!*port && !*dflt) {
		*err = "a tcp:// or udp:// URL needs a port: SCHEME://HOST:PORT";
		return -EINVAL;
	}
	if (address_join(a, host, *port ? port : dflt, 0) < 0)
		goto bad_scheme;
	return 0;
bad_scheme:
	*err = "unknown URL scheme: tcp, udp, http, https, unix or a service name (see /etc/services)";
	return -EINVAL;
}

static const char *url_sep(const char *arg)
{
	const char *sep = strstr(arg, "://");

	if (!sep || sep == arg || !isalpha((unsigned char)arg[0]))
		return NULL;
	for (const char *p = arg; p < sep; p++)
		if (!isalnum((unsigned char)*p) && !strchr("+.-", *p))
			return NULL;
	return sep;
}

static int check_text(const char *arg, const char **err)
{
	if (strnlen(arg, WB_ADDRESS_MAX) >= WB_ADDRESS_MAX) {
		*err = "argument too long";
		return -EINVAL;
	}
	for (const char *p = arg; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*err = "control character in the argument";
			return -EINVAL;
		}
	}
	return 0;
}

int address_parse(const char *arg, const struct wb_address_opts *o,
		  struct wb_address *a, const char **err)
{
	const char *sep, *slash;

	memset(a, 0, sizeof(*a));
	a->v6only = WB_UNKNOWN;
	a->source = "argument";
	if (check_text(arg, err) < 0)
		return -EINVAL;
	if ((sep = url_sep(arg)))
		return parse_url(arg, sep, a, err);
	slash = strrchr(arg, '/');
	if (arg[0] != '@' && slash && suffix_protocol(slash + 1) &&
	    port_proto_shape(arg, (size_t)(slash - arg), suffix_protocol(slash + 1))) {
		char inet[WB_ADDRESS_MAX];

		a->protocol = suffix_protocol(slash + 1);
		copy(inet, sizeof(inet), arg, (size_t)(slash - arg));
		return parse_inet(inet, o, a, err);
	}
	if (arg[0] == '@' || slash)
		return copy(a->target, sizeof(a->target), arg, strlen(arg));
	return parse_inet(arg, o, a, err);
}

int address_protocol(const struct wb_address *a, const struct wb_address_opts *o,
		     const char **err)
{
	static char msg[96];

	if (!a->protocol)
		return o->protocol;
	if (o->proto_given && o->protocol != a->protocol) {
		snprintf(msg, sizeof(msg), "%s, but the %s says %s",
			 o->protocol == IPPROTO_UDP ? "-u" : "-t",
			 a->runtime ? "message" : "address",
			 a->protocol == IPPROTO_UDP ? "UDP" : "TCP");
		*err = msg;
		return -EINVAL;
	}
	return a->protocol;
}

int address_read(const char *target, const char *message,
		 const struct wb_address_opts *o, struct wb_address *a,
		 const char **err)
{
	int rc;

	if (message && target) {
		*err = "-m reads the address from the message: no [ADDRESS:]PORT with it";
		return -EINVAL;
	}
	if (message && strcmp(message, "-") == 0)
		rc = message_read(stdin, a, err);
	else if (message)
		rc = message_parse(message, a, err);
	else if (strchr(target, ' ') && (message_parse(target, a, err) == 0 ||
					 !strchr(target, '/')))
		rc = a->source ? 0 : -EINVAL;	/* a pasted error line */
	else
		rc = address_parse(target, o, a, err);
	return rc < 0 ? -EINVAL : address_protocol(a, o, err);
}
