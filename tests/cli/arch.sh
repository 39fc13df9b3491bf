#!/bin/bash
# The engine reads the relocatable objects of every architecture with kernel
# Rust support, each compiled for it by a real compiler: x86_64, arm64 and
# riscv64 by the host's clang, loongarch64 by the trixie chroot's clang (the
# selftests' build chroot; bookworm's clang 14 has no LoongArch). Objects of
# other architectures are refused naming the four.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
src=$top/tests/fixtures/plain.c

for t in x86_64 aarch64 riscv64; do
	if ! clang --target="$t-linux-gnu" -O2 -c -o "$WORK/$t.ko" "$src" 2>"$OUT"; then
		t_fail "clang --target=$t-linux-gnu cannot build plain.c"
		continue
	fi
	run show "$WORK/$t.ko"
	expect 0 "$t object is read" "$t.ko"
done

# LoongArch: the chroot's clang (needs root; cold, the chroot is made first).
if [ "$(id -u)" -ne 0 ]; then
	t_fail "loongarch64: needs root for the trixie chroot (run make check as root)"
else
	ch=$top/selftests/scripts/chroot.sh
	if ! "$ch" ensure >"$OUT" 2>&1; then
		t_fail "loongarch64: cannot make the trixie chroot"
	elif ! "$ch" run --bind "$WORK" --bind "$top/tests/fixtures" \
		clang --target=loongarch64-linux-gnu -O2 -c -o "$WORK/loongarch64.ko" "$src" \
		>"$OUT" 2>&1; then
		t_fail "loongarch64: the chroot's clang cannot build plain.c"
	else
		file "$WORK/loongarch64.ko" >"$OUT"
		if grep -q LoongArch "$OUT"; then
			run show "$WORK/loongarch64.ko"
			expect 0 "loongarch64 object is read" "loongarch64.ko"
		else
			t_fail "loongarch64: the chroot's clang made no LoongArch object"
		fi
	fi
fi

for t in mips64el powerpc64le s390x i686; do
	clang --target="$t-linux-gnu" -O2 -c -o "$WORK/$t.ko" "$src" 2>"$OUT" || {
		t_fail "clang --target=$t-linux-gnu cannot build plain.c"
		continue
	}
	run show "$WORK/$t.ko"
	expect 2 "$t object is refused" "$t.ko: .*(not an object of an architecture with kernel Rust support|not a 64-bit|not a little-endian)"
done
t_done
