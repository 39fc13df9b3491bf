#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The trixie build chroot: made with debootstrap from the mirror the host's apt uses,
# with Debian's Rust kernel toolchain and linux-source-7.3 from trixie-backports.
#
#   chroot.sh ensure          build the chroot if needed; print CHROOT=<host path>
#   chroot.sh run [--bind DIR]... CMD...
#                             run CMD inside the chroot (as root, cwd /); each DIR
#                             (absolute host path) is bind-mounted at the same path
#   chroot.sh path            print the chroot's host path without building
#
# The chroot is keyed by this script, the package list and the suites: changing any
# rebuilds it. Kernel trees inside it are keyed by the installed package versions
# (kernels.sh), so a refreshed toolchain rebuilds them. RUSTVER_REFRESH=1 rebuilds the
# chroot to pick up newer Debian packages.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=trixie
BACKPORTS=trixie-backports
# Toolchain for `make LLVM=1` with Rust, plus what the selftest build uses.
PACKAGES="rustc rust-src bindgen clang llvm lld build-essential bc bison flex
	libelf-dev libssl-dev cpio kmod xz-utils zstd python3 ca-certificates"
# Taken from trixie-backports.
BP_PACKAGES="linux-source-7.3"
# Bump when build_chroot below changes in a way that needs a new chroot.
CHROOT_RECIPE_VERSION=1

chroot_key() {
	{
		echo "scripts=$RUSTVER_SCRIPTS_VERSION"
		echo "suite=$SUITE $BACKPORTS"
		echo "packages=$(echo $PACKAGES)"
		echo "backports=$BP_PACKAGES"
		echo "chroot-recipe=$CHROOT_RECIPE_VERSION"
	} | hash_stdin
}

CHROOT=$RUSTVER_CACHE/chroot-$SUITE-$(chroot_key)

# Run a command in the build chroot (in_root in lib.sh).
in_chroot() {
	in_root "$CHROOT" "$@"
}

build_chroot() {
	local key mirror tmp
	key=$(chroot_key)
	mirror=$(debian_mirror)
	need_cmd debootstrap unshare chroot
	tmp=$CHROOT.tmp
	rm -rf --one-file-system "$tmp"
	mkdir -p "$tmp"
	log "debootstrap $SUITE from $mirror into $tmp (log: $RUSTVER_CACHE/chroot.log)"
	debootstrap --variant=minbase "$SUITE" "$tmp" "$mirror" >"$RUSTVER_CACHE/chroot.log" 2>&1 ||
		die "debootstrap failed; see $RUSTVER_CACHE/chroot.log"
	cat >"$tmp/etc/apt/sources.list" <<-EOS
		deb $mirror $SUITE main
		deb $mirror $BACKPORTS main
	EOS
	# No recommends, no docs: a smaller, faster install.
	cat >"$tmp/etc/apt/apt.conf.d/90rustver" <<-EOS
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
	EOS
	log "installing the toolchain in the chroot"
	local old=$CHROOT
	CHROOT=$tmp
	{
		in_chroot apt-get -q update &&
			in_chroot env DEBIAN_FRONTEND=noninteractive apt-get -q -y install $PACKAGES &&
			in_chroot env DEBIAN_FRONTEND=noninteractive apt-get -q -y install \
				-t "$BACKPORTS" $BP_PACKAGES &&
			in_chroot apt-get clean
	} >>"$RUSTVER_CACHE/chroot.log" 2>&1 || die "apt-get in the chroot failed; see $RUSTVER_CACHE/chroot.log"
	CHROOT=$old
	in_chroot_versions "$tmp" >"$tmp/.rustver-packages"
	mkdir -p "$tmp/build"
	mark_done "$tmp" "$key"
	# Drop chroots of older keys (they hold whole kernel trees) before taking the name.
	local d
	for d in "$RUSTVER_CACHE"/chroot-"$SUITE"-*; do
		[ "$d" = "$tmp" ] && continue
		[ -d "$d" ] && { log "removing outdated $d"; rm -rf --one-file-system "$d"; }
	done
	mv "$tmp" "$CHROOT"
}

# Versions of the packages that decide what a kernel build produces.
in_chroot_versions() {
	chroot "$1" dpkg-query -W -f '${Package} ${Version}\n' \
		rustc rust-src bindgen clang llvm lld libclang1-19 binutils gcc linux-source-7.3 2>/dev/null | sort
}

ensure_chroot() {
	if ! is_done "$CHROOT" "$(chroot_key)" ||
		{ [ -n "${RUSTVER_REFRESH_AFTER:-}" ] &&
			[ "$(stat -c %Y "$CHROOT/.rustver-key")" -lt "$RUSTVER_REFRESH_AFTER" ]; }; then
		build_chroot
	fi
}

case "${1:-}" in
ensure)
	need_root
	# A ready chroot needs no lock (it is only ever replaced under a new name), so
	# runs holding another architecture's lock do not wait for each other here.
	if ! is_done "$CHROOT" "$(chroot_key)" || [ -n "${RUSTVER_REFRESH_AFTER:-}" ]; then
		cache_lock build
		ensure_chroot
	fi
	echo "CHROOT=$CHROOT"
	;;
run)
	shift
	need_root
	take_binds "$@"
	set -- "${RUN_ARGS[@]}"
	[ $# -gt 0 ] || die "usage: chroot.sh run CMD..."
	is_done "$CHROOT" "$(chroot_key)" || die "no chroot at $CHROOT; run 'chroot.sh ensure' first"
	in_chroot "$@"
	;;
path)
	echo "$CHROOT"
	;;
*)
	die "usage: chroot.sh ensure | run CMD... | path"
	;;
esac
