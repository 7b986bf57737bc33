#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every key of the JSON output is documented in the man page's OUTPUT
# section: a new key (or a renamed one) without its line there fails.
. "${TESTLIB:?run from make check}"

man1=$(dirname "$TESTLIB")/../man/whybind.1
[ -r "$man1" ] || fail "no $man1"

# The keys the man page's OUTPUT section names in bold (.B key, .BR key ,).
awk '/^\.SH/ { out = ($2 == "OUTPUT") } out' "$man1" |
	sed -n 's/^\.BR\{0,1\} \([a-z0-9_]*\).*/\1/p; s/^\.RB { \([a-z0-9_]*\).*/\1/p' |
	sort -u >"$WB_TMP/documented"

# keys_documented WHAT: every key of the last output is documented.
keys_documented() {
	local key
	printf '%s' "$OUT" | jq -r '[paths | .[] | strings] | unique | .[]' \
		>"$WB_TMP/keys" || fail "$1: not JSON"
	for key in $(comm -23 "$WB_TMP/keys" "$WB_TMP/documented"); do
		fail "$1: JSON key '$key' is not documented in OUTPUT of whybind(1)"
	done
}

# A listener in the way, with every optional block: others (--verbose),
# fix (--fix: nothing safe to fix, changes nothing), wait (--wait=0).
fixture listen 127.0.0.1 8080
fixture udp 127.0.0.1 8080
args=(--json --verbose)
grep -q -- '--fix' <("$WHYBIND" --help) && args+=(--fix)
grep -q -- '--wait' <("$WHYBIND" --help) && args+=(--wait=0)
wb "${args[@]}" 8080
expect_rc 1
jqt '.conflicts | length == 1'
keys_documented "whybind ${args[*]} 8080"

# TIME_WAIT (null owners, expires_ms) and a free port.
fixture timewait 127.0.0.1 8081
wb --json 8081
expect_rc 1
keys_documented "whybind --json 8081 (TIME_WAIT)"
wb --json 8082
expect_rc 0
keys_documented "whybind --json 8082 (free)"

[ "$WB_FAIL" -gt 0 ] || pass "JSON keys documented"
