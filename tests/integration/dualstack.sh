#!/bin/bash
# Dual-stack and wildcard rules.
. "${TESTLIB:?run from make check}"

# [::] dual-stack blocks 0.0.0.0; v6only does not.
fixture listen :: 8080 v6only=0
wb --json 8080
expect_rc 1
jqt '.conflicts[0].family == "inet6" and .conflicts[0].v6only == false'
fixture listen :: 8081 v6only=1
wb --json 8081
expect_rc 0
wb --json -v 8081
expect_rc 0
jqt '.others | length == 1'
jqt '.others[0].reason | test("IPv6-only")'

# A v6only request next to a 0.0.0.0 listener.
fixture listen 0.0.0.0 8082
wb --json -6 --v6only=yes 8082
expect_rc 0
jqt '.request.family == "inet6" and .request.v6only == true'
wb --json -6 --v6only=no 8082
expect_rc 1

# A wildcard listener blocks a specific address even with SO_REUSEADDR
# on both; two specific addresses do not conflict.
fixture listen 0.0.0.0 8083 reuseaddr
wb --json -r 127.0.0.1:8083
expect_rc 1
jqt '.verdict.cause == "listening" and .conflicts[0].local.address == "0.0.0.0"'
fixture listen 127.0.0.1 8084
wb --json 127.0.0.2:8084
expect_rc 0

# IPv6 literals with brackets, and a zone.
fixture listen ::1 8085
wb --json '[::1]:8085'
expect_rc 1
jqt '.request.address == "::1" and .conflicts[0].local.address == "::1"'
wb --json '[fe80::1%lo]:8085'
jqt '.request.address == "fe80::1%lo"'
exit 0
