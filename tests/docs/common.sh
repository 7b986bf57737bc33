# Sourced by the documentation checks (POSIX sh): the source tree, a
# temporary directory, fail and missing_tool, and the options --help lists.
set -u

# The source tree (read-only under distcheck): from $TESTLIB, or from $0.
if [ -n "${TESTLIB:-}" ]; then
	srcdir=$(cd "$(dirname "$TESTLIB")/.." && pwd)
else
	srcdir=$(cd "$(dirname "$0")/../.." && pwd)
fi
: "${WHYBIND:?run from make check (WHYBIND is the binary)}"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
	echo "FAIL: $*" >&2
	failed=1
}
missing_tool() {
	# In CI a check that cannot run has failed.
	if [ "${CI:-}" = true ]; then
		fail "$1 is not installed"
	else
		echo "SKIP part: $1 is not installed" >&2
	fi
}

# help_options: whybind --help in $tmp/help; its long options (the option
# column only: "  -n, --netns=NAME  text", "      --fix  text") one a
# line in $tmp/help.long, its short ones ("  -4  text") in $tmp/help.short.
help_options() {
	"$WHYBIND" --help >"$tmp/help" 2>"$tmp/help.err"
	rc=$?
	[ "$rc" -eq 0 ] || fail "whybind --help exits $rc, want 0: $(cat "$tmp/help.err")"
	[ -s "$tmp/help" ] || fail "whybind --help prints nothing on stdout"
	sed -n 's/^ \{1,6\}\(-[^-], \)\{0,1\}\(--[a-z0-9][a-z0-9-]*\).*/\2/p' \
		"$tmp/help" | sort -u >"$tmp/help.long"
	sed -n 's/^ \{1,6\}\(-[^- ]\)[, ].*/\1/p' "$tmp/help" | sort -u >"$tmp/help.short"
	[ -s "$tmp/help.long" ] || fail "no long options found in --help"
}
