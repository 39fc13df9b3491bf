#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A foreign-architecture sysroot of Debian trixie for the selftest guest: Debian's
# own arm64 binaries and libraries, unpacked (never run on the host).
#
#   sysroot.sh ARCH     (ARCH: arm64) ensure it, print shell-evaluable lines:
#                         CHROOT=<host path of the build chroot>
#                         SYSROOT=<host path>   SYSROOT_CHROOT=<the same, chroot path>
#                         TRIPLET=aarch64-linux-gnu   CLANG_TARGET=aarch64-linux-gnu
#
# It lives in the trixie build chroot (/build/sysroot-arm64), so the chroot's clang
# and lld build against it: `clang --target=$CLANG_TARGET --sysroot=$SYSROOT_CHROOT
# -fuse-ld=lld`. Contents, from trixie main (the chroot's suite), with their
# dependencies as apt resolves them for the architecture:
#   busybox-static, kmod               the initramfs (as qemu/mkinitramfs.sh uses the
#                                      host's busybox and the chroot's kmod on x86_64)
#   libc6-dev, libgcc-14-dev           static test tools (tools/finit.c)
#   libkmod-dev libelf-dev zlib1g-dev  the rustver helper, cross-built for the guest
#   liblzma-dev libzstd-dev libssl-dev
# The packages are downloaded with a private apt configuration on the host
# (host_apt_init in scripts/lib.sh: the host's apt state is neither read nor
# changed) and unpacked with dpkg-deb -x. Keyed by this script, the chroot and the
# package list (the versions unpacked are listed in .packages); RUSTVER_REFRESH=1
# downloads again (and rebuilds the chroot, with every kernel tree in it).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: sysroot.sh arm64"
case "$1" in
arm64) triplet=aarch64-linux-gnu ;;
*) die "no sysroot recipe for architecture '$1' (arm64 only; x86_64 uses the chroot itself)" ;;
esac
darch=$1
PACKAGES="busybox-static kmod libc6-dev libgcc-14-dev libkmod-dev libelf-dev zlib1g-dev
	liblzma-dev libzstd-dev libssl-dev"
SUITE=trixie

need_root
need_cmd dpkg-deb apt-get
cache_lock "sysroot-$darch"
env_of "$SELFTESTS_DIR/scripts/chroot.sh" ensure
root=$CHROOT/build/sysroot-$darch

key() {
	{
		sha256sum <"$0"
		cat "$CHROOT/.rustver-key"
		echo "$PACKAGES"
	} | hash_stdin
}

build() {
	local apt=$RUSTVER_CACHE/apt-$darch debs tmp=$root.tmp deb
	host_apt_init "$apt" "$SUITE"
	# host_apt_init speaks for amd64: the same private configuration, for $darch.
	HOST_APT_OPTS=("${HOST_APT_OPTS[@]/%=amd64/=$darch}")
	log "downloading $SUITE's $darch packages for the guest (log: $apt/get.log)"
	host_apt get -q update >"$apt/get.log" 2>&1 ||
		die "apt-get update for $SUITE/$darch failed; see $apt/get.log"
	debs=$apt/cache/archives
	rm -f "$debs"/*.deb
	# -d: download the packages and every dependency apt resolves against the empty
	# status file; nothing is installed anywhere.
	# shellcheck disable=SC2086 # the package list
	host_apt get -q -y -d --no-install-recommends install $PACKAGES >>"$apt/get.log" 2>&1 ||
		die "downloading the $darch packages failed; see $apt/get.log"
	rm -rf --one-file-system "$tmp"
	mkdir -p "$tmp"
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$tmp" || die "dpkg-deb -x $deb failed"
		dpkg-deb -f "$deb" Package Version Architecture | paste -sd' ' >>"$tmp/.packages"
	done
	for f in usr/bin/busybox usr/bin/kmod "usr/lib/$triplet/libc.a" "usr/lib/$triplet/libkmod.so"; do
		[ -e "$tmp/$f" ] || die "the $darch sysroot has no $f after unpacking (see $apt/get.log)"
	done
	# trixie is merged-/usr (base-files makes /lib -> usr/lib etc.; not unpacked here).
	local d
	for d in bin sbin lib; do
		[ -e "$tmp/$d" ] || ln -s "usr/$d" "$tmp/$d"
	done
	# Library symlinks are absolute in some packages: make them relative, so they
	# resolve inside the sysroot wherever it is seen from.
	find "$tmp" -type l -lname '/*' -print0 | while IFS= read -r -d '' l; do
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$tmp$(readlink "$l")")" "$l"
	done
	rm -rf --one-file-system "$root"
	mv "$tmp" "$root"
	mark_done "$root" "$(key)"
	rm -f "$debs"/*.deb
}

if ! is_done "$root" "$(key)" || [ -n "${RUSTVER_REFRESH_AFTER:-}" ]; then
	build
fi
echo "CHROOT=$CHROOT"
echo "SYSROOT=$root"
echo "SYSROOT_CHROOT=${root#"$CHROOT"}"
echo "TRIPLET=$triplet"
echo "CLANG_TARGET=$triplet"
