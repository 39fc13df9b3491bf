#!/bin/bash
# Module trees as depmod and modprobe see them: a weak-updates symlink into
# another kernel's extra/ (as RHEL/SUSE weak-modules and DKMS install
# modules), dangling links and directory loops, depmod's skipping of build/
# and source/, and an alias that two modules share (modprobe inserts both).
# Every tree is indexed by the real depmod.
. "$(dirname "$0")/lib.sh"
set -e
case $RUSTVER in /*) ;; *) RUSTVER=$PWD/$RUSTVER ;; esac
"$RUSTVER" table --kdir "$FIXTURES/kdirA" -o "$WORK/A.txt"
cp "$FIXTURES/user.o" "$WORK/good.ko"
cp "$FIXTURES/userB.o" "$WORK/bad.ko"
"$RUSTVER" stamp --unverified --kdir "$FIXTURES/kdirA" "$WORK/good.ko" > /dev/null
"$RUSTVER" stamp --unverified --kdir "$FIXTURES/kdirB" "$WORK/bad.ko" > /dev/null

# modinfo NAME [ALIAS...]: a .modinfo section for objcopy
modinfo() {
	local n=$1 a
	shift
	printf 'name=%s\0' "$n" > "$WORK/mi"
	for a in "$@"; do printf 'alias=%s\0' "$a" >> "$WORK/mi"; done
}
# module SRC DEST NAME [ALIAS...]
module() {
	local src=$1 dst=$2
	shift 2
	mkdir -p "$(dirname "$dst")"
	modinfo "$@"
	objcopy --add-section .modinfo="$WORK/mi" "$src" "$dst"
}

root=$WORK/root
old=6.1.0-old
new=6.1.0-new
mkdir -p "$root/lib/modules/$old" "$root/lib/modules/$new/kernel"
root=$(cd "$root" && pwd -P) # as realpath() names link targets
# built for the old kernel (against another tree: it fails), installed there by DKMS
module "$WORK/bad.ko" "$root/lib/modules/$old/extra/rv_weak.ko" rv_weak
module "$FIXTURES/plain.o" "$root/lib/modules/$new/kernel/rv_plain.ko" rv_plain
# weak-modules links it into the new kernel's tree
mkdir -p "$root/lib/modules/$new/weak-updates"
ln -s "../../$old/extra/rv_weak.ko" "$root/lib/modules/$new/weak-updates/rv_weak.ko"
touch "$root/lib/modules/$new/modules.order" "$root/lib/modules/$new/modules.builtin"
depmod -b "$root" "$new" 2>/dev/null
grep -q '^weak-updates/rv_weak.ko:' "$root/lib/modules/$new/modules.dep" &&
	t_ok "depmod lists the weak-updates symlink in modules.dep" ||
	t_fail "depmod lists the weak-updates symlink in modules.dep"

run check --table "$WORK/A.txt" --all --basedir "$root" --kernel "$new"
expect 1 "check --all follows a weak-updates symlink and checks the linked module" \
	"weak-updates/rv_weak.ko -> $root/lib/modules/$old/extra/rv_weak.ko: FAIL" \
	'2 modules: 0 pass, 1 fail, 0 errors, 1 without Rust imports; 0 skipped$'
run check --table "$WORK/A.txt" --basedir "$root" --kernel "$new" rv_weak
expect 1 "the name of a weak-updates module resolves through modules.dep to the link" \
	"^rv_weak \\($root/lib/modules/$new/weak-updates/rv_weak.ko -> .*/extra/rv_weak.ko\\): FAIL"

# dangling links and loops are reported and counted, not fatal; build/ and
# source/ (links to the kernel's build tree) are not walked, as depmod does
ln -s "../../$old/extra/gone.ko" "$root/lib/modules/$new/weak-updates/gone.ko"
ln -s .. "$root/lib/modules/$new/weak-updates/loop"
ln -s self.ko "$root/lib/modules/$new/weak-updates/self.ko"
mkdir -p "$WORK/buildtree"
cp "$WORK/bad.ko" "$WORK/buildtree/not-installed.ko"
ln -s "$WORK/buildtree" "$root/lib/modules/$new/build"
ln -s "$WORK/buildtree" "$root/lib/modules/$new/source"
depmod -b "$root" "$new" 2>/dev/null || true
run check --table "$WORK/A.txt" --all --basedir "$root" --kernel "$new"
expect 1 "dangling links and loops are skipped with a reason, the rest is checked" \
	'weak-updates/gone.ko: dangling symlink to ../../6.1.0-old/extra/gone.ko, skipped' \
	'weak-updates/loop: symlink loop' 'weak-updates/self.ko: symlink loop, skipped' \
	'rv_weak.ko: FAIL' \
	'2 modules: 0 pass, 1 fail, 0 errors, 1 without Rust imports; [0-9]+ skipped \(1 dangling symlink, 2 symlink loops'
# kmod 30's depmod (bookworm) takes no path through the loop; kmod 34's
# (trixie) descends into weak-updates/loop as far as PATH_MAX, and its
# modules.dep names the modules by the deepest path: either way each is
# judged once
[ "$(grep -c 'rv_weak.ko: FAIL' "$OUT")" = 1 ] && t_ok "... each module judged once, whatever depmod's version" ||
	t_fail "... each module judged once, whatever depmod's version"
grep -q not-installed "$OUT" && t_fail "build/ and source/ are not walked, as depmod does" ||
	t_ok "build/ and source/ are not walked, as depmod does"

# the same output, messages and exit status whatever the number of workers
for j in 1 3 8; do
	rc=0
	"$RUSTVER" check --table "$WORK/A.txt" --all --basedir "$root" --kernel "$new" --jobs $j \
		>"$WORK/jobs$j.out" 2>"$WORK/jobs$j.err" || rc=$?
	echo "exit $rc" >>"$WORK/jobs$j.out"
done
if cmp -s "$WORK/jobs1.out" "$WORK/jobs3.out" && cmp -s "$WORK/jobs1.out" "$WORK/jobs8.out" &&
	cmp -s "$WORK/jobs1.err" "$WORK/jobs3.err" && cmp -s "$WORK/jobs1.err" "$WORK/jobs8.err"; then
	t_ok "check --all --jobs 1, 3 and 8 print the same, in the same order"
else
	diff "$WORK/jobs1.out" "$WORK/jobs8.out" >"$OUT" 2>&1
	t_fail "check --all --jobs 1, 3 and 8 print the same, in the same order"
fi
run check --table "$WORK/A.txt" --all --basedir "$root" --kernel "$new" --jobs 0
expect 2 "--jobs 0 is refused" '--jobs 0: expected a number from 1 to 256'

# one alias, two modules (two PHY drivers claiming the same mdio: id); one fails
rel=6.1.0-alias
mod=$root/lib/modules/$rel
alias=mdio:00000000001110011000100000100001
module "$WORK/good.ko" "$mod/kernel/drivers/net/phy/rv_phy_a.ko" rv_phy_a "$alias"
module "$WORK/bad.ko" "$mod/updates/rv_phy_b.ko" rv_phy_b "$alias"
xz --check=crc32 "$mod/updates/rv_phy_b.ko"
touch "$mod/modules.order" "$mod/modules.builtin"
depmod -b "$root" "$rel" 2>/dev/null
[ "$(grep -c "^alias $alias " "$mod/modules.alias")" = 2 ] &&
	t_ok "depmod lists both modules under the shared alias" ||
	t_fail "depmod lists both modules under the shared alias"
run check --table "$WORK/A.txt" --basedir "$root" --kernel "$rel" "$alias"
expect 1 "an alias shared by two modules checks both, each line naming its file" \
	"^$alias \\($mod/kernel/drivers/net/phy/rv_phy_a.ko\\): pass" \
	"^$alias \\($mod/updates/rv_phy_b.ko.xz\\): FAIL"
[ "$(grep -c "^$alias (" "$OUT")" = 2 ] && t_ok "exactly two verdict lines for the alias" ||
	t_fail "exactly two verdict lines for the alias"
run show --basedir "$root" --kernel "$rel" "$alias"
expect 0 "show on a shared alias shows both modules" '^name: +rv_phy_a$' '^name: +rv_phy_b$'

# a path given that is a symlink names its target too
ln -s "$root/lib/modules/$old/extra/rv_weak.ko" "$WORK/link.ko"
run check --table "$WORK/A.txt" "$WORK/link.ko"
expect 1 "a symlink given as a path is followed, and the line names both" \
	"^$WORK/link.ko -> $root/lib/modules/$old/extra/rv_weak.ko: FAIL"

# arguments are files or names by kmod's rule
cp "$WORK/good.ko" "$WORK/rv_phy_a.ko"
(cd "$WORK" && "$RUSTVER" check --table A.txt --basedir "$root" --kernel "$rel" rv_phy_a.ko) > "$OUT" 2>&1 && RC=0 || RC=$?
expect 0 "an existing file with a module extension is a file, as modprobe takes it" '^rv_phy_a.ko: pass'
run check --table "$WORK/A.txt" --basedir "$root" --kernel "$rel" rv_phy_a
expect 0 "a module name is looked up in the tree" "^rv_phy_a \\($mod/kernel/drivers/net/phy/rv_phy_a.ko\\): pass"
cp "$WORK/good.ko" "$WORK/notamodule.o"
(cd "$WORK" && "$RUSTVER" check --table A.txt --basedir "$root" --kernel "$rel" notamodule.o) > "$OUT" 2>&1 && RC=0 || RC=$?
expect 2 "a file without a module extension is a name, and the message says why" \
	"notamodule.o: no module of that name .* not taken for a module.*write ./notamodule.o"
# a module extension on something that is not a regular file: a name too (kmod
# takes only regular files), and the message says what the file is
mkfifo "$WORK/fifo.ko"
mkdir "$WORK/dir.ko"
(cd "$WORK" && "$RUSTVER" check --table A.txt --basedir "$root" --kernel "$rel" fifo.ko dir.ko) > "$OUT" 2>&1 && RC=0 || RC=$?
expect 2 "a FIFO or a directory named *.ko: a name, and the message says it is not a regular file" \
	"fifo.ko: no module of that name .*; the file of that name is a FIFO, so it is not taken for a module \(kmod takes only regular files\)" \
	"dir.ko: no module of that name .*; the file of that name is a directory, so"

# the set modprobe loads is modules.dep's: depmod.d "external" directories
# (absolute paths in modules.dep; kmod's test-depmod/search-order-external-*),
# "search" priority (updates/ over kernel/: the other one is shadowed), a
# file added since depmod ran; and a name built into the kernel
dr=6.1.0-depmod
dm=$root/lib/modules/$dr
ext=$WORK/ext-modules
mkdir -p "$root/etc/depmod.d" "$ext"
module "$WORK/bad.ko" "$ext/rv_ext.ko" rv_ext
module "$WORK/good.ko" "$dm/updates/rv_dup.ko" rv_dup
module "$WORK/bad.ko" "$dm/kernel/drivers/rv_dup.ko" rv_dup
module "$FIXTURES/plain.o" "$dm/kernel/drivers/rv_c.ko" rv_c
printf 'search updates external built-in\nexternal %s %s\n' "$dr" "$ext" >"$root/etc/depmod.d/rv.conf"
printf 'kernel/fs/rv_builtin.ko\n' >"$dm/modules.builtin"
: >"$dm/modules.order"
depmod -b "$root" -C "$root/etc/depmod.d" "$dr" 2>/dev/null
module "$WORK/bad.ko" "$dm/extra/rv_late.ko" rv_late # after depmod ran
if grep -q "^$ext/rv_ext.ko:" "$dm/modules.dep" && grep -q '^updates/rv_dup.ko:' "$dm/modules.dep" &&
	! grep -q 'kernel/drivers/rv_dup.ko' "$dm/modules.dep"; then
	t_ok "depmod indexes the external directory and updates/ over kernel/"
else
	cp "$dm/modules.dep" "$OUT"
	t_fail "depmod indexes the external directory and updates/ over kernel/"
fi
run check --table "$WORK/A.txt" --all --no-index --basedir "$root" --kernel "$dr"
expect 1 "--all checks what modules.dep lists: the external module too, each once" \
	"^$ext/rv_ext.ko: FAIL" "^$dm/updates/rv_dup.ko: pass" \
	"kernel/drivers/rv_dup.ko: skipped: depmod indexes another rv_dup" \
	"extra/rv_late.ko: skipped: not in modules.dep" \
	'3 modules: 1 pass, 1 fail, 0 errors, 1 without Rust imports; 2 skipped \(1 shadowed by depmod.s search order, 1 not in modules.dep\); 1 from depmod.s external directories'
if grep -q 'rv_dup.ko: FAIL' "$OUT" || grep -q 'rv_late.ko: FAIL' "$OUT"; then
	t_fail "--all judges no module that modprobe does not load"
else
	t_ok "--all judges no module that modprobe does not load"
fi
if modprobe -d "$root" -S "$dr" --show-depends rv_builtin >/dev/null 2>&1; then
	run check --table "$WORK/A.txt" --basedir "$root" --kernel "$dr" rv_builtin rv_c
	expect 0 "a built-in module among others: reported as built in, exit 0 as modprobe" \
		'^rv_builtin: built into the kernel: no module file to load or check' '^rv_c \(.*\): pass'
	run check --json --table "$WORK/A.txt" --basedir "$root" --kernel "$dr" rv_builtin
	expect 0 "... and in JSON" '^\{"module": "rv_builtin", "result": "builtin"\}$'
	run show --basedir "$root" --kernel "$dr" rv_builtin
	expect 0 "show on a built-in module says so, exit 0" 'rv_builtin: built into the kernel'
else
	t_fail "modprobe --show-depends takes the built-in module (exit 0)"
fi

# a C module whose dependency would be refused: modprobe loads the dependency
# first and fails, so the C module does not load either (the outside case: a
# GPU driver needs drm.ko, which has Rust imports). gcc makes both: the
# dependency exports rv_dep_fn (__ksymtab_strings, as depmod reads exports)
# and holds tree B's Rust imports (ld -r with userB.o); the user calls it.
printf 'int rv_dep_fn(void) { return 1; }\n__attribute__((section("__ksymtab_strings"), used)) static const char s[] = "rv_dep_fn";\n' >"$WORK/dep.c"
printf 'extern int rv_dep_fn(void);\nint rv_user_fn(void) { return rv_dep_fn(); }\n' >"$WORK/user.c"
gcc -O2 -c "$WORK/dep.c" -o "$WORK/dep.o" && gcc -O2 -c "$WORK/user.c" -o "$WORK/cuser.o"
ld -r "$WORK/dep.o" "$WORK/bad.ko" -o "$WORK/depR.o"
module "$WORK/depR.o" "$dm/extra/rv_needed.ko" rv_needed
module "$WORK/cuser.o" "$dm/extra/rv_needs.ko" rv_needs
rm -f "$dm/extra/rv_late.ko"
depmod -b "$root" -C "$root/etc/depmod.d" "$dr" 2>/dev/null
if grep -q '^extra/rv_needs.ko: extra/rv_needed.ko$' "$dm/modules.dep"; then
	run check --table "$WORK/A.txt" --basedir "$root" --kernel "$dr" rv_needs
	expect 1 "a C module whose dependency would be refused fails, naming it" \
		'^rv_needs \(.*rv_needs.ko\): FAIL \(modprobe loads its dependency rv_needed first' \
		'dependency .*rv_needed.ko: FAIL \(1 of 1 crate\)' 'fix: make rv_needed load first'
	run check --json --table "$WORK/A.txt" --basedir "$root" --kernel "$dr" rv_needs
	expect 1 "... and in JSON" '"result": "fail", "dependency": \{"module": "rv_needed", "file": ".*rv_needed.ko", "result": "fail"\}'
	run check --table "$WORK/A.txt" --basedir "$root" --kernel "$dr" rv_c
	expect 0 "a C module without a failing dependency passes" '^rv_c \(.*\): pass \(no Rust imports\)'
	run check --table "$WORK/A.txt" --all --index "$WORK/dep.idx" --basedir "$root" --kernel "$dr"
	expect 1 "--all: the C module whose dependency would be refused is listed, and fails" \
		"^$dm/extra/rv_needs.ko: FAIL \\(modprobe loads its dependency rv_needed first" \
		"^$dm/extra/rv_needed.ko: FAIL" ' 5 modules: 1 pass, 3 fail, 0 errors, 1 without Rust imports'
	cp "$OUT" "$WORK/dep-all.out"
	run check --table "$WORK/A.txt" --all --index "$WORK/dep.idx" --basedir "$root" --kernel "$dr"
	cmp -s "$OUT" "$WORK/dep-all.out" && t_ok "... the same from the index" ||
		{ diff "$WORK/dep-all.out" "$OUT" >"$OUT.d" || true; mv "$OUT.d" "$OUT"; t_fail "... the same from the index"; }
else
	cp "$dm/modules.dep" "$OUT"
	t_fail "depmod finds that rv_needs needs rv_needed (its export)"
fi
t_done
