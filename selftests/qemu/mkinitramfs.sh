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
#   - the rustver helper ($RUSTVER_BIN) when given;
#   - the KTAP test programs and their data, and /init.
# Shared libraries are those the chroot's ldd resolves, taken from the chroot: one
# glibc (trixie's) for every program, which also runs binaries built on bookworm.
#
# Usage: mkinitramfs.sh OUT.cpio.gz
# Environment (all required but RUSTVER_BIN):
#   CHROOT          the trixie build chroot (host path)
#   KDIR_A          kernel A build tree (host path)
#   KERNEL_RELEASE  its release string
#   MODS_A, MODS_B  directories with the .ko files built against A and B
#   RUSTVER_BIN     the rustver helper binary (optional: its tests then SKIP)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: mkinitramfs.sh OUT.cpio.gz"
out=$1
: "${CHROOT:?CHROOT not set}" "${KDIR_A:?KDIR_A not set}" "${KERNEL_RELEASE:?KERNEL_RELEASE not set}"
: "${MODS_A:?MODS_A not set}" "${MODS_B:?MODS_B not set}"
need_cmd busybox ldd cpio gzip xz python3
CH=$SELFTESTS_DIR/scripts/chroot.sh

# Staged inside the chroot, so its depmod and ldd can work on it.
root=$CHROOT/build/initramfs-root
rm -rf "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,root,etc}
suite=$root/selftests/rustver
data=$suite/data
mkdir -p "$suite" "$data"/{a,b,kdir-a/rust}

# copy_bin SRC DEST: install the executable SRC (host path) as DEST and every shared
# library that the chroot's ldd lists for it, from the chroot, at the same paths.
copy_bin() {
	local src=$1 dest=$2 lib libs
	install -D -m 0755 "$src" "$root$dest"
	libs=$("$CH" run ldd "${root#"$CHROOT"}$dest" 2>&1) || return 0 # static
	if grep -q 'not found' <<<"$libs"; then
		die "$src needs libraries the trixie chroot lacks (add their packages to PACKAGES in scripts/chroot.sh):
$(grep 'not found' <<<"$libs")"
	fi
	for lib in $(awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }' <<<"$libs"); do
		[ -e "$root$lib" ] || install -D -m 0755 "$(realpath "$CHROOT$lib")" "$root$lib"
	done
}

# busybox: every applet but the module tools, which come from kmod.
busybox=$(command -v busybox)
# ldd fails on a static binary; a dynamic busybox would need its libraries too.
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; install busybox-static"
fi
install -m 0755 "$busybox" "$root/bin/busybox"
kmod_tools="insmod rmmod modprobe lsmod depmod modinfo"
for applet in $("$busybox" --list); do
	case " $kmod_tools busybox " in *" $applet "*) continue ;; esac
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

[ -x "$CHROOT/usr/bin/kmod" ] || die "$CHROOT/usr/bin/kmod missing: is kmod in the chroot's PACKAGES?"
copy_bin "$CHROOT/usr/bin/kmod" /usr/bin/kmod
for t in $kmod_tools; do ln -s ../usr/bin/kmod "$root/sbin/$t"; done

if [ -n "${RUSTVER_BIN:-}" ]; then
	[ -x "$RUSTVER_BIN" ] || die "RUSTVER_BIN=$RUSTVER_BIN is not an executable file"
	copy_bin "$RUSTVER_BIN" /usr/bin/rustver
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
	xz --check=crc32 --lzma2=dict=1MiB -c "$MODS_A/$name.ko" >"$moddir/extra/$name.ko.xz"
	if [[ $src == *.rs ]]; then
		[ -f "$MODS_B/$name.ko" ] || die "$MODS_B/$name.ko missing (module build failed?)"
		cp "$MODS_B/$name.ko" "$data/b/"
	fi
done
: >"$moddir/modules.order"
for f in modules.builtin modules.builtin.modinfo; do
	if [ -f "$KDIR_A/$f" ]; then cp "$KDIR_A/$f" "$moddir/"; else : >"$moddir/$f"; fi
done
"$CH" run depmod -b "${root#"$CHROOT"}" "$KERNEL_RELEASE" ||
	die "depmod -b $root $KERNEL_RELEASE failed"
[ -s "$moddir/modules.dep" ] || die "depmod wrote no $moddir/modules.dep"
printf 'RUST_MODULES="%s"\nC_MODULES="%s"\n' "${rust_mods# }" "${c_mods# }" >"$data/modules.env"

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
install -m 0755 "$SELFTESTS_DIR/qemu/init" "$root/init"

(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
log "initramfs $out: $(du -h "$out" | cut -f1)"
