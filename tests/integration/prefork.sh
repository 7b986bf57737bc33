#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A prefork server: a parent and two children hold one listening socket;
# all three are named as its owners.
. "${TESTLIB:?run from make check}"
ports P

fixture listen 0.0.0.0 "$P" prefork=2 comm=preforkd
all=$(printf '%s\n' "$FIX_PID" $FIX_CHILDREN | sort -n | paste -sd,)
check "three holders" test "$(wc -w <<<"$FIX_PID $FIX_CHILDREN")" = 3

wb --json "$P"
expect_rc 1
jeq '.verdict.cause' '"listening"'
jeq '.conflicts | length' 1
jeq '[.conflicts[0].owners[].pid] | sort' "[$all]"
jeq '[.conflicts[0].owners[].comm] | unique' '["preforkd"]'
jeq '.conflicts[0].owners_visible' true

wb "$P"
expect_rc 1
for p in $FIX_PID $FIX_CHILDREN; do
	out_has "preforkd \(pid $p\b"
done
