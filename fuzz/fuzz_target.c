// SPDX-License-Identifier: GPL-2.0-or-later
/* The command line's target: [ADDRESS:]PORT, PATH, @NAME, any bytes. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "unix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *arg = malloc(size + 1);
	struct wb_target t;
	struct wb_unix_target u;
	struct wb_addr a;
	const char *err;
	uint16_t port;

	memcpy(arg, data, size);
	arg[size] = '\0';
	if (request_split(arg, &t, &err) == 0) {
		if (t.port)
			request_port(t.port, IPPROTO_TCP, &port, &err);
		if (t.host)
			request_addr_numeric(t.host, AF_UNSPEC, &a, &err);
		target_free(&t);
	}
	request_addr_numeric(arg, AF_INET6, &a, &err);
	if (unix_target_looks(arg) && unix_target_parse(arg, &u, &err) == 0 &&
	    (u.len > WB_UNIX_NAME_MAX || u.name[u.len] != '\0'))
		abort();
	free(arg);
	return 0;
}
