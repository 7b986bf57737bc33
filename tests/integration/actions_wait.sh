#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --wait: it gives up at its deadline on a holder that stays, and returns
# as soon as the holder goes.
. "${TESTLIB:?run from make check}"
ports STAYS GOES

# --wait=1 on a live listener gives up after about a second.
fixture listen 0.0.0.0 "$STAYS"
start=$(date +%s%N)
wb --json --wait=1 "$STAYS"
expect_rc 1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "--wait=1 took $ms ms (900 to 5000)" test $((ms >= 900 && ms < 5000)) = 1
jqt '.wait.timed_out == true'

# --wait=10 returns once the holder is killed.
fixture listen 0.0.0.0 "$GOES"
holder=$FIX_PID
( sleep 1; kill "$holder" ) &
start=$(date +%s%N)
wb --json --wait=10 "$GOES"
expect_rc 0
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "--wait noticed the exit after $ms ms (under 5000)" test "$ms" -lt 5000
jqt '.wait.timed_out == false and .bind.ok == true'
