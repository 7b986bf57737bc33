#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
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

# In the sanitizer build (CI runs the suite there too) valgrind cannot run
# the binary: the same runs are made as they are, and AddressSanitizer and
# LeakSanitizer (which fail the run with their own exit status) do the
# checking instead.
tool=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
	--log-file="$WB_TMP/vg")
if ldd "$WHYBIND" 2>/dev/null | grep -q 'libasan'; then
	tool=(env ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=99)
	: >"$WB_TMP/vg"
	echo "# sanitizer build: ASan and LSan check these runs, not valgrind"
fi

vg() {	# vg WANT ARGS...
	local want=$1 rc

	shift
	"${tool[@]}" "$WHYBIND" "$@" >/dev/null 2>>"$WB_TMP/vg"
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
# SO_REUSEADDR cannot be read: undecided, exit 1 -- the fallback path;
# without valgrind it is read, and the bind would succeed.
if [ "${tool[0]}" = valgrind ]; then vg 1 -u -r "$R"; else vg 0 -u -r "$R"; fi
vg 1 --no-probe "$P"
vg 0 "$((R + 1))"
vg 1 "$WB_TMP/stale.sock"
vg 0 --json --fix "$WB_TMP/stale.sock"
vg 1 --wait=1 "$P"
vg 1 192.0.2.1:"$P"
vg 2 "1.2.3:$P"
