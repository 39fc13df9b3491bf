#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest root of selftests/packages.sh, made in a throw-away overlay of the
# trixie chroot (in_overlay; packages.sh turns it into the guest's disk):
#
#  1. rustver's packages built from SRC (apt-get build-dep, dpkg-buildpackage)
#     and installed with apt-get, as a user installs them;
#  2. kernel A's table where a distribution puts one (/etc/rustver/tables/R),
#     kmod_rustver's options (policy=enforce), and a Rust module of the user's
#     built against kernel A in /lib/modules/R/extra;
#  3. kernel A's packages (bindeb-pkg) installed with apt-get: their postinst
#     runs DKMS (rustver-dkms built against the headers), initramfs-tools
#     (the initramfs, with kmod_rustver) and rustver's kernel hook;
#  4. what the guest needs: tree B's packages and table in /root/rustver-b,
#     its init (/sbin/rustver-e2e-init), the kernel's kmod and module
#     selftests (/usr/local/lib/kselftest), and the kernel and initramfs
#     copied out to WORK for QEMU.
#
#   packages-root.sh SRC WORK RELEASE DEBS_A DEBS_B
#
# WORK holds table-a, table-b and rustver_e2e_hello.ko (packages.sh made
# them). Prints "ok - TEXT" or "not ok - TEXT" per case, after the lines
# ("# ...") that explain a failure; exits 1 when the guest cannot be made.
set -u
src=$1 work=$2 release=$3 debs_a=$4 debs_b=$5
export DEBIAN_FRONTEND=noninteractive
log=$work/log
mkdir -p "$log"
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
show() { tail -n "${2:-15}" "$1" | sed 's/^/# /'; }
# the chroot's package lists may be older than the mirror: update once, on failure
aptget() {
	apt-get -q -y --no-install-recommends "$@" || { apt-get -q update && apt-get -q -y --no-install-recommends "$@"; }
}
# a throw-away root: dpkg need not sync, man-db need not index
echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/rustver-test
echo 'man-db man-db/auto-update boolean false' | debconf-set-selections

# 1. rustver's packages
cd "$src" || exit 1
if aptget build-dep ./ >"$log/build-dep.log" 2>&1 &&
	RUSTVER_DEPS=0 dpkg-buildpackage -us -uc -b >"$log/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds rustver and rustver-dkms"
else
	show "$log/build.log" 25
	fail "dpkg-buildpackage -us -uc -b builds rustver and rustver-dkms"
	exit 1
fi
cd / || exit 1
# with what the guest's init uses: busybox (reboot), libcap2-bin and
# linux-perf (capsh and perf: the kernel's kmod and module selftests)
if aptget install "$(ls "$src"/../rustver_*_amd64.deb)" "$(ls "$src"/../rustver-dkms_*_all.deb)" \
	initramfs-tools busybox libcap2-bin linux-perf >"$log/install.log" 2>&1; then
	ok "apt-get install ./rustver_*.deb ./rustver-dkms_*.deb (dkms, initramfs-tools)"
else
	show "$log/install.log"
	fail "apt-get install of rustver's packages"
	exit 1
fi

# 2. what a distribution and a user bring: the table, the options, a module
install -D -m 0644 "$work/table-a" "/etc/rustver/tables/$release"
echo 'options kmod_rustver policy=enforce' >/etc/modprobe.d/rustver.conf
install -D -m 0644 "$work/rustver_e2e_hello.ko" "/lib/modules/$release/extra/rustver_e2e_hello.ko"

# 3. kernel A's packages: DKMS, initramfs-tools and rustver's hook run in
# their postinst
if aptget install "$(ls "$debs_a"/linux-image-"$release"_*.deb)" \
	"$(ls "$debs_a"/linux-headers-"$release"_*.deb)" >"$log/kernel-a.log" 2>&1; then
	ok "apt-get install of kernel A's linux-image and linux-headers packages"
else
	show "$log/kernel-a.log" 30
	fail "apt-get install of kernel A's packages"
	exit 1
fi
if dkms status -k "$release" 2>&1 | grep -q "^rustver/.*: installed"; then
	ok "DKMS built and installed rustver-dkms for $release in the kernel's postinst"
else
	dkms status 2>&1 | sed 's/^/# /'
	show "$log/kernel-a.log" 30
	fail "DKMS built rustver-dkms for $release"
fi
if grep -q '^  extra/rustver_e2e_hello.ko: pass' "$log/kernel-a.log" &&
	grep -qE '^  updates/dkms/kmod_rustver\.ko(\.[a-z]+)?: pass \(no Rust imports\)' "$log/kernel-a.log"; then
	ok "the kernel hook (postinst.d/zz-rustver): extra/rustver_e2e_hello.ko and DKMS's modules pass on A"
else
	grep -E '^rustver: |^  ' "$log/kernel-a.log" | sed 's/^/# /'
	fail "the kernel hook's verdicts on kernel A's out-of-tree modules"
fi
lsinitramfs "/boot/initrd.img-$release" >"$log/initrd.list" 2>&1
if grep -q '/kmod_rustver\.ko' "$log/initrd.list" && grep -q 'scripts/init-top/rustver$' "$log/initrd.list" &&
	grep -q 'etc/modprobe.d/rustver.conf$' "$log/initrd.list"; then
	ok "update-initramfs (kernel postinst): kmod_rustver, init-top/rustver and rustver.conf in /boot/initrd.img-$release"
else
	grep -E 'rustver' "$log/initrd.list" | sed 's/^/# /'
	fail "the initramfs of $release holds kmod_rustver, init-top/rustver and rustver.conf"
	exit 1
fi

# 4. the guest's part
mkdir -p /root/rustver-b
cp "$debs_b"/linux-image-"$release"_*.deb "$debs_b"/linux-headers-"$release"_*.deb /root/rustver-b/
cp "$work/table-b" /root/rustver-b/table
install -m 0755 "$src/selftests/qemu/packages-init" /sbin/rustver-e2e-init
# the kernel's own module-loading selftests, from kernel A's sources as they are
for t in kmod/kmod.sh kmod/config module/find_symbol.sh module/config; do
	install -D -m 0755 "/build/linux-a/tools/testing/selftests/$t" "/usr/local/lib/kselftest/$t"
done
cp "/boot/vmlinuz-$release" "$work/vmlinuz"
cp "/boot/initrd.img-$release" "$work/initrd.img"
apt-get clean
