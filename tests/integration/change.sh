#!/bin/bash
# The port changes hands while whybind looks: gdb stops it after the dump,
# at the owners' walk (owners_find), while the test kills the holder, and
# maybe starts another server on the port.  A verdict about a socket that
# is gone ("a process that could not be found is listening") would be
# wrong: whybind sees the socket vanished and looks again.
. "${TESTLIB:?run from make check}"
command -v gdb >/dev/null 2>&1 || wb_cannot "needs gdb"
ports P Q

# stopped_run THEN ARG...: whybind ARG... under gdb, held at owners_find
# while the shell function THEN runs.  Sets RC, OUT.
stopped_run() {
	local then=$1 i gdb
	shift
	rm -f "$WB_TMP/at-break" "$WB_TMP/go"
	mkfifo "$WB_TMP/go" || fatal "mkfifo"
	exec {go}<>"$WB_TMP/go"
	under_ptrace gdb -batch -nx -ex 'set breakpoint pending on' -ex 'break owners_find' \
		-ex "run $* >$WB_OUT 2>$WB_ERR" \
		-ex "shell touch $WB_TMP/at-break; read x <$WB_TMP/go" \
		-ex 'delete' -ex 'continue' --args "$WHYBIND" >"$WB_TMP/gdb.log" 2>&1 &
	gdb=$!
	for i in $(seq 400); do
		[ -e "$WB_TMP/at-break" ] && break
		kill -0 "$gdb" 2>/dev/null || fatal "gdb ended: $(cat "$WB_TMP/gdb.log")"
		sleep 0.05
	done
	[ -e "$WB_TMP/at-break" ] || fatal "whybind never reached owners_find: $(cat "$WB_TMP/gdb.log")"
	"$then"
	echo go >&"$go"
	exec {go}>&-
	wait "$gdb"
	RC=$(sed -n 's/.*exited with code 0*\([0-9]*\)\]$/\1/p; s/.*exited normally\]$/0/p' "$WB_TMP/gdb.log")
	LAST="gdb whybind $* (held at owners_find while $then ran)"
	OUT=$(cat "$WB_OUT")
	echo "# ran: $LAST -> exit $RC"
}

# The holder exits: the port is free by the time whybind answers.
fixture listen 0.0.0.0 "$P" comm=leaving
old=$FIX_PID
holder_exits() { kill -KILL "$old"; wait_gone "$old"; }
stopped_run holder_exits --json "$P"
expect_rc 0
jqt '.bind.ok == true and .verdict.cause == "free" and (.conflicts | length) == 0'

# A restart: the holder exits and a new server takes the port meanwhile.
fixture listen 0.0.0.0 "$Q" comm=oldsrv
old=$FIX_PID
restarted() {
	kill -KILL "$old"
	wait_gone "$old"
	fixture listen 0.0.0.0 "$Q" comm=newsrv
	new=$FIX_PID
}
stopped_run restarted --json "$Q"
expect_rc 1
jeq '[.conflicts[] | {state, owners: [.owners[] | {pid, comm}]}]' \
	"[{state: \"LISTEN\", owners: [{pid: $new, comm: \"newsrv\"}]}]"
jqt '.verdict.summary | test("could not be found") | not'

# An AF_UNIX server that exits: its socket file is left, stale.
fixture unix "$WB_TMP/app.sock" stream comm=usrv
old=$FIX_PID
stopped_run holder_exits --json "$WB_TMP/app.sock"
expect_rc 1
jeq '.verdict.cause' '"unix-stale"'
jeq '.conflicts' '[]'
