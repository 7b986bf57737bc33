#!/bin/bash
# A listener stopped with SIGSTOP (Ctrl+Z) holds the port for ever.
. "${TESTLIB:?run from make check}"

fixture listen 0.0.0.0 8080
stop_proc "$FIX_PID"
wb --json 8080
expect_rc 1
jqt '.verdict.cause == "stopped"'
jqt ".conflicts[0].owners[0].pid == $FIX_PID"
jqt '.conflicts[0].owners[0].state == "T" and .conflicts[0].owners[0].stopped == true'
jqt ".verdict.fixes[0].action == \"resume-process\" and .verdict.fixes[0].command == \"kill -CONT $FIX_PID\""
jqt '.verdict.reuseaddr_fixes == false'

# Resumed, it is a plain listener again.
kill -CONT "$FIX_PID"
wb --json 8080
jqt '.verdict.cause == "listening"'

# A TIME_WAIT next to a stopped listener: the stopped one wins.
fixture listen 127.0.0.1 8081 reuseaddr
stop_proc "$FIX_PID"
fixture_exit timewait 127.0.0.2 8081
wb --json 8081
jqt '.verdict.cause == "stopped" and (.conflicts | length) == 2'
exit 0
