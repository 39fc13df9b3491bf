#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmod_rustver's one-way lock: once /sys/module/kmod_rustver/parameters/lock is set,
# the policy can be raised but not lowered, the lock not cleared (EPERM), and the
# module not removed until reboot. It pins the verifier, so this runs LAST.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods 4

lock_it() {
	rv_verifier_up || return 1
	echo warn >"$RV_PARAMS/policy" || return 1
	dmesg -c >/dev/null
	echo 1 >"$RV_PARAMS/lock" || return 1
	rv_rustver_lines | sed 's/^/#   /'
	[ "$(cat "$RV_PARAMS/lock")" = Y ] &&
		rv_rustver_lines | grep -qxF "rustver: policy locked at warn until reboot"
}
ktap_test_result "lock=1 at policy=warn: locked, said in dmesg" lock_it

# write_fails VALUE FILE: the write fails with EPERM ("Operation not permitted").
write_fails() {
	err=$(sh -c "echo $1 >$2" 2>&1) && { ktap_print_msg "echo $1 >$2 succeeded"; return 1; }
	ktap_print_msg "echo $1 >$2: $err"
	printf '%s\n' "$err" | grep -q "Operation not permitted"
}

lowering() {
	echo enforce >"$RV_PARAMS/policy" || { ktap_print_msg "raising to enforce failed"; return 1; }
	dmesg -c >/dev/null
	write_fails warn "$RV_PARAMS/policy" || return 1
	write_fails off "$RV_PARAMS/policy" || return 1
	write_fails 0 "$RV_PARAMS/lock" || return 1
	rv_rustver_lines | sed 's/^/#   /'
	[ "$(cat "$RV_PARAMS/policy")" = enforce ] && [ "$(cat "$RV_PARAMS/lock")" = Y ] &&
		rv_rustver_lines | grep -qF "policy is locked at enforce until reboot: not lowered to off"
}
ktap_test_result "locked: raising to enforce works; lowering and unlocking fail with EPERM" lowering

no_unload() {
	rmmod kmod_rustver 2>&1 | sed 's/^/# /'
	rv_loaded kmod_rustver || { ktap_print_msg "kmod_rustver was removed"; return 1; }
}
ktap_test_result "locked: rmmod kmod_rustver fails" no_unload

still_enforced() {
	rv_try_load "$RUSTVER_DATA/b/rustver_test_hello.ko" rustver_test_hello refuse \
		"rustver_test_hello: refused (policy=enforce)"
}
ktap_test_result "locked: the verifier still refuses the B-built module" still_enforced

ktap_finished
