#!/bin/bash
# check --all's index: a repeat run over an unchanged tree decompresses and
# opens no module and prints exactly what a run without the index prints; the
# verdict is computed again against the table of each run; a replaced module
# or a touched one is read again, and only it; a corrupt, truncated, foreign
# or hostile index is ignored and rebuilt with a message, never trusted and
# never a crash; a file that is not an index is named and not overwritten; an
# index that cannot be written leaves the output as it is, with a warning.
. "$(dirname "$0")/lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RUSTVER=$(realpath "$RUSTVER")

"$RUSTVER" table --kdir "$FIXTURES/kdirA" -o "$WORK/A.txt"
"$RUSTVER" table --kdir "$FIXTURES/kdirB" -o "$WORK/B.txt"
rel=6.1.0-ix
root=$WORK/root
dir=$root/lib/modules/$rel
mkdir -p "$dir/kernel/a" "$dir/kernel/b" "$dir/extra"
cp "$FIXTURES/user.o" "$dir/extra/good.ko"
cp "$FIXTURES/userB.o" "$dir/extra/bad.ko"
"$RUSTVER" stamp --unverified --kdir "$FIXTURES/kdirA" "$dir/extra/good.ko" >/dev/null
"$RUSTVER" stamp --unverified --kdir "$FIXTURES/kdirB" "$dir/extra/bad.ko" >/dev/null
cp "$FIXTURES/user.o" "$dir/extra/unstamped.ko"
xz --check=crc32 -k "$dir/extra/good.ko"
mv "$dir/extra/good.ko.xz" "$dir/kernel/a/good-xz.ko.xz"
zstd -q "$dir/extra/bad.ko" -o "$dir/kernel/b/bad-zst.ko.zst"
xz -c "$dir/extra/good.ko" >"$dir/kernel/a/crc64.ko.xz"	# kmod would refuse it
sign_module "$dir/extra/unstamped.ko"
for i in $(seq 1 40); do cp "$FIXTURES/plain.o" "$dir/kernel/b/plain$i.ko"; done
gzip -c "$FIXTURES/plain.o" >"$dir/kernel/b/plain-gz.ko.gz"
head -c 300 "$dir/kernel/a/good-xz.ko.xz" >"$dir/kernel/a/corrupt.ko.xz"
cp "$FIXTURES/hostile-rname.o" "$dir/kernel/a/hostile.ko"	# the engine refuses it
ix=$WORK/ix/check.idx
# settle: what changed is older than the index's 3-second settling time, so
# that the next run keeps it (a file younger than that is read again)
settle() { sleep 3.2; }

# all TABLE [ARGS...]: check --all of the tree, stdout+stderr in $WORK/NAME.{out,err}
all() {
	local name=$1 table=$2
	shift 2
	set +e
	"$RUSTVER" check --table "$table" --all --basedir "$root" --kernel "$rel" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err"
	echo "exit $?" >>"$WORK/$name.out"
	set -e
	grep '^rustver: check --all: .* modules' "$WORK/$name.err" >"$WORK/$name.stats" || true
	sed -i '/^rustver: check --all: .* modules/d' "$WORK/$name.err"
}
# same_as NAME REF WHAT: stdout and stderr of run NAME are those of run REF
same_as() {
	if cmp -s "$WORK/$1.out" "$WORK/$2.out" && cmp -s "$WORK/$1.err" "$WORK/$2.err"; then
		t_ok "$3"
	else
		{ diff "$WORK/$2.out" "$WORK/$1.out"; diff "$WORK/$2.err" "$WORK/$1.err"; } >"$OUT" || true
		t_fail "$3"
	fi
}
# stats NAME PATTERN WHAT
stats() {
	if grep -qE -- "$2" "$WORK/$1.stats"; then
		t_ok "$3: $(sed 's/^rustver: check --all: //' "$WORK/$1.stats")"
	else
		cat "$WORK/$1.stats" "$WORK/$1.err" >"$OUT"
		t_fail "$3 (--stats lacks /$2/)"
	fi
}

all ref "$WORK/A.txt" --no-index
grep -q 'good.ko: pass' "$WORK/ref.out" && grep -q 'bad.ko: FAIL' "$WORK/ref.out" &&
	grep -q 'crc64.ko.xz: error: xz data with a CRC64' "$WORK/ref.out" &&
	grep -q 'corrupt.ko.xz: corrupt xz data' "$WORK/ref.err" &&
	grep -q 'hostile.ko: error: cannot judge: symbol exceeds an engine limit' "$WORK/ref.out" && grep -q 'exit 2' "$WORK/ref.out" &&
	t_ok "the tree: passing, failing, refused, corrupt and malformed modules" ||
	{ cat "$WORK/ref.out" "$WORK/ref.err" >"$OUT"; t_fail "the tree: passing, failing, refused, corrupt and malformed modules"; }

settle
all first "$WORK/A.txt" --index "$ix" --stats
same_as first ref "the first run with an index prints what a run without one prints"
stats first ' 0 from the index, 48 decompressed whole.* index .*: written$' "it reads every module and writes the index"

all again "$WORK/A.txt" --index "$ix" --stats
same_as again ref "a repeat run prints the same, byte for byte"
stats again ' 49 from the index, 0 decompressed whole, 0 streamed .*: unchanged$' \
	"... and decompresses nothing"
all againj "$WORK/A.txt" --index "$ix" --json
all refj "$WORK/A.txt" --no-index --json
same_as againj refj "--json from the index is the same too"

# no module file is even opened (strace: every open of the run)
strace -f -qq -e trace=open,openat -o "$WORK/strace" "$RUSTVER" check --table "$WORK/A.txt" \
	--all --basedir "$root" --kernel "$rel" --index "$ix" >/dev/null 2>&1 || true
if grep -q '/lib/modules/' "$WORK/strace" && ! grep -qE '\.ko(\.xz|\.zst|\.gz)?"' "$WORK/strace"; then
	t_ok "strace: the repeat run opens no module file"
else
	grep -E '\.ko' "$WORK/strace" | head >"$OUT"
	t_fail "strace: the repeat run opens no module file"
fi

# the verdict is computed again against the table of this run
all refB "$WORK/B.txt" --no-index
all tableB "$WORK/B.txt" --index "$ix" --stats
same_as tableB refB "another table: the verdicts from the index follow it, as without the index"
stats tableB ' 49 from the index, 0 decompressed' "... still without decompressing"
grep -q 'bad.ko: pass' "$WORK/tableB.out" && t_ok "... (bad.ko now passes, good.ko fails)" ||
	t_fail "... (bad.ko now passes, good.ko fails)"

# one module replaced: read again, alone
cp "$dir/extra/good.ko" "$dir/extra/bad.ko.new" && mv "$dir/extra/bad.ko.new" "$dir/extra/bad.ko"
settle
all ref2 "$WORK/A.txt" --no-index
all replaced "$WORK/A.txt" --index "$ix" --stats
same_as replaced ref2 "a replaced module: the output follows the new file"
stats replaced ' 48 from the index, 1 decompressed whole.*: written$' "... and only it is read"
all replaced2 "$WORK/A.txt" --index "$ix" --stats
stats replaced2 ' 49 from the index, 0 decompressed.*: unchanged$' "... and the index is up to date again"

# touched only (same bytes, new times): read again
touch "$dir/kernel/b/plain7.ko"
settle
all touched "$WORK/A.txt" --index "$ix" --stats
same_as touched ref2 "a touched module: the same output"
stats touched ' 48 from the index, 1 decompressed whole' "... and it is read again"
# same size and bytes, mtime put back: the change time still differs
cp -p "$dir/kernel/b/plain8.ko" "$WORK/p8" && cp -p "$WORK/p8" "$dir/kernel/b/plain8.ko"
settle
all ctime "$WORK/A.txt" --index "$ix" --stats
stats ctime ' 48 from the index, 1 decompressed whole' "rewritten with its old mtime: read again (ctime)"
# a module added and one removed
cp "$FIXTURES/plain.o" "$dir/kernel/b/plain41.ko"
rm "$dir/kernel/b/plain1.ko"
settle
all added "$WORK/A.txt" --index "$ix" --stats
all ref3 "$WORK/A.txt" --no-index
same_as added ref3 "a module added, one removed: the same output as without the index"
stats added ' 48 from the index, 1 decompressed whole.*: written$' "... and only the new one is read"

# damaged indexes: ignored with a message, rebuilt, the output unchanged
cp "$ix" "$WORK/good.idx"
damage() { # NAME WHAT PYTHON-EXPRESSION-ON-d
	python3 -c "import sys
d = bytearray(open(sys.argv[1], 'rb').read())
$3
open(sys.argv[1], 'wb').write(d)" "$ix"
	all "dmg-$1" "$WORK/A.txt" --index "$ix" --stats
	# the output is the reference's, after the index's one message
	sed -i '/^rustver: warning: index /d' "$WORK/dmg-$1.err.msg" 2>/dev/null || true
	if grep -q "^rustver: warning: index $ix: $2: ignored, rebuilt" "$WORK/dmg-$1.err"; then
		sed -i "\|^rustver: warning: index $ix: |d" "$WORK/dmg-$1.err"
		same_as "dmg-$1" ref3 "index $1: '$2', rebuilt; the output unchanged"
		stats "dmg-$1" ' 0 from the index, 48 decompressed.*: written$' "... every module read again"
	else
		cat "$WORK/dmg-$1.err" >"$OUT"
		t_fail "index $1: a warning '$2: ignored, rebuilt'"
	fi
	cp "$WORK/good.idx" "$ix"
}
damage flipped "checksum mismatch" "d[len(d) // 2] ^= 0x40"
damage truncated "truncated or overlong" "del d[len(d) - 100:]"
damage empty "an empty file" "del d[:]"
damage torn "not a rustver index" "del d[4:]"
damage foreign-version "another version of the index format" "d[8] = 99"
# a file that is not an index at all (no magic: modules.dep, a typo of --index): read
# as no index, named, and left as it is (more in tests/cli/writer.sh)
python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes(range(256)) * 8)' "$ix"
cp "$ix" "$WORK/garbage"
all garbage "$WORK/A.txt" --index "$ix" --stats
if grep -q "^rustver: warning: index $ix: not a rustver index: checking every module, and not overwriting it" \
	"$WORK/garbage.err" && cmp -s "$ix" "$WORK/garbage"; then
	sed -i "\|^rustver: warning: index $ix: |d" "$WORK/garbage.err"
	same_as garbage ref3 "not an index (no magic): named, not overwritten; the output unchanged"
	stats garbage ' 0 from the index, 48 decompressed.*: not written$' "... every module read"
else
	cat "$WORK/garbage.err" >"$OUT"
	t_fail "not an index (no magic): a warning 'not a rustver index: ... not overwriting it', the file kept"
fi
cp "$WORK/good.idx" "$ix"
all after "$WORK/A.txt" --index "$ix" --stats
stats after ' 49 from the index.*: unchanged$' "after a rebuild the index is used again"

# hostile: bytes changed everywhere, the checksum made right again (past the
# checksum, the reader itself must refuse or survive; under ASan and UBSan)
python3 - "$WORK/good.idx" "$WORK/hostile" <<'PY'
import random, struct, sys, zlib
d = open(sys.argv[1], "rb").read()
random.seed(12)
for n in range(120):
    b = bytearray(d)
    for _ in range(1 + n % 4):
        i = random.randrange(32, len(b))
        b[i] = random.choice([0, 0xff, b[i] ^ (1 << random.randrange(8)), random.randrange(256)])
    if n % 10 == 9:
        del b[random.randrange(32, len(b)):]
    struct.pack_into("<Q", b, 16, len(b) - 32)
    struct.pack_into("<I", b, 24, zlib.crc32(bytes(b[32:]), zlib.crc32(bytes(b[:24]))))
    open("%s.%02d" % (sys.argv[2], n), "wb").write(b)
PY
bad=0 refused=0
for h in "$WORK"/hostile.*; do
	set +e
	"$RUSTVER" check --table "$WORK/A.txt" --all --basedir "$root" --kernel "$rel" --index "$h" \
		>"$WORK/h.out" 2>"$WORK/h.err"
	rc=$?
	set -e
	if [ $rc -gt 2 ] || grep -q 'Sanitizer\|runtime error' "$WORK/h.err"; then
		bad=$((bad + 1))
		cp "$WORK/h.err" "$OUT"
	fi
	grep -q 'ignored, rebuilt' "$WORK/h.err" && refused=$((refused + 1))
done
[ $bad = 0 ] && [ $refused -gt 0 ] && [ $refused -lt 120 ] &&
	t_ok "120 hostile indexes (checksum made right): no crash, exit 0 to 2 ($refused refused by the reader, the rest read)" ||
	t_fail "$bad of 120 hostile indexes crashed rustver"

# the index cannot be written: same output, a warning
all unwritable "$WORK/A.txt" --index "$WORK/A.txt/sub/check.idx" --stats
if grep -q "index $WORK/A.txt/sub/check.idx: cannot write it" "$WORK/unwritable.err"; then
	sed -i '/index .*: cannot write it/d' "$WORK/unwritable.err"
	same_as unwritable ref3 "an index that cannot be written: a warning, the same output"
else
	cp "$WORK/unwritable.err" "$OUT"
	t_fail "an index that cannot be written: a warning"
fi
if setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	mkdir -p "$WORK/ro" && chmod 555 "$WORK/ro" && chmod 755 "$WORK"
	chmod -R a+rX "$root" "$WORK/A.txt" "$(dirname "$RUSTVER")" 2>/dev/null || true
	set +e
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$RUSTVER" check --table "$WORK/A.txt" \
		--all --basedir "$root" --kernel "$rel" --index "$WORK/ro/check.idx" \
		>"$WORK/ro.out" 2>"$WORK/ro.err"
	echo "exit $?" >>"$WORK/ro.out"
	set -e
	if grep -q "cannot write it (.*Permission denied)" "$WORK/ro.err"; then
		sed -i '/index .*: cannot write it/d' "$WORK/ro.err"
		same_as ro ref3 "as a user, a read-only index directory: a warning, the same output"
	else
		cat "$WORK/ro.err" >"$OUT"
		t_fail "as a user, a read-only index directory: a warning"
	fi
else
	t_skip "as a user, a read-only index directory" "setpriv cannot switch to nobody here"
fi

# coarse time stamps: on ext4 with 128-byte inodes (1-second times, as on
# ext2/3), a module rewritten in place with the same size within the second
# it was read keeps size and times; the index must not keep the first
# verdict (it kept "pass" on every later run, where --no-index said FAIL)
if command -v mkfs.ext4 >/dev/null && truncate -s 32M "$WORK/ext4.img" &&
	mkfs.ext4 -q -F -I 128 "$WORK/ext4.img" 2>/dev/null && mkdir -p "$WORK/mnt" &&
	mount -o loop "$WORK/ext4.img" "$WORK/mnt" 2>"$OUT"; then
	trap 'umount "$WORK/mnt" 2>/dev/null; rm -rf "$WORK"' EXIT
	crel=6.1.0-coarse
	cdir=$WORK/mnt/lib/modules/$crel/extra
	mkdir -p "$cdir"
	cix=$WORK/coarse.idx
	coarse() { # NAME: check --all of the ext4 tree with its index
		set +e
		"$RUSTVER" check --table "$WORK/A.txt" --all --basedir "$WORK/mnt" --kernel "$crel" \
			--index "$cix" --stats >"$WORK/$1.out" 2>"$WORK/$1.err"
		echo "exit $?" >>"$WORK/$1.out"
		set -e
	}
	# the passing module and a failing one of the same size: its stamp's CRC changed
	cp "$dir/extra/good.ko" "$WORK/pass.ko"
	python3 - "$WORK/pass.ko" "$WORK/fail.ko" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"RVSTAMP\0")
hdr = int.from_bytes(d[i + 10:i + 12], "little")
d[i + hdr + 72] ^= 0xff                    # the first entry's CRC
open(sys.argv[2], "wb").write(d)
PY
	same_second=0
	for try in 1 2 3 4 5; do
		# start early in a second: write, check, rewrite in place, all in it
		while [ "$(date +%N | cut -c1)" != 0 ]; do sleep 0.01; done
		cp "$WORK/pass.ko" "$cdir/m.ko"
		coarse c1
		t1=$(stat -c '%s %Y %Z %i' "$cdir/m.ko")
		dd if="$WORK/fail.ko" of="$cdir/m.ko" conv=notrunc status=none
		t2=$(stat -c '%s %Y %Z %i' "$cdir/m.ko")
		if [ "$t1" = "$t2" ] && stat -c %y "$cdir/m.ko" | grep -q '\.000000000 '; then
			same_second=1
			break
		fi
	done
	if [ "$same_second" = 1 ]; then
		coarse c2
		sleep 3.2
		coarse c3
		coarse c4
		if grep -q 'm.ko: pass' "$WORK/c1.out" && grep -q 'm.ko: FAIL' "$WORK/c2.out" &&
			grep -q 'm.ko: FAIL' "$WORK/c3.out" && grep -q 'm.ko: FAIL' "$WORK/c4.out" &&
			grep -q ' 1 from the index' "$WORK/c4.err"; then
			t_ok "ext4, 128-byte inodes: a same-size rewrite within the second keeps no stale pass (then FAIL, from the index once settled)"
		else
			cat "$WORK"/c[1-4].out "$WORK"/c[1-4].err >"$OUT"
			t_fail "ext4, 128-byte inodes: a same-size rewrite within the second keeps no stale pass"
		fi
	else
		t_fail "ext4, 128-byte inodes: could not rewrite the module within one second in 5 tries"
	fi
	umount "$WORK/mnt"
	trap 'rm -rf "$WORK"' EXIT
else
	t_fail "an ext4 image with 128-byte inodes could be made and loop-mounted (as root)"
fi

# the default place: $XDG_CACHE_HOME/rustver/index/, one file per tree
all default "$WORK/A.txt" --stats
stats default "index $XDG_CACHE_HOME/rustver/index/check-[0-9a-f]{16}\.idx: written" \
	"by default the index is kept under \$XDG_CACHE_HOME/rustver/index"
run check --table "$WORK/A.txt" --all --basedir "$root" --kernel "$rel" --index x --no-index
expect 2 "--index and --no-index together are refused" 'not both'
t_done
