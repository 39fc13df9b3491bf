#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shared setup for the rustver selftests (POSIX sh, sourced after ktap_helpers.sh).
#
# Test data lives in $RUSTVER_DATA (default: data/ next to the scripts), laid out by
# selftests/qemu/mkinitramfs.sh:
#   a/*.ko          modules built against kernel A (Rust ones stamped when the helper
#                   was available at build time)
#   b/*.ko          Rust modules built against tree B
#   kdir-a/         kernel A's rust/*.rmeta, Module.symvers and vmlinux
#   table-a         `rustver table --kdir` of kernel A, made on the build host
#   rmeta-crc-a     "crate 0xcrc32" per rust/lib<crate>.rmeta of A, from python3 zlib
#   modules.env     RUST_MODULES=... C_MODULES=...
# The A-built modules are also installed (xz-compressed) under
# /lib/modules/$(uname -r)/extra with modules.dep, for modprobe by name.

RUSTVER_DATA=${RUSTVER_DATA:-$(cd "$(dirname "$0")" && pwd)/data}

# rv_require_data: true when the test data is there; else says why on stdout.
rv_require_data() {
	if [ ! -r "$RUSTVER_DATA/modules.env" ]; then
		echo "no rustver test data in $RUSTVER_DATA (build it with selftests/run-qemu.sh)"
		return 1
	fi
	. "$RUSTVER_DATA/modules.env"
	return 0
}

# rv_find_rustver: set RUSTVER to the helper binary, or say why not and fail.
rv_find_rustver() {
	RUSTVER=${RUSTVER:-$(command -v rustver || true)}
	if [ -z "$RUSTVER" ] || [ ! -x "$RUSTVER" ]; then
		echo "the rustver helper is not installed (initramfs built without RUSTVER_BIN)"
		return 1
	fi
	return 0
}

# rv_run CMD...: run CMD, its output as KTAP diagnostics; returns CMD's status.
rv_run() {
	rv_out=$("$@" 2>&1)
	rv_status=$?
	[ -n "$rv_out" ] && printf '%s\n' "$rv_out" | sed 's/^/# /'
	return $rv_status
}

rv_loaded() { grep -q "^$1 " /proc/modules; }

# rv_dmesg_has TEXT: the kernel log since the last `dmesg -c` contains TEXT.
rv_dmesg_has() { dmesg | grep -qF -- "$1"; }

# rv_modprobe_cycle NAME: modprobe NAME by name, see it live and say "loaded",
# modprobe -r it, see it gone and say "unloaded".
rv_modprobe_cycle() {
	dmesg -c >/dev/null
	rv_run modprobe "$1" || { ktap_print_msg "modprobe $1 failed"; return 1; }
	rv_loaded "$1" || { ktap_print_msg "$1 not in /proc/modules after modprobe"; return 1; }
	rv_dmesg_has "$1: loaded" || { ktap_print_msg "$1 did not log '$1: loaded'"; return 1; }
	rv_run modprobe -r "$1" || { ktap_print_msg "modprobe -r $1 failed"; return 1; }
	rv_loaded "$1" && { ktap_print_msg "$1 still in /proc/modules after modprobe -r"; return 1; }
	rv_dmesg_has "$1: unloaded" || { ktap_print_msg "$1 did not log '$1: unloaded'"; return 1; }
	return 0
}

# rv_insmod_cycle FILE NAME: insmod FILE, see NAME live, rmmod it, see it gone.
# The kernel log of the load and unload is left in rv_dmesg_log for the caller.
rv_insmod_cycle() {
	rv_dmesg_log=
	dmesg -c >/dev/null
	rv_run insmod "$1" || { ktap_print_msg "insmod $1 failed"; return 1; }
	rv_loaded "$2" || { ktap_print_msg "$2 not in /proc/modules after insmod"; return 1; }
	rv_run rmmod "$2" || { ktap_print_msg "rmmod $2 failed"; return 1; }
	# After rmmod: a line printed without a newline is not readable before the next one.
	# shellcheck disable=SC2034 # read by the caller
	rv_dmesg_log=$(dmesg)
	rv_loaded "$2" && { ktap_print_msg "$2 still in /proc/modules after rmmod"; return 1; }
	return 0
}
