#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A socket bound but neither listening nor connected: no /proc/net/tcp
# line, and Debian 12's ss cannot list it; whybind must, with its owner.
. "${TESTLIB:?run from make check}"
ports P Q R

fixture bound 0.0.0.0 "$P" comm=binder
ino=$(sock_inode "$FIX_PID" 3)
wb --json "$P"
expect_rc 1
jeq '.verdict.cause' '"bound"'
jeq '.conflicts | map({protocol, state, local, inode, uid, reuseaddr})' \
	"[{protocol: \"tcp\", state: \"BOUND\", local: {address: \"0.0.0.0\", port: $P}, inode: $ino, uid: 0, reuseaddr: false}]"
jeq '.conflicts[0].owners | map({pid, comm})' "[{pid: $FIX_PID, comm: \"binder\"}]"
jeq '.verdict.reuseaddr_fixes' false
jqt "[.verdict.fixes[].command // empty | test(\"\\\\b$FIX_PID\\\\b\")] | any"
wb "$P"
out_has "^ *BOUND +0\.0\.0\.0:$P .*binder \(pid $FIX_PID\b"

# A specific address next to the wildcard bound one: in the way too.
wb --json "127.0.0.1:$P"
expect_rc 1
jeq '[.conflicts[] | .state]' '["BOUND"]'

# SO_REUSEADDR on both: a bound-only socket lets the new one in.
fixture bound 0.0.0.0 "$Q" reuseaddr comm=binder2
wb --json "$Q"
expect_rc 1
jeq '.verdict.cause' '"bound"'
jeq '.conflicts | map({state, reuseaddr})' '[{state: "BOUND", reuseaddr: true}]'
jeq '.verdict.reuseaddr_fixes' true
wb --json -r "$Q"
expect_rc 0
jeq '.bind.ok' true

# Dual-stack [::], bound only: it holds 0.0.0.0 too.
fixture bound :: "$R" v6only=0
wb --json "$R"
expect_rc 1
jeq '.conflicts | map({family, state, local, v6only})' \
	"[{family: \"inet6\", state: \"BOUND\", local: {address: \"::\", port: $R}, v6only: false}]"
