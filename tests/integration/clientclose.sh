#!/bin/bash
# The client closing first leaves TIME_WAIT on the client's port, not
# the server's: nothing blocks a new server.
. "${TESTLIB:?run from make check}"

fixture_exit clientclose 127.0.0.1 8080
wb --json 8080
expect_rc 0
jqt '.bind.ok == true and .verdict.cause == "free"'
exit 0
