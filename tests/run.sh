#!/bin/bash
# Runs rustver's tests and ends with one line: "N passed, N failed, N skipped".
#
#   tests/run.sh unit   fixtures, the engine's Check unit tests, the helper's
#                       command-line tests (all under ASan + UBSan)
#   tests/run.sh all    the same, then a short fuzzing pass and the QEMU selftests
#                       (x86_64, then arm64; RUSTVER_SELFTEST_ARCHS to choose)
#
# Environment: BUILD (build directory, default build).
set -uo pipefail
mode=${1:-unit}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
fixtures=$BUILD/fixtures
logs=$BUILD/test-logs
mkdir -p "$logs"
passed=0 failed=0 skipped=0
failures=()

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

section() { printf '\n=== %s ===\n' "$*"; }
fail() { failed=$((failed + 1)); failures+=("$*"); }

# why LOG NAME: the failed cases of a TAP, KTAP or Check log with their
# diagnostics (at most 40 lines a case, 120 in all), kept for the summary: a
# run read only by its last lines still says what failed and why.
whys=()
why() {
	local text
	text=$(awk -v name="$2" '
		/^(# )*not ok [0-9]+ / || /:[FE]:/ { keep = 1; n = 0; print name ": " $0; next }
		/^(# )*ok [0-9]+ / || !/^#/ { keep = 0 }
		keep && n++ < 40 { print name ": " $0 }' "$1" | head -n 120)
	[ -n "$text" ] && whys+=("$text")
	return 0
}

if [ "$mode" = all ]; then
	# Measured on 2 cores (README, Tests).
	echo "make check: every test, both architectures in QEMU (TCG). With an empty cache"
	echo "(${RUSTVER_CACHE:-/var/cache/rustver}) it first builds a trixie chroot and four kernels"
	echo "(x86_64: kernel A about 10 min on 2 cores, tree B about 3; arm64's about as long):"
	echo "CI's cold run (.ci/run, empty cache, 966daee) took 69 min on 2 cores without KVM;"
	echo "a warm one (kernels cached) skips the kernel builds."
fi

section "fixtures (rustc, gcc)"
if ! tests/fixtures/build.sh "$fixtures" > "$logs/fixtures.log" 2>&1; then
	cat "$logs/fixtures.log"
	fail "tests/fixtures/build.sh (see $logs/fixtures.log)"
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 1
fi
tail -n 1 "$logs/fixtures.log"

section "engine unit tests (Check, ASan + UBSan)"
for t in "$BUILD"/san/check-*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	FIXTURES=$fixtures CK_VERBOSITY=normal "$t" > "$logs/$name.log" 2>&1
	rc=$?
	cat "$logs/$name.log"
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$logs/$name.log" | tail -n 1)
	if [ -z "$line" ]; then
		fail "$name: no Check summary (exit $rc)"
		continue
	fi
	n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
	f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
	e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
	passed=$((passed + n - f - e))
	if [ $((f + e)) -gt 0 ] || [ $rc -ne 0 ]; then
		failed=$((failed + f + e))
		[ $((f + e)) -eq 0 ] && failed=$((failed + 1))
		failures+=("$name: $f failures, $e errors, exit $rc")
		why "$logs/$name.log" "$name"
	fi
done

section "engine unit tests on a 12 KiB stack (-O2, high-water limit 4 KiB)"
for t in "$BUILD"/stack/check-*; do
	[ -x "$t" ] || continue
	name=stack-$(basename "$t")
	FIXTURES=$fixtures CK_VERBOSITY=normal "$t" > "$logs/$name.log" 2>&1
	rc=$?
	grep -v -E ':P:|^Running suite' "$logs/$name.log"
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$logs/$name.log" | tail -n 1)
	hw=$(grep -E '^engine stack high-water: ' "$logs/$name.log")
	if [ -z "$line" ] || [ -z "$hw" ]; then
		fail "$name: no Check summary or no stack high-water line (exit $rc)"
		continue
	fi
	f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
	e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
	# one case per program: every engine call of every test ran on the
	# small stack and within the limit
	if [ $((f + e)) -gt 0 ] || [ $rc -ne 0 ]; then
		fail "$name: $f failures, $e errors, exit $rc (see $logs/$name.log)"
		why "$logs/$name.log" "$name"
	else
		passed=$((passed + 1))
	fi
done

section "command-line tests (rustver under ASan + UBSan)"
for t in tests/cli/*.sh; do
	name=$(basename "$t" .sh)
	RUSTVER=$BUILD/san/rustver FIXTURES=$fixtures "$t" > "$logs/cli-$name.log" 2>&1
	rc=$?
	sed "s/^/[$name] /" "$logs/cli-$name.log"
	p=$(grep -cE '^ok [0-9]+ - ' "$logs/cli-$name.log" || true)
	s=$(grep -cE '^ok [0-9]+ - .* # SKIP ' "$logs/cli-$name.log" || true)
	f=$(grep -cE '^not ok [0-9]+ - ' "$logs/cli-$name.log" || true)
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("cli/$name: $f failed")
		why "$logs/cli-$name.log" "cli/$name"
	fi
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "cli/$name exited $rc (see $logs/cli-$name.log)"
		whys+=("$(tail -n 20 "$logs/cli-$name.log" | sed "s|^|cli/$name: |")")
	fi
done

# qemu_section TITLE NAME LOG CMD...: a section that runs CMD (a QEMU runner
# ending with "N passed, N failed[, N skipped]"), its output also in LOG
qemu_section() {
	local title=$1 name=$2 slog=$3 rc line p f s
	shift 3
	section "$title"
	"$@" 2>&1 | tee "$slog"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$slog" | tail -n 1)
	f=
	if [ -n "$line" ]; then
		read -r p _ f _ s _ <<<"${line//,/}"
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + ${s:-0}))
		if [ "$f" -gt 0 ]; then
			failures+=("$name: $f failed")
			why "$slog" "$name"
		fi
	fi
	if [ "$rc" -ne 0 ] && { [ -z "$line" ] || [ "${f:-0}" -eq 0 ]; }; then
		fail "$name: $* exited $rc (see $slog)"
	fi
}

if [ "$mode" = all ]; then
	section "fuzzing, a short bounded pass"
	if BUILD=$BUILD FUZZ_TIME=${FUZZ_TIME:-15} fuzz/run.sh > "$logs/fuzz.log" 2>&1; then
		passed=$((passed + 1))
	else
		fail "fuzz/run.sh found a crash (see $logs/fuzz.log)"
	fi
	grep -E '^(ok|not ok|fuzz)' "$logs/fuzz.log" || tail -n 5 "$logs/fuzz.log"

	section "the fuzzers' corpora through the engine on a 12 KiB stack"
	dirs=$(find "$BUILD/fuzz" "$top/fuzz/regressions" -mindepth 1 -maxdepth 2 -type d \
		\( -name 'corpus-*' -o -name 'seeds-*' -o -path '*/regressions/*' \) | sort | paste -sd:)
	if RV_CORPUS_DIRS=$dirs FIXTURES=$fixtures "$BUILD/stack/check-corpus" \
		> "$logs/stack-corpus-fuzz.log" 2>&1; then
		passed=$((passed + 1))
	else
		fail "check-corpus on the fuzz corpora (see $logs/stack-corpus-fuzz.log)"
	fi
	grep -E '^(fuzz_corpora|engine stack|[0-9]+%:)|:F:|:E:' "$logs/stack-corpus-fuzz.log"

	# One section per architecture (RUSTVER_SELFTEST_ARCHS, default both), each
	# with its own summary line; logs selftest.log (x86_64), selftest-arm64.log;
	# after x86_64's, the Debian packages end to end (selftests/packages.sh,
	# packages.log).
	for arch in ${RUSTVER_SELFTEST_ARCHS:-x86_64 arm64}; do
		slog=$logs/selftest.log
		[ "$arch" = x86_64 ] || slog=$logs/selftest-$arch.log
		qemu_section "kselftests in QEMU, $arch" "selftests ($arch)" "$slog" \
			env RUSTVER_ARCH="$arch" RUSTVER_BIN="$top/tools/rustver/rustver" selftests/run-qemu.sh
		[ "$arch" = x86_64 ] || continue
		qemu_section "the Debian packages end to end in QEMU, x86_64" "packages (x86_64)" \
			"$logs/packages.log" env RUSTVER_BIN="$top/tools/rustver/rustver" selftests/packages.sh
	done
fi

section "summary"
for w in "${whys[@]}"; do printf '%s\n' "$w"; done
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
