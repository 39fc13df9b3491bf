#!/bin/bash
# Streaming decompression (check --budget): a module that does not fit the
# memory budget is decompressed again for the byte ranges the verdict reads
# only (section headers, section names, symbol and string tables, .modinfo,
# the stamp), into a sparse mapping, and the engine refuses to read anything
# else. Forced with a 4 KiB budget, every verdict and every line printed must
# be those of the whole image (a 1 GiB budget), on real modules: Debian's
# (GNU ld's layout: its Rust modules and its largest ones), and Kbuild-built
# Rust and C modules against the selftests' kernel A and tree B (lld's layout;
# stamped, unstamped, malformed and hostile ones), each as .ko, .ko.xz,
# .ko.zst and .ko.gz; damaged files give the same messages both ways.
. "$(dirname "$0")/lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RUSTVER=$(realpath "$RUSTVER")

# same WHAT ARGS...: check ARGS with a 4 KiB and a 1 GiB budget; same stdout,
# stderr and exit status; the small budget streamed STREAMED (a number or
# "some") modules; the streamed run's --stats line is kept in $WORK/stats
same() {
	local what=$1 rc1=0 rc2=0
	shift
	"$RUSTVER" check --budget 4K --stats "$@" >"$WORK/s.out" 2>"$WORK/s.err" || rc1=$?
	"$RUSTVER" check --budget 1024 "$@" >"$WORK/w.out" 2>"$WORK/w.err" || rc2=$?
	grep '^rustver: check.*streamed' "$WORK/s.err" >"$WORK/stats" || true
	sed -i '/^rustver: check.*streamed/d' "$WORK/s.err"
	if [ $rc1 = $rc2 ] && cmp -s "$WORK/s.out" "$WORK/w.out" && cmp -s "$WORK/s.err" "$WORK/w.err"; then
		t_ok "$what: $(cat "$WORK/stats" | sed 's/^rustver: //'), exit $rc1"
	else
		{
			echo "exit $rc1 streamed, $rc2 whole"
			diff "$WORK/w.out" "$WORK/s.out" | head -20
			diff "$WORK/w.err" "$WORK/s.err" | head -20
		} >"$OUT"
		t_fail "$what: the streamed verdicts differ from the whole images'"
	fi
}

# streamed N: the last same() streamed at least N modules, some in more than
# one extra pass over the file
streamed() {
	local s d
	s=$(sed -n 's/.* \([0-9]*\) streamed (\([0-9]*\) decompressions).*/\1/p' "$WORK/stats")
	d=$(sed -n 's/.* \([0-9]*\) streamed (\([0-9]*\) decompressions).*/\2/p' "$WORK/stats")
	if [ "${s:-0}" -ge "$1" ] && [ "${d:-0}" -gt "$s" ]; then
		t_ok "$2: $s modules streamed, $d decompressions"
	else
		cp "$WORK/stats" "$OUT"
		t_fail "$2: at least $1 modules streamed, some more than once (got ${s:-?}, ${d:-?})"
	fi
}

# variants DIR: each DIR/*.ko also as .ko.xz (as Kbuild), .ko.zst and .ko.gz
variants() {
	local f
	for f in "$1"/*.ko; do
		xz --check=crc32 --lzma2=dict=1MiB -c "$f" >"$f.xz"
		zstd -q -c "$f" >"${f%.ko}.ko.zst"
		gzip -n -c "$f" >"$f.gz"
	done
}

# ---- Debian's modules (Debian's Kbuild, gcc and GNU ld)
if ! vars=$("$top/selftests/scripts/debian-kernel.sh" 2>"$OUT") || ! eval "$vars" ||
	[ -z "${DEBIAN_MODDIR:-}" ]; then
	t_fail "fetch Debian's 7.3 kernel packages"
	t_done
	exit 1
fi
mods=$DEBIAN_MODDIR/lib/modules/$DEBIAN_RELEASE/kernel
deb=(drivers/gpu/drm/drm.ko.xz drivers/net/phy/qt2025.ko.xz drivers/net/phy/ax88796b_rust.ko.xz
	drivers/gpu/drm/amd/amdgpu/amdgpu.ko.xz drivers/gpu/drm/i915/i915.ko.xz fs/xfs/xfs.ko.xz
	fs/btrfs/btrfs.ko.xz net/mac80211/mac80211.ko.xz fs/ext4/ext4.ko.xz)
"$RUSTVER" show "$mods/drivers/net/phy/qt2025.ko.xz" |
	awk '/^  [a-z_]+\[[0-9a-f]+\] / { print $1 " 0x00000000" }' >"$WORK/debian.txt"
files=()
for m in "${deb[@]}"; do files+=("$mods/$m"); done
same "Debian's Rust modules and largest modules, one by one (--json)" \
	--table "$WORK/debian.txt" --json "${files[@]}"
streamed 9 "every one of them streamed"
mkdir -p "$WORK/deb"
for m in drm qt2025 ax88796b_rust; do
	xz -dc "$mods/$(printf '%s\n' "${deb[@]}" | grep "/$m.ko.xz")" >"$WORK/deb/$m.ko"
done
variants "$WORK/deb"
same "Debian's Rust modules as .ko, .ko.xz, .ko.zst and .ko.gz" \
	--table "$WORK/debian.txt" "$WORK"/deb/*
streamed 12 "each compression streamed"

# the whole tree: every module of Debian's package (the output lists its Rust
# modules; an error on any other would be printed)
same "Debian's whole tree, check --all" --table "$WORK/debian.txt" --all --no-index \
	--basedir "$DEBIAN_MODDIR" --kernel "$DEBIAN_RELEASE" --jobs 2
streamed 4000 "most of the tree streamed"

# ---- Kbuild-built modules against kernel A and tree B (LLVM=1, ld.lld)
kb=${RUSTVER_CACHE:-/var/cache/rustver}/selftest/modules
if [ ! -f "$kb/kmod-a200/table-200" ] || ! ls "$kb"/a/*.ko >/dev/null 2>&1; then
	# the selftests have not built them yet: two of them, as evidence.sh does
	. "$top/selftests/scripts/lib.sh"
	env_of "$top/selftests/scripts/kernels.sh"
	kb=$WORK/kb
	for t in a b; do
		mkdir -p "$kb/$t"
		cp "$top/selftests/modules/rustver_test_hello.rs" "$kb/$t/"
		echo 'obj-m := rustver_test_hello.o' >"$kb/$t/Kbuild"
		"$top/selftests/scripts/build-module.sh" $t "$kb/$t" >"$OUT" 2>&1 ||
			{ t_fail "building rustver_test_hello against tree $t"; t_done; exit 1; }
		"$RUSTVER" stamp --by-times --prefix-map "/build=$CHROOT/build" "$kb/$t/rustver_test_hello.ko" >/dev/null
	done
	mkdir -p "$kb/kmod-a200"
	"$RUSTVER" table --kdir "$KDIR_A" -o "$kb/kmod-a200/table-200"
fi
mkdir -p "$WORK/kb"
for t in a b; do
	for f in "$kb/$t"/*.ko; do cp "$f" "$WORK/kb/$t-$(basename "$f")"; done
done
variants "$WORK/kb"
n=$(ls "$WORK"/kb | wc -l)
same "$n Kbuild-built modules of kernel A and tree B, in four forms" \
	--table "$kb/kmod-a200/table-200" --json "$WORK"/kb/*
streamed "$((n / 2))" "Kbuild-built modules streamed"
grep -q '"result": "pass"' "$WORK/s.out" && grep -q '"result": "fail"' "$WORK/s.out" &&
	t_ok "among them modules that pass and modules that fail" ||
	t_fail "among them modules that pass and modules that fail"

# ---- damaged files: the same messages either way
mkdir -p "$WORK/bad"
f=$WORK/deb/qt2025.ko
# cut inside the section headers (Debian's modules are signed: the signature is last)
shoff=$(python3 -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(), 40)[0])' "$f")
head -c $((shoff + 100)) "$f" >"$WORK/bad/cut-shdrs.ko"
xz --check=crc32 -c "$WORK/bad/cut-shdrs.ko" >"$WORK/bad/cut-shdrs.ko.xz"
for z in xz zst gz; do
	size=$(stat -c %s "${f%.ko}.ko.$z")
	head -c $((size / 2)) "${f%.ko}.ko.$z" >"$WORK/bad/truncated.ko.$z"
done
python3 - "$f" "$WORK/bad/symtab-out.ko" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", d, 40)
shnum, = struct.unpack_from("<H", d, 60)
for i in range(shnum):
    o = shoff + 64 * i
    if struct.unpack_from("<I", d, o + 4)[0] == 2:	# SHT_SYMTAB beyond the end
        struct.pack_into("<Q", d, o + 24, len(d) + 4096)
open(sys.argv[2], "wb").write(d)
PY
xz --check=crc32 -c "$WORK/bad/symtab-out.ko" >"$WORK/bad/symtab-out.ko.xz"
same "damaged modules (cut, truncated, a table beyond the end)" \
	--table "$WORK/debian.txt" "$WORK"/bad/*
grep -q 'corrupt xz data\|truncated zstd data\|corrupt or truncated gzip data' "$WORK/s.err" &&
	grep -q 'beyond the end of the file' "$WORK/s.out" &&
	t_ok "... and they are refused with the reason" ||
	{ cat "$WORK/s.out" "$WORK/s.err" >"$OUT"; t_fail "... and they are refused with the reason"; }

run check --table "$WORK/debian.txt" --budget 3K "$f"
expect 2 "--budget below 4 KiB is refused" 'budget 3K: expected'
t_done
