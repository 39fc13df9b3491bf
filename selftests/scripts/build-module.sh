#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build an out-of-tree kernel module directory against kernel A or tree B, inside the
# trixie build chroot (its rustc is the one the trees were built with; rustc refuses
# .rmeta files of another version).
#
#   build-module.sh a|b DIR [MAKE ARGS...]
#
# Runs `make -C <tree> M=DIR LLVM=1 [ARCH=arm64] [MAKE ARGS, default: modules]`
# against the trees of RUSTVER_ARCH (x86_64 by default, or arm64). DIR is a host
# path; it is built in place (the .ko files land in DIR). A DIR outside the chroot is
# bind-mounted at the same path inside, so relative includes (../lib, ../include)
# keep working. Builds the trees first if needed (kernels.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: build-module.sh a|b DIR [MAKE ARGS...]"
which=$1
dir=$(realpath -e "$2" 2>/dev/null) || die "module directory '$2' does not exist"
shift 2
[ -e "$dir/Kbuild" ] || [ -e "$dir/Makefile" ] || die "$dir has neither Kbuild nor Makefile"
[ $# -gt 0 ] || set -- modules

# Hold the build lock through the make: nobody rebuilds the tree under us.
arch_setup
cache_lock "build$ARCH_SUFFIX"
karch=()
[ "$RUSTVER_ARCH" = x86_64 ] || karch=(ARCH="$RUSTVER_ARCH")
case "$which" in
a) env_of "$SELFTESTS_DIR/scripts/kernels.sh" a; kdir=$KDIR_A_CHROOT ;;
b) env_of "$SELFTESTS_DIR/scripts/kernels.sh"; kdir=$KDIR_B_CHROOT ;;
*) die "first argument must be 'a' or 'b', got '$which'" ;;
esac

binds=()
case "$dir/" in
"$CHROOT"/*) cdir=${dir#"$CHROOT"} ;;  # already inside the chroot
*) cdir=$dir; binds=(--bind "$dir") ;;
esac

"$SELFTESTS_DIR/scripts/chroot.sh" run "${binds[@]}" \
	make -C "$kdir" M="$cdir" LLVM=1 "${karch[@]}" "$@" ||
	die "building $dir against tree ${which^^} ($kdir, $RUSTVER_ARCH) failed"
