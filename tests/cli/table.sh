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
int main(void) { return RUSTVER_TABLE_COUNT == sizeof(rustver_table_crates) / sizeof(rustver_table_crates[0]) ? 0 : 1; }
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
# the header is replaced atomically (its mode kept, no temporary left; tests/cli/writer.sh
# has the rest), and kept with its time stamp when the contents would not change
touch -d '2000-01-01' "$WORK/t2.h"
run table --table "$WORK/t.txt" --c-header "$WORK/t2.h" -o /dev/null
kept=$(stat -c %Y "$WORK/t2.h")
echo '/* stale */' >"$WORK/t2.h" && chmod 600 "$WORK/t2.h"
run table --table "$WORK/t.txt" --c-header "$WORK/t2.h" -o /dev/null
if [ "$RC" = 0 ] && [ "$kept" = "$(date -d 2000-01-01 +%s)" ] && cmp -s "$WORK/t.h" "$WORK/t2.h" &&
	[ "$(stat -c %a "$WORK/t2.h")" = 600 ] && [ -z "$(ls -A "$WORK" | grep 'rustver-')" ]; then
	t_ok "--c-header keeps an identical header's time stamp and replaces a stale one (mode 0600 kept, no temporary left)"
else
	t_fail "--c-header keeps an identical header's time stamp and replaces a stale one (mode 0600 kept, no temporary left)"
fi
cp -r "$FIXTURES/kdirA" "$WORK/nosyms" && rm "$WORK/nosyms/Module.symvers"
run table --kdir "$WORK/nosyms"
expect 2 "a tree without Module.symvers or vmlinux is an error" "neither Module.symvers nor vmlinux"
run table
expect 2 "table without --kdir or --table is a usage error" '^rustver: table: give --kdir DIR or --table FILE$'
run table --help
expect 0 "table --help" "^Usage: rustver table"
t_done
