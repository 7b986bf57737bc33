#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --wait sleeps on events: a TIME_WAIT destroyed elsewhere wakes it, a
# stale socket file removed elsewhere is noticed, it never busy-polls; on a
# terminal it draws a countdown and clears it, Ctrl+C included.
. "${TESTLIB:?run from make check}"
ports P Q R
chmod 755 "$WB_TMP"

# A TIME_WAIT (about 60 s left) destroyed by someone else: whybind wakes
# on the kernel's destroy broadcast, long before its 30 s are up.
fixture timewait 127.0.0.1 "$P"
( sleep 1; ss -K state time-wait "( sport = :$P )" >/dev/null ) &
wb --json --wait=30 "$P"
expect_rc 0
jqt '.wait.timed_out == false and .bind.ok == true'
jqt '.wait.waited_ms < 30000'

# Never a busy poll: while a TIME_WAIT holds the port, a 2 s wait makes a
# handful of poll() calls (one per countdown second or safety re-check,
# one per late destroy broadcast of its own probe, ignored), not one per
# few milliseconds (a busy loop made 226).
fixture timewait 127.0.0.1 "$Q"
under_ptrace strace -f -qq -e trace=poll,ppoll -o "$WB_TMP/strace" "$WHYBIND" -q --wait=2 "$Q"
rc=$?
check "--wait=2 on a TIME_WAIT timed out (exit 1)" test "$rc" = 1
polls=$(grep -c 'poll(' "$WB_TMP/strace")
check "a few poll() calls while waiting, not a busy loop ($polls)" test "$polls" -ge 1 -a "$polls" -le 12

# A stale socket file removed while whybind waits.
fixture unixstale "$WB_TMP/app.sock" stream
( sleep 0.5; rm -f "$WB_TMP/app.sock" ) &
wb --json --wait=20 "$WB_TMP/app.sock"
expect_rc 0
jqt '.wait.timed_out == false and .verdict.cause == "free"'

# On a terminal: a countdown on one line, redrawn in place, cleared at the
# end; nothing of it on stdout with --json, none off a terminal.
fixture listen 0.0.0.0 "$R"
script -qfec "$WHYBIND --wait=2 $R 2>&1 >/dev/null" /dev/null >"$WB_TMP/tty" </dev/null
check "the countdown names the port and the cause" \
	grep -aq "whybind: waiting for port $R (listening): [12] s left" "$WB_TMP/tty"
check "it is redrawn in place" grep -aq $'\r\033\\[Kwhybind: waiting' "$WB_TMP/tty"
check "it is cleared at the end" test "$(tail -c 4 "$WB_TMP/tty" | od -An -c | tr -d ' ')" = '\r033[K'
wb --wait=1 "$R"
expect_rc 1
check "no countdown off a terminal" test -z "$(grep -a 'waiting for' "$WB_ERR")"

# Ctrl+C: exit 1, the line cleared.
script -qfec "$WHYBIND --wait=30 $R 2>&1 >/dev/null; echo rc=\$?" /dev/null >"$WB_TMP/int" </dev/null &
sp=$!
for i in $(seq 50); do
	pid=$(pgrep -f "^$WHYBIND --wait=30 $R") && break
	sleep 0.1
done
check "whybind --wait is running" test -n "$pid"
sleep 0.5
kill -INT $pid
wait $sp
check "Ctrl+C: exit 1" grep -aq 'rc=1' "$WB_TMP/int"
check "Ctrl+C: the countdown is cleared" grep -aq $'\r\033\\[K\r\nrc=1' "$WB_TMP/int"
