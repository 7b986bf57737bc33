#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/run.sh KERNEL COMMAND: boot the cached Debian 12 guest on
# kernel KERNEL (6.1 or 6.12), run the shell COMMAND inside, print its
# output and exit with its status.
#
# The command runs as root under systemd, after multi-user.target (docker,
# nginx, supervisor up), in $WB_VM_CWD (default: the tree's top).  The
# directories in $WB_VM_SHARES (default: the tree's top) are shared
# read-only over virtio-9p at the same paths; output and status come back
# through a writable 9p share.  The disk is a snapshot: nothing persists.
# Environment: WB_VM_ACCEL (kvm|tcg, else detected), WB_VM_MEM (MiB,
# 2048), WB_VM_SMP (2), WB_VM_TIMEOUT (seconds, 3600), WB_VM_KEEP=1
# keeps the run directory (console.log, output), WB_VM_LOGS=DIR receives
# what the command wrote in /run/wbout/logs.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -ge 2 ] || wb_vm_die "usage: run.sh 6.1|6.12 COMMAND"
kernel=$1
shift
command -v qemu-system-x86_64 >/dev/null ||
	wb_vm_die "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"
img=$WB_VM_IMAGE_DIR
if [ "${WB_VM_PROVISION:-}" != 1 ] && [ ! -f "$img/manifest" ]; then
	wb_vm_die "no image in $img: build it first (sudo tests/vm/build-image.sh)"
fi
[ -f "$img/vmlinuz-$kernel" ] ||
	wb_vm_die "no kernel $kernel in $img (have: $(ls "$img" | sed -n 's/^vmlinuz-//p' | tr '\n' ' '))"
[ "$(id -u)" -eq 0 ] || wb_vm_die "needs root (9p shares keep the host's owners)"

top=$(cd "$WB_VM_DIR/../.." && pwd)
run=$(mktemp -d "$WB_VM_CACHE/run.XXXXXX")
trap '[ "${WB_VM_KEEP:-}" = 1 ] && echo "tests/vm: kept $run" >&2 || rm -rf "$run"' EXIT
mkdir "$run/out"
printf '%s\n' "$*" >"$run/out/cmd"
echo "${WB_VM_CWD:-$top}" >"$run/out/cwd"
: >"$run/out/shares"
share_args=()
i=0
for d in ${WB_VM_SHARES:-$top}; do
	d=$(cd "$d" && pwd)
	echo "$d" >>"$run/out/shares"
	share_args+=(-virtfs "local,path=$d,mount_tag=wbro$i,security_model=none,readonly=on")
	i=$((i + 1))
done
snapshot=on
if [ "${WB_VM_PROVISION:-}" = 1 ]; then
	snapshot=off
	: >"$run/out/provision"
fi

accel=$(wb_vm_accel)
cpu=max
[ "$accel" = kvm ] && cpu=host
start=$(date +%s)
set +e
nice -n 10 timeout "${WB_VM_TIMEOUT:-3600}" qemu-system-x86_64 \
	-accel "$accel" -cpu "$cpu" -m "${WB_VM_MEM:-2048}" -smp "${WB_VM_SMP:-2}" \
	-nodefaults -display none -no-reboot -nic none \
	-serial "file:$run/console.log" \
	-drive "file=$img/root.img,format=raw,if=virtio,snapshot=$snapshot" \
	-kernel "$img/vmlinuz-$kernel" -initrd "$img/initrd-$kernel" \
	-append "root=/dev/vda rw console=ttyS0 quiet panic=-1 whybind.run=1" \
	-virtfs "local,path=$run/out,mount_tag=wbout,security_model=none" \
	"${share_args[@]}"
qrc=$?
set -e
secs=$(( $(date +%s) - start ))
cat "$run/out/output" 2>/dev/null || true
if [ -n "${WB_VM_LOGS:-}" ] && [ -d "$run/out/logs" ]; then
	cp -r "$run/out/logs/." "$WB_VM_LOGS/"
fi
if [ ! -s "$run/out/status" ]; then
	echo "tests/vm: no exit status from the guest (qemu exit $qrc after $secs s; 124 = timeout); console:" >&2
	tail -n 40 "$run/console.log" >&2
	exit 125
fi
echo "tests/vm: kernel $(cat "$run/out/kernel"), accel $accel, $secs s, status $(cat "$run/out/status")" >&2
exit "$(cat "$run/out/status")"
