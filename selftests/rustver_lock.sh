#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmod_rustver's one-way lock: once /sys/module/kmod_rustver/parameters/lock is set,
# the policy can be raised but not lowered, the lock not cleared (EPERM), and the
# module not removed until reboot. It pins the verifier, so this runs LAST. The
# lock is taken racing rmmod (x86_64) or with lock=1 policy=warn at load (arm64).
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods 7
tmp=${TMPDIR:-/tmp}/rustver_lock.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# lock=1 written while rmmod kmod_rustver runs: either the lock wins (the write
# succeeds, the module stays, pinned) or rmmod wins (the module goes, the write
# fails). Never a successful write and the module gone. Repeated with rmmod
# started 0 to 19 ms after the write, the module reloaded each time rmmod wins,
# until the lock wins; if it never does, it is set afterwards (at policy=warn,
# for the cases below).
race() {
	i=0 lock_won=0 rmmod_won=0
	while [ $i -lt 20 ] && [ $lock_won -eq 0 ]; do
		rv_verifier_up || return 1
		echo warn >"$RV_PARAMS/policy" || return 1
		dmesg -c >/dev/null
		( (echo 1 >"$RV_PARAMS/lock") 2>/dev/null; echo $? >"$tmp/lock.rc") &
		( [ $i -gt 0 ] && usleep $((i * 1000)); rmmod kmod_rustver 2>/dev/null; echo $? >"$tmp/rmmod.rc") &
		wait
		i=$((i + 1))
		lrc=$(cat "$tmp/lock.rc") rrc=$(cat "$tmp/rmmod.rc")
		if [ "$lrc" = 0 ]; then
			if ! rv_loaded kmod_rustver || [ "$(cat "$RV_PARAMS/lock" 2>/dev/null)" != Y ]; then
				ktap_print_msg "round $i: lock=1 succeeded (rmmod exit $rrc) but kmod_rustver is gone or not locked"
				return 1
			fi
			lock_won=1
			rv_rustver_lines >"$tmp/lock.log"
		else
			if rv_loaded kmod_rustver && [ "$rrc" = 0 ]; then
				ktap_print_msg "round $i: rmmod succeeded but kmod_rustver is loaded"
				return 1
			fi
			rmmod_won=$((rmmod_won + 1))
		fi
	done
	ktap_print_msg "$i rounds: rmmod won $rmmod_won, the lock won $lock_won"
	if [ $lock_won -eq 0 ]; then
		rv_verifier_up && echo warn >"$RV_PARAMS/policy" || return 1
		dmesg -c >/dev/null
		echo 1 >"$RV_PARAMS/lock" || { ktap_print_msg "lock=1 failed without rmmod"; return 1; }
		rv_rustver_lines >"$tmp/lock.log"
	fi
}

# lock=1 given at load time before policy=warn: parameters apply in any order, the
# lock is taken when kmod_rustver has started, at warn.
lock_at_load() {
	if rv_loaded kmod_rustver; then rv_run rmmod kmod_rustver || return 1; fi
	dmesg -c >/dev/null
	out=$(modprobe kmod_rustver lock=1 policy=warn 2>&1) ||
		{ ktap_print_msg "modprobe kmod_rustver lock=1 policy=warn failed: $out"; return 1; }
	rv_rustver_lines >"$tmp/lock.log"
}

# The lock is one-way until reboot: one boot runs one of the two ways to take it
# (both architectures run the same code): the race on x86_64, load time on arm64.
case $(uname -m) in
aarch64)
	ktap_test_result "modprobe kmod_rustver lock=1 policy=warn: loads, in that order" lock_at_load
	lock_line="kmod_rustver: verifying Rust imports of loading modules against"
	lock_tail="policy=warn (locked)"
	;;
*)
	ktap_test_result "lock=1 racing rmmod kmod_rustver: locked and loaded, or unlocked and gone" race
	lock_line="kmod_rustver: locked until reboot: policy=warn"
	lock_tail=""
	;;
esac

lock_it() {
	sed 's/^/#   /' "$tmp/lock.log"
	[ "$(cat "$RV_PARAMS/lock")" = Y ] && [ "$(cat "$RV_PARAMS/policy")" = warn ] &&
		grep -F "$lock_line" "$tmp/lock.log" | grep -qF "$lock_tail"
}
ktap_test_result "locked at policy=warn, said in dmesg" lock_it

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

# Locked, the other settings that weaken checking cannot be cleared either.
strict_settings_locked() {
	echo 1 >"$RV_PARAMS/intree_stamped" && echo 1 >"$RV_PARAMS/evidence_only" ||
		{ ktap_print_msg "raising intree_stamped and evidence_only failed"; return 1; }
	write_fails 0 "$RV_PARAMS/intree_stamped" || return 1
	write_fails 0 "$RV_PARAMS/evidence_only" || return 1
	# table_without_build_id weakens when raised: 0 stays, 1 is refused.
	echo 0 >"$RV_PARAMS/table_without_build_id" ||
		{ ktap_print_msg "writing table_without_build_id=0 failed"; return 1; }
	write_fails 1 "$RV_PARAMS/table_without_build_id" || return 1
	[ "$(cat "$RV_PARAMS/intree_stamped")" = Y ] && [ "$(cat "$RV_PARAMS/evidence_only")" = Y ] &&
		[ "$(cat "$RV_PARAMS/table_without_build_id")" = N ]
}
ktap_test_result "locked: intree_stamped, evidence_only set and not cleared; table_without_build_id not set (EPERM)" strict_settings_locked

# A stamp made --unverified (the mixed C module's: no rustc build records) is
# counted, named in the verdict, and refused under evidence_only=1.
evidence_only_refuses() {
	u0=$(cat "$RV_SYSFS/unverified_stamps")
	rv_try_load "$RUSTVER_DATA/a/rustver_test_c_rust.ko" rustver_test_c_rust refuse \
		"rustver_test_c_rust: refused (policy=enforce): evidence_only=1: its stamp was made with 'rustver stamp --unverified'" ||
		return 1
	# one per load attempt: busybox's insmod retries a refused finit_module with init_module
	u1=$(cat "$RV_SYSFS/unverified_stamps")
	[ "$u1" -gt "$u0" ] ||
		{ ktap_print_msg "unverified_stamps went $u0 -> $u1"; return 1; }
	grep -q '^rustver_test_c_rust refused-unverified-stamp ' "$RV_SYSFS/last_verdicts" ||
		{ ktap_print_msg "no refused-unverified-stamp verdict in last_verdicts"; return 1; }
}
ktap_test_result "evidence_only=1: an --unverified stamp is refused, counted and named" evidence_only_refuses

ktap_finished
