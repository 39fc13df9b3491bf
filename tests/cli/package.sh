#!/bin/bash
# The Debian packages (debian/): in a throw-away overlay of the suite's trixie
# chroot (selftests/scripts/chroot.sh), so that nothing is installed in the
# shared chroot, apt-get build-dep ./ then dpkg-buildpackage -us -uc (which
# must not run apt-get), lintian with no error and no warning, apt-get
# install of rustver and rustver-dkms, man, --version and the packages'
# files. Then the hooks the rustver package ships, on a made-up kernel
# release whose modules are the fixtures: the kernel postinst hook (run by
# run-parts as Debian's kernel postinst does, after dkms's), the
# kernel-install plugin, and the initramfs-tools hook and boot script
# (mkinitramfs). Needs root. RUSTVER_PACKAGE_COMMIT=REV: package that commit
# instead of the checkout as it is.
. "$(dirname "$0")/lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
# in_tmpfs_overlay
. "$top/selftests/scripts/lib.sh"
t0=$(date +%s)

need_trixie_chroot "package build"

# the source package's directory, rustver-VERSION; the build writes the
# .dsc, .debs and .changes beside it, in $pkg
version=$(sed -n '1{s/^[^ ]* (\([^ ]*\)) .*/\1/;p;q}' "$top/debian/changelog")
pkg=$WORK/pkg
src=$pkg/rustver-$version
mkdir -p "$src"
source_copy "$top" "$src" "${RUSTVER_PACKAGE_COMMIT:-}"
fixtures=$(realpath -m "$FIXTURES")
binds=("$pkg")
[ -f "$fixtures/user.o" ] && binds+=("$fixtures")

# The overlay's script prints "CASE ok|fail|skip TEXT" per case, after the
# lines ("#   ...") that explain a failure.
{ printf 'set -- %q %q %q\n' "$src" "$pkg" "$fixtures"; cat <<'EOS'; } > "$pkg/in-overlay.sh"
set -u
src=$1 pkg=$2 fixtures=$3
export DEBIAN_FRONTEND=noninteractive
log=$pkg/log
mkdir -p "$log"
ok() { echo "CASE ok $*"; }
fail() { echo "CASE fail $*"; }
skip() { echo "CASE skip $*"; }
# before A B WORD...: A is one of the WORDs, and B one after it
before() {
	a=$1 b=$2 seen=
	shift 2
	for w; do
		[ "$w" = "$a" ] && seen=1
		[ "$w" = "$b" ] && { [ -n "$seen" ]; return; }
	done
	return 1
}
# step NAME: how long the overlay's steps took, in the test's output
t_step=$(date +%s)
step() { echo "TIME $1: $(($(date +%s) - t_step)) s"; t_step=$(date +%s); }
# show FILE [N]: the last N lines of FILE, for a failing case
show() { tail -n "${2:-15}" "$1" | sed 's/^/#   /'; }
# the chroot's package lists may be older than the mirror: update once, on failure
aptget() {
	apt-get -q -y --no-install-recommends "$@" || { apt-get -q update && apt-get -q -y --no-install-recommends "$@"; }
}
# a throw-away root: dpkg need not sync, man-db need not index
echo force-unsafe-io > /etc/dpkg/dpkg.cfg.d/rustver-test
echo 'man-db man-db/auto-update boolean false' | debconf-set-selections
cd "$src" || exit 1
v=$(dpkg-parsechangelog -SVersion)

# 1. Build-Depends, then the build, with an apt-get that fails and says so
if aptget build-dep ./ > "$log/build-dep.log" 2>&1; then
	ok "apt-get build-dep ./ installs the Build-Depends on Debian 13"
else
	show "$log/build-dep.log"; fail "apt-get build-dep ./ installs the Build-Depends on Debian 13"
fi
step "build-dep"
mkdir -p /tmp/guard
printf '#!/bin/sh\necho "apt-get $*" >> /tmp/guard/called\nexit 1\n' > /tmp/guard/apt-get
chmod +x /tmp/guard/apt-get
# what the tests use comes after the build (it would hide a missing
# Build-Depends): fetched while it runs
tools="lintian man-db shellcheck initramfs-tools"
# shellcheck disable=SC2086
apt-get -q -y --no-install-recommends -d install $tools > "$log/download.log" 2>&1 &
dl=$!
if PATH=/tmp/guard:$PATH dpkg-buildpackage -us -uc > "$log/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc builds rustver $v (source, rustver, rustver-dkms)"
else
	show "$log/build.log" 25; fail "dpkg-buildpackage -us -uc builds rustver $v"
fi
step "dpkg-buildpackage"
if [ -e /tmp/guard/called ]; then
	show /tmp/guard/called; fail "the package build runs no apt-get (RUSTVER_DEPS=0)"
else
	ok "the package build runs no apt-get (RUSTVER_DEPS=0)"
fi
wait $dl || true
cd "$pkg" || exit 1
debs=$(ls rustver_"$v"_*.deb rustver-dkms_"$v"_all.deb 2>/dev/null | paste -sd' ')
[ -f "rustver_$v.dsc" ] && [ -n "$debs" ] || { show "$log/build.log"; fail "the build left no .dsc or .debs"; exit 0; }

step "wait for the downloads"
# 2. the packages and the test tools in one apt-get run; lintian in the
# background while the rest is tested
# shellcheck disable=SC2046,SC2086
if aptget install $tools $(printf './%s ' $debs) > "$log/install.log" 2>&1; then
	ok "apt-get install ./rustver_${v}_*.deb ./rustver-dkms_${v}_all.deb (with dkms)"
else
	show "$log/install.log"; fail "apt-get install of the two packages (and $tools)"
fi
step "apt-get install"
lintian --info --display-info --pedantic rustver_"$v"_*.changes > "$log/lintian.log" 2>&1 &
lintian=$!

# 3. man, --version, files
[ "$(man -w rustver 2>&1)" = /usr/share/man/man8/rustver.8.gz ] &&
	[ "$(man -w kmod_rustver 2>&1)" = /usr/share/man/man8/kmod_rustver.8.gz ] &&
	MANWIDTH=80 man rustver 2>&1 | grep -q 'rustver - check the crate interfaces of Rust kernel modules' &&
	MANWIDTH=80 man rustver 2>&1 | grep -q '/usr/share/rustver/rustver.mk' &&
	ok "man rustver and man kmod_rustver open (section 8), naming /usr/share/rustver" ||
	{ man -w rustver kmod_rustver 2>&1 | sed 's/^/#   /'; fail "man rustver and man kmod_rustver open"; }
rustver --version > "$log/version" 2>&1
grep -q "^rustver $v " "$log/version" && ok "rustver --version says $v, debian/changelog's version" ||
	{ show "$log/version"; fail "rustver --version says $v"; }
missing=
for f in /usr/bin/rustver /usr/share/rustver/rustver.mk /usr/share/rustver/dkms-make \
	/usr/share/rustver/rustver-rustc \
	/usr/share/rustver/kernel-hook /usr/share/man/man8/rustver.8.gz /usr/share/man/man8/kmod_rustver.8.gz \
	/etc/kernel/postinst.d/zz-rustver /usr/lib/kernel/install.d/60-rustver.install /etc/default/rustver \
	/usr/share/initramfs-tools/hooks/rustver /usr/share/initramfs-tools/scripts/init-top/rustver; do
	dpkg -L rustver | grep -qxF "$f" || missing="$missing $f"
done
for f in dkms.conf Kbuild kmod_rustver.c rustver_core.c rustver_trace.h include/rustver/core.h lib/exports.c lib/verdict.c; do
	dpkg -L rustver-dkms | grep -qxF "/usr/src/rustver-$v/$f" || missing="$missing /usr/src/rustver-$v/$f"
done
[ -z "$missing" ] && ok "dpkg -L: the helper, rustver.mk, dkms-make, rustver-rustc, man pages, hooks; /usr/src/rustver-$v with dkms.conf, Kbuild, sources" ||
	{ echo "#   missing:$missing"; fail "dpkg -L lists every file of the packages"; }
grep -qx "PACKAGE_VERSION=\"$v\"" "/usr/src/rustver-$v/dkms.conf" && dkms status 2>&1 | grep -q "^rustver/$v: added" &&
	ok "rustver-dkms's postinst added rustver/$v to DKMS (dkms.conf PACKAGE_VERSION=\"$v\")" ||
	{ dkms status 2>&1 | sed 's/^/#   /'; fail "rustver-dkms's postinst added rustver/$v to DKMS"; }
# until selftests/scripts/dkms-build.sh reads the version elsewhere (make -s version)
grep -qx "PACKAGE_VERSION=\"$v\"" "$src/dkms.conf" && ok "dkms.conf's PACKAGE_VERSION is debian/changelog's $v" ||
	{ grep PACKAGE_VERSION= "$src/dkms.conf" | sed 's/^/#   /'; fail "dkms.conf's PACKAGE_VERSION is debian/changelog's $v"; }
hooks="/usr/share/rustver/kernel-hook /etc/kernel/postinst.d/zz-rustver /usr/lib/kernel/install.d/60-rustver.install
	/usr/share/initramfs-tools/hooks/rustver /usr/share/initramfs-tools/scripts/init-top/rustver /etc/default/rustver"
rc=0
for h in $hooks; do sh -n "$h" || rc=1; done
# shellcheck disable=SC2086
shellcheck -s sh $hooks > "$log/shellcheck.log" 2>&1 || rc=1
[ $rc = 0 ] && ok "the hooks pass sh -n and shellcheck" || { show "$log/shellcheck.log" 30; fail "the hooks pass sh -n and shellcheck"; }

step "man, files, shellcheck"
# 4. the kernel hooks on a made-up release: its modules are the fixtures
if [ ! -f "$fixtures/user.o" ]; then
	skip "the kernel hooks # SKIP no fixtures (tests/fixtures/build.sh)"
	exit 0
fi
r=6.1.0-rvpkg
old=6.1.0-rvold
m=/lib/modules/$r
mkdir -p "$m/kernel/drivers" "$m/updates/dkms" "$m/extra" "$m/weak-updates" "/lib/modules/$old/extra"
rustver table --kdir "$fixtures/kdirA" -o /tmp/A.txt
cp "$fixtures/user.o" /tmp/good.ko
cp "$fixtures/userB.o" /tmp/bad.ko
rustver stamp --unverified --kdir "$fixtures/kdirA" /tmp/good.ko > /dev/null
rustver stamp --unverified --kdir "$fixtures/kdirB" /tmp/bad.ko > /dev/null
# module SRC DEST NAME: SRC with a .modinfo naming it NAME
module() {
	printf 'name=%s\0license=GPL\0' "$3" > /tmp/mi
	objcopy --add-section .modinfo=/tmp/mi "$1" "$2"
}
module /tmp/good.ko "$m/updates/dkms/rv_good.ko" rv_good
module /tmp/bad.ko "$m/extra/rv_bad.ko" rv_bad
module /tmp/bad.ko "/lib/modules/$old/extra/rv_weak.ko" rv_weak
ln -s "../../$old/extra/rv_weak.ko" "$m/weak-updates/rv_weak.ko"
module "$fixtures/plain.o" "$m/kernel/drivers/rv_plain.ko" rv_plain
for n in kmod_rustver rustver_core rustver_engine; do
	module "$fixtures/plain.o" "$m/updates/dkms/$n.ko" "$n"
done
touch "$m/modules.order" "$m/modules.builtin" "$m/modules.builtin.modinfo"
depmod "$r"

# as Debian's kernel postinst runs the hooks (linux-image-*.postinst);
# initramfs-tools's own hook would make an initramfs each time: run-parts
# skips it while it is not executable
hookrun() { run-parts --report --exit-on-error --arg="$r" --arg="/boot/vmlinuz-$r" /etc/kernel/postinst.d; }
chmod -x /etc/kernel/postinst.d/initramfs-tools
hookrun > "$log/hook-notable.log" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "rustver: $r: no crate table" "$log/hook-notable.log" &&
	ok "postinst.d/zz-rustver: no table for the release: it says so, exit 0" ||
	{ show "$log/hook-notable.log"; fail "postinst.d/zz-rustver without a table (exit $rc)"; }
mkdir -p /etc/rustver/tables
cp /tmp/A.txt "/etc/rustver/tables/$r"
hookrun > "$log/hook.log" 2>&1
rc=$?
# run-parts names each script before its output; dkms's must come first
order=$(grep -E '^/etc/kernel/postinst.d/' "$log/hook.log" | paste -sd' ')
if [ $rc = 0 ] && grep -q '^  updates/dkms/rv_good.ko: pass (1 crate' "$log/hook.log" &&
	grep -q '^  extra/rv_bad.ko: FAIL' "$log/hook.log" &&
	grep -qE '^  weak-updates/rv_weak.ko( -> [^ ]*)?: FAIL' "$log/hook.log" &&
	grep -q '^  updates/dkms/kmod_rustver.ko: pass (no Rust imports)' "$log/hook.log" &&
	grep -qE "^  $m: [0-9]+ modules: 1 pass, 2 fail" "$log/hook.log" &&
	grep -q "rustver: $r: a module fails rustver's check; the kernel's installation goes on" "$log/hook.log"; then
	ok "postinst.d/zz-rustver: each out-of-tree module's verdict (updates/, extra/, weak-updates/), exit 0"
else
	show "$log/hook.log" 25; fail "postinst.d/zz-rustver prints the out-of-tree modules' verdicts and exits 0 (exit $rc)"
fi
# shellcheck disable=SC2086
before /etc/kernel/postinst.d/dkms: /etc/kernel/postinst.d/zz-rustver: $order &&
	ok "run-parts runs zz-rustver after dkms ($order)" ||
	{ echo "#   $order"; fail "run-parts runs zz-rustver after dkms"; }
cp /etc/default/rustver /tmp/default.rustver
echo RUSTVER_POSTINST_FAIL=1 >> /etc/default/rustver
hookrun > "$log/hook-fail.log" 2>&1
rc=$?
cp /tmp/default.rustver /etc/default/rustver
[ $rc != 0 ] && grep -q 'failing (RUSTVER_POSTINST_FAIL=1' "$log/hook-fail.log" &&
	ok "RUSTVER_POSTINST_FAIL=1 in /etc/default/rustver: a failing verdict fails run-parts (exit $rc)" ||
	{ show "$log/hook-fail.log"; fail "RUSTVER_POSTINST_FAIL=1 fails the hook (exit $rc)"; }
/usr/lib/kernel/install.d/60-rustver.install add "$r" "/boot/efi/x/$r" "/boot/vmlinuz-$r" > "$log/ki-add.log" 2>&1
rc=$?
/usr/lib/kernel/install.d/60-rustver.install remove "$r" "/boot/efi/x/$r" > "$log/ki-remove.log" 2>&1
rc2=$?
[ $rc = 0 ] && [ $rc2 = 0 ] && grep -q '^  extra/rv_bad.ko: FAIL' "$log/ki-add.log" && [ ! -s "$log/ki-remove.log" ] &&
	ok "kernel-install plugin 60-rustver.install: add gives the verdicts, remove does nothing" ||
	{ show "$log/ki-add.log"; show "$log/ki-remove.log"; fail "kernel-install plugin 60-rustver.install (exit $rc, $rc2)"; }

step "kernel hooks"
chmod +x /etc/kernel/postinst.d/initramfs-tools

# 5. initramfs-tools: the hook adds kmod_rustver and its options, the boot
# script runs in init-top before udev
echo 'options kmod_rustver policy=warn' > /etc/modprobe.d/rustver.conf
if mkinitramfs -o /tmp/rv.img "$r" > "$log/mkinitramfs.log" 2>&1 &&
	unmkinitramfs /tmp/rv.img /tmp/rv-initrd >> "$log/mkinitramfs.log" 2>&1; then
	i=/tmp/rv-initrd
	[ -d $i/main ] && i=$i/main
	n=$(find "$i" -name 'kmod_rustver.ko*' -o -name 'rustver_core.ko*' -o -name 'rustver_engine.ko*' | wc -l)
	order=$(sed -n 's|^/scripts/init-top/\([^ ]*\) .*|\1|p' "$i/scripts/init-top/ORDER" | paste -sd' ')
	# shellcheck disable=SC2086
	if [ "$n" = 3 ] && grep -qx 'options kmod_rustver policy=warn' "$i/etc/modprobe.d/rustver.conf" &&
		[ -x "$i/scripts/init-top/rustver" ] && before rustver udev $order; then
		ok "mkinitramfs: kmod_rustver, rustver_core, rustver_engine and rustver.conf in; init-top: $order"
	else
		echo "#   $n modules; init-top: $order"; fail "mkinitramfs puts kmod_rustver in and loads it before udev"
	fi
	# the hook alone, as mkinitramfs runs it: what it asks for
	echo RUSTVER_INITRAMFS=0 >> /etc/default/rustver
	: > /tmp/rv-mods
	DESTDIR=/tmp/rv-initrd0 version=$r verbose=n __MODULES_TO_ADD=/tmp/rv-mods \
		/usr/share/initramfs-tools/hooks/rustver >> "$log/mkinitramfs.log" 2>&1
	rc=$?
	if [ $rc = 0 ] && [ ! -s /tmp/rv-mods ]; then
		ok "RUSTVER_INITRAMFS=0 leaves kmod_rustver out of the initramfs"
	else
		sed 's/^/#   /' /tmp/rv-mods; fail "RUSTVER_INITRAMFS=0 leaves kmod_rustver out of the initramfs (exit $rc)"
	fi
else
	show "$log/mkinitramfs.log"; fail "mkinitramfs for the made-up release"
fi
step mkinitramfs

# lintian's verdict
wait $lintian
rc=$? # 0: nothing at error level, 1: errors, 2: lintian itself failed
grep -E '^[EW]: ' "$log/lintian.log" > "$log/lintian-ew.log" || true
if [ $rc -gt 1 ]; then
	show "$log/lintian.log"; fail "lintian ran on the .changes (exit $rc)"
elif [ -s "$log/lintian-ew.log" ]; then
	show "$log/lintian-ew.log" 30; fail "lintian: $(wc -l < "$log/lintian-ew.log") errors and warnings"
else
	ok "lintian on the .changes, .dsc and .debs: no error, no warning ($(grep -cE '^[IP]: ' "$log/lintian.log") info and pedantic tags)"
fi
grep -E '^[EWIPX]: ' "$log/lintian.log" | sed 's/^/NOTE lintian: /'
step "waiting for lintian"
EOS

set +e
in_tmpfs_overlay "$croot" "$WORK/overlay" "$pkg/in-overlay.sh" "${binds[@]}" > "$WORK/package.log" 2>&1
rc=$?
set -e
: > "$OUT"
while IFS= read -r line; do
	case $line in
	"#   "*) echo "${line#\#   }" >> "$OUT" ;;
	"CASE ok "*) t_ok "${line#CASE ok }"; : > "$OUT" ;;
	"CASE fail "*) t_fail "${line#CASE fail }"; : > "$OUT" ;;
	"TIME "*) echo "# ${line#TIME }" ;;
	"NOTE "*) echo "# ${line#NOTE }" ;;
	"CASE skip "*) what=${line#CASE skip }; t_skip "${what%% \# SKIP *}" "${what#* \# SKIP }"; : > "$OUT" ;;
	esac
done < "$WORK/package.log"
if [ "$rc" != 0 ] || ! grep -q '^CASE ' "$WORK/package.log"; then
	tail -n 15 "$WORK/package.log" > "$OUT"
	t_fail "the overlay's script ran to its end (exit $rc)"
fi
echo "# wall time: $(($(date +%s) - t0)) s"
t_done
