#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# AF_UNIX targets: a stale socket file, a live listener on a path, an
# abstract name (per socket type), a path that is no socket, a missing or
# unwritable directory; --fix removes only the stale file.
. "${TESTLIB:?run from make check}"
chmod 755 "$WB_TMP"		# uid 65534 must reach its files (-U nobody)
D=$WB_TMP

# A stale socket file: bound, then the server went away.
fixture unixstale "$D/app.sock" stream
wb --json "$D/app.sock"
expect_rc 1
jeq '.request | {protocol, family, path, abstract, type, address, port}' \
	"{protocol: \"unix\", family: \"unix\", path: \"$D/app.sock\", abstract: false, type: \"stream\", address: null, port: null}"
jeq '.bind | {ok, probed, errno}' '{ok: false, probed: true, errno: "EADDRINUSE"}'
jeq '.verdict.cause' '"unix-stale"'
jeq '.conflicts' '[]'
jeq '.file | {exists, type}' '{exists: true, type: "socket"}'
jeq '[.verdict.fixes[] | select(.action == "remove-stale-socket") | .command]' \
	"[\"rm -- $D/app.sock\"]"
jqt '.verdict.summary | test("no live socket in this network namespace")'
wb "$D/app.sock"
expect_rc 1
out_has '^bind unix stream .*/app\.sock: Address already in use$'
out_has "rm -- $D/app.sock"
# --no-probe agrees, from the file alone.
wb --json --no-probe "$D/app.sock"
expect_rc 1
jeq '{probed: .bind.probed, ok: .bind.ok, cause: .verdict.cause}' \
	'{probed: false, ok: false, cause: "unix-stale"}'
# --fix removes it, then the bind succeeds.
wb --json --fix "$D/app.sock"
expect_rc 0
jeq '.fix | {removed, error}' '{removed: true, error: null}'
jeq '.bind.ok' true
check "the stale file is gone" test ! -e "$D/app.sock"

# A free path: the probe's own socket file does not stay behind.
wb --json "$D/free.sock"
expect_rc 0
jeq '.verdict.cause' '"free"'
check "the probe left no file" test ! -e "$D/free.sock"

# A live listener on a path: its owner, never an rm.
fixture unix "$D/live.sock" stream prefork=2
holder=$FIX_PID
wb --json "$D/live.sock"
expect_rc 1
jeq '.verdict.cause' '"unix-live"'
jeq '.conflicts | length' 1
jeq '.conflicts[0] | {protocol, family, type, state, path, abstract}' \
	"{protocol: \"unix\", family: \"unix\", type: \"stream\", state: \"LISTEN\", path: \"$D/live.sock\", abstract: false}"
jeq "[.conflicts[0].owners[].pid] | sort" "[$holder, ${FIX_PIDS}] | sort"
jqt '.conflicts[0].inode | type == "number" and . > 0'
jeq "[.verdict.fixes[] | select(.command != null) | .command | select(test(\"^rm \"))]" '[]'
jqt '.verdict.summary | test("never remove it")'
# --fix leaves it alone.
wb --json --fix "$D/live.sock"
expect_rc 1
jqt '.fix.removed == false and (.fix.error | test("nothing safe"))'
check "the live socket file is still there" test -S "$D/live.sock"
check "its holder still runs" kill -0 "$holder"
# A datagram socket may not take the path either: the file is in the way.
wb --json -u "$D/live.sock"
expect_rc 1
jeq '{type: .request.type, cause: .verdict.cause}' '{type: "dgram", cause: "unix-live"}'

# Stopped holders (every process that has it): resume them, do not
# remove the file.
children=$FIX_CHILDREN
for p in "$holder" $children; do stop_proc "$p"; done
wb --json "$D/live.sock"
expect_rc 1
jeq '.verdict.cause' '"unix-live"'
jqt ".verdict.fixes[0] | .action == \"resume-process\" and (.command | test(\"kill -CONT\"))"
kill -CONT "$holder" $children

# An abstract name held by a live datagram socket.
name="wbtest-$$-abs"
fixture unix "@$name" dgram
holder=$FIX_PID
wb --json -u "@$name"
expect_rc 1
jeq '.request | {path, abstract, type}' "{path: \"@$name\", abstract: true, type: \"dgram\"}"
jeq '.verdict.cause' '"unix-live"'
jeq '.conflicts[0] | {type, state, path, abstract}' \
	"{type: \"dgram\", state: \"UNCONN\", path: \"@$name\", abstract: true}"
jeq '[.conflicts[0].owners[].pid]' "[$holder]"
jqt '.file == null'
# Abstract names are per socket type: a stream socket may take it.
wb --json -v "@$name"
expect_rc 0
jeq '.verdict.cause' '"free"'
jqt '.others | length == 1 and (.[0].reason | test("another socket type"))'
wb --json --no-probe -u "@$name"
expect_rc 1
jeq '{probed: .bind.probed, cause: .verdict.cause}' '{probed: false, cause: "unix-live"}'
# An escaped byte in the name, as ss prints it.
fixture unix "@$name-"$'\x01'"x" stream
wb --json "@$name-\\x01x"
expect_rc 1
jeq '.verdict.cause' '"unix-live"'
jeq '.request.path' "\"@$name-\\u0001x\""

# A regular file and a directory are not stale: not touched by --fix.
echo data >"$D/plain"
wb --json --fix "$D/plain"
expect_rc 1
jeq '{cause: .verdict.cause, type: .file.type}' '{cause: "unix-not-socket", type: "regular file"}'
check "--fix left the regular file" test "$(cat "$D/plain")" = data
mkdir "$D/dir.sock"
wb --json --fix "$D/dir.sock"
expect_rc 1
jeq '{cause: .verdict.cause, type: .file.type}' '{cause: "unix-not-socket", type: "directory"}'
check "--fix left the directory" test -d "$D/dir.sock"
ln -s "$D/nowhere" "$D/link.sock"
wb --json "$D/link.sock"
expect_rc 1
jeq '{cause: .verdict.cause, type: .file.type}' '{cause: "unix-not-socket", type: "symbolic link"}'

# A missing directory.
wb --json "$D/no/such/dir/app.sock"
expect_rc 1
jeq '{errno: .bind.errno, cause: .verdict.cause}' '{errno: "ENOENT", cause: "unix-no-directory"}'
jeq '[.verdict.fixes[] | select(.action == "create-directory") | .command]' \
	"[\"mkdir -p -- $D/no/such/dir\"]"

# A directory the server's user may not write: as nobody (-U), and run
# as nobody itself.
mkdir -m 755 "$D/rootonly"
wb --json -U nobody "$D/rootonly/app.sock"
expect_rc 1
jeq '{errno: .bind.errno, cause: .verdict.cause, user: .request.user}' \
	'{errno: "EACCES", cause: "permission", user: "nobody"}'
jqt '.file.directory_writable == true'
jqt '.verdict.summary | test("nobody")'
check "the probe as nobody left no file" test ! -e "$D/rootonly/app.sock"
wb_as_nobody --json "$D/rootonly/app.sock"
expect_rc 1
jeq '{cause: .verdict.cause, writable: .file.directory_writable}' '{cause: "permission", writable: false}'
# ...and a directory nobody may write: the probe as nobody succeeds and
# removes its own file.
mkdir -m 777 "$D/open"
wb --json -U nobody "$D/open/app.sock"
expect_rc 0
check "the probe as nobody left no file" test ! -e "$D/open/app.sock"

# Bad input: one line, exit 2, nothing done.
long=$D/$(printf 'a%.0s' $(seq 1 120))
wb "$long"
expect_rc 2
check "one line about sun_path" test "$(lines "$WB_ERR")" = 1 -a -z "$OUT"
wb "@a\\x00b"
expect_rc 2
check "an abstract name with a NUL is refused" grep -q 'NUL' "$WB_ERR"
wb -r "$D/app.sock"
expect_rc 2
check "-r is refused for a path" grep -q 'not to an AF_UNIX socket' "$WB_ERR"
