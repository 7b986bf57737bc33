#!/bin/bash
# A plain user sees the socket's uid, never a guessed owner.
. "${TESTLIB:?run from make check}"

fixture listen 0.0.0.0 8080
LAST="as nobody: --json 8080"
OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$WHYBIND" --json 8080 2>"$WB_TMP/err")
RC=$?
expect_rc 1
jqt '.conflicts[0].uid == 0 and .conflicts[0].owners_visible == false'
jqt '.conflicts[0].owners == [] and .conflicts[0].reuseaddr == null'
jqt '.verdict.cause == "listening"'
exit 0
