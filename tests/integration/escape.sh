#!/bin/bash
# A holder whose name carries terminal escapes: nothing raw reaches the
# terminal, and the JSON stays valid.
. "${TESTLIB:?run from make check}"

fixture listen 0.0.0.0 8080 'comm=ev\x1b[2J\x07il\xff'
wb 8080
expect_rc 1
printf '%s' "$OUT" | LC_ALL=C grep -q $'\033\\|\007\\|\xff' && fail "raw escape in the human output"
printf '%s' "$OUT" | grep -qF 'ev\x1b[2J\x07il\xff' || fail "escaped name not shown"
wb --json 8080
expect_rc 1
jqt '.conflicts[0].owners[0].comm | test("^ev\u001b\\[2J\u0007il\\\\xff$")'
printf '%s' "$OUT" | iconv -f UTF-8 -t UTF-8 >/dev/null || fail "JSON is not valid UTF-8"
exit 0
