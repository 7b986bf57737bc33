# Sourced by every integration test: run the test in a private network
# namespace, start fixtures, run whybind, assert on its JSON and status.
set -u

if [ -z "${WB_NETNS:-}" ]; then
	if unshare -n true 2>/dev/null; then
		WB_NETNS=1 exec unshare -n bash "$0" "$@"
	fi
	# In CI a test that cannot build its situation has failed.
	if [ "${CI:-}" = true ]; then
		echo "FAIL: cannot create a network namespace (unshare -n needs root)" >&2
		exit 1
	fi
	echo "SKIP: cannot create a network namespace (unshare -n needs root)" >&2
	exit 77
fi
ip link set lo up

WB_TMP=$(mktemp -d)
FIXTURES=()
OUT= ERR= RC= LAST=

cleanup() {
	for p in "${FIXTURES[@]}"; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$WB_TMP"
}
trap cleanup EXIT

fail() {
	{
		echo "FAIL: $*"
		[ -n "$LAST" ] && echo "  after: whybind $LAST (exit $RC)"
		[ -n "$OUT" ] && printf '%s\n' "--- stdout" "$OUT"
		[ -n "$ERR" ] && printf '%s\n' "--- stderr" "$ERR"
	} >&2
	exit 1
}

# fixture KIND ADDR PORT [OPTION...]: start a fixture that holds its
# sockets; sets FIX_PID and FIX_PIDS (its forked children, a comma list).
fixture() {
	local out="$WB_TMP/fixture.$RANDOM" i p
	"$WBFIX" "$@" >"$out" &
	FIX_PID=$!
	FIXTURES+=("$FIX_PID")
	for i in $(seq 250); do
		grep -q '^ready' "$out" && break
		kill -0 "$FIX_PID" 2>/dev/null || break
		sleep 0.02
	done
	grep -q '^ready' "$out" || fail "fixture did not start: wbfix $*"
	FIX_PIDS=$(sed -n 's/.* \(pids\|children\)=\([0-9,]*\).*/\2/p' "$out")
	for p in ${FIX_PIDS//,/ }; do FIXTURES+=("$p"); done
}

# fixture_exit KIND ADDR PORT ...: a fixture that sets up and exits
# (timewait, clientclose, childconn); FIX_PIDS as above.
fixture_exit() {
	local line p
	line=$("$WBFIX" "$@") || fail "fixture failed: wbfix $*"
	FIX_PIDS=$(printf '%s' "$line" | sed -n 's/.* \(pids\|children\)=\([0-9,]*\).*/\2/p')
	for p in ${FIX_PIDS//,/ }; do FIXTURES+=("$p"); done
}

# wb ARG...: run whybind; sets OUT, ERR, RC.
wb() {
	LAST="$*"
	OUT=$("$WHYBIND" "$@" 2>"$WB_TMP/err")
	RC=$?
	ERR=$(cat "$WB_TMP/err")
}

expect_rc() {
	[ "$RC" = "$1" ] || fail "exit status $RC, want $1"
}

# jqt EXPR: EXPR must be true of the last JSON output.
jqt() {
	printf '%s' "$OUT" | jq -e "$1" >/dev/null 2>&1 || fail "JSON: $1"
}

# wait_gone PID: until the process has exited (at most 5 s).
wait_gone() {
	local i
	for i in $(seq 250); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.02
	done
	fail "process $1 did not exit"
}

# stop_proc PID: SIGSTOP, and wait until the kernel shows it stopped
# (the signal is delivered asynchronously).
stop_proc() {
	local i
	kill -STOP "$1" || fail "cannot stop $1"
	for i in $(seq 250); do
		[ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.02
	done
	fail "process $1 did not stop"
}
