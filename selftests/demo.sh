#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot the Rust-enabled test kernel A in QEMU with rustver loaded and
# show, as typed in the guest, a module built against A accepted by modprobe, the
# same source built against another build of the kernel (tree B) refused with the
# crate and both CRCs in dmesg, `rustver check` predicting both, and the counters.
#
# On a fresh machine it first builds what it needs, in the selftest cache
# (selftests/README.md): the trixie chroot, kernel A and tree B (about 20 minutes on
# 2 cores, once), the modules, and an initramfs whose /init is qemu/demo-init.
# Exit status 0 when the guest showed what it should, 1 otherwise.
#
# Environment: RUSTVER_BIN (the helper, required), RUSTVER_CACHE, RUSTVER_ACCEL,
# RUSTVER_QEMU_TIMEOUT (default 300), as for run-qemu.sh.
set -euo pipefail
. "$(dirname "$0")/scripts/lib.sh"

need_root
[ -n "${RUSTVER_BIN:-}" ] || die "set RUSTVER_BIN to the rustver helper (make demo does)"
RUSTVER_BIN=$(realpath -e "$RUSTVER_BIN") || die "RUSTVER_BIN=$RUSTVER_BIN does not exist"
export RUSTVER_BIN
"$SELFTESTS_DIR/deps.sh" >/dev/null || die "selftests/deps.sh could not install the host packages"
need_cmd qemu-system-x86_64 timeout
cache_lock build

work=$RUSTVER_CACHE/selftest
mkdir -p "$work/logs"
build_log=$work/logs/demo-build.log
step() { printf '%s\n' "demo: $*"; }

if [ -z "$(find "$RUSTVER_CACHE" -maxdepth 4 -path '*/build/linux-b/.rustver-key' 2>/dev/null)" ]; then
	step "first run: building a Debian trixie chroot, kernel A and tree B (about 20 min)"
fi
step "preparing kernel A, the modules and the initramfs (log: $build_log)"
{
	env_of "$SELFTESTS_DIR/scripts/kernels.sh"
	"$SELFTESTS_DIR/scripts/build-selftest-modules.sh" "$work/modules"
	CHROOT=$CHROOT KDIR_A=$KDIR_A KERNEL_RELEASE=$KERNEL_RELEASE \
		MODS_A=$work/modules/a MODS_B=$work/modules/b \
		MODS_KMOD_A=$work/modules/kmod-a MODS_KMOD_B=$work/modules/kmod-b \
		RUSTVER_INIT=$SELFTESTS_DIR/qemu/demo-init RUSTVER_INSTALL_B=rustver_test_pinned \
		"$SELFTESTS_DIR/qemu/mkinitramfs.sh" "$work/demo-initramfs.cpio.gz"
	echo "BZIMAGE_A=$BZIMAGE_A"
} >"$build_log" 2>&1 || die "the build failed; last lines of $build_log:
$(tail -n 20 "$build_log")"
bzimage=$(sed -n 's/^BZIMAGE_A=//p' "$build_log" | tail -n1)

# loglevel=3: the console carries the demo, not the kernel's chatter (the demo shows
# dmesg itself); a warning still panics the guest.
qemu_setup "console=ttyS0 loglevel=3 panic=-1 panic_on_warn=1 oops=panic softlockup_panic=1 rdinit=/init"
console=$work/logs/demo-$(date +%Y%m%d-%H%M%S).log
step "booting kernel A in QEMU (${qemu_accel[*]:1:1}); console log: $console"
echo
set +e
timeout -k 10 "${RUSTVER_QEMU_TIMEOUT:-300}" qemu-system-x86_64 "${qemu_accel[@]}" \
	-m 1G -smp 1 -nodefaults -display none -no-reboot \
	-chardev stdio,id=console,signal=off -serial chardev:console \
	-kernel "$bzimage" -initrd "$work/demo-initramfs.cpio.gz" -append "$qemu_append" \
	</dev/null >"$console" 2>&1
qemu_rc=$?
set -e
# What the guest printed between its markers.
tr -d '\r' <"$console" | sed -n '/^rustver-demo: begin$/,/^rustver-demo: end/p' |
	sed '1d; /^rustver-demo: end/d'
echo
result=$(tr -d '\r' <"$console" | grep '^rustver-demo: end' || true)
problem=$(tr -d '\r' <"$console" | grep -E "$KERNEL_PROBLEMS" | head -n1 || true)
if [ "$result" = "rustver-demo: end ok" ] && [ -z "$problem" ] && [ "$qemu_rc" -eq 0 ]; then
	step "ok: the matching module was accepted, the one built against tree B refused, as rustver check predicted"
	exit 0
fi
step "FAILED: ${result:-the guest never finished (QEMU exit $qemu_rc)}${problem:+; kernel problem: $problem}"
step "console log: $console"
exit 1
