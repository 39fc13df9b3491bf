#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel A and tree B (x86_64) as Debian packages, made by the kernel's own
# `make bindeb-pkg` from the cached trees, for selftests/packages.sh. Prints
#
#   DEBS_A=<dir>   linux-image-R_R-1_amd64.deb, linux-headers-R_R-1_amd64.deb
#   DEBS_B=<dir>   linux-image-R_R+b-1_amd64.deb, linux-headers-R_R+b-1_amd64.deb
#
# B's packages are an upgrade of A's with the same release R: a rebuilt kernel
# whose Rust crates changed while `uname -r` did not, the case rustver exists
# for. Both package builds keep the trees' KBUILD_BUILD_* values (the package
# revision, 1, is the build version), so bindeb-pkg relinks nothing: the image
# packaged is the tree's bzImage byte for byte (checked here), and the tables
# and modules made from the trees are those of the packaged kernels.
#
# Each build runs in a throw-away overlay of the chroot (debhelper is
# installed there only; the trees are written in its upper directory, on a
# tmpfs); the packages land in $CHROOT/build/debs-{a,b}, keyed by their
# tree's key and this script. About a minute each on 2 cores.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_root
export RUSTVER_ARCH=x86_64
arch_setup
cache_lock build
env_of "$SELFTESTS_DIR/scripts/kernels.sh"
JOBS=$(nproc)
# Bump when build_debs changes in a way that needs new packages.
DEBS_RECIPE_VERSION=1

key_debs() {
	{
		cat "$CHROOT/build/linux-$1/.rustver-key"
		echo "debs-recipe=$DEBS_RECIPE_VERSION"
	} | hash_stdin
}

# build_debs a|b VERSION
build_debs() {
	local t=$1 version=$2 out=$CHROOT/build/debs-$1 logf=$CHROOT/build/debs-$1.log
	log "packaging tree ${t^^} as linux-image-$KERNEL_RELEASE $version (make bindeb-pkg; log: $logf)"
	rm -rf --one-file-system "$out"
	mkdir -p "$out"
	{ printf 'set -- %q %q %q %q %q\n' "$t" "$version" "$KERNEL_RELEASE" "$JOBS" "$out"; cat <<'EOS'; } >"$out/.build.sh"
set -eu
t=$1 version=$2 release=$3 jobs=$4 out=$5
export DEBIAN_FRONTEND=noninteractive
# what bindeb-pkg's Build-Depends add to the chroot (debian/rules runs dh_*)
apt-get -q -y --no-install-recommends install debhelper libdw-dev rsync ||
	{ apt-get -q update && apt-get -q -y --no-install-recommends install debhelper libdw-dev rsync; }
cd "/build/linux-$t"
# the values kernels.sh built the trees with (KBUILD_BUILD_VERSION: the revision)
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026" KBUILD_BUILD_USER=rustver \
	KBUILD_BUILD_HOST=selftests KDEB_PKGVERSION=$version KDEB_CHANGELOG_DIST=trixie
make LLVM=1 -j"$jobs" bindeb-pkg
for p in image headers; do
	cp "/build/linux-${p}-${release}_${version}_amd64.deb" "$out/"
done
dpkg-deb --fsys-tarfile "$out/linux-image-${release}_${version}_amd64.deb" |
	tar -xOf - "./boot/vmlinuz-$release" | cmp - arch/x86/boot/bzImage ||
	{ echo "the package's /boot/vmlinuz-$release is not tree $t's bzImage: bindeb-pkg relinked the kernel" >&2; exit 1; }
EOS
	in_tmpfs_overlay "$CHROOT" "$RUSTVER_CACHE/.debs-overlay" "$out/.build.sh" "$out" >"$logf" 2>&1 || die "packaging tree ${t^^} failed; last lines of $logf:
$(tail -n 25 "$logf")"
	mark_done "$out" "$(key_debs "$t")"
}

is_done "$CHROOT/build/debs-a" "$(key_debs a)" || build_debs a "$KERNEL_RELEASE-1"
is_done "$CHROOT/build/debs-b" "$(key_debs b)" || build_debs b "$KERNEL_RELEASE+b-1"
echo "DEBS_A=$CHROOT/build/debs-a"
echo "DEBS_B=$CHROOT/build/debs-b"
echo "DEBS_VERSION_A=$KERNEL_RELEASE-1"
echo "DEBS_VERSION_B=$KERNEL_RELEASE+b-1"
