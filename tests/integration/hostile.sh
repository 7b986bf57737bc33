#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile and heavy holders: thousands of open files, a megabyte of
# invalid UTF-8 as a command line, thousands of UDP sockets sharing one
# port.  whybind finishes (within wb's timeout), in bounded memory, with
# valid output.
. "${TESTLIB:?run from make check}"
ports P Q R
# Memory bounds, four times as loose in the sanitizer build.
scale=1
ldd "$WHYBIND" 2>/dev/null | grep -q libasan && scale=4
# 100 000 open files where the hard limit can be raised (CAP_SYS_RESOURCE
# in the initial user namespace); else as many as it allows.
ulimit -Hn 101000 2>/dev/null
max=$(ulimit -Hn)
ulimit -n "$max"
nfiles=$((max - 1000 < 100000 ? max - 1000 : 100000))
echo "# RLIMIT_NOFILE hard limit $max: a holder with $nfiles open files"

fixture listen 0.0.0.0 "$P" fds="$nfiles" comm=manyfiles
wb --json "$P"
expect_rc 1
jqt ".conflicts[0].owners[0] | .comm == \"manyfiles\" and .fd > $((nfiles - 1))"

# 1 MB of invalid UTF-8 and control bytes in the holder's argv.
chunk=$(head -c 100000 /dev/zero | tr '\0' '\377')$'\x1b[2J\x07'
args=()
for i in 1 2 3 4 5 6 7 8 9 10; do args+=("$chunk"); done
fixture listen 0.0.0.0 "$Q" comm=bigcmd -- "${args[@]}"
/usr/bin/time -f %M -o "$WB_TMP/rss" timeout -k 2 30 "$WHYBIND" --json "$Q" >"$WB_OUT" 2>"$WB_ERR"
RC=$?
json_file "$WB_OUT" "whybind --json $Q (a 1 MB command line)"
expect_rc 1
check "the JSON is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$WB_OUT" -o /dev/null
jqt '.conflicts[0].owners[0].cmdline | length > 1000'
jqt '.conflicts[0].owners[0].cmdline | endswith("...")'
check "peak RSS under $((64 * scale)) MiB with a 1 MB command line ($(tail -1 "$WB_TMP/rss") KiB)" \
	test "$(tail -1 "$WB_TMP/rss")" -lt $((65536 * scale))
wb "$Q"
expect_rc 1
check "no raw control byte on the terminal" is_clean_text "$WB_OUT"

# 65 535 UDP sockets on one port, the most a port can have: SO_REUSEPORT
# groups of at most 32 768 (the kernel's sock_reuseport cannot grow past
# that), so two, on 0.0.0.0 and 127.0.0.1, held by four processes (the
# descriptor limit).
holders=()
for a in 0.0.0.0:16384 0.0.0.0:16384 127.0.0.1:16384 127.0.0.1:16383; do
	fixture udp "${a%:*}" "$R" reuseport count="${a#*:}"
	holders+=("$FIX_PID")
done
nsocks=65535
check "$nsocks sockets on port $R" test "$(ss -Hua "( sport = :$R )" | wc -l)" = "$nsocks"
WB_TIMEOUT=$((60 * scale))
/usr/bin/time -f %M -o "$WB_TMP/rss" timeout -k 2 "$WB_TIMEOUT" "$WHYBIND" -q -u "$R"
RC=$?
expect_rc 1
/usr/bin/time -f %M -o "$WB_TMP/rss2" timeout -k 2 "$WB_TIMEOUT" "$WHYBIND" --json -u "$R" >"$WB_OUT" 2>"$WB_ERR"
RC=$?
json_file "$WB_OUT" "whybind --json -u $R (many sockets)"
expect_rc 1
jeq '.conflicts | length' "$nsocks"
# SO_REUSEPORT would not help: the group on 0.0.0.0 is full (below).
jeq '.verdict.reuseport_fixes' false
jqt ".conflicts | map(.owners[0].pid) | unique == ($(printf '%s\n' "${holders[@]}" | sort -n | jq -sc .))"
echo "# $nsocks sockets: peak RSS $(tail -1 "$WB_TMP/rss") KiB quiet, $(tail -1 "$WB_TMP/rss2") KiB with JSON"
check "peak RSS under $((256 * scale)) MiB for $nsocks sockets, quiet" \
	test "$(tail -1 "$WB_TMP/rss")" -lt $((262144 * scale))
# The JSON document is written a socket at a time, never held whole.
check "peak RSS under $((256 * scale)) MiB for $nsocks sockets, with JSON" \
	test "$(tail -1 "$WB_TMP/rss2")" -lt $((262144 * scale))
# The group on 127.0.0.1 has room for one more (32 767 of 32 768).
wb -R -u "127.0.0.1:$R"
expect_rc 0
# The one on 0.0.0.0 has none (32 768): the kernel refuses a SO_REUSEPORT
# bind there, and whybind, which answers from the holders' own flags
# without binding a UDP probe next to them, says so and why.
wb -R -u "0.0.0.0:$R"
expect_rc 1
check "it says the group is full" grep -q "SO_REUSEPORT group on that address is full" "$WB_OUT"
wb --json -R -u "0.0.0.0:$R"
expect_rc 1
jeq '[.bind.ok, .bind.probed, .verdict.cause, .verdict.reuseport_fixes]' '[false, false, "udp-bound", false]'
jeq '.conflicts | length' 32768
jqt '[.conflicts[].local.address] | unique == ["0.0.0.0"]'
# What the kernel says to one more socket in each group (wbfix holds a
# socket it could bind until the timeout; one it could not, it says why).
timeout 1 "$WBFIX" udp 0.0.0.0 "$R" reuseport </dev/null >/dev/null 2>"$WB_TMP/join.err"
rc=$?
check "the kernel refuses a 32 769th socket in a group (exit $rc: $(cat "$WB_TMP/join.err"))" \
	grep -q "bind: Address already in use" "$WB_TMP/join.err"
timeout 1 "$WBFIX" udp 127.0.0.1 "$R" reuseport </dev/null >/dev/null 2>"$WB_TMP/join.err"
rc=$?
check "the kernel lets a 32 768th in (exit $rc, 124: held until the timeout)" test "$rc" = 124
