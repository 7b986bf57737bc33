#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The man page documents exactly the options of --help, carries the
# program's version, and renders with no warnings.
. "$(dirname "$0")/common.sh"
man1=$srcdir/man/whybind.1

[ -r "$man1" ] || fatal "no $man1"

help_options

# The options the man page documents: the tags (.TP's next line) of the
# OPTIONS section, with roff's \- made plain.
awk '
	/^\.SH/ { in_opts = ($2 == "OPTIONS") }
	in_opts && tag { print; tag = 0 }
	in_opts && /^\.TP/ { tag = 1 }
' "$man1" | sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\c$//' >"$tmp/tags"
grep -o -- '--[a-z0-9][a-z0-9-]*' "$tmp/tags" | sort -u >"$tmp/man.long"
tr -s ' ",' '\n\n\n' <"$tmp/tags" | grep -x -- '-[^-]' | sort -u >"$tmp/man.short"

# (Compared only when --help gave something to compare with.)
[ -s "$tmp/help.long" ] || : >"$tmp/man.long"
[ -s "$tmp/help.long" ] || : >"$tmp/man.short"
for opt in $(comm -23 "$tmp/help.long" "$tmp/man.long"); do
	fail "--help has $opt, the man page's OPTIONS do not"
done
for opt in $(comm -13 "$tmp/help.long" "$tmp/man.long"); do
	fail "the man page documents $opt, which --help does not know"
done
for opt in $(comm -23 "$tmp/help.short" "$tmp/man.short"); do
	fail "--help has $opt, the man page's OPTIONS do not"
done
for opt in $(comm -13 "$tmp/help.short" "$tmp/man.short"); do
	fail "the man page documents $opt, which --help does not know"
done

# Every option also appears in the SYNOPSIS or OPTIONS in roff form, so
# that man's search finds it: \-\-name with the inner hyphens escaped.
while read -r opt; do
	roff=$(printf '%s' "$opt" | sed 's/-/\\-/g')
	grep -qF -- "$roff" "$man1" || fail "$opt is not written as $roff in the man page"
done <"$tmp/help.long"

# .TH carries the program's version.
version=$("$WHYBIND" --version | sed -n '1s/^whybind //p')
[ -n "$version" ] || fail "whybind --version does not start with 'whybind VERSION'"
grep -q "^\.TH WHYBIND 1 [^ ]* \"whybind $version\"" "$man1" ||
	fail ".TH does not name whybind $version: $(grep '^\.TH' "$man1")"

# The sections issue 6 asks for.
for sh in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" OUTPUT EXAMPLES \
	"LINUX BIND RULES" ENVIRONMENT "SEE ALSO"; do
	grep -qx "\.SH \"\{0,1\}$sh\"\{0,1\}" "$man1" || fail "no section $sh"
done
for ref in 'ss (8)' 'lsof (8)' 'fuser (1)' 'socket (7)' 'tcp (7)' 'ip\-netns (8)'; do
	grep -qxF ".BR $ref," "$man1" || grep -qxF ".BR $ref" "$man1" ||
		fail "SEE ALSO lacks $ref"
done

# It renders with no warnings: man-db's check, and groff's own.
if command -v man >/dev/null 2>&1; then
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man1" >/dev/null 2>"$tmp/man.err"
	[ -s "$tmp/man.err" ] && fail "man --warnings: $(cat "$tmp/man.err")"
else
	missing_tool man
fi
if command -v groff >/dev/null 2>&1; then
	groff -man -ww -z "$man1" 2>"$tmp/groff.err"
	[ -s "$tmp/groff.err" ] && fail "groff -ww: $(cat "$tmp/groff.err")"
else
	missing_tool groff
fi

[ "$WB_FAIL" -gt 0 ] || pass "man page: $(wc -l <"$tmp/help.long") long options, renders clean"
