#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# whybind never takes a live UDP server's datagrams.  A server with
# SO_REUSEADDR and SO_REUSEPORT answers a client's numbered datagrams one
# by one (tests/wbfix.c udprecv/udpsend: a datagram that went elsewhere is
# sent again after 3 s and counted) while whybind asks about its port with
# -u, -u -r, -u -R, for IPv4, IPv6 and dual-stack, many times.  Then every
# datagram sent was received by the server, once, none sent twice.  The
# same count catches a real thief: a socket bound with SO_REUSEADDR next
# to the server, which is what a careless -u -r probe would be.
. "${TESTLIB:?run from make check}"
ROUNDS=${WB_UDP_ROUNDS:-15}
ports P Q T

# log_line FILE REGEX: the last line of FILE matching REGEX, waiting for
# one to come (10 s at most).
log_line() {
	local i line

	for ((i = 0; i < 200; i++)); do
		line=$(grep -E -- "$2" "$1" 2>/dev/null | tail -n 1)
		[ -n "$line" ] && { printf '%s\n' "$line"; return 0; }
		sleep 0.05
	done
	fatal "no line /$2/ in $1: $(cat -v "$1" 2>/dev/null)"
}

# field LINE NAME: the number after NAME= in LINE.
field() {
	sed -n "s/.*\\b$2=\\([0-9]*\\).*/\\1/p" <<<"$1"
}

# recv_counts PID LOG: the receiver's counts now, as its log line.
recv_counts() {
	local before

	before=$(grep -c '^received=' "$2" 2>/dev/null)
	kill -USR1 "$1" || fatal "receiver $1 is gone"
	log_line "$2" "^received=" >/dev/null
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c '^received=' "$2")" -gt "${before:-0}" ] && break
		sleep 0.05
	done
	log_line "$2" "^received="
}

# stream ADDR PORT TARGET OPTION...: a receiver on ADDR:PORT and a sender
# to TARGET:PORT; sets RECV, SEND and their logs RLOG, SLOG.
stream() {
	local addr=$1 port=$2 target=$3

	shift 3
	RLOG=$WB_TMP/recv.$port SLOG=$WB_TMP/send.$port
	fixture udprecv "$addr" "$port" "$@" "log=$RLOG"
	RECV=$FIX_PID
	fixture udpsend "$target" "$port" "log=$SLOG"
	SEND=$FIX_PID
}

# finish NAME: stop the sender (it sees its datagram in flight through),
# then compare what it sent with what the receiver got.
finish() {
	local sent rline sline

	kill -USR1 "$SEND"
	wait_gone "$SEND"
	sline=$(log_line "$SLOG" "^sent=")
	rline=$(recv_counts "$RECV" "$RLOG")
	sent=$(field "$sline" sent)
	echo "# $1: sender: $sline; receiver: $rline"
	RETRANSMITS=$(field "$sline" retransmits)
	check "$1: the server received all $sent datagrams ($rline)" \
		test "$(field "$rline" received)" = "$sent" -a "$(field "$rline" max)" = "$sent"
	check "$1: none twice, no gap" \
		test "$(field "$rline" dup)" = 0 -a "$(field "$rline" gaps)" = 0
}

# probe_loop PORT CASE...: each CASE is "RC PROBED ARG...", run ROUNDS
# times while the stream goes on.
probe_loop() {
	local port=$1 c r want probed bad n=0 before after

	shift
	before=$(field "$(recv_counts "$RECV" "$RLOG")" received)
	for ((r = 1; r <= ROUNDS; r++)); do
		for c in "$@"; do
			read -r want probed args <<<"$c"
			# shellcheck disable=SC2086
			wb --json -u $args
			n=$((n + 1))
			# A failed bind names the server's socket with its two
			# options; one that would succeed says whose datagrams
			# it would take or share.
			bad=$(jq -r --argjson p "$probed" --arg pid "(pid $RECV" \
				'if .bind.probed != $p then "probed \(.bind.probed)"
				 elif .bind.ok then (if $p or (.verdict.summary | contains($pid))
					then "" else "summary: \(.verdict.summary)" end)
				 elif (.conflicts | length) > 0 and
				    all(.conflicts[]; .reuseaddr == true and .reuseport == true)
				 then "" else "conflicts \(.conflicts | map({reuseaddr, reuseport}))" end' \
				"$WB_OUT" 2>&1)
			if [ "$RC" != "$want" ] || [ -n "$bad" ]; then
				fail "round $r: whybind -u $args: exit $RC (want $want), $bad (want probed $probed, holders with both options)"
			fi
		done
	done
	pass "port $port: $n runs of whybind -u with -r, -R, -6 answered as expected"
	after=$(field "$(recv_counts "$RECV" "$RLOG")" received)
	check "port $port: the stream went on during the runs ($before -> $after datagrams)" \
		test "$after" -gt "$before"
}

# IPv4 server on the wildcard.  A v6only [::] probe does not overlap it:
# that probe is made (probed true), and cannot receive IPv4 datagrams.
stream 0.0.0.0 "$P" 127.0.0.1 reuseaddr reuseport
probe_loop "$P" \
	"1 true $P" "0 false -r $P" "0 false -R $P" "0 false -r -R $P" \
	"0 false -r 127.0.0.1:$P" "1 true -6 $P" "0 false -6 -r $P" \
	"0 false -6 -R $P" "0 false -6 -r -R $P"
wb --json -u -6 --v6only=yes -r "$P"
expect_rc 0
jeq '.bind | {ok, probed}' '{ok: true, probed: true}'
wb -u -r "$P"
expect_rc 0
out_has "^Beware: .*UDP socket of wbfix \\(pid $RECV\\) on 0\\.0\\.0\\.0 port $P.*takes the port's unicast datagrams"
wb -u -R "$P"
out_has "^Beware: .*SO_REUSEPORT group of wbfix \\(pid $RECV\\).*share the port's datagrams"
finish "IPv4 0.0.0.0:$P"
check "IPv4: no datagram had to be sent again" test "$RETRANSMITS" = 0

# Dual-stack [::] server, reached over IPv6.
stream :: "$Q" ::1 reuseaddr reuseport v6only=0
probe_loop "$Q" \
	"1 true $Q" "0 false -r $Q" "0 false -R $Q" "0 false -r 127.0.0.1:$Q" \
	"1 true -6 $Q" "0 false -6 -r $Q" "0 false -6 -R $Q" "0 false -r [::1]:$Q"
finish "dual-stack [::]:$Q"
check "dual-stack: no datagram had to be sent again" test "$RETRANSMITS" = 0

# The count can fail: a socket bound with SO_REUSEADDR next to the server
# (what a -u -r probe would be) takes its datagrams until it closes.
stream 0.0.0.0 "$T" 127.0.0.1 reuseaddr reuseport
fixture udp 0.0.0.0 "$T" reuseaddr comm=thief
thief=$FIX_PID
log_line "$SLOG" "^retransmit" >/dev/null
kill "$thief"
wait_gone "$thief"
finish "with a thief on $T"
check "with a thief: the loss was seen ($RETRANSMITS datagrams sent again)" \
	test "$RETRANSMITS" -gt 0
