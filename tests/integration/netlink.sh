#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel's socket dumps going wrong, made to by tests/nlinject.so: a
# dump flagged interrupted (NLM_F_DUMP_INTR) or overrun (ENOBUFS) is
# retried whole and the answer is exact, never the failed attempt's
# sockets plus the retry's; a dump interrupted every time, or one the
# kernel never answers, is exit 3 with a one-line reason and no verdict.
. "${TESTLIB:?run from make check}"
[ -f "$NLINJECT" ] || fatal "no $NLINJECT: make check builds it"
ports P R
LOG=$WB_TMP/inject.log
# The shim comes before an ASan runtime in the sanitizer build.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# inject MODE ARG...: whybind with the shim; the log of what it did.
# PEEK=1 inject ...: the shim acts on the quick look at the listeners only.
inject() {
	: >"$LOG"
	WB_RUNAS=(env LD_PRELOAD="$NLINJECT" WB_NLINJECT="$1" WB_NLINJECT_LOG="$LOG"
		  WB_NLINJECT_PEEK="${PEEK:-0}")
	shift
	wb "$@"
	WB_RUNAS=()
}
injected() { grep -c "^$1 " "$LOG"; }

fixture listen 0.0.0.0 "$P" comm=lsn
# Enough sockets on one port that the dump comes in several parts, the
# last one failing after the others were delivered.
n=1500
ulimit -n 4096
fixture udp 0.0.0.0 "$R" reuseport count=$n

for m in intr enobufs; do
	inject "$m=1" --json "$P"
	expect_rc 1
	check "$m: one dump hit" test "$(injected "$m")" = 1
	jeq '[.conflicts[] | {state, comm: .owners[0].comm}]' '[{state: "LISTEN", comm: "lsn"}]'

	inject "$m=2" --json -u "$R"
	expect_rc 1
	check "$m: two dumps hit" test "$(injected "$m")" = 2
	check "$m: the dump came in several parts" grep -Eq "part ([2-9]|[1-9][0-9]+)$" "$LOG"
	jeq '.conflicts | length' "$n"
	jqt ".conflicts | map(.inode) | unique | length == $n"
done

# Interrupted on every try: no partial answer, exit 3, one line why.
for args in "--json $P" "-u $R" "--no-probe $P"; do
	inject intr $args
	expect_rc 3
	check "intr: three tries" test "$(injected intr)" = 3
	check "no verdict on stdout" test ! -s "$WB_OUT"
	check "one line on stderr" test "$(wc -l <"$WB_ERR")" = 1
	check "it says the table kept changing" \
		grep -q "^whybind: the socket table changed during each of 3 dumps" "$WB_ERR"
done

# Overrun every time: the same.
inject enobufs --json "$P"
expect_rc 3
check "enobufs: three tries" test "$(injected enobufs)" = 3
check "no verdict on stdout" test ! -s "$WB_OUT"

# A kernel that never answers: the receive timeout, not a hang.
start=$(date +%s)
inject hang --json "$P"
expect_rc 3
check "hang: the dump was silenced" test "$(injected hang)" = 1
check "the timeout is named" grep -q "^whybind: the kernel did not answer the socket dump within 5 s" "$WB_ERR"
check "no verdict on stdout" test ! -s "$WB_OUT"
check "ended by the timeout ($(($(date +%s) - start)) s)" test $(($(date +%s) - start)) -lt 20

# The quick look at a TCP port's listeners (before the full dump, so the
# owners' walk can start early) is only a hint: interrupted or overrun, it
# is not retried and the full dump answers; unanswered, it is exit 3 at
# once rather than a second wait.
for m in intr enobufs; do
	PEEK=1 inject "$m" --json "$P"
	expect_rc 1
	check "peek $m: one try, not retried" test "$(injected "$m")" = 1
	jeq '[.conflicts[] | {state, comm: .owners[0].comm}]' '[{state: "LISTEN", comm: "lsn"}]'
done
start=$(date +%s)
PEEK=1 inject hang --json "$P"
expect_rc 3
check "peek hang: silenced once" test "$(injected hang)" = 1
check "the timeout is named" grep -q "^whybind: the kernel did not answer the socket dump within 5 s" "$WB_ERR"
check "one wait, not two ($(($(date +%s) - start)) s)" test $(($(date +%s) - start)) -lt 9
# UDP has no listeners to peek at.
PEEK=1 inject intr --json -u "$R"
expect_rc 1
check "no peek for UDP" test ! -s "$LOG"

# AF_UNIX: the unix_diag dump walks every unix socket of the namespace.
fixture unix "$WB_TMP/live.sock" stream comm=usrv
inject intr=1 --json "$WB_TMP/live.sock"
expect_rc 1
check "unix intr: one dump hit" test "$(injected intr)" = 1
jeq '[.conflicts[] | .owners[0].comm]' '["usrv"]'
inject intr --json "$WB_TMP/live.sock"
expect_rc 3
check "unix intr: three tries" test "$(injected intr)" = 3
check "no verdict on stdout" test ! -s "$WB_OUT"

# The shim itself: without a mode it changes nothing.
inject "" --json "$P"
expect_rc 1
check "no mode, no injection" test ! -s "$LOG"
