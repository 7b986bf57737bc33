#!/bin/bash
# SO_REUSEPORT on both, same user: the two would share the traffic.
. "${TESTLIB:?run from make check}"

fixture listen 0.0.0.0 8080 reuseport
wb --json 8080
expect_rc 1
jqt '.conflicts[0].reuseport == true'
jqt '.verdict.reuseport_fixes == true and (.verdict.reuseport_reason | test("share"))'
jqt '[.verdict.fixes[].action] | index("set-reuseport") != null'
wb --json -R 8080
expect_rc 0

# Another user's reuseport group does not admit root's socket.
fixture listen 0.0.0.0 8081 reuseport uid=65534
wb --json -R 8081
expect_rc 1
jqt '.conflicts[0].uid == 65534 and .verdict.reuseport_fixes == false'
exit 0
