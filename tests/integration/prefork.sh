#!/bin/bash
# A prefork server: the parent and two children hold one listener.
. "${TESTLIB:?run from make check}"

fixture listen 0.0.0.0 8080 prefork=2
wb --json 8080
expect_rc 1
jqt '.verdict.cause == "listening" and (.conflicts | length) == 1'
jqt '.conflicts[0].owners | length == 3'
for p in $FIX_PID ${FIX_PIDS//,/ }; do
	jqt "[.conflicts[0].owners[].pid] | index($p) != null"
	jqt ".verdict.fixes[] | select(.action == \"stop-process\") | .command | test(\"\\\\b$p\\\\b\")"
done
exit 0
