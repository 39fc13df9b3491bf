#!/bin/bash
# rustver table: a kernel build tree's crates with zlib CRC-32s of their .rmeta.
. "$(dirname "$0")/lib.sh"
set -e

zcrc() { python3 -c 'import sys, zlib; print("0x%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$1"; }

for t in A B; do
	run table --kdir "$FIXTURES/kdir$t"
	ok=1
	for f in "$FIXTURES/kdir$t"/rust/lib*.rmeta; do
		c=$(basename "$f" .rmeta); c=${c#lib}
		grep -qE "^$c\[[0-9a-f]+\] $(zcrc "$f")\$" "$OUT" || ok=0
	done
	[ "$RC" = 0 ] && [ $ok = 1 ] && t_ok "table of tree $t has zlib's CRC-32 of every .rmeta" ||
		t_fail "table of tree $t has zlib's CRC-32 of every .rmeta"
done

run table --kdir "$FIXTURES/kdirA"
grep -v '^#' "$OUT" > "$WORK/lines"
if sort -c "$WORK/lines" 2>/dev/null && [ "$(grep -c . "$WORK/lines")" -ge 2 ]; then
	t_ok "table lines are sorted by crate name"
else
	t_fail "table lines are sorted by crate name"
fi
expect 0 "table comments name the rustc of the .rmeta" '^# rustc: rustc [0-9]'

a=$("$RUSTVER" table --kdir "$FIXTURES/kdirA" | grep '^kcrate')
b=$("$RUSTVER" table --kdir "$FIXTURES/kdirB" | grep '^kcrate')
[ "${a%% *}" = "${b%% *}" ] && [ "$a" != "$b" ] &&
	t_ok "trees A and B: same kcrate disambiguator, different CRC" ||
	t_fail "trees A and B: same kcrate disambiguator, different CRC ($a / $b)"

# a crate no kernel symbol names is reported, not guessed
cp -r "$FIXTURES/kdirA" "$WORK/kdir"
cp "$FIXTURES/kdirA/rust/libkcrate.rmeta" "$WORK/kdir/rust/libghost.rmeta"
run table --kdir "$WORK/kdir"
expect 0 "a crate without a known disambiguator is reported as a comment" \
	'^# not in the table: ghost: no kernel symbol' 'warning: .*crate ghost'
grep -q '^ghost\[' "$OUT" && t_fail "ghost crate must not be in the table" ||
	t_ok "a crate without a known disambiguator is left out of the table"

run table --kdir "$FIXTURES/kdirA" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["crates"]) >= 2 and all(c["crc"].startswith("0x") for c in d["crates"])' "$OUT" 2>/dev/null &&
	t_ok "--json is valid JSON with the crates" || t_fail "--json is valid JSON with the crates"

run table --kdir "$FIXTURES/kdirA" -o "$WORK/t.txt" --c-header "$WORK/t.h"
cat > "$WORK/h.c" <<'C'
#include <rustver/table.h>
#include "t.h"
/* what rustver_core initialises its table with: constant expressions */
static const struct rv_table t = { .crates = rustver_table_crates, .count = RUSTVER_TABLE_COUNT,
				   .exports = RUSTVER_TABLE_EXPORTS };
int main(void)
{
	return RUSTVER_TABLE_COUNT == sizeof(rustver_table_crates) / sizeof(rustver_table_crates[0]) &&
	       RUSTVER_TABLE_EXPORT_COUNT > 0 && t.exports.count == RUSTVER_TABLE_EXPORT_COUNT &&
	       RUSTVER_TABLE_EXPORT_COUNT == sizeof(rustver_table_export) / sizeof(rustver_table_export[0]) ? 0 : 1;
}
C
if [ "$RC" = 0 ] && cmp -s "$WORK/t.txt" <("$RUSTVER" table --kdir "$FIXTURES/kdirA") &&
   gcc -std=c11 -Wall -Werror -I"$(dirname "$0")/../../include" -I"$WORK" -o "$WORK/h" "$WORK/h.c" && "$WORK/h"; then
	t_ok "-o writes the text table and --c-header a header that compiles"
else
	t_fail "-o writes the text table and --c-header a header that compiles"
fi

run table --kdir "$WORK/nonexistent"
expect 2 "a missing tree is an error naming it" "nonexistent: no rust/ directory: not a Rust-enabled kernel build tree"
mkdir -p "$WORK/empty/rust"
run table --kdir "$WORK/empty"
expect 2 "a tree without .rmeta files is an error" "no lib\*\.rmeta files in rust/"
run table --kdir "$WORK/empty" --no-rust
expect 0 "--no-rust accepts a tree without Rust: an empty table" "^# rustver table"
run table --table "$WORK/t.txt" --c-header "$WORK/t2.h" -o /dev/null
cmp -s "$WORK/t.h" "$WORK/t2.h" && [ "$RC" = 0 ] && t_ok "--table converts a table file to the same C header" ||
	t_fail "--table converts a table file to the same C header"
# the header is replaced atomically (mode 0644, no temporary left), and kept with its
# time stamp when the contents would not change
touch -d '2000-01-01' "$WORK/t2.h"
run table --table "$WORK/t.txt" --c-header "$WORK/t2.h" -o /dev/null
kept=$(stat -c %Y "$WORK/t2.h")
echo '/* stale */' >"$WORK/t2.h" && chmod 600 "$WORK/t2.h"
run table --table "$WORK/t.txt" --c-header "$WORK/t2.h" -o /dev/null
if [ "$RC" = 0 ] && [ "$kept" = "$(date -d 2000-01-01 +%s)" ] && cmp -s "$WORK/t.h" "$WORK/t2.h" &&
	[ "$(stat -c %a "$WORK/t2.h")" = 644 ] && [ -z "$(ls "$WORK" | grep '^t2\.h\.')" ]; then
	t_ok "--c-header keeps an identical header's time stamp and replaces a stale one (0644, no temporary left)"
else
	t_fail "--c-header keeps an identical header's time stamp and replaces a stale one (0644, no temporary left)"
fi
cp -r "$FIXTURES/kdirA" "$WORK/nosyms" && rm "$WORK/nosyms/Module.symvers"
run table --kdir "$WORK/nosyms"
expect 2 "a tree without Module.symvers or vmlinux is an error" "neither Module.symvers nor vmlinux"
# The tree's exported Rust symbols, each once, sorted: "# export: NAME" lines, which an
# older rustver reads as comments (the verdict then walks every import, as before).
run table --kdir "$FIXTURES/kdirA"
sed -n 's/^# export: //p' "$OUT" > "$WORK/exports"
awk -F'\t' '$2 ~ /^_R[A-Z]/ { print $2 }' "$FIXTURES/kdirA/Module.symvers" | LC_ALL=C sort -u > "$WORK/want"
if [ "$RC" = 0 ] && [ -s "$WORK/exports" ] && cmp -s "$WORK/exports" "$WORK/want"; then
	t_ok "table lists every exported Rust symbol of Module.symvers once, sorted, as '# export:'"
else
	t_fail "table lists every exported Rust symbol of Module.symvers once, sorted, as '# export:'"
fi
run table --kdir "$FIXTURES/kdirA" --no-exports
if [ "$RC" = 0 ] && ! grep -q '^# export:' "$OUT" && grep -q '^kcrate\[' "$OUT"; then
	t_ok "--no-exports leaves the exports out"
else
	t_fail "--no-exports leaves the exports out"
fi
# a table an older rustver wrote (no export lines): the same verdicts, walked
"$RUSTVER" table --kdir "$FIXTURES/kdirA" -o "$WORK/new.txt"
grep -v '^# export:' "$WORK/new.txt" > "$WORK/old.txt"
same=1
for m in user.o userB.o mixed.o kcrate.o newer.o plain.o; do
	for fmt in "" --json; do
		set +e
		"$RUSTVER" check $fmt --table "$WORK/new.txt" "$FIXTURES/$m" > "$WORK/a.out" 2>&1
		a=$?
		"$RUSTVER" check $fmt --table "$WORK/old.txt" "$FIXTURES/$m" > "$WORK/b.out" 2>&1
		b=$?
		set -e
		[ "$a" = "$b" ] && cmp -s "$WORK/a.out" "$WORK/b.out" || { same=0; cp "$WORK/a.out" "$OUT"; }
	done
done
[ $same = 1 ] && t_ok "a table without exports (an older rustver's) gives the same verdicts and messages" ||
	t_fail "a table without exports (an older rustver's) gives the same verdicts and messages"
# a malformed export line is an error naming its line, as a malformed crate line is
{ cat "$WORK/new.txt"; printf '# export: _RNvC3f o\n'; } > "$WORK/bad.txt"
run check --table "$WORK/bad.txt" "$FIXTURES/user.o"
expect 2 "a malformed export line is refused with its line number" \
	"bad\.txt:$(($(wc -l < "$WORK/new.txt") + 1)): export name has a byte outside printable ASCII"
{ cat "$WORK/new.txt"; printf '# export: _ZN3foo3barE\n'; } > "$WORK/bad.txt"
run table --table "$WORK/bad.txt"
expect 2 "an export that is not a v0 name is refused" "export name is not a Rust v0 name"
# names up to RV_SYMBOL_MAX (4096) bytes: longer lines than a crate line may be
{ cat "$WORK/new.txt"; printf '# export: _RNvC%04096d\n' 0 | cut -c1-4106; } > "$WORK/long.txt"
run table --table "$WORK/long.txt" -o /dev/null
expect 0 "an export line of a 4096-byte name is read"
{ cat "$WORK/new.txt"; printf '# export: _RNvC%04097d\n' 0 | cut -c1-4107; } > "$WORK/long.txt"
run table --table "$WORK/long.txt" -o /dev/null
expect 2 "an export name of 4097 bytes is refused" "export name longer than 4096 bytes"
{ cat "$WORK/new.txt"; seq -f '# export: _RNvC%.0f' 1 65537; } > "$WORK/many.txt"
run table --table "$WORK/many.txt" -o /dev/null
expect 2 "more than 65536 exports are refused" "more than 65536 exports"

run table
expect 2 "table without --kdir or --table is a usage error" "--kdir DIR or --table FILE is required"
run table --help
expect 0 "table --help" "^Usage: rustver table"
t_done
