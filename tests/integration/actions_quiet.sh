#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -q: the exit status alone.
. "${TESTLIB:?run from make check}"
ports PORT

# -q prints nothing.
fixture listen 0.0.0.0 "$PORT"
wb -q "$PORT"
expect_rc 1
check "-q printed nothing" test -z "$OUT$ERR"
