#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A job stopped with Ctrl+Z at a real shell on a real pseudo-terminal:
# whybind names the terminal and the shell, and the fix it gives (`fg`
# there) frees the job.  And a holder held in a ptrace stop by a debugger:
# named by the tracer's pid, and the command it gives resumes it.
. "${TESTLIB:?run from make check}"
command -v script >/dev/null 2>&1 || wb_cannot "needs script (util-linux)"
ports P Q

# An interactive bash on a new pty, the session leader on that terminal:
# script(1) runs its command under $SHELL -c, a shell that may stay in
# between (dash does), so the command execs bash and $SHELL is pinned to
# the shell that would.  What the test writes to $keys is typed at it.
mkfifo "$WB_TMP/keys" "$WB_TMP/job" || fatal "mkfifo"
exec {keys}<>"$WB_TMP/keys" {job}<>"$WB_TMP/job"
SHELL=/bin/sh script -qfc "exec bash --norc --noprofile -i" /dev/null \
	<"$WB_TMP/keys" >"$WB_TMP/terminal" 2>&1 &
FIXTURES+=($!)
type() { printf '%s' "$1" >&"$keys"; }

type "echo \$\$ >$WB_TMP/shell; $WBFIX listen 0.0.0.0 $P comm=jobd >$WB_TMP/job"$'\n'
read -r -t 10 -u "$job" line ||
	fatal "the job did not start; terminal: $(cat -v "$WB_TMP/terminal")"
pid=${line#ready pid=}
pid=${pid%% *}
FIXTURES+=("$pid")
shell=$(cat "$WB_TMP/shell")
tty=$(readlink "/proc/$shell/fd/0")
tty=${tty#/dev/}
case "$tty" in
pts/[0-9]*) ;;
*) fatal "the shell's terminal is $tty, not a pty" ;;
esac
[ "$(awk '{ print $6 }' "/proc/$pid/stat")" = "$shell" ] ||
	fatal "the job is not in the shell's session"
echo "# job $pid in bash $shell on $tty"

type $'\x1a'			# Ctrl+Z, through the terminal's line discipline
wait_state "$pid" T
wb --json "$P"
expect_rc 1
jeq '.verdict.cause' '"stopped"'
jeq '.conflicts[0].owners | map({pid, comm, state, stopped, tty, session_leader})' \
	"[{pid: $pid, comm: \"jobd\", state: \"T\", stopped: true, tty: \"$tty\", session_leader: {pid: $shell, comm: \"bash\"}}]"
jeq '.verdict.fixes[0] | {action, command}' \
	"{action: \"resume-process\", command: \"kill -CONT $pid\"}"
jqt ".verdict.fixes[0].text | contains(\"\`fg\` in bash (pid $shell) on $tty\")"
wb "$P"
expect_rc 1
out_has "jobd \(pid $pid, stopped"
out_has "\`fg\` in bash \(pid $shell\) on $tty"
out_has "^ +kill -CONT $pid$"

# The fix as given: fg in that shell.
type $'fg\n'
wait_state "$pid" S
wb --json "$P"
expect_rc 1
jeq '.verdict.cause' '"listening"'
jeq '.conflicts[0].owners | map({pid, stopped, tty, session_leader})' \
	"[{pid: $pid, stopped: false, tty: \"$tty\", session_leader: null}]"
type $'\x03'			# Ctrl+C ends it, and the port is free
wait_gone "$pid"
wb --json "$P"
expect_rc 0

# Held by a debugger: state t, the tracer named, and the fix resumes it.
fixture listen 127.0.0.1 "$Q" traced comm=traced
tracer=$FIX_CHILDREN
wait_state "$FIX_PID" t
wb --json "127.0.0.1:$Q"
expect_rc 1
jeq '.verdict.cause' '"stopped"'
jeq '.conflicts[0].owners | map({pid, state, stopped, tracer})' \
	"[{pid: $FIX_PID, state: \"t\", stopped: true, tracer: $tracer}]"
jqt '.verdict.summary | contains("debugger")'
jeq '.verdict.fixes[0] | {action, command}' \
	"{action: \"resume-process\", command: \"kill $tracer; kill -CONT $FIX_PID\"}"
cmd=$(jq -r '.verdict.fixes[0].command' "$WB_OUT")
eval "$cmd"
wait_state "$FIX_PID" S
wb --json "127.0.0.1:$Q"
jeq '.verdict.cause' '"listening"'
jeq '.conflicts[0].owners | map({pid, state, tracer})' "[{pid: $FIX_PID, state: \"S\", tracer: null}]"
