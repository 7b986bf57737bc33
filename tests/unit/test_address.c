// SPDX-License-Identifier: GPL-2.0-or-later
/* The argument's forms (address.c) and the error messages (message.c):
 * every form, the real messages captured from the servers Debian ships
 * (tests/messages/, see tests/integration/messages.sh), the documented
 * ones of the others, ambiguous and unreadable input, 1 MB of stdin. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "address.h"
#include "message.h"
#include "unit.h"

static const struct wb_address_opts tcp = { .protocol = IPPROTO_TCP };
static const struct wb_address_opts v4 = { .protocol = IPPROTO_TCP, .family = AF_INET };
static bool ipv6;

static void arg_ok(const char *arg, const char *target, int protocol)
{
	struct wb_address a;
	const char *err = NULL;

	CHECK(address_parse(arg, &tcp, &a, &err) == 0);
	if (err)
		fprintf(stderr, "  %s: %s\n", arg, err);
	CHECK_STR(a.target, target);
	CHECK(a.protocol == protocol);
	CHECK_STR(a.source, "argument");
	CHECK(a.runtime == NULL);
}

static void arg_bad(const char *arg, const char *want_in_err)
{
	struct wb_address a;
	const char *err = NULL;

	CHECK(address_parse(arg, &tcp, &a, &err) == -EINVAL);
	CHECK(err && strstr(err, want_in_err));
	if (err && !strstr(err, want_in_err))
		fprintf(stderr, "  %s: %s\n", arg, err);
}

static void check_every_address(void)
{
	struct wb_address a;
	const char *err = NULL;

	CHECK(address_parse(":8080", &tcp, &a, &err) == 0);
	CHECK_STR(a.target, ipv6 ? "[::]:8080" : "0.0.0.0:8080");
	CHECK(a.v6only == (ipv6 ? WB_NO : WB_UNKNOWN));
	CHECK(address_parse(":8080", &v4, &a, &err) == 0);
	CHECK_STR(a.target, "0.0.0.0:8080");
	CHECK(a.v6only == WB_UNKNOWN);
	arg_bad(":", "expected :PORT");
}

static void check_forms(void)
{
	/* As before: what request.c reads, passed on as given. */
	arg_ok("8080", "8080", 0);
	arg_ok("127.0.0.1:80", "127.0.0.1:80", 0);
	arg_ok("[::1]:80", "[::1]:80", 0);
	arg_ok("localhost:http", "localhost:http", 0);
	arg_ok("*:80", "*:80", 0);
	/* Unbracketed IPv6 where one split only is an address and a port. */
	arg_ok(":::3000", "[::]:3000", 0);
	arg_ok("::ffff:127.0.0.1:80", "[::ffff:127.0.0.1]:80", 0);
	arg_ok("fe80::1%lo:80", "[fe80::1%lo]:80", 0);
	arg_ok("::1:http", "[::1]:http", 0);
	arg_bad("::1:80", "ambiguous: [::1]:80, or the address ::1:80 with no port");
	arg_bad("2001:db8::1:8080", "ambiguous: [2001:db8::1]:8080, or the address 2001:db8::1:8080");
	arg_bad("fe80::1", "an IPv6 address without a port");
	arg_bad("1:2:3", "not an IPv6 address and a port");
	/* PORT/PROTO: the protocol from the suffix. */
	arg_ok("8080/tcp", "8080", IPPROTO_TCP);
	arg_ok("8080/UDP", "8080", IPPROTO_UDP);
	arg_ok("0.0.0.0:53/udp", "0.0.0.0:53", IPPROTO_UDP);
	arg_ok("[::1]:53/udp", "[::1]:53", IPPROTO_UDP);
	arg_ok(":::53/udp", "[::]:53", IPPROTO_UDP);
	arg_ok("http/tcp", "http", IPPROTO_TCP);
	/* A PATH is still a PATH. */
	arg_ok("/run/app.sock", "/run/app.sock", 0);
	arg_ok("run/80/tcp", "run/80/tcp", 0);
	arg_ok("no-such-service/tcp", "no-such-service/tcp", 0);
	arg_ok("./8080/udp", "./8080/udp", 0);
	arg_ok("@name/tcp", "@name/tcp", 0);
	arg_ok("@abstract", "@abstract", 0);
	/* URLs. */
	arg_ok("http://localhost:8080/", "localhost:8080", IPPROTO_TCP);
	arg_ok("http://localhost/", "localhost:80", IPPROTO_TCP);
	arg_ok("https://example.org", "example.org:443", IPPROTO_TCP);
	arg_ok("HTTPS://[::1]/x?y#z", "[::1]:443", IPPROTO_TCP);
	arg_ok("udp://0.0.0.0:53", "0.0.0.0:53", IPPROTO_UDP);
	arg_ok("tcp://:8080", "8080", IPPROTO_TCP);
	arg_ok("tcp://[fe80::1%lo]:22", "[fe80::1%lo]:22", IPPROTO_TCP);
	arg_ok("http://user:pw@h:81/p", "h:81", IPPROTO_TCP);
	arg_ok("ssh://host", "host:22", IPPROTO_TCP);
	arg_ok("unix:///run/a.sock", "/run/a.sock", 0);
	arg_bad("tcp://host", "needs a port");
	arg_bad("nosuchscheme://host", "unknown URL scheme");
	arg_bad("http://::1:80/", "needs brackets");
	arg_bad("http://[::1/", "expected [ADDRESS]");
	/* Input no form takes. */
	arg_bad("80\033[2J", "control character");
	{
		char big[2000];

		memset(big, '1', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		arg_bad(big, "too long");
	}
}

static void check_protocol(void)
{
	struct wb_address_opts u = { .protocol = IPPROTO_UDP, .proto_given = true };
	struct wb_address_opts t = { .protocol = IPPROTO_TCP, .proto_given = true };
	struct wb_address a;
	const char *err = NULL;

	CHECK(address_parse("8080/tcp", &u, &a, &err) == 0);
	CHECK(address_protocol(&a, &u, &err) == -EINVAL);
	CHECK_STR(err, "-u, but the address says TCP");
	CHECK(address_protocol(&a, &t, &err) == IPPROTO_TCP);
	CHECK(address_parse("53/udp", &tcp, &a, &err) == 0);
	CHECK(address_protocol(&a, &tcp, &err) == IPPROTO_UDP);
	CHECK(address_parse("53", &u, &a, &err) == 0);
	CHECK(address_protocol(&a, &u, &err) == IPPROTO_UDP);

	/* address_read: the argument, a pasted line, or -m. */
	CHECK(address_read("listen udp :53: bind: address already in use", NULL,
			   &tcp, &a, &err) == IPPROTO_UDP);
	CHECK_STR(a.source, "message");
	CHECK_STR(a.target, "[::]:53");
	CHECK(address_read(NULL, "listen udp :53: bind: x", &t, &a, &err) == -EINVAL);
	CHECK_STR(err, "-t, but the message says UDP");
	CHECK(address_read("80", "listen tcp :80: bind: x", &tcp, &a, &err) == -EINVAL);
	CHECK(address_read("two words", NULL, &tcp, &a, &err) == -EINVAL);
	CHECK(err && strstr(err, "no failed bind found in the message"));
	CHECK(address_read("/run/my app.sock", NULL, &tcp, &a, &err) == IPPROTO_TCP);
	CHECK_STR(a.target, "/run/my app.sock");
	CHECK_STR(a.source, "argument");
	CHECK(address_read("0.0.0.0:53/udp", NULL, &tcp, &a, &err) == IPPROTO_UDP);
}

struct want {
	const char *target;
	int protocol;
	const char *runtime;
	bool reuseaddr, reuseport;
	int v6only;
};

static void msg_is(const char *text, const struct want *w)
{
	struct wb_address a;
	const char *err = NULL;

	CHECK(message_parse(text, &a, &err) == 0);
	if (err)
		fprintf(stderr, "  %.60s: %s\n", text, err);
	CHECK_STR(a.target, w->target);
	CHECK(a.protocol == w->protocol);
	if (a.protocol != w->protocol)
		fprintf(stderr, "  %.70s: protocol %d\n", text, a.protocol);
	CHECK_STR(a.runtime, w->runtime);
	CHECK_STR(a.source, "message");
	CHECK(a.runtime_name != NULL);
	CHECK(a.reuseaddr == w->reuseaddr);
	CHECK(a.reuseport == w->reuseport);
	CHECK(a.v6only == w->v6only);
	if (a.v6only != w->v6only)
		fprintf(stderr, "  %.70s: v6only %d\n", text, a.v6only);
}

static void msg_bad(const char *text, size_t len)
{
	struct wb_address a;
	const char *err = NULL;
	FILE *f = fmemopen((void *)text, len, "r");

	CHECK(f && message_read(f, &a, &err) == -EINVAL);
	CHECK_STR(err, "no failed bind found in the message (--message=help lists the forms known)");
	if (f)
		fclose(f);
	if (memchr(text, '\0', len) == NULL) {
		char *copy = strndup(text, len);

		err = NULL;
		CHECK(message_parse(copy, &a, &err) == -EINVAL);
		free(copy);
		if (!err)
			fprintf(stderr, "  %.70s: read as %s\n", text, a.target);
		CHECK(err != NULL);
	}
}

static char *slurp(const char *name)
{
	const char *dir = getenv("srcdir");
	char path[512];
	char *buf = calloc(1, 1 << 16);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/messages/%s", dir ? dir : ".", name);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f) {
		fprintf(stderr, "  cannot read %s\n", path);
		return buf;
	}
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Captured from the real programs, each refused its port by a holder. */
static void check_captured(void)
{
	static const struct {
		const char *file;
		struct want w;
	} cases[] = {
		{ "go.txt", { "[::]:20506", IPPROTO_TCP, "go", true, false, WB_NO } },
		{ "go-udp.txt", { "0.0.0.0:20520", IPPROTO_UDP, "go", false, false, WB_UNKNOWN } },
		{ "node-net.txt", { "[::]:20504", IPPROTO_TCP, "nodejs", true, false, WB_NO } },
		{ "node-dgram.txt", { "0.0.0.0:20520", IPPROTO_UDP, "nodejs", false, false, WB_UNKNOWN } },
		{ "python-asyncio.txt", { "0.0.0.0:20505", IPPROTO_TCP, "python", true, false, WB_UNKNOWN } },
		{ "nginx.txt", { "0.0.0.0:20500", IPPROTO_TCP, "nginx", true, false, WB_UNKNOWN } },
		{ "nginx-ipv6.txt", { "[::]:20510", IPPROTO_TCP, "nginx", true, false, WB_YES } },
		{ "redis.txt", { "127.0.0.1:20501", IPPROTO_TCP, "redis", true, false, WB_UNKNOWN } },
		{ "redis-wildcard.txt", { "0.0.0.0:20501", IPPROTO_TCP, "redis", true, false, WB_UNKNOWN } },
		{ "sshd.txt", { "0.0.0.0:20502", IPPROTO_TCP, "openssh", true, false, WB_UNKNOWN } },
		{ "haproxy.txt", { "0.0.0.0:20503", IPPROTO_TCP, "haproxy", true, true, WB_UNKNOWN } },
		/* Debian 12's apache2 2.4: [::] first, dual-stack (strace). */
		{ "apache.txt", { "0.0.0.0:20530", IPPROTO_TCP, "apache", true, false, WB_UNKNOWN } },
		/* PostgreSQL 15 (Debian's postgresql-15), run as nobody. */
		{ "postgresql.txt", { "127.0.0.1:25432", IPPROTO_TCP, "postgresql", true, false, WB_UNKNOWN } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = slurp(cases[i].file);
		FILE *f = fmemopen(text, strlen(text), "r");
		struct wb_address a;
		const char *err = NULL;

		fprintf(stderr, "# %s\n", cases[i].file);
		msg_is(text, &cases[i].w);
		/* "-m -": the same from a stream. */
		CHECK(f && message_read(f, &a, &err) == 0);
		CHECK_STR(a.target, cases[i].w.target);
		if (f)
			fclose(f);
		free(text);
	}
}

/* The documented forms of servers the tests do not run. */
static void check_documented(void)
{
	msg_is("[Sat Jan 01 00:00:00.000000 2025] [core:emerg] [pid 1] (98)Address "
	       "already in use: AH00072: make_sock: could not bind to address [::]:80",
	       &(struct want){ "[::]:80", IPPROTO_TCP, "apache", true, false, WB_NO });
	msg_is("(98)Address already in use: AH00072: make_sock: could not bind to address 0.0.0.0:8080",
	       &(struct want){ "0.0.0.0:8080", IPPROTO_TCP, "apache", true, false, WB_UNKNOWN });
	msg_is("2025-01-01 00:00:00.000 UTC [42] LOG:  could not bind IPv4 address \"127.0.0.1\": Address already in use\n"
	       "2025-01-01 00:00:00.000 UTC [42] HINT:  Is another postmaster already running on port 5432? If not, wait a few seconds and retry.\n"
	       "2025-01-01 00:00:00.000 UTC [42] WARNING:  could not create listen socket for \"127.0.0.1\"",
	       &(struct want){ "127.0.0.1:5432", IPPROTO_TCP, "postgresql", true, false, WB_UNKNOWN });
	msg_is("LOG:  could not bind IPv6 address \"::1\": Address already in use\n"
	       "HINT:  Is another postmaster already running on port 5433? If not, wait a few seconds and retry.",
	       &(struct want){ "[::1]:5433", IPPROTO_TCP, "postgresql", true, false, WB_YES });
	msg_is("docker: Error response from daemon: driver failed programming external connectivity on "
	       "endpoint web (3f2a): Bind for 0.0.0.0:8080 failed: port is already allocated.",
	       &(struct want){ "0.0.0.0:8080", IPPROTO_TCP, "docker", true, false, WB_UNKNOWN });
	msg_is("Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use",
	       &(struct want){ "0.0.0.0:8080", IPPROTO_TCP, "go", true, false, WB_UNKNOWN });
	msg_is("Web server failed to start. Port 8080 was already in use.",
	       &(struct want){ "[::]:8080", IPPROTO_TCP, "java", true, false, WB_NO });
	msg_is("listen tcp6 :8080: bind: address already in use",
	       &(struct want){ "[::]:8080", IPPROTO_TCP, "go", true, false, WB_YES });
	msg_is("listen tcp 0.0.0.0:8080: bind: address already in use",
	       &(struct want){ "[::]:8080", IPPROTO_TCP, "go", true, false, WB_NO });
	msg_is("listen tcp 127.0.0.1:8080: bind: address already in use",
	       &(struct want){ "127.0.0.1:8080", IPPROTO_TCP, "go", true, false, WB_UNKNOWN });
	msg_is("listen udp [::1]:53: bind: address already in use",
	       &(struct want){ "[::1]:53", IPPROTO_UDP, "go", false, false, WB_NO });
	msg_is("listen unix /run/app.sock: bind: address already in use",
	       &(struct want){ "/run/app.sock", 0, "go", false, false, WB_UNKNOWN });
	msg_is("listen unixgram /run/app.sock: bind: address already in use",
	       &(struct want){ "/run/app.sock", IPPROTO_UDP, "go", false, false, WB_UNKNOWN });
	msg_is("Error: listen EADDRINUSE: address already in use 127.0.0.1:3000",
	       &(struct want){ "127.0.0.1:3000", IPPROTO_TCP, "nodejs", true, false, WB_UNKNOWN });
	msg_is("Error: listen EADDRINUSE: address already in use /tmp/app.sock",
	       &(struct want){ "/tmp/app.sock", 0, "nodejs", false, false, WB_UNKNOWN });
	msg_is("bind() to unix:/run/app.sock failed (98: Address already in use)",
	       &(struct want){ "/run/app.sock", 0, "nginx", false, false, WB_UNKNOWN });
	msg_is("ERROR:    [Errno 98] error while attempting to bind on address ('::', 8000, 0, 0): address already in use",
	       &(struct want){ "[::]:8000", IPPROTO_TCP, "python", true, false, WB_YES });
	msg_is("# Warning: Could not create server TCP listening socket ::1:6379: bind: Address already in use",
	       &(struct want){ "[::1]:6379", IPPROTO_TCP, "redis", true, false, WB_YES });
	msg_is("# Warning: Could not create server TCP listening socket -::*:6379: bind: Address already in use",
	       &(struct want){ "[::]:6379", IPPROTO_TCP, "redis", true, false, WB_YES });
	msg_is("error: Bind to port 22 on :: failed: Address already in use.",
	       &(struct want){ "[::]:22", IPPROTO_TCP, "openssh", true, false, WB_YES });
	msg_is("[ALERT] (1) : Starting frontend fe: cannot bind socket (Address already in use) [:::80]",
	       &(struct want){ "[::]:80", IPPROTO_TCP, "haproxy", true, true, WB_NO });
	/* The last line that matches wins. */
	msg_is("bind() to 0.0.0.0:80 failed (98: Address already in use)\n"
	       "noise\nBind to port 22 on 0.0.0.0 failed: Address already in use.\nmore noise\n",
	       &(struct want){ "0.0.0.0:22", IPPROTO_TCP, "openssh", true, false, WB_UNKNOWN });
}

static void check_unreadable(void)
{
	static const char *const texts[] = {
		"", "hello", "\n\n\n", "bind: Address already in use",
		"OSError: [Errno 98] Address already in use",
		"java.net.BindException: Address already in use",
		"listen tcp : bind: address already in use",
		"LOG:  could not bind IPv4 address \"127.0.0.1\": Address already in use",
		"bind() to \033[2J:80 failed", "Port  was already in use.",
		"listen EADDRINUSE: address already in use \001\002",
		"Bind to port 22 on 0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789 failed",
	};
	unsigned char junk[65536];
	unsigned seed = 17;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		msg_bad(texts[i], strlen(texts[i]));
	for (size_t i = 0; i < sizeof(junk); i++) {
		seed = seed * 1103515245 + 12345;
		junk[i] = (unsigned char)(seed >> 16);
	}
	msg_bad((const char *)junk, sizeof(junk));
}

/* 1 MB of stdin: lines of noise and a match at the end; one 1 MB line
 * (read in its first MESSAGE_LINE_MAX - 1 bytes). */
static void check_big(void)
{
	static const char go[] = "listen tcp :8080: bind: address already in use\n";
	size_t size = 1 << 20;
	char *buf = malloc(size + sizeof(go));
	struct wb_address a;
	const char *err = NULL;
	FILE *f;

	for (size_t i = 0; i < size; i++)
		buf[i] = i % 80 == 79 ? '\n' : (char)('a' + i % 26);
	memcpy(buf + size, go, sizeof(go));
	f = fmemopen(buf, size + sizeof(go) - 1, "r");
	CHECK(message_read(f, &a, &err) == 0);
	CHECK_STR(a.target, "[::]:8080");
	fclose(f);
	msg_bad(buf, size);

	memset(buf, 'x', size);
	memcpy(buf, go, sizeof(go) - 2);	/* no newline: one long line */
	f = fmemopen(buf, size, "r");
	CHECK(message_read(f, &a, &err) == 0);
	fclose(f);
	memset(buf, 'x', size);
	memcpy(buf + MESSAGE_LINE_MAX, go, sizeof(go) - 2);
	msg_bad(buf, size);
	free(buf);
}

int main(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	ipv6 = fd >= 0;
	if (fd >= 0)
		close(fd);
	check_every_address();
	check_forms();
	check_protocol();
	check_captured();
	check_documented();
	check_unreadable();
	check_big();
	return unit_done();
}
