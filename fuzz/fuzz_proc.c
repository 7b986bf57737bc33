/* /proc text: stat, cmdline, cgroup, with arbitrary bytes. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "origin.h"
#include "owners.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wb_owner o;
	char *cmd;

	memset(&o, 0, sizeof(o));
	owners_parse_stat((const char *)data, size, &o);
	if (memchr(o.comm, '\0', sizeof(o.comm)) == NULL || memchr(o.tty, '\0', sizeof(o.tty)) == NULL)
		abort();
	cmd = owners_join_cmdline((const char *)data, size);
	free(cmd);
	memset(&o, 0, sizeof(o));
	origin_parse_cgroup((const char *)data, size, &o);
	if (!memchr(o.unit, '\0', sizeof(o.unit)) || !memchr(o.container, '\0', sizeof(o.container)) ||
	    !memchr(o.pod, '\0', sizeof(o.pod)) || !memchr(o.runtime, '\0', sizeof(o.runtime)))
		abort();
	return 0;
}
