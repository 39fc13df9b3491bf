#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a DKMS package with a Rust module against kernel A with Debian's real
# dkms, in a throw-away overlay of the selftests' trixie chroot (dkms, kmod and
# openssl are installed there, never in the shared chroot), and copy out what
# DKMS keeps. The package's MAKE command is scripts/dkms-make: it builds and
# stamps ('rustver stamp', from Kbuild's records) before DKMS signs (with its
# MOK key, the kernel's own scripts/sign-file) and compresses (xz, as the
# kernel's module tree is) the module; DKMS runs POST_BUILD only after that.
# Then rustver's own dkms.conf (make install-dkms) builds its three modules.
#
# Usage: dkms-build.sh RUSTVER OUTDIR
#   OUTDIR/hello/   the package's module as DKMS keeps it (rustver_test_hello.ko.xz)
#   OUTDIR/rustver/ rustver's modules as DKMS keeps them
#   OUTDIR/dkms.log everything dkms printed, then its make.log
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: dkms-build.sh RUSTVER OUTDIR"
rustver=$(realpath -e "$1") || die "no rustver at $1"
out=$(realpath -m "$2")
need_root
arch_setup
cache_lock "build$ARCH_SUFFIX"
env_of "$SELFTESTS_DIR/scripts/kernels.sh" a
top=$(cd "$SELFTESTS_DIR/.." && pwd)

w=$(mktemp -d) # under $TMPDIR, else /tmp
trap 'rm -rf "$w"' EXIT
rm -rf "$out"
mkdir -p "$out/hello" "$out/rustver" "$w/pkg"
cp "$SELFTESTS_DIR/modules/rustver_test_hello.rs" "$w/pkg/"
echo 'obj-m := rustver_test_hello.o' >"$w/pkg/Kbuild"
cat >"$w/pkg/dkms.conf" <<'CONF'
PACKAGE_NAME="rvhello"
PACKAGE_VERSION="1.0"
BUILT_MODULE_NAME[0]="rustver_test_hello"
DEST_MODULE_LOCATION[0]="/updates/dkms"
MAKE[0]="/usr/local/share/rustver/dkms-make ${kernel_source_dir} ${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build"
CLEAN="true"
AUTOINSTALL="no"
CONF
cp "$rustver" "$w/rustver"
cp "$top/scripts/dkms-make" "$top/scripts/rustver-rustc" "$w/"
make -s -C "$top" install-dkms DESTDIR="$w/rvsrc" >/dev/null
# the version install-dkms installs under: debian/changelog's, as make reads it
# (dkms.conf's PACKAGE_VERSION is replaced on install)
rv_version=$(RUSTVER_DEPS=0 make -s --no-print-directory -C "$top" version)
[ -n "$rv_version" ] || die "make version printed no version"

cat >"$w/in-chroot.sh" <<EOS
set -e
export DEBIAN_FRONTEND=noninteractive
# RUSTVER_ARCH=arm64: the kernel's make (under dkms and its MAKE command) cross-builds
$([ "$RUSTVER_ARCH" = x86_64 ] || echo "export ARCH=$RUSTVER_ARCH")
apt-get install -y --no-install-recommends dkms kmod openssl >/dev/null
dkms --version
install -m 0755 $w/rustver /usr/local/bin/rustver
install -D -m 0755 $w/dkms-make /usr/local/share/rustver/dkms-make
install -D -m 0755 $w/rustver-rustc /usr/local/share/rustver/rustver-rustc
mkdir -p /lib/modules/$KERNEL_RELEASE/kernel
ln -sfn $KDIR_A_CHROOT /lib/modules/$KERNEL_RELEASE/build
# the kernel's own signing tool, as a distribution's headers ship it
gcc -O2 -o /usr/local/bin/sign-file $KDIR_A_CHROOT/scripts/sign-file.c -lcrypto
echo 'sign_file="/usr/local/bin/sign-file"' >/etc/dkms/framework.conf.d/rustver-test.conf
# DKMS signs when the kernel config has a signing hash (kernel A has none: dkms
# --config= gives it A's config plus that line) and compresses like the kernel's
# own modules (a .ko.xz in the module tree, as distributions ship)
cp $KDIR_A_CHROOT/include/config/auto.conf /tmp/kconfig
echo 'CONFIG_MODULE_SIG_HASH="sha256"' >>/tmp/kconfig
xz --check=crc32 -c $KDIR_A_CHROOT/samples/rust/rust_minimal.ko >/lib/modules/$KERNEL_RELEASE/kernel/rust_minimal.ko.xz
cp -r $w/pkg /usr/src/rvhello-1.0
dkms add -m rvhello -v 1.0
dkms build -m rvhello -v 1.0 -k $KERNEL_RELEASE --config=/tmp/kconfig --verbose ||
	{ cat /var/lib/dkms/rvhello/1.0/build/make.log; exit 1; }
cp -a /var/lib/dkms/rvhello/1.0/$KERNEL_RELEASE/*/module/. $out/hello/
echo "== DKMS make.log"
cat /var/lib/dkms/rvhello/1.0/$KERNEL_RELEASE/*/log/make.log
echo "== rustver's own dkms.conf"
cp -r $w/rvsrc/usr/src/rustver-* /usr/src/
dkms add -m rustver -v $rv_version
dkms build -m rustver -v $rv_version -k $KERNEL_RELEASE --config=/tmp/kconfig ||
	{ cat /var/lib/dkms/rustver/$rv_version/build/make.log; exit 1; }
cp -a /var/lib/dkms/rustver/$rv_version/$KERNEL_RELEASE/*/module/. $out/rustver/
EOS

in_overlay "$CHROOT" "$w/overlay" "$w/in-chroot.sh" "$w" "$out" >"$out/dkms.log" 2>&1 ||
	die "the DKMS build failed; last lines of $out/dkms.log:
$(tail -n 25 "$out/dkms.log")"
log "DKMS built $(ls "$out/hello" "$out/rustver" | grep -c '\.ko') modules into $out"
