#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --no-probe: the verdict from the sockets alone, without trying the bind.
. "${TESTLIB:?run from make check}"
ports STOPPED FREE TW

# --no-probe gives the probe's cause.
fixture listen 0.0.0.0 "$STOPPED"
stop_proc "$FIX_PID"
wb --json --no-probe "$STOPPED"
expect_rc 1
jqt '.bind.probed == false and .bind.ok == false and .verdict.cause == "stopped"'
jqt '.verdict.reuseaddr_fixes == null and .verdict.reuseport_fixes == null'
kill -CONT "$FIX_PID"

# A free port, and a TIME_WAIT whose flags the dump does not show.
wb --json --no-probe "$FREE"
expect_rc 0
jqt '.bind.probed == false and .bind.ok == true'
fixture timewait 127.0.0.1 "$TW"
wb --json --no-probe -r "$TW"
expect_rc 1
jqt '.bind.ok == null and .verdict.cause == "time-wait"'
