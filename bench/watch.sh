#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/watch.sh: what whybind --watch costs (run as root from the build
# tree: bench/watch.sh [N]).  In a private network namespace:
#  1. a loop of N successful binds (socket, bind, close) and one of N
#     failing binds, each without and with --watch running (median of 5);
#  2. the latency from a failed bind() returning to its report on
#     stdout (event.time to the line's arrival; median of 20);
#  3. the storm: 100 000 failing binds (4 processes), peak RSS, events
#     lost, reports made.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-200000}
if [ "${WB_BENCH_NS:-}" != 1 ]; then
	export WB_BENCH_NS=1
	exec unshare -n -- "$0" "$@"
fi
ip link set lo up
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/bindloop" "$top/bench/bindloop.c"
"$top/tests/wbfix" listen 127.0.0.1 31000 >/dev/null &
sleep 0.3
med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
loops() {
	for mode in ok fail; do
		port=$([ $mode = ok ] && echo 31001 || echo 31000)
		for i in 1 2 3 4 5; do "$tmp/bindloop" $port "$N" | cut -d' ' -f1; done |
			med | sed "s/^/$1 $mode: ns per socket+bind+close: /"
	done
}
loops "without --watch"
"$top/src/whybind" --watch 31000 >"$tmp/w.out" 2>"$tmp/w.err" &
w=$!
sleep 1
loops "with --watch   "
kill -INT $w; wait $w || true
tail -1 "$tmp/w.err"

# Latency: --json, one failure at a time.
"$top/src/whybind" --watch --json 31000 >"$tmp/l.out" 2>/dev/null &
w=$!
sleep 1
for i in $(seq 20); do
	"$top/tests/wbserve" 127.0.0.1 31000 >/dev/null 2>&1 || true
	before=$(grep -c . "$tmp/l.out" || true)
	while [ "$(grep -c . "$tmp/l.out" || true)" = "$before" ] && [ "$before" -lt "$i" ]; do sleep 0.001; done
	now=$(date +%s.%N)
	t=$(tail -1 "$tmp/l.out" | jq -r '.event.time')
	echo "$now $(date -d "$t" +%s.%N)" | awk '{ printf "%.1f\n", ($1 - $2) * 1000 }'
	sleep 5.1	# the next one is a new run, reported in full
done | med | sed 's/^/latency, failed bind to report on stdout, median of 20: /; s/$/ ms/'
kill -INT $w; wait $w || true

# The storm.
for p in 31002 31003 31004 31005; do "$top/tests/wbfix" listen 127.0.0.1 $p >/dev/null & done
sleep 0.3
"$top/src/whybind" --watch --json 31002 31003 31004 31005 >"$tmp/s.out" 2>/dev/null &
w=$!
sleep 1
start=$(date +%s.%N)
for p in 31002 31003 31004 31005; do "$top/tests/wbserve" 127.0.0.1 $p tries=25000 >/dev/null 2>&1 & done
wait $(jobs -p | grep -v "^$w$" | tail -4) 2>/dev/null || true
end=$(date +%s.%N)
sleep 2
echo "storm: 100000 failing binds in $(echo "$end - $start" | bc) s; peak RSS $(sed -n 's/^VmHWM:[[:space:]]*//p' /proc/$w/status)"
kill -INT $w; wait $w || true
grep '^{"version":1,"summary"' "$tmp/s.out"
