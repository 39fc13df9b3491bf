#!/bin/bash
# Installs the Debian packages rustver needs, when any is missing: one list,
# in groups, so that every part of the suite finds its tools before it runs.
#
#   scripts/deps.sh [build]     what `make` needs to build tools/rustver/rustver
#                               and the man pages
#   scripts/deps.sh check       everything `make check`, `make demo`,
#                               `make selftest` and `make bench` use: the build
#                               packages, the unit tests' and fuzzers', the test
#                               oracles, and the selftests' host side (debootstrap
#                               for the trixie build chroot, QEMU, busybox)
#   scripts/deps.sh --list [GROUP]   print the group's packages for this
#                               release and install nothing
#
# Run by the Makefile before anything else of a target (`make`: build;
# `make check`, `make deps` and the other test targets: check). Checking costs
# one dpkg-query call; apt-get runs only when a package is missing, and then
# only as root (otherwise: the list, and exit 1). RUSTVER_DEPS=0 in the
# environment or on make's command line skips the step (a build whose
# dependencies come from elsewhere: a package build, a cross-build sysroot).
set -euo pipefail

#
# The list depends on the Debian release: clang's runtime (libFuzzer, the
# sanitizers) is libclang-rt-14-dev on Debian 12 (clang 14) and
# libclang-rt-19-dev on Debian 13 (clang 19), where libclang-rt-14-dev does
# not exist; other releases get the metapackage that follows their clang.
# RUSTVER_DEBIAN_RELEASE=12|13 overrides /etc/os-release (for tests).
. /etc/os-release 2>/dev/null || true
release=${RUSTVER_DEBIAN_RELEASE:-${VERSION_ID:-}}
case $release in
12) clang_rt=libclang-rt-14-dev ;;
13) clang_rt=libclang-rt-19-dev ;;
*) clang_rt=libclang-rt-dev ;;
esac

build=(
	build-essential pkg-config
	libkmod-dev libelf-dev zlib1g-dev liblzma-dev libzstd-dev  # the helper
	libssl-dev                                                # ... its SHA-256 (evidence.c)
	scdoc                                                     # man/*.8
)
check=(
	check                                                     # unit tests
	clang "$clang_rt"                                         # libFuzzer
	binutils python3 xz-utils zstd gzip kmod openssl          # test oracles, fixtures
	strace                                                    # index.sh: what check opens
	acl                                                       # writer.sh: setfacl, getfacl
	e2fsprogs mount                                           # index.sh: an ext4 image, 1-second times
	file                                                      # arch.sh: what the cross compilers made
	git                                                       # trixie.sh: the checkout's files
	debootstrap debian-archive-keyring                        # the trixie build chroot
	qemu-system-x86                                           # boots the test kernels
	qemu-system-arm                                           # ... the arm64 ones (qemu-system-aarch64)
	busybox-static cpio                                       # the guests' initramfs
	patch make util-linux coreutils                           # tree B, unshare, flock
	gcc libc6-dev                                             # tools/finit.c, linked static
	valgrind                                                  # bench: callgrind
)

group=build list=0
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=1 ;;
	build | check) group=$1 ;;
	--force) ;; # accepted for older callers: every run checks
	*)
		echo "deps: unknown argument '$1'" >&2
		echo "usage: scripts/deps.sh [--list] [build|check]" >&2
		exit 2
		;;
	esac
	shift
done

packages=("${build[@]}")
[ "$group" = check ] && packages+=("${check[@]}")
if [ "$list" = 1 ]; then
	echo "${packages[@]}"
	exit 0
fi
# the tests compile real Rust crates; any rustc on PATH will do
[ "$group" = check ] && ! command -v rustc >/dev/null 2>&1 && packages+=(rustc)

# One dpkg-query for the whole list: a package it does not know is missing.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null |
	awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }') || true
missing=()
for p in "${packages[@]}"; do
	grep -qxF -- "$p" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages ($group): ${missing[*]}" >&2
	echo "deps: run 'sudo make deps' or install them with apt-get" >&2
	exit 1
fi
echo "deps: installing ($group) ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
