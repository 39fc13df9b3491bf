#!/bin/bash
# rustver check: verdicts on plain, compressed, signed and named modules,
# --all over a module tree, and explained refusals of bad input.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
set -e
A=$FIXTURES/kdirA
"$RUSTVER" table --kdir "$A" -o "$WORK/A.txt"
"$RUSTVER" table --kdir "$FIXTURES/kdirB" -o "$WORK/B.txt"
mkdir -p "$WORK/m"
cp "$FIXTURES/user.o" "$WORK/m/good.ko"
cp "$FIXTURES/userB.o" "$WORK/m/bad.ko"
cp "$FIXTURES/plain.o" "$WORK/m/plain.ko"
cp "$FIXTURES/user.o" "$WORK/m/unstamped.ko"
"$RUSTVER" stamp --unverified --kdir "$A" "$WORK/m/good.ko" > /dev/null
"$RUSTVER" stamp --unverified --kdir "$FIXTURES/kdirB" "$WORK/m/bad.ko" > /dev/null

run check --table "$WORK/A.txt" "$WORK/m/good.ko"
expect 0 "a module stamped against the kernel's tree passes" 'good.ko: pass \(1 crate'
run check --kdir "$A" "$WORK/m/good.ko"
expect 0 "--kdir gives the same verdict as --table" 'good.ko: pass'
run check --table "$WORK/A.txt" "$WORK/m/bad.ko"
expect 1 "a module built against tree B fails against A" 'bad.ko: FAIL \(1 of 1 crate\)' \
	'crate kcrate\[[0-9a-f]+\]: built against 0x[0-9a-f]{8}, kernel has 0x[0-9a-f]{8}' \
	"fix: rebuild against this kernel's build tree and run 'rustver stamp'"
run check --table "$WORK/A.txt" "$WORK/m/plain.ko"
expect 0 "a module without Rust imports passes" 'plain.ko: pass \(no Rust imports\)'
run check --table "$WORK/A.txt" "$WORK/m/unstamped.ko"
expect 1 "an out-of-tree Rust module without a stamp fails" 'unstamped.ko: FAIL' \
	'not in the module.s stamp' "rustver stamp MODULE.ko' where it was built"
run check --table "$WORK/A.txt" "$WORK/m/good.ko" "$WORK/m/bad.ko" "$WORK/m/plain.ko"
expect 1 "several modules: one line each, exit 1 when any fails" \
	'good.ko: pass' 'bad.ko: FAIL' 'plain.ko: pass'

# in-tree modules without a stamp pass when every crate is known
printf 'intree=Y\0name=intree\0' > "$WORK/modinfo"
objcopy --add-section .modinfo="$WORK/modinfo" "$FIXTURES/user.o" "$WORK/m/intree.ko"
run check --table "$WORK/A.txt" "$WORK/m/intree.ko"
expect 0 "an in-tree module without a stamp passes, and says so" 'intree.ko: pass \(in-tree, not stamped'

# an unknown crate, and the same crate from another rustc
sed 's/^kcrate\[[0-9a-f]*\]/kcrate[1234]/' "$WORK/A.txt" > "$WORK/otherdis.txt"
run check --table "$WORK/otherdis.txt" "$WORK/m/good.ko"
expect 1 "a crate known under another disambiguator names the rustc cause" \
	'the kernel has kcrate\[1234\] instead: another rustc' 'build the module with the rustc that built the kernel'
grep -v '^kcrate' "$WORK/A.txt" > "$WORK/nokcrate.txt"
run check --table "$WORK/nokcrate.txt" "$WORK/m/good.ko"
expect 1 "a crate missing from the kernel's table is reported as unknown" 'unknown to the kernel'

# a different rustc is said first
sed 's/^# rustc: .*/# rustc: rustc 1.70.0 (aaaaaaaaa 2023-06-01)/' "$WORK/B.txt" > "$WORK/B-oldrustc.txt"
run check --table "$WORK/B-oldrustc.txt" "$WORK/m/good.ko"
if ! "$RUSTVER" show "$WORK/m/good.ko" | grep -q '^rustc: *rustc '; then
	t_skip "when rustc versions differ, the explanation says so first" \
		"this rustc ($(rustc --version)) writes no .comment, so the stamp names no rustc"
elif [ "$RC" = 1 ] && sed -n 2p "$OUT" | grep -q 'rustc differs: the module was built by rustc [0-9.]*, the kernel by rustc 1.70.0'; then
	t_ok "when rustc versions differ, the explanation says so first"
else
	t_fail "when rustc versions differ, the explanation says so first"
fi

# compressed and signed modules are checked on the ELF image they carry
cp "$WORK/m/good.ko" "$WORK/c1.ko" && xz --check=crc32 -k "$WORK/c1.ko"
cp "$WORK/m/bad.ko" "$WORK/c2.ko" && zstd -q "$WORK/c2.ko"
cp "$WORK/m/good.ko" "$WORK/c3.ko" && gzip -k "$WORK/c3.ko"
run check --table "$WORK/A.txt" "$WORK/c1.ko.xz"
expect 0 "a .ko.xz is decompressed and checked" 'c1.ko.xz: pass'
run check --table "$WORK/A.txt" "$WORK/c2.ko.zst"
expect 1 "a .ko.zst is decompressed and checked" 'c2.ko.zst: FAIL'
run check --table "$WORK/A.txt" "$WORK/c3.ko.gz"
expect 0 "a .ko.gz is decompressed and checked" 'c3.ko.gz: pass'
cp "$WORK/m/good.ko" "$WORK/s.ko" && sign_module "$WORK/s.ko" && xz --check=crc32 -k "$WORK/s.ko"
run check --table "$WORK/A.txt" "$WORK/s.ko" "$WORK/s.ko.xz"
expect 0 "a signed module (plain and xz) is read past its signature" 's.ko: pass' 's.ko.xz: pass'

# names resolved through libkmod as modprobe does, and --all
rel=7.3.0-rustver-test
mod=$WORK/root/lib/modules/$rel
mkdir -p "$mod/extra" "$mod/kernel/drivers"
cp "$WORK/m/good.ko" "$mod/extra/rv_good.ko"
xz --check=crc32 -c "$WORK/m/bad.ko" > "$mod/extra/rv_bad.ko.xz"
cp "$WORK/m/plain.ko" "$mod/kernel/drivers/rv_plain.ko"
for f in "$mod"/extra/rv_good.ko "$mod"/kernel/drivers/rv_plain.ko; do
	n=$(basename "$f" .ko)
	printf 'name=%s\0' "$n" > "$WORK/mi" && objcopy --add-section .modinfo="$WORK/mi" "$f"
done
touch "$mod/modules.order" "$mod/modules.builtin"
if depmod -b "$WORK/root" "$rel" 2>"$OUT"; then
	run check --table "$WORK/A.txt" --basedir "$WORK/root" --kernel "$rel" rv_good rv_bad
	expect 1 "module names are resolved through modules.dep, each line naming the file" \
		'^rv_good \(.*/extra/rv_good\.ko\): pass' '^rv_bad \(.*/extra/rv_bad\.ko\.xz\): FAIL'
	run check --table "$WORK/A.txt" --basedir "$WORK/root" --kernel "$rel" rv_nosuch
	expect 2 "an unknown module name is an error naming it" 'rv_nosuch: no such file, and no module of that name'
else
	t_fail "depmod could build modules.dep for the test tree"
fi
run check --table "$WORK/A.txt" --all --basedir "$WORK/root" --kernel "$rel"
expect 1 "--all checks every module of the tree and sums up" \
	'rv_good.ko: pass' 'rv_bad.ko.xz: FAIL' '3 modules: 1 pass, 1 fail, 0 errors, 1 without Rust imports'
grep -q rv_plain "$OUT" && t_fail "--all lists only modules with Rust imports" ||
	t_ok "--all lists only modules with Rust imports"
run check --table "$WORK/A.txt" --all --basedir "$WORK/root" --kernel 0.0-none
expect 2 "--all on a missing tree is an error" 'cannot walk'

run check --table "$WORK/A.txt" --json "$WORK/m/good.ko" "$WORK/m/bad.ko"
python3 - "$OUT" <<'PY' && t_ok "--json prints one JSON object per module" || t_fail "--json prints one JSON object per module"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["result"] for r in rows] == ["pass", "fail"], rows
assert rows[1]["crates"][0]["status"] == "mismatch"
assert rows[1]["crates"][0]["stamp_crc"] != rows[1]["crates"][0]["kernel_crc"]
PY

# bad input: exit 2 and a message naming the file and the problem
head -c 3000 "$WORK/m/good.ko" > "$WORK/trunc.ko"
run check --table "$WORK/A.txt" "$WORK/trunc.ko"
expect 2 "a truncated module is an error" 'trunc.ko: error: ELF: .*beyond the end of the file'
head -c 200 "$WORK/c1.ko.xz" > "$WORK/trunc.ko.xz"
run check --table "$WORK/A.txt" "$WORK/trunc.ko.xz"
expect 2 "truncated xz data is an error" 'trunc.ko.xz: corrupt xz data'
python3 - "$WORK/m/good.ko" "$WORK/badstamp.ko" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"RVSTAMP\0")
d[i + 16] = 0xff          # entry count no longer matches the size
open(sys.argv[2], "wb").write(d)
PY
run check --table "$WORK/A.txt" "$WORK/badstamp.ko"
expect 2 "a malformed stamp is an error of its own" 'badstamp.ko: error: stamp: '
printf 'kcrate[zz] 0x1\n' > "$WORK/bad-table.txt"
run check --table "$WORK/bad-table.txt" "$WORK/m/good.ko"
expect 2 "a malformed table file is an error naming the line" 'bad-table.txt:1: bad disambiguator'
run check --table "$WORK/A.txt" "$WORK/nosuch.ko"
expect 2 "a missing module file is an error" 'nosuch.ko: .*No such file'
if [ ! -e /sys/kernel/rustver/crates ]; then
	run check "$WORK/m/good.ko"
	expect 2 "without a table option and without rustver_core loaded, says so" \
		'/sys/kernel/rustver/crates: not found: rustver_core is not loaded'
else
	t_skip "missing sysfs table message" "rustver_core is loaded here"
fi
run check --table "$WORK/A.txt"
expect 2 "check without modules is a usage error" 'give MODULE... or --all'
run check --help
expect 0 "check --help" '^Usage: rustver check'
cp "$OUT" "$WORK/check-help.txt"
# The command table (tools/rustver/main.c): 'help CMD' prints what 'CMD --help'
# does; a usage error is one line and where to look; -k/-b as modinfo(8) takes them.
run help check
if [ "$RC" = 0 ] && cmp -s "$OUT" "$WORK/check-help.txt"; then
	t_ok "'rustver help check' prints exactly 'rustver check --help'"
else
	t_fail "'rustver help check' (exit $RC) differs from 'rustver check --help'"
fi
run --help
expect 0 "the top-level help lists every command with its summary" \
	'^  table +print the crate table' '^  stamp ' '^  check +give the verdict' '^  show ' '^  symbols '
run check --table "$WORK/A.txt" --no-such-option "$WORK/m/good.ko"
if [ "$RC" = 2 ] && [ "$(grep -c . "$OUT")" = 2 ] &&
	grep -qx "rustver: check: unknown option '--no-such-option'" "$OUT" &&
	grep -qx "Try 'rustver check --help'." "$OUT"; then
	t_ok "an unknown option: exit 2, one line naming it, then where to look"
else
	t_fail "an unknown option (exit $RC): $(head -c 300 "$OUT")"
fi
run check --table "$WORK/A.txt" --kdir
expect 2 "an option without its argument is named" "^rustver: check: option '--kdir' needs an argument$"
run check --table "$WORK/A.txt" -k "$(uname -r)" -b / "$WORK/m/good.ko"
expect 0 "-k RELEASE and -b DIR are --kernel and --basedir" 'good.ko: pass'
for c in check show stamp table; do
	run "$c" --kdir "$WORK" --table "$WORK/A.txt" "$WORK/m/good.ko"
	[ "$c" = table ] && run "$c" --kdir "$WORK" --table "$WORK/A.txt"
	if [ "$RC" = 2 ] && [ "$(grep -c . "$OUT")" = 2 ] &&
		grep -qx "rustver: $c: give either --kdir or --table, not both" "$OUT"; then
		t_ok "$c --kdir and --table: one usage error, worded as every command words it"
	else
		t_fail "$c --kdir and --table (exit $RC): $(head -c 300 "$OUT")"
	fi
done
# --json: a record for every module named, a missing file and an unknown name too
set +e
"$RUSTVER" check --json --table "$WORK/A.txt" "$WORK/nosuch.ko" rv_nosuch_name "$WORK/m/good.ko" \
	>"$WORK/j.out" 2>"$OUT"
RC=$?
set -e
if [ "$RC" = 2 ] && python3 -c 'import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["result"] for x in r] == ["error", "error", "pass"], r
assert r[0]["error"]["why"] == "No such file or directory", r[0]' "$WORK/j.out" 2>>"$OUT"; then
	t_ok "check --json: a missing file and an unknown name get an error record each, in order"
else
	cat "$WORK/j.out" >>"$OUT"
	t_fail "check --json: a missing file and an unknown name get an error record each (exit $RC)"
fi
# Each command's synopsis in its --help is the one of rustver(8): the same
# words once the page's markup (*bold*, _arg_, ++) and line breaks are dropped.
for c in table stamp check show symbols; do
	help=$("$RUSTVER" "$c" --help | sed -n '1,/^$/p' | sed 's/^Usage://' | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
	page=$(sed -n '/^# SYNOPSIS/,/^# DESCRIPTION/p' "$top/man/rustver.8.scd" | grep "^\*rustver $c\*" |
		sed 's/\*//g; s/_//g; s/++$//' | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
	if [ -n "$help" ] && [ "$help" = "$page" ]; then
		t_ok "rustver $c --help gives rustver(8)'s synopsis"
	else
		printf 'help: %s\nman:  %s\n' "$help" "$page" >"$OUT"
		t_fail "rustver $c --help and rustver(8) give two synopses"
	fi
done
t_done
