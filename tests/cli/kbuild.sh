#!/bin/bash
# The kernel modules (rustver_engine, rustver_core, kmod_rustver) build with
# W=1 and no warning against kernel A's build tree and against Debian's stock
# linux-headers for 7.3 (Rust, a table file: the headers ship no .rmeta),
# 6.12 (no Rust) and 6.1 (bookworm, no Rust); checkpatch.pl finds no error in the kernel-side sources; and
# on Debian's own 6.12 kernel, booted in QEMU, the three 6.12-built modules
# load, kmod_rustver says there is nothing to verify, and they unload.
#
# Needs root (chroots). Cold, it builds what is missing: the selftests' build
# chroot and kernel A (selftests/scripts/kernels.sh, about 15 min) and a trixie
# chroot with Debian's headers (selftests/scripts/debian-headers.sh, about 2 min).
# Nothing is skipped: what cannot run fails with the reason.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
scripts=$top/selftests/scripts
RUSTVER=$(realpath "$RUSTVER")

KSRC=(Kbuild kmod_rustver.c rustver_core.c rustver_trace.h include lib)
CHECKPATCH_FILES=(kmod_rustver.c rustver_core.c rustver_trace.h lib/exports.c)
for f in "$top"/lib/*.c "$top"/include/rustver/*.h; do CHECKPATCH_FILES+=("${f#"$top"/}"); done

# stop WHY: a precondition failed; the remaining cases cannot run.
stop() {
	t_fail "$1"
	t_done
	exit 1
}

if [ "$(id -u)" -ne 0 ]; then
	echo "not root (uid $(id -u))" >"$OUT"
	stop "kbuild tests need root: they build in the trixie chroot of selftests/ (debootstrap, chroot, mounts)"
fi

# The selftest cache's build lock for the whole run: nobody rebuilds the kernel
# trees or changes the chroot's packages under these builds. The scripts called
# below see it as held (selftests/scripts/lib.sh: cache_lock).
. "$top/selftests/scripts/lib.sh"
cache_lock build

# build RUNNER NAME KDIR_IN_CHROOT KDIR_ON_HOST [MAKE ARGS...]: builds a copy of
# the kernel sources (and the helper under test, which makes rustver_core's
# table) in $WORK/NAME inside the chroot of RUNNER (chroot.sh: the selftests'
# build chroot, debian-headers.sh: the one with Debian's headers), with W=1;
# LLVM=1 when the tree was built by clang. Status in $RC; the make output in
# $WORK/NAME.log.
build() {
	local runner=$1 kdir=$3 host=$4 dir=$WORK/$2 llvm=()
	shift 4
	rm -rf "$dir"
	mkdir -p "$dir/tools/rustver"
	(cd "$top" && cp -r "${KSRC[@]}" "$dir/")
	cp "$RUSTVER" "$dir/tools/rustver/rustver"
	grep -qx 'CONFIG_CC_IS_CLANG=y' "$host/.config" && llvm=(LLVM=1)
	RC=0
	: >"$dir.log"
	if [ -n "${HOST_TABLE:-}" ]; then
		# HOST_TABLE=1: the helper runs on this machine, not in the
		# chroot; the table header is made here from the tree's host
		# path, and Kbuild's step that makes it is a no-op (RUSTVER=true)
		"$RUSTVER" table --quiet --kdir "$host" --no-rust --c-header "$dir/rustver_table.h" \
			-o /dev/null >>"$dir.log" 2>&1 || RC=$?
		set -- RUSTVER=true "$@"
	fi
	if [ "$RC" = 0 ]; then
		"$runner" run --bind "$dir" make -C "$kdir" M="$dir" -j"$(nproc)" W=1 "${llvm[@]}" \
			"$@" modules >>"$dir.log" 2>&1 || RC=$?
	fi
}

# built_clean NAME WHAT: passes when the last build succeeded, made the three
# modules and printed no warning; else fails showing the warnings and the end
# of the build log.
built_clean() {
	local what=$2 dir=$WORK/$1 log=$WORK/$1.log m missing=""
	for m in rustver_engine rustver_core kmod_rustver; do
		[ -s "$dir/$m.ko" ] || missing+=" $m.ko"
	done
	if [ "$RC" = 0 ] && [ -z "$missing" ] && ! grep -qiE 'warning|error' "$log"; then
		t_ok "$what"
		return 0
	fi
	{
		echo "make exit $RC${missing:+, missing:$missing}; warnings and errors:"
		grep -iE 'warning|error' "$log" || echo "(none)"
		echo "--- last lines of the build log ($log):"
		tail -n 15 "$log"
	} >"$OUT"
	t_fail "$what"
	return 1
}

# ---- kernel A: a 7.3 tree with Rust, built with LLVM=1 ----

vars=$("$scripts/kernels.sh" a 2>"$OUT") ||
	stop "kernel A's build tree (selftests/scripts/kernels.sh a)"
eval "$vars"
build "$scripts/chroot.sh" a "$KDIR_A_CHROOT" "$KDIR_A"
built_clean a "W=1 build against kernel A ($KERNEL_RELEASE, LLVM=1): 3 modules, no warnings" || true

# ---- checkpatch.pl of kernel A on the kernel-side sources ----

cp_script=$KDIR_A/scripts/checkpatch.pl
RC=0
(cd "$top" && perl "$cp_script" --no-tree --terse -f "${CHECKPATCH_FILES[@]}") >"$OUT" 2>&1 || RC=$?
nerr=$(grep -c ': ERROR:' "$OUT" || true)
nwarn=$(grep -c ': WARNING:' "$OUT" || true)
nfiles=${#CHECKPATCH_FILES[@]}
if [ -f "$cp_script" ] && [ "$RC" -le 1 ] && [ "$nerr" = 0 ] &&
	! grep -qE '^total: [1-9][0-9]* errors' "$OUT"; then
	t_ok "checkpatch.pl --no-tree: no errors in $nfiles kernel-side files ($nwarn warnings)"
else
	{ echo "checkpatch exit $RC, $nerr errors:"; grep -E ': ERROR:|^total:' "$OUT"; } >"$OUT.2"
	cat "$OUT" >>"$OUT.2"
	mv "$OUT.2" "$OUT"
	t_fail "checkpatch.pl --no-tree finds no errors in the kernel-side sources"
fi

# ---- Debian's stock headers ----

vars=$(RUSTVER_BIN=$RUSTVER "$scripts/debian-headers.sh" 2>"$OUT") ||
	stop "Debian's linux-headers 7.3, 6.12 and 6.1 in their chroots (selftests/scripts/debian-headers.sh)"
eval "$vars"

# table_h NAME DEFINE: the value of a #define string of NAME's rustver_table.h
table_h() {
	sed -n "s/^#define $2 \"\\(.*\\)\"\$/\\1/p" "$WORK/$1/rustver_table.h" 2>/dev/null
}
uts_of() {
	sed -n 's/^#define UTS_VERSION "\(.*\)"$/\1/p' "$1/include/generated/utsversion.h"
}

build "$scripts/debian-headers.sh" d73 "$HEADERS_73" "$HEADERS_73_HOST" RUSTVER_TABLE="$HEADERS_73_TABLE"
built_clean d73 "W=1 build against Debian's linux-headers-$RELEASE_73 (RUSTVER_TABLE with CRCs 0: its headers ship no .rmeta): 3 modules, no warnings" || true
# rustver_core's table came from the table file: Debian's crates and identity.
if [ -s "$WORK/d73/rustver_table.h" ]; then
	n=$(sed -n 's/^#define RUSTVER_TABLE_COUNT \([0-9]*\)$/\1/p' "$WORK/d73/rustver_table.h")
	want=$(grep -c '^[a-z_]*\[[0-9a-f]*\] 0x' "$HEADERS_73_TABLE_HOST")
	{ echo "rustver_table.h:"; cat "$WORK/d73/rustver_table.h"; } >"$OUT"
	[ "$(table_h d73 RUSTVER_TABLE_RELEASE)" = "$RELEASE_73" ] &&
		[ "$(table_h d73 RUSTVER_TABLE_UTS_VERSION)" = "$(uts_of "$HEADERS_73_HOST")" ] &&
		[ "${n:-0}" -ge 1 ] && [ "$n" = "$want" ] &&
		grep -q '\.name = "kernel"' "$WORK/d73/rustver_table.h" &&
		t_ok "7.3 build: rustver_core's table has Debian's $n crates, release and UTS version" ||
		t_fail "7.3 build: rustver_core's table has Debian's crates ($want), release and UTS version"
else
	echo "the 7.3 build made no rustver_table.h (see above)" >"$OUT"
	t_fail "7.3 build: rustver_core's table has Debian's crates, release and UTS version"
fi

build "$scripts/debian-headers.sh" d612 "$HEADERS_612" "$HEADERS_612_HOST"
built_clean d612 "W=1 build against Debian's linux-headers-$RELEASE_612 (no Rust): 3 modules, no warnings" || true
ko=$WORK/d612/kmod_rustver.ko
if [ -s "$ko" ] && [ -s "$WORK/d612/rustver_table.h" ]; then
	{
		echo "rustver_table.h:"; cat "$WORK/d612/rustver_table.h"
		echo "modinfo:"; modinfo "$ko" 2>&1 || readelf -p .modinfo "$ko"
	} >"$OUT"
	vermagic=$(strings -a "$ko" | sed -n 's/^vermagic=//p' | head -n1)
	[ "$(table_h d612 RUSTVER_TABLE_UTS_VERSION)" = "$(uts_of "$HEADERS_612_HOST")" ] &&
		grep -qx '#define RUSTVER_TABLE_COUNT 0' "$WORK/d612/rustver_table.h" &&
		[ "${vermagic%% *}" = "$RELEASE_612" ] &&
		strings -a "$ko" | grep -q 'no Rust crates (CONFIG_RUST is not set): nothing to verify' &&
		t_ok "6.12 build: empty table with 6.12's identity; kmod_rustver.ko ($vermagic) has the 'nothing to verify' path" ||
		t_fail "6.12 build: empty table with 6.12's identity; kmod_rustver.ko has the 'nothing to verify' path"
else
	echo "the 6.12 build made no kmod_rustver.ko or rustver_table.h (see above)" >"$OUT"
	t_fail "6.12 build: empty table with 6.12's identity; kmod_rustver.ko has the 'nothing to verify' path"
fi

# ---- 6.1 (bookworm): the oldest LTS Debian ships; no Rust ----

# headers61 run ARGS...: debian-headers.sh's bookworm chroot, for build().
headers61() {
	shift
	"$scripts/debian-headers.sh" run61 "$@"
}
# The helper is built for this machine: on a newer Debian than bookworm its
# glibc is too new to run in the bookworm chroot, so the table is made here.
HOST_TABLE=1 build headers61 d61 "$HEADERS_61" "$HEADERS_61_HOST"
built_clean d61 "W=1 build against Debian's linux-headers-$RELEASE_61 (bookworm, no Rust): 3 modules, no warnings" || true

# ---- Debian's 6.12 kernel in QEMU: the 6.12-built modules load and unload ----

boot_612() {
	local root=$WORK/initramfs busybox console=$WORK/console-612.log
	# scripts/deps.sh check (make check's first step) installed them
	local c
	for c in qemu-system-x86_64 busybox cpio; do
		command -v $c >/dev/null || { echo "$c not found" >"$OUT"; t_fail "$c on PATH (scripts/deps.sh check installs it)"; return; }
	done
	busybox=$(command -v busybox)
	if ldd "$busybox" >/dev/null 2>&1; then
		echo "$busybox is dynamically linked" >"$OUT"
		t_fail "a static busybox for the initramfs (apt-get install busybox-static)"
		return
	fi
	# The image must be the kernel the headers belong to.
	if ! python3 - "$VMLINUZ_612_HOST" "$RELEASE_612 " "$(uts_of "$HEADERS_612_HOST")" >"$OUT" 2>&1 <<-'PY'; then
		import struct, sys
		img = open(sys.argv[1], "rb").read()
		off = struct.unpack_from("<H", img, 0x20E)[0] + 0x200
		banner = img[off:off + 256].split(b"\0")[0].decode()
		print("bzImage banner:", banner)
		sys.exit(not (banner.startswith(sys.argv[2]) and banner.endswith(sys.argv[3])))
	PY
		t_fail "Debian's vmlinuz-$RELEASE_612 is the build its headers describe"
		return
	fi

	rm -rf "$root"
	mkdir -p "$root"/{bin,proc,sys,dev,mods}
	cp "$busybox" "$root/bin/busybox"
	for a in sh mount insmod rmmod cat dmesg sed poweroff; do ln -s busybox "$root/bin/$a"; done
	cp "$WORK"/d612/{rustver_engine,rustver_core,kmod_rustver}.ko "$root/mods/"
	cat >"$root/init" <<-'EOF'
		#!/bin/sh
		export PATH=/bin
		mount -t proc proc /proc
		mount -t sysfs sysfs /sys
		mount -t devtmpfs devtmpfs /dev 2>/dev/null
		echo "rv612: start $(cat /proc/sys/kernel/osrelease)"
		for m in rustver_engine rustver_core kmod_rustver; do
			if insmod /mods/$m.ko; then echo "rv612: insmod $m: ok"; else echo "rv612: insmod $m: FAILED"; fi
		done
		sed 's/^/rv612: crates: /' /sys/kernel/rustver/crates
		for m in kmod_rustver rustver_core rustver_engine; do
			if rmmod $m; then echo "rv612: rmmod $m: ok"; else echo "rv612: rmmod $m: FAILED"; fi
		done
		dmesg | sed -n 's/^\[[ 0-9.]*\] /rv612: dmesg: /p'
		echo "rv612: done"
		poweroff -f
	EOF
	chmod +x "$root/init"
	(cd "$root" && find . | cpio --quiet -o -H newc | gzip -1) >"$WORK/initramfs.gz"

	RC=0
	# The serial console goes to a file: CI runs with no standard input.
	timeout -k 10 300 qemu-system-x86_64 -machine accel=tcg -cpu max -smp 2 -m 1024 \
		-nodefaults -display none -monitor none -serial "file:$console" -no-reboot \
		-kernel "$VMLINUZ_612_HOST" -initrd "$WORK/initramfs.gz" \
		-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1" \
		</dev/null >"$console.qemu" 2>&1 || RC=$?
	cat "$console.qemu" >>"$console"
	tr -d '\r' <"$console" >"$console.txt"
	{
		echo "qemu exit $RC; rv612 lines and kernel problems of the console:"
		grep -E 'rv612:|Oops|BUG:|WARNING:|Call Trace|general protection|Kernel panic' "$console.txt"
		echo "--- last lines of the console:"
		tail -n 15 "$console.txt"
	} >"$OUT"
	local ok=1 m
	[ "$RC" = 0 ] || ok=0
	grep -q '^rv612: done' "$console.txt" || ok=0
	for m in rustver_engine rustver_core kmod_rustver; do
		grep -q "^rv612: insmod $m: ok" "$console.txt" || ok=0
		grep -q "^rv612: rmmod $m: ok" "$console.txt" || ok=0
	done
	grep -q '^rv612: dmesg: kmod_rustver: this kernel has no Rust crates (CONFIG_RUST is not set): nothing to verify' \
		"$console.txt" || ok=0
	grep -qF "rv612: crates: # uts-version: $(uts_of "$HEADERS_612_HOST")" "$console.txt" || ok=0
	grep -qE 'Oops|BUG:|WARNING:|Call Trace|general protection|Kernel panic' "$console.txt" && ok=0
	if [ $ok = 1 ]; then
		t_ok "Debian's $RELEASE_612 kernel in QEMU: the 3 modules load, kmod_rustver says 'nothing to verify', they unload, no oops"
	else
		t_fail "Debian's $RELEASE_612 kernel in QEMU: the 3 modules load, kmod_rustver says 'nothing to verify', they unload, no oops"
	fi
}
if [ -s "$WORK/d612/kmod_rustver.ko" ]; then
	boot_612
else
	echo "the 6.12 build made no kmod_rustver.ko (see above)" >"$OUT"
	t_fail "Debian's $RELEASE_612 kernel in QEMU: the 6.12-built modules load"
fi
t_done
