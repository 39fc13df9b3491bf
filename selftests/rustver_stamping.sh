#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stamping where modules are built, and in-tree modules (issue 10), under
# policy=enforce on kernel A. Tree B is the same source built with the same
# KBUILD_BUILD_* values (same uname -rv) and another `kernel` crate interface;
# both trees build the in-tree sample rust_minimal.
#   - B's in-tree sample, unstamped, loads on A: an in-tree module is trusted by
#     the flag it sets (intree=Y) when every crate name is the kernel's. This is
#     the case rustver exists to catch: it passes by default...
#   - ... and is refused once kmod_rustver's intree_stamped=1 is set;
#   - B's in-tree sample from B's tree stamped by `rustver stamp --tree` is
#     refused (its stamp says B's CRCs) whatever intree_stamped says;
#   - A's own sample, stamped by --tree, loads with intree_stamped=1;
#   - a module built by plain `make` with scripts/rustver.mk loads;
#   - a module built by Debian's dkms (stamped by scripts/dkms-make, then signed
#     and xz-compressed by DKMS) loads.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods 7
s=$RUSTVER_DATA/stamping
trap 'rv_trace_off; echo 0 >"$RV_PARAMS/intree_stamped" 2>/dev/null; rmmod rust_minimal 2>/dev/null' EXIT

setup() {
	rv_verifier_fresh || return 1
	rv_trace_on || return 1
	[ "$(cat "$RV_PARAMS/intree_stamped")" = N ] ||
		{ ktap_print_msg "intree_stamped is $(cat "$RV_PARAMS/intree_stamped") by default"; return 1; }
	for f in minimal_a.ko minimal_a_unstamped.ko minimal_b.ko minimal_b_unstamped.ko \
		rustver_test_mk.ko dkms_hello.ko.xz; do
		[ -f "$s/$f" ] || { ktap_print_msg "$s/$f missing"; return 1; }
	done
}
ktap_test_result "kmod_rustver up, intree_stamped=N by default, the stamping modules present" setup

b_unstamped_default() {
	rv_try_load "$s/minimal_b_unstamped.ko" rust_minimal accept || return 1
	printf '%s\n' "$rv_events" | grep -q '^verdict rust_minimal intree-unstamped ' ||
		{ ktap_print_msg "no 'intree-unstamped' verdict: $rv_events"; return 1; }
}
ktap_test_result "tree B's unstamped in-tree sample loads on A by default (intree-unstamped)" \
	b_unstamped_default

b_unstamped_strict() {
	echo 1 >"$RV_PARAMS/intree_stamped" || return 1
	rv_try_load "$s/minimal_b_unstamped.ko" rust_minimal refuse \
		"rust_minimal: crate kernel[" \
		"rust_minimal: refused (policy=enforce): intree_stamped=1: in-tree Rust modules need a stamp"
}
ktap_test_result "with intree_stamped=1 the same module is refused, explained" b_unstamped_strict

b_stamped() {
	echo 0 >"$RV_PARAMS/intree_stamped" || return 1
	rv_try_load "$s/minimal_b.ko" rust_minimal refuse \
		"rust_minimal: crate kernel[" "built against 0x" "rust_minimal: refused (policy=enforce)"
}
ktap_test_result "tree B's sample stamped by 'rustver stamp --tree' is refused (B's CRCs)" b_stamped

a_stamped_strict() {
	echo 1 >"$RV_PARAMS/intree_stamped" || return 1
	rv_try_load "$s/minimal_a.ko" rust_minimal accept || return 1
	printf '%s\n' "$rv_events" | grep -q '^verdict rust_minimal pass ' ||
		{ ktap_print_msg "no 'pass' verdict: $rv_events"; return 1; }
	echo 0 >"$RV_PARAMS/intree_stamped"
}
ktap_test_result "kernel A's own sample, stamped by --tree, passes with intree_stamped=1" a_stamped_strict

fragment() {
	rv_try_load "$s/rustver_test_mk.ko" rustver_test_mk accept || return 1
	printf '%s\n' "$rv_events" | grep -q '^verdict rustver_test_mk pass ' ||
		{ ktap_print_msg "no 'pass' verdict: $rv_events"; return 1; }
}
ktap_test_result "a module built by 'make' with rustver.mk is stamped and loads" fragment

dkms_module() {
	rv_try_load "$s/dkms_hello.ko.xz" rustver_test_hello accept || return 1
	printf '%s\n' "$rv_events" | grep -q '^verdict rustver_test_hello pass ' ||
		{ ktap_print_msg "no 'pass' verdict: $rv_events"; return 1; }
}
ktap_test_result "a module DKMS built, stamped, signed and compressed loads" dkms_module
ktap_finished
