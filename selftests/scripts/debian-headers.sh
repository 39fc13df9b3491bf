#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's stock linux-headers packages, installed with apt in a trixie chroot of
# their own, for building rustver's kernel modules the way a Debian user would.
#
#   debian-headers.sh          make (or reuse) that chroot; print shell-evaluable lines
#   debian-headers.sh run [--bind DIR]... CMD...
#                              run CMD in it (as root, cwd /); each DIR (absolute host
#                              path) is bind-mounted at the same path inside
#
# Printed (chroot paths unless _HOST):
#   HEADERS_CHROOT=<host path of the chroot>
#   RELEASE_73=7.3.4+deb13-amd64
#   HEADERS_73=/usr/src/linux-headers-7.3.4+deb13-amd64      HEADERS_73_HOST=...
#   HEADERS_73_TABLE=/rustver/table-7.3.4+deb13-amd64         HEADERS_73_TABLE_HOST=...
#   RELEASE_612=6.12.N+deb13-amd64
#   HEADERS_612=/usr/src/linux-headers-6.12.N+deb13-amd64    HEADERS_612_HOST=...
#   VMLINUZ_612=/boot/vmlinuz-6.12.N+deb13-amd64              VMLINUZ_612_HOST=...
#   RELEASE_61=6.1.0-N-amd64
#   HEADERS_61=/usr/src/linux-headers-6.1.0-N-amd64          HEADERS_61_HOST=...
#
#   debian-headers.sh run61 [--bind DIR]... CMD...
#                              the same in the bookworm chroot with 6.1's headers
#
# 6.1 (bookworm, the oldest LTS Debian still ships; no Rust there) is the newest
# linux-headers-6.1.0-N-amd64 of bookworm, in a bookworm chroot of its own (its
# headers want bookworm's gcc-12 and linux-kbuild-6.1), made the same way.
#
# 7.3 (trixie-backports: CONFIG_RUST=y, no MODVERSIONS) is the newest
# linux-headers-7.3.N+deb13-amd64, 6.12 (trixie: no Rust) the newest
# linux-headers-6.12.N+deb13-amd64, from the mirror the host's apt uses. apt pulls
# in what they depend on, as on a user's machine: gcc-14, pahole, linux-kbuild-*,
# and for 6.12 its linux-image package (the kernel the suite can boot; no initramfs
# is generated: INITRD=No).
#
# Why not the selftests' build chroot (chroot.sh): the headers bring pahole, and
# with pahole installed every out-of-tree build against kernel A (made without it)
# warns "pahole version differs from the one used to build the kernel".
#
# Debian's headers ship no rust/*.rmeta (its Rust modules are all in-tree), so
# `rustver table --kdir` cannot compute the crates' CRCs there. HEADERS_73_TABLE is
# a table file for building against them (make ... RUSTVER_TABLE=<it>): the real
# crate names and disambiguators (every crate root of the Rust symbols in the
# headers' Module.symvers), the real release, UTS version (the `# uts-version:` line
# rustver_core compares with the running kernel; from the headers'
# include/generated/utsversion.h) and rustc, and PLACEHOLDER CRCs (0x00000000). It
# is for build tests only; the file says so in its comments. 6.12 needs no table
# file: Kbuild runs `rustver table --kdir <tree> --no-rust`.
#
# The chroot is keyed by this recipe and the package list; it is made once (about
# 3 min: debootstrap, then about 300 MB of packages) and reused; a second run only
# rewrites the table file (about 1 s). RUSTVER_REFRESH=1 rebuilds it with the newest
# packages. Environment: RUSTVER_CACHE, RUSTVER_MIRROR, RUSTVER_REFRESH, RUSTVER_BIN
# (rustver helper for the table; default tools/rustver/rustver of this checkout).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=trixie
BACKPORTS=trixie-backports
# Besides the headers: build-essential, as a user building modules has it (make;
# perl, whose Pod::Usage the W=1 kernel-doc check needs); kmod and libelf for the
# rustver helper, which Kbuild runs in the chroot to make rustver_core's table.
PACKAGES="build-essential kmod libelf1t64 zlib1g liblzma5 libzstd1"
HEADERS_73_RE='^linux-headers-7\.3\.[0-9]+\+deb13-amd64$'
HEADERS_612_RE='^linux-headers-6\.12\.[0-9]+\+deb13-amd64$'
# Bump when build_chroot below changes in a way that needs a new chroot.
HEADERS_RECIPE_VERSION=1

top=$RUSTVER_CACHE/debian-headers
key() {
	{
		echo "scripts=$RUSTVER_SCRIPTS_VERSION"
		echo "suite=$SUITE $BACKPORTS"
		echo "packages=$PACKAGES"
		echo "headers=$HEADERS_73_RE $HEADERS_612_RE"
		echo "recipe=$HEADERS_RECIPE_VERSION"
	} | hash_stdin
}
ROOT=$top/chroot-$(key)

SUITE61=bookworm
PACKAGES61="build-essential kmod libelf1 zlib1g liblzma5 libzstd1"
HEADERS_61_RE='^linux-headers-6\.1\.0-[0-9]+-amd64$'
key61() {
	{
		echo "scripts=$RUSTVER_SCRIPTS_VERSION"
		echo "suite=$SUITE61"
		echo "packages=$PACKAGES61"
		echo "headers=$HEADERS_61_RE"
		echo "recipe=$HEADERS_RECIPE_VERSION"
	} | hash_stdin
}
ROOT61=$top/bookworm-$(key61)

# As in chroot.sh: a private mount namespace with /proc, /dev, /sys and /tmp, and
# the directories of CHROOT_BINDS (one a line) bind-mounted at the same path.

# Newest package whose name matches an extended regex, from the chroot's lists.
newest() {
	in_root "$1" apt-cache pkgnames linux-headers- | grep -E "$2" | sort -V | tail -n1 || true
}

build_chroot() {
	local tmp=$ROOT.tmp mirror logf=$top/chroot.log p73 p612 d
	mirror=$(debian_mirror)
	need_cmd debootstrap unshare chroot
	mkdir -p "$top"
	rm -rf --one-file-system "$tmp"
	mkdir -p "$tmp"
	log "debootstrap $SUITE from $mirror into $tmp (log: $logf)"
	debootstrap --variant=minbase "$SUITE" "$tmp" "$mirror" >"$logf" 2>&1 ||
		die "debootstrap failed (no network?); last lines of $logf:
$(tail -n 10 "$logf")"
	cat >"$tmp/etc/apt/sources.list" <<-EOS
		deb $mirror $SUITE main
		deb $mirror $BACKPORTS main
	EOS
	cat >"$tmp/etc/apt/apt.conf.d/90rustver" <<-EOS
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
	EOS
	{
		in_root "$tmp" apt-get -q update &&
			in_root "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install $PACKAGES
	} >>"$logf" 2>&1 || die "apt-get in the headers chroot failed (no network?); see $logf"
	p73=$(newest "$tmp" "$HEADERS_73_RE")
	p612=$(newest "$tmp" "$HEADERS_612_RE")
	[ -n "$p73" ] || die "no package matching $HEADERS_73_RE in $SUITE/$BACKPORTS"
	[ -n "$p612" ] || die "no package matching $HEADERS_612_RE in $SUITE"
	log "installing $p73 and $p612 (with its linux-image) in $tmp"
	{
		in_root "$tmp" env DEBIAN_FRONTEND=noninteractive INITRD=No \
			apt-get -q -y install "$p73" "$p612" &&
			in_root "$tmp" apt-get clean
	} >>"$logf" 2>&1 || die "apt-get install $p73 $p612 failed (no network?); last lines of $logf:
$(tail -n 15 "$logf")"
	mkdir -p "$tmp/rustver"
	echo "$p73 $p612" >"$tmp/rustver/packages"
	mark_done "$tmp" "$(key)"
	for d in "$top"/chroot-*; do
		[ "$d" = "$tmp" ] && continue
		[ -d "$d" ] && { log "removing outdated $d"; rm -rf --one-file-system "$d"; }
	done
	mv "$tmp" "$ROOT"
}

# The bookworm chroot with 6.1's headers (see the top).
build_chroot61() {
	local tmp=$ROOT61.tmp mirror logf=$top/bookworm.log p61 d
	mirror=$(debian_mirror)
	need_cmd debootstrap unshare chroot
	mkdir -p "$top"
	rm -rf --one-file-system "$tmp"
	mkdir -p "$tmp"
	log "debootstrap $SUITE61 from $mirror into $tmp (log: $logf)"
	debootstrap --variant=minbase "$SUITE61" "$tmp" "$mirror" >"$logf" 2>&1 ||
		die "debootstrap $SUITE61 failed (no network?); last lines of $logf:
$(tail -n 10 "$logf")"
	echo "deb $mirror $SUITE61 main" >"$tmp/etc/apt/sources.list"
	cat >"$tmp/etc/apt/apt.conf.d/90rustver" <<-EOS
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
	EOS
	{
		in_root "$tmp" apt-get -q update &&
			in_root "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install $PACKAGES61
	} >>"$logf" 2>&1 || die "apt-get in the $SUITE61 headers chroot failed (no network?); see $logf"
	p61=$(newest "$tmp" "$HEADERS_61_RE")
	[ -n "$p61" ] || die "no package matching $HEADERS_61_RE in $SUITE61"
	log "installing $p61 in $tmp"
	{
		in_root "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install "$p61" &&
			in_root "$tmp" apt-get clean
	} >>"$logf" 2>&1 || die "apt-get install $p61 failed (no network?); last lines of $logf:
$(tail -n 15 "$logf")"
	mkdir -p "$tmp/rustver"
	echo "$p61" >"$tmp/rustver/packages"
	mark_done "$tmp" "$(key61)"
	for d in "$top"/bookworm-*; do
		[ "$d" = "$tmp" ] && continue
		[ -d "$d" ] && { log "removing outdated $d"; rm -rf --one-file-system "$d"; }
	done
	mv "$tmp" "$ROOT61"
}

ensure_chroot() {
	if ! is_done "$ROOT" "$(key)" ||
		{ [ -n "${RUSTVER_REFRESH_AFTER:-}" ] &&
			[ "$(stat -c %Y "$ROOT/.rustver-key")" -lt "$RUSTVER_REFRESH_AFTER" ]; }; then
		build_chroot
	fi
}

case "${1:-}" in
"") ;;
run)
	shift
	need_root
	take_binds "$@"
	set -- "${RUN_ARGS[@]}"
	[ $# -gt 0 ] || die "usage: debian-headers.sh run [--bind DIR]... CMD..."
	is_done "$ROOT" "$(key)" || die "no headers chroot at $ROOT; run debian-headers.sh first"
	in_root "$ROOT" "$@"
	exit
	;;
run61)
	shift
	need_root
	take_binds "$@"
	set -- "${RUN_ARGS[@]}"
	[ $# -gt 0 ] || die "usage: debian-headers.sh run61 [--bind DIR]... CMD..."
	is_done "$ROOT61" "$(key61)" || die "no $SUITE61 headers chroot at $ROOT61; run debian-headers.sh first"
	in_root "$ROOT61" "$@"
	exit
	;;
*) die "usage: debian-headers.sh | debian-headers.sh run|run61 [--bind DIR]... CMD..." ;;
esac

need_root
rustver=${RUSTVER_BIN:-$SELFTESTS_DIR/../tools/rustver/rustver}
[ -x "$rustver" ] || die "rustver helper '$rustver' not found: run 'make' at the top level (or set RUSTVER_BIN)"
cache_lock debian-headers
ensure_chroot
is_done "$ROOT61" "$(key61)" || build_chroot61

read -r p73 p612 <"$ROOT/rustver/packages"
rel73=${p73#linux-headers-}
rel612=${p612#linux-headers-}
h73=/usr/src/linux-headers-$rel73
h612=/usr/src/linux-headers-$rel612
for d in "$h73" "$h612"; do
	[ -f "$ROOT$d/Module.symvers" ] && [ -f "$ROOT$d/include/config/kernel.release" ] ||
		die "$ROOT$d is not a kernel headers tree (Module.symvers, include/config/kernel.release)"
done
[ -f "$ROOT/boot/vmlinuz-$rel612" ] || die "$ROOT/boot/vmlinuz-$rel612 missing (linux-image-$rel612)"
read -r p61 <"$ROOT61/rustver/packages"
rel61=${p61#linux-headers-}
h61=/usr/src/linux-headers-$rel61
[ -f "$ROOT61$h61/include/config/kernel.release" ] && [ -e "$ROOT61$h61/Makefile" ] ||
	die "$ROOT61$h61 is not a kernel headers tree (Makefile, include/config/kernel.release)"

# The table file for 7.3; see the top of this script. Rewritten on every run (it
# depends on the helper's parser), kept when the same.
make_table() {
	local tree=$ROOT$h73 out=$ROOT/rustver/table-$rel73 uts rustc crates
	uts=$(sed -n 's/^#define UTS_VERSION "\(.*\)"$/\1/p' "$tree/include/generated/utsversion.h" \
		"$tree/include/generated/compile.h" 2>/dev/null | head -n1)
	[ -n "$uts" ] || die "$tree: no UTS_VERSION in include/generated/{utsversion,compile}.h"
	grep -qx 'CONFIG_RUST=y' "$tree/.config" || die "$tree/.config: CONFIG_RUST is not y"
	rustc=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\(.*\)"$/\1/p' "$tree/.config")
	[ ! -e "$tree/rust" ] || log "note: $tree/rust exists: Debian's headers may now ship .rmeta"
	# Crate roots of every Rust symbol the kernel exports, by rustver's own v0 parser.
	crates=$(awk '$2 ~ /^_R/ { print $2 }' "$tree/Module.symvers" | "$rustver" symbols |
		cut -f2 | tr ' ' '\n' | grep -E '^[A-Za-z0-9_]+\[[0-9a-f]+\]$' | sort -u) ||
		die "$rustver symbols failed on the Rust symbols of $tree/Module.symvers"
	[ -n "$crates" ] || die "$tree/Module.symvers: no Rust symbols (CONFIG_RUST=y?)"
	{
		echo "# rustver table, format 1"
		echo "# FOR BUILD TESTS ONLY. Debian's linux-headers-$rel73 ships no rust/*.rmeta,"
		echo "# so the CRC-32s below are PLACEHOLDERS (0x00000000), not the .rmeta CRCs of"
		echo "# Debian's build. Crate names and disambiguators are real: every crate root of"
		echo "# the Rust symbols in its Module.symvers (rustver symbols). Release, UTS version"
		echo "# (include/generated/utsversion.h) and rustc (.config) are Debian's, so a"
		echo "# rustver_core built from this loads on Debian's kernel; kmod_rustver then"
		echo "# fails closed: stamped out-of-tree Rust modules mismatch, in-tree ones pass."
		echo "# Made by selftests/scripts/debian-headers.sh."
		echo "# release: $(cat "$tree/include/config/kernel.release")"
		echo "# uts-version: $uts"
		[ -z "$rustc" ] || echo "# rustc: $rustc"
		while read -r c; do echo "$c 0x00000000"; done <<<"$crates"
	} >"$out.new"
	if cmp -s "$out.new" "$out"; then rm -f "$out.new"; else mv "$out.new" "$out"; fi
	# It must read back as a table (and so build rustver_core).
	"$rustver" table --quiet --table "$out" -o /dev/null ||
		die "$out: rustver cannot read the table made for it"
}
make_table

echo "HEADERS_CHROOT=$ROOT"
echo "RELEASE_73=$rel73"
echo "HEADERS_73=$h73"
echo "HEADERS_73_HOST=$ROOT$h73"
echo "HEADERS_73_TABLE=/rustver/table-$rel73"
echo "HEADERS_73_TABLE_HOST=$ROOT/rustver/table-$rel73"
echo "RELEASE_612=$rel612"
echo "HEADERS_612=$h612"
echo "HEADERS_612_HOST=$ROOT$h612"
echo "VMLINUZ_612=/boot/vmlinuz-$rel612"
echo "VMLINUZ_612_HOST=$ROOT/boot/vmlinuz-$rel612"
echo "HEADERS61_CHROOT=$ROOT61"
echo "RELEASE_61=$rel61"
echo "HEADERS_61=$h61"
echo "HEADERS_61_HOST=$ROOT61$h61"
