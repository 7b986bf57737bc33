# bash completion for whybind(1)                          -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Works with the bash-completion package (installed as
# .../bash-completion/completions/whybind) and without it (sourced from
# ~/.bashrc).

# Every option, in the order of --help: its names; its argument: '-' none,
# '=' required (--opt=VAL, --opt VAL, -oVAL, -o VAL), '?' optional (attached
# only: --opt=VAL, -oVAL); and the function that prints the argument's
# values, one a line.  A new option is one line here.
_whybind_options=(
	'-4                  -'
	'-6                  -'
	'-i --interface      = _whybind_interfaces'
	'-m --message        = _whybind_messages'
	'-n --netns          = _whybind_netns'
	'-r --reuseaddr      -'
	'-R --reuseport      -'
	'-t --tcp            -'
	'-x --exec           = _whybind_commands'
	'--watch             -'
	'-u --udp            -'
	'-U --user           = _whybind_users'
	'--v6only            ? _whybind_yes_no'
	'--fix               -'
	'--no-probe          -'
	'-w --wait           ? _whybind_seconds'
	'--color             ? _whybind_color'
	'--journal           -'
	'-j --json           -'
	'-q --quiet          -'
	'-v --verbose        -'
	'-? --help           -'
	'--usage             -'
	'-V --version        -'
)

# Value completers: print candidates, one a line (the caller filters them).
_whybind_yes_no() { printf '%s\n' yes no; }
_whybind_color() { printf '%s\n' auto always never; }
_whybind_seconds() { printf '%s\n' 10 30 60 120 300; }
# --message: "help" lists the forms, "-" reads stdin; else a pasted text.
_whybind_messages() { printf '%s\n' help -; }

# ip-netns names, or a namespace file (/proc/PID/ns/net, /run/netns/NAME).
_whybind_netns()
{
	if [[ $1 == */* ]]; then
		compgen -f -- "$1"
	else
		ip netns list 2>/dev/null | while IFS=$' \t' read -r name _; do
			printf '%s\n' "$name"
		done
	fi
}

_whybind_interfaces()
{
	local dev
	for dev in /sys/class/net/*; do
		[[ -e $dev ]] && printf '%s\n' "${dev##*/}"
	done
}

_whybind_users() { compgen -u; }

# --exec COMMAND: commands, or a file name once the word has a '/'.
_whybind_commands()
{
	if [[ $1 == */* ]]; then
		compgen -f -- "$1"
	else
		compgen -c -- "$1"
	fi
}

# After --exec COMMAND every word is the command's: complete as for the
# command itself (bash-completion's _command_offset), else file names.
# Status 1 when there is no --exec COMMAND left of the cursor.
_whybind_after_exec()
{
	local i
	for ((i = 1; i < cword - 1; i++)); do
		[[ ${words[i]} == -- ]] && return 1
		[[ ${words[i]} == -x || ${words[i]} == --exec ]] && break
	done
	((i < cword - 1)) || return 1
	if declare -F _command_offset >/dev/null; then
		_command_offset $((i + 1))
	else
		local IFS=$'\n'
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
	fi
	return 0
}

# The ports in use on this host: listening TCP and bound UDP.  From ss, or
# from /proc/net (ports in hex) where ss is missing.
_whybind_ports()
{
	local out hex=() IFS=$' \t\n'
	if out=$(ss -Hltun 2>/dev/null) && [[ $out ]]; then
		awk '{ p = $5; sub(/.*:/, "", p); if (p ~ /^[0-9]+$/ && p > 0) print p }' <<<"$out"
	else
		hex=($(awk 'FNR > 1 && ($4 == "0A" || FILENAME ~ /udp/) {
				sub(/.*:/, "", $2); print "0x" $2 }' \
			/proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null))
		((${#hex[@]})) && printf '%d\n' "${hex[@]}"
	fi | sort -nu
}

# Option $1 ("--netns", "-n"): sets _whybind_kind ('-', '=', '?') and
# _whybind_fn; status 1 if there is no such option.
_whybind_arg()
{
	local line w
	for line in "${_whybind_options[@]}"; do
		IFS=$' \t\n' read -ra w <<<"$line"
		local i n=${#w[@]}
		for ((i = 0; i < n; i++)); do
			[[ ${w[i]} == [-=?] ]] && break
			if [[ ${w[i]} == "$1" ]]; then
				while ((i < n)) && [[ ${w[i]} != [-=?] ]]; do ((i++)); done
				_whybind_kind=${w[i]-} _whybind_fn=${w[i + 1]-}
				return 0
			fi
		done
	done
	return 1
}

# Every option name as offered: '--name=' for a long option with an
# argument.
_whybind_all_options()
{
	local line w kind name
	for line in "${_whybind_options[@]}"; do
		IFS=$' \t\n' read -ra w <<<"$line"
		kind=-
		for name in "${w[@]}"; do
			[[ $name == [-=?] ]] && kind=$name && break
		done
		for name in "${w[@]}"; do
			[[ $name == [-=?] ]] && break
			if [[ $name == --* && $kind != - ]]; then
				printf '%s=\n' "$name"
			else
				printf '%s\n' "$name"
			fi
		done
	done
}

# Without bash-completion: the words from the line itself, joined again
# where bash split them at ':' or '=' (no quoting rules).
_whybind_init_words()
{
	local left=${COMP_LINE:0:COMP_POINT}
	IFS=$' \t\n' read -ra words <<<"$left"
	[[ -z $left || $left == *[[:space:]] ]] && words+=("")
	cword=$((${#words[@]} - 1))
	cur=${words[cword]}
	prev=
	((cword > 0)) && prev=${words[cword - 1]}
	split=false
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*} cur=${cur#*=} split=true
	fi
	return 0
}

_whybind()
{
	local cur prev words cword split=false
	local _whybind_kind _whybind_fn
	if declare -F _init_completion >/dev/null; then
		_init_completion -s -n : || return
	else
		_whybind_init_words
	fi

	_whybind_after_exec && return

	local prefix= values=
	# The argument of an option: --opt=VAL, --opt VAL, -o VAL, -oVAL.
	if $split && _whybind_arg "$prev" && [[ $_whybind_kind != - ]]; then
		values=$_whybind_fn
	elif ! $split && [[ $prev == -* && $prev != -*=* ]] &&
		_whybind_arg "$prev" && [[ $_whybind_kind == = ]]; then
		values=$_whybind_fn
	elif [[ $cur == -[!-]?* ]] && _whybind_arg "${cur:0:2}" &&
		[[ $_whybind_kind != - ]]; then
		prefix=${cur:0:2} cur=${cur:2}
		values=$_whybind_fn
	fi
	if [[ $values ]]; then
		local IFS=$'\n'
		COMPREPLY=($(compgen -P "$prefix" -W '$("$values" "$cur")' -- "$cur"))
		[[ $cur == */* ]] && compopt -o filenames 2>/dev/null
		cur=$prefix$cur
		_whybind_finish
		return
	fi

	# Options, unless after "--".
	local i n=0 double_dash=false
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--) double_dash=true ;;
		-*) $double_dash && ((n++)) ;;
		*)
			# Not the separate argument of the option before it?
			if ! { [[ ${words[i - 1]} == -* ]] &&
				_whybind_arg "${words[i - 1]}" &&
				[[ $_whybind_kind == = ]]; }; then
				((n++))
			fi
			;;
		esac
	done
	if [[ $cur == -* ]] && ! $double_dash; then
		local IFS=$'\n'
		COMPREPLY=($(compgen -W '$(_whybind_all_options)' -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi

	# The one positional argument: [ADDRESS:]PORT, a socket path, or an
	# abstract name (those bound now, from /proc/net/unix).
	((n > 0)) && return
	if [[ $cur == @* ]]; then
		local IFS=$'\n'
		COMPREPLY=($(compgen -W '$(awk '\''NR > 1 && $8 ~ /^@/ { print $8 }'\'' /proc/net/unix 2>/dev/null | sort -u)' -- "$cur"))
		return
	fi
	if [[ $cur == */* || $cur == [.~]* ]]; then
		if declare -F _filedir >/dev/null; then
			_filedir
		else
			local IFS=$'\n'
			COMPREPLY=($(compgen -f -- "$cur"))
			compopt -o filenames 2>/dev/null
		fi
		return
	fi
	[[ $cur == *:* ]] && prefix=${cur%:*}: cur=${cur##*:}
	COMPREPLY=($(compgen -P "$prefix" -W '$(_whybind_ports)' -- "$cur"))
	cur=$prefix$cur
	_whybind_finish
}

# Bash replaces only what follows the last word-break character (':', '='):
# drop the part of each candidate before it.
_whybind_finish()
{
	local left=${COMP_LINE:0:COMP_POINT} i
	local word=${left##*["$COMP_WORDBREAKS"]}
	local cut=$((${#cur} - ${#word}))
	if ((cut > 0)) && [[ $cur == *"$word" ]]; then
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]:cut}
		done
	fi
}

complete -F _whybind whybind
