#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell completions: bash, driven through COMP_WORDS/COMP_CWORD as bash
# itself fills them (with bash-completion's helpers and without), offers
# exactly the options of --help and useful values; the zsh and fish files
# parse, and fish offers every option too.
. "$(dirname "$0")/common.sh"
comp=$srcdir/completions

help_options

# A socket file for the file name completion, a fake ss and ip so that the
# ports and namespaces offered do not depend on this host.
mkdir "$tmp/run" && : >"$tmp/run/server.sock"
cat >"$tmp/fakes.bash" <<'EOF'
ss() {
	printf '%s\n' \
		'tcp   LISTEN 0      4096         0.0.0.0:8080      0.0.0.0:*' \
		'tcp   LISTEN 0      128             [::]:22           [::]:*' \
		'udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*' \
		'udp   UNCONN 0      0                  *:5353            *:*' \
		'tcp   LISTEN 0      511   [fe80::1]%eth0:443          [::]:*'
}
ip() {
	[ "$1 $2" = "netns list" ] && printf '%s\n' 'blue (id: 0)' 'red'
}
EOF

# drive MODE LINE...: for each LINE (the text left of the cursor), fill
# COMP_WORDS as bash does (words end at blanks; a run of COMP_WORDBREAKS
# characters such as ':' or '=' is a word of its own), call the completion
# function, and print "LINE => candidate candidate ..." (sorted).
drive() {
	local mode=$1
	shift
	bash --norc --noprofile -s "$mode" "$comp/whybind.bash" "$tmp/fakes.bash" "$@" <<'EOF'
mode=$1 file=$2 fakes=$3
shift 3
if [ "$mode" = helpers ]; then
	. /usr/share/bash-completion/bash_completion || exit 1
fi
. "$file" || exit 1
. "$fakes"
fn=$(complete -p whybind 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || { echo "no 'complete -F FUNCTION whybind'"; exit 1; }
for line; do
	COMP_WORDS=()
	read -ra toks <<<"$line"
	for tok in "${toks[@]}"; do
		run= kind=
		for ((i = 0; i < ${#tok}; i++)); do
			c=${tok:i:1}
			[[ $COMP_WORDBREAKS == *"$c"* ]] && k=b || k=w
			if [[ -n $run && $k != "$kind" ]]; then
				COMP_WORDS+=("$run")
				run=
			fi
			run+=$c kind=$k
		done
		[[ -n $run ]] && COMP_WORDS+=("$run")
	done
	[[ $line == *[[:space:]] ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line COMP_POINT=${#line}
	COMPREPLY=()
	"$fn" whybind "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s =>' "$line"
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | while IFS= read -r w; do
		[ -n "$w" ] && printf ' %s' "$w"
	done
	echo
done
EOF
}

# expect MODE LINE WORD...: the candidates for LINE are exactly WORD...
expect() {
	local mode=$1 line=$2 want got
	shift 2
	want="$line =>$(printf '%s\n' "$@" | LC_ALL=C sort | while IFS= read -r w; do
		[ -n "$w" ] && printf ' %s' "$w"; done)"
	got=$(drive "$mode" "$line")
	[ "$got" = "$want" ] || fail "bash ($mode): '$line': got [$got], want [$want]"
}

bash_checks() {
	local mode=$1 got opt
	# Every long option of --help, and nothing else, after "--".
	drive "$mode" 'whybind --' >"$tmp/out" || fail "bash ($mode): $(cat "$tmp/out")"
	sed 's/^.*=>//' "$tmp/out" | tr ' ' '\n' | sed -n 's/^\(--[^=]*\)=\{0,1\}$/\1/p' |
		sort -u >"$tmp/offered.long"
	for opt in $(comm -23 "$tmp/help.long" "$tmp/offered.long"); do
		fail "bash ($mode): 'whybind --' does not offer $opt"
	done
	for opt in $(comm -13 "$tmp/help.long" "$tmp/offered.long"); do
		fail "bash ($mode): 'whybind --' offers $opt, which --help does not know"
	done
	# Every short option after "-".
	drive "$mode" 'whybind -' | sed 's/^.*=>//' | tr ' ' '\n' | grep -x -- '-[^-]' |
		sort -u >"$tmp/offered.short"
	for opt in $(comm -23 "$tmp/help.short" "$tmp/offered.short"); do
		fail "bash ($mode): 'whybind -' does not offer $opt"
	done
	for opt in $(comm -13 "$tmp/help.short" "$tmp/offered.short"); do
		fail "bash ($mode): 'whybind -' offers $opt, which --help does not know"
	done

	# Option values.  Bash replaces only the text after the last ':' or '='.
	expect "$mode" 'whybind --color=' auto always never
	expect "$mode" 'whybind --color=al' always
	expect "$mode" 'whybind -j --color=n' never
	expect "$mode" 'whybind --col' --color=
	grep -q -- '--v6only' "$tmp/help.long" &&
		expect "$mode" 'whybind --v6only=' yes no
	if grep -q -- '--netns' "$tmp/help.long"; then
		expect "$mode" 'whybind -n ' blue red
		expect "$mode" 'whybind --netns ' blue red
		expect "$mode" 'whybind --netns=r' red
		expect "$mode" "whybind --netns=$tmp/run/serv" "$tmp/run/server.sock"
	fi

	# Devices and users: this host's own.
	expect "$mode" 'whybind -i l' $(ls /sys/class/net | grep '^l')
	expect "$mode" 'whybind --interface=l' $(ls /sys/class/net | grep '^l')
	expect "$mode" 'whybind -U roo' root
	expect "$mode" 'whybind --user=nob' nobody

	# The positional argument: ports in use, after an ADDRESS: too.
	expect "$mode" 'whybind ' 22 53 443 5353 8080
	expect "$mode" 'whybind 80' 8080
	expect "$mode" 'whybind -u 5' 53 5353
	expect "$mode" 'whybind 127.0.0.1:80' 8080
	expect "$mode" 'whybind [::1]:5' 53 5353
	expect "$mode" 'whybind --color=never 0.0.0.0:44' 443
	# Optional arguments are attached: "--color 80" is the port.
	expect "$mode" 'whybind --color 80' 8080
	# A word with a '/' is a file name.
	expect "$mode" "whybind $tmp/run/ser" "$tmp/run/server.sock"
	# Only one positional argument.
	expect "$mode" 'whybind 8080 '
	expect "$mode" 'whybind -n blue 8080 '
	expect "$mode" 'whybind -n blue '  22 53 443 5353 8080
}

if [ -r /usr/share/bash-completion/bash_completion ]; then
	bash_checks helpers
else
	missing_tool bash-completion
fi
bash_checks plain

# Without the fakes: this host's own ports, whatever they are, are numbers.
bash --norc --noprofile -c '. "$1" && _whybind_ports' sh "$comp/whybind.bash" \
	>"$tmp/ports" 2>&1 || fail "_whybind_ports: $(cat "$tmp/ports")"
grep -vx '[1-9][0-9]*' "$tmp/ports" >/dev/null &&
	fail "_whybind_ports printed more than port numbers: $(head -3 "$tmp/ports")"
# The same from /proc/net, as where ss is missing.
bash --norc --noprofile -c 'ss() { return 127; }; . "$1" && _whybind_ports' sh \
	"$comp/whybind.bash" >"$tmp/ports" 2>&1 || fail "_whybind_ports (/proc): $(cat "$tmp/ports")"
grep -vx '[1-9][0-9]*' "$tmp/ports" >/dev/null &&
	fail "_whybind_ports (/proc) printed more than port numbers: $(head -3 "$tmp/ports")"

# zsh: the file parses, and names every long option of --help.
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$comp/_whybind" 2>"$tmp/zsh.err" || fail "zsh -n _whybind: $(cat "$tmp/zsh.err")"
	head -1 "$comp/_whybind" | grep -qx '#compdef whybind' || fail "_whybind lacks '#compdef whybind'"
	while read -r opt; do
		grep -q -- "$opt[]=[}']" "$comp/_whybind" || fail "zsh: _whybind does not complete $opt"
	done <"$tmp/help.long"
else
	missing_tool zsh
fi

# fish: the file parses, and fish itself offers every long option of
# --help, and the --color values.
if command -v fish >/dev/null 2>&1; then
	fish -n "$comp/whybind.fish" 2>"$tmp/fish.err" || fail "fish -n whybind.fish: $(cat "$tmp/fish.err")"
	HOME=$tmp XDG_CONFIG_HOME=$tmp XDG_DATA_HOME=$tmp fish --no-config -c '
		set fish_complete_path $argv[1]
		source $argv[1]/whybind.fish
		complete -C "whybind --"
		complete -C "whybind --color="
	' "$comp" >"$tmp/fish.out" 2>&1 || fail "fish: $(cat "$tmp/fish.out")"
	cut -f1 "$tmp/fish.out" | sed -n 's/^\(--[^=]*\)=\{0,1\}$/\1/p' | sort -u >"$tmp/fish.long"
	for opt in $(comm -23 "$tmp/help.long" "$tmp/fish.long"); do
		fail "fish: 'whybind --' does not offer $opt"
	done
	for opt in $(comm -13 "$tmp/help.long" "$tmp/fish.long"); do
		fail "fish: 'whybind --' offers $opt, which --help does not know"
	done
	for v in auto always never; do
		grep -q "^--color=$v	" "$tmp/fish.out" || fail "fish: no --color=$v"
	done
else
	missing_tool fish
fi

[ "$WB_FAIL" -gt 0 ] ||
	pass "completions: $(wc -l <"$tmp/help.long") long options in bash, zsh and fish"
