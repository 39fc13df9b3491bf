#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's commands on a machine with no history: for each SUITE, a fresh
# `debootstrap --variant=minbase SUITE` root, a clean clone of this
# repository's HEAD in it, an empty cache, and, as root with CI=true and no
# standard input, what README's Install and Tests say a user types:
#
#     apt-get install git make        (minbase has neither)
#     git clone REPO rustver && cd rustver
#     make
#     make check
#
# Nothing of the host's packages, caches or build output is visible inside
# (the root's own /var/cache/rustver starts empty; /proc, /dev, /sys and /tmp
# are mounted for it in a private mount namespace and vanish with it). Proves
# that the suite installs everything it uses before it uses it.
#
# Usage: scripts/fresh-root.sh [--keep] [--dir DIR] [--commit REV] SUITE...
#   SUITE      bookworm (Debian 12) or trixie (Debian 13); several run one
#              after the other
#   --dir DIR  where the roots are made (default /var/tmp/rustver-fresh);
#              DIR/SUITE.log is the whole run's output
#   --commit   the commit to clone (default HEAD; uncommitted changes are not
#              part of a clean clone and are ignored, with a warning)
#   --keep     keep each root afterwards (default: removed, it holds a whole
#              cache of kernel trees, ~20 GiB)
#
# Prints one line per suite, e.g.
#   fresh-root: bookworm: 560 passed, 0 failed, 0 skipped (make 41 s, make check 2174 s, exit 0)
# and exits 0 when every suite's make check exited 0 with "N passed, 0 failed".
# Needs root (debootstrap, chroot, mounts) and the host's apt mirror (read from
# its apt sources, as the selftests' chroot is; RUSTVER_MIRROR overrides).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/scripts/lib.sh"

usage="usage: scripts/fresh-root.sh [--keep] [--dir DIR] [--commit REV] bookworm|trixie..."
dir=/var/tmp/rustver-fresh keep=0 rev=HEAD suites=()
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	--dir) [ -n "${2:-}" ] || die "$usage"; dir=$2; shift ;;
	--commit) [ -n "${2:-}" ] || die "$usage"; rev=$2; shift ;;
	bookworm | trixie) suites+=("$1") ;;
	-h | --help) echo "$usage"; exit 0 ;;
	*) die "unknown argument '$1'; $usage" ;;
	esac
	shift
done
[ ${#suites[@]} -gt 0 ] || die "$usage"
need_root
need_cmd debootstrap unshare chroot git
commit=$(git -C "$top" rev-parse --verify "$rev^{commit}") || die "no commit '$rev' in $top"
[ "$rev" != HEAD ] || git -C "$top" diff --quiet HEAD ||
	log "warning: $top has uncommitted changes; the clone is of $(git -C "$top" rev-parse --short HEAD) without them"
mirror=$(debian_mirror)
mkdir -p "$dir"
dir=$(realpath "$dir")

# run_suite SUITE: prints the summary line; returns make check's verdict.
run_suite() {
	local suite=$1 root=$dir/$1 logf=$dir/$1.log origin
	rm -rf --one-file-system "$root"
	mkdir -p "$root"
	log "$suite: debootstrap --variant=minbase from $mirror into $root (log: $logf)"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$logf" 2>&1 ||
		{ echo "fresh-root: $suite: debootstrap failed (see $logf)"; return 1; }
	printf 'deb %s %s main\n' "$mirror" "$suite" >"$root/etc/apt/sources.list"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	# The repository, read-only at /origin, cloned from there as a user would.
	origin=$root/origin
	mkdir -p "$origin"
	git clone -q --bare --no-local "$top" "$origin/rustver.git"
	git -C "$origin/rustver.git" update-ref refs/heads/fresh-root "$commit"
	git -C "$origin/rustver.git" symbolic-ref HEAD refs/heads/fresh-root
	cat >"$root/root/fresh-run.sh" <<-'EOS'
		set -u
		export CI=true DEBIAN_FRONTEND=noninteractive
		cd /root
		apt-get -q update && apt-get -q -y install git make ca-certificates || exit 90
		git clone -q /origin/rustver.git rustver && cd rustver || exit 91
		t0=$(date +%s)
		make </dev/null; rc=$?
		t1=$(date +%s)
		echo "fresh-root: make exit $rc, $((t1 - t0)) s"
		[ $rc -eq 0 ] || exit 92
		make check </dev/null; rc=$?
		t2=$(date +%s)
		echo "fresh-root: make check exit $rc, $((t2 - t1)) s"
		exit $rc
	EOS
	local t0 rc=0 line mk ck
	t0=$(date +%s)
	log "$suite: make, make check in a clean clone of $(git -C "$top" rev-parse --short "$commit") (log: $logf)"
	in_root "$root" /bin/bash /root/fresh-run.sh </dev/null >>"$logf" 2>&1 || rc=$?
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$logf" | tail -n 1)
	mk=$(sed -n 's/^fresh-root: make exit [0-9]*, \([0-9]*\) s$/\1/p' "$logf" | tail -n 1)
	ck=$(sed -n 's/^fresh-root: make check exit [0-9]*, \([0-9]*\) s$/\1/p' "$logf" | tail -n 1)
	echo "fresh-root: $suite: ${line:-no summary line} (make ${mk:-?} s, make check ${ck:-?} s, exit $rc, $(($(date +%s) - t0)) s in all; $(git -C "$top" rev-parse --short "$commit"))"
	[ "$keep" = 1 ] || rm -rf --one-file-system "$root"
	[ "$rc" -eq 0 ] && [[ $line =~ \ 0\ failed ]]
}

status=0
for s in "${suites[@]}"; do
	run_suite "$s" || status=1
done
exit $status
