#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where a holder comes from: a real listener moved into cgroups named as
# systemd and the container runtimes name them, in every hierarchy this
# machine mounts for it (cgroup v2; v1 name=systemd): its unit, user unit,
# container runtime and id, pod, and the command that stops it properly.
# Hostile bytes in a cgroup name: escaped on the terminal, valid UTF-8 in
# JSON, and shell-quoted so that the command means exactly that name.
. "${TESTLIB:?run from make check}"

roots=$(cgroup_roots)
[ -n "$roots" ] || wb_cannot "no cgroup v2 or v1 name=systemd hierarchy is mounted"
for root in $roots; do
	[ -w "$root/cgroup.procs" ] || wb_cannot "cannot write $root/cgroup.procs (needs root)"
done

HEX=3f2a9c1b7d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef
POD=1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d
TOP=wbtest-$$			# every cgroup of this test is under it
USER1000=$(getent passwd 1000 | cut -d: -f1)
: "${USER1000:=1000}"

# held ROOT PATH [OPTION...]: a listener on a fresh port P, moved into the
# cgroup TOP/PATH of the hierarchy at ROOT; whybind --json on it.
held() {
	local root=$1 path=$2

	shift 2
	ports P
	fixture listen 127.0.0.1 "$P" comm=wbunit "$@"
	cgroup_put "$FIX_PID" "$root" "$TOP/$path"
	grep -qF ":/$TOP/$path" "/proc/$FIX_PID/cgroup" ||
		fatal "pid $FIX_PID is not in $path: $(cat -v "/proc/$FIX_PID/cgroup")"
	wb --json "127.0.0.1:$P"
	expect_rc 1
	jeq '.conflicts[0].owners | map(.pid)' "[$FIX_PID]"
}

# stop_command ACTION: the command of the verdict's fix with that action.
stop_command() {
	jq -r --arg a "$1" '[.verdict.fixes[] | select(.action == $a) | .command] | .[0] // ""' "$WB_OUT"
}

# same_word COMMAND PREFIX WANT: what a shell makes of COMMAND's argument
# after PREFIX is the exact bytes WANT, and running it ran nothing else.
same_word() {
	local args=${1#"$2"}

	if [ "$args" = "$1" ]; then
		fail "command does not start with $2: $(printf %q "$1")"
		return
	fi
	(cd "$WB_TMP" && bash -c 'eval "set -- $1" && [ $# = 1 ] && printf %s "$1"' _ "$args") \
		>"$WB_TMP/word" 2>&1
	printf %s "$3" >"$WB_TMP/want"
	check "the shell reads back the exact name from $(printf %q "$1")" \
		cmp -s "$WB_TMP/word" "$WB_TMP/want"
	check "and runs nothing else" test ! -e "$WB_TMP/HACKED"
}

for root in $roots; do
	echo "# hierarchy: $root"

	# A system service.
	unit=wbweb-$$.service
	held "$root" "system.slice/$unit"
	jeq '.conflicts[0].owners[0] | {unit, user_unit, container}' \
		"{unit: \"$unit\", user_unit: false, container: null}"
	jeq '[.verdict.fixes[] | select(.action == "stop-unit") | .command]' \
		"[\"systemctl stop $unit\"]"
	jqt '[.verdict.fixes[].action] | index("stop-unit") < index("stop-process")'
	wb "127.0.0.1:$P"
	out_has "wbunit \(pid $FIX_PID, $unit\)"
	out_has "^ +systemctl stop $unit$"

	# A user's service, held by that user: stopped through that user's
	# manager, since whybind runs as root.
	unit=wbapp-$$.service
	held "$root" "user.slice/user-1000.slice/user@1000.service/app.slice/$unit" uid=1000
	jeq '.conflicts[0].owners[0] | {uid, unit, user_unit, container}' \
		"{uid: 1000, unit: \"$unit\", user_unit: true, container: null}"
	jeq '[.verdict.fixes[] | select(.action == "stop-unit") | .command]' \
		"[\"systemctl --user -M $USER1000@ stop $unit\"]"
	wb "127.0.0.1:$P"
	out_has "wbunit \(pid $FIX_PID, $unit \(user unit\)\)"

	# Containers, as each runtime names its cgroup.
	held "$root" "system.slice/docker-$HEX.scope"
	jeq '.conflicts[0].owners[0] | {unit, container}' \
		"{unit: \"docker-$HEX.scope\", container: {runtime: \"docker\", id: \"3f2a9c1b7d4e\", pod: null}}"
	jeq '[.verdict.fixes[] | select(.action == "stop-container" or .action == "stop-unit") | .command]' \
		'["docker stop 3f2a9c1b7d4e"]'
	wb "127.0.0.1:$P"
	out_has "wbunit \(pid $FIX_PID, docker container 3f2a9c1b7d4e\)"
	out_has "^ +docker stop 3f2a9c1b7d4e$"

	held "$root" "machine.slice/libpod-$HEX.scope/container"
	jeq '.conflicts[0].owners[0].container' '{runtime: "podman", id: "3f2a9c1b7d4e", pod: null}'
	jeq '[.verdict.fixes[] | select(.action == "stop-container") | .command]' \
		'["podman stop 3f2a9c1b7d4e"]'

	held "$root" "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD//-/_}.slice/cri-containerd-$HEX.scope"
	jeq '.conflicts[0].owners[0].container' \
		"{runtime: \"containerd\", id: \"3f2a9c1b7d4e5\", pod: \"$POD\"}"
	jeq '[.verdict.fixes[] | select(.action == "stop-container") | .command]' \
		'["crictl stop 3f2a9c1b7d4e5"]'

	held "$root" "kubepods/besteffort/pod$POD/$HEX"
	jeq '.conflicts[0].owners[0].container' \
		"{runtime: \"containerd\", id: \"3f2a9c1b7d4e5\", pod: \"$POD\"}"

	held "$root" "lxc.payload.wbct$$/system.slice/nginx.service"
	jeq '.conflicts[0].owners[0] | {unit, container}' \
		"{unit: \"nginx.service\", container: {runtime: \"lxc\", id: \"wbct$$\", pod: null}}"
	jeq '[.verdict.fixes[] | select(.action == "stop-container" or .action == "stop-unit") | .command]' \
		"[\"lxc-stop -n wbct$$\"]"

	# Not a container: 64 hex digits anywhere else.
	held "$root" "system.slice/$HEX"
	jeq '.conflicts[0].owners[0] | {unit, container}' '{unit: null, container: null}'

	# A unit name that reads as an option.
	unit=-wbdash$$.service
	held "$root" "system.slice/$unit"
	jeq '[.verdict.fixes[] | select(.action == "stop-unit") | .command]' \
		"[\"systemctl stop -- $unit\"]"

	# Hostile bytes: an escape sequence, a byte that is not UTF-8, a tab,
	# and shell syntax.  (The kernel refuses a newline in a cgroup name.)
	bad=$'wb\e[31m\xff;$(touch HACKED)\t`touch HACKED`\'"'
	held "$root" "system.slice/$bad.service"
	check "JSON output is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$WB_OUT"
	jeq '.conflicts[0].owners[0].unit' \
		'"wb\u001b[31m\\xff;$(touch HACKED)\t`touch HACKED`'"'"'\".service"'
	same_word "$(stop_command stop-unit)" "systemctl stop " "$bad.service"
	wb "127.0.0.1:$P"
	expect_rc 1
	check "terminal output has no control byte nor invalid UTF-8" is_clean_text "$WB_OUT"
	out_has 'wbunit \(pid [0-9]+, wb\\x1b\[31m\\xff;\$\(touch HACKED\)\\x09'

	held "$root" "lxc.payload.$bad"
	jeq '.conflicts[0].owners[0].container.runtime' '"lxc"'
	same_word "$(stop_command stop-container)" "lxc-stop -n " "$bad"
	wb "127.0.0.1:$P"
	check "terminal output has no control byte nor invalid UTF-8" is_clean_text "$WB_OUT"
done

# Processes that come and go during the /proc walk are skipped, never
# fatal: 40 runs while hundreds of short-lived processes churn.
ports P
fixture listen 0.0.0.0 "$P" comm=steady
( for ((i = 0; i < 2000; i++)); do /bin/true & done; wait ) &
churn=$!
bad=0
for ((i = 0; i < 40; i++)); do
	"$WHYBIND" --json "$P" >"$WB_TMP/churn.json" 2>"$WB_TMP/churn.err"
	rc=$?
	json_file "$WB_TMP/churn.json" "whybind --json $P (under churn, run $i)"
	pid=$(jq '.conflicts[0].owners[0].pid' "$WB_TMP/churn.json" 2>/dev/null)
	[ "$rc" = 1 ] && [ "$pid" = "$FIX_PID" ] && [ ! -s "$WB_TMP/churn.err" ] || bad=$((bad + 1))
done
wait "$churn"
check "40 runs under process churn: exit 1, the holder named, nothing on stderr ($bad bad)" test "$bad" = 0
