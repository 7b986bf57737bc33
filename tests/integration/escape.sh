#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A holder whose process name and command line carry terminal escape
# sequences: nothing raw reaches the terminal, and the JSON stays valid.
. "${TESTLIB:?run from make check}"
ports P Q

# ESC [ 2 J (clear screen), an OSC title ending in BEL: raw bytes in argv
# (so in the command line too) and in the name.
evil=$'\e[2J\e]0;pwn\a'
fixture listen 0.0.0.0 "$P" "comm=$evil"
check "the fixture's name is raw" test "$(cat "/proc/$FIX_PID/comm")" = "$evil"
wb "$P"
expect_rc 1
check "human output: no raw control byte" is_clean_text "$WB_OUT"
out_has "\[2J.*\]0;pwn.*\(pid $FIX_PID\b"
wb -v "$P"
check "human output with -v: no raw control byte" is_clean_text "$WB_OUT"

wb --json "$P"
expect_rc 1
check "JSON: valid UTF-8, no raw control byte" is_clean_text "$WB_OUT"
jeq '.conflicts[0].owners[0].pid' "$FIX_PID"
# JSON carries the true name (its encoder escapes control characters).
jeq '.conflicts[0].owners[0].comm' '"\u001b[2J\u001b]0;pwn\u0007"'
jqt ".conflicts[0].owners[0].cmdline | endswith(\" listen 0.0.0.0 $P comm=\u001b[2J\u001b]0;pwn\u0007\")"

# A name that is not valid UTF-8: the JSON must still be.
fixture listen 0.0.0.0 "$Q" comm=$'caf\xc3\xa9\xff\xfe'
wb --json "$Q"
expect_rc 1
check "JSON: valid UTF-8, no raw control byte" is_clean_text "$WB_OUT"
jqt '.conflicts[0].owners[0].comm | startswith("café") and length > 4'
wb "$Q"
check "human output: valid UTF-8, no raw control byte" is_clean_text "$WB_OUT"
out_has "café.*\(pid $FIX_PID\b"
