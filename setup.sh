#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: install the build dependencies (Debian),
# build whybind, and show it diagnosing a real conflict that this script
# sets up itself in a throwaway network namespace.
#
#   sudo ./setup.sh           all of it: deps, build, demo
#   sudo ./setup.sh deps      only the Debian packages
#   ./setup.sh packages       the list of those packages
#   ./setup.sh build          only the build
#   sudo ./setup.sh demo      only the demo (needs the build)
set -eu
cd "$(dirname "$0")"

# Build: toolchain, libraries. Tests: jq, iproute2, util-linux (unshare,
# setpriv), procps, time (peak RSS), python3-jsonschema (every JSON output
# against doc/whybind.schema.json). Docs and packaging checks: man-db, groff, zsh, fish,
# bash-completion, debhelper, lintian; strace, gdb and valgrind drive the
# safety, interruption and pid-reuse tests; clang the fuzzers; the real
# servers (nginx, Redis, Python, sshd, HAProxy, Go, Node.js) print the
# error messages that whybind -m reads (tests/integration/messages.sh).
DEPS="build-essential autoconf automake pkg-config libmnl-dev libjansson-dev
libbpf-dev bpftool libsystemd-dev
jq python3-jsonschema iproute2 util-linux procps psmisc time man-db groff-base bash-completion zsh fish
debhelper lintian dpkg-dev strace gdb valgrind clang libclang-rt-14-dev
nginx-light redis-server python3 openssh-server openssh-client haproxy golang-go nodejs
supervisor runit s6"

deps() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: installing packages needs root (sudo ./setup.sh)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# The servers among the packages are for the tests, which start their
	# own in a private namespace: keep apt from starting their services
	# (Debian's policy-rc.d, honoured by invoke-rc.d and deb-systemd-invoke).
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
	fi
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $DEPS >/dev/null || {
		[ -z "$policy" ] || rm -f "$policy"
		exit 1
	}
	[ -z "$policy" ] || rm -f "$policy"
}

build() {
	[ -x configure ] || autoreconf -fi
	[ -f Makefile ] || ./configure --quiet
	make -s -j"$(nproc)"
}

demo() {
	unshare -n sh -s <<'DEMO'
set -e
ip link set lo up
echo '$ # a server listening on 8080, then stopped with Ctrl+Z (SIGSTOP)'
tests/wbfix listen 0.0.0.0 8080 comm=myserver >/tmp/whybind-demo.$$ &
pid=$!
while ! grep -q ready /tmp/whybind-demo.$$ 2>/dev/null; do sleep 0.05; done
kill -STOP $pid
while ! grep -q "^[0-9]* ([^)]*) T" /proc/$pid/stat; do sleep 0.02; done
echo '$ whybind 8080'
src/whybind --color=always 8080 || true
kill -CONT $pid; kill $pid; wait $pid 2>/dev/null || true
echo
echo '$ # a server that closed its connection first leaves TIME_WAIT'
tests/wbfix timewait 127.0.0.1 8080 >/dev/null
echo '$ whybind -r 8080'
src/whybind --color=always -r 8080 || true
rm -f /tmp/whybind-demo.$$
DEMO
}

case "${1:-all}" in
deps) deps ;;
packages) echo $DEPS ;;
build) build ;;
demo) make -s tests/wbfix && demo ;;
all) deps && build && make -s tests/wbfix && demo ;;
*) echo "usage: setup.sh [all|deps|packages|build|demo]" >&2; exit 2 ;;
esac
