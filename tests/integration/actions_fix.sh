#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --fix: it destroys exactly the conflicting TIME_WAIT, and changes
# nothing next to a live listener.
. "${TESTLIB:?run from make check}"
ports TW OTHER LISTENER

# --fix destroys exactly the conflicting TIME_WAIT, not another port's.
fixture timewait 127.0.0.1 "$TW"
fixture timewait 127.0.0.1 "$OTHER"
wb --json --fix "$TW"
expect_rc 0
jqt '.fix.destroyed == 1 and .fix.error == null and .bind.ok == true'
check "the TIME_WAIT on another port ($OTHER) is untouched" \
	sh -c "ss -Htan state time-wait '( sport = :$OTHER )' | grep -q ."

# --fix next to a live listener changes nothing.
fixture listen 0.0.0.0 "$LISTENER"
wb --json --fix "$LISTENER"
expect_rc 1
jqt '.fix.destroyed == 0 and (.fix.error | test("nothing safe"))'
check "the listener's process is untouched" kill -0 "$FIX_PID"
check "the listener is untouched" \
	sh -c "ss -Hltn '( sport = :$LISTENER )' | grep -q ."
