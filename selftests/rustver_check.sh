#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `rustver check --table <table of kernel A>` in the guest: every module built against
# A passes (exit 0), every Rust module built against tree B fails (exit 1).
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

ktap_print_header
if ! why=$(rv_require_data) || ! why=$(rv_find_rustver); then
	ktap_skip_all "$why"
	exit "$KSFT_SKIP"
fi
. "$RUSTVER_DATA/modules.env"
rv_find_rustver >/dev/null
table=$RUSTVER_DATA/table-a

n=0
for m in $RUST_MODULES $C_MODULES $RUST_MODULES; do n=$((n + 1)); done
ktap_set_plan "$n"

# check_exit WANT FILE: rustver check exits WANT for FILE.
check_exit() {
	rv_run "$RUSTVER" check --table "$table" "$2"
	got=$?
	[ "$got" -eq "$1" ] && return 0
	ktap_print_msg "rustver check exited $got for $2, expected $1"
	return 1
}

for m in $RUST_MODULES $C_MODULES; do
	ktap_test_result "rustver check passes A-built $m against A's table" \
		check_exit 0 "$RUSTVER_DATA/a/$m.ko"
done
for m in $RUST_MODULES; do
	ktap_test_result "rustver check fails B-built $m against A's table" \
		check_exit 1 "$RUSTVER_DATA/b/$m.ko"
done

ktap_finished
