#!/bin/bash
# A live UDP server loses no datagram to whybind: it never binds a UDP
# probe with SO_REUSEADDR or SO_REUSEPORT next to a live UDP socket (that
# socket would start taking the port's datagrams), and answers from the
# holder's own options instead.
. "${TESTLIB:?run from make check}"
ports P Q
RUNS=30

# The server sets both options and receives a steady stream (2000/s).
fixture udpstream 127.0.0.1 "$P" reuseaddr reuseport report="$WB_TMP/udp4"
server=$FIX_PID

wb --json -u "$P"
expect_rc 1
jeq '{probed: .bind.probed, errno: .bind.errno, cause: .verdict.cause}' \
	'{probed: true, errno: "EADDRINUSE", cause: "udp-bound"}'
jeq '.conflicts[0] | {reuseaddr, reuseport}' '{reuseaddr: true, reuseport: true}'
jeq '[.verdict.reuseaddr_fixes, .verdict.reuseport_fixes]' '[true, true]'
jqt '[.verdict.fixes[] | select(.action == "set-reuseaddr") | .text | test("datagrams")] | any'
wb --json -u -r "$P"
expect_rc 0
jeq '{probed: .bind.probed, ok: .bind.ok}' '{probed: false, ok: true}'
wb --json -u -R "$P"
expect_rc 0
jeq '{probed: .bind.probed, ok: .bind.ok}' '{probed: false, ok: true}'
# A dual-stack [::] bind overlaps 127.0.0.1 too: not probed either.
wb --json -u -6 -r --v6only=no "$P"
expect_rc 0
jeq '.bind.probed' false

for ((i = 0; i < RUNS; i++)); do
	for args in "-u $P" "-u -r $P" "-u -R $P" "-u -r -R $P" "-u -v -r $P" \
		"-u --json -R $P" "-u -6 -r --v6only=no $P" "-u -r 127.0.0.1:$P"; do
		"$WHYBIND" $args >/dev/null 2>&1
		rc=$?
		[ "$rc" -le 1 ] || fail "whybind $args: exit $rc"
	done
done
pass "$((RUNS * 8)) runs of whybind against the live UDP server"
kill -USR1 "$server"
for ((i = 0; i < 100; i++)); do
	[ -s "$WB_TMP/udp4" ] && break
	sleep 0.05
done
read -r sent received < <(sed 's/sent=\([0-9]*\) received=\([0-9]*\)/\1 \2/' "$WB_TMP/udp4")
echo "# $(cat "$WB_TMP/udp4")"
check "the server sent datagrams all along ($sent)" test "${sent:-0}" -gt 100
check "it received every one ($received of $sent)" test "${received:-x}" = "${sent:-y}"

# The same with an IPv6 server on [::1].
fixture udpstream ::1 "$Q" reuseaddr reuseport v6only=1 report="$WB_TMP/udp6"
server=$FIX_PID
for ((i = 0; i < RUNS; i++)); do
	for args in "-u -6 $Q" "-u -6 -r $Q" "-u -6 -R $Q" "-u -r [::1]:$Q" \
		"-u -R [::]:$Q" "-u -r -R --v6only=no -6 $Q"; do
		"$WHYBIND" $args >/dev/null 2>&1
		rc=$?
		[ "$rc" -le 1 ] || fail "whybind $args: exit $rc"
	done
done
kill -USR1 "$server"
for ((i = 0; i < 100; i++)); do
	[ -s "$WB_TMP/udp6" ] && break
	sleep 0.05
done
read -r sent received < <(sed 's/sent=\([0-9]*\) received=\([0-9]*\)/\1 \2/' "$WB_TMP/udp6")
echo "# $(cat "$WB_TMP/udp6")"
check "IPv6: the server sent datagrams all along ($sent)" test "${sent:-0}" -gt 100
check "IPv6: it received every one ($received of $sent)" test "${received:-x}" = "${sent:-y}"
