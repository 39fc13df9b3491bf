#!/bin/bash
# Escaped output: no file name, .modinfo value or symbol can forge a line,
# drive the terminal or make --json invalid, in any command (out.c).
# The cases are the report integrity ones an attack on the helper found:
# a module file name with a newline forging a "pass" line and a summary in
# check --all; ESC [2K and CR hiding a FAIL on a terminal (ECMA-48's EL,
# "erase in line"); a non-UTF-8 name making --json invalid (RFC 8259 8.1:
# JSON text is UTF-8). Every module is a real object: rustc's (fixtures),
# objcopy's .modinfo, and `as` for a symbol name holding control bytes.
. "$(dirname "$0")/lib.sh"
set -e
A=$FIXTURES/kdirA
"$RUSTVER" table --kdir "$A" -o "$WORK/A.txt"
ESC=$'\033'
rel=7.3.0-rustver-output
mod=$WORK/root/lib/modules/$rel
mkdir -p "$mod/extra"
# a module built against tree B (fails against A), named to forge lines
forged=$'x.ko: FAIL\nrv_evil.ko: pass (1 crate, 10 Rust imports)\n'"modules: 9 modules: 9 pass, 0 fail, 0 errors, 0 without Rust imports; 0 skipped"$'\nz'
cp "$FIXTURES/userB.o" "$mod/extra/$forged.ko"
cp "$FIXTURES/userB.o" "$mod/extra/hide$ESC[2K"$'\r'"ok.ko"
cp "$FIXTURES/userB.o" "$mod/extra/"$'\xff\xfe'"latin1.ko"
cp "$FIXTURES/userB.o" "$mod/extra/back\\x0aslash.ko"
: > "$mod/modules.order"
: > "$mod/modules.builtin"

# no raw control byte but the line ends; each module is one line
no_raw_controls() {
	! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$OUT"
}

run check --table "$WORK/A.txt" --all --no-index --basedir "$WORK/root" --kernel "$rel"
lines=$(grep -c '' "$OUT" || true)
if [ "$RC" = 1 ] && no_raw_controls && [ "$(grep -c ': FAIL (1 of 1 crate)$' "$OUT")" = 4 ] &&
	[ "$(grep -c 'skipped$' "$OUT")" = 1 ] && ! grep -q '^rv_evil.ko: pass' "$OUT" &&
	grep -q ': 4 modules: 0 pass, 4 fail' "$OUT"; then
	t_ok "check --all: a name with newlines, ESC and CR forges no line ($lines lines, 4 FAIL, one summary)"
else
	t_fail "check --all: a name with newlines, ESC and CR forges no line (exit $RC)"
fi
run check --table "$WORK/A.txt" --all --no-index --basedir "$WORK/root" --kernel "$rel"
expect 1 "the escapes name each file: \\x0a for a newline, \\x1b and \\x0d for ESC and CR, \\\\ for a backslash" \
	'x\.ko: FAIL\\x0arv_evil\.ko: pass' 'hide\\x1b\[2K\\x0dok\.ko: FAIL' \
	'\\xff\\xfelatin1\.ko: FAIL' 'back\\\\x0aslash\.ko: FAIL'

# --json: valid JSON (UTF-8) for every name, and the escape gives the bytes back
run check --table "$WORK/A.txt" --all --no-index --json --basedir "$WORK/root" --kernel "$rel"
python3 - "$OUT" "$mod/extra" <<'PY' && t_ok "check --all --json: one valid JSON object per module, names unescape to the files" ||
import json, os, re, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")                     # strict: well-formed UTF-8 or an exception
rows = [json.loads(l) for l in raw.splitlines()]
assert len(rows) == 4 and all(r["result"] == "fail" for r in rows), rows
def unescape(s):
    out = bytearray()
    for m in re.finditer(r'\\\\|\\x([0-9a-f]{2})|[^\\]+', s):
        t = m.group(0)
        out += b"\\" if t == "\\\\" else bytes([int(m.group(1), 16)]) if m.group(1) else t.encode()
    return bytes(out)
got = sorted(os.path.basename(unescape(r["module"])) for r in rows)
want = sorted(os.listdir(os.fsencode(sys.argv[2])))
assert got == want, (got, want)
PY
	t_fail "check --all --json: one valid JSON object per module, names unescape to the files"

# module-controlled strings: .modinfo values and a symbol's identifier
printf 'name=rv_out\0vermagic=7.3.0 %s[31mSMP\r\n mod_unload \0' "$ESC" > "$WORK/mi"
objcopy --add-section .modinfo="$WORK/mi" "$FIXTURES/user.o" "$WORK/vermagic.ko"
run show --table "$WORK/A.txt" "$WORK/vermagic.ko"
if no_raw_controls && grep -q '^vermagic:    7\.3\.0 \\x1b\[31mSMP\\x0d\\x0a mod_unload $' "$OUT"; then
	t_ok "show: a vermagic with ESC, CR and LF is escaped, one line"
else
	t_fail "show: a vermagic with ESC, CR and LF is escaped, one line"
fi
run show --json --table "$WORK/A.txt" "$WORK/vermagic.ko"
python3 -c 'import json,sys; d=json.loads(open(sys.argv[1],"rb").read().decode()); assert d["vermagic"] == "7.3.0 \\x1b[31mSMP\\x0d\\x0a mod_unload ", d["vermagic"]; assert d["verdict"]["result"] == "fail"' "$OUT" &&
	t_ok "show --json: one object, the vermagic escaped as in text" ||
	t_fail "show --json: one object, the vermagic escaped as in text"

# a weak import whose identifier holds ESC, CR, LF and 0xff, from a real crate:
# the engine refuses the name (not printable ASCII), and the refusal shows it
prefix=$(head -n 1 "$FIXTURES/mixed_syms.txt" | sed -E 's/^(_RNvCs[0-9A-Za-z]*_[0-9]+[a-z_]+)[0-9]+.*/\1/')
ident=$'a\033[2K\r\n\xffz'
sym="$prefix$(printf '%s' "$ident" | wc -c)$ident"
printf '.data\n.weak "%s"\n.quad "%s"\n' "$sym" "$sym" > "$WORK/weird.s"
if LC_ALL=C as --64 -o "$WORK/weird.o" "$WORK/weird.s" 2>"$OUT"; then
	run show --table "$WORK/A.txt" "$WORK/weird.o"
	if [ "$RC" = 2 ] && no_raw_controls && grep -qF 'symbol: byte outside printable ASCII' "$OUT" &&
		grep -qF "symbol ${prefix}9a\x1b[2K\x0d\x0a\xffz (at offset" "$OUT"; then
		t_ok "show: an imported symbol with ESC, CR, LF and 0xff is refused, and shown escaped"
	else
		t_fail "show: an imported symbol with ESC, CR, LF and 0xff is refused, and shown escaped"
	fi
	run check --json --table "$WORK/A.txt" "$WORK/weird.o"
	python3 -c 'import json,sys; d=json.loads(open(sys.argv[1],"rb").read().decode()); e=d["error"]; assert d["result"] == "error" and e["symbol"].endswith("9a\\x1b[2K\\x0d\\x0a\\xffz"), d' "$OUT" &&
		t_ok "check --json: the refused symbol is valid JSON, escaped as in text" ||
		t_fail "check --json: the refused symbol is valid JSON, escaped as in text"
	run symbols --json "$sym"
	# the first bad byte: ESC, after the prefix, the length "9" and "a"
	python3 -c 'import json,sys; d=json.loads(open(sys.argv[1],"rb").read().decode()); assert d["error"]["offset"] == int(sys.argv[2]) + 2 and d["symbol"].endswith("\\xffz"), d' "$OUT" "${#prefix}" &&
		t_ok "symbols --json: the symbol escaped, the error and its offset" ||
		t_fail "symbols --json: the symbol escaped, the error and its offset"
	run symbols "$sym" "${prefix}5apply"
	! tr -d '\t' < "$OUT" | LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' &&
		[ "$(grep -c '' "$OUT")" = 2 ] && grep -q $'^_R.*5apply\tkcrate\[' "$OUT" &&
		t_ok "symbols: one escaped line per symbol" || t_fail "symbols: one escaped line per symbol"
else
	t_fail "as assembles a weak symbol whose name holds control bytes"
fi

# messages (standard error) name files escaped too
run check --table "$WORK/A.txt" "$WORK/no"$'\n'"such.ko"
expect 2 "an error message names a file with a newline escaped, on one line" \
	'no\\x0asuch\.ko: cannot open'
[ "$(grep -c '' "$OUT")" = 1 ] && t_ok "that message is one line" || t_fail "that message is one line"

# table files and the C header: a kdir whose name holds a newline stays one line
mkdir -p "$WORK/k"$'\n'"# injected"
cp -r "$A"/. "$WORK/k"$'\n'"# injected/"
run table --kdir "$WORK/k"$'\n'"# injected" -o "$WORK/inj.txt" --c-header "$WORK/inj.h"
if [ "$RC" = 0 ] && grep -q '^# kdir: .*k\\x0a# injected$' "$WORK/inj.txt" &&
	! grep -q '^# injected' "$WORK/inj.txt" && grep -q 'k\\012# injected"' "$WORK/inj.h" &&
	printf 'struct rv_crate { const char *name; unsigned long long dis; unsigned int crc; };\n#include "inj.h"\n' > "$WORK/inj.c" &&
	gcc -fsyntax-only -Wall -Werror "$WORK/inj.c" 2>"$OUT"; then
	t_ok "table: a newline in the kdir is escaped in the table file and the C header (which still compiles)"
else
	t_fail "table: a newline in the kdir is escaped in the table file and the C header (which still compiles)"
fi
run table --kdir "$WORK/k"$'\n'"# injected" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["kdir"].endswith("k\\x0a# injected"), d["kdir"]; assert d["crates"][0]["name"]' "$OUT" &&
	t_ok "table --json: one vocabulary for a crate (name, disambiguator, crc)" ||
	t_fail "table --json: one vocabulary for a crate (name, disambiguator, crc)"
t_done
