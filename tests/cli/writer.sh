#!/bin/bash
# The one file writer (tools/rustver/replace.c), through every command that
# writes: stamp (the module), check --all --index and table --c-header / -o.
# It never replaces a device, a FIFO, a socket, a directory or a file that is
# not what it expects (a foreign index); writes through a symlink to its
# target; keeps owner, group, mode, extended attributes and ACLs; refuses a
# file with several hard links and one replaced or modified between its
# reading and the rename; removes its temporary files on every error, and a
# killed run's on the next run, but never a live run's.
. "$(dirname "$0")/lib.sh"
set -e
A=$FIXTURES/kdirA
"$RUSTVER" table --kdir "$A" -o "$WORK/A.txt"
"$RUSTVER" table --table "$WORK/A.txt" --c-header "$WORK/ref.h" >/dev/null
cp "$FIXTURES/user.o" "$WORK/orig.ko"

# fresh NAME: an unstamped copy of a real Rust module, $WORK/NAME
fresh() { rm -f "$WORK/$1"; cp "$FIXTURES/user.o" "$WORK/$1"; }
stamped() { [ "$(count_sections .rustver_stamp "$1")" = 1 ]; }
# temps DIR: the temporary files of the writer left in DIR
temps() { ls -A "$1" | grep -F '.rustver-' || true; }
# wait_for FILE PATTERN: until FILE holds PATTERN (30 s at most)
wait_for() {
	for _ in $(seq 1 300); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# stamp_bg SECONDS ERRFILE ARGS...: a stamp in the background that pauses
# SECONDS before its rename (RUSTVER_TEST_PAUSE_BEFORE_RENAME, the writer's
# test hook in tools/rustver/replace.c); its pid in $BG. $NAMED set: with a
# named temporary instead of an O_TMPFILE (RUSTVER_TEST_NO_O_TMPFILE).
NAMED=
stamp_bg() {
	local secs=$1 err=$2
	shift 2
	env RUSTVER_TEST_PAUSE_BEFORE_RENAME="$secs" ${NAMED:+RUSTVER_TEST_NO_O_TMPFILE=1} \
		"$RUSTVER" stamp --unverified --kdir "$A" "$@" >/dev/null 2>"$err" &
	BG=$!
}
# bg_wait: the exit status of $BG in $BG_RC
bg_wait() {
	set +e
	wait "$BG"
	BG_RC=$?
	set -e
}

# --- streams: written into, never replaced (fifo(7), null(4)) -----------------
# A copy of /dev/null (mknod(2)) first, so that a writer that replaces a device
# fails here and not on the machine's /dev/null.
mknod "$WORK/null" c 1 3
run table --table "$WORK/A.txt" --c-header "$WORK/null"
if [ "$RC" = 0 ] && [ -c "$WORK/null" ]; then
	t_ok "--c-header on a character device (mknod c 1 3) writes into it: still a device"
	run table --table "$WORK/A.txt" --c-header /dev/null
	[ "$RC" = 0 ] && [ -c /dev/null ] &&
		t_ok "--c-header /dev/null: still a character device" ||
		t_fail "--c-header /dev/null: still a character device ($(stat -c %F /dev/null))"
else
	t_fail "--c-header on a character device writes into it ($(stat -c %F "$WORK/null"), exit $RC)"
	t_skip "--c-header /dev/null: still a character device" "the copy failed"
fi

rel=6.1.0-wr
root=$WORK/root
dir=$root/lib/modules/$rel
mkdir -p "$dir/extra"
cp "$FIXTURES/user.o" "$dir/extra/good.ko"
"$RUSTVER" stamp --unverified --kdir "$A" "$dir/extra/good.ko" >/dev/null
cp "$FIXTURES/plain.o" "$dir/extra/plain.ko"
printf 'extra/good.ko:\nextra/plain.ko:\n' >"$dir/modules.dep"
cp "$dir/modules.dep" "$WORK/modules.dep.orig"
# all NAME ARGS...: check --all of the tree; stdout and exit in $WORK/NAME.out, stderr .err
all() {
	local name=$1
	shift
	set +e
	"$RUSTVER" check --table "$WORK/A.txt" --all --basedir "$root" --kernel "$rel" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err"
	echo "exit $?" >>"$WORK/$name.out"
	set -e
}
all ref --no-index
grep -q 'good.ko: pass' "$WORK/ref.out" && t_ok "the tree: a stamped module that passes" ||
	{ cat "$WORK/ref.out" "$WORK/ref.err" >"$OUT"; t_fail "the tree: a stamped module that passes"; }
all devnull-copy --index "$WORK/null" --stats
if [ -c "$WORK/null" ] && cmp -s "$WORK/devnull-copy.out" "$WORK/ref.out" &&
	grep -q "index $WORK/null: written" "$WORK/devnull-copy.err"; then
	t_ok "--index on a character device: written into, still a device, the same output"
	all devnull --index /dev/null --stats
	[ -c /dev/null ] && cmp -s "$WORK/devnull.out" "$WORK/ref.out" &&
		t_ok "check --all --index /dev/null: still a character device, the same output" ||
		{ cat "$WORK/devnull.out" "$WORK/devnull.err" >"$OUT"; t_fail "check --all --index /dev/null: still a character device ($(stat -c %F /dev/null))"; }
else
	cat "$WORK/devnull-copy.out" "$WORK/devnull-copy.err" >"$OUT"
	t_fail "--index on a character device: written into, still a device ($(stat -c %F "$WORK/null"))"
	t_skip "check --all --index /dev/null: still a character device" "the copy failed"
fi

# A FIFO as --c-header: written into (its reader gets the header), never
# replaced; the open waits for the reader, as a shell's > does.
mkfifo "$WORK/fifo"
cat "$WORK/fifo" >"$WORK/fifo.got" &
reader=$!
set +e
timeout 30 "$RUSTVER" table --table "$WORK/A.txt" --c-header "$WORK/fifo" >"$OUT" 2>&1
RC=$?
set -e
# a writer that did not open the FIFO leaves cat waiting in its open: let it go
kill -0 "$reader" 2>/dev/null && { timeout 5 sh -c ': >"$1"' sh "$WORK/fifo" || true; }
wait "$reader" || true
[ "$RC" = 0 ] && [ -p "$WORK/fifo" ] && cmp -s "$WORK/fifo.got" "$WORK/ref.h" &&
	t_ok "--c-header on a FIFO: the header written into it, still a FIFO" ||
	t_fail "--c-header on a FIFO: the header written into it, still a FIFO (exit $RC, $(stat -c %F "$WORK/fifo"))"

# -o /dev/stdout: into the pipe, or into the very file stdout is (not replaced)
"$RUSTVER" table --table "$WORK/A.txt" -o /dev/stdout | cmp -s - "$WORK/A.txt" &&
	t_ok "-o /dev/stdout into a pipe" || t_fail "-o /dev/stdout into a pipe"
: >"$WORK/stdout.txt"
ino=$(stat -c %i "$WORK/stdout.txt")
"$RUSTVER" table --table "$WORK/A.txt" -o /dev/stdout >"$WORK/stdout.txt"
[ "$(stat -c %i "$WORK/stdout.txt")" = "$ino" ] && cmp -s "$WORK/stdout.txt" "$WORK/A.txt" &&
	t_ok "-o /dev/stdout with stdout a file: written into that file, not replaced" ||
	t_fail "-o /dev/stdout with stdout a file: written into that file, not replaced"

# --- what is refused, named, and left as it is --------------------------------
mkdir "$WORK/adir"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$WORK/sock"
mknod "$WORK/blk" b 7 200
for x in "adir:directory:a directory" "sock:socket:a socket" "blk:block special file:a block device"; do
	IFS=: read -r f type said <<<"$x"
	run table --table "$WORK/A.txt" --c-header "$WORK/$f"
	expect 2 "--c-header on $said: refused, named" "^rustver: $WORK/$f: is $said: not replaced"
	[ "$(stat -c %F "$WORK/$f")" = "$type" ] && [ -z "$(temps "$WORK")" ] &&
		t_ok "... and it is still $said, no temporary left" ||
		t_fail "... and it is still $said ($(stat -c %F "$WORK/$f")), no temporary left"
done

# modules.dep given as --index: not a rustver index (no magic), named, not overwritten
all dep --index "$dir/modules.dep" --stats
if cmp -s "$dir/modules.dep" "$WORK/modules.dep.orig" &&
	grep -q "index $dir/modules.dep: not a rustver index: checking every module, and not overwriting it" \
		"$WORK/dep.err" && grep -q "index $dir/modules.dep: not written" "$WORK/dep.err" &&
	cmp -s "$WORK/dep.out" "$WORK/ref.out"; then
	t_ok "check --all --index modules.dep: named, not overwritten, the same output and exit"
else
	cat "$WORK/dep.err" >"$OUT"
	t_fail "check --all --index modules.dep: named, not overwritten, the same output and exit"
fi

# --- symlinks: the link kept, its target written (path_resolution(7)) ---------
mkdir -p "$WORK/ixdir"
ln -s ixdir/check.idx "$WORK/link.idx" # dangling: the target is made
all link1 --index "$WORK/link.idx" --stats
t1=$(stat -c %i "$WORK/ixdir/check.idx" 2>/dev/null || echo none)
touch "$dir/extra/plain.ko" # a changed module: the index is written again
sleep 3.2                    # older than the index's settling time: kept (man rustver)
all link2 --index "$WORK/link.idx" --stats
if [ -L "$WORK/link.idx" ] && [ "$(readlink "$WORK/link.idx")" = ixdir/check.idx ] &&
	[ "$(head -c 7 "$WORK/ixdir/check.idx")" = RVINDEX ] && [ "$t1" != none ] &&
	[ "$(stat -c %i "$WORK/ixdir/check.idx")" != "$t1" ] &&
	grep -q "index $WORK/link.idx: written" "$WORK/link2.err" &&
	[ -z "$(temps "$WORK")$(temps "$WORK/ixdir")" ]; then
	t_ok "an index path that is a symlink: the link kept, its target made, then replaced"
else
	{ ls -la "$WORK" "$WORK/ixdir"; cat "$WORK/link1.err" "$WORK/link2.err"; } >"$OUT"
	t_fail "an index path that is a symlink: the link kept, its target made, then replaced"
fi
all link3 --index "$WORK/link.idx" --stats
grep -q ': unchanged$' "$WORK/link3.err" && t_ok "... and read through the link on the next run" ||
	{ cat "$WORK/link3.err" >"$OUT"; t_fail "... and read through the link on the next run"; }

# weak-updates/m.ko -> ../extra/m.ko (as weak-modules(8) makes them): the module stamped
mkdir -p "$WORK/mods/extra" "$WORK/mods/weak-updates"
cp "$FIXTURES/user.o" "$WORK/mods/extra/m.ko"
ln -s ../extra/m.ko "$WORK/mods/weak-updates/m.ko"
run stamp --unverified --kdir "$A" "$WORK/mods/weak-updates/m.ko"
if [ "$RC" = 0 ] && [ -L "$WORK/mods/weak-updates/m.ko" ] &&
	[ "$(readlink "$WORK/mods/weak-updates/m.ko")" = ../extra/m.ko ] &&
	stamped "$WORK/mods/extra/m.ko" &&
	[ -z "$(temps "$WORK/mods/extra")$(temps "$WORK/mods/weak-updates")" ]; then
	t_ok "stamp weak-updates/m.ko -> ../extra/m.ko: extra/m.ko stamped, the link kept"
else
	ls -la "$WORK/mods/extra" "$WORK/mods/weak-updates" >>"$OUT"
	t_fail "stamp weak-updates/m.ko -> ../extra/m.ko: extra/m.ko stamped, the link kept"
fi

# --- metadata: what cp --preserve=all keeps (chown(2), xattr(7), acl(5)) -------
xattrs() { # FILE: every extended attribute and its value, one a line
	python3 -c 'import os, sys
for n in sorted(os.listxattr(sys.argv[1])):
    print(n, os.getxattr(sys.argv[1], n).hex())' "$1"
}
fresh meta.ko
chown 4321:4322 "$WORK/meta.ko"
chmod 0640 "$WORK/meta.ko"
python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.rustver-test", b"kept")' "$WORK/meta.ko"
if command -v setfacl >/dev/null; then
	setfacl -m u:4242:r,g:4243:r "$WORK/meta.ko"
	acl=$(getfacl -cnp "$WORK/meta.ko")
else
	acl=none
fi
before="$(stat -c '%u:%g %a' "$WORK/meta.ko") $(xattrs "$WORK/meta.ko")"
ino=$(stat -c %i "$WORK/meta.ko")
run stamp --unverified --kdir "$A" "$WORK/meta.ko"
after="$(stat -c '%u:%g %a' "$WORK/meta.ko") $(xattrs "$WORK/meta.ko")"
if [ "$RC" = 0 ] && stamped "$WORK/meta.ko" && [ "$(stat -c %i "$WORK/meta.ko")" != "$ino" ] &&
	[ "$before" = "$after" ] && case $before in "4321:4322 640 "*user.rustver-test*) ;; *) false ;; esac; then
	t_ok "stamping keeps owner 4321, group 4322, mode 0640 and a user.* attribute (a new file, renamed)"
else
	printf 'before: %s\nafter:  %s\n' "$before" "$after" >>"$OUT"
	t_fail "stamping keeps owner, group, mode 0640 and a user.* attribute"
fi
if [ "$acl" = none ]; then
	t_skip "stamping keeps an ACL" "no setfacl (the acl package; scripts/deps.sh check)"
elif [ "$(getfacl -cnp "$WORK/meta.ko")" = "$acl" ] && grep -q '^user:4242:r--' <<<"$acl"; then
	t_ok "stamping keeps an ACL (system.posix_acl_access: user:4242:r, group:4243:r)"
else
	printf 'before:\n%s\nafter:\n%s\n' "$acl" "$(getfacl -cnp "$WORK/meta.ko")" >"$OUT"
	t_fail "stamping keeps an ACL"
fi

# inode flags that say how the file is kept (chattr(1): d no dump, A no atime)
fresh flags.ko
if chattr +d +A "$WORK/flags.ko" 2>/dev/null; then
	run stamp --unverified --kdir "$A" "$WORK/flags.ko"
	flags=$(lsattr "$WORK/flags.ko" | cut -d' ' -f1)
	[ "$RC" = 0 ] && stamped "$WORK/flags.ko" && case $flags in *d*A* | *A*d*) true ;; *) false ;; esac &&
		t_ok "stamping keeps the inode flags d and A (chattr +d +A): $flags" ||
		t_fail "stamping keeps the inode flags d and A (chattr +d +A), now: $flags"
else
	t_skip "stamping keeps inode flags" "the filesystem of $WORK takes no chattr +d +A"
fi

# flags the new file's filesystem cannot take (an overlay whose upper layer is
# tmpfs, the old file on the lower ext4 with +S): a warning, not a refusal
if [ "$(stat -f -c %T "$WORK")" != tmpfs ] && mkdir -p "$WORK/ov/"{l,t,m} &&
	mount -t tmpfs tmpfs "$WORK/ov/t" && mkdir -p "$WORK/ov/t/"{u,w}; then
	cp "$FIXTURES/user.o" "$WORK/ov/l/s.ko"
	if chattr +S "$WORK/ov/l/s.ko" 2>/dev/null &&
		mount -t overlay overlay -o "lowerdir=$WORK/ov/l,upperdir=$WORK/ov/t/u,workdir=$WORK/ov/t/w" "$WORK/ov/m"; then
		run stamp --unverified --kdir "$A" "$WORK/ov/m/s.ko"
		expect 0 "an overlay on tmpfs cannot take +S: stamped, with a warning that the flag is lost" \
			"s.ko: its inode flags \(chattr\(1\) flags 0x8\) cannot be kept here"
		umount "$WORK/ov/m"
	else
		t_skip "flags an overlay cannot keep" "no chattr +S or overlay mount here"
	fi
	umount "$WORK/ov/t"
else
	t_skip "flags an overlay cannot keep" "no tmpfs mount here"
fi
# a file its user may replace but not read (mode 0200): its flags unseen, written
if setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	mkdir -p "$WORK/wo" && chmod 0777 "$WORK/wo" && chmod 755 "$WORK"
	chmod a+r "$WORK/A.txt"
	"$RUSTVER" table --table "$WORK/A.txt" -o "$WORK/wo/t.tab" 2>/dev/null
	chown nobody:nogroup "$WORK/wo/t.tab" && chmod 0200 "$WORK/wo/t.tab"
	set +e
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$RUSTVER" table --table "$WORK/A.txt" \
		-o "$WORK/wo/t.tab" >"$OUT" 2>&1
	RC=$?
	set -e
	expect 0 "as a user, a write-only file (mode 0200) of theirs is replaced"
	[ "$(stat -c '%U %a' "$WORK/wo/t.tab")" = "nobody 200" ] &&
		t_ok "... keeping its owner and mode 0200" ||
		t_fail "... keeping its owner and mode 0200 ($(stat -c '%U %a' "$WORK/wo/t.tab"))"
else
	t_skip "as a user, a write-only file is replaced" "setpriv cannot switch to nobody here"
fi

# security.ima: kept, with a warning that it must be made again (evmctl(1))
fresh ima.ko
ima=0404$(sha256sum "$WORK/ima.ko" | cut -c1-64)
if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "security.ima", bytes.fromhex(sys.argv[2]))' \
	"$WORK/ima.ko" "$ima" 2>/dev/null; then
	run stamp --unverified --kdir "$A" "$WORK/ima.ko"
	expect 0 "security.ima: kept, and a warning that the IMA hash must be made again" \
		"$WORK/ima.ko: kept its security.ima, but its contents changed: make its IMA hash"
	xattrs "$WORK/ima.ko" | grep -q "^security.ima $ima$" && t_ok "... the attribute is the old one" ||
		t_fail "... the attribute is the old one"
else
	t_skip "security.ima: kept, with a warning" "cannot set security.ima here"
fi

# a directory's default ACL is not added to the stamped file: only what it had
if [ "$acl" != none ]; then
	mkdir "$WORK/dacl" && setfacl -d -m u:4244:rw "$WORK/dacl"
	cp "$FIXTURES/user.o" "$WORK/dacl/m.ko" && setfacl -b "$WORK/dacl/m.ko"
	before=$(getfacl -cnp "$WORK/dacl/m.ko")
	run stamp --unverified --kdir "$A" "$WORK/dacl/m.ko"
	[ "$RC" = 0 ] && [ "$(getfacl -cnp "$WORK/dacl/m.ko")" = "$before" ] &&
		t_ok "in a directory with a default ACL, a module without an ACL stays without" ||
		t_fail "in a directory with a default ACL, a module without an ACL stays without"
fi

# the owner cannot be kept (an unprivileged user rewriting root's file): refused
if setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	mkdir "$WORK/own" && chown nobody:nogroup "$WORK/own" && chmod 755 "$WORK"
	echo '/* root'"'"'s */' >"$WORK/own/t.h" && chmod 666 "$WORK/own/t.h"
	cp "$WORK/own/t.h" "$WORK/own.orig"
	chmod -R a+rX "$WORK/A.txt" "$(dirname "$RUSTVER")" 2>/dev/null || true
	set +e
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$RUSTVER" table --table "$WORK/A.txt" \
		--c-header "$WORK/own/t.h" >"$OUT" 2>&1
	RC=$?
	set -e
	expect 2 "as a user, another user's file: refused, not given to that user" \
		"$WORK/own/t.h: cannot give the new file its owner and group 0:0 \(Operation not permitted\): not replaced"
	[ "$(stat -c %U "$WORK/own/t.h")" = root ] && cmp -s "$WORK/own/t.h" "$WORK/own.orig" &&
		[ -z "$(temps "$WORK/own")" ] && t_ok "... the file as it was, no temporary left" ||
		t_fail "... the file as it was, no temporary left"
else
	t_skip "as a user, another user's file: refused" "setpriv cannot switch to nobody here"
fi

# --- hard links: refused, both names left as they were ------------------------
fresh hl.ko
ln "$WORK/hl.ko" "$WORK/hl2.ko"
run stamp --unverified --kdir "$A" "$WORK/hl.ko"
expect 2 "a module with 2 hard links: refused, saying why" \
	"$WORK/hl.ko: has 2 hard links: replacing it would leave the other names with the old contents; not replaced"
cmp -s "$WORK/hl.ko" "$WORK/orig.ko" && cmp -s "$WORK/hl2.ko" "$WORK/orig.ko" &&
	[ "$(stat -c %h "$WORK/hl.ko")" = 2 ] && [ -z "$(temps "$WORK")" ] &&
	t_ok "... both names unchanged, still one file, no temporary left" ||
	t_fail "... both names unchanged, still one file, no temporary left"

# --- the file changed between the reading and the rename ----------------------
# (RUSTVER_TEST_PAUSE_BEFORE_RENAME: the writer's test hook, tools/rustver/replace.c)
# race NAME WHAT CHANGE: stamps a fresh $WORK/NAME, runs CHANGE FILE during its
# pause before the rename; the stamp must refuse and leave the changed file
by_rename() { cp "$FIXTURES/plain.o" "$1.new" && mv "$1.new" "$1"; }
in_place() { cat "$FIXTURES/plain.o" >"$1"; } # the same inode, rewritten
race() {
	local how=${NAMED:+" (a named temporary, not O_TMPFILE)"}
	fresh "$1"
	stamp_bg 3 "$WORK/$1.err" "$WORK/$1"
	wait_for "$WORK/$1.err" 'test hook' && "$3" "$WORK/$1"
	bg_wait
	cp "$WORK/$1.err" "$OUT"
	RC=$BG_RC
	expect 2 "$2 while being stamped: refused$how" \
		"$WORK/$1: was replaced or modified since it was read: not replaced"
	cmp -s "$WORK/$1" "$FIXTURES/plain.o" && [ -z "$(temps "$WORK")" ] &&
		t_ok "... the new file is left as it is, no temporary left$how" ||
		t_fail "... the new file is left as it is, no temporary left$how"
}
for NAMED in "" 1; do
	race race.ko "a module replaced (a new build renamed over it)" by_rename
done
NAMED=
race race2.ko "a module rewritten in place" in_place

# coarse clocks: on ext4 with 128-byte inodes (1-second times, as on ext2/3),
# a module rewritten in place with the same size within the second it was
# written keeps its size and times: the writer compares its bytes too
# (replace_expect_bytes()), else it stamped the old build over the new one
if truncate -s 16M "$WORK/c.img" && mkfs.ext4 -q -F -I 128 "$WORK/c.img" 2>/dev/null &&
	mkdir -p "$WORK/cm" && mount -o loop "$WORK/c.img" "$WORK/cm" 2>"$OUT"; then
	trap 'umount "$WORK/cm" 2>/dev/null; rm -rf "$WORK"' EXIT
	cp "$FIXTURES/plain.o" "$WORK/other.o" # the new build: same size, other bytes
	truncate -s "$(stat -c %s "$FIXTURES/user.o")" "$WORK/other.o"
	same=0
	for try in 1 2 3 4 5; do
		while [ "$(date +%N | cut -c1)" != 0 ]; do sleep 0.01; done
		cp "$FIXTURES/user.o" "$WORK/cm/m.ko"
		t1=$(stat -c '%s %Y %Z %i' "$WORK/cm/m.ko")
		stamp_bg 1 "$WORK/coarse.err" "$WORK/cm/m.ko"
		wait_for "$WORK/coarse.err" 'test hook' &&
			dd if="$WORK/other.o" of="$WORK/cm/m.ko" conv=notrunc status=none
		t2=$(stat -c '%s %Y %Z %i' "$WORK/cm/m.ko")
		bg_wait
		if [ "$t1" = "$t2" ]; then
			same=1
			break
		fi
	done
	cp "$WORK/coarse.err" "$OUT"
	RC=$BG_RC
	if [ "$same" = 1 ]; then
		expect 2 "ext4, 128-byte inodes: a same-size rewrite within the second, while being stamped: refused" \
			"$WORK/cm/m.ko: was modified since it was read \(its bytes differ; its size and times do not show it\): not replaced"
		cmp -s "$WORK/cm/m.ko" "$WORK/other.o" && [ -z "$(temps "$WORK/cm")" ] &&
			t_ok "... the new build is left as it is, no temporary left" ||
			t_fail "... the new build is left as it is, no temporary left"
	else
		t_fail "ext4, 128-byte inodes: could not rewrite the module within one second in 5 tries"
	fi
	umount "$WORK/cm"
	trap 'rm -rf "$WORK"' EXIT
else
	t_fail "an ext4 image with 128-byte inodes could be made and loop-mounted (as root)"
fi

# --- temporaries of killed runs: removed by the next run, a live run's never ---
# Each run holds a flock(2) on its temporary; the kernel drops it when the
# process dies (kill -9 included).
mkdir "$WORK/k"
cp "$FIXTURES/user.o" "$WORK/k/m.ko"
stamp_bg 60 "$WORK/kill.err" "$WORK/k/m.ko"
wait_for "$WORK/kill.err" 'test hook' || true
kill -9 "$BG" 2>/dev/null || true
bg_wait 2>/dev/null # not the shell's "Killed"
stale=$(temps "$WORK/k")
run stamp --unverified --kdir "$A" "$WORK/k/m.ko"
if [ -n "$stale" ] && [ "$RC" = 0 ] && stamped "$WORK/k/m.ko" && [ -z "$(temps "$WORK/k")" ] &&
	grep -q "removed $WORK/k/$stale, the temporary file of a rustver that was killed (its process is gone)" "$OUT"; then
	t_ok "a stamp killed (-9) before its rename leaves $stale; the next stamp removes it, saying so"
else
	echo "left by the killed run: '$stale'; now: '$(temps "$WORK/k")'" >>"$OUT"
	t_fail "a stamp killed (-9) before its rename: the next stamp removes its temporary"
fi

# a live run's temporary survives another stamp of the same module; the live
# run then finds the module replaced by that stamp and refuses
fresh live.ko
stamp_bg 4 "$WORK/live.err" "$WORK/live.ko"
wait_for "$WORK/live.err" 'test hook' || true
mine=$(temps "$WORK")
run stamp --unverified --kdir "$A" "$WORK/live.ko"
kept=$(temps "$WORK")
bg_wait
if [ -n "$mine" ] && [ "$RC" = 0 ] && [ "$kept" = "$mine" ] && stamped "$WORK/live.ko" &&
	[ "$BG_RC" = 2 ] && grep -q 'was replaced or modified since it was read' "$WORK/live.err" &&
	[ -z "$(temps "$WORK")" ]; then
	t_ok "a live stamp's temporary is not removed by a second stamp; the first then refuses"
else
	{ echo "live: '$mine', after the second stamp: '$kept', exit $BG_RC"; cat "$WORK/live.err"; } >>"$OUT"
	t_fail "a live stamp's temporary is not removed by a second stamp"
fi

# names alone decide nothing: an unlocked temporary named after a live process
# (this shell) is kept, as is a fresh one of rustver 0.2.0's mkstemp name; one
# of those left unchanged for over 10 minutes is removed
mkdir "$WORK/n"
cp "$FIXTURES/user.o" "$WORK/n/m.ko"
ns=$(stat -L -c %i /proc/self/ns/pid)
touch "$WORK/n/.m.ko.rustver-$ns-$$-AbCdEf" "$WORK/n/.m.ko.rustver-Fresh1" "$WORK/n/.m.ko.rustver-Old123"
touch -d '-20 min' "$WORK/n/.m.ko.rustver-Old123"
run stamp --unverified --kdir "$A" "$WORK/n/m.ko"
left=$(temps "$WORK/n" | tr '\n' ' ')
[ "$RC" = 0 ] && [ "$left" = ".m.ko.rustver-$ns-$$-AbCdEf .m.ko.rustver-Fresh1 " ] &&
	grep -q "removed $WORK/n/.m.ko.rustver-Old123, .*unchanged for over 10 minutes" "$OUT" &&
	t_ok "a live process's and a fresh temporary are kept, a 20-minute-old one removed" ||
	{ echo "left: $left" >>"$OUT"; t_fail "a live process's and a fresh temporary are kept, a 20-minute-old one removed"; }

# without O_TMPFILE (open(2); RUSTVER_TEST_NO_O_TMPFILE, the writer's other test
# hook): a named temporary (mkstemp-like), the same result
fresh named.ko
chmod 0604 "$WORK/named.ko"
set +e
RUSTVER_TEST_NO_O_TMPFILE=1 "$RUSTVER" stamp --unverified --kdir "$A" "$WORK/named.ko" >"$OUT" 2>&1
RC=$?
set -e
[ "$RC" = 0 ] && stamped "$WORK/named.ko" && [ "$(stat -c %a "$WORK/named.ko")" = 604 ] &&
	[ -z "$(temps "$WORK")" ] &&
	t_ok "with a named temporary instead of O_TMPFILE: stamped, mode kept, nothing left" ||
	t_fail "with a named temporary instead of O_TMPFILE: stamped, mode kept, nothing left"

t_done
