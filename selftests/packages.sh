#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages end to end, in QEMU (x86_64, TCG), as a distribution
# user meets them (`make check` runs it after the x86_64 selftests):
#
#  1. kernel A and tree B as the kernel's own `make bindeb-pkg` packages them
#     (scripts/kernel-debs.sh); a Rust module of the user's built against A
#     and stamped; the tables of A and B (`rustver table --kdir`);
#  2. a guest root made from the trixie chroot (scripts/packages-root.sh, in
#     a throw-away overlay): rustver's .debs built and installed, kernel A's
#     packages installed, DKMS building rustver-dkms and initramfs-tools
#     putting kmod_rustver into the initramfs in their postinst; then an ext4
#     image of that root;
#  3. QEMU boots kernel A from its package with that initramfs and that disk
#     (qemu/packages-init is its init): kmod_rustver loaded before any other
#     module, the user's module loads; tree B's packages installed with dpkg,
#     and rustver's kernel hook says, before any reboot, that the module
#     built against A will not load on B.
#
# Every case prints TAP ("ok N - ..." / "not ok N - ..."); the last line is
# "N passed, N failed, N skipped"; the exit status is 1 on any failure,
# timeout or kernel problem on the console.
#
# Environment: RUSTVER_BIN (the helper that stamps and makes the tables; needed),
# RUSTVER_CACHE, RUSTVER_QEMU_TIMEOUT (seconds for the boot, default 1800).
set -euo pipefail
. "$(dirname "$0")/scripts/lib.sh"

n=0 passed=0 failed=0
summary_printed=0
on_exit() {
	local rc=$?
	if [ "$summary_printed" = 0 ]; then
		[ "$rc" -ne 0 ] && echo "FAIL: the end-to-end case did not run to its end (see the error above)"
		echo "$passed passed, $((failed + 1)) failed, 0 skipped"
	fi
}
trap on_exit EXIT
# tap: number the "ok - " / "not ok - " lines of stdin, pass "# " lines on
tap() {
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"ok - "*) n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - ${line#ok - }" ;;
		"not ok - "*) n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - ${line#not ok - }" ;;
		"# "*) echo "$line" ;;
		esac
	done
}

need_root
export RUSTVER_ARCH=x86_64
arch_setup
"$SELFTESTS_DIR/deps.sh" >&2 || die "selftests/deps.sh could not install the host packages"
need_cmd qemu-system-x86_64 mke2fs unshare timeout git
[ -n "${RUSTVER_BIN:-}" ] || die "RUSTVER_BIN must name the rustver helper (make selftest sets it)"
RUSTVER_BIN=$(realpath -e "$RUSTVER_BIN") || die "RUSTVER_BIN=$RUSTVER_BIN does not exist"
top=$(cd "$SELFTESTS_DIR/.." && pwd)
start=$(date +%s)
cache_lock build
env_of "$SELFTESTS_DIR/scripts/kernels.sh"
env_of "$SELFTESTS_DIR/scripts/kernel-debs.sh"
log "kernel packages ready: $(($(date +%s) - start)) s"

work=$RUSTVER_CACHE/packages
rm -rf --one-file-system "$work"
mkdir -p "$work/mod" "$work/log"

# 1. the user's module: rustver_test_hello renamed, built against A, stamped
sed 's/rustver_test_hello/rustver_e2e_hello/g; s/RustverTestHello/RustverE2eHello/g' \
	"$SELFTESTS_DIR/modules/rustver_test_hello.rs" >"$work/mod/rustver_e2e_hello.rs"
echo 'obj-m := rustver_e2e_hello.o' >"$work/mod/Kbuild"
"$SELFTESTS_DIR/scripts/build-module.sh" a "$work/mod" >"$work/log/module.log" 2>&1 ||
	die "building rustver_e2e_hello against A failed; see $work/log/module.log"
"$RUSTVER_BIN" stamp --by-times --prefix-map "/build=$CHROOT/build" --kdir "$KDIR_A" \
	"$work/mod/rustver_e2e_hello.ko" >>"$work/log/module.log" 2>&1 ||
	die "rustver stamp of rustver_e2e_hello failed; see $work/log/module.log"
cp "$work/mod/rustver_e2e_hello.ko" "$work/"
"$RUSTVER_BIN" table -q --kdir "$KDIR_A" -o "$work/table-a"
"$RUSTVER_BIN" table -q --kdir "$KDIR_B" -o "$work/table-b"

# 2. the guest root and its disk
version=$(sed -n '1{s/^[^ ]* (\([^ ]*\)) .*/\1/;p;q}' "$top/debian/changelog")
src=$work/pkg/rustver-$version
mkdir -p "$src"
source_copy "$top" "$src"
{
	printf 'set -- %q %q %q %q %q\n' "$src" "$work" "$KERNEL_RELEASE" "$DEBS_A" "$DEBS_B"
	cat "$SELFTESTS_DIR/scripts/packages-root.sh"
} >"$work/root.sh"
t=$(date +%s)
set +e
IN_OVERLAY_IMAGE=$work/root.img in_tmpfs_overlay "$CHROOT" "$RUSTVER_CACHE/.packages-overlay" \
	"$work/root.sh" "$work" "$DEBS_A" "$DEBS_B" >"$work/log/root.log" 2>&1
rc=$?
set -e
tap <"$work/log/root.log"
echo "# the guest root, its packages and its disk: $(($(date +%s) - t)) s"
if [ "$rc" != 0 ] || [ ! -s "$work/root.img" ]; then
	tail -n 20 "$work/log/root.log" | sed 's/^/# /'
	echo "not ok $((n += 1)) - the guest root and its disk image (exit $rc)"
	failed=$((failed + 1))
	summary_printed=1
	echo "$passed passed, $failed failed, 0 skipped"
	exit 1
fi

# 3. the boot
qemu_setup "console=ttyS0 loglevel=7 panic=-1 panic_on_warn=1 oops=panic softlockup_panic=1 root=/dev/vda rw init=/sbin/rustver-e2e-init"
qtimeout=${RUSTVER_QEMU_TIMEOUT:-1800}
console=$work/log/console.log
log "booting kernel A's package with its initramfs and the disk (${qemu_accel[*]}), timeout ${qtimeout}s; console: $console"
t=$(date +%s)
set +e
timeout -k 10 "$qtimeout" qemu-system-x86_64 "${qemu_accel[@]}" \
	-m 2G -smp 2,sockets=2 -nodefaults -display none -no-reboot \
	-chardev stdio,id=console,signal=off -serial chardev:console \
	-kernel "$work/vmlinuz" -initrd "$work/initrd.img" \
	-drive "file=$work/root.img,format=raw,if=virtio" \
	-append "$qemu_append" </dev/null >"$console" 2>&1
qemu_rc=$?
set -e
tap < <(tr -d '\r' <"$console")
echo "# the guest: $(($(date +%s) - t)) s"

problems=()
# kernel lines only (PRINTK_TIME): the guest's own output quotes packages' logs
while IFS= read -r line; do
	problems+=("kernel problem on the console: $line")
done < <(tr -d '\r' <"$console" | grep -E '^\[ *[0-9]+\.[0-9]+\]' | grep -E "$KERNEL_PROBLEMS" || true)
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	problems+=("QEMU timed out after ${qtimeout}s (RUSTVER_QEMU_TIMEOUT)")
elif [ "$qemu_rc" -ne 0 ]; then
	problems+=("QEMU exited with status $qemu_rc")
fi
tr -d '\r' <"$console" | grep -q '^rustver-e2e: done' ||
	problems+=("the guest never reached the end (no 'rustver-e2e: done'; last lines of $console below)")
for p in "${problems[@]}"; do
	echo "not ok $((n += 1)) - $p"
	failed=$((failed + 1))
done
[ ${#problems[@]} -eq 0 ] || tr -d '\r' <"$console" | tail -n 30 | sed 's/^/# /'
echo "console log: $console"
echo "time: $(($(date +%s) - start))s"
summary_printed=1
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
