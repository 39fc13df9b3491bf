#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rustver_core, the running kernel's crate table, on kernel A:
#  - built against tree B (another build of the same source) it refuses to load,
#    with one dmesg line naming both builds;
#  - built against A it loads and /sys/kernel/rustver/crates is exactly the table
#    `rustver table --kdir` makes from A's tree on the build host.
# Leaves nothing loaded: rustver_verifier.sh loads everything with modprobe.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods 4
kmod=$RUSTVER_DATA/kmod-a

for m in kmod_rustver rustver_core rustver_engine; do
	rv_loaded "$m" && rmmod "$m"
done
rv_run insmod "$kmod/rustver_engine.ko" || ktap_print_msg "insmod rustver_engine failed"

# kmod's insmod retries a failed finit_module() with init_module(): one line per
# load attempt (a kprobe on load_module counts them), the same line each time.
b_core_refused() {
	rv_trace_on || { ktap_print_msg "cannot kprobe load_module"; return 1; }
	dmesg -c >/dev/null
	out=$(insmod "$RUSTVER_DATA/kmod-b/rustver_core.ko" 2>&1) &&
		{ ktap_print_msg "the B-built rustver_core loaded on kernel A"; rmmod rustver_core; return 1; }
	ktap_print_msg "insmod: $out"
	attempts=$(rv_trace_take | grep -c '^attempt')
	rv_trace_off
	log=$(rv_rustver_lines)
	printf '%s\n' "$log" | sed 's/^/#   /'
	rv_loaded rustver_core && { ktap_print_msg "rustver_core is in /proc/modules"; return 1; }
	[ -d "$RV_SYSFS" ] && { ktap_print_msg "$RV_SYSFS exists"; return 1; }
	n=$(printf '%s\n' "$log" | grep -c .)
	u=$(printf '%s\n' "$log" | sort -u | grep -c .)
	ktap_print_msg "load attempts $attempts, rustver lines $n ($u distinct)"
	[ "$n" -eq "$attempts" ] && [ "$u" -eq 1 ] ||
		{ ktap_print_msg "expected one rustver line per load attempt, all the same"; return 1; }
	printf '%s\n' "$log" | grep -qF "crate table was generated from another kernel build" ||
		{ ktap_print_msg "the line does not say the table is of another build"; return 1; }
	printf '%s\n' "$log" | grep -qF "this kernel is $(uname -r) $(uname -v)" ||
		{ ktap_print_msg "the line does not name this kernel's build ($(uname -v))"; return 1; }
}
ktap_test_result "rustver_core built against tree B refuses to load on kernel A, one dmesg line" \
	b_core_refused

a_core_loads() {
	dmesg -c >/dev/null
	rv_run insmod "$kmod/rustver_core.ko" || return 1
	rv_loaded rustver_core || { ktap_print_msg "rustver_core not in /proc/modules"; return 1; }
	rv_rustver_lines | sed 's/^/#   /'
	rv_rustver_lines | grep -q "crate table of $(uname -r) $(uname -v): [0-9]* crates" ||
		{ ktap_print_msg "no 'crate table of ...' line"; return 1; }
	[ -r "$RV_SYSFS/crates" ] || { ktap_print_msg "no $RV_SYSFS/crates"; return 1; }
}
ktap_test_result "rustver_core built against A loads on A" a_core_loads

# The crates (the lines that are not comments) and the build identity must match;
# the host's table also has comments that only make sense there (# kdir:, # not in
# the table:).
same_table() {
	[ -r "$RV_SYSFS/crates" ] || return 1
	tmp=${TMPDIR:-/tmp}
	grep -v '^#' "$RV_SYSFS/crates" >"$tmp/crates.sys"
	grep -v '^#' "$RUSTVER_DATA/table-a" >"$tmp/crates.host"
	sed 's/^/#   /' "$RV_SYSFS/crates"
	[ -s "$tmp/crates.sys" ] || { ktap_print_msg "no crate in $RV_SYSFS/crates"; return 1; }
	if ! cmp -s "$tmp/crates.sys" "$tmp/crates.host"; then
		ktap_print_msg "sysfs (<) and 'rustver table --kdir' of A (>) differ:"
		diff "$tmp/crates.sys" "$tmp/crates.host" | sed 's/^/#   /'
		return 1
	fi
	for k in release uts-version build-id rustc; do
		s=$(grep "^# $k: " "$RV_SYSFS/crates")
		h=$(grep "^# $k: " "$RUSTVER_DATA/table-a")
		[ "$s" = "$h" ] && continue
		ktap_print_msg "'# $k:' differs: sysfs '$s', host '$h'"
		return 1
	done
}
ktap_test_result "/sys/kernel/rustver/crates equals 'rustver table --kdir' of kernel A" same_table

this_build() {
	grep -qxF "# release: $(uname -r)" "$RV_SYSFS/crates" &&
		grep -qxF "# uts-version: $(uname -v)" "$RV_SYSFS/crates" && return 0
	ktap_print_msg "the table does not name this kernel: $(uname -r) $(uname -v)"
	return 1
}
ktap_test_result "the table names the running build (uname -r, uname -v)" this_build

rmmod rustver_core
rmmod rustver_engine
ktap_finished
