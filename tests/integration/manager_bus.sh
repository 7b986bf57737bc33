#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The managers' own answers over AF_UNIX, bounded: docker-proxy's
# container from a fake Engine API (answering; hanging: the timeout;
# absent), and systemd's bus absent or mute (a server that accepts and
# never replies): the diagnosis completes within the timeout, the
# reason said, and no fix signals PID 1, dockerd or a manager.
. "${TESTLIB:?run from make check}"
ports P1 P2
command -v python3 >/dev/null || wb_cannot "python3 is not installed"

# serve MODE PATH: a unix socket server; MODE answer (a docker
# /containers/json reply) or mute (accepts, never replies)
serve() {
	python3 - "$1" "$2" <<'PY' &
import socket, sys, time, os
mode, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path + ".tmp"); s.listen(8); os.rename(path + ".tmp", path)
body = b'[{"Id":"3f2a9c1b7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4","Names":["/web"],"Ports":[]}]'
held = []
while True:
    c, _ = s.accept()
    if mode == "mute":
        held.append(c); continue
    req = c.recv(4096)
    with open(path + ".req", "ab") as f: f.write(req)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body)
    c.close()
PY
	FIXTURES+=("$!")
	for ((i = 0; i < 100; i++)); do [ -S "$2" ] && return; sleep 0.05; done
	fatal "the fake server at $2 did not start"
}

cp "$WBFIX" "$WB_TMP/docker-proxy"
WBFIX=$WB_TMP/docker-proxy fixture listen 0.0.0.0 "$P1" comm=docker-proxy -- \
	-proto tcp -host-ip 0.0.0.0 -host-port "$P1" -container-ip 172.17.0.2 -container-port 80

serve answer "$WB_TMP/docker.sock"
DOCKER_HOST=unix://$WB_TMP/docker.sock wb --json "$P1"
expect_rc 1
jeq '.conflicts[0].manager.kind' '"docker"'
jeq '.conflicts[0].manager.name' '"web"'
jeq '.conflicts[0].manager.id' '"3f2a9c1b7d4e"'
jeq '.conflicts[0].manager.container' '"web"'
jeq '.conflicts[0].manager.container_ip' '"172.17.0.2"'
jeq '.conflicts[0].manager.container_port' 80
jeq '.verdict.fixes[0].action' '"stop-container"'
jeq '.verdict.fixes[0].command' '"docker stop web"'
jqt '[.verdict.fixes[].command // "" | test("kill|systemctl|dockerd")] | any | not'
check "a read-only GET of the publishing container" \
	grep -q "^GET /containers/json?filters=%7B%22publish%22%3A%5B%22$P1%2Ftcp%22%5D%7D HTTP/1.0" "$WB_TMP/docker.sock.req"

serve mute "$WB_TMP/hung.sock"
start=$(date +%s%N)
DOCKER_HOST=unix://$WB_TMP/hung.sock wb --json "$P1"
ms=$((($(date +%s%N) - start) / 1000000))
expect_rc 1
check "a hung engine is given up within the timeout (${ms} ms)" test "$ms" -lt 5000
jeq '.conflicts[0].manager.kind' '"docker"'
jeq '.conflicts[0].manager.name' null
jeq '.conflicts[0].manager_reason' '"the container engine did not answer within the timeout"'
jeq '.verdict.fixes[0].action' '"find-container"'
jeq '.verdict.fixes[0].command' "\"docker ps --filter publish=$P1\""
jqt '.verdict.fixes[0].text | contains("172.17.0.2 port 80")'

DOCKER_HOST=unix://$WB_TMP/none.sock wb --json "$P1"
expect_rc 1
jeq '.conflicts[0].manager_reason' '"the container engine'"'"'s socket is absent or refused us"'
jeq '.verdict.fixes[0].command' "\"docker ps --filter publish=$P1\""

# systemd's bus: a holder in a .service cgroup makes whybind ask for Restart=
fixture listen 0.0.0.0 "$P2" comm=wbunit
unit=wbmgr-$$.service
root=$(cgroup_roots | head -n1)
[ -n "$root" ] && [ -w "$root/cgroup.procs" ] || wb_cannot "no writable cgroup hierarchy here (needs root)"
cgroup_put "$FIX_PID" "$root" "wbmgr-$$/system.slice/$unit"
serve mute "$WB_TMP/bus.sock"
start=$(date +%s%N)
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$WB_TMP/bus.sock wb --json "$P2"
ms=$((($(date +%s%N) - start) / 1000000))
expect_rc 1
check "a mute bus is given up within the timeout (${ms} ms)" test "$ms" -lt 5000
jeq '.conflicts[0].manager.kind' '"systemd-service"'
jeq '.conflicts[0].manager.name' "\"$unit\""
jeq '.conflicts[0].manager.restarts' null
jeq '.conflicts[0].manager_reason' '"the systemd manager did not answer within the timeout"'
jeq '.verdict.fixes[0].command' "\"systemctl stop $unit\""

DBUS_SYSTEM_BUS_ADDRESS=unix:path=$WB_TMP/nobus.sock wb --json "$P2"
expect_rc 1
jeq '.conflicts[0].manager_reason' '"the systemd manager'"'"'s bus is absent"'
jeq '.verdict.fixes[0].command' "\"systemctl stop $unit\""

DBUS_SYSTEM_BUS_ADDRESS=tcp:host=127.0.0.1,port=1 wb --json "$P2"
expect_rc 1
jeq '.conflicts[0].manager_reason' '"the systemd manager'"'"'s bus address is not AF_UNIX: not asked"'
jqt '[.verdict.fixes[].command // "" | test("(^|[ ;])kill( -[A-Z]+)? 1( |$)")] | any | not'
