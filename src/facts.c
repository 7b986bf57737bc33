// SPDX-License-Identifier: GPL-2.0-or-later
/* facts: stage 4, what the verdict weighs beyond the port's sockets:
 * the unprivileged port floor (EACCES) and the addresses this network
 * namespace has (EADDRNOTAVAIL). */
#include "config.h"
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diagnose.h"
#include "probe.h"

static unsigned int prefix_len(const struct sockaddr *mask)
{
	const unsigned char *b;
	size_t n;
	unsigned int bits = 0;

	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr;
		n = 4;
	} else {
		b = ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		bits += (unsigned int)__builtin_popcount(b[i]);
	return bits;
}

/* IFA_F_TENTATIVE (0x40) and IFA_F_DADFAILED (0x08) of an IPv6 address,
 * from /proc/net/if_inet6 ("ADDR32HEX IFINDEX PREFIX SCOPE FLAGS DEV"). */
static bool v6_tentative(const struct in6_addr *a)
{
	FILE *fp = fopen("/proc/net/if_inet6", "re");
	char hex[33], want[33];
	unsigned int ifindex, prefix, scope, flags;
	bool found = false;

	if (!fp)
		return false;
	for (int i = 0; i < 16; i++)
		snprintf(want + 2 * i, 3, "%02x", a->s6_addr[i]);
	while (!found && fscanf(fp, "%32s %x %x %x %x %*s", hex, &ifindex,
				&prefix, &scope, &flags) == 5)
		found = strcmp(hex, want) == 0 && (flags & (0x40 | 0x08));
	fclose(fp);
	return found;
}

/* EADDRNOTAVAIL: the addresses this namespace does have, of the
 * request's family, to show next to the one asked for. */
static void gather_host_addrs(int family, struct wb_facts *f)
{
	struct ifaddrs *list, *ifa;

	if (getifaddrs(&list) < 0)
		return;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		struct wb_host_addr *h;

		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != family)
			continue;
		f->host_addrs = xrealloc(f->host_addrs,
					 (f->n_host_addrs + 1) * sizeof(*h));
		h = &f->host_addrs[f->n_host_addrs++];
		memset(h, 0, sizeof(*h));
		h->addr.family = family;
		if (family == AF_INET) {
			h->addr.u.v4 = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
		} else {
			const struct sockaddr_in6 *sin6 =
				(const struct sockaddr_in6 *)ifa->ifa_addr;

			h->addr.u.v6 = sin6->sin6_addr;
			h->addr.scope_id = sin6->sin6_scope_id;
			h->tentative = v6_tentative(&sin6->sin6_addr);
		}
		h->prefix = prefix_len(ifa->ifa_netmask);
		snprintf(h->ifname, sizeof(h->ifname), "%s", ifa->ifa_name);
	}
	freeifaddrs(list);
}

/* What the other bind errors need to be explained on this host.  (The
 * AF_UNIX file was looked at before the probe: diagnose.c.) */
void facts_gather(const struct wb_request *req, const struct wb_probe *p,
		  struct wb_facts *f)
{
	if (p->err == EACCES)
		f->port_start = probe_unprivileged_port_start();
	if (p->err == EADDRNOTAVAIL)
		gather_host_addrs(req->addr.family, f);
}
