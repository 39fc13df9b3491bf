#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install on a Debian host what the rustver selftests need. One list serves the
# whole suite (scripts/deps.sh, group "check": the build, the tests and the
# selftests' host side: debootstrap, QEMU, busybox); the kernel toolchain itself
# (rustc, bindgen, clang, linux-source-7.3) goes into the trixie chroot that
# scripts/chroot.sh makes.
set -euo pipefail
exec "$(dirname "$0")/../scripts/deps.sh" check
