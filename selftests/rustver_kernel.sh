#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The running kernel offers what rustver's kernel side hooks (see DESIGN.md,
# "Where the kernel side hooks"): Rust symbols, load_module in kallsyms and
# kprobe-able, the module:module_load tracepoint, debugfs.
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
ktap_set_plan 5

ktap_test_result "the kernel exports Rust symbols (_R... in /proc/kallsyms)" \
	grep -q ' _RNv' /proc/kallsyms

ktap_test_result "load_module is in /proc/kallsyms" \
	grep -q ' load_module$' /proc/kallsyms

kprobe_load_module() {
	[ -w "$tracing/kprobe_events" ] ||
		{ ktap_print_msg "no $tracing/kprobe_events (CONFIG_KPROBE_EVENTS, tracefs)"; return 1; }
	echo 'p:rustver_selftest load_module' >>"$tracing/kprobe_events" ||
		{ ktap_print_msg "the kernel refused a kprobe on load_module"; return 1; }
	grep -q rustver_selftest "$tracing/kprobe_events"
	rc=$?
	echo '-:rustver_selftest' >>"$tracing/kprobe_events"
	return $rc
}
ktap_test_result "a kprobe can be placed on load_module" kprobe_load_module

ktap_test_result "the module:module_load tracepoint exists" \
	test -d "$tracing/events/module/module_load"

ktap_test_result "debugfs is mounted" grep -q ' debugfs ' /proc/mounts

ktap_finished
