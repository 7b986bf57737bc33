// SPDX-License-Identifier: GPL-2.0-or-later
/* message: recognisers for the error lines servers print when bind()
 * fails, and the socket options each of them sets before that bind. */
#include "config.h"
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "message.h"

/* How a runtime binds, read from its own source (`where`): the options
 * are those it always sets; a configurable one is taken at its default. */
struct runtime {
	const char *id;			/* JSON request.runtime */
	const char *name;		/* "as NAME binds" */
	int protocol;
	bool reuseaddr, reuseport;
	int v6only;			/* on an IPv6 socket; WB_UNKNOWN: the sysctl */
	bool dual_wildcard;		/* a wildcard host is one dual-stack [::] socket */
	const char *where;
};

enum { GO_TCP, GO_UDP, NODE_TCP, NODE_UDP, PYTHON, NGINX, APACHE, REDIS,
       POSTGRES, OPENSSH, HAPROXY, DOCKER, JAVA };

static const struct runtime runtimes[] = {
	[GO_TCP] = { "go", "Go", IPPROTO_TCP, true, false, WB_NO, true,
		"Go src/net/sockopt_linux.go setDefaultListenerSockopts (from sock_posix.go "
		"listenStream); ipsock_posix.go favoriteAddrFamily: a wildcard \"tcp\" "
		"listener is [::] with IPV6_V6ONLY 0, \"tcp6\" sets it to 1" },
	[GO_UDP] = { "go", "Go", IPPROTO_UDP, false, false, WB_NO, true,
		"Go src/net/sock_posix.go listenDatagram: SO_REUSEADDR only for a "
		"multicast group (sockopt_linux.go setDefaultMulticastSockopts)" },
	[NODE_TCP] = { "nodejs", "Node.js", IPPROTO_TCP, true, false, WB_NO, false,
		"libuv src/unix/tcp.c uv__tcp_bind: SO_REUSEADDR always, IPV6_V6ONLY 0 "
		"unless ipv6Only" },
	[NODE_UDP] = { "nodejs", "Node.js", IPPROTO_UDP, false, false, WB_UNKNOWN, false,
		"libuv src/unix/udp.c uv__udp_bind: SO_REUSEADDR only with reuseAddr, "
		"IPV6_V6ONLY only with ipv6Only" },
	[PYTHON] = { "python", "Python asyncio", IPPROTO_TCP, true, false, WB_YES, false,
		"CPython Lib/asyncio/base_events.py create_server: reuse_address on "
		"POSIX, IPV6_V6ONLY on an AF_INET6 socket" },
	[NGINX] = { "nginx", "nginx", IPPROTO_TCP, true, false, WB_YES, false,
		"nginx src/core/ngx_connection.c ngx_open_listening_sockets: "
		"SO_REUSEADDR always, IPV6_V6ONLY (ipv6only=on by default)" },
	[APACHE] = { "apache", "Apache httpd", IPPROTO_TCP, true, false, WB_NO, false,
		"httpd server/listen.c make_sock: APR_SO_REUSEADDR, APR_IPV6_V6ONLY 0 "
		"as Debian builds it (--enable-v4-mapped; seen with strace on "
		"apache2 2.4 of Debian 12: [::] first, dual-stack)" },
	[REDIS] = { "redis", "Redis", IPPROTO_TCP, true, false, WB_YES, false,
		"Redis src/anet.c _anetTcpServer: anetSetReuseAddr, anetV6Only" },
	[POSTGRES] = { "postgresql", "PostgreSQL", IPPROTO_TCP, true, false, WB_YES, false,
		"PostgreSQL src/backend/libpq/pqcomm.c ListenServerPort: SO_REUSEADDR, "
		"IPV6_V6ONLY" },
	[OPENSSH] = { "openssh", "OpenSSH sshd", IPPROTO_TCP, true, false, WB_YES, false,
		"OpenSSH sshd.c listen_on_addrs: set_reuseaddr, sock_set_v6only (misc.c)" },
	[HAPROXY] = { "haproxy", "HAProxy", IPPROTO_TCP, true, true, WB_NO, false,
		"HAProxy src/sock_inet.c sock_inet_bind_receiver: SO_REUSEADDR, "
		"SO_REUSEPORT (unless noreuseport), IPV6_V6ONLY 0 unless v6only "
		"(seen with strace on haproxy 2.6 of Debian 12)" },
	[DOCKER] = { "docker", "Docker", IPPROTO_TCP, true, false, WB_YES, false,
		"moby libnetwork/portallocator refuses a port a container holds; "
		"docker-proxy listens once per family with Go's net package (SO_REUSEADDR)" },
	[JAVA] = { "java", "Java", IPPROTO_TCP, true, false, WB_NO, true,
		"OpenJDK src/java.base/unix/native/libnio/ch/Net.c Java_sun_nio_ch_Net_socket0: "
		"SO_REUSEADDR on server sockets, IPV6_V6ONLY 0" },
};

/* An address as printed: no space, no quote, no control byte. */
#define A "([][[:alnum:].:%*/_-]+)"
#define B "([[:alnum:].:%*_-]*)"

struct form {
	int rt;
	const char *hint;		/* a literal the line holds: a cheap test first */
	const char *re;			/* POSIX extended */
	int g_net, g_addr, g_host, g_port;	/* its groups: Go's network,
					 * HOST:PORT, or HOST and PORT */
	const char *example;
};

static const struct form forms[] = {
	{ GO_TCP, "listen ", "listen (tcp[46]?|udp[46]?|unix|unixgram|unixpacket) " A ": bind: ", 1, 2, 0, 0,
	  "listen tcp :8080: bind: address already in use" },
	{ DOCKER, "Bind for ", "Bind for " A " failed: port is already allocated", 0, 1, 0, 0,
	  "Bind for 0.0.0.0:8080 failed: port is already allocated" },
	{ NODE_TCP, "listen E", "listen E[A-Z]+(: [a-z ]+)? " A, 0, 2, 0, 0,
	  "Error: listen EADDRINUSE: address already in use :::3000" },
	{ NODE_UDP, "bind E", "bind E[A-Z]+ " A, 0, 1, 0, 0,
	  "Error: bind EADDRINUSE 0.0.0.0:41234" },
	{ PYTHON, "to bind on address", "attempting to bind on address \\('" B "', ([0-9]+)",
	  0, 0, 1, 2,
	  "[Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use" },
	{ NGINX, "bind() to ", "bind\\(\\) to " A " failed", 0, 1, 0, 0,
	  "bind() to 0.0.0.0:80 failed (98: Address already in use)" },
	{ APACHE, "could not bind to address", "could not bind to address " A, 0, 1, 0, 0,
	  "(98)Address already in use: AH00072: make_sock: could not bind to address [::]:80" },
	{ REDIS, "listening socket ", "Could not create server [A-Z]+ listening socket " A ": ",
	  0, 1, 0, 0,
	  "Could not create server TCP listening socket *:6379: bind: Address already in use" },
	{ POSTGRES, "could not bind IPv", "could not bind IPv[46] address \"" B "\"", 0, 0, 1, 0,
	  "could not bind IPv4 address \"127.0.0.1\": Address already in use\n"
	  "  HINT:  Is another postmaster already running on port 5432?" },
	{ OPENSSH, "Bind to port ", "Bind to port ([0-9]+) on " A " failed", 0, 0, 2, 1,
	  "Bind to port 22 on 0.0.0.0 failed: Address already in use." },
	{ HAPROXY, "cannot bind socket", "cannot bind socket( \\([^)]*\\))?( for)? \\[" B "\\]",
	  0, 3, 0, 0,
	  "Starting frontend fe: cannot bind socket (Address already in use) [0.0.0.0:80]" },
	{ JAVA, "was already in use", "Port ([0-9]+) was already in use", 0, 0, 0, 1,
	  "Web server failed to start. Port 8080 was already in use." },
};

#define N_FORMS (sizeof(forms) / sizeof(forms[0]))

struct matcher {
	regex_t re[N_FORMS];
	regex_t pg_port;
	size_t n;
};

static void matcher_free(struct matcher *m)
{
	for (size_t i = 0; i < m->n; i++)
		regfree(&m->re[i]);
	if (m->n == N_FORMS + 1)
		regfree(&m->pg_port);
	m->n = 0;
}

static int matcher_init(struct matcher *m)
{
	m->n = 0;
	for (size_t i = 0; i < N_FORMS; i++, m->n++)
		if (regcomp(&m->re[i], forms[i].re, REG_EXTENDED))
			goto fail;
	if (regcomp(&m->pg_port, "on port ([0-9]+)", REG_EXTENDED))
		goto fail;
	m->n++;
	return 0;
fail:
	matcher_free(m);
	return -ENOMEM;
}

/* A group's text; false when it is too long to be what it stands for. */
static bool group(const char *line, const regmatch_t *g, char *out, size_t cap)
{
	size_t len = g->rm_so < 0 ? 0 : (size_t)(g->rm_eo - g->rm_so);

	out[0] = '\0';
	if (len >= cap)
		return false;
	memcpy(out, line + (g->rm_so < 0 ? 0 : g->rm_so), len);
	out[len] = '\0';
	return true;
}

static bool is_wildcard(const char *h)
{
	return !*h || strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0 ||
	       strcmp(h, "*") == 0;
}

/* host and port as `rt` binds them; net: Go's network ("tcp6"), or "". */
static int as_runtime(const struct runtime *rt, const char *net, char *host,
		      const char *port, struct wb_address *a)
{
	char last = *net ? net[strlen(net) - 1] : '\0';

	if (host[0] == '-')			/* Redis: "-::1", optional */
		memmove(host, host + 1, strlen(host));
	if (strcmp(host, "::*") == 0)		/* Redis: the IPv6 wildcard */
		strcpy(host, "::");
	if (strcmp(host, "*") == 0)
		strcpy(host, "0.0.0.0");
	a->v6only = WB_UNKNOWN;
	if (last == '4' && !*host)
		strcpy(host, "0.0.0.0");
	else if (last == '6' && !*host)
		strcpy(host, "::");
	else if (rt->dual_wildcard && last != '4' && last != '6' && is_wildcard(host))
		strcpy(host, "::");
	else if (!*host)
		strcpy(host, "0.0.0.0");
	if (strchr(host, ':'))
		a->v6only = last == '6' ? WB_YES : rt->v6only;
	a->protocol = rt->protocol;
	a->reuseaddr = rt->reuseaddr;
	a->reuseport = rt->reuseport;
	a->runtime = rt->id;
	a->runtime_name = rt->name;
	return address_join(a, host, port, 0);
}

/* A path where the runtime prints one: nginx "unix:/run/x.sock", Node's
 * "/tmp/app.sock". */
static int as_path(const struct runtime *rt, const char *tok, struct wb_address *a)
{
	const char *path = strncmp(tok, "unix:", 5) == 0 ? tok + 5 : tok;

	a->protocol = rt->protocol == IPPROTO_UDP ? IPPROTO_UDP : 0;
	a->runtime = rt->id;
	a->runtime_name = rt->name;
	return path[0] == '/' && strlen(path) < sizeof(a->target) ?
	       (strcpy(a->target, path), 0) : -EINVAL;
}

static int build(const struct form *f, const char *line, const char *next,
		 const regmatch_t *g, const struct matcher *m, struct wb_address *a)
{
	const struct runtime *rt = &runtimes[f->rt];
	char net[16] = "", host[WB_ADDRESS_MAX] = "", port[16] = "";
	char tok[WB_ADDRESS_MAX];

	if (f->g_net) {
		group(line, &g[f->g_net], net, sizeof(net));
		if (strncmp(net, "ud", 2) == 0 || strcmp(net, "unixgram") == 0)
			rt = &runtimes[GO_UDP];
	}
	if (f->g_addr) {
		if (!group(line, &g[f->g_addr], tok, sizeof(tok)))
			return -EINVAL;
		if (strncmp(tok, "unix:", 5) == 0 || tok[0] == '/')
			return as_path(rt, tok, a);
		if (address_split_last(tok, host, sizeof(host), port, sizeof(port)) < 0)
			return -EINVAL;
	}
	if ((f->g_host && !group(line, &g[f->g_host], host, sizeof(host))) ||
	    (f->g_port && !group(line, &g[f->g_port], port, sizeof(port))))
		return -EINVAL;
	if (f->rt == POSTGRES) {
		regmatch_t pg[2];

		if (regexec(&m->pg_port, line, 2, pg, 0) == 0)
			group(line, &pg[1], port, sizeof(port));
		else if (regexec(&m->pg_port, next, 2, pg, 0) == 0)
			group(next, &pg[1], port, sizeof(port));
	}
	if (!*port)
		return -EINVAL;
	return as_runtime(rt, net, host, port, a);
}

/* The first form that matches the line (with the next line, for
 * PostgreSQL's port); -ENOENT when none does. */
static int match_line(const struct matcher *m, const char *line, const char *next,
		      struct wb_address *a)
{
	regmatch_t g[5];

	for (size_t i = 0; i < N_FORMS; i++) {
		if (!strstr(line, forms[i].hint) ||
		    regexec(&m->re[i], line, 5, g, 0) != 0)
			continue;
		memset(a, 0, sizeof(*a));
		a->source = "message";
		a->v6only = WB_UNKNOWN;
		if (build(&forms[i], line, next, g, m, a) == 0)
			return 0;
	}
	return -ENOENT;
}

/* One line of at most cap - 1 bytes from `*text`, the rest of a longer
 * line skipped; NULL at the end. */
static const char *text_line(const char **text, char *buf, size_t cap)
{
	const char *p = *text;
	size_t len = strcspn(p, "\n");

	if (!*p)
		return NULL;
	*text = p + len + (p[len] == '\n');
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

static const char *file_line(FILE *f, char *buf, size_t cap)
{
	size_t len = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF && c != '\n')
		if (len < cap - 1)
			buf[len++] = (char)c;
	buf[len] = '\0';
	return c == EOF && len == 0 ? NULL : buf;
}

/* Every line with the one after it, the last match kept. */
static int scan(const char *(*next_line)(void *, char *, size_t), void *src,
		struct wb_address *a, const char **err)
{
	static char lines[2][MESSAGE_LINE_MAX];
	struct matcher m;
	struct wb_address cand;
	const char *prev = NULL, *cur;
	int k = 0, found = -ENOENT;

	memset(a, 0, sizeof(*a));
	if (matcher_init(&m) < 0)
		return -ENOMEM;
	do {
		cur = next_line(src, lines[k], sizeof(lines[k]));
		if (prev && match_line(&m, prev, cur ? cur : "", &cand) == 0) {
			*a = cand;
			found = 0;
		}
		prev = cur;
		k ^= 1;
	} while (cur);
	matcher_free(&m);
	if (found < 0)
		*err = "no failed bind found in the message (--message=help lists the forms known)";
	return found < 0 ? -EINVAL : 0;
}

static const char *from_text(void *src, char *buf, size_t cap)
{
	return text_line(src, buf, cap);
}

static const char *from_file(void *src, char *buf, size_t cap)
{
	return file_line(src, buf, cap);
}

int message_parse(const char *text, struct wb_address *a, const char **err)
{
	return scan(from_text, &text, a, err);
}

int message_read(FILE *f, struct wb_address *a, const char **err)
{
	return scan(from_file, f, a, err);
}

static void help_options(FILE *f, const struct runtime *rt)
{
	fprintf(f, "    as %s binds: %s%s%s%s\n", rt->name,
		rt->protocol == IPPROTO_UDP ? "UDP" : "TCP",
		rt->reuseaddr ? " SO_REUSEADDR" : "",
		rt->reuseport ? " SO_REUSEPORT" : "",
		rt->v6only == WB_YES ? ", IPv6 v6only" : rt->v6only == WB_NO ?
		", IPv6 dual-stack" : ", IPv6 as the sysctl says");
	fprintf(f, "    (%s)\n", rt->where);
}

void message_help(FILE *f)
{
	fputs("whybind -m TEXT (or -m - for the last matching line of stdin) "
	      "reads these error messages:\n", f);
	for (size_t i = 0; i < N_FORMS; i++) {
		const struct form *fm = &forms[i];
		const char *nl = strchr(fm->example, '\n');

		fprintf(f, "\n  %.*s\n", nl ? (int)(nl - fm->example) : (int)strlen(fm->example),
			fm->example);
		if (nl)
			fprintf(f, "  %s\n", nl + 1);
		help_options(f, &runtimes[fm->rt]);
		if (fm->rt == GO_TCP)
			help_options(f, &runtimes[GO_UDP]);
	}
}
