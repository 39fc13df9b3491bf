#!/bin/bash
# Benchmarks of rustver on real inputs (never part of `make check`): the
# engine's v0 parser on every Rust symbol of Debian's 7.3 kernel, the verdict
# on every module of Debian's tree, and `rustver check --all` over that tree.
# Results go to bench/results/<date>.txt (and standard output).
#
#   bench/run.sh            (make bench)
# Environment: BUILD (default build), RUSTVER_CACHE (as the selftests).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
bin=$BUILD/bench/bench-engine
out=bench/results/$(date +%Y%m%d-%H%M%S).txt
mkdir -p bench/results "$BUILD/bench/modules"

eval "$(selftests/scripts/debian-kernel.sh)"
tree=$DEBIAN_MODDIR/lib/modules/$DEBIAN_RELEASE

{
	echo "# rustver benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# machine: $(nproc) cores, $(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo), $(uname -r)"
	echo "# input: Debian $DEBIAN_RELEASE ($DEBIAN_VERSION)"
	echo "## v0 parser on every Rust symbol of System.map"
	"$bin" symbols "$DEBIAN_SYSTEM_MAP"
	echo "## hostile modules: 20,000 weak undefined symbols sharing one name (tests/fixtures/hostile.py)"
	echo "## (the first engine took 42 s on hostile-cname.o: every name measured to its end)"
	[ -f "$BUILD/fixtures/hostile-cname.o" ] || tests/fixtures/build.sh "$BUILD/fixtures" >/dev/null
	"$bin" each "$BUILD"/fixtures/hostile-*.o
	echo "## engine verdict on every module of the tree (decompressed beforehand)"
	find "$tree" -name '*.ko.xz' | sort | while read -r m; do
		xz -dc "$m" > "$BUILD/bench/modules/$(basename "$m" .xz)"
	done
	"$bin" verdict "$BUILD"/bench/modules/*.ko
	echo "## rustver check --all over the tree (xz decompression included)"
	printf 'core[1b6169c1cdb4b588] 0x00000001\nkernel[8135fdc6fc107636] 0x00000002\n' > "$BUILD/bench/table.txt"
	start=$(date +%s%N)
	tools/rustver/rustver check --table "$BUILD/bench/table.txt" --all \
		--basedir "$DEBIAN_MODDIR" --kernel "$DEBIAN_RELEASE" > "$BUILD/bench/check-all.txt" || true
	end=$(date +%s%N)
	echo "check_all_modules $(tail -n 1 "$BUILD/bench/check-all.txt" | sed -E 's/.*: ([0-9]+) modules.*/\1/')"
	echo "check_all_wall $(((end - start) / 1000000)) ms"
} | tee "$out"
echo "results written to $out"
