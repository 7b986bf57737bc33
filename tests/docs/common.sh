# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the documentation checks that open no socket: tests/lib.sh
# (their fail, pass, missing_tool...) in the host's network namespace,
# then the source tree and the options --help lists.
WB_HOST_NETNS=1
. "${TESTLIB:-$(dirname "$0")/../lib.sh}"

# The source tree (read-only under distcheck), and a temporary directory.
srcdir=$(cd "$WB_LIBDIR/.." && pwd)
tmp=$WB_TMP

# help_options: whybind --help in $tmp/help; its long options (the option
# column only: "  -n, --netns=NAME  text", "      --fix  text") one a
# line in $tmp/help.long, its short ones ("  -4  text") in $tmp/help.short.
help_options() {
	local rc

	"$WHYBIND" --help >"$tmp/help" 2>"$tmp/help.err"
	rc=$?
	[ "$rc" -eq 0 ] || fail "whybind --help exits $rc, want 0: $(cat "$tmp/help.err")"
	[ -s "$tmp/help" ] || fail "whybind --help prints nothing on stdout"
	sed -n 's/^ \{1,6\}\(-[^-], \)\{0,1\}\(--[a-z0-9][a-z0-9-]*\).*/\2/p' \
		"$tmp/help" | sort -u >"$tmp/help.long"
	sed -n 's/^ \{1,6\}\(-[^- ]\)[, ].*/\1/p' "$tmp/help" | sort -u >"$tmp/help.short"
	[ -s "$tmp/help.long" ] || fail "no long options found in --help"
}
