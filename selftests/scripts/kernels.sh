#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ensure the test kernels exist in the cache, building what is missing, and print
# shell-evaluable lines:
#
#   CHROOT=<host path of the trixie build chroot>
#   KDIR_A=<host path of kernel A's build tree>     (vmlinux, arch/x86/boot/bzImage,
#   KDIR_B=<host path of tree B>                     Module.symvers, rust/*.rmeta)
#   KDIR_A_CHROOT=/build/linux-a   KDIR_B_CHROOT=/build/linux-b   (same trees, chroot paths)
#   BZIMAGE_A=...  BZIMAGE_B=...  KERNEL_RELEASE=7.3.4
#   KARCH=x86_64|arm64   KIMAGE_A=... KIMAGE_B=...   (the image QEMU boots; = BZIMAGE_*)
#   BUILD_SUFFIX=        ("" for x86_64, "-arm64" for arm64: the suffix of every
#                         per-architecture directory under the chroot's /build)
#
# Kernel A: Debian's linux-source-7.3 (trixie-backports), tinyconfig + selftests/config
# + selftests/qemu/kernel.config (+ qemu/kernel-x86.config on x86_64: a virtio
# disk root), built with `make LLVM=1` in the chroot.
# Tree B: a copy of A with selftests/qemu/kernel-b.patch applied to rust/kernel and
# rebuilt: same release string, another `kernel` crate interface, its own vmlinux.
#
# Each tree is keyed by the toolchain package versions, the config fragments, the patch
# and these scripts; a change rebuilds it. Logs: <tree>.log next to each tree.
# Architectures: x86_64 (default; trees /build/linux-a, /build/linux-b) and arm64
# (cross-built with LLVM=1 ARCH=arm64, the same fragments plus
# selftests/qemu/kernel-arm64.config; trees /build/linux-a-arm64, /build/linux-b-arm64).
# Usage: kernels.sh [--arch x86_64|arm64] [a]
#   ("a": build only kernel A, KDIR_B is not printed; the architecture defaults to
#   $RUSTVER_ARCH, else x86_64)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

only_a=0
usage="usage: kernels.sh [--arch x86_64|arm64] [a]"
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) [ $# -ge 2 ] || die "$usage"; RUSTVER_ARCH=$2; shift ;;
	a) only_a=1 ;;
	*) die "$usage" ;;
	esac
	shift
done
arch_setup
arch=$RUSTVER_ARCH SUFFIX=$ARCH_SUFFIX

FRAGS=("$SELFTESTS_DIR/config" "$SELFTESTS_DIR/qemu/kernel.config")
case "$arch" in
x86_64)
	KMAKE_ARCH="" IMAGE=arch/x86/boot/bzImage
	FRAGS+=("$SELFTESTS_DIR/qemu/kernel-x86.config")
	;;
arm64)
	KMAKE_ARCH=ARCH=arm64 IMAGE=arch/arm64/boot/Image
	FRAGS+=("$SELFTESTS_DIR/qemu/kernel-arm64.config")
	;;
esac

need_root
# One lock per architecture's trees ("build" for x86_64, as before; "build-arm64"):
# an arm64 build does not hold up an x86_64 run, nor the other way round.
cache_lock "build$SUFFIX"
env_of "$SELFTESTS_DIR/scripts/chroot.sh" ensure
CH=$SELFTESTS_DIR/scripts/chroot.sh
PATCH_B=$SELFTESTS_DIR/qemu/kernel-b.patch
JOBS=$(nproc)
# Bump when build_a/build_b below change in a way that needs new trees.
KERNEL_RECIPE_VERSION=2
# Both trees are built as a reproducible build would be: the same KBUILD_BUILD_*
# values, so kernel A and tree B have identical `uname -rv` strings and only the
# build itself (vmlinux build-id, .rmeta CRCs) tells them apart (issue 10).
BUILD_ENV=(KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026" KBUILD_BUILD_VERSION=1
	KBUILD_BUILD_USER=rustver KBUILD_BUILD_HOST=selftests)

key_a() {
	{
		echo "scripts=$RUSTVER_SCRIPTS_VERSION"
		cat "$CHROOT/.rustver-packages"
		cat "${FRAGS[@]}"
		echo "kernel-recipe=$KERNEL_RECIPE_VERSION"
		# x86_64 keys stay as they were before arm64 existed (warm caches stay valid).
		[ "$arch" = x86_64 ] || echo "arch=$arch"
	} | hash_stdin
}
key_b() { { key_a; cat "$PATCH_B"; } | hash_stdin; }

# Every CONFIG_X=v line of the fragments must be in the final .config, and every
# "# CONFIG_X is not set" must stay unset.
check_config() {
	local cfg=$1 frag line name bad=0
	for frag in "${FRAGS[@]}"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*)
				grep -qxF -- "$line" "$cfg" || {
					log "$frag: '$line' did not survive olddefconfig (have: $(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo unset))"
					bad=1
				}
				;;
			"# CONFIG_"*" is not set")
				name=${line#\# }
				name=${name%% *}
				if grep -q "^$name=" "$cfg"; then
					log "$frag: $name must be unset but is $(grep "^$name=" "$cfg")"
					bad=1
				fi
				;;
			esac
		done <"$frag"
	done
	return $bad
}

build_a() {
	local t=$CHROOT/build/linux-a$SUFFIX logf=$CHROOT/build/linux-a$SUFFIX.log
	log "building kernel A ($arch) in $t (log: $logf, about 20 min on 2 cores with KASAN and lockdep)"
	rm -rf --one-file-system "$t"
	cat "${FRAGS[@]}" >"$CHROOT/build/kernel$SUFFIX.config"
	# $1 jobs, $2 tree name, $3 "ARCH=..." or empty (x86_64: the host's),
	# $4 the fragment suffix.
	"$CH" run /usr/bin/env "${BUILD_ENV[@]}" /bin/bash -euc '
		cd /build
		rm -rf "$2.src"
		mkdir "$2.src"
		tar -C "$2.src" -xf /usr/src/linux-source-7.3.tar.xz
		mv "$2.src/linux-source-7.3" "$2"
		rmdir "$2.src"
		cd "$2"
		echo "== rustavailable"
		make LLVM=1 $3 rustavailable
		echo "== config"
		make LLVM=1 $3 tinyconfig
		scripts/kconfig/merge_config.sh -m .config "/build/kernel$4.config"
		make LLVM=1 $3 olddefconfig
		echo "== build"
		make LLVM=1 $3 -j"$1" all
	' build_a "$JOBS" "linux-a$SUFFIX" "$KMAKE_ARCH" "$SUFFIX" >"$logf" 2>&1 || die "kernel A build failed; last lines of $logf:
$(tail -n 25 "$logf")"
	check_config "$t/.config" || die "kernel A ($arch): the config fragments did not apply (see above; log: $logf)"
	check_tree "$t"
	mark_done "$t" "$(key_a)"
}

build_b() {
	local a=$CHROOT/build/linux-a$SUFFIX t=$CHROOT/build/linux-b$SUFFIX logf=$CHROOT/build/linux-b$SUFFIX.log
	log "building tree B ($arch) in $t (copy of A + $PATCH_B, about 4 min, log: $logf)"
	rm -rf --one-file-system "$t"
	cp -a "$a" "$t"
	rm -f "$t/.rustver-key"
	patch -d "$t" -p1 --no-backup-if-mismatch <"$PATCH_B" >"$logf" 2>&1 ||
		die "$PATCH_B does not apply to linux-source-7.3; see $logf"
	"$CH" run /usr/bin/env "${BUILD_ENV[@]}" /bin/bash -euc 'cd "/build/$2" && make LLVM=1 $3 -j"$1" all' build_b "$JOBS" \
		"linux-b$SUFFIX" "$KMAKE_ARCH" \
		>>"$logf" 2>&1 || die "tree B build failed; last lines of $logf:
$(tail -n 25 "$logf")"
	check_tree "$t"
	cmp -s "$a/rust/libkernel.rmeta" "$t/rust/libkernel.rmeta" &&
		die "tree B: rust/libkernel.rmeta is identical to kernel A's; the patch changed nothing"
	mark_done "$t" "$(key_b)"
}

check_tree() {
	local f
	for f in vmlinux "$IMAGE" Module.symvers rust/libkernel.rmeta rust/libcore.rmeta; do
		[ -s "$1/$f" ] || die "$1/$f missing after the build"
	done
}

is_done "$CHROOT/build/linux-a$SUFFIX" "$(key_a)" || build_a
[ "$only_a" = 1 ] || is_done "$CHROOT/build/linux-b$SUFFIX" "$(key_b)" || build_b

release=$(cat "$CHROOT/build/linux-a$SUFFIX/include/config/kernel.release")
echo "CHROOT=$CHROOT"
echo "KERNEL_RELEASE=$release"
echo "KARCH=$arch"
echo "BUILD_SUFFIX=$SUFFIX"
echo "KDIR_A=$CHROOT/build/linux-a$SUFFIX"
echo "KDIR_A_CHROOT=/build/linux-a$SUFFIX"
echo "BZIMAGE_A=$CHROOT/build/linux-a$SUFFIX/$IMAGE"
echo "KIMAGE_A=$CHROOT/build/linux-a$SUFFIX/$IMAGE"
if [ "$only_a" = 0 ]; then
	echo "KDIR_B=$CHROOT/build/linux-b$SUFFIX"
	echo "KDIR_B_CHROOT=/build/linux-b$SUFFIX"
	echo "BZIMAGE_B=$CHROOT/build/linux-b$SUFFIX/$IMAGE"
	echo "KIMAGE_B=$CHROOT/build/linux-b$SUFFIX/$IMAGE"
fi
