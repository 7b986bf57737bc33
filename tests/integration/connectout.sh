#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A socket bound to the port and then connected out (a client that bound
# its source port): ESTABLISHED with the port as its local side.
. "${TESTLIB:?run from make check}"
ports P T Q U

fixture connectout 127.0.0.1 "$P" "$T" comm=dialer
ino=$(sock_inode "$FIX_PID" 4)
for addr in 127.0.0.1: ""; do
	wb --json "$addr$P"
	expect_rc 1
	jeq '.verdict.cause' '"established"'
	# Not the accepted end of the fixture's own listener: its local port is T.
	jeq '.conflicts | map({state, local, remote, inode})' \
		"[{state: \"ESTABLISHED\", local: {address: \"127.0.0.1\", port: $P}, remote: {address: \"127.0.0.1\", port: $T}, inode: $ino}]"
	jeq '.conflicts[0].owners | map({pid, comm})' "[{pid: $FIX_PID, comm: \"dialer\"}]"
	jeq '.verdict.reuseaddr_fixes' false
done
wb --json "127.0.0.2:$P"
expect_rc 0

# SO_REUSEADDR on both: a connected socket does not block.
fixture connectout 127.0.0.1 "$Q" "$U" reuseaddr
wb --json "127.0.0.1:$Q"
expect_rc 1
jeq '.conflicts | map({state, reuseaddr})' '[{state: "ESTABLISHED", reuseaddr: true}]'
jeq '.verdict.reuseaddr_fixes' true
wb --json -r "127.0.0.1:$Q"
expect_rc 0
