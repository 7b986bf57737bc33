#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/check.sh KERNEL TEST...: what `make check-vm` runs.  Boots the
# Debian 12 guest on KERNEL (tests/vm/run.sh) and runs the integration
# tests in it from the host's build tree (shared read-only: the host and
# the guest are both Debian 12, so the host's binaries run unchanged),
# as make check would (same environment, exit 77 = SKIP, 99 = ERROR).
# Prints one line a test and the logs of those that did not pass; the
# logs are kept in $WB_VM_LOGS (default /var/tmp/whybind-vm/logs-KERNEL).
# Environment: top_srcdir and top_builddir (absolute;
# default: this tree), WB_VM_TEST_TIMEOUT (seconds a test, 1800).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: check.sh 6.1|6.12 TEST..." >&2; exit 2; }
kernel=$1
shift
src=$(cd "${top_srcdir:-$here/../..}" && pwd)
build=$(cd "${top_builddir:-$src}" && pwd)
[ -x "$build/src/whybind" ] || { echo "tests/vm: $build is not built" >&2; exit 2; }
logs=${WB_VM_LOGS:-/var/tmp/whybind-vm/logs-$kernel}
rm -rf "$logs"
mkdir -p "$logs"

shares=$src
[ "$build" = "$src" ] || shares="$src $build"
# The guest's side: one result line a test, the failures' logs after.
cmd="export WHYBIND='$build/src/whybind' WBFIX='$build/tests/wbfix' \
NLINJECT='$build/tests/nlinject.so' TESTLIB='$src/tests/lib.sh' CI='${CI:-}'
mkdir -p /run/wbout/logs
# A system service starts with systemd's soft limit of 1024 descriptors;
# a root shell on a host has more, and some tests open thousands.
ulimit -n \"\$(ulimit -Hn)\"
echo \"guest up: \$(cut -d' ' -f1 /proc/uptime) s since the kernel started\"
n=0 bad=0 badlogs=
for t in $*; do
	log=/run/wbout/logs/\$(basename \"\$t\" .sh).log
	s=\$(date +%s)
	timeout ${WB_VM_TEST_TIMEOUT:-1800} sh '$src'/\$t >\"\$log\" 2>&1 </dev/null
	rc=\$?
	case \$rc in
	0) r=PASS ;; 77) r=SKIP ;; 99) r=ERROR ;; 124) r='FAIL (timeout)' ;; *) r=FAIL ;;
	esac
	case \$r in
	PASS | SKIP) ;;
	*) bad=\$((bad + 1)) badlogs=\"\$badlogs \$log\" ;;
	esac
	n=\$((n + 1))
	echo \"\$r: \$t (\$((\$(date +%s) - s)) s, \$(grep -c '^ok:' \"\$log\") ok, \$(grep -c '^FAIL' \"\$log\") FAIL)\"
done
for l in \$badlogs; do
	echo \"--- \$l\"
	cat \"\$l\"
done
echo \"\$n tests on \$(uname -r): \$bad not passed\"
[ \$bad -eq 0 ]"

set +e
WB_VM_SHARES=$shares WB_VM_CWD=$build WB_VM_LOGS=$logs \
	"$here/run.sh" "$kernel" "$cmd"
rc=$?
set -e
echo "tests/vm: logs in $logs"
exit $rc
