#!/bin/bash
# rustver check: the loader's own checks before the Rust crates' (loader.c),
# first the vermagic as check_modinfo() and same_magic() compare it: the
# target's from vmlinux (a real object with kernel/module/main.c's
# "static const char vermagic[]"), from a table file, from the in-tree
# modules of a module tree; modversions' rule (the release ignored when the
# kernel has CONFIG_MODVERSIONS and the module __versions); a module without
# vermagic and CONFIG_MODULE_FORCE_LOAD; a target that says nothing is
# reported as not checked; check --all and its index keep it.
. "$(dirname "$0")/lib.sh"
set -e
rel=7.3.0-rustver-test-A

# kdir: the fixture tree A with a vmlinux whose vermagic is VERMAGIC
kdir_with() {
	local d=$WORK/$1
	rm -rf "$d" && cp -r "$FIXTURES/kdirA" "$d"
	mkdir -p "$d/include/config"
	echo "$rel" > "$d/include/config/kernel.release"
	# as kernel/module/main.c has it; V's padded to 64 bytes, as clang lays it out
	printf 'static const char vermagic[%s] __attribute__((used)) = "%s";\n' \
		"$([ "$1" = V ] && echo 64)" "$2" > "$WORK/vm.c"
	cc -c -o "$d/vmlinux" "$WORK/vm.c"
	[ -z "${3:-}" ] || echo "$3" > "$d/.config"
}
# module NAME FROM VERMAGIC [versions]: FROM with a .modinfo naming VERMAGIC
# (none when empty) and, with "versions", an allocated __versions section
module() {
	local out=$WORK/m/$1.ko
	mkdir -p "$WORK/m"
	if [ -n "$3" ]; then
		printf 'name=%s\0vermagic=%s\0' "$1" "$3" > "$WORK/modinfo"
	else
		printf 'name=%s\0license=GPL\0' "$1" > "$WORK/modinfo"
	fi
	objcopy --add-section .modinfo="$WORK/modinfo" --set-section-flags .modinfo=alloc,contents \
		"$FIXTURES/$2" "$out"
	if [ "${4:-}" = versions ]; then
		head -c 64 /dev/zero > "$WORK/versions"
		objcopy --add-section __versions="$WORK/versions" \
			--set-section-flags __versions=alloc,contents "$out"
	fi
	"$RUSTVER" stamp --unverified --kdir "$FIXTURES/kdirA" "$out" > /dev/null 2>&1 || true
}

vm="$rel SMP mod_unload "
kdir_with V "$vm"
module same user.o "$vm"
module other user.o "7.3.1-other SMP mod_unload "
module preempt plain.o "$rel SMP preempt mod_unload "
module none plain.o ""

run check --kdir "$WORK/V" "$WORK/m/same.ko"
expect 0 "a module of the kernel's vermagic loads, its crates pass" 'same.ko: pass \(1 crate'
run check --kdir "$WORK/V" "$WORK/m/other.ko"
expect 1 "another release's vermagic: refused in the kernel's words, with the fix" \
	"other.ko: FAIL \(version magic '7.3.1-other SMP mod_unload ' should be '$rel SMP mod_unload '\)" \
	'fix: rebuild the module against the kernel.s build tree' \
	'    Rust crates: pass \(1 crate'
run check --kdir "$WORK/V" "$WORK/m/preempt.ko"
expect 1 "a C module of another configuration (preempt) is refused" \
	"preempt.ko: FAIL \(version magic '$rel SMP preempt mod_unload ' should be"
if grep -q 'Rust crates' "$OUT"; then
	t_fail "a C module's refusal says nothing of crates it does not have"
else
	t_ok "a C module's refusal says nothing of crates it does not have"
fi
run check --kdir "$WORK/V" "$WORK/m/none.ko"
expect 0 "no vermagic, the kernel's configuration unknown: not checked, and said why" \
	'none.ko: pass \(no Rust imports\)' \
	'warning: 1 module not fully checked: vermagic: the module has no vermagic, which the kernel refuses unless built with CONFIG_MODULE_FORCE_LOAD'
kdir_with F "$vm" "CONFIG_MODULE_FORCE_LOAD=y"
run check --kdir "$WORK/F" "$WORK/m/none.ko"
expect 0 "no vermagic on a kernel with CONFIG_MODULE_FORCE_LOAD: loads, forced" 'none.ko: pass'
kdir_with N "$vm" "# CONFIG_MODULE_FORCE_LOAD is not set"
run check --kdir "$WORK/N" "$WORK/m/none.ko"
expect 1 "no vermagic, CONFIG_MODULE_FORCE_LOAD not set: refused as try_to_force_load() does" \
	'none.ko: FAIL \(no vermagic: the kernel refuses it \(bad vermagic; no CONFIG_MODULE_FORCE_LOAD\)\)'

# --json: one record per check
run check --json --kdir "$WORK/V" "$WORK/m/other.ko"
if [ "$RC" = 1 ] && python3 - "$OUT" "$rel" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
c = r["checks"][0]
assert r["loads"] is False and r["result"] == "fail" and r["rust_result"] == "pass", r
assert c["check"] == "vermagic" and c["result"] == "refused", c
assert c["module_value"] == "7.3.1-other SMP mod_unload ", c
assert c["kernel_value"] == sys.argv[2] + " SMP mod_unload ", c
assert c["fix"], c
PY
then t_ok "--json: loads false, the vermagic record with both values and the fix"
else t_fail "--json: loads false, the vermagic record with both values and the fix"
fi

# modversions: same_magic() ignores the release when both sides have CRCs
mv="$rel SMP mod_unload modversions "
kdir_with M "$mv"
module mv_other user.o "7.3.1-other SMP mod_unload modversions " versions
module mv_novers user.o "7.3.1-other SMP mod_unload modversions "
run check --kdir "$WORK/M" "$WORK/m/mv_other.ko"
expect 0 "MODVERSIONS kernel, module with __versions: another release's vermagic loads" \
	'mv_other.ko: pass'
run check --kdir "$WORK/M" "$WORK/m/mv_novers.ko"
expect 1 "MODVERSIONS kernel, module without __versions: the whole vermagic is compared" \
	"mv_novers.ko: FAIL \(version magic '7.3.1-other SMP mod_unload modversions ' should be '$mv'\)"
# the last .modinfo entry unterminated, with no space: read within the section (ASan)
printf 'vermagic=%s' "7.3.1-other" > "$WORK/modinfo"
objcopy --add-section .modinfo="$WORK/modinfo" --set-section-flags .modinfo=alloc,contents \
	--add-section __versions="$WORK/versions" --set-section-flags __versions=alloc,contents \
	"$FIXTURES/plain.o" "$WORK/m/unterminated.ko"
run check --kdir "$WORK/M" "$WORK/m/unterminated.ko"
expect 1 "an unterminated vermagic without a space: compared within its section, refused" \
	"unterminated.ko: FAIL \(version magic '7.3.1-other' should be '$mv'\)"
run check --kdir "$WORK/V" "$WORK/m/mv_other.ko"
expect 1 "a kernel without MODVERSIONS compares the whole vermagic, __versions or not" \
	'mv_other.ko: FAIL \(version magic'

# the table file carries it, quoted as the loader prints it
"$RUSTVER" table --kdir "$WORK/V" -o "$WORK/V.txt"
if grep -qxF "# vermagic: '$vm'" "$WORK/V.txt"; then
	t_ok "table --kdir writes the vmlinux's vermagic, its trailing space kept in quotes"
else
	t_fail "table --kdir writes the vmlinux's vermagic, its trailing space kept in quotes"
fi
run check --table "$WORK/V.txt" "$WORK/m/other.ko"
expect 1 "--table FILE checks the vermagic it names as --kdir does" \
	"other.ko: FAIL \(version magic '7.3.1-other SMP mod_unload ' should be '$vm'\)"

# a target that does not say: not checked, and said so (never a silent pass)
run check --kdir "$FIXTURES/kdirA" "$WORK/m/other.ko"
expect 0 "a tree without vmlinux: the crates' verdict, and the vermagic not checked, said" \
	'other.ko: pass' 'warning: 1 module not fully checked: vermagic: the kernel.s is not known: .*has no vmlinux'

# the module tree: the vermagic of its in-tree modules
mod=$WORK/root/lib/modules/$rel
mkdir -p "$mod/kernel/drivers" "$mod/extra" "$WORK/root/boot"
echo "# CONFIG_MODULE_FORCE_LOAD is not set" > "$WORK/root/boot/config-$rel"
cp "$WORK/m/preempt.ko" "$mod/kernel/drivers/intree.ko"
cp "$WORK/m/same.ko" "$mod/extra/rv_same.ko"
cp "$WORK/m/none.ko" "$mod/extra/rv_c_none.ko"
"$RUSTVER" table --kdir "$FIXTURES/kdirA" -o "$WORK/A.txt"
run check --table "$WORK/A.txt" -b "$WORK/root" -k "$rel" "$WORK/m/same.ko"
expect 1 "-k/-b: the in-tree modules' vermagic is the kernel's" \
	"same.ko: FAIL \(version magic '$vm' should be '$rel SMP preempt mod_unload '\)"
depmod -b "$WORK/root" "$rel" 2> /dev/null || true
sleep 3.2 # older than the index's settling time: kept by the first run
for pass in 1 2; do
	run check --table "$WORK/A.txt" --all -b "$WORK/root" -k "$rel" --stats
	expect 1 "check --all (run $pass$([ $pass = 2 ] && echo ', from the index')): the C module the loader refuses is listed" \
		'rv_c_none.ko: FAIL \(no vermagic: the kernel refuses it' "rv_same.ko: FAIL \(version magic '$vm' should be" \
		'3 modules: 0 pass, 2 fail'
done
if grep -q 'intree.ko' "$OUT"; then
	t_fail "check --all: a C module that loads is not listed"
else
	t_ok "check --all: a C module that loads is not listed"
fi
grep -q ' 3 from the index' "$OUT" && t_ok "the second --all took every module from the index" ||
	t_fail "the second --all took every module from the index"
t_done
