#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The port changes hands while whybind looks: gdb stops it after the dump,
# at the owners' walk (owners_find), while the test kills the holder, and
# maybe starts another server on the port.  A verdict about a socket that
# is gone ("a process that could not be found is listening") would be
# wrong: whybind sees the socket vanished and looks again.
. "${TESTLIB:?run from make check}"
command -v gdb >/dev/null 2>&1 || wb_cannot "needs gdb"
ports P Q

# The holder exits: the port is free by the time whybind answers.
fixture listen 0.0.0.0 "$P" comm=leaving
old=$FIX_PID
holder_exits() { kill -KILL "$old"; wait_gone "$old"; }
held_at owners_find holder_exits --json "$P"
expect_rc 0
jqt '.bind.ok == true and .verdict.cause == "free" and (.conflicts | length) == 0'

# A restart: the holder exits and a new server takes the port meanwhile.
fixture listen 0.0.0.0 "$Q" comm=oldsrv
old=$FIX_PID
restarted() {
	kill -KILL "$old"
	wait_gone "$old"
	fixture listen 0.0.0.0 "$Q" comm=newsrv
	new=$FIX_PID
}
held_at owners_find restarted --json "$Q"
expect_rc 1
jeq '[.conflicts[] | {state, owners: [.owners[] | {pid, comm}]}]' \
	"[{state: \"LISTEN\", owners: [{pid: $new, comm: \"newsrv\"}]}]"
jqt '.verdict.summary | test("could not be found") | not'

# An AF_UNIX server that exits: its socket file is left, stale.
fixture unix "$WB_TMP/app.sock" stream comm=usrv
old=$FIX_PID
held_at owners_find holder_exits --json "$WB_TMP/app.sock"
expect_rc 1
jeq '.verdict.cause' '"unix-stale"'
jeq '.conflicts' '[]'
