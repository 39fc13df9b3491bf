#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test modules of selftests/modules/ against kernel A and tree B and copy
# the results to OUTDIR/a and OUTDIR/b. Each build starts from a clean copy of the
# sources inside the chroot (a few seconds), so stale objects never leak in.
#
# Usage: build-selftest-modules.sh OUTDIR
# Environment: RUSTVER_BIN, the rustver helper. When set, the modules are stamped
# (`rustver stamp --kdir <the tree they were built against>`) right after linking:
# `rustver check` fails an unstamped out-of-tree Rust module, so the check tests need
# stamped ones. The stamp step is the one stamp_modules line in the loop below.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: build-selftest-modules.sh OUTDIR"
out=$1
eval "$("$SELFTESTS_DIR/scripts/kernels.sh")"

# stamp_modules KDIR MODULE...: write the crate stamp (`rustver stamp`) into each
# module, as a distribution would after linking and before signing. The helper
# leaves modules without Rust imports alone. Without RUSTVER_BIN nothing is stamped.
stamp_modules() {
	local kdir=$1
	shift
	[ -n "${RUSTVER_BIN:-}" ] || return 0
	log "stamping ${*##*/} with the crate table of $kdir"
	"$RUSTVER_BIN" stamp --kdir "$kdir" "$@" >&2 ||
		die "$RUSTVER_BIN stamp --kdir $kdir failed"
}

for t in a b; do
	w=$CHROOT/build/selftest-modules-$t
	rm -rf "$w"
	mkdir -p "$w"
	cp "$SELFTESTS_DIR"/modules/{Kbuild,Makefile,*.sh,*.rs,*.c} "$w/"
	log "building selftests/modules against tree ${t^^} (log: $w.log)"
	"$SELFTESTS_DIR/scripts/build-module.sh" "$t" "$w" >"$w.log" 2>&1 ||
		die "building selftests/modules against tree ${t^^} failed; last lines of $w.log:
$(tail -n 30 "$w.log")"
	kdir_var=KDIR_${t^^}
	stamp_modules "${!kdir_var}" "$w"/*.ko
	rm -rf "${out:?}/$t"
	mkdir -p "$out/$t"
	cp "$w"/*.ko "$out/$t/"
done
log "modules in $out/a and $out/b"
