#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# whybind --watch under a storm: 100 000 failing binds in a few seconds
# (four processes, four ports) keep its memory flat, and every failure
# is counted: seen in the kernel = received + lost.
. "${TESTLIB:?run from make check}"
WBSERVE=${WBSERVE:-$(dirname "$WBFIX")/wbserve}
[ -x "$WBSERVE" ] || fatal "$WBSERVE is not built"
W_OUT=$WB_TMP/watch.out W_ERR=$WB_TMP/watch.err

hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

ports P Q R S
for p in "$P" "$Q" "$R" "$S"; do
	fixture listen 127.0.0.1 "$p"
done
"$WHYBIND" --watch --json "$P" "$Q" "$R" "$S" >"$W_OUT" 2>"$W_ERR" </dev/null &
WATCH=$!
for ((i = 0; i < 200; i++)); do
	grep -q '^whybind: watching' "$W_ERR" && break
	wb_alive "$WATCH" || break
	sleep 0.05
done
grep -q '^whybind: watching' "$W_ERR" || wb_cannot "whybind --watch did not start: $(cat "$W_ERR")"
# A first failure, so that the first diagnosis's memory is in the baseline.
"$WBSERVE" 127.0.0.1 "$P" >/dev/null 2>&1
sleep 1
before=$(hwm "$WATCH")
pids=()
for p in "$P" "$Q" "$R" "$S"; do
	"$WBSERVE" 127.0.0.1 "$p" tries=25000 >/dev/null 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
sleep 2
after=$(hwm "$WATCH")
kill -INT "$WATCH"
wait "$WATCH"
RC=$?
LAST="whybind --watch --json (storm)"
json_lines "$W_OUT" "$LAST"
cp "$W_OUT" "$WB_OUT"
cp "$W_ERR" "$WB_ERR"
expect_rc 0
echo "# peak RSS: ${before} kB before the storm, ${after} kB after"
check "memory flat: peak RSS grew by less than 16 MB (${before} -> ${after} kB)" \
	[ $((after - before)) -lt 16384 ]
grep '^{"version":1,"summary"' "$W_OUT" >"$WB_TMP/summary.json"
WB_OUT=$WB_TMP/summary.json
echo "# $(cat "$WB_OUT")"
jqt '.summary.failed >= 100001'
jqt '.summary.failed == .summary.received + .summary.lost'
jqt '.summary.reports >= 4 and .summary.reports < 1000'
jqt '.summary.reports + .summary.repeats + .summary.not_diagnosed + .summary.filtered == .summary.received'
