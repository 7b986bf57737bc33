// SPDX-License-Identifier: GPL-2.0-or-later
/* conflict: the kernel's bind rules, as a pure function.
 *
 * TCP follows inet_csk_bind_conflict()/inet_bind_conflict() in
 * net/ipv4/inet_connection_sock.c for a bind with an explicit port
 * (relax = true); UDP follows udp_lib_lport_inuse() in net/ipv4/udp.c.
 * Address overlap follows inet_rcv_saddr_equal() with wildcards matched
 * on both sides.
 */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "conflict.h"

enum addr_kind { KIND_ANY, KIND_MAPPED, KIND_OTHER };

static enum addr_kind kind6(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return KIND_ANY;
	if (IN6_IS_ADDR_V4MAPPED(a))
		return KIND_MAPPED;
	return KIND_OTHER;
}

/* The IPv4 address of an IPv4, v4-mapped or :: socket. */
static uint32_t ipv4_of(const struct wb_addr *a)
{
	if (a->family == AF_INET)
		return a->u.v4.s_addr;
	return kind6(&a->u.v6) == KIND_MAPPED ? a->u.v6.s6_addr32[3] : 0;
}

static bool ipv4_equal(uint32_t a, uint32_t b)
{
	return a == b || a == 0 || b == 0;
}

/* A new IPv4 socket against an existing one (ipv4_rcv_saddr_equal).
 * An IPv6 socket on a plain IPv6 address holds no IPv4 address: older
 * kernels compared its placeholder 127.0.0.6 and so let it block
 * 0.0.0.0; since the bhash2 rework (v6.1 and fixes after) they do not,
 * as the table in tests/unit/test_conflict.c checks on this kernel. */
static bool overlap4(const struct wb_request *req, const struct wb_sock *s,
		     bool s_v6only)
{
	if (s_v6only)
		return false;
	if (s->family == AF_INET6 && kind6(&s->local.u.v6) == KIND_OTHER)
		return false;
	return ipv4_equal(req->addr.u.v4.s_addr, ipv4_of(&s->local));
}

/* Before v6.8, a TCP bind of a specific v4-mapped address looked for
 * wildcards only in bhash2's [::] bucket, where a socket on
 * [::ffff:0.0.0.0] is not: the two did not meet (Debian 12's 6.1.0-57:
 * the one difference of 5760 one-old-socket configurations tried in its
 * guest, tests/vm, LISTEN or bound).  Kernel commit 5e07e672412b
 * ("tcp: Use bhash2 for v4-mapped-v6 non-wildcard address.", v6.8) made
 * inet_bind2_bucket_match_addr_any() match that bucket too. */
static bool mapped_any_missed(const struct wb_request *req,
			      const struct wb_sock *s)
{
	return req->kernel.mapped_misses_mapped_any &&
	       req->protocol == IPPROTO_TCP && ipv4_of(&req->addr) != 0 &&
	       s->family == AF_INET6 && kind6(&s->local.u.v6) == KIND_MAPPED &&
	       ipv4_of(&s->local) == 0;
}

/* A new IPv6 socket against an existing one (ipv6_rcv_saddr_equal). */
static bool overlap6(const struct wb_request *req, const struct wb_sock *s,
		     bool s_v6only)
{
	enum addr_kind k1 = kind6(&req->addr.u.v6);
	enum addr_kind k2 = s->family == AF_INET ? KIND_MAPPED
						 : kind6(&s->local.u.v6);

	if (k1 == KIND_MAPPED && k2 == KIND_MAPPED)
		return !s_v6only && !mapped_any_missed(req, s) &&
		       ipv4_equal(ipv4_of(&req->addr), ipv4_of(&s->local));
	if (k1 == KIND_ANY && k2 == KIND_ANY)
		return true;
	if (k2 == KIND_ANY && !(s_v6only && k1 == KIND_MAPPED))
		return true;
	if (k1 == KIND_ANY && !(req->v6only && k2 == KIND_MAPPED))
		return true;
	return s->family == AF_INET6 &&
	       !memcmp(&req->addr.u.v6, &s->local.u.v6, sizeof(struct in6_addr));
}

/* AF_UNIX: a path is taken by the file itself, whatever holds it; an
 * abstract name is taken per socket type (unix_find_socket_byname()
 * hashes the type in: a stream and a datagram socket may share one). */
static int unix_overlap(const struct wb_request *req, const struct wb_sock *s,
			const char **why)
{
	if (req->addr.family != AF_UNIX || s->family != AF_UNIX) {
		*why = "an AF_UNIX name and an inet port never conflict";
		return WB_NO;
	}
	if (req->target.abstract != s->abstract) {
		*why = "a path and an abstract name never conflict";
		return WB_NO;
	}
	if (s->abstract && s->type != req->unix_type) {
		*why = "another socket type: each type has its own abstract names";
		return WB_NO;
	}
	return WB_YES;
}

/* A connected (or accepted) IPv6 socket, not IPv6-only, on a plain IPv6
 * address: the property test found that such a socket, once bound to
 * [::], still blocks a bind of the IPv4 wildcard 0.0.0.0 (not of a
 * specific IPv4 address, nor of [::ffff:0.0.0.0]), while one bound to
 * that IPv6 address itself does not.  The dump shows the address it has
 * now, not the one it was bound to: undecided. */
static bool ipv4_placeholder_unknown(const struct wb_request *req,
				     const struct wb_sock *s)
{
	bool connected = s->protocol == IPPROTO_TCP
		? s->state != WB_TCP_LISTEN && s->state != WB_TCP_CLOSE &&
		  s->state != WB_TCP_BOUND_INACTIVE
		: s->state == WB_TCP_ESTABLISHED;

	return req->addr.family == AF_INET && req->addr.u.v4.s_addr == htonl(INADDR_ANY) &&
	       s->family == AF_INET6 && kind6(&s->local.u.v6) == KIND_OTHER && connected;
}

static const char *no_overlap_reason(const struct wb_request *req,
				     const struct wb_sock *s)
{
	bool req4 = req->addr.family == AF_INET ||
		    kind6(&req->addr.u.v6) == KIND_MAPPED;
	bool s4 = s->family == AF_INET || kind6(&s->local.u.v6) == KIND_MAPPED;

	if (req4 && s->v6only == WB_YES)
		return "the socket is IPv6-only (IPV6_V6ONLY): it holds no IPv4 address";
	if (s4 && req->addr.family == AF_INET6 && req->v6only)
		return "the bind is IPv6-only (IPV6_V6ONLY): it takes no IPv4 address";
	return "a different local address";
}

int conflict_overlap(const struct wb_request *req, const struct wb_sock *s,
		     const char **why)
{
	bool (*overlap)(const struct wb_request *, const struct wb_sock *, bool);
	bool with, without;

	*why = NULL;
	if (req->addr.family == AF_UNIX || s->family == AF_UNIX)
		return unix_overlap(req, s, why);
	if (req->protocol != s->protocol) {
		*why = "TCP and UDP ports never conflict";
		return WB_NO;
	}
	if (req->ifindex && s->ifindex && (uint32_t)req->ifindex != s->ifindex) {
		*why = "bound to another device";
		return WB_NO;
	}
	overlap = req->addr.family == AF_INET ? overlap4 : overlap6;
	with = overlap(req, s, true);
	without = overlap(req, s, false);
	/* A socket on a v4-mapped address carries IPv4: never IPv6-only
	 * (the kernel refuses such a bind, and such a connection). */
	if (s->family == AF_INET || s->v6only != WB_UNKNOWN || with == without ||
	    kind6(&s->local.u.v6) == KIND_MAPPED) {
		bool v6only = s->family == AF_INET6 && s->v6only == WB_YES &&
			      kind6(&s->local.u.v6) != KIND_MAPPED;

		if (overlap(req, s, v6only))
			return WB_YES;
		if (!v6only && ipv4_placeholder_unknown(req, s)) {
			*why = "an IPv6 socket bound to [::] before it connected still blocks 0.0.0.0; whether this one was is not in the dump";
			return WB_UNKNOWN;
		}
		*why = no_overlap_reason(req, s);
		return WB_NO;
	}
	*why = "overlaps unless the socket is IPv6-only, which could not be read";
	return WB_UNKNOWN;
}

/* inet_bind_conflict() with relax = true, for one value of the old
 * socket's flags; true when the bind is refused. */
static bool tcp_refuses(const struct wb_request *req, const struct wb_sock *s,
			bool reuseaddr2, bool reuseport2)
{
	if (req->reuseaddr && reuseaddr2 && s->state != WB_TCP_LISTEN)
		return false;
	/* A TIME_WAIT socket has no owner: the kernel skips the uid check. */
	if (req->reuseport && reuseport2 &&
	    (s->state == WB_TCP_TIME_WAIT || req->uid == s->uid))
		return false;
	return true;
}

/* udp_lib_lport_inuse(): the state does not matter. */
static bool udp_refuses(const struct wb_request *req, const struct wb_sock *s,
			bool reuseaddr2, bool reuseport2)
{
	if (req->reuseaddr && reuseaddr2)
		return false;
	if (req->reuseport && reuseport2 && req->uid == s->uid)
		return false;
	return true;
}

static const char *refused_reason(const struct wb_request *req,
				  const struct wb_sock *s)
{
	if (req->reuseport && s->reuseport == WB_YES && req->uid != s->uid &&
	    s->state != WB_TCP_TIME_WAIT)
		return "SO_REUSEPORT is set on both, but a reuseport group only admits the same user";
	if (s->protocol == IPPROTO_UDP)
		return req->reuseaddr ? "the socket did not set SO_REUSEADDR"
				      : "a second UDP bind needs SO_REUSEADDR on both sockets";
	if (s->state == WB_TCP_LISTEN)
		return "a listening socket holds the port; SO_REUSEADDR does not let a second socket in";
	if (!req->reuseaddr)
		return "the bind does not set SO_REUSEADDR";
	return "the old socket did not set SO_REUSEADDR";
}

static const char *allowed_reason(const struct wb_request *req,
				  const struct wb_sock *s, int reuseaddr2)
{
	if (req->reuseaddr && reuseaddr2 == WB_YES &&
	    (s->protocol == IPPROTO_UDP || s->state != WB_TCP_LISTEN))
		return "SO_REUSEADDR is set on both sockets";
	return "SO_REUSEPORT is set on both sockets, same user: they would share the port";
}

int conflict_blocks(const struct wb_request *req, const struct wb_sock *s,
		    const char **why)
{
	bool (*refuses)(const struct wb_request *, const struct wb_sock *,
			bool, bool);
	int ov = conflict_overlap(req, s, why);
	int n_refused = 0, n_cases = 0;

	if (ov == WB_NO)
		return WB_NO;
	if (req->addr.family == AF_UNIX) {
		*why = s->abstract ? "a live socket holds the abstract name"
				   : "a live socket is bound to the file";
		return WB_YES;
	}
	refuses = s->protocol == IPPROTO_UDP ? udp_refuses : tcp_refuses;
	/* Try every value the unread flags could have. */
	for (int ra = 0; ra <= 1; ra++) {
		if (s->reuseaddr != WB_UNKNOWN && ra != s->reuseaddr)
			continue;
		for (int rp = 0; rp <= 1; rp++) {
			if (s->reuseport != WB_UNKNOWN && rp != s->reuseport)
				continue;
			n_cases++;
			n_refused += refuses(req, s, ra, rp);
		}
	}
	if (n_refused == 0) {
		*why = allowed_reason(req, s, s->reuseaddr);
		return WB_NO;
	}
	if (n_refused < n_cases) {
		*why = "depends on whether the old socket set SO_REUSEADDR, which the kernel does not show";
		return WB_UNKNOWN;
	}
	if (ov == WB_UNKNOWN)
		return WB_UNKNOWN;
	*why = refused_reason(req, s);
	return WB_YES;
}

/* udp_lib_lport_inuse() stops at the first overlapping socket it may
 * share the port with (SO_REUSEPORT on both, same user): a refusing
 * socket further down its list is then never looked at.  The list's
 * order is not in the dump.  Found by the property test. */
/* inet_csk_get_port() skips the conflict check when the port's bucket
 * remembers (tb->fastreuseport) a SO_REUSEPORT socket of the same user
 * and address that bound it earlier, even one long closed, whatever else
 * holds the port now.  What the dump can show of such a socket: one with
 * SO_REUSEPORT still there, on any address of the port (seed 88831 trial
 * 108: a connection out of [::] let a [::ffff:0.0.0.0] bind past a
 * bound-only ::ffff:127.0.0.1), or a TIME_WAIT (its flags hidden) it
 * left.  Found by the property test (rules_random.sh). */
bool conflict_options_matter(const struct wb_request *req,
			     const struct wb_sock *s)
{
	return req->protocol == IPPROTO_TCP && req->reuseport &&
	       s->protocol == IPPROTO_TCP && s->state != WB_TCP_TIME_WAIT;
}

static bool tcp_fast_path_here(const struct wb_request *req,
			       const struct wb_sock *socks, size_t n)
{
	if (req->protocol != IPPROTO_TCP || !req->reuseport)
		return false;
	for (size_t i = 0; i < n; i++)
		if (socks[i].protocol == IPPROTO_TCP &&
		    (socks[i].state == WB_TCP_TIME_WAIT || socks[i].reuseport == WB_YES))
			return true;
	return false;
}

static bool udp_group_here(const struct wb_request *req,
			   const struct wb_sock *socks, size_t n)
{
	const char *why;

	if (req->protocol != IPPROTO_UDP || !req->reuseport)
		return false;
	for (size_t i = 0; i < n; i++)
		if (socks[i].protocol == IPPROTO_UDP && socks[i].reuseport == WB_YES &&
		    socks[i].uid == req->uid &&
		    conflict_overlap(req, &socks[i], &why) == WB_YES)
			return true;
	return false;
}

/* udp_reuseport_add_sock(): the group of the first socket with the same
 * family, IPv6-only setting, device and user, SO_REUSEPORT, and exactly
 * the same local address.  All such sockets are in one group: each joined
 * the first one's.  Unread flags count as not matching.  Whether req
 * itself sets SO_REUSEPORT is the caller's to ask. */
static bool joins_group_of(const struct wb_request *req, const struct wb_sock *s)
{
	if (req->protocol != IPPROTO_UDP || s->protocol != IPPROTO_UDP || s->reuseport != WB_YES ||
	    s->family != req->addr.family || s->uid != req->uid ||
	    s->ifindex != (uint32_t)req->ifindex)
		return false;
	if (s->family == AF_INET)
		return s->local.u.v4.s_addr == req->addr.u.v4.s_addr;
	return s->v6only != WB_UNKNOWN && (s->v6only == WB_YES) == req->v6only &&
	       !memcmp(&s->local.u.v6, &req->addr.u.v6, sizeof(struct in6_addr));
}

bool conflict_group_full(const struct wb_request *req,
			 const struct wb_sock *socks, size_t n)
{
	size_t members = 0;

	for (size_t i = 0; i < n && members < WB_REUSEPORT_GROUP_MAX; i++)
		members += joins_group_of(req, &socks[i]);
	return members >= WB_REUSEPORT_GROUP_MAX;
}

bool conflict_mark_full_group(const struct wb_request *req,
			      struct wb_sock *socks, size_t n)
{
	if (!req->reuseport || !conflict_group_full(req, socks, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!joins_group_of(req, &socks[i]))
			continue;
		socks[i].blocks = WB_YES;
		socks[i].why = "its SO_REUSEPORT group is full: the kernel admits 32768 sockets to one group";
	}
	return true;
}

int conflict_predict(const struct wb_request *req,
		     const struct wb_sock *socks, size_t n)
{
	bool group = udp_group_here(req, socks, n) || tcp_fast_path_here(req, socks, n);
	int result = WB_NO;
	const char *why;

	if (req->reuseport && conflict_group_full(req, socks, n))
		return WB_YES;

	for (size_t i = 0; i < n; i++) {
		int b = conflict_blocks(req, &socks[i], &why);

		if (b == WB_YES && group)
			b = WB_UNKNOWN;

		if (b == WB_YES)
			return WB_YES;
		if (b == WB_UNKNOWN)
			result = WB_UNKNOWN;
	}
	return result;
}

/* The one place that maps a kernel release to its rules.  By version:
 * --no-probe promises never to call bind(), so no behavioural probe may
 * tell; and a probe in a namespace of its own needs CAP_SYS_ADMIN, which
 * whybind does not require.  A distribution that backports a change is
 * seen as its base version: for bound-only sockets a dump that shows one
 * proves the newer behaviour (diag_dump_port()). */
void conflict_kernel_rules(const char *release, struct wb_kernel_rules *k)
{
	int major = 0, minor = 0;
	bool before_6_8;

	if (!release || sscanf(release, "%d.%d", &major, &minor) != 2)
		major = 0;
	before_6_8 = major < 6 || (major == 6 && minor < 8);
	memset(k, 0, sizeof(*k));
	/* Kernel commit 91051f003948 ("tcp: Dump bound-only sockets in
	 * inet_diag.") was applied after the v6.7 merge window: v6.8. */
	k->no_bound_dump = before_6_8;
	k->mapped_misses_mapped_any = before_6_8;
}
