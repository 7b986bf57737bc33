#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A caller who cannot read another user's /proc/PID/fd sees the socket and
# its uid, but no owner, and nothing guessed.
. "${TESTLIB:?run from make check}"
ports P Q

fixture listen 0.0.0.0 "$P" comm=rootd
wb_as_nobody --json "$P"
expect_rc 1
jeq '.verdict.cause' '"listening"'
jeq '.conflicts | map({state, local, uid, user, owners, owners_visible})' \
	"[{state: \"LISTEN\", local: {address: \"0.0.0.0\", port: $P}, uid: 0, user: \"root\", owners: [], owners_visible: false}]"
jqt '.conflicts[0].inode | type == "number" and . > 0'
# Its options cannot be read without the holder's descriptor.
jeq '.conflicts[0] | [.reuseaddr, .reuseport]' '[null, null]'
jqt "[.verdict.fixes[].command // empty | test(\"\\\\b$FIX_PID\\\\b\")] | any | not"
wb_as_nobody "$P"
expect_rc 1
out_has "^ *LISTEN +0\.0\.0\.0:$P "
out_lacks "rootd|\b$FIX_PID\b"

# nobody's own listener: its owner is visible to nobody.
fixture listen 0.0.0.0 "$Q" uid=65534 comm=mine
wb_as_nobody --json "$Q"
expect_rc 1
jeq '.conflicts[0] | {uid, owners_visible}' '{uid: 65534, owners_visible: true}'
jeq '.conflicts[0].owners | map({pid, comm, uid})' "[{pid: $FIX_PID, comm: \"mine\", uid: 65534}]"
