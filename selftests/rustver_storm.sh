#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Concurrent loads. 32 small Rust modules with distinct names (rustver_storm_NN: even
# NN built and stamped against kernel A, odd NN against tree B) are insmod'ed all at
# once, from 32 tasks:
#  - under policy=enforce each gets its own verdict: the A ones load, the B ones are
#    refused (exit status, /proc/modules, trace events, counters), as `rustver check`
#    predicted;
#  - then again while kmod_rustver is removed in the middle of it: no oops (the
#    runner watches the console), and afterwards loads are no longer checked.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods 5
tmp=${TMPDIR:-/tmp}/rustver_storm.$$
mkdir -p "$tmp"
trap 'rv_trace_off; rm -rf "$tmp"' EXIT

ALL=$(printf "%s\n" $STORM_GOOD $STORM_BAD | sort | tr "\n" " ")
file_of() {
	case " $STORM_GOOD " in *" $1 "*) echo "$RUSTVER_DATA/a/$1.ko" ;; *) echo "$RUSTVER_DATA/b/$1.ko" ;; esac
}
expect_of() {
	case " $STORM_GOOD " in *" $1 "*) echo accept ;; *) echo refuse ;; esac
}
unload_all() {
	for m in $ALL; do rv_loaded "$m" && rmmod "$m"; done
}

# storm: start one insmod per module in the background; rc and output in $tmp.
storm() {
	rm -f "$tmp"/*.rc "$tmp"/*.out
	for m in $ALL; do
		(
			insmod "$(file_of "$m")" >"$tmp/$m.out" 2>&1
			echo $? >"$tmp/$m.rc"
		) &
	done
}

predicted() {
	n=0 bad=0
	for m in $ALL; do
		n=$((n + 1))
		p=$(rv_predict "$(file_of "$m")")
		[ "$p" = "$(expect_of "$m")" ] && continue
		ktap_print_msg "rustver check predicts '$p' for $m"
		bad=1
	done
	ktap_print_msg "$n modules: $(echo $STORM_GOOD | wc -w) built against A, $(echo $STORM_BAD | wc -w) against B"
	[ "$n" -eq 32 ] || { ktap_print_msg "expected 32 storm modules"; bad=1; }
	return $bad
}
ktap_test_result "rustver check (default table) predicts each storm module's verdict" predicted

concurrent() {
	rv_verifier_fresh || return 1
	rv_trace_on || return 1
	dmesg -c >/dev/null
	storm
	wait
	ev=$(rv_trace_take)
	bad=0 ok=0
	for m in $ALL; do
		rc=$(cat "$tmp/$m.rc" 2>/dev/null || echo none)
		exp=$(expect_of "$m")
		verdicts=$(printf '%s\n' "$ev" | grep "^verdict $m " | cut -d' ' -f3 | sort -u | tr '\n' ' ')
		if [ "$exp" = accept ]; then
			[ "$rc" = 0 ] && rv_loaded "$m" && [ "$verdicts" = "pass " ] && { ok=$((ok + 1)); continue; }
		else
			[ "$rc" != 0 ] && ! rv_loaded "$m" && [ "$verdicts" = "refused " ] &&
				grep -qi "invalid module format" "$tmp/$m.out" && { ok=$((ok + 1)); continue; }
		fi
		ktap_print_msg "$m: expected $exp; insmod exit $rc ($(cat "$tmp/$m.out" 2>/dev/null)), loaded: $(rv_loaded "$m" && echo yes || echo no), verdicts: $verdicts"
		bad=1
	done
	ktap_print_msg "$ok of 32 got their own right verdict; counters: $(rv_counters)"
	npass=$(printf '%s\n' "$ev" | grep -c '^verdict [^ ]* pass ')
	nref=$(printf '%s\n' "$ev" | grep -c '^verdict [^ ]* refused ')
	[ "$(cat "$RV_SYSFS/passed")" = "$npass" ] && [ "$(cat "$RV_SYSFS/refused")" = "$nref" ] &&
		[ "$(cat "$RV_SYSFS/checked")" = $((npass + nref)) ] && [ "$(cat "$RV_SYSFS/unverified")" = 0 ] &&
		[ "$(cat "$RV_SYSFS/errors")" = 0 ] ||
		{ ktap_print_msg "counters do not match the $npass pass and $nref refused events"; bad=1; }
	# Every B-built module explained by name.
	for m in $STORM_BAD; do
		dmesg | grep -qF "rustver: $m: refused (policy=enforce)" && continue
		# Rate limiting (20 lines per 5 s) may drop some explanations; not the verdict.
		ktap_print_msg "(no dmesg verdict line for $m: rate-limited)"
	done
	unload_all
	return $bad
}
ktap_test_result "32 concurrent loads, A and B mixed: each gets its own right verdict" concurrent

# finished: how many storm insmods have written their exit status.
finished() {
	n=0
	for f in "$tmp"/rustver_storm_*.rc; do [ -e "$f" ] && n=$((n + 1)); done
	echo $n
}

rmmod_midway() {
	rv_verifier_up || return 1
	dmesg -c >/dev/null
	rm -f "$tmp"/*.rc "$tmp"/*.out
	# rmmod runs as one more background task, once 4 of the 32 insmods are done.
	(
		i=0
		while [ $i -lt 500 ] && [ "$(finished)" -lt 4 ]; do
			i=$((i + 1))
			usleep 2000
		done
		finished >"$tmp/rmmod.before"
		rmmod kmod_rustver
		echo $? >"$tmp/rmmod.status"
	) &
	for m in $ALL; do
		(
			insmod "$(file_of "$m")" >"$tmp/$m.out" 2>&1
			echo $? >"$tmp/$m.rc"
		) &
	done
	wait
	rc=$(cat "$tmp/rmmod.status")
	done_before=$(cat "$tmp/rmmod.before")
	ktap_print_msg "rmmod kmod_rustver started with $done_before of 32 insmods finished, exit $rc"
	loaded=$(grep -c '^rustver_storm_' /proc/modules)
	ktap_print_msg "$loaded storm modules loaded; kernel log:"
	rv_rustver_lines | grep -v ': refused (policy=enforce)\|: crate ' | sed 's/^/#   /'
	bad=0
	[ "$rc" -eq 0 ] || { ktap_print_msg "rmmod kmod_rustver failed"; bad=1; }
	rv_loaded kmod_rustver && { ktap_print_msg "kmod_rustver is still loaded"; bad=1; }
	[ -e "$RV_SYSFS/checked" ] && { ktap_print_msg "$RV_SYSFS/checked is still there"; bad=1; }
	rv_rustver_lines | grep -qF "rustver: stopped: module loads are no longer verified" ||
		{ ktap_print_msg "no 'stopped' line"; bad=1; }
	[ "$done_before" -lt 32 ] || { ktap_print_msg "every insmod had finished before rmmod began: no overlap"; bad=1; }
	refused=0
	for m in $STORM_BAD; do rv_loaded "$m" || refused=$((refused + 1)); done
	ktap_print_msg "B-built: $refused refused while kmod_rustver was there, $((16 - refused)) loaded after"
	for m in $STORM_GOOD; do
		rv_loaded "$m" || { ktap_print_msg "A-built $m did not load"; bad=1; }
	done
	unload_all
	return $bad
}
ktap_test_result "rmmod kmod_rustver during a load storm: clean unload, no oops" rmmod_midway

unchecked_after() {
	rv_loaded kmod_rustver && { ktap_print_msg "kmod_rustver is loaded"; return 1; }
	rv_try_load "$RUSTVER_DATA/b/rustver_storm_01.ko" rustver_storm_01 accept
}
ktap_test_result "after rmmod kmod_rustver loads are no longer checked: a B-built module loads" \
	unchecked_after

ktap_finished
