#!/bin/bash
# Debian's own Rust-enabled kernel (7.3, trixie-backports): every Rust symbol
# of its System.map against c++filt, `rustver show` on its Rust modules, and
# `rustver check --all` over its whole module tree. Fetched into the cache by
# selftests/scripts/debian-kernel.sh.
. "$(dirname "$0")/lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)

if ! vars=$("$here/../../selftests/scripts/debian-kernel.sh" 2>"$OUT") || ! eval "$vars" ||
   [ -z "${DEBIAN_MODDIR:-}" ]; then
	t_fail "fetch Debian's 7.3 kernel packages"
	t_done
	exit
fi
t_ok "fetched Debian's kernel $DEBIAN_RELEASE"

if [ -n "${DEBIAN_SYSTEM_MAP:-}" ] && [ -s "$DEBIAN_SYSTEM_MAP" ]; then
	set +e
	python3 "$here/oracle.py" "$RUSTVER" "$DEBIAN_SYSTEM_MAP" > "$OUT" 2>&1
	rc=$?
	set -e
	n=$(sed -n 's/^oracle: \([0-9]*\) symbols.*/\1/p' "$OUT")
	[ "$rc" = 0 ] && [ "${n:-0}" -ge 2000 ] &&
		t_ok "c++filt agrees on the crates of all $n Rust symbols of Debian's $DEBIAN_RELEASE" ||
		t_fail "c++filt agrees on the crates of every Rust symbol of Debian's System.map"
else
	t_fail "Debian's System.map is available"
fi

mods=$DEBIAN_MODDIR/lib/modules/$DEBIAN_RELEASE/kernel
for m in drivers/gpu/drm/drm.ko.xz drivers/net/phy/qt2025.ko.xz drivers/net/phy/ax88796b_rust.ko.xz; do
	f=$mods/$m
	run show "$f"
	# independent view: the crate roots c++filt finds in the undefined _R symbols
	xz -dc "$f" > "$WORK/m.ko"
	want=$(nm -u "$WORK/m.ko" | awk '$2 ~ /^_R/ { print $2 }' | c++filt |
	       grep -oE '[A-Za-z0-9_]+\[[0-9a-f]+\]' | sort -u)
	ok=1
	[ "$RC" = 0 ] && grep -q '^file: *xz, signed' "$OUT" || ok=0
	[ -n "$want" ] || ok=0
	for c in $want; do
		grep -qE "^  $(printf '%s' "$c" | sed 's/[][]/\\&/g') +[0-9]+ import" "$OUT" || ok=0
	done
	[ $ok = 1 ] && t_ok "show lists the Rust crates of Debian's $(basename "$m"): $(echo $want)" ||
		t_fail "show lists the Rust crates of Debian's $(basename "$m")"
done

# Debian ships no .rmeta, so a table of its crates with made-up CRCs: the
# in-tree unstamped modules must pass, and every module must be read.
"$RUSTVER" show "$mods/drivers/net/phy/qt2025.ko.xz" |
	awk '/^  [a-z_]+\[[0-9a-f]+\] / { print $1 " 0x00000000" }' > "$WORK/debian.txt"
run check --table "$WORK/debian.txt" --all --basedir "$DEBIAN_MODDIR" --kernel "$DEBIAN_RELEASE"
expect 0 "check --all reads every module of Debian's tree; in-tree Rust modules pass" \
	'qt2025.ko.xz: pass \(in-tree, not stamped' ' 0 errors'

# The verdict's fast path on Debian's own exports: a tree of Debian's Module.symvers and
# made-up .rmeta files (so made-up CRCs) gives a table with its 2,500 exported Rust
# symbols; every module's verdict is the same with them as without (every import walked).
if [ -n "${DEBIAN_SYMVERS:-}" ] && [ -s "$DEBIAN_SYMVERS" ]; then
	mkdir -p "$WORK/kd/rust"
	cp "$DEBIAN_SYMVERS" "$WORK/kd/Module.symvers"
	awk -F'\t' '$2 ~ /^_R/ { print $2 }' "$DEBIAN_SYMVERS" | "$RUSTVER" symbols 2>/dev/null |
		cut -f2 | tr ' ' '\n' | sed -n 's/^\([A-Za-z0-9_]*\)\[.*/\1/p' | sort -u |
		while read -r c; do printf 'rust made-up %s\n' "$c" > "$WORK/kd/rust/lib$c.rmeta"; done
	"$RUSTVER" table --quiet --kdir "$WORK/kd" -o "$WORK/dx.txt"
	grep -v '^# export:' "$WORK/dx.txt" > "$WORK/dn.txt"
	nexp=$(grep -c '^# export:' "$WORK/dx.txt" || true)
	set +e
	"$RUSTVER" check --json --no-index --table "$WORK/dx.txt" --all --basedir "$DEBIAN_MODDIR" \
		--kernel "$DEBIAN_RELEASE" > "$WORK/dx.json" 2> "$WORK/dx.err"
	a=$?
	"$RUSTVER" check --json --no-index --table "$WORK/dn.txt" --all --basedir "$DEBIAN_MODDIR" \
		--kernel "$DEBIAN_RELEASE" > "$WORK/dn.json" 2> "$WORK/dn.err"
	b=$?
	set -e
	if [ "${nexp:-0}" -ge 2000 ] && [ "$a" = "$b" ] && [ -s "$WORK/dx.json" ] &&
	   cmp -s "$WORK/dx.json" "$WORK/dn.json" && cmp -s "$WORK/dx.err" "$WORK/dn.err"; then
		t_ok "with Debian's $nexp exports as the fast path, every verdict of its tree is the walk's"
	else
		cat "$WORK/dx.err" > "$OUT"
		t_fail "with Debian's exports as the fast path, every verdict of its tree is the walk's"
	fi
else
	t_fail "Debian's Module.symvers is available"
fi
t_done
