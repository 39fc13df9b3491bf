#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmod_rustver, the load-time verifier, under policy=enforce on kernel A. Each case
# loads one module with the real insmod/modprobe and checks the outcome, the kernel
# log, the trace event rustver:rustver_verdict and that `rustver check` with its
# default table (the running kernel's /sys/kernel/rustver/crates) predicted the
# kernel's verdict. The last cases compare the /sys/kernel/rustver counters with
# what the load attempts (a kprobe on load_module) and verdict events recorded.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods
n=0
for m in $RUST_MODULES; do n=$((n + 3)); done
ktap_set_plan $((n + 12))
a=$RUSTVER_DATA/a
b=$RUSTVER_DATA/b
tmp=${TMPDIR:-/tmp}/rustver_verifier.$$
mkdir -p "$tmp"
trap 'rv_trace_off; rm -rf "$tmp"' EXIT

modprobe_all() {
	for m in kmod_rustver rustver_core rustver_engine; do
		rv_loaded "$m" && rmmod "$m"
	done
	dmesg -c >/dev/null
	rv_run modprobe kmod_rustver || return 1
	for m in rustver_engine rustver_core kmod_rustver; do
		rv_loaded "$m" || { ktap_print_msg "$m not in /proc/modules"; return 1; }
	done
	rv_rustver_lines | sed 's/^/#   /'
	rv_rustver_lines | grep -q "verifying Rust imports of loading modules against [0-9]* crates, policy=enforce" ||
		{ ktap_print_msg "no 'verifying Rust imports' line"; return 1; }
	[ "$(cat "$RV_PARAMS/policy")" = enforce ] ||
		{ ktap_print_msg "policy is $(cat "$RV_PARAMS/policy"), not enforce by default"; return 1; }
	rv_trace_on || { ktap_print_msg "cannot enable the trace events"; return 1; }
}
ktap_test_result "modprobe kmod_rustver loads rustver_engine, rustver_core and kmod_rustver (policy=enforce)" \
	modprobe_all
if ! rv_loaded kmod_rustver; then
	ktap_print_msg "without kmod_rustver nothing else here can pass"
	ktap_finished
fi

# Bookkeeping for the counter cases: every load attempt (kprobe) and verdict event.
: >"$tmp/events"
not_rust=0
mismatches=0
predictions=0

# load_case FILE NAME EXPECT VERDICT [TEXT...]: rv_try_load, then: rustver check
# predicted EXPECT; the trace shows one verdict event VERDICT for NAME per load
# attempt (none when VERDICT is "-": no Rust imports, counted not_rust per attempt).
load_case() {
	lc_file=$1 lc_name=$2 lc_expect=$3 lc_verdict=$4
	shift 4
	lc_pred=$(rv_predict "$lc_file")
	rv_try_load "$lc_file" "$lc_name" "$lc_expect" "$@"
	lc_bad=$?
	predictions=$((predictions + 1))
	if [ "$lc_pred" != "$lc_expect" ]; then
		ktap_print_msg "rustver check predicted '$lc_pred', the kernel's verdict is '$lc_expect'"
		mismatches=$((mismatches + 1))
		lc_bad=1
	fi
	printf '%s\n' "$rv_events" | grep '^verdict' >>"$tmp/events"
	lc_att=$(printf '%s\n' "$rv_events" | grep -c '^attempt')
	lc_ver=$(printf '%s\n' "$rv_events" | grep -c '^verdict')
	ktap_print_msg "load attempts $lc_att, verdict events $lc_ver: $(printf '%s\n' "$rv_events" | grep '^verdict' | tr '\n' ';')"
	if [ "$lc_verdict" = - ]; then
		not_rust=$((not_rust + lc_att))
		[ "$lc_ver" -eq 0 ] || { ktap_print_msg "a module without Rust imports got a verdict event"; lc_bad=1; }
	else
		[ "$lc_ver" -ge 1 ] && [ "$lc_ver" -eq "$lc_att" ] ||
			{ ktap_print_msg "expected one verdict event per load attempt"; lc_bad=1; }
		if printf '%s\n' "$rv_events" | grep '^verdict' | grep -qv "^verdict $lc_name $lc_verdict "; then
			ktap_print_msg "expected only 'verdict $lc_name $lc_verdict' events"
			lc_bad=1
		fi
	fi
	return $lc_bad
}

# The kernel crate's CRC in A's table, and the crate line a B-built module gets.
kernel_a=$(sed -n 's/^kernel\[[0-9a-f]*\] 0x\([0-9a-f]*\)$/\1/p' "$RUSTVER_DATA/table-a")
kernel_dis=$(sed -n 's/^kernel\[\([0-9a-f]*\)\] .*/\1/p' "$RUSTVER_DATA/table-a")
b_refused() {
	load_case "$b/$1.ko" "$1" refuse refused \
		"$1: crate kernel[$kernel_dis]: built against 0x" \
		", running kernel has 0x$kernel_a (" \
		"$1: refused (policy=enforce): rebuild against this kernel's build tree and run 'rustver stamp'" ||
		return 1
	# Both CRCs: B's (from the module's stamp) and A's.
	b_crc=$("$RUSTVER" show "$b/$1.ko" | sed -n 's/^  kernel\[[0-9a-f]*\] 0x\([0-9a-f]*\)$/\1/p')
	[ -n "$b_crc" ] && [ "$b_crc" != "$kernel_a" ] ||
		{ ktap_print_msg "the B stamp's kernel CRC is '$b_crc'"; return 1; }
	printf '%s\n' "$rv_log" | grep -qF "crate kernel[$kernel_dis]: built against 0x$b_crc, running kernel has 0x$kernel_a" ||
		{ ktap_print_msg "no line with both CRCs 0x$b_crc and 0x$kernel_a"; return 1; }
}

for m in $RUST_MODULES; do
	ktap_test_result "A-built stamped $m loads (insmod), dmesg quiet" \
		load_case "$a/$m.ko" "$m" accept pass
done

modprobe_quiet() {
	dmesg -c >/dev/null
	rv_run modprobe "$1" || return 1
	log=$(rv_rustver_lines)
	ev=$(rv_trace_take | grep '^verdict')
	printf '%s\n' "$ev" >>"$tmp/events"
	rv_loaded "$1" || { ktap_print_msg "$1 not in /proc/modules"; return 1; }
	rv_run modprobe -r "$1" || return 1
	[ -z "$log" ] || { ktap_print_msg "rustver lines in dmesg:"; printf '%s\n' "$log" | sed 's/^/#   /'; return 1; }
	# .ko.xz: kmod's finit_module attempt fails before the check, init_module passes.
	[ "$ev" = "verdict $1 pass $(echo "$ev" | cut -d' ' -f4)" ] ||
		{ ktap_print_msg "expected one pass verdict event, got: $ev"; return 1; }
}
for m in $RUST_MODULES; do
	ktap_test_result "A-built stamped $m loads by name (modprobe), dmesg quiet" modprobe_quiet "$m"
done

for m in $RUST_MODULES; do
	ktap_test_result "B-built $m is refused: ENOEXEC, crate kernel[...] with both CRCs, not in /proc/modules" \
		b_refused "$m"
done

ktap_test_result "unstamped out-of-tree Rust module refused under enforce" \
	load_case "$a/rustver_test_unstamped.ko" rustver_test_unstamped refuse refused \
	"rustver_test_unstamped: crate kernel[$kernel_dis]: not in the module's stamp, running kernel has 0x$kernel_a" \
	"rustver_test_unstamped: refused (policy=enforce): out-of-tree Rust modules need a stamp"

warn_case() {
	echo warn >"$RV_PARAMS/policy" || return 1
	# Accepted under warn; rustver check still predicts the enforce verdict.
	rv_try_load "$a/rustver_test_unstamped.ko" rustver_test_unstamped accept \
		"rustver_test_unstamped: crate kernel[$kernel_dis]: not in the module's stamp" \
		"rustver_test_unstamped: loaded anyway (policy=warn): out-of-tree Rust modules need a stamp"
	rc=$?
	echo enforce >"$RV_PARAMS/policy" || return 1
	printf '%s\n' "$rv_events" | grep '^verdict' >>"$tmp/events"
	printf '%s\n' "$rv_events" | grep -q '^verdict rustver_test_unstamped warned ' ||
		{ ktap_print_msg "no 'warned' verdict event"; return 1; }
	return $rc
}
ktap_test_result "unstamped out-of-tree Rust module loads with a warning under warn" warn_case

malformed_case() {
	load_case "$a/rustver_test_malformed.ko" rustver_test_malformed refuse refused-malformed \
		"rustver_test_malformed: malformed stamp: " \
		"rustver_test_malformed: refused (policy=enforce): the module's stamp or symbols are malformed" || return 1
	printf '%s\n' "$rv_log" | grep -q "rustver_test_malformed: crate " &&
		{ ktap_print_msg "a malformed stamp must not be read as crates"; return 1; }
	return 0
}
ktap_test_result "malformed stamp in a valid module: refused with its own message" malformed_case

ktap_test_result "C module without Rust imports: untouched, no message, no verdict event" \
	load_case "$a/rustver_test_c.ko" rustver_test_c accept -

ktap_test_result "mixed C module importing Rust symbols (A-built, stamped --unverified): checked, passes as pass-unverified-stamp" \
	load_case "$a/rustver_test_c_rust.ko" rustver_test_c_rust accept pass-unverified-stamp

ktap_test_result "mixed C module, B-built and B-stamped: checked, refused" \
	load_case "$b/rustver_test_c_rust.ko" rustver_test_c_rust refuse refused \
	"rustver_test_c_rust: crate kernel[$kernel_dis]: built against 0x" \
	"rustver_test_c_rust: refused (policy=enforce)"

predicted() {
	ktap_print_msg "$predictions verdicts, $mismatches mispredicted"
	[ "$predictions" -gt 0 ] && [ "$mismatches" -eq 0 ]
}
ktap_test_result "rustver check with the default table (sysfs) predicted every verdict" predicted

# Every counter follows from the verdict events (one per verified attempt of a module
# with Rust imports) and the not_rust attempts; nothing went unverified.
counters_match() {
	ktap_print_msg "counters: $(rv_counters)"
	count() { grep -c "^verdict [^ ]* $1 " "$tmp/events"; }
	total=$(grep -c '^verdict' "$tmp/events")
	pass=$(($(count pass) + $(count pass-unverified-stamp)))
	# the one module stamped --unverified (no rustc build records): every verdict on it
	weak=$(grep -c '^verdict rustver_test_c_rust ' "$tmp/events")
	refused=$(count refused) refm=$(count refused-malformed)
	warned=$(count warned) warnm=$(count warned-malformed) intree=$(count intree-unstamped)
	bad=0
	for want in "checked $((total + not_rust))" "passed $pass" "refused $((refused + refm))" \
		"warned $((warned + warnm))" "intree_unstamped $intree" "not_rust $not_rust" \
		"unverified 0" "errors $((refm + warnm))" "unverified_stamps $weak"; do
		got=$(cat "$RV_SYSFS/${want% *}")
		[ "$got" = "${want#* }" ] && continue
		ktap_print_msg "${want% *} is $got, expected ${want#* }"
		bad=1
	done
	[ "$pass" -gt 0 ] && [ "$refused" -gt 0 ] && [ "$refm" -gt 0 ] && [ "$warned" -gt 0 ] &&
		[ "$not_rust" -gt 0 ] || { ktap_print_msg "some verdict kind never happened"; bad=1; }
	return $bad
}
ktap_test_result "counters match the load attempts and verdict events; unverified is 0" counters_match

timing_and_last() {
	total=$(grep -c '^verdict' "$tmp/events")
	(cd "$RV_SYSFS/verify_time" && grep . count p50_ns p99_ns max_ns) | sed 's/^/#   verify_time\//'
	sed 's/^/#   last_verdicts: /' "$RV_SYSFS/last_verdicts"
	# One number per file (sysfs: one value per attribute).
	set --
	for f in count p50_ns p99_ns max_ns; do
		v=$(cat "$RV_SYSFS/verify_time/$f") || { ktap_print_msg "no verify_time/$f"; return 1; }
		case $v in
		'' | *[!0-9]*) ktap_print_msg "verify_time/$f is '$v', not one number"; return 1 ;;
		esac
		set -- "$@" "$v"
	done
	[ "$1" -eq "$total" ] || { ktap_print_msg "count $1, verdict events $total"; return 1; }
	[ "$2" -gt 0 ] && [ "$2" -le "$3" ] && [ "$3" -le "$4" ] ||
		{ ktap_print_msg "expected 0 < p50 <= p99 <= max"; return 1; }
	# The last 16 verdicts, oldest first: the tail of the events, in order.
	tail -n 16 "$tmp/events" | awk '{ print $2, $3, "crates=" $4 }' >"$tmp/want"
	awk '{ print $1, $2, $3 }' "$RV_SYSFS/last_verdicts" >"$tmp/got"
	cmp -s "$tmp/want" "$tmp/got" && return 0
	ktap_print_msg "last_verdicts (<) and the trace events (>) differ:"
	diff "$tmp/got" "$tmp/want" | sed 's/^/#   /'
	return 1
}
ktap_test_result "verify_time/ has count, p50_ns, p99_ns, max_ns; last_verdicts lists the modules in order" \
	timing_and_last

ktap_finished
