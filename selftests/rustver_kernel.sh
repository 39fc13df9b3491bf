#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The running kernel offers what rustver's kernel side reads: Rust symbols,
# symbol tables (CONFIG_KALLSYMS: a loading module's are in mod->kallsyms at
# MODULE_STATE_COMING), debugfs.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"

tracing=/sys/kernel/tracing
[ -d "$tracing/events" ] || tracing=/sys/kernel/debug/tracing

ktap_print_header
# On another machine (a kselftest install) a kernel without Rust is not this suite's
# business; in the QEMU guest (RUSTVER_SELFTEST_GUEST=1, set by its init) it is a failure.
if [ "${RUSTVER_SELFTEST_GUEST:-0}" != 1 ] && ! grep -q ' _RNv' /proc/kallsyms 2>/dev/null; then
	ktap_skip_all "the running kernel has no Rust symbols (CONFIG_RUST)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 3

ktap_test_result "the kernel exports Rust symbols (_R... in /proc/kallsyms)" \
	grep -q ' _RNv' /proc/kallsyms

# kmod_rustver reads each loading module's symbols from mod->kallsyms.
ktap_test_result "the kernel keeps symbol tables (CONFIG_KALLSYMS: /proc/kallsyms)" \
	grep -q ' T _stext$\| t _stext$\| T _text$' /proc/kallsyms

ktap_test_result "debugfs is mounted" grep -q ' debugfs ' /proc/mounts

ktap_finished
