#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmod_rustver refuses only what it judged, and holds under load:
#  - 2,000 loads that fail before MODULE_STATE_COMING leave nothing behind: a
#    tree-B module is still refused with its crate and both CRCs;
#  - 100 loads whose init sleeps are in flight at once, and a tree-B module
#    loaded among them is still refused;
#  - 8 workers load and unload C modules while kmod_rustver is removed and
#    inserted 10 times under enforce: the kernel refuses none of them;
#  - policy=off: loads are let through and counted as unverified;
#  - a bad symbol's control bytes are printed escaped, and a module name's
#    in dmesg, last_verdicts and the trace;
#  - a module failing 128 crates gets one bounded explanation;
#  - /sys/kernel/rustver/crates holds a 200-crate table whole;
#  - a table without a build ID: Rust modules refused under enforce as not judged,
#    a C module loaded, table_without_build_id=1 accepts it;
#  - a 100-link v0 backref chain is refused, explained (RUSTVER_SELFTEST_CHAIN=0: left out).
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods
[ "${CHAIN_CASE:-0}" = 1 ] && ktap_set_plan 10 || ktap_set_plan 9
tmp=${TMPDIR:-/tmp}/rustver_failclosed.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
A=$RUSTVER_DATA/a
B=$RUSTVER_DATA/b
# How long each sleeper's init sleeps: long enough for all 100 to be in flight at
# once even under TCG with the debug kernel (about 60 ms per insmod).
SLEEP_MS=${RV_SLEEP_MS:-15000}

# 2,000 loads that fail before COMING (-EEXIST: the module is already loaded;
# busybox's insmod tries finit_module, then init_module: both fail so), then a
# B-built module: refused by its own verdict, with crate and both CRCs.
fail_early() {
	rv_verifier_fresh || return 1
	set -- $SLEEPERS
	insmod "$A/$1.ko" ms=0 || { ktap_print_msg "$1 did not load"; return 1; }
	seen0=$(cat "$RV_SYSFS/seen")
	i=0 ok=0
	while [ $i -lt 2000 ]; do
		insmod "$A/$1.ko" ms=0 2>/dev/null && ok=$((ok + 1))
		i=$((i + 1))
	done
	seen1=$(cat "$RV_SYSFS/seen")
	rmmod "$1"
	bad=0
	[ $ok -eq 0 ] || { ktap_print_msg "$ok of 2000 second loads of $1 succeeded"; bad=1; }
	[ "$seen1" = "$seen0" ] || { ktap_print_msg "seen went $seen0 -> $seen1: a failed load reached COMING"; bad=1; }
	rv_try_load "$B/rustver_storm_01.ko" rustver_storm_01 refuse \
		"rustver_storm_01: crate kernel[" "built against 0x" "running kernel has 0x" || bad=1
	return $bad
}
ktap_test_result "2,000 loads failing before COMING, then a B-built module: refused with crate and both CRCs" fail_early

# loading: how many sleepers /proc/modules shows in the Loading state.
loading() { grep -c '^rustver_sleep_[0-9]* .* Loading ' /proc/modules; }

in_flight() {
	rv_verifier_fresh || return 1
	dmesg -c >/dev/null
	n=0
	for m in $SLEEPERS; do
		n=$((n + 1))
		(
			insmod "$A/$m.ko" ms="$SLEEP_MS" >"$tmp/$m.out" 2>&1
			echo $? >"$tmp/$m.rc"
		) &
	done
	[ "$n" -eq 100 ] || { ktap_print_msg "expected 100 sleeper modules, have $n"; return 1; }
	i=0
	while [ "$(loading)" -lt 100 ] && [ $i -lt 200 ]; do
		i=$((i + 1))
		usleep 50000
	done
	at_once=$(loading)
	ktap_print_msg "$at_once sleepers in flight when the B-built module is loaded"
	out=$(insmod "$B/rustver_storm_01.ko" 2>&1)
	brc=$?
	good_out=$(insmod "$A/rustver_storm_00.ko" 2>&1)
	grc=$?
	wait
	bad=0
	[ "$at_once" -ge 65 ] || { ktap_print_msg "only $at_once loads in flight at once (need more than 64): raise RV_SLEEP_MS"; bad=1; }
	if [ "$brc" -eq 0 ] || ! printf '%s\n' "$out" | grep -qi "invalid module format"; then
		ktap_print_msg "B-built rustver_storm_01 was not refused with ENOEXEC (exit $brc: $out)"
		bad=1
	fi
	rv_loaded rustver_storm_01 && { ktap_print_msg "rustver_storm_01 is loaded"; bad=1; }
	rv_rustver_lines | grep -qF "rustver_storm_01: refused (policy=enforce)" ||
		{ ktap_print_msg "no 'rustver_storm_01: refused (policy=enforce)' line"; bad=1; }
	[ "$grc" -eq 0 ] && rv_loaded rustver_storm_00 ||
		{ ktap_print_msg "A-built rustver_storm_00 did not load (exit $grc: $good_out)"; bad=1; }
	failed=0
	for m in $SLEEPERS; do
		[ "$(cat "$tmp/$m.rc" 2>/dev/null)" = 0 ] && rv_loaded "$m" && continue
		failed=$((failed + 1))
		[ $failed -le 3 ] && ktap_print_msg "$m: insmod exit $(cat "$tmp/$m.rc" 2>/dev/null): $(cat "$tmp/$m.out" 2>/dev/null)"
	done
	[ $failed -eq 0 ] || { ktap_print_msg "$failed of 100 sleepers did not load"; bad=1; }
	ktap_print_msg "counters: $(rv_counters)"
	[ "$(cat $RV_SYSFS/unverified)" = 0 ] || { ktap_print_msg "unverified is not 0"; bad=1; }
	[ "$(cat $RV_SYSFS/not_rust)" -ge 100 ] || { ktap_print_msg "fewer than 100 not_rust verdicts: not every sleeper was verified"; bad=1; }
	for m in $SLEEPERS rustver_storm_00; do rv_loaded "$m" && rmmod "$m"; done
	return $bad
}
ktap_test_result "100 loads in flight at once (init sleeps): a B-built one among them is refused, unverified 0" in_flight

# 8 workers, each loading and unloading its own C module (no Rust imports,
# 20,000 relocations: rustver_reloc_N) in a loop, while kmod_rustver is
# removed and inserted 10 times under enforce.
# The kernel's refusals are counted in dmesg (busybox's insmod retries a refused
# finit_module with init_module and would hide the first from its exit status),
# and each worker's failed loads.
c_churn() {
	rv_verifier_fresh || return 1
	dmesg -c >/dev/null
	: >"$tmp/stop"
	rm -f "$tmp/stop"
	w=0
	for m in rustver_reloc_0 rustver_reloc_1 rustver_reloc_2 rustver_reloc_3 \
		rustver_reloc_4 rustver_reloc_5 rustver_reloc_6 rustver_reloc_7; do
		[ -f "$A/$m.ko" ] || { ktap_print_msg "$A/$m.ko is missing"; return 1; }
		w=$((w + 1))
		(
			loads=0 fails=0
			while [ ! -e "$tmp/stop" ]; do
				if insmod "$A/$m.ko" 2>>"$tmp/$m.err"; then
					loads=$((loads + 1))
					rmmod "$m"
				else
					fails=$((fails + 1))
				fi
			done
			echo "$loads $fails" >"$tmp/$m.churn"
		) &
	done
	i=0 cycles=0
	while [ $i -lt 10 ]; do
		i=$((i + 1))
		rmmod kmod_rustver && modprobe kmod_rustver policy=enforce && cycles=$((cycles + 1))
	done
	touch "$tmp/stop"
	wait
	bad=0
	total=0 tfails=0
	for f in "$tmp"/*.churn; do
		read -r l f2 <"$f"
		total=$((total + l))
		tfails=$((tfails + f2))
	done
	refusals=$(rv_rustver_lines | grep -c 'rustver_reloc_[0-9]*: refused' || true)
	ktap_print_msg "$w workers, $cycles verifier cycles: $total C loads, $tfails failed, $refusals refusals in dmesg"
	[ "$cycles" -eq 10 ] || { ktap_print_msg "kmod_rustver was not removed and inserted 10 times"; bad=1; }
	[ "$tfails" -eq 0 ] || { ktap_print_msg "C module loads failed: $(cat "$tmp"/*.err | head -3)"; bad=1; }
	[ "$refusals" -eq 0 ] || { ktap_print_msg "the kernel refused C modules"; bad=1; }
	[ "$total" -ge 8 ] || { ktap_print_msg "only $total C loads ran"; bad=1; }
	rv_verifier_up
	return $bad
}
ktap_test_result "8 workers load C modules of 20,000 relocations while kmod_rustver is removed and inserted 10 times: none refused" c_churn

policy_off() {
	rv_verifier_fresh || return 1
	echo off >"$RV_PARAMS/policy" || return 1
	bad=0
	u0=$(cat "$RV_SYSFS/unverified")
	rv_try_load "$B/rustver_storm_01.ko" rustver_storm_01 accept || bad=1
	rv_loaded rustver_storm_01 && rmmod rustver_storm_01
	u1=$(cat "$RV_SYSFS/unverified")
	[ "$u1" = $((u0 + 1)) ] || { ktap_print_msg "unverified went $u0 -> $u1, expected +1"; bad=1; }
	grep -q 'rustver_storm_01 unverified-policy-off' "$RV_SYSFS/last_verdicts" ||
		{ ktap_print_msg "no 'unverified-policy-off' verdict in last_verdicts"; bad=1; }
	echo enforce >"$RV_PARAMS/policy"
	return $bad
}
ktap_test_result "policy=off: a B-built module loads, counted as unverified" policy_off

escaped() {
	rv_verifier_fresh || return 1
	bad=0
	# shellcheck disable=SC1003 # the backslashes are the kernel's escapes, literally
	rv_try_load "$A/rustver_bad_ctlsym.ko" rustver_bad_ctlsym refuse \
		'rustver_bad_ctlsym: in symbol _RNvC\x01\x1b[31m\x7f\x023foo' \
		"rustver_bad_ctlsym: refused (policy=enforce)" || bad=1
	esc=$(printf '\033')
	if dmesg | grep -q "$esc"; then
		ktap_print_msg "the kernel log holds a raw ESC byte"
		bad=1
	fi
	return $bad
}
ktap_test_result "a bad symbol's control bytes are printed escaped" escaped

# mod->name is the builder's choice: B-built rustver_test_hello renamed to
# "rv ESC [2J BEL LF TAB evil_hell". Refused, and the name appears escaped in
# dmesg, last_verdicts and the trace event; no line starts with the forged tail.
hostile_name() {
	rv_verifier_fresh || return 1
	rv_trace_on || { ktap_print_msg "cannot enable the trace"; return 1; }
	bad=0
	# shellcheck disable=SC1003 # the backslashes are the kernel's escapes, literally
	want='rv\x1b[2J\x07\x0a\x09evil_hell'
	rv_try_load "$B/rustver_evil_name.ko" x refuse "$want: crate kernel[" \
		"$want: refused (policy=enforce)" || bad=1
	grep -q 'evil_hell' /proc/modules && { ktap_print_msg "the renamed module is in /proc/modules"; bad=1; }
	printf '%s\n' "$rv_events" | sed 's/^/#   event: /'
	rv_trace_off
	esc=$(printf '\033')
	if dmesg | grep -q "$esc"; then
		ktap_print_msg "the kernel log holds a raw ESC byte"
		bad=1
	fi
	dmesg | grep -q '^	*evil_hell' && { ktap_print_msg "a kernel log line starts with the forged tail"; bad=1; }
	tail -n 1 "$RV_SYSFS/last_verdicts" | grep -qF "$want refused " ||
		{ ktap_print_msg "last verdict: $(tail -n 1 "$RV_SYSFS/last_verdicts")"; bad=1; }
	printf '%s\n' "$rv_events" | grep -qF "verdict $want refused" ||
		{ ktap_print_msg "no trace event with the escaped name"; bad=1; }
	return $bad
}
ktap_test_result "a module named with control bytes: refused, its name escaped in dmesg, last_verdicts, trace" hostile_name

bounded() {
	rv_verifier_fresh || return 1
	bad=0
	rv_try_load "$A/rustver_bad_crates128.ko" rustver_bad_crates128 refuse \
		"rustver_bad_crates128: crate rvc0000[0]: unknown to the running kernel" \
		"rustver_bad_crates128: and 120 more failing crates" || bad=1
	verdicts=$(printf '%s\n' "$rv_log" | grep -c "rustver_bad_crates128: refused (policy=enforce)")
	lines=$(printf '%s\n' "$rv_log" | grep -c "rustver_bad_crates128: ")
	ktap_print_msg "$verdicts verdicts (load attempts), $lines lines"
	[ "$verdicts" -ge 1 ] || { ktap_print_msg "no verdict line"; bad=1; }
	[ "$lines" -eq $((verdicts * 10)) ] ||
		{ ktap_print_msg "expected 10 lines per verdict (8 crates, a count, the verdict)"; bad=1; }
	return $bad
}
ktap_test_result "a module failing 128 crates gets one bounded verdict (10 lines)" bounded

# core_from DIR WHAT: kmod_rustver and rustver_core unloaded, rustver_engine loaded,
# then DIR/rustver_core.ko (a variant of the crate table, WHAT) inserted; the kernel
# log emptied first.
core_from() {
	[ -f "$1/rustver_core.ko" ] || { ktap_print_msg "no $2 rustver_core in the test data"; return 1; }
	if rv_loaded kmod_rustver; then rv_run rmmod kmod_rustver || return 1; fi
	if rv_loaded rustver_core; then rv_run rmmod rustver_core || return 1; fi
	rv_loaded rustver_engine || rv_run modprobe rustver_engine || return 1
	dmesg -c >/dev/null
	rv_run insmod "$1/rustver_core.ko"
}

crates200() {
	big=$RUSTVER_DATA/kmod-a200
	core_from "$big" 200-crate || return 1
	bad=0
	size=$(wc -c <"$RV_SYSFS/crates")
	grep -v '^#' "$RV_SYSFS/crates" >"$tmp/sysfs"
	grep -v '^#' "$big/table-200" >"$tmp/want"
	ktap_print_msg "$RV_SYSFS/crates: $size bytes, $(wc -l <"$tmp/sysfs") crate lines"
	cmp -s "$tmp/sysfs" "$tmp/want" || {
		ktap_print_msg "the crate lines differ from table-200:"
		diff "$tmp/want" "$tmp/sysfs" | head -n 5 | sed 's/^/#   /'
		bad=1
	}
	[ "$size" -gt 4096 ] || { ktap_print_msg "the table is not larger than a page: the test proves nothing"; bad=1; }
	rv_run "$RUSTVER" table --table "$RV_SYSFS/crates" -o "$tmp/parsed" ||
		{ ktap_print_msg "rustver cannot read the 200-crate table"; bad=1; }
	[ "$(grep -vc '^#' "$tmp/parsed")" = 200 ] || { ktap_print_msg "rustver read $(grep -vc '^#' "$tmp/parsed") crates, not 200"; bad=1; }
	# The helper takes a CRC of exactly 8 hex digits: a line cut short is refused.
	sed -n '/^#/p' "$RV_SYSFS/crates" >"$tmp/short"
	grep -v '^#' "$RV_SYSFS/crates" | head -n 1 | sed 's/\(0x....\).*/\1/' >>"$tmp/short"
	if "$RUSTVER" table --table "$tmp/short" >/dev/null 2>"$tmp/err"; then
		ktap_print_msg "rustver accepted a 4-digit CRC: $(tail -n 1 "$tmp/short")"
		bad=1
	else
		grep -q "exactly 8 hex digits" "$tmp/err" || { ktap_print_msg "unexpected error: $(cat "$tmp/err")"; bad=1; }
	fi
	rv_run rmmod rustver_core || bad=1
	rv_verifier_up || bad=1
	return $bad
}
ktap_test_result "/sys/kernel/rustver/crates holds a 200-crate table whole" crates200

# rustver_core made from a table without a build ID (as from installed headers
# without vmlinux): nothing but release and UTS version ties it to this build.
untied() {
	core_from "$RUSTVER_DATA/kmod-anobid" build-ID-less || return 1
	rv_run modprobe kmod_rustver policy=enforce || return 1
	bad=0
	grep -q '^# build-id: ' "$RV_SYSFS/crates" && { ktap_print_msg "the table names a build ID: the case proves nothing"; bad=1; }
	rv_log=$(rv_rustver_lines)
	printf '%s\n' "$rv_log" | sed 's/^/#   /'
	for text in "rustver_core: crate table names no build ID" \
		"kmod_rustver: the crate table names no vmlinux build ID: Rust modules are not judged"; do
		printf '%s\n' "$rv_log" | grep -qF "$text" || { ktap_print_msg "dmesg lacks '$text'"; bad=1; }
	done
	# A C module: never refused because of rustver.
	rv_try_load "$A/rustver_test_c.ko" rustver_test_c accept || bad=1
	# An A-built, stamped Rust module that passes on a tied table: not judged.
	rv_try_load "$A/rustver_test_hello.ko" rustver_test_hello refuse \
		"rustver_test_hello: cannot judge: the crate table names no vmlinux build ID" \
		"rustver_test_hello: refused (policy=enforce): make rustver_core's table from a tree with vmlinux" || bad=1
	tail -n 1 "$RV_SYSFS/last_verdicts" | grep -q '^rustver_test_hello refused-table-untied ' ||
		{ ktap_print_msg "last verdict: $(tail -n 1 "$RV_SYSFS/last_verdicts")"; bad=1; }
	echo 1 >"$RV_PARAMS/table_without_build_id" || { ktap_print_msg "cannot set table_without_build_id"; bad=1; }
	rv_try_load "$A/rustver_test_hello.ko" rustver_test_hello accept || bad=1
	echo 0 >"$RV_PARAMS/table_without_build_id"
	rv_run rmmod kmod_rustver || bad=1
	rv_run rmmod rustver_core || bad=1
	rv_verifier_up || bad=1
	return $bad
}
ktap_test_result "a table without a build ID: Rust modules refused as not judged, C loads; table_without_build_id=1 accepts" untied

if [ "${CHAIN_CASE:-0}" = 1 ]; then
	chain() {
		rv_verifier_fresh || return 1
		rv_try_load "$A/rustver_bad_chain.ko" rustver_bad_chain refuse \
			"nests too deeply" "rustver_bad_chain: refused (policy=enforce)"
	}
	ktap_test_result "a weak import with a 100-link v0 backref chain is refused, explained" chain
fi

ktap_finished
