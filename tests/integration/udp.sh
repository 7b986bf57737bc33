#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP: a bound socket blocks a second UDP bind, never a TCP one; with
# SO_REUSEADDR on both the second one gets in -- decided from the holder's
# options, with no probe that could take the holder's datagrams.
. "${TESTLIB:?run from make check}"
ports P Q R S

fixture udp 0.0.0.0 "$P" comm=udpd
wb --json -u "$P"
expect_rc 1
jeq '.request.protocol' '"udp"'
jeq '.bind | {ok, errno}' '{ok: false, errno: "EADDRINUSE"}'
jeq '.verdict.cause' '"udp-bound"'
jeq '.conflicts | map({protocol, state, local, reuseaddr, reuseport})' \
	"[{protocol: \"udp\", state: \"UNCONN\", local: {address: \"0.0.0.0\", port: $P}, reuseaddr: false, reuseport: false}]"
jeq '.conflicts[0].owners | map({pid, comm})' "[{pid: $FIX_PID, comm: \"udpd\"}]"
jeq '.verdict.reuseaddr_fixes' false
wb --json "$P"
expect_rc 0
jeq '.request.protocol' '"tcp"'

# And a TCP listener does not block UDP.
fixture listen 0.0.0.0 "$Q"
wb --json -u "$Q"
expect_rc 0
jeq '.conflicts' '[]'

# SO_REUSEADDR on both.
fixture udp 0.0.0.0 "$R" reuseaddr
wb --json -u "$R"
expect_rc 1
jeq '.conflicts | map({state, reuseaddr})' '[{state: "UNCONN", reuseaddr: true}]'
jeq '.verdict.reuseaddr_fixes' true
wb --json -u -r "$R"
expect_rc 0
jeq '.bind | {ok, probed}' '{ok: true, probed: false}'
jeq '.request | {protocol, reuseaddr}' '{protocol: "udp", reuseaddr: true}'

# SO_REUSEPORT on both, same user: in too, and still no probe.
fixture udp 0.0.0.0 "$S" reuseport
wb --json -u -R "$S"
expect_rc 0
jeq '.bind | {ok, probed}' '{ok: true, probed: false}'
