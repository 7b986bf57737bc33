#!/bin/bash
# A job stopped on a real terminal names its tty and its shell; a process
# stopped under a debugger names the tracer.
. "${TESTLIB:?run from make check}"
command -v script >/dev/null || wb_cannot "needs script (util-linux)"
ports P Q

# A shell on a pseudo-terminal runs the server in the foreground; the
# server is then stopped (as by Ctrl+Z).
script -qfc "bash -c '$WBFIX listen 0.0.0.0 $P comm=jobby; true'" /dev/null \
	>"$WB_TMP/pty" </dev/null &
FIXTURES+=($!)
for ((i = 0; i < 100; i++)); do
	job=$(pgrep -x jobby) && break
	sleep 0.05
done
[ -n "$job" ] || fatal "the server on the pty did not start"
shell=$(ps -o sid= -p "$job" | tr -d ' ')
tty=$(ps -o tty= -p "$job" | tr -d ' ')
case "$tty" in pts/[0-9]*) ;; *) fatal "the server has no pty ($tty)" ;; esac
FIXTURES+=("$job")
wait_listening() {
	for ((i = 0; i < 100; i++)); do
		ss -Hltn "( sport = :$1 )" | grep -q . && return 0
		sleep 0.05
	done
	fatal "nothing listens on $1"
}
wait_listening "$P"
stop_proc "$job"
wb --json "$P"
expect_rc 1
jeq '.verdict.cause' '"stopped"'
jeq '.conflicts[0].owners[0] | {pid, comm, state, stopped, tty}' \
	"{pid: $job, comm: \"jobby\", state: \"T\", stopped: true, tty: \"$tty\"}"
jeq '.conflicts[0].owners[0].session_leader' "{pid: $shell, comm: \"bash\"}"
jqt ".verdict.fixes[0] | .action == \"resume-process\" and .command == \"kill -CONT $job\""
jqt ".verdict.fixes[0].text | test(\"fg. in bash \\\\(pid $shell\\\\) on $tty\")"
wb "$P"
out_has "jobby \\(pid $job, stopped, $tty\\)"
kill -CONT "$job"

# Stopped under a tracer (state t): the debugger holds it.
fixture listen 0.0.0.0 "$Q" comm=debugged
target=$FIX_PID
strace -qq -p "$target" -o /dev/null &
tracer=$!
FIXTURES+=("$tracer")
for ((i = 0; i < 100; i++)); do
	grep -q "^TracerPid:[[:space:]]*$tracer$" "/proc/$target/status" && break
	sleep 0.05
done
kill -STOP "$target"
wait_state "$target" t
wb --json "$Q"
expect_rc 1
jeq '.verdict.cause' '"stopped"'
jeq '.conflicts[0].owners[0] | {state, stopped, tracer, tracer_comm}' \
	"{state: \"t\", stopped: true, tracer: $tracer, tracer_comm: \"strace\"}"
jqt ".verdict.fixes[0].text | test(\"debugger \\\\(strace, pid $tracer\\\\)\")"
wb "$Q"
out_has "debugged \\(pid $target, traced\\)"
kill -9 "$tracer"
