#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the rustver selftests in QEMU on kernel A (`make selftest`), for x86_64
# (default) or arm64 (RUSTVER_ARCH=arm64, `make selftest ARCH=arm64`): the same
# suite, the same steps, each architecture's own trees, modules and initramfs.
#
#  0. deps.sh installs the host packages that are missing;
#  1. scripts/kernels.sh builds (or reuses) the trixie chroot, kernel A and tree B;
#  2. scripts/build-selftest-modules.sh builds the test modules against A and B;
#  3. qemu/mkinitramfs.sh packs busybox, kmod, rustver, modules and tests;
#  4. QEMU boots kernel A (x86_64: TCG, or KVM with RUSTVER_ACCEL=kvm; arm64:
#     qemu-system-aarch64 -machine virt -cpu max, TCG) with panic_on_warn=1
#     oops=panic softlockup_panic=1;
#     the serial console streams to stdout and to a log file;
#  5. the console is read back: KTAP results, kernel problems, completion.
# The last line is "N passed, N failed, N skipped"; the exit status is 1 on any
# failure, timeout or kernel problem, else 0.
#
# Environment:
#   RUSTVER_BIN            rustver helper to test (without it, its tests SKIP)
#   RUSTVER_CACHE          cache directory (default /var/cache/rustver)
#   RUSTVER_QEMU_TIMEOUT   seconds for the whole boot (default 1500: the test
#                          kernel has KASAN and lockdep)
#   RUSTVER_SELFTEST_CHAIN 0 leaves out the 100-link backref chain case (default 1;
#                          it needs the engine's constant-stack v0 walker)
#   RUSTVER_ACCEL          kvm or tcg (default: tcg; kvm only when asked: nested /dev/kvm can hang a boot)
#   RUSTVER_ARCH           x86_64 (default) or arm64. For arm64 the guest's helper
#                          is RUSTVER_BIN's sources cross-built (qemu/cross-helper.sh);
#                          RUSTVER_BIN itself still stamps and makes tables here
set -euo pipefail
. "$(dirname "$0")/scripts/lib.sh"

# A failure before the guest ran (chroot, kernel or module build) still ends with the
# summary line, after the step's own error message.
summary_printed=0
on_exit() {
	local rc=$?
	if [ "$rc" -ne 0 ] && [ "$summary_printed" = 0 ]; then
		echo "FAIL: the selftests did not run (see the error above)"
		echo "0 passed, 1 failed, 0 skipped"
	fi
}
trap on_exit EXIT

need_root
arch_setup
# A fresh machine gets its host packages here (a no-op when they are installed).
"$SELFTESTS_DIR/deps.sh" >&2 || die "selftests/deps.sh could not install the host packages"
case "$RUSTVER_ARCH" in
x86_64) qemu=qemu-system-x86_64 console_dev=ttyS0 ;;
arm64) qemu=qemu-system-aarch64 console_dev=ttyAMA0 ;;
esac
need_cmd "$qemu" busybox cpio gzip xz python3 timeout unshare flock readelf
cache_lock "build$ARCH_SUFFIX"
start=$(date +%s)

if [ -n "${RUSTVER_BIN:-}" ]; then
	RUSTVER_BIN=$(realpath -e "$RUSTVER_BIN") || die "RUSTVER_BIN=$RUSTVER_BIN does not exist"
	export RUSTVER_BIN
else
	log "warning: RUSTVER_BIN is not set: the rustver helper tests will SKIP"
fi

env_of "$SELFTESTS_DIR/scripts/kernels.sh"
work=$RUSTVER_CACHE/selftest$ARCH_SUFFIX
mkdir -p "$work/logs"
"$SELFTESTS_DIR/scripts/build-selftest-modules.sh" "$work/modules"
guest_bin=${RUSTVER_BIN:-}
if [ -n "${RUSTVER_BIN:-}" ] && [ "$RUSTVER_ARCH" != x86_64 ]; then
	guest_bin=$work/rustver-$RUSTVER_ARCH
	"$SELFTESTS_DIR/qemu/cross-helper.sh" "$RUSTVER_ARCH" "$guest_bin"
fi
RUSTVER_GUEST_BIN=$guest_bin CHROOT=$CHROOT KDIR_A=$KDIR_A KERNEL_RELEASE=$KERNEL_RELEASE MODS_A=$work/modules/a MODS_B=$work/modules/b \
	MODS_KMOD_A=${RUSTVER_BIN:+$work/modules/kmod-a} MODS_KMOD_B=${RUSTVER_BIN:+$work/modules/kmod-b} \
	MODS_KMOD_A200=${RUSTVER_BIN:+$work/modules/kmod-a200} \
	MODS_KMOD_ANOBID=${RUSTVER_BIN:+$work/modules/kmod-anobid} \
	"$SELFTESTS_DIR/qemu/mkinitramfs.sh" "$work/initramfs.cpio.gz"

cmdline="console=$console_dev loglevel=7 panic=-1 panic_on_warn=1 oops=panic softlockup_panic=1 rdinit=/init"
if [ "$RUSTVER_ARCH" = x86_64 ]; then
	qemu_setup "$cmdline"
	# Two sockets: without ACPI the guest finds its CPUs in the MP table.
	qemu_machine=(-smp 2,sockets=2)
else
	# No KVM for another architecture: TCG, the virt board, every CPU feature
	# TCG has (PAC, BTI, MTE, ...), as many CPUs as the x86_64 guest.
	[ "${RUSTVER_ACCEL:-tcg}" = tcg ] || die "RUSTVER_ACCEL=$RUSTVER_ACCEL: an $RUSTVER_ARCH guest runs under TCG only"
	qemu_accel=(-machine virt,accel=tcg -cpu max)
	qemu_append=$cmdline
	qemu_machine=(-smp 2)
fi

qtimeout=${RUSTVER_QEMU_TIMEOUT:-1500}
# What the console must not hold (lib.sh)
pattern=$KERNEL_PROBLEMS

# boot: one boot of kernel A with the suite's initramfs, its console in $console.
boot() {
	console=$work/logs/console-$(date +%Y%m%d-%H%M%S).log
	ln -sfn "$(basename "$console")" "$work/logs/console-latest.log"
	log "booting kernel A, $RUSTVER_ARCH (${qemu_accel[*]}), timeout ${qtimeout}s; console log: $console"
	set +e
	timeout -k 10 "$qtimeout" "$qemu" "${qemu_accel[@]}" \
		-m 1G "${qemu_machine[@]}" -nodefaults -display none -no-reboot \
		-chardev stdio,id=console,signal=off -serial chardev:console \
		-kernel "$KIMAGE_A" -initrd "$work/initramfs.cpio.gz" \
		-append "$qemu_append" \
		</dev/null 2>&1 | tee "$console"
	qemu_rc=${PIPESTATUS[0]}
	set -e
}

# A kernel problem before the suite's init started (no "rustver-selftests:
# start") happened before any rustver module or test could run: the test
# kernel's own boot under TCG (seen once in CI: a KASAN report in an interrupt
# during identify_cpu at 1.2 s). Said, its console kept, and booted once more;
# a second one fails the run like any other problem.
boot
early=()
if ! tr -d '\r' <"$console" | grep -q '^rustver-selftests: start' &&
	tr -d '\r' <"$console" | grep -qE "$pattern"; then
	early=("$console" "$(tr -d '\r' <"$console" | grep -m1 -E "$pattern")")
	log "the kernel failed before the suite's init started (no rustver code had run): ${early[1]}; console kept: ${early[0]}; booting once more"
	sleep 1 # a console log name of its own
	boot
fi

# Read the console back. Nested lines ("# ok 3 ...") are the test cases of each
# program; a program that fails without a failing case (crash, bad exit) counts once.
read -r passed failed skipped < <(tr -d '\r' <"$console" | awk '
	/^# (ok|not ok) [0-9]+ / {
		if ($2 == "not") { failed++; prog_failed++ }
		else if ($0 ~ /# SKIP/) skipped++
		else passed++
		next
	}
	/^# 1\.\.0 # SKIP/ { skipped++; next }
	/^# selftests: rustver: / { prog_failed = 0; next }
	/^not ok [0-9]+ selftests: rustver: / { if (!prog_failed) failed++; next }
	END { print passed + 0, failed + 0, skipped + 0 }')

problems=()
while IFS= read -r line; do
	problems+=("kernel problem on the console: $line")
done < <(tr -d '\r' <"$console" | grep -E "$pattern" || true)
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	problems+=("QEMU timed out after ${qtimeout}s (RUSTVER_QEMU_TIMEOUT)")
elif [ "$qemu_rc" -ne 0 ]; then
	problems+=("QEMU exited with status $qemu_rc")
fi
grep -q '^rustver-selftests: done' <(tr -d '\r' <"$console") ||
	problems+=("the guest never reached the end of the suite (no 'rustver-selftests: done')")
[ $((passed + failed + skipped)) -gt 0 ] || problems+=("no test case ran")
# Everything the suite needs is in the guest: with the helper given, a skip hides a bug.
if [ -n "${RUSTVER_BIN:-}" ] && [ "$skipped" -gt 0 ]; then
	problems+=("$skipped test(s) skipped although RUSTVER_BIN is set")
fi

echo
echo "architecture: $RUSTVER_ARCH"
echo "console log: $console"
if [ ${#early[@]} -gt 0 ]; then
	echo "note: a first boot failed before init (${early[1]}); its console: ${early[0]}; the report:"
	tr -d '\r' <"${early[0]}" | grep -m1 -A40 -E "$pattern" | sed 's/^/note:   /'
fi
echo "time: $(($(date +%s) - start))s"
for p in "${problems[@]}"; do
	echo "FAIL: $p"
done
failed=$((failed + ${#problems[@]}))
tr -d '\r' <"$console" | grep -E '^# not ok |^not ok ' | sed 's/^/FAIL: /' || true
summary_printed=1
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
