#!/bin/bash
# --fix, --wait, --netns, --no-probe, --quiet.
. "${TESTLIB:?run from make check}"

# --fix destroys exactly the conflicting TIME_WAIT, not another port's.
fixture_exit timewait 127.0.0.1 8080
fixture_exit timewait 127.0.0.1 8090
wb --json --fix 8080
expect_rc 0
jqt '.fix.destroyed == 1 and .fix.error == null and .bind.ok == true'
ss -Htan state time-wait '( sport = :8090 )' | grep -q . || fail "a TIME_WAIT on another port was touched"

# --fix next to a live listener changes nothing.
fixture listen 0.0.0.0 8081
wb --json --fix 8081
expect_rc 1
jqt '.fix.destroyed == 0 and (.fix.error | test("nothing safe"))'
kill -0 "$FIX_PID" || fail "the listener's process was touched"
ss -Hltn '( sport = :8081 )' | grep -q . || fail "the listener was touched"

# --wait=1 on a live listener gives up after about a second.
start=$(date +%s%N)
wb --json --wait=1 8081
expect_rc 1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ] || fail "--wait=1 took $ms ms"
jqt '.wait.timed_out == true'

# --wait=10 returns once the holder is killed.
fixture listen 0.0.0.0 8082
holder=$FIX_PID
( sleep 1; kill "$holder" ) &
start=$(date +%s%N)
wb --json --wait=10 8082
expect_rc 0
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 5000 ] || fail "--wait noticed the exit after $ms ms"
jqt '.wait.timed_out == false and .bind.ok == true'

# --no-probe gives the probe's cause.
fixture listen 0.0.0.0 8083
stop_proc "$FIX_PID"
wb --json --no-probe 8083
expect_rc 1
jqt '.bind.probed == false and .bind.ok == false and .verdict.cause == "stopped"'
jqt '.verdict.reuseaddr_fixes == null and .verdict.reuseport_fixes == null'
kill -CONT "$FIX_PID"
wb --json --no-probe 8099
expect_rc 0
jqt '.bind.probed == false and .bind.ok == true'
wb --json --no-probe -r 8090
expect_rc 1
jqt '.bind.ok == null and .verdict.cause == "time-wait"'

# -q prints nothing.
wb -q 8083
expect_rc 1
[ -z "$OUT$ERR" ] || fail "-q printed something"

# --netns: a listener in another namespace, by name and by pid.
ns=wbtest$$
ip netns add "$ns" || fail "ip netns add"
trap 'ip netns del "$ns" 2>/dev/null; cleanup' EXIT
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" "$WBFIX" listen 0.0.0.0 8084 >"$WB_TMP/ns" &
FIXTURES+=($!)
nspid=$!
for i in $(seq 100); do grep -q ready "$WB_TMP/ns" && break; sleep 0.02; done
wb --json 8084
expect_rc 0
wb --json --netns "$ns" 8084
expect_rc 1
jqt ".request.netns == \"$ns\" and .conflicts[0].owners[0].pid == $nspid"
wb --json --netns "$nspid" 8084
expect_rc 1
wb --json --netns no-such-ns 8084
expect_rc 3
exit 0
