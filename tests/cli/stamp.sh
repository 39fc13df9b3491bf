#!/bin/bash
# rustver stamp: writes, replaces and refuses stamps; the round trips with check.
. "$(dirname "$0")/lib.sh"
set -e
A=$FIXTURES/kdirA
B=$FIXTURES/kdirB
"$RUSTVER" table --kdir "$A" -o "$WORK/A.txt"
"$RUSTVER" table --kdir "$B" -o "$WORK/B.txt"
cp "$FIXTURES/user.o" "$WORK/m.ko"

run stamp --unverified --kdir "$A" "$WORK/m.ko"
expect 0 "stamp writes one entry per crate the imports depend on" \
	'stamped 1 crate UNVERIFIED, from .*: kcrate\[[0-9a-f]+\]=0x[0-9a-f]{8}'
run check --table "$WORK/A.txt" "$WORK/m.ko"
expect 0 "stamp then check against the same tree passes" 'm.ko: pass'

crc_a=$(awk '/^kcrate/ { print $2 }' "$WORK/A.txt")
crc_b=$(awk '/^kcrate/ { print $2 }' "$WORK/B.txt")
run check --table "$WORK/B.txt" "$WORK/m.ko"
expect 1 "stamped against A, checked against B: fails naming the crate and both CRCs" \
	'm.ko: FAIL' "crate kcrate\[[0-9a-f]+\]: built against $crc_a, kernel has $crc_b" \
	'imported symbols, e.g. kcrate::'

size=$(stat -c %s "$WORK/m.ko")
run stamp --unverified --table "$WORK/B.txt" "$WORK/m.ko"
expect 0 "re-stamping says so" 're-stamped 1 crate'
if [ "$(count_sections .rustver_stamp "$WORK/m.ko")" = 1 ] &&
   [ "$(stat -c %s "$WORK/m.ko")" = "$size" ]; then
	t_ok "re-stamping replaces the stamp: one section, same file size"
else
	t_fail "re-stamping replaces the stamp ($(count_sections .rustver_stamp "$WORK/m.ko") sections, size $size -> $(stat -c %s "$WORK/m.ko"))"
fi
run check --table "$WORK/B.txt" "$WORK/m.ko"
expect 0 "after re-stamping against B, check against B passes" 'm.ko: pass'
# The loader keeps the stamp (SHF_ALLOC, read-only: flags "A") and relocates its
# symbol to it: a GLOBAL OBJECT of the section's size. readelf -SW columns after
# the name: type, address, offset, size, entsize, flags.
sec=$(readelf -SW "$WORK/m.ko" | sed -n 's/^ *\[ *[0-9]*\] \.rustver_stamp *//p')
set -- $sec
sym=$(readelf -sW "$WORK/m.ko" | awk '$8 == "__rustver_stamp" { print $3, $4, $5 }')
if [ "$1" = PROGBITS ] && [ "$6" = A ] && [ -n "$4" ] && [ "$sym" = "$((16#$4)) OBJECT GLOBAL" ]; then
	t_ok "the stamp is an allocated read-only PROGBITS section with a GLOBAL OBJECT symbol of its size"
else
	echo "section: $sec; symbol: $sym" >"$OUT"
	t_fail "the stamp is an allocated read-only PROGBITS section with a GLOBAL OBJECT symbol of its size"
fi
# Stamping appends one symbol: every symbol a relocation names keeps its index.
readelf -sW "$FIXTURES/user.o" | grep -E '^ *[0-9]+:' >"$WORK/syms.before"
readelf -sW "$WORK/m.ko" | grep -E '^ *[0-9]+:' >"$WORK/syms.after"
n=$(wc -l <"$WORK/syms.before")
if head -n "$n" "$WORK/syms.after" | cmp -s - "$WORK/syms.before" &&
	[ "$(wc -l <"$WORK/syms.after")" = $((n + 1)) ] &&
	tail -n 1 "$WORK/syms.after" | grep -q ' __rustver_stamp$'; then
	t_ok "stamping appends its symbol at the end of .symtab: no symbol renumbered ($n kept)"
else
	diff "$WORK/syms.before" "$WORK/syms.after" >"$OUT" || true
	t_fail "stamping appends its symbol at the end of .symtab: no symbol renumbered"
fi
ls -A "$WORK" | grep -q 'rustver-' && t_fail "no temporary files are left behind" ||
	t_ok "no temporary files are left behind"

# objects the linker can still use after stamping
gcc -c -x c -o "$WORK/main.o" - <<<'int main(void) { return 0; }'
ld -r -o "$WORK/relinked.o" "$WORK/m.ko" "$WORK/main.o" 2>"$OUT" &&
	t_ok "a stamped object is still a valid relocatable object for ld" ||
	t_fail "a stamped object is still a valid relocatable object for ld"

cp "$FIXTURES/plain.o" "$WORK/plain.ko"
run stamp --unverified --kdir "$A" "$WORK/plain.ko"
expect 0 "a module without Rust imports needs no stamp" 'no Rust imports, nothing to stamp'
cmp -s "$FIXTURES/plain.o" "$WORK/plain.ko" && t_ok "... and is left untouched" ||
	t_fail "... and is left untouched"

cp "$FIXTURES/mixed.o" "$WORK/mixed.ko"
run stamp --unverified --kdir "$A" "$WORK/mixed.ko"
expect 0 "a C module importing Rust symbols is stamped" 'stamped 1 crate UNVERIFIED, from .*: kcrate'

# refusals: each is exit 2, names the file and leaves it as it was
cp "$FIXTURES/user.o" "$WORK/signed.ko"
sign_module "$WORK/signed.ko"
cp "$WORK/signed.ko" "$WORK/signed.orig"
run stamp --unverified --kdir "$A" "$WORK/signed.ko"
expect 2 "a signed module is refused: stamping would break the signature" \
	'signed.ko: signed module: stamping would break its signature'
cmp -s "$WORK/signed.ko" "$WORK/signed.orig" && t_ok "... and is left untouched" ||
	t_fail "... and is left untouched"

cp "$FIXTURES/user.o" "$WORK/c.ko" && xz -k "$WORK/c.ko"
run stamp --unverified --kdir "$A" "$WORK/c.ko.xz"
expect 2 "a compressed module is refused" 'c.ko.xz: compressed module \(xz\)'
# Every format of the codec table (tools/rustver/decompress.c), the zstd file that
# starts with a skippable frame (as pzstd writes; RFC 8878, 3.1.2) included.
zstd -q -k "$WORK/c.ko" && gzip -k "$WORK/c.ko"
{ printf '\x50\x2a\x4d\x18\x04\x00\x00\x00skip'; cat "$WORK/c.ko.zst"; } >"$WORK/skip.ko.zst"
for f in c.ko.zst:zstd c.ko.gz:gzip skip.ko.zst:zstd; do
	run stamp --unverified --kdir "$A" "$WORK/${f%%:*}"
	expect 2 "a ${f#*:} module ($f) is refused as compressed" "${f%%:*}: compressed module \(${f#*:}\)"
done

echo "not an elf file" > "$WORK/text.ko"
run stamp --unverified --kdir "$A" "$WORK/text.ko"
expect 2 "a non-ELF file is refused" 'text.ko: ELF: not an ELF file'

clang --target=mips64el-linux-gnu -c -o "$WORK/mips.ko" "$(dirname "$0")/../fixtures/plain.c"
run stamp --unverified --kdir "$A" "$WORK/mips.ko"
expect 2 "an architecture without kernel Rust is refused" \
	"mips.ko: ELF: not an object of an architecture with kernel Rust support"

head -c 1000 "$FIXTURES/user.o" > "$WORK/trunc.ko"
run stamp --unverified --kdir "$A" "$WORK/trunc.ko"
expect 2 "a truncated module is refused" 'trunc.ko: ELF: .*beyond the end of the file'

cp "$FIXTURES/userB.o" "$WORK/other.ko"
grep -v '^kcrate' "$WORK/A.txt" > "$WORK/nokcrate.txt"
cp "$WORK/other.ko" "$WORK/other.orig"
run stamp --unverified --table "$WORK/nokcrate.txt" "$WORK/other.ko"
expect 2 "a module whose crate is not in the table is refused" \
	'other.ko: crate kcrate\[[0-9a-f]+\] is not in the table of .*nokcrate.txt'
cmp -s "$WORK/other.ko" "$WORK/other.orig" && t_ok "... and is left untouched" ||
	t_fail "... and is left untouched"

cp "$FIXTURES/user.o" "$WORK/norecords.ko"
run stamp "$WORK/norecords.ko"
expect 2 "without build records, stamp refuses and says how to go on" \
	'norecords.ko: no build records beside it .*norecords.mod.*--unverified'
run stamp --unverified "$WORK/norecords.ko"
expect 2 "--unverified needs the table to take the CRCs from" '--unverified needs --kdir DIR or --table FILE'
run stamp --unverified --kdir "$A" "$WORK/norecords.ko"
expect 0 "--unverified stamps from the table and says so" 'stamped 1 crate UNVERIFIED, from'
run show --table "$WORK/A.txt" "$WORK/norecords.ko"
expect 0 "show tells how the stamp was made" 'stamp: .*unverified'
run stamp --prefix-map build=/x --unverified --kdir "$A" "$WORK/norecords.ko"
expect 2 "--prefix-map takes two absolute paths" "--prefix-map 'build=/x': expected RECORDED=HERE"
run stamp --unverified --kdir "$A" "$WORK/missing.ko"
expect 2 "a missing file is an error naming it" 'missing.ko: cannot open: No such file'
run stamp --help
expect 0 "stamp --help" '^Usage: rustver stamp'
t_done
