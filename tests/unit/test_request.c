// SPDX-License-Identifier: GPL-2.0-or-later
/* Address and port parsing. */
#include "config.h"
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "request.h"
#include "unit.h"

static void split_ok(const char *arg, const char *host, const char *port)
{
	struct wb_target t;
	const char *err = NULL;

	CHECK(request_split(arg, &t, &err) == 0);
	CHECK_STR(t.host, host);
	CHECK_STR(t.port, port);
	target_free(&t);
}

static void split_bad(const char *arg)
{
	struct wb_target t;
	const char *err = NULL;

	CHECK(request_split(arg, &t, &err) < 0);
	CHECK(err != NULL);
	target_free(&t);
}

static void check_split(void)
{
	char big[5001];

	split_ok("8080", NULL, "8080");
	split_ok("127.0.0.1:80", "127.0.0.1", "80");
	split_ok("[::1]:80", "::1", "80");
	split_ok("[fe80::1%lo]:80", "fe80::1%lo", "80");
	split_ok("*:http", "*", "http");
	split_ok("localhost:8080", "localhost", "8080");
	split_bad("[::1");
	split_bad("[::1]");
	split_bad("[::1]:");
	split_bad("::1:80");
	split_bad(":80");
	split_bad("host:");
	split_bad("80\033[2J");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	split_bad(big);
}

static void check_port(void)
{
	const char *err;
	uint16_t p = 0;

	CHECK(request_port("1", IPPROTO_TCP, &p, &err) == 0 && p == 1);
	CHECK(request_port("65535", IPPROTO_TCP, &p, &err) == 0 && p == 65535);
	CHECK(request_port("0", IPPROTO_TCP, &p, &err) < 0);
	CHECK(request_port("65536", IPPROTO_TCP, &p, &err) < 0);
	CHECK(request_port("80x", IPPROTO_TCP, &p, &err) < 0);
	CHECK(request_port("", IPPROTO_TCP, &p, &err) < 0);
	CHECK(request_port("99999999999999999999", IPPROTO_TCP, &p, &err) < 0);
	CHECK(request_port("no-such-service", IPPROTO_TCP, &p, &err) < 0);
	/* /etc/services comes with netbase; skip the names where it is absent. */
	if (getservbyname("http", "tcp"))
		CHECK(request_port("http", IPPROTO_TCP, &p, &err) == 0 && p == 80);
}

static void check_addr(void)
{
	struct wb_addr a;
	const char *err;
	char buf[WB_ADDRSTRLEN];

	CHECK(request_addr_numeric("*", AF_UNSPEC, &a, &err) == 0);
	CHECK(a.family == AF_INET && addr_is_any(&a));
	CHECK(request_addr_numeric("*", AF_INET6, &a, &err) == 0);
	CHECK(a.family == AF_INET6 && addr_is_any(&a));
	CHECK(request_addr_numeric("127.0.0.1", AF_UNSPEC, &a, &err) == 0);
	CHECK_STR(addr_str(&a, buf, sizeof(buf)), "127.0.0.1");
	CHECK(request_addr_numeric("::ffff:127.0.0.1", AF_UNSPEC, &a, &err) == 0);
	CHECK(a.family == AF_INET6);
	CHECK(request_addr_numeric("fe80::1%lo", AF_UNSPEC, &a, &err) == 0);
	CHECK(a.scope_id == if_nametoindex("lo"));
	CHECK_STR(addr_str(&a, buf, sizeof(buf)), "fe80::1%lo");
	CHECK(request_addr_numeric("fe80::1%nosuchdev0", AF_UNSPEC, &a, &err) == -ENODEV);
	CHECK(request_addr_numeric("localhost", AF_UNSPEC, &a, &err) == -EINVAL);
	CHECK(request_addr_numeric("::1", AF_INET, &a, &err) == -EINVAL);
}

static void check_addrs(void)
{
	struct wb_addr *v;
	const char *err;
	int n;

	n = request_addrs(NULL, AF_INET6, &v, &err);
	CHECK(n == 1 && v[0].family == AF_INET6 && addr_is_any(&v[0]));
	free(v);
	CHECK(request_addrs("127.0.0.1", AF_INET6, &v, &err) == -EINVAL);
	CHECK(request_addrs("::1", AF_INET, &v, &err) == -EINVAL);
	/* inet_aton's shorthands are refused, not read as surprises. */
	CHECK(request_addrs("1.2.3", AF_INET, &v, &err) == -EINVAL && v == NULL);
	CHECK_STR(err, "not a valid IPv4 address (four decimal numbers: 192.0.2.1)");
	CHECK(request_addrs("127.1", AF_UNSPEC, &v, &err) == -EINVAL);
	CHECK(request_addrs("0x7f.0.0.1", AF_INET, &v, &err) == -EINVAL);
	CHECK(request_addrs("2130706433", AF_INET, &v, &err) == -EINVAL);
	n = request_addrs("localhost", AF_INET, &v, &err);
	CHECK(n >= 1 && v[0].family == AF_INET);
	for (int i = 0; i < n; i++)
		CHECK(v[i].family == AF_INET);
	free(v);
}

int main(void)
{
	check_split();
	check_port();
	check_addr();
	check_addrs();
	return unit_done();
}
