#!/bin/bash
# `make` and the unit tests on Debian 13 (trixie), where users of kernels
# with Rust (trixie-backports) are: in the suite's trixie chroot
# (selftests/scripts/chroot.sh), under a throw-away overlay so that the
# packages scripts/deps.sh installs there never change the shared chroot.
# Runs: make (deps.sh picks trixie's package list), the engine's Check
# tests, the helper under ASan+UBSan on check.sh and tree.sh (trixie's
# libkmod and depmod), and builds the libFuzzer targets with trixie's clang.
. "$(dirname "$0")/lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)

need_trixie_chroot "trixie build"
grep -q '^VERSION_ID="13"' "$croot/etc/os-release" && t_ok "the chroot is Debian 13" ||
	t_fail "the chroot is Debian 13"

# the checkout as it is (tracked and new files, not build output), or the
# commit RUSTVER_TRIXIE_COMMIT names (e.g. HEAD, while the tree is being edited)
src=$WORK/src
mkdir -p "$src"
if [ -n "${RUSTVER_TRIXIE_COMMIT:-}" ]; then
	git -C "$top" archive "$RUSTVER_TRIXIE_COMMIT" | tar -C "$src" -xf -
else
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$src" -xf -
fi

{ printf 'set -- %q\n' "$src"; cat <<'EOS'; } > "$src/.in-trixie.sh"
set -e
cd "$1"
export BUILD=build-trixie FIXTURES=$1/build-trixie/fixtures
echo "== make"
make -j2 BUILD=$BUILD
./tools/rustver/rustver --version
echo "== make the unit tests and fuzzers"
make -j2 BUILD=$BUILD $BUILD/san/rustver \
	$(ls tests/check-*.c | sed "s|tests/\(.*\)\.c|$BUILD/san/\1|") \
	$(ls fuzz/fuzz-*.c | sed "s|fuzz/\(.*\)\.c|$BUILD/fuzz/\1|")
echo "== fixtures"
tests/fixtures/build.sh "$FIXTURES" | tail -n 1
echo "== unit tests"
for t in $BUILD/san/check-*; do
	CK_VERBOSITY=normal "$t" || echo "UNIT FAILED: $t"
done
echo "== command-line tests"
for t in check tree; do
	RUSTVER=$1/$BUILD/san/rustver tests/cli/$t.sh | sed "s/^/[$t] /" || echo "CLI FAILED: $t"
done
EOS

. "$top/selftests/scripts/lib.sh"
set +e
in_overlay "$croot" "$WORK" "$src/.in-trixie.sh" "$src" > "$WORK/trixie.log" 2>&1
rc=$?
set -e
# what a failing case shows: the end of the log
tail -n 12 "$WORK/trixie.log" > "$OUT"

grep -q '^rustver [0-9]' "$WORK/trixie.log" && grep -q '^deps: installing .*libclang-rt-19-dev' "$WORK/trixie.log" &&
	t_ok "make on Debian 13 installs trixie's dependencies (libclang-rt-19-dev) and builds rustver" ||
	t_fail "make on Debian 13 installs trixie's dependencies (libclang-rt-19-dev) and builds rustver (exit $rc)"
# a failing case shows the failing checks
sed -n '/^== unit tests/,/^== command-line tests/p' "$WORK/trixie.log" |
	grep -E ':[EF]:|^[0-9]+%|FAILED' | tail -n 20 > "$OUT"
units=$(grep -cE '^100%: Checks: [0-9]+, Failures: 0, Errors: 0' "$WORK/trixie.log" || true)
nunits=$(ls "$src"/tests/check-*.c | wc -l)
[ "$units" = "$nunits" ] && ! grep -q '^UNIT FAILED' "$WORK/trixie.log" &&
	t_ok "the $nunits engine unit test programs pass on Debian 13" ||
	t_fail "the engine unit tests pass on Debian 13 ($units of $nunits programs passed)"
grep -E '^\[(check|tree)\] not ok|^CLI FAILED' -A3 "$WORK/trixie.log" | head -n 20 > "$OUT"
cli_ok=$(grep -cE '^\[(check|tree)\] ok [0-9]+ ' "$WORK/trixie.log" || true)
if grep -qE '^\[(check|tree)\] not ok|^CLI FAILED' "$WORK/trixie.log" || [ "$cli_ok" -lt 20 ]; then
	t_fail "the helper's check and tree tests pass on Debian 13 (libkmod and depmod 34)"
else
	t_ok "the helper's check and tree tests pass on Debian 13 (libkmod and depmod 34): $cli_ok cases"
fi
[ -x "$src/build-trixie/fuzz/fuzz-file" ] &&
	t_ok "the libFuzzer targets build with Debian 13's clang" ||
	t_fail "the libFuzzer targets build with Debian 13's clang"
t_done
