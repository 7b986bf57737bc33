#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The holders found by the kernel's walk (a BPF task_file iterator) are
# exactly those the /proc walk finds: pids and descriptors, for a
# listener, prefork children, a thread-heavy process, a process with
# thousands of descriptors, several sockets at once, a TIME_WAIT.  As root
# on this kernel the iterator must really be used.
. "${TESTLIB:?run from make check}"
ports P Q R S T

fixture listen 0.0.0.0 "$P" prefork=4
fixture listen 0.0.0.0 "$Q" threads=32
fixture listen 0.0.0.0 "$R" fds=3000
fixture udp 0.0.0.0 "$S" prefork=2 threads=4
fixture listen 127.0.0.1 "$T" reuseport
fixture listen 0.0.0.0 "$T" reuseport prefork=1
fixture timewait 127.0.0.1 "$(( T + 1 ))"

owners() {	# owners METHOD ARG...: "pid:fd ..." of every conflict, sorted
	WHYBIND_OWNERS=$1 wb --json "${@:2}" >/dev/null
	jq -r '[.conflicts[] | .owners[] | "\(.pid):\(.fd)"] | sort | join(" ")' "$WB_OUT"
}

for args in "$P" "$Q" "$R" "-u $S" "$T" "-r $(( T + 1 ))"; do
	# shellcheck disable=SC2086
	by_proc=$(owners proc $args)
	jqt '.owner_lookup == "proc" or (.conflicts | map(.inode) | all(. == null))'
	# shellcheck disable=SC2086
	by_bpf=$(owners bpf $args)
	check "whybind $args: no complaint about the iterator" test -z "$ERR"
	jqt '.owner_lookup == "bpf" or (.conflicts | map(.inode) | all(. == null))'
	echo "# whybind $args: proc [$by_proc] bpf [$by_bpf]"
	check "whybind $args: the same owners both ways" test "$by_proc" = "$by_bpf"
	case "$args" in
	-r*) check "a TIME_WAIT has no owner" test -z "$by_bpf" ;;
	*) check "whybind $args: owners found" test -n "$by_bpf" ;;
	esac
done

# The prefork listener: five processes, each with the socket.
WHYBIND_OWNERS=bpf wb --json "$P"
jeq '.conflicts[0].owners | length' 5
# The thread-heavy one: one owner, not one per thread.
WHYBIND_OWNERS=bpf wb --json "$Q"
jeq '.conflicts[0].owners | length' 1
# The socket after 3000 other descriptors.
WHYBIND_OWNERS=bpf wb --json "$R"
jqt '.conflicts[0].owners[0].fd >= 3000'

# By default, as root, the iterator is the way taken.
wb --json "$P"
jeq '.owner_lookup' '"bpf"'
# Without privilege it cannot be loaded: the walk, and nothing said.
wb_as_nobody --json "$P"
jeq '.owner_lookup' '"proc"'
check "nothing on stderr" test -z "$ERR"
