#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --netns: a listener in another namespace, by name and by pid.
. "${TESTLIB:?run from make check}"
ports PORT

ns=wbtest$$
ip netns add "$ns" || fatal "ip netns add $ns"
trap 'ip netns del "$ns" 2>/dev/null; wb_cleanup' EXIT
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" "$WBFIX" listen 0.0.0.0 "$PORT" >"$WB_TMP/ns" &
FIXTURES+=($!)
nspid=$!
for i in $(seq 100); do grep -q ready "$WB_TMP/ns" && break; sleep 0.02; done
wb --json "$PORT"
expect_rc 0
wb --json --netns "$ns" "$PORT"
expect_rc 1
jqt ".request.netns == \"$ns\" and .conflicts[0].owners[0].pid == $nspid"
wb --json --netns "$nspid" "$PORT"
expect_rc 1
wb --json --netns no-such-ns "$PORT"
expect_rc 3
