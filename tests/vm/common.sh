# shellcheck shell=bash disable=SC2034
# Shared settings of the guest bench.  Sourced, never run.
#
#   ADAPTSWAP_CACHE   downloads, unpacked kernels, chroots (default: for
#                     root, /var/cache/adaptswap, shared by every clone on
#                     the machine; else <repo>/.cache)
#   ADAPTSWAP_BUILD   per-kernel builds and initramfs  (default: <repo>/build)
#   FLAVOUR           Debian kernel flavour            (default: cloud-amd64)
#
# A kernel is named by the Debian suite it comes from: bullseye (5.10),
# bookworm (6.1), bookworm-backports (6.12), trixie (6.12), sid (7.x).

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/cache.sh
. "$REPO/tests/vm/cache.sh"
CACHE=$(adaptswap_cache "$REPO")
BUILD=${ADAPTSWAP_BUILD:-$REPO/build}
FLAVOUR=${FLAVOUR:-cloud-amd64}

die() { echo "${0##*/}: $*" >&2; exit 2; }
say() { [ -n "${QUIET:-}" ] || echo "${0##*/}: $*" >&2; }

# The archive the machine itself uses; never written into the repository.
archive_uri() {
	local f=/etc/apt/sources.list.d/debian.sources uri=
	if [ -r "$f" ]; then
		uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f")
	fi
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || die "cannot find the Debian archive in the apt sources"
	echo "$uri"
}

# apt with a private state per suite, so the machine's own sources,
# lists and default kernel are never touched.
apt_private() {
	local suite=$1; shift
	local d=$CACHE/apt/$suite
	local tool=$1; shift
	"$tool" -q -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::State::status="$d/status" \
		-o Dir::Cache="$d/cache" \
		-o APT::Get::List-Cleanup=0 \
		-o Debug::NoLocking=1 "$@"
}

# Paths of one prepared kernel: sets KVER KROOT KDIR VMLINUZ.
kernel_paths() {
	local suite=$1
	local f=$CACHE/kernels/$suite/kver
	[ -s "$f" ] || die "kernel for '$suite' not prepared (run tests/vm/kernel.sh $suite)"
	KVER=$(cat "$f")
	KROOT=$CACHE/kernels/$suite/root
	KDIR=$KROOT/usr/src/linux-headers-$KVER
	# 7.x packages keep the image next to the modules, older ones in /boot.
	VMLINUZ=$KROOT/boot/vmlinuz-$KVER
	[ -e "$VMLINUZ" ] || VMLINUZ=$KROOT/lib/modules/$KVER/vmlinuz
}

# --- chroots of other suites (tests/vm/toolchain, tests/image) -----------

# The compiler a kernel's headers name in .kernelvariables (gcc-N, or
# x86_64-linux-gnu-gcc-N where they set CROSS_COMPILE), as make sees it.
kernel_cc() {	# kernel_cc KDIR
	# shellcheck disable=SC2016 # make's variables
	make -s --no-print-directory -f "$1/.kernelvariables" \
		-f <(printf 'adaptswap-print-cc:\n\t@echo $(CC)\n') adaptswap-print-cc
}

# Does building against SUITE's headers need a chroot of that suite (its
# compiler is not on this machine)?  Needs kernel_paths SUITE first.
needs_toolchain() {
	local cc
	cc=$(kernel_cc "$KDIR")
	[ -n "$cc" ] || die "no compiler named in $KDIR/.kernelvariables"
	! command -v "$cc" >/dev/null
}

# Private mounts: whatever is mounted in there goes away with the process,
# even on failure.
in_ns() { unshare --mount --propagation private "$@"; }

# chroot_run [-b SRC:DST]... ROOT CMD...: run CMD in the chroot ROOT with
# /proc, /sys, /dev and /tmp of its own and each SRC bound on DST (created
# in ROOT), a clean environment and no interaction.  Every mount lives in a
# private mount namespace: it goes away with CMD, however CMD ends.
chroot_run() {
	local binds=()
	while [ "${1:-}" = -b ]; do
		binds+=("${2:?}")
		shift 2
	done
	# shellcheck disable=SC2016 # expanded by the inner bash
	in_ns bash -c 'set -e; r=$1; n=$2; shift 2
		for ((i = 0; i < n; i++)); do
			mkdir -p "$r${1#*:}"
			mount --bind "${1%%:*}" "$r${1#*:}"
			shift
		done
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --bind /dev "$r/dev"
		mount -t devpts devpts "$r/dev/pts" -o newinstance,ptmxmode=666 2>/dev/null || true
		mount -t tmpfs tmpfs "$r/tmp"
		exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive "$@"' _ "$1" "${#binds[@]}" "${binds[@]}" "${@:2}"
}

# apt-get update's option for a chroot's apt to check Release files as
# this machine's apt does (a mirror snapshot may serve one past its
# Valid-Until, which this machine's configuration may accept).
apt_valid_opt() {
	local v
	v=$(apt-config dump Acquire::Check-Valid-Until | sed -n 's/^[^ ]* "\(.*\)";$/\1/p')
	[ -z "$v" ] || echo "-o Acquire::Check-Valid-Until=$v"
}

# minbase SUITE DIR: DIR becomes a debootstrap --variant=minbase of SUITE.
# The debootstrap itself is cached as $CACHE/debootstrap/minbase-SUITE.tar
# (it depends only on the suite), so a second one only unpacks it.
minbase() {
	local suite=$1 dir=$2 tar=$CACHE/debootstrap/minbase-$1.tar tmp
	mkdir -p "$CACHE/debootstrap" "$dir"
	(
		flock 9
		if [ ! -s "$tar" ]; then
			say "debootstrap $suite (minbase)"
			tmp=$(mktemp -d "$CACHE/debootstrap/$suite.XXXXXX")
			# shellcheck disable=SC2064 # tmp is fixed now
			trap "rm -rf '$tmp'" EXIT
			in_ns debootstrap --variant=minbase "$suite" "$tmp/root" "$(archive_uri)" \
				> "$tmp/log" 2>&1 || {
				tail -20 "$tmp/log" >&2
				die "debootstrap of $suite failed"
			}
			tar -C "$tmp/root" -cpf "$tmp/minbase.tar" .
			mv "$tmp/minbase.tar" "$tar"
		fi
	) 9> "$CACHE/debootstrap/minbase-$suite.lock" || exit
	tar -C "$dir" -xpf "$tar"
	cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	echo "deb $(archive_uri) $suite main" > "$dir/etc/apt/sources.list"
}
