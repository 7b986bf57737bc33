#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# whybind --exec: a real server (tests/wbserve) run under whybind; each of
# its bind() calls that fails is diagnosed from the server's own request,
# on stderr, and the server goes on and exits as it would alone.
. "${TESTLIB:?run from make check}"
WBSERVE=${WBSERVE:-$(dirname "$WBFIX")/wbserve}
[ -x "$WBSERVE" ] || fatal "$WBSERVE is not built"
REPORTS=$WB_TMP/reports.json

# reports: whybind's JSON lines on stderr, as one array, for rjeq/rjqt.
reports() {
	grep '^{' "$WB_ERR" | jq -s . >"$REPORTS" 2>&1 || fail "stderr's JSON lines do not parse"
}
rjeq() { local o=$WB_OUT; WB_OUT=$REPORTS; jeq "$@"; WB_OUT=$o; }
rjqt() { local o=$WB_OUT; WB_OUT=$REPORTS; jqt "$@"; WB_OUT=$o; }

out_is() {
	if [ "$OUT" = "$1" ]; then pass "stdout is '$1'"; else fail "stdout is '$OUT', want '$1'"; fi
}

# bg_exec ARG...: whybind in the background, its stdout and stderr in
# files; waits for the server's "ready pid=N" line.  Sets BG (whybind's
# pid) and SRV (the server's).
bg_exec() {
	local i

	: >"$WB_TMP/bg.out"
	"$WHYBIND" "$@" >"$WB_TMP/bg.out" 2>"$WB_TMP/bg.err" </dev/null &
	BG=$!
	SRV=
	for ((i = 0; i < 200; i++)); do
		SRV=$(sed -n 's/^ready pid=\([0-9]*\)$/\1/p' "$WB_TMP/bg.out")
		[ -n "$SRV" ] && break
		sleep 0.05
	done
	[ -n "$SRV" ] || fatal "whybind$(printf ' %q' "$@") did not get ready: $(cat "$WB_TMP/bg.err")"
	echo "# started: whybind$(printf ' %q' "$@") -> whybind $BG, server $SRV"
}

# bg_wait: whybind's exit status in RC (30 s at most).
bg_wait() {
	local i

	for ((i = 0; i < 600; i++)); do
		wb_alive "$BG" || break
		sleep 0.05
	done
	wb_alive "$BG" && fatal "whybind $BG did not exit"
	wait "$BG"
	RC=$?
}

tracer_of() {
	sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null
}

ports P Q R S S2 U V W

# The issue's case: a dual-stack [::] server with SO_REUSEADDR, while a
# stopped listener holds 127.0.0.1:P.  The request is the server's own.
fixture listen 127.0.0.1 "$P" comm=holder
stop_proc "$FIX_PID"
holder=$FIX_PID
wb --json --exec "$WBSERVE" :: "$P" reuseaddr v6only=0
expect_rc 3
out_is "bind :: $P: EADDRINUSE"
reports
rjeq 'length' 1
rjeq '.[0].request | {protocol, family, address, port, reuseaddr, reuseport, v6only}' \
	"{protocol: \"tcp\", family: \"inet6\", address: \"::\", port: $P, reuseaddr: true, reuseport: false, v6only: false}"
rjeq '.[0].verdict.cause' '"stopped"'
rjeq '[.[0].conflicts[].owners[].pid]' "[$holder]"
rjeq '.[0].request | {source, runtime}' '{source: "exec", runtime: null}'
rjeq '.[0].exec | {errno, address, fd: (.fd | type), diagnosed: true}' \
	"{errno: \"EADDRINUSE\", address: \"[::]:$P\", fd: \"number\", diagnosed: true}"
rjqt '.[0].diagnosed == true and .[0].exec.pid == .[0].exec.tid'
rjqt '.[0].exec.held_ms >= 0'
check "one line per report" [ "$(grep -c '^{' "$WB_ERR")" = 1 ]
check "nothing else on stderr" [ "$(grep -vc '^{' "$WB_ERR")" = 0 ]
echo "# held at the failed bind: $(jq '.[0].exec.held_ms' "$REPORTS") ms"

# The same server, v6only: not in the way of 127.0.0.1 any more.
wb --json --exec "$WBSERVE" :: "$P" reuseaddr v6only=1
expect_rc 0
out_is "bound :: $P"
check "a bind that succeeds is not reported" [ ! -s "$WB_ERR" ]

# The human report: every line of it marked as whybind's.
wb -x "$WBSERVE" 127.0.0.1 "$P"
expect_rc 3
check "the text report names the bind" grep -q "^whybind: pid [0-9]* (wbserve): bind(3, 127.0.0.1:$P) failed: Address already in use" "$WB_ERR"
check "the text report has the cause" grep -q "^whybind: Cause: stopped" "$WB_ERR"
check "every stderr line is whybind's" [ "$(grep -vc '^whybind:' "$WB_ERR")" = 0 ]
kill -CONT "$holder"

# -q: no report; the status is still the server's.
wb -q -x "$WBSERVE" 127.0.0.1 "$P"
expect_rc 3
check "-q: nothing on stderr" [ ! -s "$WB_ERR" ]

# A bind that succeeds: exactly as without whybind.
"$WBSERVE" 127.0.0.1 "$Q" >"$WB_TMP/alone.out" 2>"$WB_TMP/alone.err"
alone_rc=$?
wb --exec "$WBSERVE" 127.0.0.1 "$Q"
expect_rc "$alone_rc"
out_is "$(cat "$WB_TMP/alone.out")"
check "same stderr as alone (none)" [ ! -s "$WB_ERR" ] && [ ! -s "$WB_TMP/alone.err" ]

# A bind in a forked child and one from a second thread are caught.
fixture listen 0.0.0.0 "$R" comm=rholder
rholder=$FIX_PID
wb -j -x "$WBSERVE" 0.0.0.0 "$R" fork
expect_rc 3
reports
rjeq '[.[] | {cause: .verdict.cause, owners: [.conflicts[].owners[].pid]}]' \
	"[{cause: \"listening\", owners: [$rholder]}]"
rjqt '.[0].exec.pid == .[0].exec.tid'
wb -j -x "$WBSERVE" 0.0.0.0 "$R" thread
expect_rc 3
reports
rjeq '[.[] | .verdict.cause]' '["listening"]'
rjqt '.[0].exec.tid != .[0].exec.pid'

# A server that retries: one report, then one line for the four repeats
# (same process, same bind, same holders: repeat.c).
wb -j -x "$WBSERVE" 0.0.0.0 "$R" tries=5
expect_rc 3
check "five failed calls in the server's output" [ "$(grep -c "EADDRINUSE" "$WB_OUT")" = 5 ]
reports
rjeq 'length' 2
rjeq '[.[].exec.errno] | unique' '["EADDRINUSE"]'
rjeq '[.[0].diagnosed, .[1].repeated, .[1].exec.repeats]' '[true, true, 4]'
wb -x "$WBSERVE" 0.0.0.0 "$R" tries=3
check "human: one report, then one line with the count" \
	[ "$(grep -c 'failed 2 more times' "$WB_ERR")" = 1 ] && [ "$(grep -c '^whybind: Fixes:' "$WB_ERR")" = 1 ]
echo "# held per failed bind (ms): $(jq -c '[.[].exec.held_ms]' "$REPORTS")"

# The server goes on after the report, with its error unchanged.
wb -j -x "$WBSERVE" 0.0.0.0 "$R" then="$S"
expect_rc 0
out_is "bind 0.0.0.0 $R: EADDRINUSE
bound 0.0.0.0 $S"
reports
rjeq 'length' 1

# A server in its own way (a duplicate listen): the holder is the server,
# running, not "stopped" because whybind holds it at this very bind.
wb -j -x "$WBSERVE" 0.0.0.0 "$S2" again
expect_rc 3
reports
rjeq '.[0].verdict.cause' '"listening"'
rjqt '[.[0].conflicts[].owners[].pid] == [.[0].exec.pid]'
rjqt '[.[0].conflicts[].owners[] | .stopped] == [false]'

# UDP: the protocol comes from the server's socket.
fixture udp 0.0.0.0 "$U"
wb -j -x "$WBSERVE" 0.0.0.0 "$U" udp
expect_rc 3
reports
rjeq '.[0].request | {protocol, family, address, port, reuseaddr}' \
	"{protocol: \"udp\", family: \"inet\", address: \"0.0.0.0\", port: $U, reuseaddr: false}"
rjeq '.[0].verdict.cause' '"udp-bound"'

# AF_UNIX: a regular file in the way (not a stale socket), and a stale
# socket file given as a path relative to the server's own directory.
: >"$WB_TMP/taken.sock"
wb -j -x "$WBSERVE" - "$WB_TMP/taken.sock" unix
expect_rc 3
reports
rjeq '.[0] | {diagnosed, errno: .exec.errno, address: .exec.address}' \
	"{diagnosed: true, errno: \"EADDRINUSE\", address: \"$WB_TMP/taken.sock\"}"
rjeq '.[0] | {protocol: .request.protocol, path: .request.path, cause: .verdict.cause}' \
	"{protocol: \"unix\", path: \"$WB_TMP/taken.sock\", cause: \"unix-not-socket\"}"
mkdir "$WB_TMP/srvdir"
fixture unixstale "$WB_TMP/srvdir/app.sock" stream
cd "$WB_TMP/srvdir" || fatal "cd"
wb -j -x "$WBSERVE" - ./app.sock unix
cd - >/dev/null || fatal "cd -"
expect_rc 3
reports
rjeq '.[0] | {diagnosed, path: .request.path, cause: .verdict.cause}' \
	'{diagnosed: true, path: "./app.sock", cause: "unix-stale"}'
check "the stale file was left alone (no --fix)" test -S "$WB_TMP/srvdir/app.sock"

# A signal death is 128+N, as the shell says it (not SIGKILL here: 137
# is what wb reports for its own timeout).
wb -x "$WBSERVE" 127.0.0.1 "$V" raise=1
expect_rc 129
wb -x "$WBSERVE" 127.0.0.1 "$V" raise=10
expect_rc 138

# Signals sent to the server reach it; whybind is its tracer until it exits.
bg_exec -x "$WBSERVE" 127.0.0.1 "$W" hold
check "the server is traced by whybind" [ "$(tracer_of "$SRV")" = "$BG" ]
check "the server runs (not stopped)" [ "$(proc_state "$SRV")" = S ]
kill -TERM "$SRV"
bg_wait
expect_rc 42
check "its SIGTERM handler ran" grep -qx "got SIGTERM" "$WB_TMP/bg.out"

# A signal sent to whybind is passed on to the server.
bg_exec -x "$WBSERVE" 127.0.0.1 "$W" hold
kill -TERM "$BG"
bg_wait
expect_rc 42
check "SIGTERM to whybind reached the server" grep -qx "got SIGTERM" "$WB_TMP/bg.out"

# Ctrl+Z: the server stops, whybind stops with it (the shell sees its job
# stopped); continuing whybind continues the server.  The kernel drops
# SIGTSTP in an orphaned process group (no member's parent in another
# group of the session), as this script's own may be when make check runs
# detached: whybind gets a group of its own, whose parent is this shell,
# as an interactive shell gives every job.
set -m
bg_exec -x "$WBSERVE" 127.0.0.1 "$W" hold
set +m
kill -TSTP "$SRV"
wait_state "$BG" T
pass "whybind stopped with its server"
kill -CONT "$BG"
wait_state "$SRV" S
pass "continuing whybind continued the server"
kill -TERM "$SRV"
bg_wait
expect_rc 42

# whybind killed: the server does not run on untraced (its bind() would
# fail with ENOSYS): the kernel ends it too (PTRACE_O_EXITKILL).
bg_exec -x "$WBSERVE" 127.0.0.1 "$W" hold
kill -KILL "$BG"
wait_gone "$SRV"
pass "the server did not outlive a killed whybind"
wait "$BG" 2>/dev/null

# Everything after COMMAND is the command's, options included.
wb -j -x sh -c 'printf "%s\n" "$@"' sh -j --port 80 -x
expect_rc 0
out_is "-j
--port
80
-x"
wb --exec -- sh -c 'exit 7'
expect_rc 7

# Bad usage, a command that does not exist.
wb -x
expect_rc 2
check "says --exec needs a COMMAND" grep -q -- "--exec needs a COMMAND" "$WB_ERR"
wb --json --exec
expect_rc 2
wb 8080 -x true
expect_rc 2
wb -x /nonexistent/whybind-test-command
expect_rc 127
check "says command not found" grep -q "command not found" "$WB_ERR"
wb -x "$WB_TMP"
expect_rc 126

# The options that describe a bind do not go with --exec.
for opt in -u -6 -r -R --v6only=yes "-i lo" "-U nobody"; do
	# shellcheck disable=SC2086
	wb $opt -x "$WBSERVE" 127.0.0.1 "$V"
	expect_rc 2
	check "one line for $opt" test "$(lines "$WB_ERR")" = 1
done
