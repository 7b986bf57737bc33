#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# doc/whybind.schema.json is a valid draft 2020-12 schema, a real output
# matches it, and it rejects outputs that are wrong in the ways a change
# of the program would make them: a renamed, dropped or extra key, a wrong
# type, a value outside its enum.  (Every JSON output of the suite is
# validated against it by tests/lib.sh; this proves that check can fail.)
. "${TESTLIB:?run from make check}"

py=$(json_python)
"$py" -c 'import jsonschema' 2>/dev/null || { missing_tool python3-jsonschema; exit; }
validate() { "$py" "$WB_LIBDIR/validate-json.py" "$WB_SCHEMA" "$@"; }

check "the schema is a valid draft 2020-12 schema" validate
check "its \$id and title carry version 1" \
	jq -e '(.["$id"] | test("/1/")) and (.title | test("version 1")) and
	       .["$schema"] == "https://json-schema.org/draft/2020-12/schema"' "$WB_SCHEMA"

ports P
fixture listen 127.0.0.1 "$P"
wb --json "$P"
expect_rc 1
real=$WB_TMP/real.json
cp "$WB_OUT" "$real"
check "a real report matches the schema" validate "$real"

# rejects DESC PATH JQ: the real report changed by JQ is invalid, and the
# error names PATH (the jq path of the offending value, or one above it).
rejects() {
	local got

	jq "$3" "$real" >"$WB_TMP/bad.json" || fatal "jq $3"
	got=$(validate "$WB_TMP/bad.json")
	case "$?:$got" in
	"1:"*": at $2"*) pass "rejected: $1 ($got)" ;;
	*) fail "not rejected as it should: $1 (jq $3): $got" ;;
	esac
}
rejects "a renamed key" '.conflicts[0].owners[0]' \
	'.conflicts[0].owners[0] |= with_entries(.key |= sub("^pid$"; "process_id"))'
rejects "a dropped key" '.conflicts[0]' 'del(.conflicts[0].owners_visible)'
rejects "an extra key" '.' '.reason = "extra"'
rejects "an extra key, nested" '.verdict' '.verdict.why = "extra"'
rejects "a wrong type" '.conflicts[0].local.port' '.conflicts[0].local.port |= tostring'
rejects "null where never null" '.bind.probed' '.bind.probed = null'
rejects "a cause outside its enum" '.verdict.cause' '.verdict.cause = "in-use"'
rejects "a state outside its enum" '.conflicts[0].state' '.conflicts[0].state = "LISTENING"'
rejects "another version" '.version' '.version = 2'
rejects "a TIME_WAIT with a holder's uid" '.conflicts[0].uid' \
	'.conflicts[0].state = "TIME_WAIT" | .conflicts[0].owners = [] | .conflicts[0].inode = null | .conflicts[0].user = null | .conflicts[0].expires_ms = 1000'
rejects "a manager of an unknown kind" '.conflicts[0].manager' \
	'.conflicts[0].manager = {kind: "init", name: "x", id: null, restarts: null}'
rejects "an --exec line without its exec object" '.' '. + {diagnosed: true}'
rejects "host_addresses without EADDRNOTAVAIL" '.' '.host_addresses = []'

# Both trees validate: without a manager key, and with one as SPEC has it.
jq '.conflicts[0].manager = {kind: "systemd-service", name: "nginx.service",
	id: null, restarts: false}' "$real" >"$WB_TMP/manager.json"
check "a conflict with a manager object matches" validate "$WB_TMP/manager.json"

# The man page names the installed schema.
check "whybind(1) names the schema" grep -q 'whybind\.schema\.json' "$WB_LIBDIR/../man/whybind.1"
