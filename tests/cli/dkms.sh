#!/bin/bash
# DKMS, with Debian's real dkms package, builds a Rust module package against
# kernel A, stamps it and only then signs and compresses it (DKMS runs
# POST_BUILD after signing: dkms.in, do_build() signs in the loop that copies
# the built modules, then run_build_script post_build; so the stamp is in the
# package's MAKE command, scripts/dkms-make). Then rustver's own dkms.conf
# builds its three modules for kernel A, rustver_core with A's table. The
# build is selftests/scripts/dkms-build.sh (a throw-away overlay of the
# selftests' trixie chroot); here the modules DKMS keeps are read on the host.
# The selftests load the same package's module in QEMU (rustver_stamping.sh).
# Needs root.
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
env_of "$top/selftests/scripts/kernels.sh" a

if ! "$top/selftests/scripts/dkms-build.sh" "$RUSTVER" "$WORK/out" >"$OUT" 2>&1; then
	t_fail "dkms add + build of a Rust module package against kernel A"
	t_done
	exit 1
fi
log=$WORK/out/dkms.log
t_ok "Debian's $(grep -m1 -o 'dkms-[0-9.]*' "$log" || echo dkms) built the package"
grep -q 'stamped 2 crates from its build records' "$log" && ! grep -q 'file times only' "$log" &&
	t_ok "... its MAKE command stamped the module from its build records, by content (rustver-rustc)" ||
	{ grep -E 'stamp|file times' "$log" >"$OUT"; t_fail "... its MAKE command stamped the module from its build records, by content"; }
grep -q 'Signing module' "$log" && t_ok "... and DKMS signed it (after the MAKE command)" ||
	t_fail "... and DKMS signed it (after the MAKE command)"

ko=$(ls "$WORK"/out/hello/rustver_test_hello.ko* 2>/dev/null | head -n 1)
run show --kdir "$KDIR_A" "$ko"
expect 0 "the module DKMS keeps is signed and compressed, and carries the evidence stamp" \
	'file: +xz, signed' 'stamp: +2 crates, version 3, from the build records'
run check --kdir "$KDIR_A" "$ko"
expect 0 "... and passes against kernel A (the signature did not cut the stamp)" 'pass'

# rustver's own modules through its dkms.conf, with kernel A's table
id=$(readelf -n "$KDIR_A/vmlinux" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p' | head -n 1)
n=0
for m in rustver_engine rustver_core kmod_rustver; do
	[ -f "$WORK/out/rustver/$m.ko.xz" ] && n=$((n + 1))
done
[ "$n" = 3 ] && t_ok "dkms builds rustver's three modules from its dkms.conf (signed, xz)" ||
	t_fail "dkms builds rustver's three modules from its dkms.conf (found $n)"
if [ -n "$id" ] && xz -dc "$WORK/out/rustver/rustver_core.ko.xz" 2>/dev/null | grep -qa "$id"; then
	t_ok "... rustver_core carries kernel A's table (build ID $id)"
else
	t_fail "... rustver_core carries kernel A's table (build ID ${id:-?})"
fi
t_done
