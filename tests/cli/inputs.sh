#!/bin/bash
# Bounded inputs: what the helper reads is a regular file of bounded size,
# recognised for what it should be, or refused with a message and exit 2;
# write errors on standard output are errors; empty option values are usage
# errors. The cases are those an attack on the helper found: any bytes taken
# as an .rmeta (an empty file gave CRC 0), a crate dropped without a word
# when its .rmeta is missing, a FIFO as .rmeta or M.mod hanging in open(),
# /dev/zero as a table, as symbols' input or as Module.symvers growing
# memory until it ran out, `table > /dev/full` and `stamp > /dev/full`
# exiting 0, `--kernel ''` checking every release, and rustc's f16/f128
# (written as the crate roots C3f16 and C4f128, rust-lang/rust#123816)
# taken for crates.
. "$(dirname "$0")/lib.sh"
set -e
A=$FIXTURES/kdirA
"$RUSTVER" table --kdir "$A" -o "$WORK/A.txt"

# bounded: a command that would read forever must stop, whatever it says
bounded() { timeout 60 "$RUSTVER" "$@" > "$OUT" 2>&1; }

kd=$WORK/kd
cp -r "$A" "$kd"
: > "$kd/rust/libkcrate.rmeta"
run table --kdir "$kd"
expect 2 "an empty .rmeta is refused, not CRC 0" 'libkcrate.rmeta: not rustc metadata'
printf 'not metadata at all' > "$kd/rust/libkcrate.rmeta"
run table --kdir "$kd"
expect 2 "an .rmeta without rustc's header is refused" 'libkcrate.rmeta: not rustc metadata'
cp "$A/rust/libkcrate.rmeta" "$kd/rust/libkcrate.rmeta"
run table --kdir "$kd"
expect 0 "the real .rmeta (\"rust\\0\\0\\0\" header) is taken" 'kcrate\[[0-9a-f]+\] 0x[0-9a-f]{8}'

rm "$kd/rust/libkcrate.rmeta"
run table --kdir "$kd"
expect 0 "a crate the kernel's symbols name without its .rmeta is a warning" \
	'warning: .*crate kcrate: the kernel.s symbols name it, but there is no rust/libkcrate.rmeta' \
	'^# not in the table: kcrate'

mkfifo "$kd/rust/libkcrate.rmeta"
set +e; bounded table --kdir "$kd"; RC=$?; set -e
expect 2 "a FIFO as .rmeta is refused without blocking in open()" 'libkcrate.rmeta: not a regular file'
rm "$kd/rust/libkcrate.rmeta"
cp "$A/rust/libkcrate.rmeta" "$kd/rust/libkcrate.rmeta"

ln -sf /dev/zero "$kd/Module.symvers"
set +e; bounded table --kdir "$kd"; RC=$?; set -e
expect 2 "a Module.symvers that is /dev/zero is refused, memory bounded" 'Module.symvers: not a regular file'
rm "$kd/Module.symvers"
head -c $((257 << 20)) /dev/zero | tr '\0' 'x' > "$kd/Module.symvers"
set +e; bounded table --kdir "$kd"; RC=$?; set -e
expect 2 "a Module.symvers over 256 MiB is refused" 'Module.symvers: larger than 268435456 bytes'
# a sparse 8 GiB one: refused by its size, before any of it is read (it was
# read up to the limit: 256 MiB, ~528 MB peak), so peak memory stays small
rm "$kd/Module.symvers"
truncate -s 8G "$kd/Module.symvers"
set +e
# the peak RSS in KiB of the command (getrusage(2) of the children) on fd 3
python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=open(3, "w", closefd=False))
sys.exit(r)' timeout 60 "$RUSTVER" table --kdir "$kd" > "$OUT" 2>&1 3>"$WORK/peak"
RC=$?
set -e
peak=$(cat "$WORK/peak")
expect 2 "a sparse 8 GiB Module.symvers is refused by its size" 'Module.symvers: larger than 268435456 bytes'
[ -n "$peak" ] && [ "$peak" -lt $((128 << 10)) ] &&
	t_ok "... without reading it: peak memory $((peak >> 10)) MiB (under 128 MiB)" ||
	t_fail "... without reading it: peak memory ${peak:-?} KiB, 128 MiB at most"
cp "$A/Module.symvers" "$kd/Module.symvers"

set +e; bounded check --table /dev/zero "$FIXTURES/user.o"; RC=$?; set -e
expect 2 "--table /dev/zero is refused" '/dev/zero: not a regular file'
mkfifo "$WORK/fifo.ko"
set +e; bounded check --table "$WORK/A.txt" "$WORK/fifo.ko"; RC=$?; set -e
expect 2 "a FIFO as a module is refused without blocking" 'fifo.ko: not a regular file'
set +e
head -c 100000000 /dev/zero | timeout 60 "$RUSTVER" symbols > "$OUT" 2>&1
RC=$?
set -e
expect 2 "symbols < /dev/zero stops at the first line, memory bounded" 'line 1: a NUL byte'
set +e
head -c 200000 /dev/zero | tr '\0' 'R' | timeout 60 "$RUSTVER" symbols > "$OUT" 2>&1
RC=$?
set -e
expect 2 "symbols: a line over 64 KiB is no list of symbols" 'line 1: longer than 65536 bytes'

# the build records: a FIFO as M.mod
mkdir -p "$WORK/b"
cp "$FIXTURES/user.o" "$WORK/b/m.ko"
mkfifo "$WORK/b/m.mod"
set +e; bounded stamp --kdir "$A" "$WORK/b/m.ko"; RC=$?; set -e
expect 2 "a FIFO as M.mod is refused without blocking" 'm.mod: not a regular file'

# write errors on standard output
for cmd in "table --kdir $A" "check --table $WORK/A.txt $FIXTURES/user.o" "show $FIXTURES/user.o" \
	"symbols _RNvC3foo3bar" "--version"; do
	set +e
	# shellcheck disable=SC2086 # the words of $cmd are the arguments
	"$RUSTVER" $cmd > /dev/full 2> "$OUT"
	RC=$?
	set -e
	expect 2 "rustver ${cmd%% *} > /dev/full: exit 2, the write error said" 'write error on standard output'
done
cp "$FIXTURES/user.o" "$WORK/full.ko"
set +e
"$RUSTVER" stamp --unverified --kdir "$A" "$WORK/full.ko" > /dev/full 2> "$OUT"
RC=$?
set -e
expect 2 "rustver stamp > /dev/full: exit 2" 'write error on standard output'

# empty option values
run check --all --kernel ''
expect 2 "--kernel '' is a usage error, not every release" "option '--kernel' needs a value, not an empty one" \
	"Try 'rustver check --help'"
run check -k '' --all
expect 2 "-k '' is a usage error" "option '-k' needs a value"
run table --kdir "$A" -o ''
expect 2 "table -o '' is a usage error" "option '-o' needs a value"
run stamp --tree ''
expect 2 "stamp --tree '' is a usage error" "option '--tree' needs a value"
run check --table= "$FIXTURES/user.o"
expect 2 "--table= is a usage error" "option '--table' needs a value"

# stamp --tree: every modules.order form since Linux 6.1, and no line it does not understand
tr=$WORK/tree
mkdir -p "$tr/sub"
cp "$FIXTURES/user.o" "$tr/sub/a.ko"
cp "$FIXTURES/user.o" "$tr/sub/b.ko"
cp "$FIXTURES/plain.o" "$tr/sub/c.ko"
printf 'sub/a.o\nsub/b.o\n' > "$tr/modules.order"
run stamp --tree "$tr"
expect 2 "--tree reads the 6.3+ form (DIR/NAME.o): both modules tried" \
	'2 modules, 0 without Rust imports, 2 refused'
printf 'sub/a.ko\nsub/b.ko\n' > "$tr/modules.order"
run stamp --tree "$tr"
expect 2 "--tree reads the 6.1/6.2 form (DIR/NAME.ko, before f65a486821cf): both modules tried" \
	'2 modules, 0 without Rust imports, 2 refused'
printf 'sub/a.o\nsub/garbage\n' > "$tr/modules.order"
run stamp --tree "$tr"
expect 2 "--tree: a line that names no module is an error" 'modules.order:2: not a module' \
	'1 module, 0 without Rust imports, 1 refused, 1 line of modules.order not understood$'
# a C module of the tree has no rustc build records and nothing to stamp: skipped, counted
printf 'sub/c.o\n' > "$tr/modules.order"
run stamp --tree "$tr"
expect 0 "--tree skips a C module (no Rust imports) without reading build records" \
	'1 module, 1 without Rust imports, 0 refused$'
run stamp "$tr/sub/c.ko"
expect 0 "stamp of a C module: nothing to stamp, said" 'c.ko: no Rust imports, nothing to stamp'

# f16 and f128 are types, not crates (rustc_symbol_mangling v0.rs)
run symbols _RINvC3foo4takeC3f16E _RINvC3foo4takeC4f128E _RNvC3f163foo
if [ "$RC" = 0 ] && grep -qx $'_RINvC3foo4takeC3f16E\tfoo\\[0\\]' "$OUT" &&
	grep -qx $'_RINvC3foo4takeC4f128E\tfoo\\[0\\]' "$OUT" && grep -qx $'_RNvC3f163foo\tf16\\[0\\]' "$OUT"; then
	t_ok "symbols: take::<f16> and take::<f128> have one crate, foo; a path's f16 stays a crate"
else
	t_fail "symbols: take::<f16> and take::<f128> have one crate, foo; a path's f16 stays a crate"
fi
if [ -s "$FIXTURES/newer.o" ] && grep -q 'takeC3f16E' "$FIXTURES/newer_syms.txt"; then
	grep 'takeC3f16E\|takeC4f128E' "$FIXTURES/newer_syms.txt" > "$WORK/floats"
	run symbols < "$WORK/floats"
	[ "$RC" = 0 ] && [ "$(grep -c $'\tnewer\\[[0-9a-f]*\\]$' "$OUT")" = 2 ] &&
		t_ok "rustc's own take::<f16>, take::<f128>: the crate newer only" ||
		t_fail "rustc's own take::<f16>, take::<f128>: the crate newer only"
else
	t_skip "rustc's own take::<f16>, take::<f128>" "the fixtures' rustc predates newer.rs"
fi
t_done
