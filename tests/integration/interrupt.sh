#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Ctrl+C in the middle of an action.  strace holds whybind at the chosen
# system call (inject delay) while the test sends SIGINT, so the moment
# is exact, not a race: --fix destroys every conflicting TIME_WAIT or
# none, and the probe's own socket file never outlives it.  (Ctrl+C
# during --wait, and the terminal after it: wait.sh.)
. "${TESTLIB:?run from make check}"
command -v strace >/dev/null 2>&1 || wb_cannot "needs strace"
ports P Q
TRACE=$WB_TMP/trace

# traced_interrupt PATTERN COUNT STRACE-ARGS... -- WHYBIND-ARGS...: run
# whybind under strace; once the trace shows PATTERN COUNT times, send
# it SIGINT.  Sets RC (strace passes on how whybind ended).
traced_interrupt() {
	local pattern=$1 count=$2 sargs=() st pid i
	shift 2
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	: >"$TRACE"
	LAST="strace ${sargs[*]} whybind $*"
	# A background job starts with SIGINT ignored: env restores it (and
	# turns LeakSanitizer off, as under_ptrace does; strace must be $!'s
	# child, not a function's).
	strace -qq -o "$TRACE" "${sargs[@]}" \
		env --default-signal=INT \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		"$WHYBIND" "$@" \
		>"$WB_OUT" 2>"$WB_ERR" </dev/null &
	st=$!
	for i in $(seq 400); do
		[ "$(grep -c -- "$pattern" "$TRACE")" -ge "$count" ] && break
		sleep 0.025
	done
	pid=$(pgrep -P "$st")
	[ -n "$pid" ] || fatal "whybind is not running under strace"
	echo "# SIGINT to whybind $pid after $(grep -c -- "$pattern" "$TRACE") x $pattern"
	kill -INT "$pid"
	wait "$st"
	RC=$?
	check "the SIGINT reached whybind" grep -q "^+++ killed by SIGINT" "$TRACE"
}

# Twenty TIME_WAIT sockets on one port (each server closes first, the
# next one binds with SO_REUSEADDR beside the TIME_WAITs).
n=20
for i in $(seq "$n"); do
	fixture timewait 127.0.0.1 "$P" reuseaddr
done
fixture timewait 127.0.0.1 "$Q"	# not in conflict: never touched
tw() { ss -Htan state time-wait "( sport = :$1 )" | wc -l; }
check "$n TIME_WAIT sockets on $P" test "$(tw "$P")" = "$n"

# Each SOCK_DESTROY request waits 100 ms on its way out; Ctrl+C after the
# third one.
traced_interrupt "nlmsg_type=SOCK_DESTROY" 3 \
	-e trace=sendto -e inject=sendto:delay_exit=100000 -- --fix "$P"
check "whybind ended by the SIGINT (exit $RC)" test "$RC" = 130
check "every conflicting TIME_WAIT destroyed, none left half-way ($(tw "$P") left)" \
	test "$(tw "$P")" = 0
check "one SOCK_DESTROY per socket ($(grep -c SOCK_DESTROY "$TRACE"))" \
	test "$(grep -c SOCK_DESTROY "$TRACE")" = "$n"
check "the TIME_WAIT on another port untouched" test "$(tw "$Q")" = 1

# The probe of a free socket path makes the file for a moment; SIGINT
# while the kernel holds the bind's return: the file is gone after.
traced_interrupt 'sun_path="'"$WB_TMP/new.sock"'"' 1 \
	-e trace=bind,unlink -e inject=bind:delay_exit=500000 -- "$WB_TMP/new.sock"
check "whybind ended by the SIGINT (exit $RC)" test "$RC" = 130
check "its unlink came before the signal took effect" grep -q "^unlink(\"$WB_TMP/new.sock\")" "$TRACE"
check "no socket file left behind" test ! -e "$WB_TMP/new.sock"
