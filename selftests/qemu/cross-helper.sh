#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build the rustver helper for a foreign-architecture selftest guest: the
# checkout's own top-level Makefile (target tools/rustver/rustver, the warnings
# of every build; RUSTVER_DEPS=0: the sysroot holds the libraries, so the
# Makefile's dependency step is skipped), run in the trixie chroot with its clang and lld against
# Debian's libraries for that architecture (qemu/sysroot.sh). The guest runs it
# with the very libraries it was linked against (mkinitramfs.sh copies them).
#
# Usage: cross-helper.sh ARCH OUT     (ARCH: arm64; OUT: the binary to write)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

[ $# -eq 2 ] || die "usage: cross-helper.sh arm64 OUT"
darch=$1
out=$2
need_root
env_of "$SELFTESTS_DIR/qemu/sysroot.sh" "$darch"
top=$(cd "$SELFTESTS_DIR/.." && pwd)
w=$CHROOT/build/helper-$darch
logf=$w.log
rm -rf --one-file-system "$w"
mkdir -p "$w/build"
cp -r "$top"/{Makefile,lib,include,tools,scripts} "$w/"
rm -f "$w/tools/rustver/rustver"
log "cross-building the rustver helper for $darch (log: $logf)"
"$SELFTESTS_DIR/scripts/chroot.sh" run make -C "${w#"$CHROOT"}" tools/rustver/rustver \
	RUSTVER_DEPS=0 CC="clang --target=$CLANG_TARGET --sysroot=$SYSROOT_CHROOT -fuse-ld=lld" >"$logf" 2>&1 ||
	die "cross-building the rustver helper for $darch failed; last lines of $logf:
$(tail -n 25 "$logf")"
readelf -h "$w/tools/rustver/rustver" | grep -q 'Machine:.*AArch64' ||
	die "$w/tools/rustver/rustver is not an $darch executable"
mkdir -p "$(dirname "$out")"
cp "$w/tools/rustver/rustver" "$out.tmp"
mv "$out.tmp" "$out"
