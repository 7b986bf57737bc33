#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -i/--interface: a listener bound to a device (SO_BINDTODEVICE) blocks an
# unbound bind and one on the same device, not one on another device; the
# rules (--no-probe) agree with the probe.
. "${TESTLIB:?run from make check}"
ports P Q
ip link add wbv0 type veth peer name wbv1 || fatal "ip link add veth"
ip link set wbv0 up && ip link set wbv1 up || fatal "ip link set up"

fixture listen 0.0.0.0 "$P" dev=lo
holder=$FIX_PID
for probe in "" --no-probe; do
	wb --json $probe "$P"
	expect_rc 1
	jeq '.verdict.cause' '"listening"'
	jeq '.conflicts[0] | {interface, state}' '{interface: "lo", state: "LISTEN"}'
	jeq "[.conflicts[0].owners[].pid]" "[$holder]"
	wb --json $probe -i lo "$P"
	expect_rc 1
	jeq '.request.interface' '"lo"'
	jeq '.verdict.cause' '"listening"'
	wb --json $probe -v -i wbv0 "$P"
	expect_rc 0
	jeq '{interface: .request.interface, cause: .verdict.cause}' '{interface: "wbv0", cause: "free"}'
	jqt '.others[0] | .interface == "lo" and .reason == "bound to another device"'
done
wb -i wbv0 "$P"
out_has "^bind 0\.0\.0\.0:$P/tcp dev wbv0: succeeds$"

# An unbound listener blocks a bind on any device.
fixture listen 0.0.0.0 "$Q"
wb --json -i wbv0 "$Q"
expect_rc 1
jeq '.conflicts[0].interface' null

# An unknown device is bad input.
wb -i nosuchdev0 "$Q"
expect_rc 2
check "one line on stderr" test "$(lines "$WB_ERR")" = 1
check "it names the device" grep -q "'nosuchdev0': no such network device" "$WB_ERR"
wb -i "$(printf 'x%.0s' $(seq 1 40))" "$Q"
expect_rc 2

# The human table names the device as ss does.
wb "$P"
out_has "^LISTEN +0\.0\.0\.0%lo:$P "
