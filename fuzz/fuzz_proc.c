// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc text: stat, status, cmdline, cgroup, with arbitrary bytes. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "origin.h"
#include "proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wb_proc_status st;
	struct wb_owner o;
	char *cmd;

	memset(&o, 0, sizeof(o));
	proc_parse_stat((const char *)data, size, &o);
	if (memchr(o.comm, '\0', sizeof(o.comm)) == NULL || memchr(o.tty, '\0', sizeof(o.tty)) == NULL)
		abort();
	memset(&st, 0, sizeof(st));
	proc_parse_status((const char *)data, size, &st);
	if (!memchr(st.name, '\0', sizeof(st.name)))
		abort();
	cmd = proc_join_cmdline((const char *)data, size);
	free(cmd);
	memset(&o, 0, sizeof(o));
	origin_parse_cgroup((const char *)data, size, &o.origin);
	if (!memchr(o.origin.unit, '\0', sizeof(o.origin.unit)) || !memchr(o.origin.container, '\0', sizeof(o.origin.container)) ||
	    !memchr(o.origin.pod, '\0', sizeof(o.origin.pod)) || !memchr(o.origin.runtime, '\0', sizeof(o.origin.runtime)))
		abort();
	return 0;
}
