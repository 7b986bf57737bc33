#!/bin/bash
# The server died, but a forked child still holds an accepted connection.
. "${TESTLIB:?run from make check}"

fixture_exit childconn 127.0.0.1 8080
child=${FIX_PIDS%%,*}
wb --json 127.0.0.1:8080
expect_rc 1
jqt '.verdict.cause == "established"'
jqt '[.conflicts[] | select(.state == "ESTABLISHED" and .local.port == 8080)] | length == 1'
jqt "[.conflicts[].owners[].pid] | index($child) != null"
jqt '.verdict.reuseaddr_fixes == false'
exit 0
