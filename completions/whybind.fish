# fish completion for whybind(1)
# SPDX-License-Identifier: GPL-2.0-or-later

# Options with an argument, for telling a separate argument ("-n NAME")
# from the positional one.  Add a new such option here too.
set -g __whybind_arg_options -n --netns -i --interface -U --user

# The ports in use on this host: listening TCP and bound UDP, from ss, or
# from /proc/net (ports in hex) where ss is missing.
function __whybind_ports
    set -l ports
    if command -q ss
        set ports (ss -Hltun 2>/dev/null | string replace -r '^(\S+\s+){4}\S*:(\d+)\s.*$' '$2' | string match -r '^[1-9]\d*$')
    end
    if test (count $ports) -eq 0
        for f in /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6
            test -r $f; or continue
            while read -l -a fields
                # TCP: only LISTEN (0A); UDP: every bound socket.
                string match -q '*udp*' $f; or test "$fields[4]" = 0A; or continue
                set -l hex (string split -f 2 : -- $fields[2])
                string match -qr '^[0-9A-F]{4}$' -- $hex; and set -a ports (math "0x$hex")
            end <$f
        end
    end
    printf '%s\n' $ports | sort -nu
end

# The ports, after the ADDRESS: the current word already has.
function __whybind_target_ports
    set -l tok (commandline -ct)
    set -l prefix ''
    string match -q '*:*' -- $tok; and set prefix (string replace -r ':[^:]*$' ':' -- $tok)
    for p in (__whybind_ports)
        echo $prefix$p
    end
end

# The value being typed for an option: without "--opt=" or "-o".
function __whybind_optarg
    commandline -ct | string replace -r -- '^(--[^=]*=|-[^-])' ''
end

# ip-netns names, or a namespace file (/proc/PID/ns/net, /run/netns/NAME).
function __whybind_netns
    set -l arg (__whybind_optarg)
    if string match -q -- '*/*' $arg
        __fish_complete_path $arg
    else
        ip netns list 2>/dev/null | string replace -r '\s.*' ''
    end
end

function __whybind_interfaces
    for dev in /sys/class/net/*
        basename $dev
    end
end

function __whybind_users
    __fish_complete_users
end

# True once "--exec COMMAND" is on the line: the rest is the command's.
function __whybind_after_exec
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l i (contains -i -- -x $tokens; or contains -i -- --exec $tokens)
    test -n "$i"; and test (count $tokens) -gt $i
end

# What the command after --exec completes, as if typed alone.
function __whybind_exec_subcommand
    set -l tokens (commandline -opc) (commandline -ct)
    set -l i (contains -i -- -x $tokens; or contains -i -- --exec $tokens)
    __fish_complete_subcommand --commandline $tokens[(math $i + 1)..-1]
end

# True while the [ADDRESS:]PORT (or socket path) is still to come.
function __whybind_wants_target
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    set -l dashdash 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
        else if test $dashdash -eq 0; and test "$t" = --
            set dashdash 1
        else if test $dashdash -eq 0; and contains -- $t -x --exec
            return 1
        else if test $dashdash -eq 0; and string match -q -- '-*' $t
            contains -- $t $__whybind_arg_options; and set skip 1
        else
            return 1
        end
    end
    return 0
end

complete -c whybind -f

# Every option, in the order of --help.  A new option is one line here.
complete -c whybind -s 4 -d 'IPv4: a bare PORT means 0.0.0.0:PORT (the default)'
complete -c whybind -s 6 -d 'IPv6: a bare PORT means [::]:PORT'
complete -c whybind -s m -l message -x -a 'help -' -d "The server's error message: diagnose the bind that failed in it (- reads stdin)"
complete -c whybind -s n -l netns -x -a '(__whybind_netns)' -d 'Diagnose inside that network namespace (name, path or PID)'
complete -c whybind -s r -l reuseaddr -d 'The server sets SO_REUSEADDR'
complete -c whybind -s R -l reuseport -d 'The server sets SO_REUSEPORT'
complete -c whybind -s t -l tcp -d 'A TCP bind (the default)'
complete -c whybind -s u -l udp -d 'A UDP bind'
complete -c whybind -n 'not __whybind_after_exec' -s x -l exec -x -a '(__fish_complete_command)' -d 'Run COMMAND [ARG...] and diagnose each of its failing binds'
complete -c whybind -l watch -d 'Until Ctrl+C, catch and diagnose every failing bind on the host'
complete -c whybind -l v6only -a 'yes no' -d "IPV6_V6ONLY of the server's IPv6 socket"
complete -c whybind -l fix -d 'Destroy the conflicting TIME_WAIT sockets or remove a stale socket file, then probe again'
complete -c whybind -l no-probe -d "Read-only: never call bind(); predict from the kernel's rules"
complete -c whybind -s w -l wait -a '10 30 60 120 300' -d 'Wait until the bind would succeed (SECONDS, default 60)'
complete -c whybind -l color -a 'auto always never' -d 'When to colour the output'
complete -c whybind -l journal -d '--watch: also write each failure to the journal'
complete -c whybind -s j -l json -d 'Machine-readable JSON on stdout'
complete -c whybind -s q -l quiet -d 'Print nothing; the exit status says it'
complete -c whybind -s v -l verbose -d 'Also list the sockets that are not in the way, and why'
complete -c whybind -s '?' -l help -d 'Give the help list'
complete -c whybind -l usage -d 'Give a short usage message'
complete -c whybind -s V -l version -d 'Print the program version'
complete -c whybind -s i -l interface -x -a '(__whybind_interfaces)' -d 'The server binds to that device'
complete -c whybind -s U -l user -x -a '(__whybind_users)' -d 'Probe as that user'

# The positional argument: a port in use (after an ADDRESS: if given), or a
# file name once the word has a '/'.
complete -c whybind -n '__whybind_wants_target; and not string match -q -- "*/*" (commandline -ct)' -a '(__whybind_target_ports)' -d 'port in use'
complete -c whybind -n '__whybind_wants_target; and string match -q -- "*/*" (commandline -ct)' -F
# After --exec COMMAND: what the command itself completes.
complete -c whybind -n __whybind_after_exec -x -a '(__whybind_exec_subcommand)'
