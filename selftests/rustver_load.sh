#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload the rustver test modules on kernel A, with the real kmod tools.
#  - Modules built against A (two Rust, one plain C, one C importing Rust symbols by
#    mangled name) load with modprobe by name and unload with modprobe -r.
#  - The problem rustver exists for: Rust modules built against tree B (another
#    `kernel` crate interface, same symbol names) ALSO load on A, because nothing in
#    the kernel checks them. Their pr_info! lines then print the wrong text.
#    (Once the rustver verifier is loaded these loads become refusals.)
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

ktap_print_header
if ! why=$(rv_require_data); then
	ktap_skip_all "$why"
	exit "$KSFT_SKIP"
fi
. "$RUSTVER_DATA/modules.env"

n=0
for m in $RUST_MODULES $C_MODULES; do n=$((n + 1)); done
for m in $RUST_MODULES; do n=$((n + 1)); done
ktap_set_plan $((n + 2))
ktap_print_msg "$(kmod --version 2>&1 | head -n1), kernel decompresses: $(cat /sys/module/compression 2>/dev/null || echo nothing)"

# The load path of a distribution: modprobe opens the .ko.xz and calls finit_module().
# Kprobes count the finit_module() calls, the load_module() attempts and the in-kernel
# decompressions. Measured with trixie's kmod 34.2 on this kernel: finit_module() gets
# the file without MODULE_INIT_COMPRESSED_FILE, fails ("Invalid ELF header magic"),
# and kmod retries with init_module() on the image it decompressed itself, so one
# modprobe makes two load_module() attempts. The test asserts the finit_module() path
# and the load; the counts are reported for the verifier's per-attempt accounting.
tracing=/sys/kernel/tracing
# The syscall's entry point is per architecture (x86_64 and arm64 are tested).
case "$(uname -m)" in
aarch64) sys_finit=__arm64_sys_finit_module ;;
*) sys_finit=__x64_sys_finit_module ;;
esac
probes="finit:$sys_finit load:load_module decompress:module_decompress"
modprobe_xz_path() {
	[ -w "$tracing/kprobe_events" ] || { ktap_print_msg "no $tracing/kprobe_events"; return 1; }
	for p in $probes; do
		echo "p:rustver_${p%%:*} ${p#*:}" >>"$tracing/kprobe_events" ||
			{ ktap_print_msg "cannot kprobe ${p#*:}"; return 1; }
		echo 1 >"$tracing/events/kprobes/rustver_${p%%:*}/enable"
	done
	echo 1 >"$tracing/tracing_on"
	: >"$tracing/trace"
	rv_modprobe_cycle rustver_test_c
	rc=$?
	# Read the trace before removing any probe: removing one clears the buffer.
	trace=$(cat "$tracing/trace")
	for p in $probes; do
		n=$(printf '%s\n' "$trace" | grep -c "rustver_${p%%:*}:")
		eval "hits_${p%%:*}=$n"
		echo 0 >"$tracing/events/kprobes/rustver_${p%%:*}/enable"
		echo "-:rustver_${p%%:*}" >>"$tracing/kprobe_events"
	done
	# shellcheck disable=SC2154 # hits_* are set by the eval above
	ktap_print_msg "modprobe rustver_test_c (.ko.xz): finit_module calls $hits_finit," \
		"load_module attempts $hits_load, in-kernel decompressions $hits_decompress"
	[ "$rc" -eq 0 ] || return 1
	[ "$hits_finit" -gt 0 ] && return 0
	ktap_print_msg "modprobe never called finit_module()"
	return 1
}
ktap_test_result "modprobe loads rustver_test_c.ko.xz through finit_module()" modprobe_xz_path

for m in $RUST_MODULES $C_MODULES; do
	ktap_test_result "A-built $m loads and unloads on kernel A (modprobe)" rv_modprobe_cycle "$m"
done

for m in $RUST_MODULES; do
	ktap_test_result "B-built $m ALSO loads on kernel A: nothing checks it" \
		rv_insmod_cycle "$RUSTVER_DATA/b/$m.ko" "$m"
	[ "$m" = rustver_test_hello ] && hello_log=$rv_dmesg_log
done

# rustver_test_hello logs "loaded, squares [1, 4, 9, 16] sum 30". Built against B,
# it passes call_printk's arguments in B's order; A reads them in its own and prints
# the module name where the message should be.
expected="rustver_test_hello: loaded, squares [1, 4, 9, 16] sum 30"
desc="B-built rustver_test_hello prints the wrong text on kernel A (mismatched interface)"
if ! printf '%s\n' "${hello_log:-}" | grep -q rustver_test_hello; then
	ktap_test_fail "$desc"
	ktap_print_msg "the B-built rustver_test_hello logged nothing at all:"
	printf '%s\n' "${hello_log:-}" | sed 's/^/#   /'
elif printf '%s\n' "$hello_log" | grep -qF "$expected"; then
	ktap_test_fail "$desc"
	ktap_print_msg "it printed the right text; is tree B's patch still applied?"
else
	ktap_print_msg "expected '$expected', the kernel log holds:"
	printf '%s\n' "$hello_log" | sed 's/^/#   /'
	ktap_test_pass "$desc"
fi

ktap_finished
