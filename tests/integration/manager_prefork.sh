#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A prefork tree: a root master and two workers running as nobody hold
# one listening socket.  The manager is the master (kind "parent"): the
# verdict names the tree, the first fix ends the master alone (the
# workers go with it), no kill of the workers, and the table shows each
# holder's user.
. "${TESTLIB:?run from make check}"
ports P

fixture listen 0.0.0.0 "$P" prefork=2 workeruid=65534 comm=preforkd
check "three holders" test "$(wc -w <<<"$FIX_PID $FIX_CHILDREN")" = 3

wb --json "$P"
expect_rc 1
jeq '.conflicts[0].manager.kind' '"parent"'
jeq '.conflicts[0].manager.name' '"preforkd"'
jeq '.conflicts[0].manager.id' "$FIX_PID"
jeq '.conflicts[0].manager.workers' 2
jeq '.conflicts[0].manager.restarts' null
jeq '.verdict.fixes[0].action' '"stop-parent"'
jeq '.verdict.fixes[0].command' "\"kill $FIX_PID\""
jqt '.verdict.summary | startswith("preforkd master '"$FIX_PID"' and 2 workers")'
jqt '.verdict.fixes[0].text | contains("2 workers")'
for c in $FIX_CHILDREN; do
	jqt "[.verdict.fixes[].command // \"\" | test(\"kill .*\\\\b$c\\\\b\")] | any | not"
done
jqt '[.verdict.fixes[].command // "" | test("(^|[ ;])kill( -[A-Z]+)? 1( |$)")] | any | not'
jeq "[.conflicts[0].owners[] | select(.pid == $FIX_PID) | .user]" '["root"]'
jeq "[.conflicts[0].owners[] | select(.pid != $FIX_PID) | .uid] | unique" '[65534]'

wb "$P"
expect_rc 1
out_has "preforkd master $FIX_PID and 2 workers"
out_has "preforkd \(pid $FIX_PID, user root\)"
for c in $FIX_CHILDREN; do
	out_has "preforkd \(pid $c, user nobody\)"
done
out_has "^ +kill $FIX_PID$"
