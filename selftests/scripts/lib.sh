# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the rustver selftest scripts. Source it; do not run it.
#
# Environment:
#   RUSTVER_CACHE   cache directory (default /var/cache/rustver)
#   RUSTVER_MIRROR  Debian mirror URL (default: read from the host's apt sources)

# Bump when a change to these scripts must invalidate cached results.
# shellcheck disable=SC2034 # used by the scripts that source this file
RUSTVER_SCRIPTS_VERSION=1

RUSTVER_CACHE=${RUSTVER_CACHE:-/var/cache/rustver}
# shellcheck disable=SC2034
SELFTESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# RUSTVER_REFRESH=1 asks for a fresh chroot (newest Debian packages). Turned into a
# point in time once, so the nested scripts of one run rebuild it once, not each time.
if [ "${RUSTVER_REFRESH:-0}" = 1 ] && [ -z "${RUSTVER_REFRESH_AFTER:-}" ]; then
	RUSTVER_REFRESH_AFTER=$(date +%s)
	export RUSTVER_REFRESH_AFTER
fi

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot and mounts need it)"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found; run selftests/deps.sh (or apt-get install the package providing it)"
	done
}

# arch_setup: normalise RUSTVER_ARCH, the architecture of the selftest kernels
# (x86_64 by default; x86 and amd64 mean x86_64, aarch64 means arm64), export it,
# and set ARCH_SUFFIX: "" for x86_64, "-arm64" for arm64, the suffix of every
# per-architecture name (kernel trees, work directories, cache locks).
arch_setup() {
	case "${RUSTVER_ARCH:-x86_64}" in
	x86_64 | x86 | amd64) RUSTVER_ARCH=x86_64 ARCH_SUFFIX= ;;
	arm64 | aarch64) RUSTVER_ARCH=arm64 ARCH_SUFFIX=-arm64 ;;
	*) die "RUSTVER_ARCH must be x86_64 or arm64, got '$RUSTVER_ARCH'" ;;
	esac
	export RUSTVER_ARCH
}

# env_of CMD [ARG]...: run CMD, a script that prints shell assignments
# (kernels.sh, chroot.sh ensure, sysroot.sh, debian-kernel.sh), and evaluate
# what it printed. `eval "$(CMD)"` would hide CMD's failure (an empty string
# evaluates to success) and the caller would stop later on an unbound
# variable; here CMD's failure ends the caller at once, after CMD's own error.
env_of() {
	local _out _rc=0
	_out=$("$@") || _rc=$?
	[ "$_rc" -eq 0 ] || die "${1##*/} failed (exit $_rc): see its error above"
	eval "$_out"
}

# Print the sha256 of stdin, hex only.
hash_stdin() { sha256sum | cut -c1-16; }

# Read the Debian mirror the host's apt already uses. Never hard-code a host name:
# CI machines and developers may sit behind different mirrors.
debian_mirror() {
	if [ -n "${RUSTVER_MIRROR:-}" ]; then
		echo "${RUSTVER_MIRROR%/}"
		return
	fi
	local uri f
	# deb822 sources first, then one-line sources; skip security archives.
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f" |
			grep -v -- '-security' | head -n1)
		[ -n "$uri" ] && { echo "${uri%/}"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/ && $i ~ /:\/\//) { print $i; break } }' "$f" |
			grep -v -- '-security' | head -n1)
		[ -n "$uri" ] && { echo "${uri%/}"; return; }
	done
	die "no Debian mirror found in /etc/apt/sources.list{,.d/*}; set RUSTVER_MIRROR=<url>"
}

# Run a stamp-guarded step: "is_done DIR KEY" is true when DIR/.rustver-key holds KEY.
is_done() { [ -f "$1/.rustver-key" ] && [ "$(cat "$1/.rustver-key")" = "$2" ]; }
mark_done() { printf '%s\n' "$2" >"$1/.rustver-key"; }

# cache_lock NAME: serialise the users of one part of the cache (two runs building
# the same chroot at once would corrupt it). "build" guards the chroot and the kernel
# trees, "debian-kernel" the Debian kernel download, so one does not wait for the
# other. Nested scripts (run-qemu.sh -> kernels.sh) inherit a held lock through
# RUSTVER_LOCKS_HELD.
cache_lock() {
	local name=$1 fd
	case " ${RUSTVER_LOCKS_HELD:-} " in *" $name "*) return 0 ;; esac
	mkdir -p "$RUSTVER_CACHE"
	exec {fd}>"$RUSTVER_CACHE/.lock-$name"
	if ! flock -n "$fd"; then
		log "waiting for another run holding $RUSTVER_CACHE/.lock-$name"
		flock "$fd"
	fi
	export RUSTVER_LOCKS_HELD="${RUSTVER_LOCKS_HELD:-} $name"
}

# Private apt configuration on the HOST for Debian suites other than the host's own:
# its own sources.list, lists, cache and an empty dpkg status, so the host's apt state
# is neither read nor changed. Usage: host_apt_init DIR "SUITE..."; then host_apt get|cache ARGS.
host_apt_init() {
	HOST_APT_DIR=$1
	local suites=$2 mirror s
	mirror=$(debian_mirror)
	mkdir -p "$HOST_APT_DIR"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d}
	: >"$HOST_APT_DIR/status"
	: >"$HOST_APT_DIR/sources.list.new"
	for s in $suites; do
		printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
			"$mirror" "$s" >>"$HOST_APT_DIR/sources.list.new"
	done
	mv "$HOST_APT_DIR/sources.list.new" "$HOST_APT_DIR/sources.list"
	HOST_APT_OPTS=(
		-o "Dir::Etc::SourceList=$HOST_APT_DIR/sources.list"
		-o "Dir::Etc::SourceParts=$HOST_APT_DIR/sources.list.d"
		-o "Dir::Etc::PreferencesParts=$HOST_APT_DIR/preferences.d"
		-o "Dir::Etc::Preferences=$HOST_APT_DIR/preferences"
		-o "Dir::State::Lists=$HOST_APT_DIR/lists"
		-o "Dir::State::status=$HOST_APT_DIR/status"
		-o "Dir::Cache=$HOST_APT_DIR/cache"
		-o "APT::Architecture=amd64"
		-o "APT::Architectures::=amd64"
		-o "APT::Sandbox::User=root"
	)
}
host_apt() {
	local tool=$1
	shift
	"apt-$tool" "${HOST_APT_OPTS[@]}" "$@"
}

# qemu_setup CMDLINE: set qemu_accel (array; RUSTVER_ACCEL=kvm|tcg, default tcg) and
# qemu_append (CMDLINE plus what the accelerator needs). KVM only when asked for: on
# nested hosts /dev/kvm can create a VM, run firmware for seconds and then hang the
# guest's boot (seen in CI: 1,500 s timeout with no console output after the kernel
# started), and no probe short of a full boot tells those hosts apart.
qemu_setup() {
	case "${RUSTVER_ACCEL:-}" in
	kvm) qemu_accel=(-machine accel=kvm -cpu host) ;;
	tcg | "") qemu_accel=(-machine accel=tcg -cpu max) ;;
	*) die "RUSTVER_ACCEL must be kvm or tcg, got '$RUSTVER_ACCEL'" ;;
	esac
	qemu_append=$1
	# Under TCG the guest cannot calibrate its TSC (no PIT, HPET or ACPI PM timer in
	# the tiny test kernel) and falls back to jiffies: sched_clock()/local_clock()
	# then tick in 4 ms steps and kmod_rustver's verify_time/ reads 0. TCG's rdtsc
	# reads the host's TSC, so give the guest the host's rate.
	local khz
	khz=$(awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
	if [ "${qemu_accel[1]}" = accel=tcg ] && [ -n "$khz" ]; then
		qemu_append+=" tsc_early_khz=$khz"
	fi
}

# What a test kernel's console must not hold. Lockdep ("Invalid wait context",
# "possible circular locking", ...), atomic-sleep ("BUG: sleeping function
# called from invalid context"), KASAN and soft-lockup reports all carry one of
# these; arm64 says "Call trace:" and "Internal error:"/"Unable to handle
# kernel ..." where x86_64 says "Call Trace:" and "general protection".
# shellcheck disable=SC2034 # used by the scripts that source this file
KERNEL_PROBLEMS='Oops|BUG:|WARNING:|KASAN|Invalid wait context|soft lockup|Initramfs unpacking failed|general protection|Call [Tt]race|Internal error:|Unable to handle kernel'

# in_root ROOT CMD...: run CMD in the chroot ROOT inside a private mount namespace:
# /proc, /dev, /sys and /tmp are mounted for it and vanish with it, so nothing stays
# mounted on the host. Directories listed (one a line) in CHROOT_BINDS are
# bind-mounted at the same path inside, so a host path means the same inside.
in_root() {
	local root=$1
	shift
	CHROOT_BINDS=${CHROOT_BINDS:-} unshare --mount --propagation private -- /bin/bash -euc '
		c=$1; shift
		# The root a mount point of its own: an in_root inside it (the
		# selftests chroot inside scripts/fresh-root.sh) makes its mounts
		# private with unshare --propagation private, which fails with
		# EINVAL on a "/" that is not a mount point.
		mount --rbind "$c" "$c"
		mount -t proc proc "$c/proc"
		mount --rbind /dev "$c/dev"
		mount -t sysfs sysfs "$c/sys"
		mount -t tmpfs tmpfs "$c/tmp"
		while IFS= read -r d; do
			[ -n "$d" ] || continue
			mkdir -p "$c$d"
			mount --bind "$d" "$c$d"
		done <<<"$CHROOT_BINDS"
		exec chroot "$c" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' in_root "$root" "$@"
}

# take_binds ARGS...: the leading "--bind DIR" pairs of ARGS into CHROOT_BINDS (for
# in_root), the arguments after them into the array RUN_ARGS.
take_binds() {
	CHROOT_BINDS=
	while [ "${1:-}" = --bind ]; do
		[ -d "${2:-}" ] || die "--bind: '${2:-}' is not a directory"
		case "$2" in /*) ;; *) die "--bind needs an absolute path, got '$2'" ;; esac
		CHROOT_BINDS+=$(realpath "$2")$'\n'
		shift 2
	done
	RUN_ARGS=("$@")
}

# source_copy TOP DEST [COMMIT]: the files of the checkout TOP, as git sees
# them (tracked and untracked, not ignored), or those of COMMIT, into DEST:
# the sources a package build starts from.
source_copy() {
	if [ -n "${3:-}" ]; then
		git -C "$1" archive "$3" | tar -C "$2" -xf -
	else
		(cd "$1" && git ls-files -z --cached --others --exclude-standard |
			tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$2" -xf -
	fi
}

# in_overlay LOWER DIR SCRIPT [BIND...]: run `bash SCRIPT` in a throw-away
# overlay of the chroot LOWER (upper, work and merged directories under DIR),
# with /proc, /dev, /sys, an empty /tmp and the host's resolv.conf, and each
# BIND directory of the host at the same path inside. Whatever SCRIPT installs
# or changes stays in DIR/upper: the chroot itself is never written.
# IN_OVERLAY_IMAGE=FILE: when SCRIPT succeeds, FILE becomes an ext4 image
# (IN_OVERLAY_IMAGE_SIZE, default 6G, sparse) of the overlay's root as SCRIPT
# left it, without /build (the kernel trees), the BIND directories' contents
# or the mounts above: a root file system for a QEMU guest.
in_overlay() {
	local lower=$1 dir=$2 script=$3
	shift 3
	mkdir -p "$dir/upper" "$dir/work" "$dir/merged"
	unshare --mount --propagation private -- /bin/bash -ec '
		c=$1 w=$2 script=$3
		shift 3
		mount -t overlay overlay -o "lowerdir=$c,upperdir=$w/upper,workdir=$w/work" "$w/merged"
		m=$w/merged
		mount -t proc proc "$m/proc"
		mount --rbind /dev "$m/dev"
		mount -t sysfs sysfs "$m/sys"
		mount -t tmpfs tmpfs "$m/tmp"
		cp /etc/resolv.conf "$m/etc/resolv.conf" 2>/dev/null || true
		for b; do
			mkdir -p "$m$b"
			mount --bind "$b" "$m$b"
		done
		rc=0
		chroot "$m" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash "$script" || rc=$?
		[ "$rc" = 0 ] && [ -n "${IN_OVERLAY_IMAGE:-}" ] || exit "$rc"
		# the root alone: a bind of merged carries none of the mounts above
		mkdir -p "$w/view"
		mount --bind "$m" "$w/view"
		mount -t tmpfs -o mode=0755 tmpfs "$w/view/build"
		rm -f "$IN_OVERLAY_IMAGE"
		mke2fs -q -F -t ext4 -L rustver-root -d "$w/view" "$IN_OVERLAY_IMAGE" "${IN_OVERLAY_IMAGE_SIZE:-6G}"
	' in_overlay "$lower" "$dir" "$script" "$@"
}

# in_tmpfs_overlay LOWER DIR SCRIPT [BIND...]: in_overlay with DIR a tmpfs of
# a mount namespace of its own: faster than the disk, and gone with the
# namespace (no rm -rf of the hundreds of MiB that apt-get installs there).
in_tmpfs_overlay() {
	mkdir -p "$2"
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare --mount --propagation private -- /bin/bash -c '
		mount -t tmpfs -o mode=0755 rustver-overlay "$3" || exit
		. "$1/scripts/lib.sh"
		shift
		in_overlay "$@"
	' in_tmpfs_overlay "$SELFTESTS_DIR" "$@"
}
