/* probe: try the server's bind for real, and undo it at once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "probe.h"

static int set_flag(int fd, int level, int name, int on)
{
	return setsockopt(fd, level, name, &on, sizeof(on)) < 0 ? -errno : 0;
}

static socklen_t fill_sockaddr(const struct wb_request *req,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (req->addr.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(req->port);
		sin->sin_addr = req->addr.u.v4;
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(req->port);
		sin6->sin6_addr = req->addr.u.v6;
		sin6->sin6_scope_id = req->addr.scope_id;
		return sizeof(*sin6);
	}
}

static int set_options(int fd, const struct wb_request *req)
{
	int rc = 0;

	if (req->reuseaddr)
		rc = set_flag(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!rc && req->reuseport)
		rc = set_flag(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/* Always explicit: the bind must not depend on our own defaults. */
	if (!rc && req->addr.family == AF_INET6)
		rc = set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY, req->v6only);
	return rc;
}

int probe_bind(const struct wb_request *req)
{
	struct sockaddr_storage ss;
	socklen_t len = fill_sockaddr(req, &ss);
	int type = req->protocol == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd, rc;

	fd = socket(req->addr.family, type | SOCK_CLOEXEC, req->protocol);
	if (fd < 0)
		return -errno;
	rc = set_options(fd, req);
	if (rc == 0)
		rc = bind(fd, (struct sockaddr *)&ss, len) < 0 ? errno : 0;
	close(fd);
	return rc;
}

bool probe_default_v6only(void)
{
	char c = '0';
	int fd = open("/proc/sys/net/ipv6/bindv6only", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '0';
		close(fd);
	}
	return c == '1';
}
