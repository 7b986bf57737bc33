#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The server died, but the child it forked for a client still holds the
# accepted connection (ESTABLISHED on the server's port).
. "${TESTLIB:?run from make check}"
ports P Q

fixture childconn 127.0.0.1 "$P"
child=$FIX_CHILDREN
check "the server is gone, its child is there" \
	test -z "$(proc_state "$FIX_PID")" -a -n "$(proc_state "$child")"
ino=$(sock_inode "$child" 5)

for addr in 127.0.0.1: ""; do
	wb --json "$addr$P"
	expect_rc 1
	jeq '.verdict.cause' '"established"'
	# Only the server's end: the client's local port is another.
	jeq '.conflicts | map({state, local, inode})' \
		"[{state: \"ESTABLISHED\", local: {address: \"127.0.0.1\", port: $P}, inode: $ino}]"
	jeq '.conflicts[0].remote.address' '"127.0.0.1"'
	jeq '[.conflicts[0].owners[].pid]' "[$child]"
	jeq '.conflicts[0].reuseaddr' false
	jeq '.verdict.reuseaddr_fixes' false
	jqt "[.verdict.fixes[].command // empty | test(\"\\\\b$child\\\\b\")] | any"
done

# With SO_REUSEADDR on the old listener (inherited) and on the new one,
# an ESTABLISHED socket does not block.
fixture childconn 127.0.0.1 "$Q" reuseaddr
wb --json "127.0.0.1:$Q"
expect_rc 1
jeq '.conflicts | map({state, reuseaddr})' '[{state: "ESTABLISHED", reuseaddr: true}]'
jeq '.verdict.reuseaddr_fixes' true
wb --json -r "127.0.0.1:$Q"
expect_rc 0
jeq '.verdict.cause' '"free"'
