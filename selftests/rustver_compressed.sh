#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A compressed module loaded through finit_module(MODULE_INIT_COMPRESSED_FILE), the
# kernel decompressing it (CONFIG_MODULE_DECOMPRESS), is verified on the decompressed
# image. kmod 34.2 never asks for in-kernel decompression here (rustver_load.sh), so
# ./finit (tools/finit.c) makes the one syscall itself, without any retry. A kprobe
# on module_decompress() shows the kernel did decompress it.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

rv_begin_kmods 3
xz=$RUSTVER_DATA/xz
trap 'rv_trace_off; echo "-:rustver_decompress" >>"$RV_TRACING/kprobe_events" 2>/dev/null' EXIT

compression() {
	c=$(cat /sys/module/compression 2>/dev/null)
	ktap_print_msg "/sys/module/compression: ${c:-absent}"
	[ "$c" = xz ] || return 1
	rv_verifier_up || return 1
	rv_trace_on || return 1
	echo "p:rustver_decompress module_decompress" >>"$RV_TRACING/kprobe_events" &&
		echo 1 >"$RV_TRACING/events/kprobes/rustver_decompress/enable"
}
ktap_test_result "the kernel decompresses xz modules; kmod_rustver is loaded" compression

# finit_case FILE EXPECT VERDICT [TEXT...]
finit_case() {
	f=$1 expect=$2 verdict=$3
	shift 3
	dmesg -c >/dev/null
	out=$("$DIR/finit" "$f" 2>&1)
	rc=$?
	[ -n "$out" ] && ktap_print_msg "$out"
	trace=$(cat "$RV_TRACING/trace")
	: >"$RV_TRACING/trace"
	log=$(rv_rustver_lines)
	[ -n "$log" ] && printf '%s\n' "$log" | sed 's/^/#   /'
	dec=$(printf '%s\n' "$trace" | grep -c 'rustver_decompress:')
	att=$(printf '%s\n' "$trace" | grep -c 'rustver_attempt:')
	ev=$(printf '%s\n' "$trace" | sed -n 's/.* rustver_verdict: //p')
	ktap_print_msg "finit exit $rc; load attempts $att, in-kernel decompressions $dec; event: $ev"
	bad=0
	[ "$dec" -eq 1 ] && [ "$att" -eq 1 ] ||
		{ ktap_print_msg "expected one attempt with one in-kernel decompression"; bad=1; }
	case "$ev" in
	"module=rustver_test_hello verdict=$verdict crates=2 "*) ;;
	*) ktap_print_msg "expected one event 'module=rustver_test_hello verdict=$verdict crates=2'"; bad=1 ;;
	esac
	grep -q "^rustver_test_hello $verdict crates=2 rust_imports=[1-9]" "$RV_SYSFS/last_verdicts" ||
		{ ktap_print_msg "last_verdicts does not end with it"; bad=1; }
	if [ "$expect" = accept ]; then
		[ "$rc" -eq 0 ] && rv_loaded rustver_test_hello || { ktap_print_msg "not loaded"; bad=1; }
		[ -z "$log" ] || bad=1
	else
		[ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q "Exec format error" ||
			{ ktap_print_msg "expected ENOEXEC"; bad=1; }
		rv_loaded rustver_test_hello && { ktap_print_msg "loaded"; bad=1; }
	fi
	for text in "$@"; do
		printf '%s\n' "$log" | grep -qF -- "$text" || { ktap_print_msg "no '$text'"; bad=1; }
	done
	rv_loaded rustver_test_hello && rmmod rustver_test_hello
	return $bad
}

ktap_test_result "A-built rustver_test_hello.ko.xz via finit_module(COMPRESSED_FILE): verified on the decompressed image, passes" \
	finit_case "$xz/a/rustver_test_hello.ko.xz" accept pass
ktap_test_result "B-built rustver_test_hello.ko.xz via finit_module(COMPRESSED_FILE): refused with the crate message" \
	finit_case "$xz/b/rustver_test_hello.ko.xz" refuse refused \
	"rustver_test_hello: crate kernel[" "rustver_test_hello: refused (policy=enforce)"

ktap_finished
