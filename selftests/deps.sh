#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install on a Debian host what the rustver selftests need (`make deps`). The kernel
# toolchain itself (rustc, bindgen, clang, linux-source-7.3) goes into the trixie
# chroot that scripts/chroot.sh makes; the host only needs these.
set -euo pipefail

pkgs=(
	debootstrap debian-archive-keyring  # the trixie build chroot
	qemu-system-x86                     # boots the test kernel
	qemu-system-arm                     # ... and the arm64 one (qemu-system-aarch64)
	binutils                            # readelf: the arm64 guest's libraries
	busybox-static cpio gzip xz-utils   # the initramfs (kmod comes from the chroot)
	python3 patch make util-linux coreutils  # CRCs, tree B, test list, unshare/flock
	gcc libc6-dev                       # tools/finit.c, linked static
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps.sh: all selftest packages are installed"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1; }
echo "deps.sh: installing ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -q -y --no-install-recommends "${missing[@]}"
