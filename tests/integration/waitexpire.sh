#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --wait on a TIME_WAIT that nobody destroys: the kernel lets it expire
# (60 s, TCP_TIMEWAIT_LEN, not tunable) and whybind, asleep until then,
# exits 0 within moments of the socket's end.  The kernel's timer wheel
# fires a 60 s timer up to several seconds late, so the test watches for
# the socket's end itself (ss, every 20 ms) and measures from there: the
# promise is 100 ms; the test allows 400 for the scheduling of a loaded
# machine.
# (About a minute long; the other --wait cases are in wait.sh.)
. "${TESTLIB:?run from make check}"
ports P

fixture timewait 127.0.0.1 "$P"
wb --json "$P"
expect_rc 1
left=$(jq '.conflicts[0].expires_ms' <<<"$OUT")
check "a TIME_WAIT with a time left ($left ms)" test "$left" -gt 50000 -a "$left" -le 60000

WB_TIMEOUT=90
start=$(date +%s%N)
( while [ -n "$(ss -Htan state time-wait "( sport = :$P )")" ]; do sleep 0.02; done
  date +%s%N >"$WB_TMP/gone" ) &
watcher=$!
under_ptrace strace -qq -e trace=poll,ppoll -o "$WB_TMP/strace" -- "$WHYBIND" --json --wait=80 "$P" \
	>"$WB_OUT" 2>"$WB_ERR"
RC=$?
LAST="whybind --json --wait=80 $P"
json_file "$WB_OUT" "$LAST"
OUT=$(cat "$WB_OUT")
end=$(date +%s%N)
wait "$watcher"
took=$(((end - start) / 1000000)) gone=$((($(cat "$WB_TMP/gone") - start) / 1000000))
echo "# the TIME_WAIT had $left ms left, ended after $gone ms; --wait took $took ms"
expect_rc 0
jqt '.wait.timed_out == false and .bind.ok == true and .verdict.cause == "free"'
check "did not end before the socket did ($took >= $gone - 200 ms)" test "$took" -ge $((gone - 200))
check "woke soon after it ($took <= $gone + 400 ms)" test "$took" -le $((gone + 400))
polls=$(grep -c 'poll(' "$WB_TMP/strace")
# One poll() per second's re-check (and one more when the destroy
# broadcast of whybind's own probe socket comes in after it, ignored),
# then one per 50 ms from the timer's due time to the socket's end: a
# few hundred at most, where a busy loop makes a thousand a second.
check "no busy loop ($polls poll() calls in $took ms)" \
	test "$polls" -le $((3 * took / 1000 + 20 * (took - left) / 1000 + 10))
check "nothing left on port $P" test -z "$(ss -Htan "( sport = :$P )")"
