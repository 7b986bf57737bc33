#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A report that cannot be written all says so: a full disk, a reader gone
# or a closed stdout is exit 3 with one line on stderr, never silence
# (nor a death by SIGPIPE).
. "${TESTLIB:?run from make check}"
ports P Q

# run_to TARGET ARG...: whybind with stdout redirected as the caller says
# (TARGET is a file, or "closed"); sets RC and ERR.
run_to() {
	local to=$1
	shift
	LAST="whybind$(printf ' %q' "$@") >$to"
	if [ "$to" = closed ]; then
		timeout -k 2 30 "$WHYBIND" "$@" >&- 2>"$WB_ERR" </dev/null
	else
		timeout -k 2 30 "$WHYBIND" "$@" >"$to" 2>"$WB_ERR" </dev/null
	fi
	RC=$?
	ERR=$(cat "$WB_ERR")
	echo "# ran: $LAST -> exit $RC"
}

# one_line TEXT: stderr is exactly that line.
one_line() {
	check "stderr is one line: $1" test "$ERR" = "whybind: cannot write the report to stdout: $1"
}

fixture listen 0.0.0.0 "$P"
full="No space left on device"
run_to /dev/full --json "$P"
expect_rc 3
one_line "$full"
run_to /dev/full "$P"
expect_rc 3
one_line "$full"
run_to /dev/full --json "$Q"
expect_rc 3
one_line "$full"
# Nothing written, nothing lost.
run_to /dev/full -q "$P"
expect_rc 1
check "-q: nothing on stderr" test -z "$ERR"
run_to closed --json "$P"
expect_rc 3
one_line "Bad file descriptor"

# Far more than a pipe holds: 2 000 sockets, each a dozen lines.
fixture udp 0.0.0.0 "$Q" reuseport count=2000
run_to /dev/full --json -u "$Q"
expect_rc 3
one_line "$full"
run_to /dev/full -v -u "$Q"
expect_rc 3
one_line "$full"

# A reader that goes away after one byte: the writes after it fail with
# EPIPE, reported, rather than a SIGPIPE killing whybind midway (141).
LAST="whybind --json -u $Q | head -c 1"
timeout -k 2 30 "$WHYBIND" --json -u "$Q" 2>"$WB_ERR" </dev/null | head -c 1 >/dev/null
RC=${PIPESTATUS[0]}
ERR=$(cat "$WB_ERR")
echo "# ran: $LAST -> exit $RC"
expect_rc 3
one_line "Broken pipe"

# And all of it when it can go out.
wb --json -u "$Q"
expect_rc 1
jeq '.conflicts | length' 2000
check "nothing on stderr" test -z "$ERR"
