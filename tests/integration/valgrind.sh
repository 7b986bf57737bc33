#!/bin/bash
# whybind under valgrind memcheck on the core scenarios: no error, no
# definite leak (valgrind's exit 99 otherwise), the usual exit status.
. "${TESTLIB:?run from make check}"
command -v valgrind >/dev/null || wb_cannot "needs valgrind"
ports P Q R
chmod 755 "$WB_TMP"
fixture listen 0.0.0.0 "$P" prefork=1
fixture timewait 127.0.0.1 "$Q"
fixture udp 0.0.0.0 "$R" reuseaddr
fixture unixstale "$WB_TMP/stale.sock" stream

vg() {	# vg WANT ARGS...
	local want=$1 rc

	shift
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$WB_TMP/vg" "$WHYBIND" "$@" >/dev/null 2>&1
	rc=$?
	# Valgrind 3.19 knows neither pidfd_open nor some bpf commands: it
	# warns, and whybind takes the fallbacks (those lines are dropped).
	check "valgrind whybind $* (exit $rc, want $want)$(grep -v -e WARNING -e 'may be able' -e 'Read the file' -e 'See README' -e 'hat also' -e Nevertheless -e bug_reports "$WB_TMP/vg" | head -c 300 | tr '\n' ' ')" \
		test "$rc" = "$want"
}
vg 1 "$P"
vg 1 --json -v "$P"
vg 1 -r "$Q"
vg 1 --json "$Q"
vg 1 -u "$R"
# Under valgrind pidfd_open fails (unknown to it), so the holder's own
# SO_REUSEADDR cannot be read: undecided, exit 1 -- the fallback path.
vg 1 -u -r "$R"
vg 1 --no-probe "$P"
vg 0 "$((R + 1))"
vg 1 "$WB_TMP/stale.sock"
vg 0 --json --fix "$WB_TMP/stale.sock"
vg 1 --wait=1 "$P"
vg 1 192.0.2.1:"$P"
vg 2 "1.2.3:$P"
