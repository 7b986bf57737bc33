#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SO_REUSEPORT on both sockets, same user: the new listener gets in, and
# the two then share the incoming connections -- the verdict must say so.
. "${TESTLIB:?run from make check}"
ports P Q

fixture listen 0.0.0.0 "$P" reuseport comm=worker
wb --json "$P"
expect_rc 1
jeq '.verdict.cause' '"listening"'
jeq '.conflicts | map({state, reuseaddr, reuseport})' '[{state: "LISTEN", reuseaddr: false, reuseport: true}]'
jeq '[.verdict.reuseaddr_fixes, .verdict.reuseport_fixes]' '[false, true]'
jqt '[.verdict.fixes[] | select(.action == "set-reuseport")] | length == 1'
jqt '[.verdict.fixes[] | select(.action == "set-reuseport") | .text | test("shar"; "i")] | any'
wb "$P"
out_has '^SO_REUSEPORT would fix it: yes\b'
wb --json -R "$P"
expect_rc 0
jeq '.request.reuseport' true
jeq '.bind | {ok, probed}' '{ok: true, probed: true}'

# Another user's SO_REUSEPORT group does not take root's socket.
fixture listen 0.0.0.0 "$Q" reuseport uid=65534
wb --json -R "$Q"
expect_rc 1
jeq '.conflicts | map({uid, user, reuseport})' '[{uid: 65534, user: "nobody", reuseport: true}]'
jqt '.verdict.reuseport_fixes == false'
jqt '.verdict.reuseport_reason | test("uid 65534")'
wb --json "$Q"
expect_rc 1
jeq '.verdict.reuseport_fixes' false

# -U: probing as the group's own user, SO_REUSEPORT lets it in.
wb --json -R -U nobody "$Q"
expect_rc 0
jeq '{user: .request.user, ok: .bind.ok}' '{user: "nobody", ok: true}'
wb --json -U nobody "$Q"
expect_rc 1
jeq '.verdict.reuseport_fixes' true
