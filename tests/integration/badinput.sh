#!/bin/bash
# Bad input: exit 2, one short line on stderr, no raw control byte,
# nothing on stdout.
. "${TESTLIB:?run from make check}"

check_bad() {
	wb "$@"
	expect_rc 2
	[ -z "$OUT" ] || fail "stdout not empty"
	[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "not one line on stderr"
	printf '%s' "$ERR" | LC_ALL=C grep -q '[[:cntrl:]]' && fail "raw control byte on stderr"
	[ "${#ERR}" -lt 200 ] || fail "error line too long"
}

check_bad 0
check_bad 65536
check_bad garbage-not-a-port
check_bad '[::1'
check_bad '::1:80'
check_bad "$(head -c 5000 /dev/zero | tr '\0' 1)"
check_bad "$(printf '80\033[2J\033]0;x\007')"
check_bad --bogus 80
check_bad -Z 80
check_bad --color=sometimes 80
check_bad --wait=soon 80
check_bad 80 81
check_bad
check_bad -6 127.0.0.1:80
exit 0
