// SPDX-License-Identifier: GPL-2.0-or-later
/* request_build: the binds to diagnose, assembled from the command
 * line's options (request_build) or from a server's own bind() call
 * (request_from_sockaddr).  The parsers they use are request.c's. */
#include "config.h"
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "probe.h"
#include "request.h"
#include "sockopt.h"
#include "unix.h"

/* -U: a user name, or a uid (with or without a passwd entry). */
static int parse_user(const char *arg, struct wb_request *r, const char **err)
{
	struct passwd *pw = getpwnam(arg);
	unsigned long uid;
	char *end;

	if (!pw) {
		errno = 0;
		uid = strtoul(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end || errno || uid >= (uid_t)-1) {
			*err = "no such user";
			return -EINVAL;
		}
		pw = getpwuid((uid_t)uid);
	}
	r->uid = pw ? pw->pw_uid : (uid_t)uid;
	r->gid = pw ? pw->pw_gid : (gid_t)uid;
	snprintf(r->user, sizeof(r->user), "%s", pw ? pw->pw_name : arg);
	r->user_given = true;
	if (geteuid() != 0 && (r->uid != geteuid() || r->gid != getegid())) {
		*err = "probing as another user needs root";
		return -EPERM;
	}
	return 0;
}

/* What every request shares: the options, the user, the device. */
static int base_request(const struct wb_request_opts *o, struct wb_request *r,
			const char **bad, const char **err)
{
	memset(r, 0, sizeof(*r));
	r->protocol = o->protocol;
	r->reuseaddr = o->reuseaddr;
	r->reuseport = o->reuseport;
	r->uid = geteuid();
	r->gid = getegid();
	if (o->user) {
		*bad = o->user;
		if (parse_user(o->user, r, err) < 0)
			return -EINVAL;
	}
	if (o->interface) {
		*bad = o->interface;
		if (strlen(o->interface) >= IF_NAMESIZE ||
		    !(r->ifindex = (int)if_nametoindex(o->interface))) {
			*err = o->netns ? "no such network device in that namespace"
					: "no such network device";
			return -EINVAL;
		}
	}
	return 0;
}

/* PATH or @NAME: one AF_UNIX request; the inet-only options are errors. */
static int unix_path_request(const struct wb_request_opts *o, struct wb_request *r,
			const char **bad, const char **err)
{
	static const char only_inet[] = " applies to TCP and UDP ports, not to an AF_UNIX socket";
	static char msg[96];
	const char *opt = o->family == AF_INET ? "-4" : o->family == AF_INET6 ? "-6"
			: o->reuseaddr ? "--reuseaddr" : o->reuseport ? "--reuseport"
			: o->v6only != WB_UNKNOWN ? "--v6only"
			: o->interface ? "--interface" : NULL;

	*bad = o->target;
	if (opt) {
		snprintf(msg, sizeof(msg), "%s%s", opt, only_inet);
		*err = msg;
		return -EINVAL;
	}
	if (unix_target_parse(o->target, &r->target, err) < 0)
		return -EINVAL;
	r->protocol = 0;
	r->addr.family = AF_UNIX;
	r->unix_type = o->protocol == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	return 0;
}

int request_build(const struct wb_request_opts *o, struct wb_request **out,
		  const char **bad, const char **err)
{
	struct wb_request base;
	struct wb_target t;
	struct wb_addr *addrs = NULL;
	uint16_t port;
	int n;

	if (base_request(o, &base, bad, err) < 0)
		return -EINVAL;
	if (unix_target_looks(o->target)) {
		if (unix_path_request(o, &base, bad, err) < 0)
			return -EINVAL;
		*out = xcalloc(1, sizeof(**out));
		(*out)[0] = base;
		return 1;
	}
	*bad = o->target;
	if (request_split(o->target, &t, err) < 0)
		return -EINVAL;
	n = request_port(t.port, o->protocol, &port, err);
	if (n == 0)
		n = request_addrs(t.host, t.host ? o->family : o->family ? o->family
				  : AF_INET, &addrs, err);
	target_free(&t);
	if (n < 0)
		return n;
	*out = xcalloc(n, sizeof(**out));
	for (int i = 0; i < n; i++) {
		struct wb_request *r = &(*out)[i];

		*r = base;
		r->addr = addrs[i];
		r->port = port;
		r->v6only_given = o->v6only != WB_UNKNOWN;
		r->v6only = r->v6only_given ? o->v6only : probe_default_v6only();
	}
	free(addrs);
	return n;
}

/* An AF_UNIX bind: the path (relative to the server's directory) or
 * the abstract name, and the socket's type. */
static const char *unix_sockaddr_request(const struct sockaddr_storage *a,
					 socklen_t alen, int type,
					 struct wb_request *r)
{
	const struct sockaddr_un *un = (const void *)a;
	size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t len = alen > off ? alen - off : 0;
	bool abstract = len > 0 && un->sun_path[0] == '\0';

	if (!abstract)
		len = strnlen(un->sun_path, len);
	if (len <= (size_t)abstract)
		return "an unnamed AF_UNIX bind (autobind)";
	len -= abstract;
	if (len > WB_UNIX_NAME_MAX)
		return "the name is longer than sun_path";
	r->addr.family = AF_UNIX;
	r->target.abstract = abstract;
	memcpy(r->target.name, un->sun_path + abstract, len);
	r->target.name[len] = '\0';
	r->target.len = len;
	r->unix_type = type == SOCK_DGRAM || type == SOCK_SEQPACKET
		? type : SOCK_STREAM;
	return NULL;
}

static const char *inet_sockaddr_request(const struct sockaddr_storage *a,
					 socklen_t alen, const struct wb_sockopts *s,
					 struct wb_request *r)
{
	const struct sockaddr_in *in = (const void *)a;
	const struct sockaddr_in6 *in6 = (const void *)a;

	if (s->protocol != IPPROTO_TCP && s->protocol != IPPROTO_UDP)
		return "only TCP and UDP sockets are diagnosed";
	if (s->domain != a->ss_family)
		return "the address family does not match the socket's";
	r->protocol = s->protocol;
	r->addr.family = a->ss_family;
	if (r->addr.family == AF_INET) {
		if (alen < sizeof(*in))
			return "the address is too short";
		r->addr.u.v4 = in->sin_addr;
		r->port = ntohs(in->sin_port);
	} else {
		if (alen < sizeof(*in6))
			return "the address is too short";
		r->addr.u.v6 = in6->sin6_addr;
		r->addr.scope_id = in6->sin6_scope_id;
		r->port = ntohs(in6->sin6_port);
		r->v6only = s->v6only > 0;
	}
	r->reuseaddr = s->reuseaddr > 0;
	r->reuseport = s->reuseport > 0;
	r->v6only_given = true;
	r->ifindex = s->ifindex > 0 ? s->ifindex : 0;
	return NULL;
}

const char *request_from_sockaddr(const struct sockaddr_storage *a,
				  socklen_t alen, const struct wb_sockopts *s,
				  uid_t euid, gid_t egid, struct wb_request *r)
{
	memset(r, 0, sizeof(*r));
	if (a->ss_family != AF_INET && a->ss_family != AF_INET6 &&
	    a->ss_family != AF_UNIX)
		return "only IPv4, IPv6 and AF_UNIX binds are diagnosed";
	if (!s)
		return "its socket could not be read (pidfd_getfd)";
	/* The probe is made as the server's user, as the server made it. */
	r->uid = euid;
	r->gid = egid;
	r->user_given = euid != geteuid() || egid != getegid();
	snprintf(r->user, sizeof(r->user), "%u", (unsigned)euid);
	if (a->ss_family == AF_UNIX)
		return s->domain == AF_UNIX ? unix_sockaddr_request(a, alen, s->type, r)
			: "the address family does not match the socket's";
	return inet_sockaddr_request(a, alen, s, r);
}
