#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# whybind -m: the real servers' own error messages.  For each server
# Debian packages, a wbfix fixture holds the port, the real server is
# started on it and refused, and its message, fed back, names the holder
# and applies that server's socket options.  Then a TIME_WAIT left by a
# server that never set SO_REUSEADDR blocks a real Go server, which sets
# it: the verdict says so; and one whose server did set it lets Go in.
. "${TESTLIB:?run from make check}"
ports NG RD PY SSH HA GO NODE DG TW OK

need() {
	command -v "$1" >/dev/null 2>&1 ||
		wb_cannot "needs $1 (Debian package $2: sudo ./setup.sh deps)"
}
need nginx nginx-light
need redis-server redis-server
need python3 python3
need /usr/sbin/sshd openssh-server
need ssh-keygen openssh-client
need haproxy haproxy
need go golang-go
need node nodejs

# first_error REGEX CMD...: run the server until it prints a line that
# matches (10 s at most), stop it; MSG is all it printed by then.
first_error() {
	local re=$1 i pid log="$WB_TMP/server.log"

	shift
	: >"$log"
	"$@" >"$log" 2>&1 </dev/null &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		grep -Eq -- "$re" "$log" && break
		kill -0 "$pid" 2>/dev/null || { sleep 0.05; grep -Eq -- "$re" "$log"; break; }
		sleep 0.05
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	MSG=$(cat "$log")
	grep -Eq -- "$re" "$log" ||
		fatal "$1 printed no /$re/ in 10 s: $(cat -v "$log" | head -20)"
	echo "# $1 said: $(grep -E -- "$re" "$log" | head -1 | cat -v)"
}

# diagnosed RUNTIME NAME PORT REUSEADDR [FIRSTLINE]: what whybind -m
# "$MSG" says (FIRSTLINE: a regex of the report's first line).
diagnosed() {
	wb --json -m "$MSG"
	expect_rc 1
	jeq '.request | {source, runtime, port, reuseaddr}' \
		"{source: \"message\", runtime: \"$1\", port: $3, reuseaddr: $4}"
	jeq '.bind.errno' '"EADDRINUSE"'
	jeq '[.conflicts[].owners[].pid]' "[$FIX_PID]"
	wb -m "$MSG"
	out_has "^as $2 binds: ${5:-}"
	# "-m -": the last matching line of stdin (the server's whole output).
	LAST="whybind --json -m - <server.log"
	"$WHYBIND" --json -m - <"$WB_TMP/server.log" >"$WB_OUT" 2>"$WB_ERR"
	RC=$?
	json_file "$WB_OUT" "$LAST"
	expect_rc 1
	jeq '.request | {source, runtime, port}' \
		"{source: \"message\", runtime: \"$1\", port: $3}"
	kill "$FIX_PID"
	wait "$FIX_PID" 2>/dev/null
}

# nginx: SO_REUSEADDR; it retries its binds, stopped at the first error.
fixture listen 0.0.0.0 "$NG" comm=holder
mkdir -p "$WB_TMP/nginx/logs"
printf 'pid %s/nginx.pid;\nerror_log stderr;\nevents {}\nhttp { access_log off; server { listen %s; } }\n' \
	"$WB_TMP" "$NG" >"$WB_TMP/nginx.conf"
first_error 'bind\(\) to' nginx -p "$WB_TMP/nginx" -c "$WB_TMP/nginx.conf" -g 'daemon off;'
diagnosed nginx nginx "$NG" true "0\.0\.0\.0:$NG/tcp SO_REUSEADDR: Address already in use$"

# Redis: anet.c sets SO_REUSEADDR.
fixture listen 0.0.0.0 "$RD" comm=holder
first_error 'listening socket' redis-server --port "$RD" --bind 127.0.0.1 --save '' \
	--appendonly no --dir "$WB_TMP"
diagnosed redis Redis "$RD" true

# Python asyncio (what uvicorn runs): SO_REUSEADDR, v6only.
fixture listen 0.0.0.0 "$PY" comm=holder
first_error 'bind on address' python3 -c 'import asyncio, sys
async def main(): await asyncio.start_server(lambda r, w: None, "0.0.0.0", int(sys.argv[1]))
asyncio.run(main())' "$PY"
diagnosed python 'Python asyncio' "$PY" true

# OpenSSH: a test configuration on a port of ours.
fixture listen 0.0.0.0 "$SSH" comm=holder
ssh-keygen -q -t ed25519 -N '' -f "$WB_TMP/hostkey" >/dev/null || fatal "ssh-keygen"
printf 'Port %s\nListenAddress 0.0.0.0\nHostKey %s/hostkey\nPidFile none\n' \
	"$SSH" "$WB_TMP" >"$WB_TMP/sshd_config"
[ -d /run/sshd ] || mkdir -p /run/sshd	# its privilege separation directory
first_error 'Bind to port' /usr/sbin/sshd -D -e -f "$WB_TMP/sshd_config"
diagnosed openssh 'OpenSSH sshd' "$SSH" true

# HAProxy: SO_REUSEADDR and SO_REUSEPORT.
fixture listen 0.0.0.0 "$HA" comm=holder
printf 'defaults\n  mode tcp\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend fe\n  bind 0.0.0.0:%s\n  default_backend be\nbackend be\n  server s 127.0.0.1:1\n' \
	"$HA" >"$WB_TMP/haproxy.cfg"
first_error 'cannot bind socket' haproxy -db -f "$WB_TMP/haproxy.cfg"
diagnosed haproxy HAProxy "$HA" true "0\.0\.0\.0:$HA/tcp SO_REUSEADDR SO_REUSEPORT: "


# Node.js: net (libuv sets SO_REUSEADDR; [::] dual-stack) and dgram (no
# SO_REUSEADDR unless asked).
fixture listen 0.0.0.0 "$NODE" comm=holder
first_error 'EADDRINUSE' node -e 'require("net").createServer().listen(+process.argv[1])' "$NODE"
diagnosed nodejs Node.js "$NODE" true "\[::\]:$NODE/tcp SO_REUSEADDR dual-stack: "

fixture udp 0.0.0.0 "$DG" comm=holder
first_error 'EADDRINUSE' node -e 'require("dgram").createSocket("udp4").bind(+process.argv[1])' "$DG"
diagnosed nodejs Node.js "$DG" false "0\.0\.0\.0:$DG/udp: "


# Go: a tiny listener, built here, offline.
mkdir -p "$WB_TMP/go"
cat >"$WB_TMP/go/main.go" <<'GO'
package main

import (
	"log"
	"net"
	"os"
)

func main() {
	if _, err := net.Listen(os.Args[1], os.Args[2]); err != nil {
		log.Fatal(err)
	}
}
GO
(cd "$WB_TMP/go" && GOCACHE="$WB_TMP/gocache" GOPATH="$WB_TMP/gopath" \
	GO111MODULE=off GOPROXY=off GOFLAGS= go build -o listen main.go) ||
	fatal "cannot build the Go listener"
fixture listen 0.0.0.0 "$GO" comm=holder
first_error 'bind: ' "$WB_TMP/go/listen" tcp ":$GO"
diagnosed go Go "$GO" true "\[::\]:$GO/tcp SO_REUSEADDR dual-stack: Address already in use$"

# A server that never set SO_REUSEADDR closed first: its TIME_WAIT blocks
# Go, though Go sets SO_REUSEADDR.
fixture timewait 127.0.0.1 "$TW"
first_error 'bind: ' "$WB_TMP/go/listen" tcp ":$TW"
wb --json -m "$MSG"
expect_rc 1
jeq '.request | {source, runtime, reuseaddr, address, v6only}' \
	'{source: "message", runtime: "go", reuseaddr: true, address: "::", v6only: false}'
jeq '.verdict.cause' '"time-wait"'
jeq '[.conflicts[].state]' '["TIME_WAIT"]'
jeq '.verdict.reuseaddr_fixes' false
jqt '[.verdict.fixes[].action] | index("wait") != null and index("set-reuseaddr") == null'
wb -m "$MSG"
out_has "^as Go binds: \[::\]:$TW/tcp SO_REUSEADDR dual-stack: Address already in use$"
out_has '^SO_REUSEADDR would fix it: no: the old server never set SO_REUSEADDR'

# One whose server did set SO_REUSEADDR: the real Go server binds, and
# whybind -m says so (without Go's options, the bind would fail).
fixture timewait 127.0.0.1 "$OK" reuseaddr
wb -m "listen tcp :$OK: bind: address already in use"
expect_rc 0
out_has "^as Go binds: \[::\]:$OK/tcp SO_REUSEADDR dual-stack: succeeds$"
wb ":$OK"
expect_rc 1
check "the real Go listener binds next to that TIME_WAIT" "$WB_TMP/go/listen" tcp ":$OK"
