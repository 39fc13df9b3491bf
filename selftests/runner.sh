#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run rustver selftest programs the way the kselftest runner does: a top-level KTAP
# plan, each program's own KTAP nested behind "# ", one "ok"/"not ok" line per program
# (exit 0 ok, 4 SKIP, anything else not ok), and a per-program timeout from
# ./settings. POSIX sh: the QEMU guest runs it with busybox ash.
#
# Usage: runner.sh TEST...
DIR=$(cd "$(dirname "$0")" && pwd)
cd "$DIR" || exit 1

timeout=45
if [ -r settings ]; then
	t=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' settings)
	[ -n "$t" ] && timeout=$t
fi

echo "TAP version 13"
echo "1..$#"
n=0
failed=0
tmp=${TMPDIR:-/tmp}/rustver_runner.$$
mkdir -p "$tmp"
for test in "$@"; do
	n=$((n + 1))
	echo "# timeout set to $timeout"
	echo "# selftests: rustver: $test"
	{
		timeout "$timeout" "./$test" 2>&1
		echo $? >"$tmp/rc"
	} | sed 's/^/# /'
	rc=$(cat "$tmp/rc")
	case "$rc" in
	0) echo "ok $n selftests: rustver: $test" ;;
	4) echo "ok $n selftests: rustver: $test # SKIP" ;;
	124 | 137 | 143)
		echo "# $test: TIMEOUT after $timeout seconds"
		echo "not ok $n selftests: rustver: $test # TIMEOUT $timeout seconds"
		failed=1
		;;
	*)
		echo "not ok $n selftests: rustver: $test # exit=$rc"
		failed=1
		;;
	esac
done
rm -rf "$tmp"
exit $failed
