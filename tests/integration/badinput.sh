#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input: exit 2, nothing on stdout, exactly one short line on stderr,
# and no raw control byte from the argument in it.
. "${TESTLIB:?run from make check}"

long=$(printf '9%.0s' $(seq 5000))
esc=$'\e[2J\e]0;pwned\a8080'
cases=(
	0 65536 99999999999999999999 -1 8080x garbage 'no-such-service-xyz' ''
	':' '256.1.1.1:80' '[::1' '[::1]' '[::1]:' '[::1:80' '::1:80'
	'2001:db8::1:8080' 'fe80::1' '-t 53/udp' '-u 0.0.0.0:80/tcp'
	'nosuchscheme://host' 'tcp://host' 'http://::1:80/' '-m garbage'
	'-m bind:' '-m 8080' 'listen tcp :99999: bind: address already in use'
	'[fe80::1%]:80' "$long" "$long:80" "$esc" "127.0.0.1:$esc"
	--bogus -Z '--v6only=maybe' '--color=sometimes' '-q 0' '--json 65536'
	'80 81' '-U no-such-user-xyz 80' '-U 4294967295 80' '-i nosuchdev0 80'
	'-r /run/x.sock' '-6 ./x.sock' '-i lo @name' '@a\x00b' '@' "/$long"
	"@$long"
)
for c in "${cases[@]}"; do
	case "$c" in
	'-q 0' | '--json 65536' | '80 81' | -[Ur6itum]\ *) wb $c ;;
	*) wb "$c" ;;
	esac
	expect_rc 2
	check "nothing on stdout" test ! -s "$WB_OUT"
	check "one line on stderr" test "$(lines "$WB_ERR")" = 1 -a "$(wc -l <"$WB_ERR")" = 1 -a \
		"$(tail -c 1 "$WB_ERR" | od -An -c | tr -d ' ')" = '\n'
	check "a short line" test "$(wc -c <"$WB_ERR")" -le 200
	check "it says whybind" grep -q '^whybind: ' "$WB_ERR"
	check "no control byte in it" is_clean_text "$WB_ERR"
done

# An error message with no failed bind in it, from the argument or stdin
# (1 MB of binary garbage): one line, the text not echoed.
for c in "$esc" $'listen tcp \e[2J:80: bind: x' "$long"; do
	wb -m "$c"
	expect_rc 2
	check "it says no failed bind was found" test "$(cat "$WB_ERR")" = \
		"whybind: no failed bind found in the message (--message=help lists the forms known)"
done
head -c 1048576 /dev/urandom >"$WB_TMP/garbage"
LAST="whybind -m - <1 MB of garbage"
timeout 30 "$WHYBIND" -m - <"$WB_TMP/garbage" >"$WB_OUT" 2>"$WB_ERR"
RC=$?
expect_rc 2
check "nothing on stdout" test ! -s "$WB_OUT"
check "one clean line on stderr" test "$(lines "$WB_ERR")" = 1
check "no control byte in it" is_clean_text "$WB_ERR"

# Probing as another user needs root.
wb_as_nobody -U root 80
expect_rc 2
check "it says root is needed" grep -q "'root': probing as another user needs root" "$WB_ERR"
wb_as_nobody --json -U nobody 8080
expect_rc 0
