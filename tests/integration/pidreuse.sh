#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A holder exits while whybind reads it, and its pid goes at once to a
# new process in another systemd unit: whybind must not tell the
# newcomer's unit as the holder's (its fix would stop the wrong service).
# gdb stops whybind between the owners' walk and the reading of origins;
# in a pid namespace of the test's own, ns_last_pid hands the freed pid to
# the newcomer.  (Being in a pid namespace is a case of its own, too.)
[ -n "${WB_PIDNS:-}" ] ||
	WB_PIDNS=1 exec unshare --pid --fork --mount-proc "$BASH" "$0" "$@"
. "${TESTLIB:?run from make check}"
command -v gdb >/dev/null 2>&1 || wb_cannot "needs gdb"
root=$(cgroup_roots | head -1)
[ -n "$root" ] || wb_cannot "no cgroup v2 or v1 name=systemd hierarchy is mounted"
[ -w "$root/cgroup.procs" ] || wb_cannot "cannot write $root/cgroup.procs (needs root)"
[ -w /proc/sys/kernel/ns_last_pid ] || fatal "cannot write ns_last_pid in a pid namespace of our own"
TOP=wbtest-$$
ports P

fixture listen 0.0.0.0 "$P" comm=holder
old=$FIX_PID
cgroup_put "$old" "$root" "$TOP/old.service"

# Unstopped, whybind names the holder's unit.
wb --json "$P"
expect_rc 1
jeq '.conflicts[0].owners[0] | {pid, unit}' "{pid: $old, unit: \"old.service\"}"
# In a pid namespace of its own the BPF iterator's pids are the host's,
# not /proc's: whybind walks /proc, and says so when BPF was asked for.
jeq '.owner_lookup' '"proc"'
WB_RUNAS=(env WHYBIND_OWNERS=bpf)
wb --json "$P"
WB_RUNAS=()
expect_rc 1
jeq '.conflicts[0].owners[0] | {pid, comm}' "{pid: $old, comm: \"holder\"}"
check "it says why not BPF" grep -q "pid namespace of its own" "$WB_ERR"

# Held at origin_read() while the holder dies and its pid is handed on
# (nothing may fork between the write to ns_last_pid and the sleep).
hand_over() {
	kill -KILL "$old"
	wait "$old" 2>/dev/null
	wait_gone "$old"
	echo $((old - 1)) >/proc/sys/kernel/ns_last_pid
	sleep 1000 &
	new=$!
	FIXTURES+=("$new")
	[ "$new" = "$old" ] || fatal "the freed pid $old went to $new"
	cgroup_put "$new" "$root" "$TOP/new.service"
	echo "# pid $old: the holder (old.service) exited; now a sleep in new.service"
}
held_at origin_read hand_over --json "$P"
expect_rc 1
jeq '.conflicts[0].owners[0].pid' "$old"
jqt '.conflicts[0].owners[0].unit != "new.service"'
jqt '[.verdict.fixes[].command // "" | test("new\\.service")] | any | not'
