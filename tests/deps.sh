#!/bin/bash
# Install what the build, the tests, the demo and the benchmarks need on
# a Debian 12 machine: apt only, --no-install-recommends, and only what is
# missing (a second run installs nothing and needs no network).  prometheus
# is there for promtool (the alert rules' tests); on a machine that runs
# systemd its package also enables and starts a Prometheus server.
#
# usage: tests/deps.sh [check|demo|bench|dkms|graft]...   (default: check)
set -euo pipefail

pkgs_check="make gcc libc6-dev pkg-config libnl-3-dev libnl-genl-3-dev
	qemu-system-x86 busybox-static bash-static bats cpio kmod e2fsprogs
	iproute2 shellcheck xz-utils zstd bc util-linux
	prometheus python3-pyroute2"
pkgs_demo="$pkgs_check gnuplot-nox"
pkgs_bench="$pkgs_demo swapspace stress-ng python3"
pkgs_dkms="$pkgs_check dkms debhelper dh-dkms lintian debootstrap dwarves git"
# A kernel source tree's olddefconfig and modules_prepare (tests/kmod/graft.bats)
pkgs_graft="$pkgs_check flex bison libelf-dev libssl-dev"

want=
for set in "${@:-check}"; do
	case $set in
	check) want+=" $pkgs_check" ;;
	demo) want+=" $pkgs_demo" ;;
	bench) want+=" $pkgs_bench" ;;
	dkms) want+=" $pkgs_dkms" ;;
	graft) want+=" $pkgs_graft" ;;
	*) echo "deps.sh: unknown set '$set'" >&2; exit 2 ;;
	esac
done

missing=()
# shellcheck disable=SC2086 # word splitting of the package lists is wanted
for p in $(printf "%s\n" $want | sort -u); do
	[ -n "$p" ] || continue
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]} (run as root to install)" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
