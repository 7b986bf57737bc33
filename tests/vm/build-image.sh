#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/build-image.sh: build the Debian 12 guest (see tests/vm/README).
#
# debootstrap bookworm from the host's Debian mirror, add the two kernels
# Debian 12 users run (6.1 and 6.12 from bookworm-security), systemd,
# docker.io, nginx-light, supervisor and the integration tests' tools,
# then pack it as a raw ext4 image (mkfs.ext4 -d: no loop mount) and boot
# it once so that the offline busybox container image is imported.
# Output: $WB_VM_IMAGE_DIR/{root.img,vmlinuz-6.1,initrd-6.1,...,manifest}.
# Needs root, debootstrap, e2fsprogs and qemu-system-x86.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ -f "$WB_VM_IMAGE_DIR/manifest" ] && [ "${1:-}" != --force ]; then
	echo "tests/vm: image up to date: $WB_VM_IMAGE_DIR"
	exit 0
fi
for t in debootstrap mkfs.ext4 qemu-system-x86_64; do
	command -v "$t" >/dev/null ||
		wb_vm_die "no image in $WB_VM_IMAGE_DIR and no $t to build one (apt-get install debootstrap e2fsprogs qemu-system-x86)"
done
[ "$(id -u)" -eq 0 ] || wb_vm_die "building the image needs root"

MIRROR=$(wb_vm_mirror)
SECURITY=${WB_VM_SECURITY:-${MIRROR%/debian*}/debian-security}
PKGS=(
	# PID 1 and what a real host runs
	systemd-sysv udev dbus kmod linux-image-amd64 linux-image-6.12-amd64
	docker.io nginx-light supervisor busybox-static
	# the integration tests' tools (cf. setup.sh), and whybind's libraries:
	# the suite is built on the host (same Debian 12 userland) and shared
	bash jq iproute2 util-linux procps psmisc time strace gdb valgrind
	libmnl0 libjansson4 python3-jsonschema make
)
work=$WB_VM_CACHE/build.$$
root=$work/root
cleanup() {
	local m

	for m in dev/pts dev proc sys; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$root"
start=$(date +%s)

echo "tests/vm: debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase --include=systemd-sysv,ca-certificates \
	bookworm "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$work/debootstrap.log"; wb_vm_die "debootstrap failed"; }

cat >"$root/etc/apt/sources.list" <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
SRC
# No daemon starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

echo "tests/vm: installing ${#PKGS[@]} packages and their dependencies"
chroot "$root" /bin/sh -c "export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq &&
	apt-get install -y -qq --no-install-recommends ${PKGS[*]}" \
	>"$work/apt.log" 2>&1 ||
	{ tail -n 30 "$work/apt.log"; wb_vm_die "apt-get install failed"; }
chroot "$root" apt-get clean
rm -f "$root/usr/sbin/policy-rc.d"

# The guest: no network, root on /dev/vda, a root shell on the serial
# console for debugging (a throwaway test machine), our units.
echo whybind-vm >"$root/etc/hostname"
printf '127.0.1.1\twhybind-vm\n' >>"$root/etc/hosts"
printf '/dev/vda / ext4 rw,noatime 0 1\n' >"$root/etc/fstab"
chroot "$root" passwd -d root >/dev/null
install -m 755 "$WB_VM_DIR/guest/whybind-vm-run" "$root/usr/local/sbin/"
install -m 644 "$WB_VM_DIR/guest/whybind-vm.service" \
	"$WB_VM_DIR/guest/whybind-vm-busybox.service" "$root/etc/systemd/system/"
chroot "$root" systemctl enable whybind-vm.service whybind-vm-busybox.service \
	>/dev/null 2>&1 || true
# Nothing in the guest waits for a network that does not exist.
chroot "$root" systemctl mask systemd-networkd-wait-online.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_reap.service \
	>/dev/null 2>&1 || true

# A docker image made offline: busybox-static's binary and its applets.
bb=$work/busybox
mkdir -p "$bb/bin" "$bb/tmp" "$bb/www"
cp "$root/bin/busybox" "$bb/bin/"
for a in $("$bb/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$bb/bin/$a"
done
echo whybind-vm >"$bb/www/index.html"
mkdir -p "$root/usr/local/share/whybind-vm"
tar -C "$bb" -cf "$root/usr/local/share/whybind-vm/busybox.tar" .

mkdir -p "$work/out"
for k in "$root"/boot/vmlinuz-*; do
	v=${k##*/vmlinuz-}
	case $v in
	6.1.*) short=6.1 ;;
	6.12.*) short=6.12 ;;
	*) continue ;;
	esac
	cp "$k" "$work/out/vmlinuz-$short"
	cp "$root/boot/initrd.img-$v" "$work/out/initrd-$short"
	echo "kernel $short $v" >>"$work/out/manifest.tmp"
done
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' \
	>"$work/out/packages"
for m in dev/pts dev proc sys; do umount -l "$root/$m"; done

size=$(( $(du -sm "$root" | cut -f1) + 1536 ))
echo "tests/vm: mkfs.ext4 -d (${size} MiB)"
mkfs.ext4 -q -F -L whybind-vm -d "$root" "$work/out/root.img" "${size}M"

mkdir -p "$WB_VM_IMAGE_DIR"
mv "$work/out/"* "$WB_VM_IMAGE_DIR/"
# First boot: docker imports the busybox image (the unit does it once).
echo "tests/vm: first boot (docker import)"
WB_VM_PROVISION=1 "$WB_VM_DIR/run.sh" 6.1 'docker images whybind/busybox' ||
	{ rm -f "$WB_VM_IMAGE_DIR/manifest.tmp"; wb_vm_die "first boot failed"; }
mv "$WB_VM_IMAGE_DIR/manifest.tmp" "$WB_VM_IMAGE_DIR/manifest"
echo "built $(date -u +%FT%TZ) in $(( $(date +%s) - start )) s" \
	>>"$WB_VM_IMAGE_DIR/manifest"
cat "$WB_VM_IMAGE_DIR/manifest"
