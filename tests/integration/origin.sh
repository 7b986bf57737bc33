#!/bin/bash
# Where a holder comes from: a systemd unit (system and user), a container
# (docker, podman, containerd in a Kubernetes pod, LXC), told from its
# cgroup, in each cgroup hierarchy this machine has (cgroup v2, and the v1
# name=systemd one); the fix names the manager's command.  Hostile bytes
# in a cgroup name are escaped everywhere.
. "${TESTLIB:?run from make check}"

# The hierarchies: cgroup2 (at /sys/fs/cgroup or /sys/fs/cgroup/unified)
# and v1 name=systemd.
roots=()
while read -r _ dir type opts _; do
	case "$type:$opts" in
	cgroup2:*) roots+=("$dir") ;;
	cgroup:*name=systemd*) roots+=("$dir") ;;
	esac
done </proc/mounts
[ ${#roots[@]} -gt 0 ] || wb_cannot "no cgroup2 or name=systemd hierarchy is mounted"

CG_DIRS=()			# what we made, to remove at the end
# in_cgroup ROOT PATH PID: make ROOT/PATH and move PID into it.
in_cgroup() {
	local root=$1 path=$2 pid=$3 d=$1 part

	IFS=/ read -ra parts <<<"$path"
	for part in "${parts[@]}"; do
		[ -n "$part" ] || continue
		d=$d/$part
		if [ ! -d "$d" ]; then
			mkdir "$d" || fatal "mkdir $d"
			CG_DIRS=("$d" "${CG_DIRS[@]}")
		fi
	done
	echo "$pid" >"$d/cgroup.procs" || fatal "cannot move $pid into $d"
}
# Give every process back to its hierarchy's root, remove what we made.
cg_cleanup() {
	local d p root

	for d in "${CG_DIRS[@]}"; do
		for root in "${roots[@]}"; do
			case "$d" in "$root"/*) ;; *) continue ;; esac
			while read -r p; do
				echo "$p" >"$root/cgroup.procs" 2>/dev/null
			done <"$d/cgroup.procs"
		done
		rmdir "$d" 2>/dev/null
	done
	CG_DIRS=()
}
trap 'cg_cleanup; wb_cleanup' EXIT

HEX=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
for root in "${roots[@]}"; do
	echo "# cgroup hierarchy: $root"
	top="wbtest-$$.slice"

	# A system service.
	ports P
	fixture listen 0.0.0.0 "$P" comm=svc
	in_cgroup "$root" "$top/system.slice/wbsvc-$$.service" "$FIX_PID"
	wb --json "$P"
	expect_rc 1
	jeq '.conflicts[0].owners[0] | {unit, user_unit, container}' \
		"{unit: \"wbsvc-$$.service\", user_unit: false, container: null}"
	jeq '[.verdict.fixes[] | select(.action == "stop-unit") | .command]' \
		"[\"systemctl stop wbsvc-$$.service\"]"
	jqt '[.verdict.fixes[].action] | index("stop-unit") < index("stop-process")'
	wb "$P"
	out_has "svc \\(pid $FIX_PID, wbsvc-$$\\.service\\)"

	# A user's service, under user@1000.service.
	ports P
	fixture listen 0.0.0.0 "$P"
	in_cgroup "$root" "$top/user.slice/user-1000.slice/user@1000.service/app.slice/wbapp-$$.service" "$FIX_PID"
	wb --json "$P"
	expect_rc 1
	jeq '.conflicts[0].owners[0] | {unit, user_unit}' "{unit: \"wbapp-$$.service\", user_unit: true}"
	jeq '[.verdict.fixes[] | select(.action == "stop-unit") | .command]' \
		"[\"systemctl --user stop wbapp-$$.service\"]"

	# Docker: docker-<64 hex>.scope, printed as 12 hex digits.
	ports P
	fixture listen 0.0.0.0 "$P"
	in_cgroup "$root" "$top/system.slice/docker-$HEX.scope" "$FIX_PID"
	wb --json "$P"
	expect_rc 1
	jeq '.conflicts[0].owners[0].container' '{runtime: "docker", id: "0123456789ab", pod: null}'
	jeq '[.verdict.fixes[] | select(.action == "stop-container") | .command]' '["docker stop 0123456789ab"]'

	# Podman.
	ports P
	fixture listen 0.0.0.0 "$P"
	in_cgroup "$root" "$top/machine.slice/libpod-$HEX.scope" "$FIX_PID"
	wb --json "$P"
	jeq '.conflicts[0].owners[0].container | {runtime, id}' '{runtime: "podman", id: "0123456789ab"}'
	jeq '[.verdict.fixes[] | select(.action == "stop-container") | .command]' '["podman stop 0123456789ab"]'

	# containerd under Kubernetes (systemd cgroup driver): the pod too.
	ports P
	fixture listen 0.0.0.0 "$P"
	in_cgroup "$root" "$top/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c_3d4e.slice/cri-containerd-$HEX.scope" "$FIX_PID"
	wb --json "$P"
	jeq '.conflicts[0].owners[0].container' '{runtime: "containerd", id: "0123456789ab", pod: "1b2c-3d4e"}'

	# LXC.
	ports P
	fixture listen 0.0.0.0 "$P"
	in_cgroup "$root" "$top/lxc.payload.web1" "$FIX_PID"
	wb --json "$P"
	jeq '.conflicts[0].owners[0].container | {runtime, id}' '{runtime: "lxc", id: "web1"}'
	jeq '[.verdict.fixes[] | select(.action == "stop-container") | .command]' '["lxc-stop -n web1"]'

	# Hostile bytes in a unit name: ESC, invalid UTF-8, shell syntax.
	ports P
	fixture listen 0.0.0.0 "$P"
	evil=$'wb\e[31m\xff;touch x$(id).service'
	in_cgroup "$root" "$top/system.slice/$evil" "$FIX_PID"
	wb --json "$P"
	expect_rc 1
	check "the JSON is valid" jq -e . "$WB_OUT" >/dev/null
	check "the JSON is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$WB_OUT" -o /dev/null
	jeq '.conflicts[0].owners[0].unit' '"wb\u001b[31m\\xff;touch x$(id).service"'
	jqt '.verdict.fixes[] | select(.action == "stop-unit") | .command | test("^systemctl stop \\$?'"'"'")'
	jqt '.verdict.fixes[] | select(.action == "stop-unit") | .command | explode | all(. >= 32 and . != 127)'
	# The command, run by a shell, names the unit and runs nothing else.
	cmd=$(jq -r '.verdict.fixes[] | select(.action == "stop-unit") | .command' "$WB_OUT")
	got=$(systemctl() { printf '%s' "$2"; }; eval "$cmd")
	check "the quoted command gives back the raw name" test "$got" = "$evil"
	wb "$P"
	check "the human output has no raw control byte" is_clean_text "$WB_OUT"
	out_has 'wb\\x1b\[31m\\xff;touch x\$\(id\)\.service'

	# Next hierarchy: no fixture left in this one.
	kill "${FIXTURES[@]}" 2>/dev/null
	wait 2>/dev/null
	FIXTURES=()
	cg_cleanup
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
	pid=$(jq '.conflicts[0].owners[0].pid' "$WB_TMP/churn.json" 2>/dev/null)
	[ "$rc" = 1 ] && [ "$pid" = "$FIX_PID" ] && [ ! -s "$WB_TMP/churn.err" ] || bad=$((bad + 1))
done
wait "$churn"
check "40 runs under process churn: exit 1, the holder named, nothing on stderr ($bad bad)" test "$bad" = 0
