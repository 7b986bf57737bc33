#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A live listener: SO_REUSEADDR does not help (on either side); the owner
# is named, with the socket's own options, and the fix names its pid.
. "${TESTLIB:?run from make check}"
ports P Q F

fixture listen 0.0.0.0 "$P" comm=myserver
holder=$FIX_PID
ino=$(sock_inode "$holder" 3)
wb --json "$P"
expect_rc 1
jeq '.version' 1
jeq '.bind | {ok, probed, errno}' '{ok: false, probed: true, errno: "EADDRINUSE"}'
jeq '.verdict.cause' '"listening"'
jeq '.conflicts | length' 1
jeq '.conflicts[0] | {protocol, family, state, local, uid, user, inode, expires_ms, reuseaddr, reuseport, owners_visible}' \
	"{protocol: \"tcp\", family: \"inet\", state: \"LISTEN\", local: {address: \"0.0.0.0\", port: $P}, uid: 0, user: \"root\", inode: $ino, expires_ms: null, reuseaddr: false, reuseport: false, owners_visible: true}"
jeq '.conflicts[0].owners | map({pid, comm, uid, user, state, stopped, tty})' \
	"[{pid: $holder, comm: \"myserver\", uid: 0, user: \"root\", state: \"S\", stopped: false, tty: null}]"
jqt ".conflicts[0].owners[0].cmdline | endswith(\"wbfix listen 0.0.0.0 $P comm=myserver\")"
jeq '[.verdict.reuseaddr_fixes, .verdict.reuseport_fixes]' '[false, false]'
jqt "[.verdict.fixes[] | select(.action == \"stop-process\") | .command
	| test(\"(^|[ ;])kill $holder(\$|[ ;])\")] | any"
jqt '[.verdict.fixes[].action] | index("set-reuseaddr") == null and index("wait") == null'

# SO_REUSEADDR on both sides: still in the way.
fixture listen 0.0.0.0 "$Q" reuseaddr
wb --json -r "$Q"
expect_rc 1
jeq '.verdict.cause' '"listening"'
jeq '.conflicts[0] | {state, reuseaddr, reuseport}' '{state: "LISTEN", reuseaddr: true, reuseport: false}'
jqt '.verdict.reuseaddr_fixes == false'
jeq '.verdict.reuseport_fixes' false

# The human report: the bind tried, the row with the owner, the verdict.
wb "$P"
expect_rc 1
check "the first line is the bind and its result" \
	test "$(head -n 1 "$WB_OUT")" = "bind 0.0.0.0:$P/tcp: Address already in use"
out_has "^ *LISTEN +0\.0\.0\.0:$P .*myserver \(pid $holder\b"
out_has '^SO_REUSEADDR would fix it: no\b'
out_has '^SO_REUSEPORT would fix it: no\b'
out_has "kill $holder\b"
check "no colour when stdout is not a terminal" is_clean_text "$WB_OUT"

# -q: nothing printed, the status says it.
wb -q "$P"
expect_rc 1
check "-q prints nothing" test ! -s "$WB_OUT" -a ! -s "$WB_ERR"

# A free port: exit 0, nothing in the way, no second probe.
wb --json "$F"
expect_rc 0
jeq '.bind | {ok, probed, errno}' '{ok: true, probed: true, errno: null}'
jeq '.verdict.cause' '"free"'
jeq '.conflicts' '[]'
jeq '[.verdict.reuseaddr_fixes, .verdict.reuseport_fixes]' '[null, null]'
wb -q "$F"
expect_rc 0
check "-q prints nothing" test ! -s "$WB_OUT" -a ! -s "$WB_ERR"
