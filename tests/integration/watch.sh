#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# whybind --watch: the BPF watch started by the test sees failing binds
# (this namespace's and another's), diagnoses each where it happened,
# condenses repeats, filters, exits 0 at SIGINT leaving nothing loaded,
# and exits 3 in one line without privilege.
. "${TESTLIB:?run from make check}"
WBSERVE=${WBSERVE:-$(dirname "$WBFIX")/wbserve}
[ -x "$WBSERVE" ] || fatal "$WBSERVE is not built"
command -v bpftool >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v bpftool >/dev/null || wb_cannot "needs bpftool"
NS=$(stat -Lc %i /proc/self/ns/net)
W_OUT=$WB_TMP/watch.out W_ERR=$WB_TMP/watch.err

# watch_start ARG...: whybind --watch in the background until it says it
# is watching (10 s at most).  A watch that cannot start here is a skip,
# and a failure under CI.
watch_start() {
	local i

	"$WHYBIND" --watch "$@" >"$W_OUT" 2>"$W_ERR" </dev/null &
	WATCH=$!
	for ((i = 0; i < 200; i++)); do
		grep -q '^whybind: watching' "$W_ERR" && return 0
		wb_alive "$WATCH" || break
		sleep 0.05
	done
	wb_cannot "whybind --watch did not start: $(cat "$W_ERR")"
}

# watch_stop: SIGINT; its exit status in RC.
watch_stop() {
	kill -INT "$WATCH"
	wait "$WATCH"
	RC=$?
	LAST="whybind --watch (SIGINT)"
	json_lines "$W_OUT" "$LAST"
	cp "$W_OUT" "$WB_OUT"
	cp "$W_ERR" "$WB_ERR"
}

# events: the JSON lines of this namespace's and other namespaces' pids.
lines_of() { grep '^{' "$W_OUT" | jq -s "$1" >"$WB_TMP/sel.json"; }
sjeq() { local o=$WB_OUT; WB_OUT=$WB_TMP/sel.json; jeq "$@"; WB_OUT=$o; }
sjqt() { local o=$WB_OUT; WB_OUT=$WB_TMP/sel.json; jqt "$@"; WB_OUT=$o; }

ports P Q R U S V

fixture listen 127.0.0.1 "$P" comm=holder
holder=$FIX_PID
fixture udp 127.0.0.1 "$U"
fixture unix "$WB_TMP/app.sock" stream comm=usrv
fixture listen 127.0.0.1 "$V" comm=other
watch_start --json "$P" "$Q" "$R" "$U" "$S" "$WB_TMP/app.sock"

# A failed bind with SO_REUSEADDR, retried: one report, then a count.
"$WBSERVE" 127.0.0.1 "$P" reuseaddr tries=3 >"$WB_TMP/srv.out" 2>&1
# A bind that succeeds: not reported.
"$WBSERVE" 127.0.0.1 "$S" >/dev/null 2>&1
# UDP and AF_UNIX.
"$WBSERVE" 127.0.0.1 "$U" udp >/dev/null 2>&1
"$WBSERVE" - "$WB_TMP/app.sock" unix >/dev/null 2>&1
# Outside the filter: never reported.
"$WBSERVE" 127.0.0.1 "$V" >/dev/null 2>&1
# Another network namespace, made here.
unshare -n bash -c "ip link set lo up; $WBFIX listen 127.0.0.1 $R comm=nsholder >/dev/null & \
	for i in \$(seq 50); do $WBSERVE 127.0.0.1 $R >/dev/null 2>&1 || break; sleep 0.1; done; \
	stat -Lc %i /proc/self/ns/net >$WB_TMP/otherns; sleep 1; kill %1; wait" 2>/dev/null
ids=$(bpftool prog list | sed -n 's/^\([0-9]*\): raw_tracepoint  name wb_bind_.*/\1/p')
check "the watch's programs are loaded" [ -n "$ids" ]
watch_stop
expect_rc 0
check "one summary line on stderr" grep -q '^whybind: watched' "$W_ERR"

lines_of "[.[] | select(.event.address == \"127.0.0.1:$P\")]"
sjeq 'length' 2
sjeq '.[0] | [.diagnosed, .event.errno, .event.netns, .request.reuseaddr, .request.port]' \
	"[true, \"EADDRINUSE\", $NS, true, $P]"
sjqt ".[0].conflicts[].owners[].pid == $holder"
sjeq '.[0].verdict.cause' '"listening"'
sjeq '.[0].request.source' '"watch"'
sjqt '.[0].event.comm == "wbserve" and .[0].event.repeats == 0 and (.[0].event.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))'
sjeq '.[1] | [.repeated, .event.repeats]' '[true, 2]'

lines_of "[.[] | select(.event.address == \"127.0.0.1:$S\" or .event.address == \"127.0.0.1:$V\")]"
sjeq 'length' 0

lines_of "[.[] | select(.event.address == \"127.0.0.1:$U\" and (.repeated | not))]"
sjeq '.[0] | [.request.protocol, .verdict.cause, .event.errno]' '["udp", "udp-bound", "EADDRINUSE"]'
lines_of "[.[] | select(.event.address == \"$WB_TMP/app.sock\" and (.repeated | not))]"
sjeq '.[0] | [.request.protocol, .verdict.cause]' '["unix", "unix-live"]'

other=$(cat "$WB_TMP/otherns" 2>/dev/null)
lines_of "[.[] | select(.event.address == \"127.0.0.1:$R\" and (.repeated | not))]"
sjeq 'length' 1
sjeq '.[0] | [.event.netns, .verdict.cause, .conflicts[0].owners[0].comm]' \
	"[${other:-0}, \"listening\", \"nsholder\"]"
check "the other namespace is not ours" [ "${other:-0}" != "$NS" ]

# Nothing of the watch is left in the kernel.
for id in $ids; do
	check "no BPF program $id left" bash -c "! bpftool prog show id $id >/dev/null 2>&1"
	check "no BPF link of program $id left" bash -c "! bpftool link list | grep -qw 'prog $id'"
done

# Human output: the header line and the usual report.
watch_start "$P"
"$WBSERVE" 127.0.0.1 "$P" reuseaddr >/dev/null 2>&1
sleep 0.5
watch_stop
expect_rc 0
out_has "^wbserve \\(pid [0-9]+\\) failed bind 127.0.0.1:$P/tcp SO_REUSEADDR: Address already in use$"
out_has "^Cause: listening: holder \\(pid $holder\\)"

# Without privilege: exit 3, one line.
wb_as_nobody --watch
expect_rc 3
check "one line on stderr" [ "$(lines "$WB_ERR")" = 1 ]
check "it says why" grep -q 'needs root' "$WB_ERR"

# Usage errors.
wb --watch nonsense:port
expect_rc 2
wb --watch -r 80
expect_rc 2
