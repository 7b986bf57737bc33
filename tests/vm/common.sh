# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/common.sh: sourced by build-image.sh and run.sh.
#
# The image is cached under $WB_VM_CACHE (default /var/tmp/whybind-vm),
# in a directory named after a hash of everything that shapes it: the
# build script, this file and the guest's files.  Editing any of them
# makes the next run build a new image; an unchanged tree reuses it.

WB_VM_DIR=$(cd "$(dirname "$0")" && pwd)
: "${WB_VM_CACHE:=/var/tmp/whybind-vm}"

wb_vm_die() {
	echo "tests/vm: $*" >&2
	exit 2
}

wb_vm_key() {
	(cd "$WB_VM_DIR" && cat build-image.sh common.sh guest/*) |
		sha256sum | cut -c1-16
}

WB_VM_IMAGE_DIR=$WB_VM_CACHE/$(wb_vm_key)

# The Debian mirror this machine's apt uses (the only network here).
wb_vm_mirror() {
	local m

	m=$(grep -h -E '^(URIs:|deb )' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
		2>/dev/null | grep -o -E 'https?://[^ ]+/debian/?$' | head -n 1)
	echo "${WB_VM_MIRROR:-${m:-http://deb.debian.org/debian}}"
}

# KVM only where it can run a stock kernel: a hardware-virtualising host
# shows vmx or svm in /proc/cpuinfo.  A paravirtual nested KVM (kvm_pvm)
# has /dev/kvm but no such flag and cannot boot Debian's kernel: TCG.
wb_vm_accel() {
	if [ -n "${WB_VM_ACCEL:-}" ]; then
		echo "$WB_VM_ACCEL"
	elif [ -d /sys/module/kvm_pvm ]; then
		echo tcg
	elif [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		grep -q -w -E 'vmx|svm' /proc/cpuinfo; then
		echo kvm
	else
		echo tcg
	fi
}
