#!/bin/bash
# DKMS, with Debian's real dkms package, builds a Rust module package against
# kernel A, stamps it and only then signs and compresses it. DKMS runs POST_BUILD
# after signing (dkms.in: do_build() signs in the loop that copies the built
# modules, then run_build_script post_build), so the stamp is in the package's
# MAKE command, scripts/dkms-make (README "Stamping where modules are built").
#
# Runs in the selftests' trixie chroot under a throw-away overlay (dkms and
# its dependencies are installed there, never in the shared chroot), with
# /lib/modules/RELEASE/build pointing at kernel A's tree and the kernel's own
# scripts/sign-file built from its source as DKMS's signing tool. The module
# DKMS keeps is then read on the host: stamped from its build records, signed
# after the stamp (the signature covers it), xz-compressed as the kernel wants.
# Then rustver's own dkms.conf (make install-dkms) builds its three modules for
# kernel A, rustver_core with A's crate table. Needs root.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
RUSTVER=$(realpath "$RUSTVER")
if [ "$(id -u)" -ne 0 ]; then
	t_fail "needs root: DKMS runs in the selftests' trixie chroot"
	t_done
	exit 1
fi
. "$top/selftests/scripts/lib.sh"
cache_lock build
eval "$("$top/selftests/scripts/kernels.sh" a)"
croot=$CHROOT

pkg=$WORK/pkg
mkdir -p "$pkg" "$WORK/upper" "$WORK/work" "$WORK/merged" "$WORK/out"
cp "$top/selftests/modules/rustver_test_hello.rs" "$pkg/"
echo 'obj-m := rustver_test_hello.o' >"$pkg/Kbuild"
cat >"$pkg/dkms.conf" <<'CONF'
PACKAGE_NAME="rvhello"
PACKAGE_VERSION="1.0"
BUILT_MODULE_NAME[0]="rustver_test_hello"
DEST_MODULE_LOCATION[0]="/updates/dkms"
MAKE[0]="/usr/local/share/rustver/dkms-make ${kernel_source_dir} ${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build"
CLEAN="true"
AUTOINSTALL="no"
CONF
cp "$RUSTVER" "$WORK/rustver"
cp "$top/scripts/dkms-make" "$WORK/dkms-make"
make -s -C "$top" install-dkms DESTDIR="$WORK/rvsrc" >/dev/null
rv_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")

cat >"$WORK/in-chroot.sh" <<EOS
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends dkms kmod openssl >/dev/null
dkms --version
install -m 0755 $WORK/rustver /usr/local/bin/rustver
install -D -m 0755 $WORK/dkms-make /usr/local/share/rustver/dkms-make
mkdir -p /lib/modules/$KERNEL_RELEASE
ln -sfn /build/linux-a /lib/modules/$KERNEL_RELEASE/build
# the kernel's own signing tool, as a distribution's headers ship it
gcc -O2 -o /usr/local/bin/sign-file /build/linux-a/scripts/sign-file.c -lcrypto
echo 'sign_file="/usr/local/bin/sign-file"' >/etc/dkms/framework.conf.d/rustver-test.conf
# DKMS signs when the kernel's config has a signing hash (kernel A has none:
# dkms --config= gives it A's config plus that line) and compresses like the
# kernel's own modules (an .ko.xz in the module tree, as distributions ship)
cp /build/linux-a/include/config/auto.conf /tmp/kconfig
echo 'CONFIG_MODULE_SIG_HASH="sha256"' >>/tmp/kconfig
mkdir -p /lib/modules/$KERNEL_RELEASE/kernel
xz --check=crc32 -c /build/linux-a/samples/rust/rust_minimal.ko >/lib/modules/$KERNEL_RELEASE/kernel/rust_minimal.ko.xz
cp -r $pkg /usr/src/rvhello-1.0
dkms add -m rvhello -v 1.0
dkms build -m rvhello -v 1.0 -k $KERNEL_RELEASE --config=/tmp/kconfig --verbose || { cat /var/lib/dkms/rvhello/1.0/build/make.log; exit 1; }
cp -a /var/lib/dkms/rvhello/1.0/$KERNEL_RELEASE/*/module/. $WORK/out/
echo "== DKMS make.log"
cat /var/lib/dkms/rvhello/1.0/$KERNEL_RELEASE/*/log/make.log
echo "== rustver's own dkms.conf"
cp -r $WORK/rvsrc/usr/src/rustver-* /usr/src/
dkms add -m rustver -v $rv_version
dkms build -m rustver -v $rv_version -k $KERNEL_RELEASE --config=/tmp/kconfig ||
	{ cat /var/lib/dkms/rustver/$rv_version/build/make.log; exit 1; }
mkdir -p $WORK/rvout
cp -a /var/lib/dkms/rustver/$rv_version/$KERNEL_RELEASE/*/module/. $WORK/rvout/
EOS

set +e
unshare --mount --propagation private -- /bin/bash -ec '
	c=$1 w=$2
	mount -t overlay overlay -o "lowerdir=$c,upperdir=$w/upper,workdir=$w/work" "$w/merged"
	m=$w/merged
	mount -t proc proc "$m/proc"
	mount --rbind /dev "$m/dev"
	mount -t sysfs sysfs "$m/sys"
	mkdir -p "$m$w"
	mount --bind "$w" "$m$w"
	exec chroot "$m" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash "$w/in-chroot.sh"
' dkms "$croot" "$WORK" >"$WORK/dkms.log" 2>&1
rc=$?
set -e
tail -n 25 "$WORK/dkms.log" >"$OUT"
if [ "$rc" -ne 0 ]; then
	t_fail "dkms add + build of a Rust module package against kernel A (see the log above)"
	t_done
	exit 1
fi
t_ok "Debian's $(grep -m1 -o 'dkms-[0-9.]*' "$WORK/dkms.log" || echo dkms) built the package"
grep -q 'stamped 2 crates from its build records' "$WORK/dkms.log" &&
	t_ok "... its MAKE command stamped the module from its build records" ||
	t_fail "... its MAKE command stamped the module from its build records"
grep -q 'Signing module' "$WORK/dkms.log" && t_ok "... and DKMS signed it (after the MAKE command)" ||
	t_fail "... and DKMS signed it (after the MAKE command)"

ko=$(ls "$WORK"/out/rustver_test_hello.ko* 2>/dev/null | head -n 1)
run show --kdir "$KDIR_A" "$ko"
expect 0 "the module DKMS keeps is signed and compressed, and carries the evidence stamp" \
	'file: +xz, signed' 'stamp: +2 crates, version 2, from the build records'
run check --kdir "$KDIR_A" "$ko"
expect 0 "... and passes against kernel A (the signature did not cut the stamp)" 'pass'

# rustver's own modules through its dkms.conf, with kernel A's table
id=$(readelf -n "$KDIR_A/vmlinux" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p' | head -n 1)
n=0
for m in rustver_engine rustver_core kmod_rustver; do
	[ -f "$WORK/rvout/$m.ko.xz" ] && n=$((n + 1))
done
[ "$n" = 3 ] && t_ok "dkms builds rustver's three modules from its dkms.conf (signed, xz)" ||
	t_fail "dkms builds rustver's three modules from its dkms.conf (found $n)"
if [ -n "$id" ] && xz -dc "$WORK/rvout/rustver_core.ko.xz" 2>/dev/null | grep -qa "$id"; then
	t_ok "... rustver_core carries kernel A's table (build ID $id)"
else
	t_fail "... rustver_core carries kernel A's table (build ID ${id:-?})"
fi
t_done
