#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The seed story: a server killed (Ctrl+C) after its client connected closes
# first, which leaves TIME_WAIT on the server's port.  A new server fails;
# with SO_REUSEADDR it still fails if the old server never set it, and the
# time left is told; it succeeds when both set it.
. "${TESTLIB:?run from make check}"
ports P Q

# The old server never set SO_REUSEADDR.
fixture timewait 127.0.0.1 "$P"
check "the TIME_WAIT is on the server port" test "$FIX_TW" = "$P"

wb --json "$P"
expect_rc 1
jeq '.request | {protocol, family, address, port, reuseaddr, reuseport}' \
	"{protocol: \"tcp\", family: \"inet\", address: \"0.0.0.0\", port: $P, reuseaddr: false, reuseport: false}"
jeq '.bind | {ok, probed, errno}' '{ok: false, probed: true, errno: "EADDRINUSE"}'
jeq '.verdict.cause' '"time-wait"'
jeq '.conflicts | length' 1
jeq '.conflicts[0] | {protocol, family, state, local, inode, uid, owners, reuseaddr}' \
	"{protocol: \"tcp\", family: \"inet\", state: \"TIME_WAIT\", local: {address: \"127.0.0.1\", port: $P}, inode: null, uid: null, owners: [], reuseaddr: null}"
jqt '.conflicts[0].remote.address == "127.0.0.1" and .conflicts[0].remote.port != '"$P"
jqt '.conflicts[0].expires_ms | type == "number" and . > 0 and . <= 60000'
jeq '.verdict.reuseaddr_fixes' false
# The fix is to wait, for the time left (at most a minute).
jeq '[.verdict.fixes[] | select(.action == "wait")] | length' 1
jqt '.verdict.fixes[] | select(.action == "wait") | .command
	| capture("^sleep (?<s>[0-9]+)$").s | tonumber | . >= 1 and . <= 60'
# Setting SO_REUSEADDR now helps only the next restart: not first.
jqt '[.verdict.fixes[].action] | (index("set-reuseaddr") // 99) > index("wait")'

# A new server that sets SO_REUSEADDR: still fails, the old one never did.
wb --json -r "$P"
expect_rc 1
jeq '.request.reuseaddr' true
jeq '.bind | {ok, errno}' '{ok: false, errno: "EADDRINUSE"}'
jeq '.verdict.cause' '"time-wait"'
jeq '[.conflicts[] | .state]' '["TIME_WAIT"]'
jqt '.conflicts[0].expires_ms | type == "number" and . > 0 and . <= 60000'
jqt '.verdict.reuseaddr_fixes == false'
jqt '[.verdict.fixes[].action] | index("wait") != null and index("set-reuseaddr") == null'

# The human report says the same: the row with the time left, and no.
wb -r "$P"
expect_rc 1
out_has "^bind 0\.0\.0\.0:$P/tcp.*: Address already in use$"
out_has "^ *TIME_WAIT +127\.0\.0\.1:$P +127\.0\.0\.1:[0-9]+ +[0-9.]+ ?s\b"
out_has '^SO_REUSEADDR would fix it: no\b'
wb "$P"
out_has '^SO_REUSEADDR would fix it: no\b'

# The old server set SO_REUSEADDR too: its TIME_WAIT lets the new one in.
fixture timewait 127.0.0.1 "$Q" reuseaddr
wb --json "$Q"
expect_rc 1
jeq '.verdict.cause' '"time-wait"'
jeq '.verdict.reuseaddr_fixes' true
jqt '[.verdict.fixes[].action] | index("set-reuseaddr") != null'
wb "$Q"
out_has '^SO_REUSEADDR would fix it: yes\b'
wb --json -r "$Q"
expect_rc 0
jeq '.bind | {ok, probed, errno}' '{ok: true, probed: true, errno: null}'
jeq '.verdict.cause' '"free"'
jeq '.conflicts' '[]'
