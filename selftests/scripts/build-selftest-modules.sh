#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test modules of selftests/modules/ against kernel A and tree B and copy
# the results to OUTDIR/a and OUTDIR/b. Each build starts from a clean copy of the
# sources inside the chroot (a few seconds), so stale objects never leak in.
#
# Usage: build-selftest-modules.sh OUTDIR
# The trees and the work directories in the chroot are those of RUSTVER_ARCH
# (x86_64 by default, or arm64: scripts/kernels.sh; work directories get its
# BUILD_SUFFIX, so both architectures' builds can sit side by side).
# Environment: RUSTVER_BIN, the rustver helper. When set, the modules are stamped
# from their build records (`rustver stamp --by-times --prefix-map /build=CHROOT/build --kdir
# <the tree they were built against>`) right after linking:
# `rustver check` fails an unstamped out-of-tree Rust module, so the check tests need
# stamped ones. The stamp step is the one stamp_modules line in the loop below.
#
# Besides modules/ itself, generated from its sources (distinct module names, so
# they can be loaded side by side):
#   a/rustver_test_unstamped.ko   rustver_test_hello renamed, left without a stamp
#   a/rustver_test_malformed.ko   the same, stamped, then its stamp damaged (the
#                                 entry count no longer matches the section size)
#   {a,b}/rustver_storm_NN.ko     templates/rustver_storm.rs.in, NN = 00..31: even
#                                 ones built against A, odd ones against B
#   a/rustver_sleep_NNN.ko        templates/rustver_sleep.c.in, NNN = 000..099: init
#                                 sleeps (ms=), for the fail-closed tests
#   a/rustver_reloc_N.ko          templates/rustver_reloc.c.in, N = 0..7: C modules
#                                 with 20,000 relocations each, for the churn case
#   a/rustver_bad_*.ko            templates/rustver_bad.c.in via gen-bad.py: C modules
#                                 with weak Rust imports rustver must refuse (a symbol
#                                 with control bytes, 128 unknown crates, a 100-link
#                                 backref chain); never stamped
# and, with RUSTVER_BIN, rustver's own kernel modules (the top-level Kbuild, W=1,
# any compiler warning fails the build):
#   kmod-a/{rustver_engine,rustver_core,kmod_rustver}.ko   built against A
#   kmod-b/rustver_core.ko                                 built against B
#   kmod-anobid/rustver_core.ko built against A from A's table without its build ID
#   kmod-a200/rustver_core.ko   built against A from table-200 (A's table and
#                               fake crates up to 200: the crates file test)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: build-selftest-modules.sh OUTDIR"
out=$1
env_of "$SELFTESTS_DIR/scripts/kernels.sh"

# stamp_modules KDIR MODULE...: write the crate stamp (`rustver stamp`) into each
# module, as a distribution would after linking and before signing. The helper
# leaves modules without Rust imports alone. Without RUSTVER_BIN nothing is stamped.
stamp_modules() {
	local kdir=$1 f evidence=() unverified=()
	shift
	[ -n "${RUSTVER_BIN:-}" ] || return 0
	# Modules built from Rust sources are stamped from their build records; a C
	# module that imports Rust symbols has no .rmeta in its records (rustc never
	# ran): stamped --unverified from the tree; a C module without Rust imports
	# needs no stamp.
	for f in "$@"; do
		if [ -e "${f%.ko}.rs" ]; then
			evidence+=("$f")
		elif nm -u "$f" | grep -q ' U _R'; then
			unverified+=("$f")
		fi
	done
	log "stamping ${evidence[*]##*/} from their build records (expected tree: $kdir)"
	# The records name the paths rustc saw in the chroot (/build/...). Plain
	# Kbuild builds (no rustver-rustc): evidence by file times, --by-times
	# (tests/cli/evidence.sh covers evidence by content).
	"$RUSTVER_BIN" stamp --by-times --prefix-map "/build=$CHROOT/build" --kdir "$kdir" "${evidence[@]}" >&2 ||
		die "$RUSTVER_BIN stamp --kdir $kdir failed"
	[ ${#unverified[@]} -eq 0 ] && return 0
	log "stamping ${unverified[*]##*/} (C, Rust imports, no build records of rustc) with the crate table of $kdir, --unverified"
	"$RUSTVER_BIN" stamp --unverified --kdir "$kdir" "${unverified[@]}" >&2 ||
		die "$RUSTVER_BIN stamp --unverified --kdir $kdir failed"
}

STORM_N=32
SLEEP_N=100
BAD_KINDS="ctlsym crates128 chain"

# Each output directory is reused while what went into it is unchanged: the tree
# (its .rustver-key), the sources, this script and the helper.
# build_key a|b WHAT FILE...: the key of OUTDIR/WHAT-built-against-that-tree.
build_key() {
	local t=$1 what=$2 kdir_var=KDIR_${1^^}
	shift 2
	{
		echo "$what"
		cat "${!kdir_var}/.rustver-key" "$0"
		cat "$@" | sha256sum
		if [ -n "${RUSTVER_BIN:-}" ]; then sha256sum <"$RUSTVER_BIN"; else echo unstamped; fi
	} | hash_stdin
}
# storm_names a|b: the storm modules built against that tree.
storm_names() {
	local i first=0
	[ "$1" = b ] && first=1
	for ((i = first; i < STORM_N; i += 2)); do printf 'rustver_storm_%02d\n' "$i"; done
}

# damage_stamp FILE: make the stamp's entry count disagree with its section size.
damage_stamp() {
	python3 - "$1" <<-'PY' || die "cannot damage the stamp of $1"
		import struct, sys
		f = open(sys.argv[1], "r+b"); d = f.read()
		shoff, = struct.unpack_from("<Q", d, 0x28)
		shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3a)
		def sh(i): return struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize)
		stroff = sh(shstrndx)[4]
		for i in range(shnum):
		    s = sh(i)
		    name = d[stroff + s[0]:d.index(b"\0", stroff + s[0])]
		    if name == b".rustver_stamp":
		        count, = struct.unpack_from("<I", d, s[4] + 16)
		        f.seek(s[4] + 16); f.write(struct.pack("<I", count + 1)); sys.exit(0)
		sys.exit("no .rustver_stamp section")
	PY
}

# control_bytes FILE: turn the QQQQQQQQ of its one imported name into control bytes
# (SOH, ESC [31m, DEL, STX: a terminal colour change among them).
control_bytes() {
	python3 - "$1" <<-'PY' || die "cannot put control bytes into $1"
		import sys
		d = open(sys.argv[1], "rb").read()
		if d.count(b"QQQQQQQQ") < 1:
		    sys.exit("no QQQQQQQQ in " + sys.argv[1])
		open(sys.argv[1], "wb").write(d.replace(b"QQQQQQQQ", b"\x01\x1b[31m\x7f\x02"))
	PY
}

for t in a b; do
	key=$(build_key "$t" modules "$SELFTESTS_DIR"/modules/{Kbuild,Makefile,*.sh,*.rs,*.c,templates/*})
	if is_done "$out/$t" "$key"; then
		log "selftests/modules built against tree ${t^^}: unchanged, reused ($out/$t)"
		continue
	fi
	w=$CHROOT/build/selftest-modules-$t$BUILD_SUFFIX
	rm -rf "$w"
	mkdir -p "$w"
	cp "$SELFTESTS_DIR"/modules/{Kbuild,Makefile,*.sh,*.rs,*.c} "$w/"
	extra=$(storm_names "$t")
	[ "$t" = a ] && extra+=$'\nrustver_test_unstamped\nrustver_test_malformed'
	for m in $extra; do
		case "$m" in
		rustver_storm_*) sed "s/@NAME@/$m/" "$SELFTESTS_DIR/modules/templates/rustver_storm.rs.in" ;;
		*) sed "s/rustver_test_hello/$m/g" "$SELFTESTS_DIR/modules/rustver_test_hello.rs" ;;
		esac >"$w/$m.rs"
		echo "obj-m += $m.o" >>"$w/Kbuild"
	done
	if [ "$t" = a ]; then
		for ((i = 0; i < SLEEP_N; i++)); do
			m=$(printf 'rustver_sleep_%03d' "$i")
			sed "s/@NAME@/$m/" "$SELFTESTS_DIR/modules/templates/rustver_sleep.c.in" >"$w/$m.c"
			echo "obj-m += $m.o" >>"$w/Kbuild"
		done
		for ((i = 0; i < 8; i++)); do
			sed "s/@NAME@/rustver_reloc_$i/" "$SELFTESTS_DIR/modules/templates/rustver_reloc.c.in" \
				>"$w/rustver_reloc_$i.c"
			echo "obj-m += rustver_reloc_$i.o" >>"$w/Kbuild"
		done
		for k in $BAD_KINDS; do
			python3 "$SELFTESTS_DIR/modules/templates/gen-bad.py" \
				"$SELFTESTS_DIR/modules/templates/rustver_bad.c.in" "$k" >"$w/rustver_bad_$k.c" ||
				die "gen-bad.py $k failed"
			echo "obj-m += rustver_bad_$k.o" >>"$w/Kbuild"
		done
	fi
	log "building selftests/modules against tree ${t^^} (log: $w.log)"
	"$SELFTESTS_DIR/scripts/build-module.sh" "$t" "$w" modules -j"$(nproc)" >"$w.log" 2>&1 ||
		die "building selftests/modules against tree ${t^^} failed; last lines of $w.log:
$(tail -n 30 "$w.log")"
	kdir_var=KDIR_${t^^}
	mods=()
	for f in "$w"/*.ko; do
		case "$(basename "$f")" in
		rustver_test_unstamped.ko | rustver_bad_*.ko) ;;
		*) mods+=("$f") ;;
		esac
	done
	stamp_modules "${!kdir_var}" "${mods[@]}"
	if [ "$t" = a ] && [ -n "${RUSTVER_BIN:-}" ]; then
		damage_stamp "$w/rustver_test_malformed.ko"
	fi
	if [ "$t" = a ]; then
		control_bytes "$w/rustver_bad_ctlsym.ko"
	fi
	rm -rf "${out:?}/$t"
	mkdir -p "$out/$t"
	cp "$w"/*.ko "$out/$t/"
	mark_done "$out/$t" "$key"
done
log "modules in $out/a and $out/b"
# The B-built rustver_test_hello renamed to bytes no output may pass through raw
# (ESC [2J, BEL, newline, tab): mod->name is whatever the module's builder chose.
python3 "$SELFTESTS_DIR/scripts/rename-module.py" "$out/b/rustver_test_hello.ko" \
	"$out/b/rustver_evil_name.ko" "$(printf 'rv\033[2J\a\n\tevil_hell' | od -An -tx1 | tr -d ' \n')" ||
	die "cannot make rustver_evil_name.ko from $out/b/rustver_test_hello.ko"

# build_core200 DIR: rustver_core built against A (in DIR, already built once) from
# a table of 200 crates: A's own, then fake ones (rvfake_NNN). Into kmod-a200/, with
# the table as kmod-a200/table-200.
build_core200() {
	local w=$1 table=$1/table-200 n
	"$RUSTVER_BIN" table --kdir "$KDIR_A" -o "$table" || die "$RUSTVER_BIN table --kdir $KDIR_A failed"
	n=$(grep -vc '^#' "$table")
	for ((i = n; i < 200; i++)); do
		printf 'rvfake_%03d[%x] 0x%08x\n' "$i" $((i + 1)) $((i * 2654435761 % 4294967296))
	done >>"$table"
	[ "$(grep -vc '^#' "$table")" = 200 ] || die "table-200 does not have 200 crates"
	rm -f "$w/rustver_core.o" "$w/rustver_core.ko" "$w/rustver_table.h"
	"$SELFTESTS_DIR/scripts/build-module.sh" a "$w" modules W=1 RUSTVER_TABLE="${table#"$CHROOT"}" \
		-j"$(nproc)" >"$w-200.log" 2>&1 ||
		die "building rustver_core with a 200-crate table failed; last lines of $w-200.log:
$(tail -n 30 "$w-200.log")"
	rm -rf "${out:?}/kmod-a200"
	mkdir -p "$out/kmod-a200"
	cp "$w/rustver_core.ko" "$table" "$out/kmod-a200/"
}

# build_core_nobid DIR: rustver_core built against A (in DIR) from A's table without
# its build-ID line, as a table made from installed headers (no vmlinux) is. Into
# kmod-anobid/.
build_core_nobid() {
	local w=$1 table=$1/table-nobid
	"$RUSTVER_BIN" table --kdir "$KDIR_A" -o "$table.full" || die "$RUSTVER_BIN table --kdir $KDIR_A failed"
	grep -v '^# build-id: ' "$table.full" >"$table"
	grep -q '^# build-id: ' "$table.full" || die "A's table names no build ID: kmod-anobid would prove nothing"
	rm -f "$w/rustver_core.o" "$w/rustver_core.ko" "$w/rustver_table.h"
	"$SELFTESTS_DIR/scripts/build-module.sh" a "$w" modules W=1 RUSTVER_TABLE="${table#"$CHROOT"}" \
		-j"$(nproc)" >"$w-nobid.log" 2>&1 ||
		die "building rustver_core from a table without build ID failed; last lines of $w-nobid.log:
$(tail -n 30 "$w-nobid.log")"
	rm -rf "${out:?}/kmod-anobid"
	mkdir -p "$out/kmod-anobid"
	cp "$w/rustver_core.ko" "$out/kmod-anobid/"
}

# rustver's own modules, from the checkout's Kbuild and sources, as a user builds them.
[ -n "${RUSTVER_BIN:-}" ] || { log "RUSTVER_BIN not set: rustver's kernel modules are not built"; exit 0; }
top=$(cd "$SELFTESTS_DIR/.." && pwd)
for t in a b; do
	key=$(build_key "$t" kmod "$top"/{Kbuild,kmod_rustver.c,rustver_core.c,rustver_trace.h} \
		"$top"/include/rustver/*.h "$top"/lib/*.c)
	if is_done "$out/kmod-$t" "$key"; then
		log "rustver's kernel modules built against tree ${t^^}: unchanged, reused ($out/kmod-$t)"
		continue
	fi
	w=$CHROOT/build/rustver-kmod-$t$BUILD_SUFFIX
	rm -rf "$w"
	mkdir -p "$w/tools/rustver"
	cp -r "$top"/{Kbuild,kmod_rustver.c,rustver_core.c,rustver_trace.h,include,lib} "$w/"
	cp "$RUSTVER_BIN" "$w/tools/rustver/rustver"
	log "building rustver's kernel modules against tree ${t^^} (W=1; log: $w.log)"
	"$SELFTESTS_DIR/scripts/build-module.sh" "$t" "$w" modules W=1 -j"$(nproc)" >"$w.log" 2>&1 ||
		die "building rustver's kernel modules against tree ${t^^} failed; last lines of $w.log:
$(tail -n 30 "$w.log")"
	if grep -qE ': warning:|WARNING: modpost' "$w.log"; then
		die "rustver's kernel modules build with warnings against tree ${t^^} (W=1):
$(grep -E -A3 ': warning:|WARNING: modpost' "$w.log" | head -n 30)"
	fi
	rm -rf "${out:?}/kmod-$t"
	mkdir -p "$out/kmod-$t"
	if [ "$t" = a ]; then
		cp "$w"/{rustver_engine,rustver_core,kmod_rustver}.ko "$out/kmod-a/"
		build_core200 "$w"
		build_core_nobid "$w"
	else
		cp "$w/rustver_core.ko" "$out/kmod-b/"
	fi
	mark_done "$out/kmod-$t" "$key"
done
log "rustver's kernel modules in $out/kmod-a, $out/kmod-b"

# Stamping where modules are built (issue 10), into stamping/:
#   minimal_{a,b}.ko            each tree's in-tree samples/rust/rust_minimal.ko,
#                               the tree stamped in place by `rustver stamp --tree`
#   minimal_{a,b}_unstamped.ko  the same with the stamp section removed (as the
#                               tree's own `make modules` leaves them)
#   rustver_test_mk.ko          an out-of-tree module whose Makefile includes
#                               scripts/rustver.mk, built by plain `make` against A
#   dkms_hello.ko.xz            rustver_test_hello as a DKMS package, built by
#                               Debian's dkms against A (dkms-build.sh): stamped by
#                               its MAKE command, then signed and compressed by DKMS
[ -n "${RUSTVER_BIN:-}" ] || exit 0
rm -rf "${out:?}/stamping"
mkdir -p "$out/stamping"
for t in a b; do
	kdir_var=KDIR_${t^^}
	log "stamping tree ${t^^}'s in-tree Rust modules (rustver stamp --tree --by-times: kernels.sh builds with plain rustc)"
	"$RUSTVER_BIN" stamp --tree "${!kdir_var}" --by-times --prefix-map "/build=$CHROOT/build" >&2 ||
		die "rustver stamp --tree ${!kdir_var} failed"
	cp "${!kdir_var}/samples/rust/rust_minimal.ko" "$out/stamping/minimal_$t.ko"
	# The trees' own llvm-objcopy (LLVM=1): the host's binutils know x86 only.
	kdir_c=KDIR_${t^^}_CHROOT
	"$SELFTESTS_DIR/scripts/chroot.sh" run --bind "$out/stamping" llvm-objcopy \
		--remove-section .rustver_stamp "${!kdir_c}/samples/rust/rust_minimal.ko" \
		"$out/stamping/minimal_${t}_unstamped.ko" || die "llvm-objcopy of rust_minimal.ko failed"
done
w=$CHROOT/build/rustver-mk$BUILD_SUFFIX
rm -rf "$w"
mkdir -p "$w"
sed 's/rustver_test_hello/rustver_test_mk/g; s/RustverTestHello/RustverTestMk/g' \
	"$SELFTESTS_DIR/modules/rustver_test_hello.rs" >"$w/rustver_test_mk.rs"
cp "$top/scripts/rustver.mk" "$top/scripts/rustver-rustc" "$RUSTVER_BIN" "$w/"
printf 'obj-m := rustver_test_mk.o\ninclude %s\n' "${w#"$CHROOT"}/rustver.mk" >"$w/Makefile"
log "building rustver_test_mk with scripts/rustver.mk against tree A (log: $w.log)"
karch=()
[ "$KARCH" = x86_64 ] || karch=(ARCH="$KARCH")
"$SELFTESTS_DIR/scripts/chroot.sh" run make -C "${w#"$CHROOT"}" KDIR="$KDIR_A_CHROOT" LLVM=1 "${karch[@]}" \
	RUSTVER="${w#"$CHROOT"}/rustver" >"$w.log" 2>&1 ||
	die "make with rustver.mk failed; last lines of $w.log:
$(tail -n 20 "$w.log")"
grep -q 'rustver_test_mk.ko: stamped' "$w.log" || die "rustver.mk did not stamp rustver_test_mk.ko (see $w.log)"
# rustver.mk builds with rustver-rustc: the stamp's evidence is by content
! grep -q 'file times' "$w.log" || die "rustver.mk's stamp of rustver_test_mk.ko was by file times (see $w.log)"
cp "$w/rustver_test_mk.ko" "$out/stamping/"
log "building rustver_test_hello as a DKMS package (dkms-build.sh, log: $w-dkms/dkms.log)"
"$SELFTESTS_DIR/scripts/dkms-build.sh" "$RUSTVER_BIN" "$w-dkms" >&2 ||
	die "the DKMS build of rustver_test_hello failed"
cp "$w-dkms/hello/rustver_test_hello.ko.xz" "$out/stamping/dkms_hello.ko.xz"
log "stamping cases in $out/stamping"
