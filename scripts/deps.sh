#!/bin/bash
# Installs the Debian packages rustver's build and tests need, when any is
# missing. Run by 'make' (once) and 'make deps' (--force: always check);
# --list prints the list for this release and installs nothing.
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
packages=(
	build-essential pkg-config
	libkmod-dev libelf-dev zlib1g-dev liblzma-dev libzstd-dev  # the helper
	check                                                     # unit tests
	clang "$clang_rt"                                         # libFuzzer
	binutils python3 xz-utils zstd gzip kmod openssl          # test oracles, fixtures
	strace                                                    # index.sh: what check opens
)
if [ "${1:-}" = --list ]; then
	echo "${packages[@]}"
	exit 0
fi
# the tests compile real Rust crates; any rustc on PATH will do
command -v rustc >/dev/null 2>&1 || packages+=(rustc)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run 'sudo make deps' or install them with apt-get" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
