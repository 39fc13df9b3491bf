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
#
# Kernel A: Debian's linux-source-7.3 (trixie-backports), tinyconfig + selftests/config
# + selftests/qemu/kernel.config, built with `make LLVM=1` in the chroot.
# Tree B: a copy of A with selftests/qemu/kernel-b.patch applied to rust/kernel and
# rebuilt: same release string, another `kernel` crate interface, its own vmlinux.
#
# Each tree is keyed by the toolchain package versions, the config fragments, the patch
# and these scripts; a change rebuilds it. Logs: <tree>.log next to each tree.
# Usage: kernels.sh [a]     ("a": build only kernel A, KDIR_B is not printed)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

only_a=0
case "${1:-}" in
"") ;;
a) only_a=1 ;;
*) die "usage: kernels.sh [a]" ;;
esac

need_root
cache_lock build
eval "$("$SELFTESTS_DIR/scripts/chroot.sh" ensure)"
CH=$SELFTESTS_DIR/scripts/chroot.sh
FRAGS=("$SELFTESTS_DIR/config" "$SELFTESTS_DIR/qemu/kernel.config")
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
	local t=$CHROOT/build/linux-a logf=$CHROOT/build/linux-a.log
	log "building kernel A in $t (log: $logf, about 20 min on 2 cores with KASAN and lockdep)"
	rm -rf --one-file-system "$t"
	cat "${FRAGS[@]}" >"$CHROOT/build/kernel.config"
	"$CH" run /usr/bin/env "${BUILD_ENV[@]}" /bin/bash -euc '
		cd /build
		rm -rf linux-source-7.3
		tar -xf /usr/src/linux-source-7.3.tar.xz
		mv linux-source-7.3 linux-a
		cd linux-a
		echo "== rustavailable"
		make LLVM=1 rustavailable
		echo "== config"
		make LLVM=1 tinyconfig
		scripts/kconfig/merge_config.sh -m .config /build/kernel.config
		make LLVM=1 olddefconfig
		echo "== build"
		make LLVM=1 -j"$1" all
	' build_a "$JOBS" >"$logf" 2>&1 || die "kernel A build failed; last lines of $logf:
$(tail -n 25 "$logf")"
	check_config "$t/.config" || die "kernel A: the config fragments did not apply (see above; log: $logf)"
	check_tree "$t"
	mark_done "$t" "$(key_a)"
}

build_b() {
	local a=$CHROOT/build/linux-a t=$CHROOT/build/linux-b logf=$CHROOT/build/linux-b.log
	log "building tree B in $t (copy of A + $PATCH_B, about 4 min, log: $logf)"
	rm -rf --one-file-system "$t"
	cp -a "$a" "$t"
	rm -f "$t/.rustver-key"
	patch -d "$t" -p1 --no-backup-if-mismatch <"$PATCH_B" >"$logf" 2>&1 ||
		die "$PATCH_B does not apply to linux-source-7.3; see $logf"
	"$CH" run /usr/bin/env "${BUILD_ENV[@]}" /bin/bash -euc 'cd /build/linux-b && make LLVM=1 -j"$1" all' build_b "$JOBS" \
		>>"$logf" 2>&1 || die "tree B build failed; last lines of $logf:
$(tail -n 25 "$logf")"
	check_tree "$t"
	cmp -s "$a/rust/libkernel.rmeta" "$t/rust/libkernel.rmeta" &&
		die "tree B: rust/libkernel.rmeta is identical to kernel A's; the patch changed nothing"
	mark_done "$t" "$(key_b)"
}

check_tree() {
	local f
	for f in vmlinux arch/x86/boot/bzImage Module.symvers rust/libkernel.rmeta rust/libcore.rmeta; do
		[ -s "$1/$f" ] || die "$1/$f missing after the build"
	done
}

is_done "$CHROOT/build/linux-a" "$(key_a)" || build_a
[ "$only_a" = 1 ] || is_done "$CHROOT/build/linux-b" "$(key_b)" || build_b

release=$(cat "$CHROOT/build/linux-a/include/config/kernel.release")
echo "CHROOT=$CHROOT"
echo "KERNEL_RELEASE=$release"
echo "KDIR_A=$CHROOT/build/linux-a"
echo "KDIR_A_CHROOT=/build/linux-a"
echo "BZIMAGE_A=$CHROOT/build/linux-a/arch/x86/boot/bzImage"
if [ "$only_a" = 0 ]; then
	echo "KDIR_B=$CHROOT/build/linux-b"
	echo "KDIR_B_CHROOT=/build/linux-b"
	echo "BZIMAGE_B=$CHROOT/build/linux-b/arch/x86/boot/bzImage"
fi
