#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Supervised holders, with the real supervisors where installed: a
# supervisord program, a runit service (runsv), an s6 service
# (s6-supervise); and pm2 from the environment it gives its processes.
# The first fix goes through the supervisor; no fix signals it, nor
# kills what it would start again.
. "${TESTLIB:?run from make check}"
ports P1 P2 P3 P4

# no_manager_kill PID...: no fix signals PID 1 or these
no_manager_kill() {
	local p
	for p in 1 "$@"; do
		jqt "[.verdict.fixes[].command // \"\" | test(\"(^|[ ;])kill( -[A-Z]+)?( [0-9]+)* $p( |\$)\")] | any | not"
	done
	jqt '[.verdict.fixes[].action] | index("stop-process") | not'
}

# wait_port PORT: until something listens on it (10 s at most)
wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	fatal "nothing listens on port $1"
}

if command -v supervisord >/dev/null; then
	conf=$WB_TMP/supervisord.conf
	cat >"$conf" <<CONF
[supervisord]
nodaemon=true
logfile=$WB_TMP/supervisord.log
pidfile=$WB_TMP/supervisord.pid
childlogdir=$WB_TMP
[unix_http_server]
file=$WB_TMP/supervisor.sock
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://$WB_TMP/supervisor.sock
[program:webapp]
command=$WBFIX listen 0.0.0.0 $P1 comm=webapp
autorestart=true
CONF
	supervisord -n -c "$conf" >/dev/null 2>&1 &
	sup=$!
	FIXTURES+=("$sup")
	wait_port "$P1"
	wb --json "$P1"
	expect_rc 1
	jeq '.conflicts[0].manager.kind' '"supervisord"'
	jeq '.conflicts[0].manager.name' '"webapp"'
	jeq '.conflicts[0].manager.group' '"webapp"'
	jeq '.conflicts[0].manager.pid' "$sup"
	jeq '.verdict.fixes[0].action' '"stop-supervised"'
	jeq '.verdict.fixes[0].command' "\"supervisorctl -c $conf stop webapp:webapp\""
	no_manager_kill "$sup"
	# the fix works: supervisorctl stops the program, the port is free
	eval "$(jq -r '.verdict.fixes[0].command' "$WB_OUT")" >/dev/null
	wb --json "$P1"
	expect_rc 0
	check "supervisord is still running" kill -0 "$sup"
else
	missing_tool supervisord
fi

if command -v runsv >/dev/null; then
	sv=$WB_TMP/sv/web
	mkdir -p "$sv"
	printf '#!/bin/sh\nexec %q listen 0.0.0.0 %d comm=runitweb\n' "$WBFIX" "$P2" >"$sv/run"
	chmod +x "$sv/run"
	runsv "$sv" >/dev/null 2>&1 &
	rsv=$!
	FIXTURES+=("$rsv")
	wait_port "$P2"
	wb --json "$P2"
	expect_rc 1
	jeq '.conflicts[0].manager.kind' '"runit"'
	jeq '.conflicts[0].manager.name' "\"$sv\""
	jeq '.conflicts[0].manager.restarts' true
	jeq '.verdict.fixes[0].action' '"stop-supervised"'
	jeq '.verdict.fixes[0].command' "\"sv down $sv\""
	no_manager_kill "$rsv"
else
	missing_tool runsv
fi

if command -v s6-supervise >/dev/null; then
	s6=$WB_TMP/s6/web
	mkdir -p "$s6"
	printf '#!/bin/sh\nexec %q listen 0.0.0.0 %d comm=s6web\n' "$WBFIX" "$P3" >"$s6/run"
	chmod +x "$s6/run"
	s6-supervise "$s6" >/dev/null 2>&1 &
	s6p=$!
	FIXTURES+=("$s6p")
	wait_port "$P3"
	wb --json "$P3"
	expect_rc 1
	jeq '.conflicts[0].manager.kind' '"s6"'
	jeq '.conflicts[0].manager.name' "\"$s6\""
	jeq '.verdict.fixes[0].command' "\"s6-svc -d $s6\""
	no_manager_kill "$s6p"
else
	missing_tool s6-supervise
fi

# pm2 marks its processes' environment with pm_id and name
pm_id=3 name=api autorestart=true fixture listen 0.0.0.0 "$P4" comm=node
wb --json "$P4"
expect_rc 1
jeq '.conflicts[0].manager.kind' '"pm2"'
jeq '.conflicts[0].manager.name' '"api"'
jeq '.conflicts[0].manager.restarts' true
jeq '.verdict.fixes[0].action' '"stop-supervised"'
jeq '.verdict.fixes[0].command' '"pm2 stop api"'
no_manager_kill "$$"
