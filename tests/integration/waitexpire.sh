#!/bin/bash
# --wait on a TIME_WAIT that nobody destroys: the kernel lets it expire
# (60 s, TCP_TIMEWAIT_LEN, not tunable) and whybind, asleep until then,
# exits 0 within moments of the socket's end.  The kernel's timer wheel
# fires a 60 s timer up to several seconds late, so the test watches for
# the socket's end itself (ss, every 100 ms) and measures from there.
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
( while [ -n "$(ss -Htan state time-wait "( sport = :$P )")" ]; do sleep 0.1; done
  date +%s%N >"$WB_TMP/gone" ) &
watcher=$!
under_ptrace strace -qq -e trace=poll,ppoll -o "$WB_TMP/strace" -- "$WHYBIND" --json --wait=80 "$P" \
	>"$WB_OUT" 2>"$WB_ERR"
RC=$?
LAST="whybind --json --wait=80 $P"
OUT=$(cat "$WB_OUT")
end=$(date +%s%N)
wait "$watcher"
took=$(((end - start) / 1000000)) gone=$((($(cat "$WB_TMP/gone") - start) / 1000000))
echo "# the TIME_WAIT had $left ms left, ended after $gone ms; --wait took $took ms"
expect_rc 0
jqt '.wait.timed_out == false and .bind.ok == true and .verdict.cause == "free"'
check "did not end before the socket did ($took >= $gone - 200 ms)" test "$took" -ge $((gone - 200))
check "woke soon after it ($took <= $gone + 1500 ms)" test "$took" -le $((gone + 1500))
polls=$(grep -c 'poll(' "$WB_TMP/strace")
# One poll() per second's re-check, and one more when the destroy
# broadcast of whybind's own probe socket comes in after it (ignored):
# at most a few a second, where a busy loop makes thousands.
check "a few poll() calls a second, no busy loop ($polls in $took ms)" \
	test "$polls" -le $((3 * took / 1000 + 5))
check "nothing left on port $P" test -z "$(ss -Htan "( sport = :$P )")"
