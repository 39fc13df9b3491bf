#!/bin/bash
# Module files as kmod and the kernel read them, and inputs that once
# crashed the helper: Debian's own signed qt2025.ko recompressed by the real
# gzip, xz, zstd and pzstd; a copy with e_shstrndx 0x7fff and an `as` +
# `ld -r` object with extended section numbering (both made libkmod's ELF
# code abort in `show`); corrupt compressed data; and every fuzz regression
# seed and fuzz corpus file, which must give an exit status of at most 2 and
# no sanitizer report.
. "$(dirname "$0")/lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if ! vars=$("$top/selftests/scripts/debian-kernel.sh" --no-system-map 2>"$OUT") || ! eval "$vars" ||
   [ -z "${DEBIAN_MODDIR:-}" ]; then
	t_fail "fetch Debian's 7.3 kernel packages"
	t_done
	exit
fi
k=$DEBIAN_MODDIR/lib/modules/$DEBIAN_RELEASE/kernel
xz -dc "$k/drivers/net/phy/qt2025.ko.xz" > "$WORK/qt2025.ko"
"$RUSTVER" show "$WORK/qt2025.ko" |
	awk '/^  [a-z_]+\[[0-9a-f]+\] / { print $1 " 0x00000000" }' > "$WORK/debian.txt"
[ -s "$WORK/debian.txt" ] || { t_fail "a table of Debian's crates from qt2025.ko"; t_done; exit; }

# no_crash WHAT: the last run exited 0..2 without a sanitizer report
no_crash() {
	if [ "$RC" -gt 2 ] || grep -qE 'ERROR: AddressSanitizer|runtime error:|Assertion .* failed' "$OUT"; then
		t_fail "$1 (exit $RC)"
		return 1
	fi
	return 0
}

# --- compression, as the kernel and kmod accept it ---------------------------------
c=$WORK/c
mkdir -p "$c"
gzip -9 -c "$WORK/qt2025.ko" > "$c/qt2025.ko.gz"
xz --check=crc32 --lzma2=dict=1MiB -c "$WORK/qt2025.ko" > "$c/qt2025-kbuild.ko.xz"
zstd -q -19 -c "$WORK/qt2025.ko" > "$c/qt2025.ko.zst"
zstd -q --no-check -c "$WORK/qt2025.ko" > "$c/qt2025-nocheck.ko.zst"
cp "$k/drivers/net/phy/qt2025.ko.xz" "$c/qt2025-debian.ko.xz"
for f in "$c"/*; do
	fmt=$(case $f in *.gz) echo gzip ;; *.xz) echo xz ;; *.zst) echo zstd ;; esac)
	run show --table "$WORK/debian.txt" "$f"
	expect 0 "show takes name and vermagic from what it decompressed: $(basename "$f")" \
		'^name: +qt2025$' "^vermagic: +${DEBIAN_RELEASE//+/\\+} SMP" "^file: +$fmt, signed$" \
		'^  kernel\[8135fdc6fc107636\] +[0-9]+ imports' 'pass \(in-tree, not stamped'
done
run check --table "$WORK/debian.txt" "$c"/*
expect 0 "check reads gzip, xz (CRC32, as Kbuild writes it) and zstd modules" \
	'qt2025.ko.gz: pass' 'qt2025-kbuild.ko.xz: pass' 'qt2025-debian.ko.xz: pass' \
	'qt2025.ko.zst: pass' 'qt2025-nocheck.ko.zst: pass'

pzstd -q -c "$WORK/qt2025.ko" > "$WORK/qt2025-pzstd.ko.zst"
head -c 4 "$WORK/qt2025-pzstd.ko.zst" | od -An -tx1 | grep -q '50 2a 4d 18' &&
	t_ok "pzstd starts its output with a skippable frame" ||
	t_fail "pzstd starts its output with a skippable frame"
run show "$WORK/qt2025-pzstd.ko.zst"
expect 2 "show reads a pzstd module and says kmod and the kernel refuse it" \
	'^name: +qt2025$' '^file: +zstd, signed, refused on loading' \
	'qt2025-pzstd.ko.zst: error: zstd data that starts with a skippable frame .*kernel would refuse'
run check --table "$WORK/debian.txt" "$WORK/qt2025-pzstd.ko.zst"
expect 2 "check reports a pzstd module as the kernel would refuse it, not as a pass" \
	'qt2025-pzstd.ko.zst: error: zstd data that starts with a skippable frame'
grep -q 'bad magic\|pass' "$OUT" && t_fail "a pzstd module is neither 'bad magic' nor a pass" ||
	t_ok "a pzstd module is neither 'bad magic' nor a pass"

# xz's default CRC64 check (and SHA-256): the kernel's xz decoder knows only CRC32
xz -c "$WORK/qt2025.ko" > "$WORK/qt2025-crc64.ko.xz"
xz --check=sha256 -c "$WORK/qt2025.ko" > "$WORK/qt2025-sha256.ko.xz"
run check --table "$WORK/debian.txt" "$WORK/qt2025-crc64.ko.xz" "$WORK/qt2025-sha256.ko.xz"
expect 2 "xz data with a CRC64 or SHA-256 check is reported as the kernel's decoder refuses it" \
	"qt2025-crc64.ko.xz: error: xz data with a CRC64 integrity check .*--check=crc32" \
	"qt2025-sha256.ko.xz: error: xz data with a SHA-256 integrity check"
run show "$WORK/qt2025-crc64.ko.xz"
expect 2 "show reads a CRC64 .ko.xz and says it is refused on loading" \
	'^name: +qt2025$' '^file: +xz, signed, refused on loading' 'error: xz data with a CRC64'

# corrupt compressed data: an explained refusal each
head -c 2000 "$c/qt2025.ko.gz" > "$WORK/trunc.ko.gz"
head -c 2000 "$c/qt2025.ko.zst" > "$WORK/trunc.ko.zst"
python3 - "$c/qt2025-kbuild.ko.xz" "$WORK/flip.ko.xz" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[len(d) // 2] ^= 0x55
open(sys.argv[2], "wb").write(d)
PY
run check --table "$WORK/debian.txt" "$WORK/trunc.ko.gz"
expect 2 "truncated gzip data is an error naming the file" 'trunc.ko.gz: corrupt or truncated gzip data'
run check --table "$WORK/debian.txt" "$WORK/trunc.ko.zst"
expect 2 "truncated zstd data is an error naming the file" 'trunc.ko.zst: (truncated|corrupt) zstd data'
run check --table "$WORK/debian.txt" "$WORK/flip.ko.xz"
expect 2 "corrupt xz data is an error naming the file" 'flip.ko.xz: corrupt xz data'

# --- the signature trailer, as the kernel's module_sig_check() reads it -------------
python3 - "$WORK/qt2025.ko" "$WORK" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
m = b"~Module signature appended~\n"
assert d.endswith(m)
info = len(d) - len(m) - 12          # struct module_signature
def put(name, i, b):
    x = bytearray(d); x[info + i:info + i + len(b)] = b
    open(sys.argv[2] + "/" + name, "wb").write(x)
put("sig-algo.ko", 0, b"\x01")                         # algo must be 0
put("sig-len.ko", 8, (len(d)).to_bytes(4, "big"))     # longer than the file
put("sig-pgp.ko", 2, b"\x00")                          # id_type PGP, not PKCS#7
open(sys.argv[2] + "/sig-short.ko", "wb").write(b"\0" * 5 + m)
PY
run check --table "$WORK/debian.txt" "$WORK/sig-algo.ko"
expect 2 "a signature info with non-zero parameters is refused, as the kernel refuses it" \
	'sig-algo.ko: malformed module signature .*refuses the module even when signatures are not enforced'
run check --table "$WORK/debian.txt" "$WORK/sig-len.ko"
expect 2 "a signature longer than the file is refused" 'sig-len.ko: module signature longer than the file'
run check --table "$WORK/debian.txt" "$WORK/sig-short.ko"
expect 2 "a bare signature marker is refused" 'sig-short.ko: truncated module signature'
run check --table "$WORK/debian.txt" "$WORK/sig-pgp.ko"
expect 0 "a non-PKCS#7 signature is a warning, and the module is still checked" \
	'sig-pgp.ko: the signature is not PKCS#7 .*only when signatures are not enforced' \
	'sig-pgp.ko: pass \(in-tree'

# --- what made libkmod's ELF code abort -------------------------------------------
python3 - "$WORK/qt2025.ko" "$WORK/shstrndx.ko" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[62:64] = (0x7fff).to_bytes(2, "little")      # e_shstrndx
open(sys.argv[2], "wb").write(d)
PY
gzip -c "$WORK/shstrndx.ko" > "$WORK/shstrndx.ko.gz"
for f in shstrndx.ko shstrndx.ko.gz; do
	run show "$WORK/$f"
	no_crash "show on Debian's qt2025 with e_shstrndx 0x7fff ($f)" &&
		expect 2 "show on Debian's qt2025 with e_shstrndx 0x7fff ($f) is an explained refusal" \
			"$f: error: ELF: section name table index out of range"
	run check --table "$WORK/debian.txt" "$WORK/$f"
	expect 2 "check on qt2025 with e_shstrndx 0x7fff ($f)" "$f: error: ELF: section name table index out of range"
done

python3 -c '
print("\t.text\n\t.globl _start\n_start:\n\tret")
for i in range(66000):
    print("\t.section .s%d,\"a\"\n\t.byte %d" % (i, i & 255))
' > "$WORK/many.s"
as -o "$WORK/many.o" "$WORK/many.s"
ld -r -o "$WORK/many.ko" "$WORK/many.o"
n=$(readelf -h "$WORK/many.ko" | sed -n 's/.*Number of section headers: *0 (\([0-9]*\)).*/\1/p')
[ "${n:-0}" -gt 65280 ] && t_ok "as + ld -r made an object with extended section numbering ($n sections, e_shnum 0)" ||
	t_fail "as + ld -r made an object with extended section numbering"
xz -k "$WORK/many.ko"
for f in many.ko many.ko.xz; do
	run show "$WORK/$f"
	no_crash "show on $n sections ($f)" &&
		expect 2 "show on an object with $n sections ($f) is an explained refusal" \
			"$f: error: ELF: .*(section headers|extended)"
	run check --table "$WORK/debian.txt" "$WORK/$f"
	expect 2 "check on an object with $n sections ($f)" "$f: error: ELF: "
done

# --- regression seeds and fuzz corpora: exit 0..2, no sanitizer report --------------
bad=0 total=0
for f in "$top"/fuzz/regressions/*/* $(ls -d "$top"/build/fuzz/corpus-*/* 2>/dev/null | head -n 400); do
	[ -f "$f" ] || continue
	total=$((total + 1))
	for cmd in show check; do
		set +e
		if [ $cmd = show ]; then
			"$RUSTVER" show --table "$WORK/debian.txt" "$f" > "$OUT" 2>&1
		else
			"$RUSTVER" check --table "$WORK/debian.txt" --json "$f" > "$OUT" 2>&1
		fi
		RC=$?
		set -e
		if [ "$RC" -gt 2 ] || grep -qE 'ERROR: AddressSanitizer|runtime error:|Assertion .* failed' "$OUT"; then
			bad=$((bad + 1))
			echo "# $cmd $f: exit $RC"
			sed 's/^/#   /' "$OUT" | head -n 10
		fi
	done
done
[ "$bad" = 0 ] && [ "$total" -ge 4 ] &&
	t_ok "show and check on $total regression seeds and fuzz corpus files: exit 0..2, no sanitizer report" ||
	t_fail "show and check on $total regression seeds and fuzz corpus files: $bad crashed or exited above 2"
t_done
