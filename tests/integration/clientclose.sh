#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The client closing first leaves TIME_WAIT on the client's own port, not
# the server's: nothing blocks a new server.
. "${TESTLIB:?run from make check}"
ports P

fixture clientclose 127.0.0.1 "$P"
check "the TIME_WAIT is on the client's port" test -n "$FIX_TW" -a "$FIX_TW" != "$P"

for addr in "" 127.0.0.1: 0.0.0.0:; do
	wb --json "$addr$P"
	expect_rc 0
	jeq '.bind | {ok, probed, errno}' '{ok: true, probed: true, errno: null}'
	jeq '.verdict.cause' '"free"'
	jeq '.conflicts' '[]'
	jeq '[.verdict.reuseaddr_fixes, .verdict.reuseport_fixes]' '[null, null]'
done
wb "$P"
expect_rc 0
out_has "^bind 0\.0\.0\.0:$P/tcp.*: succeeds$"

# The TIME_WAIT is there, on the client's port, and whybind sees it.
wb --json "127.0.0.1:$FIX_TW"
expect_rc 1
jeq '.verdict.cause' '"time-wait"'
jeq '[.conflicts[] | {state, local, remote: .remote.port}]' \
	"[{state: \"TIME_WAIT\", local: {address: \"127.0.0.1\", port: $FIX_TW}, remote: $P}]"
