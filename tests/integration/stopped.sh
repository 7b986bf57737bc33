#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A listener stopped with SIGSTOP (Ctrl+Z) holds its port for as long as it
# stays stopped: cause "stopped", and the fix resumes that pid.
. "${TESTLIB:?run from make check}"
ports P Q

fixture listen 0.0.0.0 "$P" comm=stopme
stop_proc "$FIX_PID"
wb --json "$P"
expect_rc 1
jeq '.verdict.cause' '"stopped"'
jeq '[.conflicts[] | {state, local}]' "[{state: \"LISTEN\", local: {address: \"0.0.0.0\", port: $P}}]"
jeq '.conflicts[0].owners | map({pid, comm, state, stopped, tty})' \
	"[{pid: $FIX_PID, comm: \"stopme\", state: \"T\", stopped: true, tty: null}]"
jeq '.verdict.reuseaddr_fixes' false
jeq '.verdict.fixes[0].action' '"resume-process"'
jqt ".verdict.fixes[0].command | test(\"(^|[ ;])kill -CONT $FIX_PID(\$|[ ;])\")"
jqt '[.verdict.fixes[].action] | index("wait") == null'

wb "$P"
expect_rc 1
out_has "^ *LISTEN +0\.0\.0\.0:$P .*stopme \(pid $FIX_PID, stopped"
out_has "kill -CONT $FIX_PID\b"

# Resumed, it is a plain listener again.
kill -CONT "$FIX_PID"
wait_state "$FIX_PID" S
wb --json "$P"
expect_rc 1
jeq '.verdict.cause' '"listening"'
jeq '.conflicts[0].owners | map({pid, state, stopped})' "[{pid: $FIX_PID, state: \"S\", stopped: false}]"

# A stopped listener and a TIME_WAIT on the same port: the one that will
# not go away by itself is the cause.
fixture listen 127.0.0.1 "$Q" comm=stopme2
stopped=$FIX_PID
stop_proc "$stopped"
fixture timewait 127.0.0.2 "$Q"
wb --json "$Q"
expect_rc 1
jeq '.verdict.cause' '"stopped"'
jeq '[.conflicts[] | .state] | sort' '["LISTEN", "TIME_WAIT"]'
jeq '[.conflicts[].owners[].pid]' "[$stopped]"
jeq '.verdict.fixes[0].action' '"resume-process"'
