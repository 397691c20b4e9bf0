# shellcheck shell=bash
bats_require_minimum_version 1.5.0
# Helpers shared by the bats suites (host and guest).  load ../lib/helpers

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${ADAPTSWAP_BUILD:-$REPO/build}

in_guest() { [ "$(hostname)" = guest ] && [ -d /tests ]; }

# requires root|guest|host|module|qemu|kernel:SUITE ... : skip with the reason otherwise
requires() {
	local r
	for r in "$@"; do
		case $r in
		root) [ "$(id -u)" -eq 0 ] || skip "requires root" ;;
		guest) in_guest || skip "requires the test guest" ;;
		host) ! in_guest || skip "requires the build host" ;;
		module) modinfo adaptswap >/dev/null 2>&1 || skip "requires adaptswap.ko" ;;
		qemu) command -v qemu-system-x86_64 >/dev/null || skip "requires qemu" ;;
		*) skip "unknown requirement $r" ;;
		esac
	done
}

# Run a command as the unprivileged user (uid 1000) in the guest.
as_user() { su -s /bin/bash user -c "$(printf '%q ' "$@")"; }
