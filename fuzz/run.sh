#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every libFuzzer target $BUILD/fuzz/fuzz-NAME for $FUZZ_TIME seconds
# (FUZZ_ONLY="NAME..." to run only some).
#
# Seeds are real objects from the test fixtures ($FIXTURES, built into
# $BUILD/fixtures when unset): for fuzz-elf every *.o, a copy of user.o
# stamped by tools/rustver/rustver (when built) and the kdir*/rust/*.rmeta
# files (their first 64 KiB); for fuzz-v0 one file per line of symbols.txt;
# for fuzz-file (the helper's whole-file path) Debian's 7.3.4 Rust modules
# and some of its C modules, as shipped (xz, signed) and decompressed, again
# compressed by gzip, zstd and pzstd, plus the fixtures. fuzz/regressions/NAME/
# holds inputs that once crashed the helper or a library under it: they are
# run first, as part of every target's corpus.
# The growing corpus is kept in $BUILD/fuzz/corpus-NAME, crash artifacts
# go to $BUILD/fuzz/artifacts/, logs to $BUILD/fuzz/NAME.log; nothing is
# written into the source tree. Exits 1 when any target found a crash.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
FUZZ_TIME=${FUZZ_TIME:-60}
mkdir -p "$BUILD/fuzz" && BUILD=$(cd "$BUILD" && pwd)
FIXTURES=${FIXTURES:-$BUILD/fixtures}
# whole files: big enough for Debian's drm.ko.xz
FILE_MAX_LEN=400000

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
		"$here/tools/rustver/rustver" stamp --unverified --kdir "$FIXTURES/kdirA" \
			"$2/user-stamped.o" >/dev/null 2>&1 || rm -f "$2/user-stamped.o"
	fi
}

seed_file() {
	local f vars n=0
	seed_elf "$1" "$2"
	if vars=$("$here/selftests/scripts/debian-kernel.sh" --no-system-map 2>"$BUILD/fuzz/debian-fetch.log") &&
	   eval "$vars" && [ -n "${DEBIAN_MODDIR:-}" ]; then
		local k=$DEBIAN_MODDIR/lib/modules/$DEBIAN_RELEASE/kernel
		for f in "$k"/drivers/net/phy/qt2025.ko.xz "$k"/drivers/net/phy/ax88796b_rust.ko.xz \
			 "$k"/drivers/gpu/drm/drm.ko.xz \
			 $(find "$k" -name '*.ko.xz' -size -3k | sort | head -n 12); do
			[ -f "$f" ] || continue
			n=$((n + 1))
			cp "$f" "$2/debian-$n-$(basename "$f")"
			xz -dc "$f" > "$2/debian-$n.ko"
			[ "$(stat -c %s "$2/debian-$n.ko")" -le "$FILE_MAX_LEN" ] || rm -f "$2/debian-$n.ko"
		done
		xz -dc "$k/drivers/net/phy/qt2025.ko.xz" > "$2/qt2025.ko"
		gzip -9 -c "$2/qt2025.ko" > "$2/qt2025.ko.gz"
		zstd -q -19 -c "$2/qt2025.ko" > "$2/qt2025.ko.zst"
		pzstd -q -c "$2/qt2025.ko" > "$2/qt2025-pzstd.ko.zst"
	else
		echo "fuzz: warning: Debian's modules could not be fetched (see $BUILD/fuzz/debian-fetch.log); seeding fuzz-file with the fixtures only" >&2
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
	name=${target##*/fuzz-}
	# FUZZ_ONLY="file v0": only these targets
	case " ${FUZZ_ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
	found=1
	corpus=$BUILD/fuzz/corpus-$name
	seeds=$BUILD/fuzz/seeds-$name
	log=$BUILD/fuzz/$name.log
	rm -rf "$seeds"
	mkdir -p "$corpus" "$seeds"
	if declare -F "seed_$name" >/dev/null; then
		"seed_$name" "$name" "$seeds"
	fi
	before=$(ls "$BUILD/fuzz/artifacts" | grep -c "^$name-" || true)
	max_len=65536
	[ "$name" = file ] && max_len=$FILE_MAX_LEN
	regress=()
	[ -d "$here/fuzz/regressions/$name" ] && regress=("$here/fuzz/regressions/$name")
	"$target" -max_total_time="$FUZZ_TIME" -max_len=$max_len -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$BUILD/fuzz/artifacts/$name-" \
		"$corpus" "$seeds" "${regress[@]}" > "$log" 2>&1
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
