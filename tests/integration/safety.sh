#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPEC's safety promises, under strace, against live holders: no listen,
# accept or connect on an inet socket, no send, receive, read or write on
# one; every probe socket closed right after its bind; a borrowed
# descriptor (pidfd_getfd) only given to getsockopt/fstat, then closed; no
# signal ever sent; nothing unlinked without --fix.  And --fix with every
# kind of holder on the port at once destroys only the TIME_WAIT.
. "${TESTLIB:?run from make check}"
command -v strace >/dev/null || wb_cannot "needs strace"
ports P Q R
chmod 755 "$WB_TMP"

fixture listen 0.0.0.0 "$P" reuseaddr
fixture udp 0.0.0.0 "$Q" reuseaddr reuseport
fixture listen :: "$R" v6only=0 prefork=2
fixture unix "$WB_TMP/live.sock" stream
fixture unix "@wbsafety-$$" dgram

CALLS=socket,bind,listen,accept,accept4,connect,sendto,sendmsg,sendmmsg,recvfrom,recvmsg,recvmmsg,read,write,readv,writev,close,getsockopt,setsockopt,fstat,newfstatat,pidfd_getfd,kill,tgkill,tkill,pidfd_send_signal,rt_sigqueueinfo,unlink,unlinkat,rename,renameat2

# audit FILE: the rules above, over one strace -f log; prints violations.
audit() {
	awk '
	function fd_of(s) { sub(/^[^(]*\(/, "", s); sub(/[,)].*/, "", s); return s }
	{
		line = $0; sub(/^[0-9]+ +/, "", line)
		call = line; sub(/\(.*/, "", call)
		ret = line; sub(/.*= /, "", ret); sub(/ .*/, "", ret)
		if (call ~ /^(kill|tgkill|tkill|pidfd_send_signal|rt_sigqueueinfo)$/) { print "signal sent: " line; next }
		if (call ~ /^(unlink|unlinkat|rename|renameat2)$/) { print "file removed: " line; next }
		if (call == "socket" && line ~ /^socket\(AF_INET6?,/ && ret ~ /^[0-9]+$/) { inet[ret] = 1; bound[ret] = 0; next }
		if (call == "pidfd_getfd" && ret ~ /^[0-9]+$/) { borrowed[ret] = 1; next }
		fd = fd_of(line)
		if (inet[fd]) {
			if (call ~ /^(listen|accept|accept4|connect|sendto|sendmsg|sendmmsg|recvfrom|recvmsg|recvmmsg|read|write|readv|writev)$/)
				print "traffic on a probe socket: " line
			else if (bound[fd] && call != "close")
				print "not closed right after bind: " line
			if (call == "bind") bound[fd] = 1
			if (call == "close") { inet[fd] = 0; bound[fd] = 0 }
		}
		if (borrowed[fd]) {
			if (call !~ /^(getsockopt|fstat|newfstatat|close)$/)
				print "borrowed descriptor used: " line
			if (call == "close") borrowed[fd] = 0
		}
	}
	END {
		for (f in inet) if (inet[f]) print "probe socket " f " never closed"
		for (f in borrowed) if (borrowed[f]) print "borrowed descriptor " f " never closed"
	}' "$1"
}

runs=0 probes=0
for args in "$P" "-r $P" "-R $P" "-v $P" "--json $P" "-6 $P" "--no-probe $P" \
	"-u $Q" "-u -r $Q" "-u -R $Q" "-u -v -r -R $Q" "-6 $R" "-4 -r $R" \
	"--wait=1 $P" "--fix $P" "$WB_TMP/live.sock" "-u @wbsafety-$$" "@wbsafety-$$" \
	"--json -v --no-probe -u $Q"; do
	# shellcheck disable=SC2086
	under_ptrace strace -f -qq -e trace=$CALLS -o "$WB_TMP/st" "$WHYBIND" -q $args
	rc=$?
	runs=$((runs + 1))
	probes=$((probes + $(grep -c 'bind([0-9]*, {sa_family=AF_INET' "$WB_TMP/st")))
	bad=$(audit "$WB_TMP/st")
	check "whybind $args (exit $rc): $(grep -c . "$WB_TMP/st") calls, none against the promises${bad:+: $bad}" \
		test -z "$bad" -a "$rc" -le 1
done
check "$runs runs audited, $probes probe binds among them" test "$probes" -gt "$runs"

# The audit itself catches a breach: a listen() on a probe socket.
printf '%s\n' '1 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3' \
	'1 bind(3, {sa_family=AF_INET}, 16) = 0' '1 listen(3, 1) = 0' '1 close(3) = 0' \
	'1 pidfd_getfd(4, 3, 0) = 5' '1 read(5, "", 1) = 0' '1 kill(42, SIGTERM) = 0' >"$WB_TMP/bad"
check "the audit finds a listen, a read on a borrowed fd and a kill" \
	test "$(audit "$WB_TMP/bad" | wc -l)" = 4

# --fix with every kind of holder on one port: a TIME_WAIT on 127.0.0.1,
# a listener on 127.0.0.3, a bound socket on 127.0.0.4, a connection from
# 127.0.0.5, UDP on 0.0.0.0, a stopped listener on 127.0.0.6.
ports F T
fixture timewait 127.0.0.1 "$F"
fixture listen 127.0.0.3 "$F"
l3=$FIX_PID
fixture bound 127.0.0.4 "$F"
b4=$FIX_PID
fixture connectout 127.0.0.5 "$F" "$T"
c5=$FIX_PID
fixture udp 0.0.0.0 "$F"
u0=$FIX_PID
fixture listen 127.0.0.6 "$F"
s6=$FIX_PID
stop_proc "$s6"
# (Debian 12's ss cannot list the bound-only socket: its process is
# checked instead.)
snapshot() { ss -Htuanp "( sport = :$F )" | grep -v TIME-WAIT | tr -s ' ' | sort; }
before=$(snapshot)
check "ss sees the four live sockets it can list ($(grep -c . <<<"$before"))" \
	test "$(grep -c . <<<"$before")" = 4
wb --json --fix "0.0.0.0:$F"
expect_rc 1
jqt '.fix.destroyed == 0 and (.fix.error | test("nothing safe"))'
check "with every kind in the way, --fix touched nothing" test "$(snapshot)" = "$before"
check "the TIME_WAIT is still there" test -n "$(ss -Htan state time-wait "( sport = :$F )")"
wb --json --fix "127.0.0.1:$F"
expect_rc 0
jqt '.fix.destroyed == 1 and .bind.ok == true'
check "only the TIME_WAIT went" test "$(snapshot)" = "$before"
check "no TIME_WAIT left on the port" test -z "$(ss -Htan state time-wait "( sport = :$F )")"
for p in "$l3" "$b4" "$c5" "$u0"; do
	check "holder $p still runs" wb_alive "$p"
done
check "the stopped holder is still stopped" test "$(proc_state "$s6")" = T
kill -CONT "$s6"
