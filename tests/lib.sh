# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib.sh: the one helper library of the shell tests, sourced by
# every integration test (tests/integration/*.sh) and, through
# tests/docs/common.sh, by the documentation checks.
#
# It runs the test in a private network namespace, starts wbfix fixtures
# and kills them at exit, runs whybind, and asserts on its exit status and
# JSON.  Assertions do not stop the test: each prints "ok:" or "FAIL:",
# and the test exits 1 if any failed (or if none ran).  Environment (from
# Makefile.am): WHYBIND, WBFIX, WBRULES, TESTLIB; CI=true turns "cannot
# test here" into a failure.  A test that opens no socket (the
# documentation checks) sets WB_HOST_NETNS=1 before sourcing: it then runs
# where it is, as any user, and starts or kills no process but its own.
#
# Until the re-exec below, this must stay POSIX sh: $(SHELL) may be dash.

# In CI a check that cannot run has failed: nothing may silently not run.
wb_in_ci() {
	case "${CI:-}" in
	'' | false | 0) return 1 ;;
	esac
	return 0
}

# wb_cannot WHY: the whole test cannot run here (exit 77: skipped).
wb_cannot() {
	if ! wb_in_ci; then
		echo "SKIP: $1"
		exit 77
	fi
	echo "FAIL: $1 (CI=$CI: integration tests must run in CI)"
	exit 1
}

# missing_tool NAME: one part of the test cannot run here, for want of
# NAME: skipped, and said so; a failed assertion in CI.
missing_tool() {
	if wb_in_ci; then
		fail "$1 is not installed"
	else
		echo "SKIP part: $1 is not installed"
	fi
}

if [ "${WB_HOST_NETNS:-}" = 1 ]; then
	[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
elif [ "${WB_IN_NETNS:-}" != 1 ]; then
	for t in bash unshare ip jq timeout setpriv; do
		command -v "$t" >/dev/null 2>&1 || wb_cannot "needs $t"
	done
	if why=$(unshare -n true 2>&1); then
		WB_IN_NETNS=1
		WB_OUTER_NETNS=$(readlink /proc/self/ns/net)
		export WB_IN_NETNS WB_OUTER_NETNS
		exec unshare -n -- bash "$0" "$@"
	fi
	wb_cannot "cannot create a network namespace: ${why:-unshare -n failed} (needs root)"
fi

# From here on: bash, in our own network namespace (or, WB_HOST_NETNS=1,
# in the host's).
set -u
WB_NETNS=$(readlink /proc/self/ns/net)
if [ "${WB_HOST_NETNS:-}" != 1 ] &&
   { [ -z "$WB_NETNS" ] || [ "$WB_NETNS" = "${WB_OUTER_NETNS:-}" ]; }; then
	echo "FAIL: not in a private network namespace (WB_IN_NETNS set by hand?)"
	exit 1
fi
WB_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${WHYBIND:=$WB_LIBDIR/../src/whybind}" "${WBFIX:=$WB_LIBDIR/wbfix}"
for t in "$WHYBIND" "$WBFIX"; do
	[ -x "$t" ] || { echo "FAIL: $t is not built"; exit 99; }
done
if [ "${WB_HOST_NETNS:-}" != 1 ]; then
	ip link set lo up || { echo "FAIL: cannot bring lo up"; exit 1; }
fi

WB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/whybind-test.XXXXXX") || exit 99
FIXTURES=()			# every pid a fixture left running
WB_PASS=0 WB_FAIL=0
WB_NEXT_PORT=${WB_PORT_BASE:-20000}
WB_RUNAS=()			# a prefix for whybind (wb_as_nobody)
LAST= RC= OUT= ERR= WB_SHOWN=

# wb_alive PID...: is any of them still running (a zombie is not)?
wb_alive() {
	local p s

	for p in "$@"; do
		s=$(proc_state "$p") && [ "$s" != Z ] && return 0
	done
	return 1
}

# Kill what the test started: the fixtures it knows of, then anything
# else left in this namespace, which only this test can have made (not
# in the host's, where everything else runs too).
wb_cleanup() {
	local rc=$? p n pids=()

	for p in "${FIXTURES[@]}"; do
		pids+=("$p")
	done
	for p in /proc/[0-9]*; do
		[ "${WB_HOST_NETNS:-}" = 1 ] && break
		n=${p#/proc/}
		[ "$n" = $$ ] || [ "$n" = "$BASHPID" ] && continue
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$WB_NETNS" ] && pids+=("$n")
	done
	if [ ${#pids[@]} -gt 0 ]; then
		kill -CONT "${pids[@]}" 2>/dev/null
		kill -TERM "${pids[@]}" 2>/dev/null
		for n in 1 2 3 4 5 6 7 8 9 10; do
			wb_alive "${pids[@]}" || break
			sleep 0.1
		done
		kill -KILL "${pids[@]}" 2>/dev/null
	fi
	cgroup_cleanup
	if [ "$rc" = 0 ] && [ $((WB_PASS + WB_FAIL)) = 0 ]; then
		echo "FAIL: no assertion ran"
		rc=1
	fi
	json_validate
	rm -rf "$WB_TMP"
	[ "$WB_FAIL" -gt 0 ] && rc=1
	echo "# $(basename "$0"): $WB_PASS passed, $WB_FAIL failed"
	exit "$rc"
}
trap wb_cleanup EXIT
trap 'exit 1' INT TERM HUP

# cgroup_roots: where this machine mounts the hierarchies that say a
# process's unit or container: cgroup v2 (/sys/fs/cgroup, or
# /sys/fs/cgroup/unified beside v1) and v1's name=systemd.  One a line.
cgroup_roots() {
	awk '$3 == "cgroup2" || ($3 == "cgroup" && $4 ~ /(^|,)name=systemd(,|$)/) { print $2 }' \
		/proc/self/mounts
}

# cgroup_put PID ROOT PATH: move the process into cgroup PATH (relative,
# no leading slash) of the hierarchy mounted at ROOT.  The directories
# made here are removed at exit, their processes moved back to the root.
WB_CGROUPS=()
cgroup_put() {
	local pid=$1 root=$2 path=$3 dir=$2 part

	while [ -n "$path" ]; do
		part=${path%%/*}
		[ "$part" = "$path" ] && path= || path=${path#*/}
		dir=$dir/$part
		[ -d "$dir" ] && continue
		mkdir -- "$dir" || fatal "cannot make cgroup $(printf %q "$dir")"
		WB_CGROUPS+=("$root" "$dir")
	done
	echo "$pid" >"$dir/cgroup.procs" ||
		fatal "cannot move $pid into cgroup $(printf %q "$dir")"
}

cgroup_cleanup() {
	local i root dir p

	for ((i = ${#WB_CGROUPS[@]} - 2; i >= 0; i -= 2)); do
		root=${WB_CGROUPS[i]} dir=${WB_CGROUPS[i + 1]}
		while read -r p; do
			echo "$p" >"$root/cgroup.procs"
		done <"$dir/cgroup.procs" 2>/dev/null
		rmdir -- "$dir" 2>/dev/null ||
			echo "# warning: cannot remove cgroup $(printf %q "$dir")"
	done
	WB_CGROUPS=()
}

# fatal MSG: the situation could not be built; stop the test here.
fatal() {
	echo "FAIL (setup): $*"
	WB_FAIL=$((WB_FAIL + 1))
	exit 1
}

# ports VAR...: give each VAR a port of its own in this test.
ports() {
	local v

	for v in "$@"; do
		printf -v "$v" '%d' "$WB_NEXT_PORT"
		WB_NEXT_PORT=$((WB_NEXT_PORT + 1))
	done
}

# fixture KIND ADDR PORT [TARGETPORT] [OPTION...]: run wbfix (see
# tests/wbfix.c) until it says "ready", 10 s at most.  Sets FIX_PID,
# FIX_CHILDREN (pids, space-separated; FIX_PIDS: the same, comma-separated)
# and FIX_TW (a TIME_WAIT's port).
# The kinds that exit when ready (timewait, clientclose, childconn) are
# waited for; their exit status must be 0.
fixture() {
	local fifo="$WB_TMP/fixture.fifo" err="$WB_TMP/fixture.err"
	local fd line= part= i pid rc

	rm -f "$fifo"
	mkfifo "$fifo" || fatal "mkfifo"
	# Opened read-write, so that the open does not block; opened before
	# wbfix starts, so that its "ready" line cannot be lost when a fixture
	# that exits once ready is faster than this shell.
	exec {fd}<>"$fifo"
	"$WBFIX" "$@" >&"$fd" 2>"$err" </dev/null {fd}>&- &
	pid=$!
	# A read that times out keeps what it got of the line: add it up.
	for ((i = 0; i < 100; i++)); do
		read -r -t 0.1 -u "$fd" part && { line+=$part; break; }
		line+=$part
		kill -0 "$pid" 2>/dev/null && continue
		read -r -t 0.1 -u "$fd" part
		line+=$part
		break
	done
	exec {fd}<&-
	FIX_PID=$pid
	FIX_CHILDREN=$(sed -n 's/.* pids=\([0-9,]*\).*/\1/p' <<<"$line")
	FIX_PIDS=$FIX_CHILDREN
	FIX_CHILDREN=${FIX_CHILDREN//,/ }
	FIX_TW=$(sed -n 's/.* tw=\([0-9]*\).*/\1/p' <<<"$line")
	FIXTURES+=("$pid" $FIX_CHILDREN)
	case "$line" in
	"ready pid=$pid"*) ;;
	*) fatal "wbfix$(printf ' %q' "$@") did not get ready: $(cat -v "$err")" ;;
	esac
	case "$1" in
	timewait | clientclose | childconn | unixstale)
		wait "$pid"
		rc=$?
		[ "$rc" = 0 ] || fatal "wbfix$(printf ' %q' "$@") exited $rc: $(cat -v "$err")" ;;
	esac
	echo "# fixture: wbfix$(printf ' %q' "$@") -> $line"
}

# wait_gone PID: until the process has exited (5 s at most).
wait_gone() {
	local i

	for ((i = 0; i < 100; i++)); do
		wb_alive "$1" || return 0
		sleep 0.05
	done
	fatal "process $1 did not exit"
}

# stop_proc PID: SIGSTOP, and wait until the kernel shows it stopped.
stop_proc() {
	kill -STOP "$1" || fatal "cannot stop $1"
	wait_state "$1" T
}

# proc_state PID: the state letter of /proc/PID/stat.
proc_state() {
	local stat

	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	printf '%s\n' "${stat%% *}"
}

# wait_state PID LETTER: until the process is in that state (5 s at most).
wait_state() {
	local i

	for ((i = 0; i < 100; i++)); do
		[ "$(proc_state "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	fatal "process $1 is not in state $2 but $(proc_state "$1")"
}

# sock_inode PID FD: the inode of the socket behind that descriptor.
sock_inode() {
	local link

	link=$(readlink "/proc/$1/fd/$2") || fatal "no fd $2 in process $1"
	case "$link" in
	socket:\[*\]) link=${link#socket:[}; printf '%s\n' "${link%]}" ;;
	*) fatal "fd $2 of process $1 is $link, not a socket" ;;
	esac
}

# under_ptrace TRACER ARG...: run a tracer (strace, gdb) on whybind.
# LeakSanitizer cannot work under ptrace: it is off for that run in the
# sanitizer build (it would fail whybind with exit 1, which some tests
# expect for other reasons).
under_ptrace() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"
}

# held_at FUNCTION THEN ARG...: whybind ARG... under gdb, stopped at the
# C function FUNCTION while the shell function THEN runs, then let go.
# Sets RC and OUT as wb does.  The shell gdb runs at the breakpoint waits
# on a fifo without forking, so THEN may count on the next pid.
held_at() {
	local func=$1 then=$2 i gdb go
	shift 2
	rm -f "$WB_TMP/at-break" "$WB_TMP/go"
	mkfifo "$WB_TMP/go" || fatal "mkfifo"
	exec {go}<>"$WB_TMP/go"
	under_ptrace gdb -batch -nx -ex 'set breakpoint pending on' -ex "break $func" \
		-ex "run $* >$WB_OUT 2>$WB_ERR" \
		-ex "shell touch $WB_TMP/at-break; read x <$WB_TMP/go" \
		-ex 'delete' -ex 'continue' --args "$WHYBIND" >"$WB_TMP/gdb.log" 2>&1 &
	gdb=$!
	for ((i = 0; i < 400; i++)); do
		[ -e "$WB_TMP/at-break" ] && break
		kill -0 "$gdb" 2>/dev/null || fatal "gdb ended: $(cat "$WB_TMP/gdb.log")"
		sleep 0.05
	done
	[ -e "$WB_TMP/at-break" ] || fatal "whybind never reached $func: $(cat "$WB_TMP/gdb.log")"
	"$then"
	echo go >&"$go"
	exec {go}>&-
	wait "$gdb"
	RC=$(sed -n 's/.*exited with code 0*\([0-9]*\)\]$/\1/p; s/.*exited normally\]$/0/p' "$WB_TMP/gdb.log")
	LAST="gdb whybind $* (held at $func while $then ran)"
	OUT=$(cat "$WB_OUT")
	echo "# ran: $LAST -> exit $RC"
	json_collect "$@"
}

# Every JSON document whybind prints in a test is checked against the
# published schema, doc/whybind.schema.json: the runs collect them (one
# file each, "# COMMAND" first) and json_validate checks them all at the
# test's end, in one python3-jsonschema run (a python start per run would
# cost the suite more than the runs themselves).  An invalid document is a
# failed assertion naming the command and the offending value's path.
# (tests/wbrules.c keeps its runs' JSON there too.)
WB_JSON_DIR=$WB_TMP/json WB_JSON_N=0
export WB_JSON_DIR
WB_SCHEMA=${WB_SCHEMA:-$WB_LIBDIR/../doc/whybind.schema.json}
mkdir "$WB_JSON_DIR" || exit 99

# json_file FILE DESC: FILE holds whybind's JSON (one document, or one a
# line): validate it at the end.  json_lines FILE DESC: only FILE's lines
# that start with "{" (--exec's reports among the server's stderr).
json_file() {
	local f="$WB_JSON_DIR/$BASHPID.$WB_JSON_N"

	[ -s "$1" ] || return 0
	WB_JSON_N=$((WB_JSON_N + 1))
	{ printf '# %s\n' "$2"; cat "$1"; } >"$f"
}

json_lines() {
	local f="$WB_JSON_DIR/$BASHPID.$WB_JSON_N"

	grep -q '^{' "$1" 2>/dev/null || return 0
	WB_JSON_N=$((WB_JSON_N + 1))
	{ printf '# %s\n' "$2"; grep '^{' "$1"; } >"$f"
}

# json_args ARG...: how whybind's arguments say its JSON goes: "stdout"
# (--json), "stderr" (--json --exec: the reports), or nothing.
json_args() {
	local a json=

	for a in "$@"; do
		case "$a" in
		--json) json=stdout ;;
		-x | --exec | --exec=*) [ -n "$json" ] && json=stderr; break ;;
		--) break ;;
		--*) ;;
		-*[!tu46rRjqvx]*) ;;
		-*j*x*) json=stderr; break ;;
		-*x*) [ -n "$json" ] && json=stderr; break ;;
		-*j*) json=stdout ;;
		esac
	done
	printf '%s' "$json"
}

# json_collect ARG...: after a run of whybind ARG..., its JSON.
json_collect() {
	case "$(json_args "$@")" in
	stdout) json_file "$WB_OUT" "$LAST" ;;
	stderr) json_lines "$WB_ERR" "$LAST" ;;
	esac
}

# json_python: the python3 with Debian's python3-jsonschema ($WB_PYTHON,
# else /usr/bin/python3, which a virtualenv or pyenv on PATH would hide).
json_python() {
	if [ -n "${WB_PYTHON:-}" ]; then
		printf '%s\n' "$WB_PYTHON"
	elif [ -x /usr/bin/python3 ]; then
		printf '%s\n' /usr/bin/python3
	else
		printf '%s\n' python3
	fi
}

# json_validate: the test's JSON against the schema (from wb_cleanup).
# Without python3-jsonschema: skipped here, a failure in CI.
json_validate() {
	local py out rc n

	n=$(find "$WB_JSON_DIR" -type f 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || return 0
	py=$(json_python)
	LAST=
	out=$("$py" "$WB_LIBDIR/validate-json.py" "$WB_SCHEMA" "$WB_JSON_DIR"/* 2>&1)
	rc=$?
	case "$rc" in
	0) pass "$n JSON outputs match $(basename "$WB_SCHEMA")" ;;
	1) while IFS= read -r line; do
		fail "JSON does not match $(basename "$WB_SCHEMA"): ${line#"$WB_JSON_DIR"/}"
	   done <<<"$out" ;;
	*) if ! "$py" -c 'import jsonschema' 2>/dev/null; then
		missing_tool python3-jsonschema
	   else
		fail "validate-json.py: $out"
	   fi ;;
	esac
}

# wb ARG...: run whybind (30 s at most); sets RC, OUT and ERR, and keeps
# the exact bytes in $WB_OUT and $WB_ERR.
WB_OUT="$WB_TMP/out" WB_ERR="$WB_TMP/err"
wb() {
	LAST="${WB_RUNAS[*]}${WB_RUNAS:+ }whybind$(printf ' %q' "$@")"
	timeout -k 2 "${WB_TIMEOUT:-30}" "${WB_RUNAS[@]}" "$WHYBIND" "$@" \
		>"$WB_OUT" 2>"$WB_ERR" </dev/null
	RC=$?
	OUT=$(cat "$WB_OUT")
	ERR=$(cat "$WB_ERR")
	WB_SHOWN=
	echo "# ran: $LAST -> exit $RC"
	json_collect "$@"
	case "$RC" in
	124 | 137) fail "whybind did not finish in ${WB_TIMEOUT:-30} s" ;;
	esac
}

# wb_as_nobody ARG...: wb as uid/gid 65534, without groups or capabilities.
wb_as_nobody() {
	WB_RUNAS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	wb "$@"
	WB_RUNAS=()
}

pass() {
	WB_PASS=$((WB_PASS + 1))
	echo "ok: $*"
}

# fail MSG: one failed assertion; shows the last run once.
fail() {
	WB_FAIL=$((WB_FAIL + 1))
	echo "FAIL: $*"
	[ -n "$LAST" ] && [ -z "$WB_SHOWN" ] || return 0
	WB_SHOWN=1
	echo "  after: $LAST -> exit $RC"
	echo "  --- stdout:"
	if [ -s "$WB_OUT" ] && jq . "$WB_OUT" >/dev/null 2>&1; then
		jq . "$WB_OUT" | sed 's/^/  /'
	else
		cat -v "$WB_OUT" | sed 's/^/  /'
	fi
	echo "  --- stderr:"
	cat -v "$WB_ERR" | sed 's/^/  /'
}

# check DESC CMD...: CMD must succeed.
check() {
	local desc=$1

	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

expect_rc() {
	if [ "$RC" = "$1" ]; then
		pass "exit status $1"
	else
		fail "exit status $RC, want $1"
	fi
}

# jqt EXPR: EXPR must be true of the last output, which must be JSON.
jqt() {
	local msg

	if msg=$(jq -e "$1" "$WB_OUT" 2>&1 >/dev/null); then
		pass "$1"
	elif [ -n "$msg" ]; then
		fail "$1 (jq: $msg)"
	else
		fail "$1 (got $(jq -c "[$1]" "$WB_OUT" 2>&1))"
	fi
}

# jeq EXPR JSON: EXPR of the last output equals JSON, exactly.
jeq() {
	local got want

	want=$(jq -nc "$2" 2>&1) || { fail "bad expected value: $2"; return; }
	got=$(jq -c "$1" "$WB_OUT" 2>&1)
	if [ "$got" = "$want" ]; then
		pass "$1 == $want"
	else
		fail "$1: got $got, want $want"
	fi
}

# out_has REGEX / out_lacks REGEX: an extended regex on stdout's lines.
out_has() {
	if grep -Eq -- "$1" "$WB_OUT"; then pass "stdout has /$1/"; else fail "stdout lacks /$1/"; fi
}

out_lacks() {
	if grep -Eq -- "$1" "$WB_OUT"; then fail "stdout has /$1/"; else pass "stdout lacks /$1/"; fi
}

# is_clean_text FILE: valid UTF-8 with no control character but tab and
# newline, C1 controls included: nothing a terminal would act on.
is_clean_text() {
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || return 1
	! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\\|\xc2[\x80-\x9f]' "$1" &&
		[ "$(tr -d '\000' <"$1" | wc -c)" = "$(wc -c <"$1")" ]
}

# lines FILE: how many newline characters it has.
lines() {
	tr -cd '\n' <"$1" | wc -c
}
