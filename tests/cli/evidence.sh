#!/bin/bash
# rustver stamp takes its CRCs from Kbuild's records of the .rmeta files rustc
# read, not from the tree a user names: real Rust modules built by Kbuild against
# kernel A and tree B (the selftests' trees, built in their trixie chroot, whose
# paths the records name: /build/... inside, mapped with --prefix-map), the make
# fragment scripts/rustver.mk (evidence by content: rustc's SHA-256 of each
# .rmeta, kept by scripts/rustver-rustc; plain Kbuild builds: by file times),
# and --tree on kernel A's in-tree Rust sample.
# Needs root (the chroot); cold, the trees are built first (selftests/scripts).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
RUSTVER=$(realpath "$RUSTVER")
if [ "$(id -u)" -ne 0 ]; then
	t_fail "needs root: the modules are built in the selftests' trixie chroot"
	t_done
	exit 1
fi
. "$top/selftests/scripts/lib.sh"
cache_lock build
env_of "$top/selftests/scripts/kernels.sh"
MAP=(--prefix-map "/build=$CHROOT/build")

# mod NAME TREE: a copy of rustver_test_hello built against tree TREE (a|b)
mod() {
	local d=$WORK/$1
	mkdir -p "$d"
	cp "$top/selftests/modules/rustver_test_hello.rs" "$d/"
	echo 'obj-m := rustver_test_hello.o' >"$d/Kbuild"
	"$top/selftests/scripts/build-module.sh" "$2" "$d" >"$d.log" 2>&1 ||
		{ cp "$d.log" "$OUT"; t_fail "building $1 against tree $2"; return 1; }
}
mod a a && mod b b || { t_done; exit 1; }
A=$WORK/a/rustver_test_hello.ko
B=$WORK/b/rustver_test_hello.ko

run stamp "$A"
expect 2 "records name chroot paths: refused, pointing at --prefix-map" \
	'/build/linux-a/rust/lib.*\.rmeta, which rustc read for .* is not here' '--prefix-map RECORDED=HERE'
run stamp "${MAP[@]}" "$A"
expect 2 "compiled by plain rustc (no checksums): refused without --by-times, the ways on named" \
	'rustver_test_hello.o was compiled by plain rustc: nothing shows by content which .rmeta files it read' \
	'rustver.mk or dkms-make' '--by-times' '--unverified'
MAP+=(--by-times)
run stamp "${MAP[@]}" "$A"
expect 0 "--by-times: stamped from its build records, no --kdir needed, said to be by file times" \
	"stamped 2 crates from its build records \(by file times\) against $KDIR_A: core\[[0-9a-f]+\]=0x[0-9a-f]{8} kernel\[" \
	'evidence by file times \(--by-times\), which a copy or a touch can fool'

run show --kdir "$KDIR_A" "$A"
expect 0 "show says the stamp is evidence" 'stamp: .*from the build records \(evidence\)'
run check --kdir "$KDIR_A" "$A"
expect 0 "... and it passes against kernel A" 'pass'

run stamp "${MAP[@]}" --kdir "$KDIR_A" "$B"
expect 2 "built against B, stamped with --kdir A: refused naming both trees" \
	"built against $KDIR_B \(its build records\), not $KDIR_A: crate kernel\[[0-9a-f]+\] is 0x[0-9a-f]{8} in the first, 0x[0-9a-f]{8} in the second"
run stamp "${MAP[@]}" "$B"
expect 0 "stamped from its records: tree B's CRCs" "against $KDIR_B"
run check --kdir "$KDIR_A" "$B"
expect 1 "... so checking it against kernel A fails" 'FAIL' 'crate kernel\[[0-9a-f]+\]: built against 0x'

touch -d '2000-01-01' "$WORK/a/rustver_test_hello.o"
run stamp "${MAP[@]}" "$A"
expect 2 "an .rmeta newer than the object that read it: refused" \
	'rust/lib[a-z_]+\.rmeta changed after .*rustver_test_hello.o was compiled against it'
touch "$WORK/a/rustver_test_hello.o"
rm "$WORK/a/rustver_test_hello.mod"
run stamp "${MAP[@]}" "$A"
expect 2 "without M.mod there is no evidence: refused, --unverified named" 'no build records beside it' '--unverified'

# content_cases DIR: evidence by content, for the module rustver.mk built in
# DIR with rustver-rustc as Kbuild's RUSTC. The tree is a copy of kernel A
# whose rust/*.rmeta are new files (cp: newer than the module's object, as
# after a tar or cp -a of the trees in another order), the rest symlinks.
content_cases() {
	local d=$1 ka=$WORK/ka rec=$1/.rustver_test_hello.o.rmeta-sha256 f sum
	local cmap=(--prefix-map "/build/linux-a=$WORK/ka" --prefix-map "/build=$CHROOT/build")
	sum=$(sha256sum <"$KDIR_A/rust/libkernel.rmeta" | cut -d' ' -f1)
	{ echo "$rec:"; cat "$rec"; } >"$OUT" 2>&1
	grep -qx "# checksum:sha256=$sum file_len:$(stat -c %s "$KDIR_A/rust/libkernel.rmeta") /build/linux-a/rust/libkernel.rmeta" "$rec" &&
		t_ok "rustver-rustc kept rustc's SHA-256 and length of every .rmeta the object read ($(wc -l <"$rec") files)" ||
		t_fail "rustver-rustc kept rustc's SHA-256 and length of libkernel.rmeta in $rec"

	mkdir -p "$ka/rust"
	for f in "$KDIR_A"/* "$KDIR_A"/.config; do
		[ "${f##*/}" = rust ] || ln -s "$f" "$ka/"
	done
	for f in "$KDIR_A"/rust/*; do
		case $f in
		*.rmeta) cp "$f" "$ka/rust/" ;;
		*) ln -s "$f" "$ka/rust/" ;;
		esac
	done
	touch -d '2000-01-01' "$d/rustver_test_hello.o"
	run stamp "${cmap[@]}" "$d/rustver_test_hello.ko"
	expect 0 "by content: the same .rmeta bytes, newer than the object (a copied tree), stamp" \
		"stamped 2 crates from its build records against $ka: core"
	if grep -q 'file times' "$OUT"; then
		t_fail "by content: no warning about file times"
	else
		t_ok "by content: no warning about file times"
	fi
	mod plain a || return
	touch -d '2000-01-01' "$WORK/plain/rustver_test_hello.o"
	run stamp "${cmap[@]}" --by-times "$WORK/plain/rustver_test_hello.ko"
	expect 2 "by times (plain rustc, --by-times): the same copied tree is refused, and the warning says why" \
		'compiled by plain rustc: evidence by file times' \
		'rust/lib[a-z_]+\.rmeta changed after .*rustver_test_hello.o was compiled against it'

	cp -r "$d" "$WORK/mk-copy"
	run stamp "${cmap[@]}" "$WORK/mk-copy/rustver_test_hello.ko"
	expect 0 "by content: a cp -r of the module's build directory stamps" \
		"stamped 2 crates from its build records against $ka"

	cp "$KDIR_B/rust/libkernel.rmeta" "$ka/rust/libkernel.rmeta"
	touch -d '2000-01-01' "$ka/rust/libkernel.rmeta"
	touch "$d/rustver_test_hello.o"
	run stamp "${cmap[@]}" "$d/rustver_test_hello.ko"
	expect 2 "by content: tree B's libkernel.rmeta in its place, older than the touched object: refused" \
		"$ka/rust/libkernel.rmeta is not the file .*rustver_test_hello.o was compiled against \(rustc recorded another SHA-256 or length"

	sed -i 's/^# checksum:sha256=[0-9a-f]* \(file_len:[0-9]* \/build\/linux-a\/rust\/libkernel.rmeta\)$/# \1/' \
		"$WORK/mk-copy/.rustver_test_hello.o.rmeta-sha256"
	run stamp "${cmap[@]}" "$WORK/mk-copy/rustver_test_hello.ko"
	expect 2 "by content: a record without libkernel.rmeta's checksum is refused, not taken by times" \
		'names /build/linux-a/rust/libkernel.rmeta, but .*rmeta-sha256 has no checksum of it'

	# one file named twice (another spelling of its path): hashed once when
	# the record agrees with itself, refused when it gives two checksums
	local dup=$WORK/mk-dup cmd rec2 line kmeta=/build/linux-a/rust/libkernel.rmeta
	local omap=(--prefix-map "/build=$CHROOT/build")
	cp -r "$d" "$dup"
	cmd=$dup/.rustver_test_hello.o.cmd rec2=$dup/.rustver_test_hello.o.rmeta-sha256
	if grep -q "^  $kmeta \\\\$" "$cmd"; then
		sed -i "s|^  $kmeta \\\\$|&\n  /build/linux-a/rust/../rust/libkernel.rmeta \\\\|" "$cmd"
		line=$(sed -n "s|^\(# checksum:sha256=[0-9a-f]* file_len:[0-9]*\) $kmeta$|\1 /build/linux-a/rust/../rust/libkernel.rmeta|p" "$rec2")
		echo "$line" >>"$rec2"
		run stamp "${omap[@]}" "$dup/rustver_test_hello.ko"
		expect 0 "one .rmeta named twice, the same checksum for both: stamped" \
			"stamped 2 crates from its build records against $KDIR_A"
		sed -i '$ s/sha256=[0-9a-f]\{64\}/sha256=0000000000000000000000000000000000000000000000000000000000000000/' "$rec2"
		run stamp "${omap[@]}" "$dup/rustver_test_hello.ko"
		expect 2 "one .rmeta named twice with two checksums: refused" \
			"rmeta-sha256: rustc's records give two SHA-256 or lengths for one file"
	else
		cp "$cmd" "$OUT"
		t_fail "the object's .cmd lists $kmeta on a line of its own"
	fi

	# three objects that read the same .rmeta files: one by file times (plain
	# rustc) first, then two by content; the second of those must find the
	# first one's checksums, not the by-times entry's empty ones
	local mix=$WORK/mk-mix o
	cp -r "$d" "$mix"
	for o in p1 c2; do
		cp "$mix/rustver_test_hello.o" "$mix/$o.o"
		cp "$mix/.rustver_test_hello.o.cmd" "$mix/.$o.o.cmd"
	done
	cp "$mix/.rustver_test_hello.o.rmeta-sha256" "$mix/.c2.o.rmeta-sha256"
	sed -i "s| [^ ]*/rustver-rustc | rustc |" "$mix/.p1.o.cmd"
	printf 'p1.o\nrustver_test_hello.o\nc2.o\n' >"$mix/rustver_test_hello.mod"
	run stamp "${omap[@]}" --by-times "$mix/rustver_test_hello.ko"
	expect 0 "an object by file times, then two by content reading the same .rmeta files: stamped" \
		"stamped 2 crates from its build records \(by file times\) against $KDIR_A" \
		'p1.o was compiled by plain rustc: evidence by file times'
}

# the make fragment: `include rustver.mk` is the one line a module Makefile needs
d=$WORK/mk
mkdir -p "$d"
cp "$top/selftests/modules/rustver_test_hello.rs" "$d/"
printf 'obj-m := rustver_test_hello.o\ninclude %s/scripts/rustver.mk\n' "$top" >"$d/Makefile"
cp "$RUSTVER" "$d/rustver"
if "$top/selftests/scripts/chroot.sh" run --bind "$d" --bind "$top/scripts" \
	make -C "$d" KDIR=/build/linux-a LLVM=1 RUSTVER="$d/rustver" >"$OUT" 2>&1; then
	# the chroot sees /build as it is: no prefix map needed inside it
	run show --kdir "$KDIR_A" "$d/rustver_test_hello.ko"
	expect 0 "make with rustver.mk builds and stamps the module from its records" \
		'stamp: +2 crates, version 3, from the build records'
	content_cases "$d"
else
	t_fail "make with rustver.mk in the chroot"
fi

# --tree: every Rust module of kernel A's build tree (its in-tree sample),
# which kernels.sh builds with plain rustc
run stamp --tree "$KDIR_A" --prefix-map "/build=$CHROOT/build"
expect 2 "--tree on a tree built by plain rustc: refused without --by-times" \
	'rust_minimal.o was compiled by plain rustc' "--tree $KDIR_A: [0-9]+ modules?, [0-9]+ without Rust imports, [1-9][0-9]* refused"
run stamp --tree "$KDIR_A" "${MAP[@]}"
expect 0 "--tree stamps the tree's in-tree Rust modules" \
	'samples/rust/rust_minimal.ko: (re-)?stamped [0-9]+ crates? from its build records' \
	"--tree $KDIR_A: [0-9]+ modules?, [0-9]+ without Rust imports, 0 refused"
run show --kdir "$KDIR_A" "$KDIR_A/samples/rust/rust_minimal.ko"
expect 0 "... and the in-tree module carries the stamp" 'stamp: .* from the build records'
# Without a table, check uses the running kernel's (/sys/kernel/rustver/crates)
# only when its build ID is the one in /sys/kernel/notes: A and B are built with
# the same KBUILD_BUILD_* values, so release and UTS version cannot tell them apart.
uts() { sed -n 's/^#define UTS_VERSION "\(.*\)"$/\1/p' "$1/include/generated/utsversion.h"; }
if [ -n "$(uts "$KDIR_A")" ] && [ "$(uts "$KDIR_A")" = "$(uts "$KDIR_B")" ] &&
	cmp -s "$KDIR_A/include/config/kernel.release" "$KDIR_B/include/config/kernel.release"; then
	t_ok "kernel A and tree B have the same release and UTS version ($(uts "$KDIR_A"))"
else
	echo "A: $(uts "$KDIR_A"), B: $(uts "$KDIR_B")" >"$OUT"
	t_fail "kernel A and tree B have the same release and UTS version"
fi
fs=$WORK/fs
mkdir -p "$fs/sys/kernel/rustver"
objcopy -O binary --only-section=.notes "$KDIR_A/vmlinux" "$fs/sys/kernel/notes"
"$RUSTVER" table --kdir "$KDIR_A" -o "$fs/sys/kernel/rustver/crates" 2>/dev/null
export RUSTVER_SYSFS_ROOT=$fs
run check "$A"
expect 0 "check without a table: kernel A's table with kernel A's build ID is used" 'pass'
"$RUSTVER" table --kdir "$KDIR_B" -o "$fs/sys/kernel/rustver/crates" 2>/dev/null
run check "$A"
expect 2 "tree B's table on kernel A (same uname -rv): refused, both build IDs named" \
	"crates is not the running kernel's table: it was made for the build with ID [0-9a-f]{40}, and this kernel's build ID is [0-9a-f]{40}"
unset RUSTVER_SYSFS_ROOT

run stamp --tree "$KDIR_B" "${MAP[@]}" --kdir "$KDIR_A"
expect 2 "--tree takes no --kdir" '--tree KDIR takes no MODULE, --kdir'

# rustver-rustc itself: never a loop, and the kernel's own crates unchanged
w=$WORK/wrap
mkdir -p "$w"
echo 'pub fn f() -> u32 { 1 }' >"$w/t.rs"
wrc=0
RUSTVER_REAL_RUSTC="$top/scripts/rustver-rustc" timeout 20 "$top/scripts/rustver-rustc" --version >"$OUT" 2>&1 || wrc=$?
[ "$wrc" = 2 ] && grep -q 'RUSTVER_REAL_RUSTC (.*) is rustver-rustc itself' "$OUT" &&
	t_ok "RUSTVER_REAL_RUSTC naming rustver-rustc: exit 2 with the reason, no loop" ||
	t_fail "RUSTVER_REAL_RUSTC naming rustver-rustc: exit 2 with the reason, no loop (exit $wrc)"
rc_args="--edition=2021 --crate-type=rlib --crate-name=t"
if "$top/selftests/scripts/chroot.sh" run --bind "$w" --bind "$top/scripts" env RUSTC_BOOTSTRAP=1 sh -ec "
	cd $w
	rustc $rc_args --emit=dep-info=.p.d,metadata=p.rmeta t.rs
	$top/scripts/rustver-rustc $rc_args --emit=dep-info=.w.d --emit=metadata=w.rmeta t.rs
	rustc $rc_args -Zchecksum-hash-algorithm=sha256 --emit=dep-info=.c.d --emit=metadata=c.rmeta t.rs
	" >"$OUT" 2>&1; then
	cmp "$w/p.rmeta" "$w/w.rmeta" >>"$OUT" 2>&1 && ! [ -e "$w/.w.rmeta-sha256" ] &&
		t_ok "a crate's .rmeta through rustver-rustc is byte for byte plain rustc's (no record)" ||
		t_fail "a crate's .rmeta through rustver-rustc is byte for byte plain rustc's (no record)"
	cmp -s "$w/p.rmeta" "$w/c.rmeta" &&
		t_fail "the checksum option changes an .rmeta (else the case above proves nothing)" ||
		t_ok "the checksum option changes an .rmeta (else the case above proves nothing)"
else
	t_fail "compiling a small crate in the chroot"
fi
t_done
