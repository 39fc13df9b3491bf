#!/bin/bash
# rustver symbols: crate roots of v0 names, checked against binutils' c++filt.
. "$(dirname "$0")/lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)

set +e
python3 "$here/oracle.py" "$RUSTVER" "$FIXTURES/symbols.txt" > "$OUT" 2>&1
rc=$?
set -e
n=$(sed -n 's/^oracle: \([0-9]*\) symbols.*/\1/p' "$OUT")
[ "$rc" = 0 ] && [ "${n:-0}" -ge 30 ] &&
	t_ok "c++filt agrees on the crates of all $n symbols of the rustc-built test crates" ||
	t_fail "c++filt agrees on the crates of the symbols of the rustc-built test crates"

sym=$(grep -m1 '^_RNvXs0_' "$FIXTURES/symbols.txt")
run symbols "$sym"
expect 0 "the defining crate of an impl path comes first" \
	$'\tkcrate\\[[0-9a-f]+\\] core\\[[0-9a-f]+\\]$'
sym=$(grep -m1 'with_flag' "$FIXTURES/symbols.txt")
run symbols --origins "$sym"
expect 0 "the instantiating crate is reported with its origin" 'user\[[0-9a-f]+\]\{inst\}'

printf '%s\n' "$(head -n 3 "$FIXTURES/symbols.txt")" > "$WORK/in"
run symbols < "$WORK/in"
[ "$RC" = 0 ] && [ "$(grep -c $'\t' "$OUT")" = 3 ] && t_ok "symbols reads standard input" ||
	t_fail "symbols reads standard input"

run symbols _ZN4core3fmt5write17h0123456789abcdefE "$(head -n1 "$FIXTURES/symbols.txt")" _RNvB0_3foo
expect 1 "a symbol that is not v0 gets an error line and exit 1" \
	$'^_ZN4core3fmt5write17h0123456789abcdefE\terror: not a Rust v0 symbol' \
	$'^_RNvB0_3foo\terror: backref' $'^_R[^\t]*\t[a-z_]+\\['
run symbols --help
expect 0 "symbols --help" '^Usage: rustver symbols'
t_done
