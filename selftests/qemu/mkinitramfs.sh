#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the selftest initramfs (gzip'ed newc cpio):
#   - Debian's busybox-static for the shell and the small tools;
#   - Debian's real kmod (insmod, modprobe, rmmod, lsmod, depmod, modinfo) from the
#     trixie chroot (kmod 34), the load path of a current distribution;
#   - the modules built against kernel A, xz-compressed like a distribution's, under
#     /lib/modules/<release>/extra with modules.dep (the chroot's depmod -b), so
#     modprobe finds them by name; uncompressed copies of the A and B builds;
#   - the rustver helper ($RUSTVER_BIN) when given, and rustver's own kernel modules
#     (MODS_KMOD_A, MODS_KMOD_B) when given: installed like the test modules, so
#     `modprobe kmod_rustver` resolves rustver_core and rustver_engine by symbol;
#   - tools/finit.c, built static on the host (finit_module with in-kernel
#     decompression, which kmod 34.2 does not use);
#   - the KTAP test programs and their data, and /init (RUSTVER_INIT, default
#     qemu/init: the suite; the demo gives its own).
# Shared libraries are those the chroot's ldd resolves, taken from the chroot: one
# glibc (trixie's) for every program, which also runs binaries built on bookworm.
#
# RUSTVER_ARCH=arm64 makes an arm64 initramfs from the same parts for that
# architecture: Debian trixie's arm64 busybox-static and kmod with their libraries
# (qemu/sysroot.sh; libraries found by the ELF NEEDED entries, as nothing arm64 can
# run here), the tools cross-compiled static by the chroot's clang against that
# sysroot, the helper from RUSTVER_GUEST_BIN (qemu/cross-helper.sh).
#
# Usage: mkinitramfs.sh OUT.cpio.gz
# Environment (all required but RUSTVER_BIN):
#   CHROOT          the trixie build chroot (host path)
#   KDIR_A          kernel A build tree (host path)
#   KERNEL_RELEASE  its release string
#   MODS_A, MODS_B  directories with the .ko files built against A and B
#   RUSTVER_BIN     the rustver helper binary (optional: its tests then SKIP); it
#                   also makes the expected table on this host
#   RUSTVER_GUEST_BIN  the helper to install in the guest (default RUSTVER_BIN;
#                   for arm64, the cross-built one)
#   RUSTVER_ARCH    x86_64 (default) or arm64
#   MODS_KMOD_A     rustver_engine, rustver_core, kmod_rustver built against A
#   MODS_KMOD_B     rustver_core built against B (both optional: their tests SKIP)
#   RUSTVER_INIT    the /init to install (default: qemu/init)
#   RUSTVER_INSTALL_B  modules to install in /lib/modules from the B build (demo)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: mkinitramfs.sh OUT.cpio.gz"
out=$1
: "${CHROOT:?CHROOT not set}" "${KDIR_A:?KDIR_A not set}" "${KERNEL_RELEASE:?KERNEL_RELEASE not set}"
: "${MODS_A:?MODS_A not set}" "${MODS_B:?MODS_B not set}"
need_cmd busybox ldd cpio gzip xz python3 gcc readelf
CH=$SELFTESTS_DIR/scripts/chroot.sh
arch_setup
if [ "$RUSTVER_ARCH" != x86_64 ]; then
	env_of "$SELFTESTS_DIR/qemu/sysroot.sh" "$RUSTVER_ARCH"
fi
guest_bin=${RUSTVER_GUEST_BIN:-${RUSTVER_BIN:-}}

# Staged inside the chroot, so its depmod and ldd can work on it.
root=$CHROOT/build/initramfs-root$ARCH_SUFFIX
rm -rf "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,root,etc}
suite=$root/selftests/rustver
data=$suite/data
mkdir -p "$suite" "$data"/{a,b,kdir-a/rust,xz/a,xz/b,kmod-a,kmod-b,kmod-a200,kmod-anobid}

# copy_bin SRC DEST: install the executable SRC (host path) as DEST and every shared
# library that the chroot's ldd lists for it, from the chroot, at the same paths.
copy_bin() {
	local src=$1 dest=$2 lib libs
	install -D -m 0755 "$src" "$root$dest"
	if [ "$RUSTVER_ARCH" != x86_64 ]; then
		copy_libs_foreign "$src"
		return
	fi
	libs=$("$CH" run ldd "${root#"$CHROOT"}$dest" 2>&1) || return 0 # static
	if grep -q 'not found' <<<"$libs"; then
		die "$src needs libraries the trixie chroot lacks (add their packages to PACKAGES in scripts/chroot.sh):
$(grep 'not found' <<<"$libs")"
	fi
	for lib in $(awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }' <<<"$libs"); do
		[ -e "$root$lib" ] || install -D -m 0755 "$(realpath "$CHROOT$lib")" "$root$lib"
	done
}

# copy_libs_foreign SRC: the shared libraries of a foreign-architecture executable,
# from the sysroot: its interpreter at the path it names, then every DT_NEEDED
# library (and theirs) into /usr/lib/TRIPLET, where the loader looks by default.
copy_libs_foreign() {
	local todo=("$1") f name interp found d
	interp=$(readelf -l "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	[ -n "$interp" ] || return 0 # static
	[ -e "$SYSROOT$interp" ] || die "$1 wants the interpreter $interp, not in $SYSROOT"
	[ -e "$root$interp" ] || install -D -m 0755 "$(realpath "$SYSROOT$interp")" "$root$interp"
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for name in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			[ -e "$root/usr/lib/$TRIPLET/$name" ] && continue
			found=
			for d in "usr/lib/$TRIPLET" "lib/$TRIPLET" usr/lib lib; do
				[ -e "$SYSROOT/$d/$name" ] && { found=$SYSROOT/$d/$name; break; }
			done
			[ -n "$found" ] || die "$1 needs $name, which the $RUSTVER_ARCH sysroot $SYSROOT lacks (add its package to qemu/sysroot.sh)"
			install -D -m 0755 "$(realpath "$found")" "$root/usr/lib/$TRIPLET/$name"
			todo+=("$found")
		done
	done
}

# busybox: every applet but the module tools, which come from kmod.
busybox=$(command -v busybox)
# ldd fails on a static binary; a dynamic busybox would need its libraries too.
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; install busybox-static"
fi
if [ "$RUSTVER_ARCH" = x86_64 ]; then
	install -m 0755 "$busybox" "$root/bin/busybox"
	kmod_src=$CHROOT/usr/bin/kmod
else
	# trixie's arm64 busybox-static; its applets are listed by the host's busybox
	# (an applet the guest's lacks would say so when called: none of the suite's).
	[ -x "$SYSROOT/usr/bin/busybox" ] || die "$SYSROOT/usr/bin/busybox missing"
	readelf -l "$SYSROOT/usr/bin/busybox" | grep -q 'program interpreter' &&
		die "$SYSROOT/usr/bin/busybox is dynamically linked"
	install -m 0755 "$SYSROOT/usr/bin/busybox" "$root/bin/busybox"
	kmod_src=$SYSROOT/usr/bin/kmod
fi
kmod_tools="insmod rmmod modprobe lsmod depmod modinfo"
for applet in $("$busybox" --list); do
	case " $kmod_tools busybox " in *" $applet "*) continue ;; esac
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

[ -x "$kmod_src" ] || die "$kmod_src missing: is kmod in the chroot's PACKAGES (or qemu/sysroot.sh's)?"
copy_bin "$kmod_src" /usr/bin/kmod
for t in $kmod_tools; do ln -s ../usr/bin/kmod "$root/sbin/$t"; done

if [ -n "$guest_bin" ]; then
	[ -x "$guest_bin" ] || die "$guest_bin (the guest's rustver helper) is not an executable file"
	copy_bin "$guest_bin" /usr/bin/rustver
fi

# Modules: A-built ones into the module tree (compressed) and data/a, B-built into data/b.
rust_mods="" c_mods=""
moddir=$root/lib/modules/$KERNEL_RELEASE
mkdir -p "$moddir/extra"
for src in "$SELFTESTS_DIR"/modules/*.rs "$SELFTESTS_DIR"/modules/*.c; do
	name=$(basename "${src%.*}")
	case "$src" in *.rs) rust_mods+=" $name" ;; *) c_mods+=" $name" ;; esac
	[ -f "$MODS_A/$name.ko" ] || die "$MODS_A/$name.ko missing (module build failed?)"
	cp "$MODS_A/$name.ko" "$data/a/"
	# The kernel's xz decoder wants CRC32 checks, as the kernel's own Makefile makes them.
	inst=$MODS_A/$name.ko
	# The demo installs a B-built module as if a stale build had been left around.
	case " ${RUSTVER_INSTALL_B:-} " in *" $name "*) inst=$MODS_B/$name.ko ;; esac
	xz --check=crc32 --lzma2=dict=1MiB -c "$inst" >"$moddir/extra/$name.ko.xz"
	if [[ $src == *.rs ]]; then
		[ -f "$MODS_B/$name.ko" ] || die "$MODS_B/$name.ko missing (module build failed?)"
		cp "$MODS_B/$name.ko" "$data/b/"
	fi
done
# The generated modules (unstamped, malformed, storm) and the B-built C modules too.
cp "$MODS_A"/*.ko "$data/a/"
cp "$MODS_B"/*.ko "$data/b/"
# stamping cases (build-selftest-modules.sh: in-tree samples, the make fragment)
if [ -d "$(dirname "$MODS_A")/stamping" ]; then
	mkdir -p "$data/stamping"
	cp "$(dirname "$MODS_A")"/stamping/*.ko "$(dirname "$MODS_A")"/stamping/*.ko.xz "$data/stamping/"
fi
storm_good=$(cd "$MODS_A" && ls rustver_storm_*.ko 2>/dev/null | sed 's/\.ko$//' | tr '\n' ' ')
storm_bad=$(cd "$MODS_B" && ls rustver_storm_*.ko 2>/dev/null | sed 's/\.ko$//' | tr '\n' ' ')
# Compressed copies for finit_module with in-kernel decompression (rustver_compressed.sh).
for t in a b; do
	mods_var=MODS_${t^^}
	xz --check=crc32 --lzma2=dict=1MiB -c "${!mods_var}/rustver_test_hello.ko" >"$data/xz/$t/rustver_test_hello.ko.xz"
done
# rustver's kernel modules: installed (modprobe kmod_rustver) and as plain files.
kmods=no
if [ -n "${MODS_KMOD_A:-}" ] && [ -f "$MODS_KMOD_A/kmod_rustver.ko" ]; then
	kmods=yes
	for m in rustver_engine rustver_core kmod_rustver; do
		cp "$MODS_KMOD_A/$m.ko" "$data/kmod-a/"
		xz --check=crc32 --lzma2=dict=1MiB -c "$MODS_KMOD_A/$m.ko" >"$moddir/extra/$m.ko.xz"
	done
	[ -f "${MODS_KMOD_B:-}/rustver_core.ko" ] || die "MODS_KMOD_B has no rustver_core.ko"
	cp "$MODS_KMOD_B/rustver_core.ko" "$data/kmod-b/"
	if [ -n "${MODS_KMOD_A200:-}" ]; then
		[ -f "$MODS_KMOD_A200/rustver_core.ko" ] || die "MODS_KMOD_A200 has no rustver_core.ko"
		cp "$MODS_KMOD_A200"/{rustver_core.ko,table-200} "$data/kmod-a200/"
	fi
	if [ -n "${MODS_KMOD_ANOBID:-}" ]; then
		[ -f "$MODS_KMOD_ANOBID/rustver_core.ko" ] || die "MODS_KMOD_ANOBID has no rustver_core.ko"
		cp "$MODS_KMOD_ANOBID/rustver_core.ko" "$data/kmod-anobid/"
	fi
fi
# static_tool OUT SRC: the guest's own static build of a test tool.
static_tool() {
	if [ "$RUSTVER_ARCH" = x86_64 ]; then
		gcc -static -O2 -Wall -Wextra -Werror -o "$1" "$2" ||
			die "cannot build $2 (gcc -static)"
	else
		# The chroot's clang against the sysroot; the sources' directory bound in
		# for relative includes.
		"$CH" run --bind "$(cd "$SELFTESTS_DIR/.." && pwd)" clang --target="$CLANG_TARGET" \
			--sysroot="$SYSROOT_CHROOT" -fuse-ld=lld -static -O2 -Wall -Wextra -Werror \
			-o "${1#"$CHROOT"}" "$2" || die "cannot build $2 (clang --target=$CLANG_TARGET -static)"
	fi
}
static_tool "$suite/finit" "$SELFTESTS_DIR/tools/finit.c"
: >"$moddir/modules.order"
for f in modules.builtin modules.builtin.modinfo; do
	if [ -f "$KDIR_A/$f" ]; then cp "$KDIR_A/$f" "$moddir/"; else : >"$moddir/$f"; fi
done
"$CH" run depmod -b "${root#"$CHROOT"}" "$KERNEL_RELEASE" ||
	die "depmod -b $root $KERNEL_RELEASE failed"
[ -s "$moddir/modules.dep" ] || die "depmod wrote no $moddir/modules.dep"
sleepers=$(cd "$MODS_A" && ls rustver_sleep_*.ko 2>/dev/null | sed 's/\.ko$//' | tr '\n' ' ')
printf 'RUST_MODULES="%s"\nC_MODULES="%s"\nSTORM_GOOD="%s"\nSTORM_BAD="%s"\nRUSTVER_KMODS=%s\nSLEEPERS="%s"\nCHAIN_CASE=%s\n' \
	"${rust_mods# }" "${c_mods# }" "${storm_good% }" "${storm_bad% }" "$kmods" "${sleepers% }" \
	"${RUSTVER_SELFTEST_CHAIN:-1}" >"$data/modules.env"

# Kernel A's tree, as much of it as `rustver table --kdir` reads.
for f in "$KDIR_A"/rust/lib*.rmeta; do cp "$f" "$data/kdir-a/rust/"; done
cp "$KDIR_A/Module.symvers" "$KDIR_A/vmlinux" "$data/kdir-a/"

# Expected table CRCs, computed independently of rustver.
python3 - "$KDIR_A/rust" >"$data/rmeta-crc-a" <<'PY'
import os, sys, zlib
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if f.startswith("lib") and f.endswith(".rmeta"):
        with open(os.path.join(d, f), "rb") as fh:
            print("%s 0x%08x" % (f[3:-6], zlib.crc32(fh.read()) & 0xffffffff))
PY
[ -s "$data/rmeta-crc-a" ] || die "no rust/lib*.rmeta in $KDIR_A"
if [ -n "${RUSTVER_BIN:-}" ]; then
	"$RUSTVER_BIN" table --kdir "$KDIR_A" -o "$data/table-a" ||
		die "$RUSTVER_BIN table --kdir $KDIR_A failed"
fi

# The suite itself.
for f in ktap_helpers.sh rustver_lib.sh runner.sh settings config; do
	cp "$SELFTESTS_DIR/$f" "$suite/"
done
make -s -C "$SELFTESTS_DIR" list_progs >"$suite/tests.list"
while read -r t; do cp "$SELFTESTS_DIR/$t" "$suite/"; done <"$suite/tests.list"
install -m 0755 "${RUSTVER_INIT:-$SELFTESTS_DIR/qemu/init}" "$root/init"

(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
log "initramfs $out: $(du -h "$out" | cut -f1)"
