#!/bin/bash
# A live listener: SO_REUSEADDR does not help; the owner is named.
. "${TESTLIB:?run from make check}"

fixture listen 0.0.0.0 8080 comm=myserver
first=$FIX_PID
wb --json 8080
expect_rc 1
jqt '.verdict.cause == "listening"'
jqt '.conflicts | length == 1'
jqt '.conflicts[0].state == "LISTEN" and .conflicts[0].uid == 0 and (.conflicts[0].inode | type) == "number"'
jqt ".conflicts[0].owners[0].pid == $FIX_PID and .conflicts[0].owners[0].comm == \"myserver\""
jqt '.conflicts[0].owners[0].stopped == false and .conflicts[0].owners_visible'
jqt '.conflicts[0].reuseaddr == false and .conflicts[0].reuseport == false'
jqt '.verdict.reuseaddr_fixes == false and .verdict.reuseport_fixes == false'
jqt ".verdict.fixes[] | select(.action == \"stop-process\") | .command == \"kill $FIX_PID\""

# Even with SO_REUSEADDR on both sides.
fixture listen 0.0.0.0 8081 reuseaddr
wb --json -r 8081
expect_rc 1
jqt '.verdict.cause == "listening" and .conflicts[0].reuseaddr == true'
jqt '.verdict.reuseaddr_fixes == false'

# The human table names the owner and the verdict line is there.
wb 8080
expect_rc 1
printf '%s' "$OUT" | head -1 | grep -q '^bind 0.0.0.0:8080/tcp: Address already in use' || fail "first line"
printf '%s' "$OUT" | grep -q "myserver (pid $first)" || fail "owner not named"
printf '%s' "$OUT" | grep -q '^SO_REUSEADDR would fix it: no' || fail "verdict line"

# A free port: exit 0, nothing else probed or listed.
wb --json 8090
expect_rc 0
jqt '.bind.ok == true and .verdict.cause == "free" and .verdict.reuseaddr_fixes == null'
exit 0
