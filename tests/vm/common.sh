# shellcheck shell=bash disable=SC2034
# Shared settings of the guest bench.  Sourced, never run.
#
#   ADAPTSWAP_CACHE   downloads and unpacked kernels   (default: <repo>/.cache)
#   ADAPTSWAP_BUILD   per-kernel builds and initramfs  (default: <repo>/build)
#   FLAVOUR           Debian kernel flavour            (default: cloud-amd64)
#
# A kernel is named by the Debian suite it comes from: bookworm (6.1),
# bookworm-backports (6.12), trixie (6.12), ...

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${ADAPTSWAP_CACHE:-$REPO/.cache}
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
	VMLINUZ=$KROOT/boot/vmlinuz-$KVER
}
