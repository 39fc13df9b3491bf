#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `rustver table --kdir` of kernel A, run in the guest, lists the crates of A's
# rust/lib<crate>.rmeta each with the zlib CRC-32 of that file (computed independently
# on the build host with python3's zlib), accounts for every .rmeta, and matches the
# table made on the host.
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"
. "$DIR/rustver_lib.sh"

ktap_print_header
if ! why=$(rv_require_data) || ! why=$(rv_find_rustver); then
	ktap_skip_all "$why"
	exit "$KSFT_SKIP"
fi
rv_find_rustver >/dev/null
ktap_set_plan 3

tmp=${TMPDIR:-/tmp}/rustver_table.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

ktap_test_result "rustver table --kdir runs on kernel A's tree" \
	rv_run "$RUSTVER" table --kdir "$RUSTVER_DATA/kdir-a" -o "$tmp/table"

# Every crate in the table carries the zlib CRC-32 of its .rmeta, and every .rmeta of
# the tree is accounted for: in the table, or named in a "# not in the table: CRATE:"
# comment (a crate that no kernel symbol names has no known disambiguator).
# One awk program, so a missing tool cannot turn into an empty, passing comparison.
same_crcs() {
	[ -s "$tmp/table" ] || { ktap_print_msg "no table was written"; return 1; }
	awk '
		FNR == NR { want[$1] = tolower($2); next }          # rmeta-crc-a: crate 0xcrc
		/^# not in the table: / {
			c = $6; sub(/:$/, "", c); why[c] = $0; sub(/^# not in the table: [^:]*: /, "", why[c])
			next
		}
		/^#/ || NF == 0 { next }
		{
			c = $1; sub(/\[.*$/, "", c); crc = tolower($2); listed++
			if (!(c in want)) { print "# " c ": in the table but no rust/lib" c ".rmeta"; bad = 1 }
			else if (want[c] != crc) { print "# " c ": table has " crc ", zlib CRC-32 is " want[c]; bad = 1 }
			seen[c] = 1
		}
		END {
			for (c in want) {
				if (c in seen) continue
				if (c in why) print "# " c " (" want[c] ") left out: " why[c]
				else { print "# " c " (" want[c] ") missing from the table, no reason given"; bad = 1 }
			}
			if (!listed) { print "# the table lists no crate"; bad = 1 }
			if (!bad) print "# " listed " crates in the table, each CRC equal to zlib'"'"'s"
			exit bad
		}' "$RUSTVER_DATA/rmeta-crc-a" "$tmp/table"
}
ktap_test_result "the table's CRCs are the zlib CRC-32s of A's rust/*.rmeta" same_crcs

same_as_host() {
	[ -s "$tmp/table" ] || { ktap_print_msg "no table was written"; return 1; }
	grep -v '^#' "$tmp/table" >"$tmp/guest"
	grep -v '^#' "$RUSTVER_DATA/table-a" >"$tmp/host"
	cmp -s "$tmp/guest" "$tmp/host" && return 0
	ktap_print_msg "guest table (<) and host table (>) differ:"
	diff "$tmp/guest" "$tmp/host" | sed 's/^/#   /'
	return 1
}
ktap_test_result "the guest's table equals the one made on the build host" same_as_host

ktap_finished
