#!/bin/bash
# Installs the Debian packages rustver's build and tests need, when any is
# missing. Run by 'make' (once) and 'make deps' (--force: always check).
set -euo pipefail

packages=(
	build-essential pkg-config
	libkmod-dev libelf-dev zlib1g-dev liblzma-dev libzstd-dev  # the helper
	check                                                     # unit tests
	clang libclang-rt-14-dev                                  # libFuzzer
	binutils python3 xz-utils zstd gzip kmod openssl          # test oracles, fixtures
)
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
