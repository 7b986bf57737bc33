#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPv4 and IPv6: a dual-stack [::] listener blocks 0.0.0.0, a v6only one
# does not; a wildcard blocks a specific address even with SO_REUSEADDR
# on both; two different specific addresses do not conflict.
. "${TESTLIB:?run from make check}"
ports P Q R S U V

fixture listen :: "$P" v6only=0 comm=dual
for req in "$P" "127.0.0.1:$P" "[::ffff:127.0.0.1]:$P"; do
	wb --json "$req"
	expect_rc 1
	jeq '.verdict.cause' '"listening"'
	jeq '.conflicts | map({family, state, local, v6only})' \
		"[{family: \"inet6\", state: \"LISTEN\", local: {address: \"::\", port: $P}, v6only: false}]"
	jeq '[.conflicts[0].owners[].pid]' "[$FIX_PID]"
done
jeq '.request | {family, address}' '{family: "inet6", address: "::ffff:127.0.0.1"}'

# IPv6-only: IPv4 binds are free, an IPv6 one is not.
fixture listen :: "$Q" v6only=1
wb --json "$Q"
expect_rc 0
jeq '.conflicts' '[]'
wb --json "127.0.0.1:$Q"
expect_rc 0
wb --json -6 "$Q"
expect_rc 1
jeq '.request | {family, address}' '{family: "inet6", address: "::"}'
jeq '.conflicts | map({family, local, v6only})' \
	"[{family: \"inet6\", local: {address: \"::\", port: $Q}, v6only: true}]"

# The other way round: an IPv4 listener blocks a dual-stack [::] server,
# not an IPv6-only one.
fixture listen 0.0.0.0 "$V"
wb --json -6 --v6only=no "$V"
expect_rc 1
jeq '.request.v6only' false
jeq '.conflicts | map({family, local})' "[{family: \"inet\", local: {address: \"0.0.0.0\", port: $V}}]"
wb --json -6 --v6only=yes "$V"
expect_rc 0
jeq '.request | {family, v6only}' '{family: "inet6", v6only: true}'

# Wildcard vs specific, SO_REUSEADDR on both: Linux says no, both ways.
fixture listen 0.0.0.0 "$R" reuseaddr
wb --json -r "127.0.0.1:$R"
expect_rc 1
jeq '.verdict.cause' '"listening"'
jeq '.conflicts | map({local, reuseaddr})' "[{local: {address: \"0.0.0.0\", port: $R}, reuseaddr: true}]"
jqt '.verdict.reuseaddr_fixes == false'
fixture listen 127.0.0.1 "$S" reuseaddr
wb --json -r "$S"
expect_rc 1
jeq '.conflicts | map(.local)' "[{address: \"127.0.0.1\", port: $S}]"

# Two different specific addresses: no conflict, with or without -r.
wb --json "127.0.0.2:$S"
expect_rc 0
jeq '.bind.ok' true
wb --json -r "127.0.0.2:$S"
expect_rc 0

# IPv6 loopback, in brackets.
fixture listen ::1 "$U"
wb --json "[::1]:$U"
expect_rc 1
jeq '.request | {family, address, port}' "{family: \"inet6\", address: \"::1\", port: $U}"
jeq '.conflicts | map(.local)' "[{address: \"::1\", port: $U}]"
wb --json "127.0.0.1:$U"
expect_rc 0
