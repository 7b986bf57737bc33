// SPDX-License-Identifier: GPL-2.0-or-later
/* Netlink replies: any stream of messages, lying lengths included, through
 * the inet_diag and unix_diag parsers. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "diag.h"
#include "unix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Aligned, as a receive buffer is. */
	void *buf = malloc(size ? size : 1);
	const struct nlmsghdr *nlh = buf;
	int len = (int)size;

	memcpy(buf, data, size);
	for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		struct wb_sock s;

		memset(&s, 0, sizeof(s));
		diag_parse_inet(nlh, IPPROTO_TCP, &s);
		memset(&s, 0, sizeof(s));
		diag_parse_inet(nlh, IPPROTO_UDP, &s);
		memset(&s, 0, sizeof(s));
		if (unix_parse_msg(nlh, &s) == 0 && s.path && s.path_len > 108)
			abort();
		free(s.path);
	}
	free(buf);
	return 0;
}
