# Shared helpers of the command-line tests: each test file sources this,
# calls t_ok / t_fail / t_skip per case, and ends with t_done. Output is
# TAP ("ok N - what" / "not ok N - what" / "ok N - what # SKIP why");
# a failing case prints the command's output so the reason is visible.
# Environment: RUSTVER (the binary under test), FIXTURES, WORK (scratch dir).
set -u
: "${RUSTVER:?RUSTVER must name the rustver binary}"
: "${FIXTURES:?FIXTURES must name the fixtures directory}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustver-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# check --all keeps its index under the cache: the tests' own, thrown away
export XDG_CACHE_HOME=$WORK/cache
t_n=0
t_failed=0
OUT=$WORK/.out

t_ok() { t_n=$((t_n + 1)); echo "ok $t_n - $*"; }
t_skip() { t_n=$((t_n + 1)); echo "ok $t_n - $1 # SKIP $2"; }
t_fail() {
	t_n=$((t_n + 1))
	t_failed=$((t_failed + 1))
	echo "not ok $t_n - $*"
	[ -s "$OUT" ] && sed 's/^/#   /' "$OUT" | head -n 40
	return 0
}

# run: runs rustver with the given arguments; output in $OUT, status in $RC
run() {
	set +e
	"$RUSTVER" "$@" > "$OUT" 2>&1
	RC=$?
	set -e
}

# expect RC DESCRIPTION PATTERN... : last run exited RC and printed every PATTERN
expect() {
	local rc=$1 what=$2
	shift 2
	if [ "$RC" != "$rc" ]; then
		t_fail "$what (exit $RC, expected $rc)"
		return
	fi
	for pat in "$@"; do
		if ! grep -qE -- "$pat" "$OUT"; then
			t_fail "$what (output lacks /$pat/)"
			return
		fi
	done
	t_ok "$what"
}

t_done() {
	echo "1..$t_n"
	[ "$t_failed" -eq 0 ]
}

# sign_module FILE: appends a real PKCS#7 signature the way the kernel's
# scripts/sign-file does (DER signature, struct module_signature, marker).
sign_module() {
	local f=$1 key=$WORK/signing.pem
	[ -f "$key" ] || openssl req -new -nodes -utf8 -sha256 -days 1 -batch -x509 \
		-subj "/CN=rustver test key/" -outform PEM -out "$key" -keyout "$key" \
		-newkey rsa:2048 2>/dev/null
	openssl cms -sign -in "$f" -signer "$key" -inkey "$key" -binary -outform DER \
		-noattr -nocerts -nosmimecap -md sha256 -out "$f.p7s" 2>/dev/null
	python3 - "$f" "$f.p7s" <<'PY'
import struct, sys
sig = open(sys.argv[2], "rb").read()
with open(sys.argv[1], "ab") as f:
    f.write(sig)
    f.write(struct.pack(">BBBBB3xI", 0, 0, 2, 0, 0, len(sig)))
    f.write(b"~Module signature appended~\n")
PY
	rm -f "$f.p7s"
}

# the number of sections called NAME in ELF file FILE
count_sections() { readelf -SW "$2" | grep -cF " $1 " || true; }

# need_trixie_chroot WHAT: root and the suite's trixie chroot (made here when this
# machine has none yet, about a minute, once); sets chroot_sh and croot. Without
# either, fails the test WHAT and ends the script.
need_trixie_chroot() {
	if [ "$(id -u)" != 0 ]; then
		t_fail "the $1 test needs root (chroot, mounts)"
		t_done
		exit
	fi
	chroot_sh=$top/selftests/scripts/chroot.sh
	croot=$("$chroot_sh" path)
	if [ ! -f "$croot/.rustver-key" ]; then
		"$chroot_sh" ensure > "$OUT" 2>&1 || { t_fail "make the trixie chroot"; t_done; exit; }
	fi
}
