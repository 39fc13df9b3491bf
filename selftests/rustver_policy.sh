#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmod_rustver's policy, switched at run time through
# /sys/module/kmod_rustver/parameters/policy, on the B-built rustver_test_hello:
# off (not checked: loads, no message, no verdict event), warn (loads, explained),
# enforce (refused). An unknown value is rejected and changes nothing.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods 5
bad_mod=$RUSTVER_DATA/b/rustver_test_hello.ko
trap 'rv_trace_off; echo enforce >"$RV_PARAMS/policy" 2>/dev/null' EXIT

default_enforce() {
	rv_verifier_fresh || return 1
	rv_trace_on || return 1
	p=$(cat "$RV_PARAMS/policy")
	ktap_print_msg "policy: $p"
	[ "$p" = enforce ]
}
ktap_test_result "kmod_rustver loads with policy=enforce by default" default_enforce

set_policy() {
	dmesg -c >/dev/null
	echo "$1" >"$RV_PARAMS/policy" || return 1
	[ "$(cat "$RV_PARAMS/policy")" = "$1" ] || return 1
	rv_rustver_lines | grep -qxF "kmod_rustver: policy=$1" ||
		{ ktap_print_msg "no 'kmod_rustver: policy=$1' line"; return 1; }
}

# policy=off checks nothing and says nothing, but the load is counted: one
# "unverified-policy-off" event, unverified +1, every other counter unchanged.
policy_off() {
	set_policy off || return 1
	u0=$(cat "$RV_SYSFS/unverified")
	before=$(RV_COUNTERS=$(echo "$RV_COUNTERS" | sed "s/ unverified//") rv_counters)
	rv_try_load "$bad_mod" rustver_test_hello accept || return 1
	[ "$(printf '%s\n' "$rv_events" | grep '^verdict')" = "verdict rustver_test_hello unverified-policy-off 0" ] ||
		{ ktap_print_msg "under policy=off, events: $rv_events"; return 1; }
	[ "$(cat "$RV_SYSFS/unverified")" = $((u0 + 1)) ] ||
		{ ktap_print_msg "unverified went $u0 -> $(cat "$RV_SYSFS/unverified")"; return 1; }
	[ "$(RV_COUNTERS=$(echo "$RV_COUNTERS" | sed "s/ unverified//") rv_counters)" = "$before" ] ||
		{ ktap_print_msg "counters moved: $before -> $(rv_counters)"; return 1; }
	[ -z "$(rv_rustver_lines | grep rustver_test_hello)" ] ||
		{ ktap_print_msg "a message under policy=off"; return 1; }
}
ktap_test_result "policy=off: the B-built module loads unchecked, no message, counted in unverified" policy_off

policy_warn() {
	set_policy warn || return 1
	rv_try_load "$bad_mod" rustver_test_hello accept \
		"rustver_test_hello: crate kernel[" \
		"rustver_test_hello: loaded anyway (policy=warn)" || return 1
	printf '%s\n' "$rv_events" | grep -q '^verdict rustver_test_hello warned ' ||
		{ ktap_print_msg "no 'warned' event: $rv_events"; return 1; }
}
ktap_test_result "policy=warn: it loads, the crate and the verdict explained in dmesg" policy_warn

policy_enforce() {
	set_policy enforce || return 1
	rv_try_load "$bad_mod" rustver_test_hello refuse \
		"rustver_test_hello: crate kernel[" \
		"rustver_test_hello: refused (policy=enforce)" || return 1
	printf '%s\n' "$rv_events" | grep -q '^verdict rustver_test_hello refused ' ||
		{ ktap_print_msg "no 'refused' event: $rv_events"; return 1; }
}
ktap_test_result "policy=enforce again: it is refused" policy_enforce

bogus() {
	if echo sometimes >"$RV_PARAMS/policy" 2>/dev/null; then
		ktap_print_msg "policy=sometimes was accepted"
		return 1
	fi
	[ "$(cat "$RV_PARAMS/policy")" = enforce ]
}
ktap_test_result "an unknown policy is rejected (EINVAL) and changes nothing" bogus

ktap_finished
