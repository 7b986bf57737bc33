#!/bin/bash
# The seed story: a server that closed its connection first (Ctrl+C after
# a client connected) leaves TIME_WAIT on the server port.
. "${TESTLIB:?run from make check}"

# The old server never set SO_REUSEADDR.
fixture_exit timewait 127.0.0.1 8080
wb --json 8080
expect_rc 1
jqt '.bind.ok == false and .bind.probed and .bind.errno == "EADDRINUSE"'
jqt '.verdict.cause == "time-wait"'
jqt '.conflicts | length == 1'
jqt '.conflicts[0].state == "TIME_WAIT" and .conflicts[0].local.port == 8080'
jqt '.conflicts[0].expires_ms > 0 and .conflicts[0].expires_ms <= 60000'
jqt '.conflicts[0].inode == null and .conflicts[0].uid == null'
jqt '.conflicts[0].owners == [] and .conflicts[0].reuseaddr == null'
jqt '[.verdict.fixes[].action] | index("wait") != null'
jqt '.verdict.fixes[] | select(.action == "wait") | .command | test("^sleep [0-9]+$")'

# A new server with SO_REUSEADDR still fails: the old one never set it.
wb --json -r 8080
expect_rc 1
jqt '.request.reuseaddr == true and .verdict.cause == "time-wait"'
jqt '.verdict.reuseaddr_fixes == false'
jqt '.verdict.reuseaddr_reason | test("never set SO_REUSEADDR")'
jqt '.verdict.reuseaddr_reason | test("[0-9]+ s")'

# Both set it: the bind succeeds.
fixture_exit timewait 127.0.0.1 8081 reuseaddr
wb --json 8081
expect_rc 1
jqt '.verdict.cause == "time-wait" and .verdict.reuseaddr_fixes == true'
jqt '.verdict.fixes[0].action == "set-reuseaddr"'
wb --json -r 8081
expect_rc 0
jqt '.bind.ok == true and .verdict.cause == "free" and .conflicts == []'

# The human output says the same, with the time left.
wb -r 8080
expect_rc 1
printf '%s' "$OUT" | grep -q '^SO_REUSEADDR would fix it: no' || fail "no SO_REUSEADDR line"
printf '%s' "$OUT" | grep -q 'TIME_WAIT' || fail "no TIME_WAIT row"
exit 0
