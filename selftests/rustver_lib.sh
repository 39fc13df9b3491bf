#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shared setup for the rustver selftests (POSIX sh, sourced after ktap_helpers.sh).
#
# Test data lives in $RUSTVER_DATA (default: data/ next to the scripts), laid out by
# selftests/qemu/mkinitramfs.sh:
#   a/*.ko          modules built against kernel A (Rust ones stamped when the helper
#                   was available at build time)
#   b/*.ko          Rust modules built against tree B
#   kdir-a/         kernel A's rust/*.rmeta, Module.symvers and vmlinux
#   table-a         `rustver table --kdir` of kernel A, made on the build host
#   rmeta-crc-a     "crate 0xcrc32" per rust/lib<crate>.rmeta of A, from python3 zlib
#   modules.env     RUST_MODULES=... C_MODULES=...
# The A-built modules are also installed (xz-compressed) under
# /lib/modules/$(uname -r)/extra with modules.dep, for modprobe by name.

RUSTVER_DATA=${RUSTVER_DATA:-$(cd "$(dirname "$0")" && pwd)/data}

# rv_require_data: true when the test data is there; else says why on stdout.
rv_require_data() {
	if [ ! -r "$RUSTVER_DATA/modules.env" ]; then
		echo "no rustver test data in $RUSTVER_DATA (build it with selftests/run-qemu.sh)"
		return 1
	fi
	. "$RUSTVER_DATA/modules.env"
	return 0
}

# rv_find_rustver: set RUSTVER to the helper binary, or say why not and fail.
rv_find_rustver() {
	RUSTVER=${RUSTVER:-$(command -v rustver || true)}
	if [ -z "$RUSTVER" ] || [ ! -x "$RUSTVER" ]; then
		echo "the rustver helper is not installed (initramfs built without RUSTVER_BIN)"
		return 1
	fi
	return 0
}

# rv_run CMD...: run CMD, its output as KTAP diagnostics; returns CMD's status.
rv_run() {
	rv_out=$("$@" 2>&1)
	rv_status=$?
	[ -n "$rv_out" ] && printf '%s\n' "$rv_out" | sed 's/^/# /'
	return $rv_status
}

rv_loaded() { grep -q "^$1 " /proc/modules; }

# rv_dmesg_has TEXT: the kernel log since the last `dmesg -c` contains TEXT.
rv_dmesg_has() { dmesg | grep -qF -- "$1"; }

# rv_modprobe_cycle NAME: modprobe NAME by name, see it live and say "loaded",
# modprobe -r it, see it gone and say "unloaded".
rv_modprobe_cycle() {
	dmesg -c >/dev/null
	rv_run modprobe "$1" || { ktap_print_msg "modprobe $1 failed"; return 1; }
	rv_loaded "$1" || { ktap_print_msg "$1 not in /proc/modules after modprobe"; return 1; }
	rv_dmesg_has "$1: loaded" || { ktap_print_msg "$1 did not log '$1: loaded'"; return 1; }
	rv_run modprobe -r "$1" || { ktap_print_msg "modprobe -r $1 failed"; return 1; }
	rv_loaded "$1" && { ktap_print_msg "$1 still in /proc/modules after modprobe -r"; return 1; }
	rv_dmesg_has "$1: unloaded" || { ktap_print_msg "$1 did not log '$1: unloaded'"; return 1; }
	return 0
}

# rv_insmod_cycle FILE NAME: insmod FILE, see NAME live, rmmod it, see it gone.
# The kernel log of the load and unload is left in rv_dmesg_log for the caller.
rv_insmod_cycle() {
	rv_dmesg_log=
	dmesg -c >/dev/null
	rv_run insmod "$1" || { ktap_print_msg "insmod $1 failed"; return 1; }
	rv_loaded "$2" || { ktap_print_msg "$2 not in /proc/modules after insmod"; return 1; }
	rv_run rmmod "$2" || { ktap_print_msg "rmmod $2 failed"; return 1; }
	# After rmmod: a line printed without a newline is not readable before the next one.
	# shellcheck disable=SC2034 # read by the caller
	rv_dmesg_log=$(dmesg)
	rv_loaded "$2" && { ktap_print_msg "$2 still in /proc/modules after rmmod"; return 1; }
	return 0
}

# ---- the kernel side (rustver_engine, rustver_core, kmod_rustver) ----
#
# data/kmod-a/*.ko      rustver's modules built against A (also installed, so
#                       `modprobe kmod_rustver` works by name)
# data/kmod-b/rustver_core.ko  built against tree B
# data/xz/{a,b}/rustver_test_hello.ko.xz  for finit_module with in-kernel decompression

RV_SYSFS=/sys/kernel/rustver
RV_PARAMS=/sys/module/kmod_rustver/parameters
RV_TRACING=/sys/kernel/tracing
RV_COUNTERS="checked passed refused warned intree_unstamped not_rust unverified errors"

# rv_require_kmods: true when rustver's kernel modules are in the test data.
rv_require_kmods() {
	rv_require_data || return 1
	if [ "${RUSTVER_KMODS:-no}" != yes ]; then
		echo "rustver's kernel modules were not built (initramfs made without RUSTVER_BIN)"
		return 1
	fi
	rv_find_rustver
}

# rv_verifier_up: kmod_rustver (and what it imports) loaded, policy enforce.
rv_verifier_up() {
	rv_loaded kmod_rustver || rv_run modprobe kmod_rustver || return 1
	echo enforce >"$RV_PARAMS/policy"
}

# rv_verifier_fresh: kmod_rustver freshly loaded (counters at zero), policy enforce.
rv_verifier_fresh() {
	if rv_loaded kmod_rustver; then rv_run rmmod kmod_rustver || return 1; fi
	rv_verifier_up
}

# rv_counters: "checked=N passed=N ..." for every counter in RV_COUNTERS.
rv_counters() {
	for c in $RV_COUNTERS; do
		printf '%s=%s ' "$c" "$(cat "$RV_SYSFS/$c" 2>/dev/null || echo '?')"
	done
	echo
}

# rv_trace_on: record rustver:rustver_verdict and a kprobe on load_module()
# (rustver_attempt: one per load attempt) from now on, the buffer empty.
rv_trace_on() {
	[ -d "$RV_TRACING/events/kprobes/rustver_attempt" ] ||
		echo "p:rustver_attempt load_module" >>"$RV_TRACING/kprobe_events" || return 1
	echo 1 >"$RV_TRACING/events/kprobes/rustver_attempt/enable" || return 1
	# Without kmod_rustver (rustver_core.sh) only the attempts are counted.
	if rv_loaded kmod_rustver; then
		echo 1 >"$RV_TRACING/events/rustver/rustver_verdict/enable" || return 1
	fi
	echo 1 >"$RV_TRACING/tracing_on"
	: >"$RV_TRACING/trace"
}

# rv_trace_off: stop recording and remove the kprobe (kmod_rustver's event goes away
# with the module).
rv_trace_off() {
	[ -d "$RV_TRACING/events/rustver/rustver_verdict" ] &&
		echo 0 >"$RV_TRACING/events/rustver/rustver_verdict/enable"
	if [ -d "$RV_TRACING/events/kprobes/rustver_attempt" ]; then
		echo 0 >"$RV_TRACING/events/kprobes/rustver_attempt/enable"
		echo "-:rustver_attempt" >>"$RV_TRACING/kprobe_events"
	fi
	: >"$RV_TRACING/trace"
}

# rv_trace_take: the recorded events as "attempt" and "verdict MODULE VERDICT CRATES"
# lines, and the buffer emptied.
rv_trace_take() {
	sed -n -e 's/.* rustver_attempt: .*/attempt/p' \
		-e 's/.* rustver_verdict: module=\([^ ]*\) verdict=\([^ ]*\) crates=\([0-9]*\) .*/verdict \1 \2 \3/p' \
		"$RV_TRACING/trace"
	: >"$RV_TRACING/trace"
}

# rv_rustver_lines: the "rustver: " lines of the kernel log since the last dmesg -c.
rv_rustver_lines() { dmesg | sed -n 's/^\[[^]]*\] //; /^\(kmod_rustver\|rustver_core\|rustver\): /p'; }

# rv_predict FILE: "accept" when `rustver check FILE` with the default table (the
# running kernel's /sys/kernel/rustver/crates) passes it, else "refuse".
rv_predict() {
	if "$RUSTVER" check "$1" >/dev/null 2>&1; then echo accept; else echo refuse; fi
}

# rv_try_load FILE NAME EXPECT [TEXT...]: insmod FILE under the current policy.
# EXPECT "accept": the load succeeds, NAME is live, and the kernel logs no rustver
# line (policy=enforce/off) or each TEXT; then NAME is unloaded.
# EXPECT "refuse": insmod fails with ENOEXEC ("invalid module format"), NAME is
# absent from /proc/modules, and the kernel log holds each TEXT.
# Leaves the kernel's rustver lines in rv_log and the trace events in rv_events.
rv_try_load() {
	file=$1 name=$2 expect=$3
	shift 3
	dmesg -c >/dev/null
	out=$(insmod "$file" 2>&1)
	rc=$?
	rv_log=$(rv_rustver_lines)
	# shellcheck disable=SC2034 # read by the callers
	rv_events=$(rv_trace_take 2>/dev/null)
	bad=0
	if [ "$expect" = accept ]; then
		if [ "$rc" -ne 0 ]; then
			ktap_print_msg "insmod $file failed ($rc): $out"
			bad=1
		elif ! rv_loaded "$name"; then
			ktap_print_msg "$name not in /proc/modules after insmod"
			bad=1
		fi
		if [ $# -eq 0 ] && [ -n "$rv_log" ]; then
			ktap_print_msg "expected no rustver line in the kernel log for $name, got:"
			bad=1
		fi
	else
		if [ "$rc" -eq 0 ]; then
			ktap_print_msg "insmod $file succeeded, expected a refusal"
			bad=1
		elif ! printf '%s\n' "$out" | grep -qi "invalid module format"; then
			ktap_print_msg "insmod $file failed, but not with ENOEXEC: $out"
			bad=1
		fi
		if rv_loaded "$name"; then
			ktap_print_msg "$name is in /proc/modules after a refusal"
			bad=1
		fi
	fi
	for text in "$@"; do
		printf '%s\n' "$rv_log" | grep -qF -- "$text" && continue
		ktap_print_msg "the kernel log lacks '$text'"
		bad=1
	done
	[ -n "$rv_log" ] && printf '%s\n' "$rv_log" | sed 's/^/#   /'
	if rv_loaded "$name"; then
		rmmod "$name" || { ktap_print_msg "rmmod $name failed"; bad=1; }
	fi
	return $bad
}

# rv_begin_kmods [PLAN]: the start of every test program that needs rustver's
# kernel modules: the KTAP header, the whole program skipped with the reason when
# they are missing, else the plan (when given).
rv_begin_kmods() {
	ktap_print_header
	if ! rv_why=$(rv_require_kmods); then
		ktap_skip_all "$rv_why"
		exit "$KSFT_SKIP"
	fi
	rv_require_kmods >/dev/null
	[ $# -eq 0 ] || ktap_set_plan "$1"
}
