#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's own Rust-enabled kernel (trixie-backports, 7.3.x by default) into the
# cache: its module tree (drm.ko.xz, qt2025.ko.xz, ax88796b_rust.ko.xz ...), the real
# System.map (from the -dbg package; only that file is kept) and the headers'
# Module.symvers and .config. Prints shell-evaluable lines:
#
#   DEBIAN_RELEASE=7.3.4+deb13-amd64
#   DEBIAN_VERSION=7.3.4-1~bpo13+1           (Debian package version)
#   DEBIAN_MODDIR=<dir>         $DEBIAN_MODDIR/lib/modules/$DEBIAN_RELEASE/kernel/...
#   DEBIAN_SYSTEM_MAP=<file>
#   DEBIAN_SYMVERS=<file>       Module.symvers from linux-headers-$DEBIAN_RELEASE
#   DEBIAN_CONFIG=<file>
#
# Usage: debian-kernel.sh [--no-system-map]
#   --no-system-map   skip the 1.2 GB -dbg download; DEBIAN_SYSTEM_MAP is then empty
# Environment: RUSTVER_CACHE, RUSTVER_MIRROR, RUSTVER_DEBIAN_SERIES (default 7.3),
#   RUSTVER_DEBIAN_SUITE (default trixie-backports), RUSTVER_REFRESH=1 (re-read the
#   package lists now instead of at most once a day).
# Uses the host's apt with a private sources/lists/status directory; the host's
# apt configuration is never read or changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

want_map=1
case "${1:-}" in
"") ;;
--no-system-map) want_map=0 ;;
*) die "unknown argument '$1' (usage: debian-kernel.sh [--no-system-map])" ;;
esac

series=${RUSTVER_DEBIAN_SERIES:-7.3}
suite=${RUSTVER_DEBIAN_SUITE:-trixie-backports}
need_cmd apt-get apt-cache dpkg-deb tar
cache_lock debian-kernel

top=$RUSTVER_CACHE/debian-kernel
host_apt_init "$top/apt" "$suite"

# Refresh the package lists at most once a day; keep going on a cached result offline.
stamp=$top/apt/lists/.updated
if [ "${RUSTVER_REFRESH:-0}" = 1 ] || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	log "reading $suite package lists"
	if host_apt get -q update >"$top/apt/update.log" 2>&1; then
		touch "$stamp"
	elif [ -e "$stamp" ]; then
		log "warning: apt-get update failed (see $top/apt/update.log); using the old lists"
	else
		die "apt-get update for $suite failed; see $top/apt/update.log"
	fi
fi

# Newest linux-modules-<series>.N+debNN-amd64 in the suite.
re="^linux-modules-${series//./\\.}\\.[0-9]+\\+[a-z0-9]+-amd64\$"
pkg=$(host_apt cache pkgnames linux-modules- | grep -E "$re" | sort -V | tail -n1 || true)
[ -n "$pkg" ] || die "no package matching $re in $suite (see $top/apt/sources.list)"
release=${pkg#linux-modules-}
version=$(host_apt cache show "$pkg" | awk '/^Version:/ { print $2; exit }')
[ -n "$version" ] || die "cannot read the version of $pkg"

out=$top/$release
root=$out/root
if ! is_done "$out" "$version"; then
	log "fetching Debian kernel $release ($version) into $out"
	rm -rf "$out"
	mkdir -p "$out/debs" "$root"
	(cd "$out/debs" && host_apt get -q download \
		"linux-modules-$release" "linux-base-$release" \
		"linux-headers-$release" >"$out/download.log" 2>&1) ||
		die "downloading the $release packages failed; see $out/download.log"
	for deb in "$out"/debs/*.deb; do
		dpkg-deb -x "$deb" "$root" || die "cannot unpack $deb"
	done
	rm -rf "$out/debs"
	[ -f "$root/usr/lib/modules/$release/modules.order" ] ||
		die "$root/usr/lib/modules/$release/modules.order missing after unpacking"
	mark_done "$out" "$version"
fi

map=$out/System.map
if [ "$want_map" = 1 ] && ! is_done "$out/map" "$version"; then
	# linux-base's System.map holds no symbols; the real one is in the -dbg package (1.2 GB).
	# It sits near the start of the archive: stream it and stop reading after that file.
	log "fetching System.map from linux-image-$release-dbg (large download, deleted afterwards)"
	mkdir -p "$out/map"
	(cd "$out/map" && host_apt get -q download "linux-image-$release-dbg" \
		>"$out/map/download.log" 2>&1) ||
		die "downloading linux-image-$release-dbg failed; see $out/map/download.log"
	member=./usr/lib/debug/lib/modules/$release/System.map
	# tar exits after the first match; dpkg-deb then dies of SIGPIPE, which is expected.
	(dpkg-deb --fsys-tarfile "$out"/map/*.deb 2>/dev/null || true) |
		tar -xO --occurrence=1 "$member" >"$map.new" || true
	rm -f "$out"/map/*.deb
	[ "$(wc -l <"$map.new")" -gt 1000 ] || die "no usable System.map ($member) in the -dbg package"
	mv "$map.new" "$map"
	mark_done "$out/map" "$version"
fi
[ "$want_map" = 1 ] || map=

printf 'DEBIAN_RELEASE=%s\n' "$release"
printf 'DEBIAN_VERSION=%s\n' "$version"
printf 'DEBIAN_MODDIR=%s\n' "$root/usr"
printf 'DEBIAN_SYSTEM_MAP=%s\n' "$map"
printf 'DEBIAN_SYMVERS=%s\n' "$root/usr/src/linux-headers-$release/Module.symvers"
printf 'DEBIAN_CONFIG=%s\n' "$root/usr/lib/modules/$release/config"
