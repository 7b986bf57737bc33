#!/bin/bash
# A socket bound but never listening nor connecting: ss cannot show it.
. "${TESTLIB:?run from make check}"

fixture bound 0.0.0.0 8080 comm=binder
wb --json 8080
expect_rc 1
jqt '.verdict.cause == "bound"'
jqt '.conflicts[0].state == "BOUND"'
jqt ".conflicts[0].owners[0].pid == $FIX_PID and .conflicts[0].owners[0].comm == \"binder\""
jqt '.verdict.reuseaddr_fixes == false'

# Both with SO_REUSEADDR: a bound socket lets the bind in.
fixture bound 0.0.0.0 8081 reuseaddr
wb --json 8081
expect_rc 1
jqt '.verdict.reuseaddr_fixes == true and .conflicts[0].reuseaddr == true'
wb --json -r 8081
expect_rc 0

# Bound to the port and connected out.
fixture connectout 127.0.0.1 8082 target=9000
wb --json 127.0.0.1:8082
expect_rc 1
jqt '.verdict.cause == "established"'
jqt ".conflicts[0].state == \"ESTABLISHED\" and .conflicts[0].remote.port == 9000 and .conflicts[0].owners[0].pid == $FIX_PID"
exit 0
