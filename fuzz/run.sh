#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every libFuzzer target $BUILD/fuzz/fuzz-NAME for $FUZZ_TIME seconds.
#
# Seeds are real objects from the test fixtures ($FIXTURES, built into
# $BUILD/fixtures when unset): for fuzz-elf every *.o, a copy of user.o
# stamped by tools/rustver/rustver (when built) and the kdir*/rust/*.rmeta
# files (their first 64 KiB); for fuzz-v0 one file per line of symbols.txt.
# The growing corpus is kept in $BUILD/fuzz/corpus-NAME, crash artifacts
# go to $BUILD/fuzz/artifacts/, logs to $BUILD/fuzz/NAME.log; nothing is
# written into the source tree. Exits 1 when any target found a crash.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
FUZZ_TIME=${FUZZ_TIME:-60}
mkdir -p "$BUILD/fuzz" && BUILD=$(cd "$BUILD" && pwd)
FIXTURES=${FIXTURES:-$BUILD/fixtures}

die() { echo "fuzz: $*" >&2; exit 2; }

if [ ! -f "$FIXTURES/user.o" ] || [ ! -f "$FIXTURES/symbols.txt" ]; then
	echo "fuzz: building the seed fixtures into $FIXTURES"
	"$here/tests/fixtures/build.sh" "$FIXTURES" >/dev/null || die "cannot build fixtures"
fi

# $1 = target name, $2 = seed directory (emptied and refilled)
seed_elf() {
	local f
	for f in "$FIXTURES"/*.o; do
		cp "$f" "$2/"
	done
	for f in "$FIXTURES"/kdir*/rust/*.rmeta; do
		[ -f "$f" ] || continue
		# the reader stops at the magic; the first 64 KiB is plenty
		head -c 65536 "$f" > "$2/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
	done
	if [ -x "$here/tools/rustver/rustver" ]; then
		cp "$FIXTURES/user.o" "$2/user-stamped.o"
		"$here/tools/rustver/rustver" stamp --kdir "$FIXTURES/kdirA" \
			"$2/user-stamped.o" >/dev/null 2>&1 || rm -f "$2/user-stamped.o"
	fi
}

seed_v0() {
	local n=0 line
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		printf '%s' "$line" > "$2/sym-$n"
		n=$((n + 1))
	done < "$FIXTURES/symbols.txt"
}

status=0
found=0
mkdir -p "$BUILD/fuzz/artifacts"
for target in "$BUILD"/fuzz/fuzz-*; do
	[ -x "$target" ] || continue
	case $target in *.log) continue ;; esac
	found=1
	name=${target##*/fuzz-}
	corpus=$BUILD/fuzz/corpus-$name
	seeds=$BUILD/fuzz/seeds-$name
	log=$BUILD/fuzz/$name.log
	rm -rf "$seeds"
	mkdir -p "$corpus" "$seeds"
	if declare -F "seed_$name" >/dev/null; then
		"seed_$name" "$name" "$seeds"
	fi
	before=$(ls "$BUILD/fuzz/artifacts" | grep -c "^$name-" || true)
	"$target" -max_total_time="$FUZZ_TIME" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$BUILD/fuzz/artifacts/$name-" \
		"$corpus" "$seeds" > "$log" 2>&1
	rc=$?
	after=$(ls "$BUILD/fuzz/artifacts" | grep -c "^$name-" || true)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	files=$(ls "$corpus" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
		echo "fuzz-$name: FAILED (exit $rc) after ${runs:-?} runs; log $log"
		ls -t "$BUILD/fuzz/artifacts" | grep "^$name-" | head -n 3 |
			sed "s|^|  artifact: $BUILD/fuzz/artifacts/|"
		grep -m1 -E 'ERROR: |SUMMARY: |runtime error' "$log" | sed 's/^/  /'
		status=1
	else
		echo "fuzz-$name: ok, ${runs:-?} runs in ${FUZZ_TIME}s, corpus $files files"
	fi
done
[ "$found" = 1 ] || die "no fuzz targets in $BUILD/fuzz (make fuzz builds them)"
exit $status
