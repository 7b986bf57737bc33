// SPDX-License-Identifier: GPL-2.0-or-later
/* manager_docker: the container behind a docker-proxy.  docker-proxy
 * holds a published host port for dockerd; its command line says the
 * port and the container's address, and the Engine API (one read-only
 * GET over its unix socket, bounded by WB_MGR_TIMEOUT_MS) names the
 * container.  Without an answer, what the command line says is kept. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <jansson.h>

#include "manager.h"

#define REPLY_MAX	(256 * 1024)

/* The word after FLAG in a space-joined command line, into out. */
static void flag_value(const char *cmdline, const char *flag, char *out, size_t cap)
{
	const char *p = strstr(cmdline, flag);

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(flag);
	snprintf(out, cap, "%.*s", (int)strcspn(p, " "), p);
}

static void proxy_args(const char *cmdline, struct wb_manager *m)
{
	char num[16];

	flag_value(cmdline, " -proto ", m->proto, sizeof(m->proto));
	flag_value(cmdline, " -container-ip ", m->container_ip, sizeof(m->container_ip));
	flag_value(cmdline, " -container-port ", num, sizeof(num));
	m->container_port = atoi(num);
	flag_value(cmdline, " -host-port ", num, sizeof(num));
	m->host_port = atoi(num);
	if (strcmp(m->proto, "udp") && strcmp(m->proto, "sctp"))
		snprintf(m->proto, sizeof(m->proto), "tcp");	/* it goes into a URL */
}

/* The engine's socket: DOCKER_HOST when it is unix://, else docker's. */
static bool engine_path(struct sockaddr_un *sun)
{
	const char *h = getenv("DOCKER_HOST");
	const char *path = "/var/run/docker.sock";

	if (h && *h) {
		if (strncmp(h, "unix://", 7))
			return false;
		path = h + 7;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return false;
	strcpy(sun->sun_path, path);
	return true;
}

/* Wait for fd to be ready for `events` by the deadline. */
static bool ready(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left = deadline - wb_now_ms();

	return left > 0 && poll(&p, 1, (int)left) == 1;
}

/* The whole reply to one request (the engine closes after an HTTP/1.0
 * answer), or NULL with a reason. */
static char *engine_get(const char *req, int64_t deadline, size_t *len,
			const char **why)
{
	struct sockaddr_un sun;
	char *buf = NULL;
	size_t n = 0, reqlen = strlen(req);
	int fd;

	*why = "DOCKER_HOST is not a unix socket: the engine was not asked";
	if (!engine_path(&sun))
		return NULL;
	*why = "the container engine's socket is absent or refused us";
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto out;
	*why = "the container engine did not answer within the timeout";
	if (!ready(fd, POLLOUT, deadline) || send(fd, req, reqlen, MSG_NOSIGNAL) != (ssize_t)reqlen)
		goto out;
	buf = xmalloc(REPLY_MAX + 1);
	for (;;) {
		ssize_t r;

		if (!ready(fd, POLLIN, deadline) || n == REPLY_MAX)
			goto fail;
		r = read(fd, buf + n, REPLY_MAX - n);
		if (r == 0)
			break;
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			goto fail;
		n += r > 0 ? (size_t)r : 0;
	}
	buf[n] = '\0';
	*len = n;
	*why = NULL;
	goto out;
fail:
	free(buf);
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* The first container of a GET /containers/json answer. */
static bool read_containers(const char *reply, size_t len, struct wb_manager *m)
{
	const char *body = strstr(reply, "\r\n\r\n");
	json_t *root, *c;
	const char *id, *name;
	bool ok = false;

	if (len < 12 || strncmp(reply, "HTTP/1.", 7) || strncmp(reply + 8, " 200", 4) || !body)
		return false;
	body += 4;
	root = json_loadb(body, len - (size_t)(body - reply), 0, NULL);
	c = json_is_array(root) ? json_array_get(root, 0) : NULL;
	id = json_string_value(json_object_get(c, "Id"));
	name = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
	if (id && name) {
		snprintf(m->id, sizeof(m->id), "%.12s", id);
		snprintf(m->name, sizeof(m->name), "%s", name + (name[0] == '/'));
		ok = true;
	}
	json_decref(root);
	return ok;
}

void manager_docker_proxy(const struct wb_owner *o, struct wb_manager *m)
{
	char req[512];
	const char *why;
	size_t len = 0;
	char *reply;

	m->kind = WB_MGR_DOCKER;
	m->pid = o->ppid;
	proxy_args(o->cmdline, m);
	/* filters={"publish":["PORT/PROTO"]}, URL-encoded */
	snprintf(req, sizeof(req),
		 "GET /containers/json?filters=%%7B%%22publish%%22%%3A%%5B%%22%d%%2F%s%%22%%5D%%7D HTTP/1.0\r\n"
		 "Host: docker\r\n\r\n", m->host_port, m->proto);
	reply = engine_get(req, wb_now_ms() + WB_MGR_TIMEOUT_MS, &len, &why);
	if (!reply)
		m->reason = why;
	else if (!read_containers(reply, len, m))
		m->reason = "the container engine named no container publishing this port";
	free(reply);
}
