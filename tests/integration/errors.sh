#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bind errors other than EADDRINUSE: a port below the namespace's
# unprivileged threshold (as a plain user, and as root with -U), an address
# the namespace does not have, an IPv6 address still tentative.
. "${TESTLIB:?run from make check}"
ports P

# The threshold is read in the namespace the bind happens in: ours.
sysctl -qw net.ipv4.ip_unprivileged_port_start=1024 || fatal "sysctl"
wb_as_nobody --json 80
expect_rc 1
jeq '{errno: .bind.errno, cause: .verdict.cause, start: .unprivileged_port_start}' \
	'{errno: "EACCES", cause: "permission", start: 1024}'
jqt '[.verdict.fixes[].action] | index("grant-capability") == 0'
jqt '[.verdict.fixes[].command // empty] | index("setcap cap_net_bind_service=+ep /path/to/server") != null'
jqt '[.verdict.fixes[].command // empty] | index("sysctl -w net.ipv4.ip_unprivileged_port_start=80") != null'
jqt '.verdict.summary | test("below net.ipv4.ip_unprivileged_port_start \\(1024\\)")'
wb --json -U nobody 80
expect_rc 1
jeq '{errno: .bind.errno, cause: .verdict.cause, user: .request.user, start: .unprivileged_port_start}' \
	'{errno: "EACCES", cause: "permission", user: "nobody", start: 1024}'
wb --json -U 65534 80
expect_rc 1
jeq '.verdict.cause' '"permission"'
wb -U nobody 80
expect_rc 1
out_has '^bind 0\.0\.0\.0:80/tcp as nobody: Permission denied$'
# As root itself, port 80 is fine.
wb --json 80
expect_rc 0
# Another threshold, in this namespace only.
sysctl -qw net.ipv4.ip_unprivileged_port_start=500 || fatal "sysctl"
wb --json -U nobody 600
expect_rc 0
wb --json -U nobody 499
expect_rc 1
jeq '.unprivileged_port_start' 500
jqt '[.verdict.fixes[] | select(.action == "other-port") | .text | test("500")] | any'
sysctl -qw net.ipv4.ip_unprivileged_port_start=1024

# An address this namespace does not have.
wb --json 192.0.2.77:"$P"
expect_rc 1
jeq '{errno: .bind.errno, cause: .verdict.cause}' '{errno: "EADDRNOTAVAIL", cause: "address-unavailable"}'
jeq '[.host_addresses[] | {address, prefix, interface}]' '[{address: "127.0.0.1", prefix: 8, interface: "lo"}]'
jqt '[.verdict.fixes[].command // empty] | index("ip addr add 192.0.2.77/32 dev DEV") != null'
jqt '[.verdict.fixes[].command // empty] | index("sysctl -w net.ipv4.ip_nonlocal_bind=1") != null'
jqt '.verdict.summary | test("127\\.0\\.0\\.1 \\(lo\\)")'
wb "192.0.2.77:$P"
expect_rc 1
out_has 'Cannot assign requested address'
wb --json "[2001:db8::77]:$P"
expect_rc 1
jeq '.verdict.cause' '"address-unavailable"'
jqt '[.verdict.fixes[].command // empty] | index("sysctl -w net.ipv6.ip_nonlocal_bind=1") != null'
# With ip_nonlocal_bind on, the same bind succeeds.
sysctl -qw net.ipv4.ip_nonlocal_bind=1 || fatal "sysctl"
wb --json "192.0.2.77:$P"
expect_rc 0
sysctl -qw net.ipv4.ip_nonlocal_bind=0

# An IPv6 address on a device that is down stays tentative (no DAD yet).
ip link add wbv0 type veth peer name wbv1 || fatal "ip link add veth"
ip addr add 2001:db8::5/64 dev wbv0 || fatal "ip addr add"
ip -6 addr show dev wbv0 | grep -q tentative || fatal "2001:db8::5 is not tentative"
wb --json "[2001:db8::5]:$P"
expect_rc 1
jeq '.verdict.cause' '"address-unavailable"'
jeq '[.host_addresses[] | select(.address == "2001:db8::5") | {interface, tentative}]' \
	'[{interface: "wbv0", tentative: true}]'
jqt '.verdict.summary | test("tentative")'

# The wrong family: an IPv4 address written as IPv6 (v4-mapped).
wb --json "[::ffff:192.0.2.9]:$P"
expect_rc 1
jeq '{errno: .bind.errno, cause: .verdict.cause}' '{errno: "EADDRNOTAVAIL", cause: "address-unavailable"}'
jqt '.verdict.summary | test("v4-mapped")'

# Any other error: named, explained, never a crash.  A link-local IPv6
# address needs its zone (the device).
wb --json "[fe80::1]:$P"
expect_rc 1
jeq '{errno: .bind.errno, cause: .verdict.cause}' '{errno: "EINVAL", cause: "other"}'
jqt '.verdict.summary | test("EINVAL")'
jqt '.verdict.summary | test("link-local")'
