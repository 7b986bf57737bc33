#!/bin/bash
# UDP: a bound socket blocks a second UDP bind but never a TCP one.
. "${TESTLIB:?run from make check}"

fixture udp 0.0.0.0 5353
wb --json -u 5353
expect_rc 1
jqt '.request.protocol == "udp" and .verdict.cause == "udp-bound"'
jqt '.conflicts[0].protocol == "udp" and .conflicts[0].state == "UNCONN"'
jqt ".conflicts[0].owners[0].pid == $FIX_PID"
jqt '.verdict.reuseaddr_fixes == false'
wb --json 5353
expect_rc 0

# SO_REUSEADDR on both lets the second socket in -- decided from the
# holder's own options, without a probe that would take its datagrams.
fixture udp 0.0.0.0 5354 reuseaddr
wb --json -u 5354
expect_rc 1
jqt '.verdict.reuseaddr_fixes == true'
wb --json -u -r 5354
expect_rc 0
jqt '.bind.probed == false and .bind.ok == true'
exit 0
