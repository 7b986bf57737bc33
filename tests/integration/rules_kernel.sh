#!/bin/bash
# The conflict rules' table, each case built for real on this kernel.
. "${TESTLIB:?run from make check}"

"$(dirname "$WHYBIND")/../tests/unit/test_conflict" --kernel || fail "rules and kernel disagree"
exit 0
