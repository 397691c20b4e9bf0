#!/bin/bash
# Download and unpack Debian's kernel image and headers for one suite.
#
# usage: tests/vm/kernel.sh SUITE
#
# The ABI number is resolved from the linux-image-$FLAVOUR metapackage of
# that suite at run time; nothing is installed on this machine: the .debs
# are unpacked with dpkg-deb -x under $CACHE/kernels/SUITE/root.  A second
# run with the same ABI downloads nothing.
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

suite=${1:?usage: kernel.sh SUITE}
d=$CACHE/apt/$suite
k=$CACHE/kernels/$suite
mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$k/debs"
echo "deb $(archive_uri) $suite main" > "$d/sources.list"
touch "$d/status"

# Refresh the package lists at most once a day.
stamp=$d/lists/.updated
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
	say "updating package lists for $suite"
	apt_private "$suite" apt-get update >/dev/null || {
		# Offline with usable lists: keep going with what we have.
		[ -e "$stamp" ] || die "apt-get update failed for $suite"
	}
	touch "$stamp"
fi

kver=$(apt_private "$suite" apt-cache depends "linux-image-$FLAVOUR" |
	awk '/Depends: linux-image-/ {sub("linux-image-", "", $2); print $2; exit}')
[ -n "$kver" ] || die "no linux-image-$FLAVOUR in $suite"

if [ -s "$k/kver" ] && [ "$(cat "$k/kver")" = "$kver" ] && [ -e "$k/root/.complete" ]; then
	exit 0
fi

mapfile -t pkgs < <(echo "linux-image-$kver"; echo "linux-headers-$kver"
	apt_private "$suite" apt-cache depends "linux-headers-$kver" |
	awk '/Depends: linux-(headers|kbuild)-/ {print $2}' | sort -u)
say "downloading ${pkgs[*]}"
rm -f "$k/debs"/*.deb
(cd "$k/debs" && apt_private "$suite" apt-get download "${pkgs[@]}" 2>&1 |
	grep -v '^W: Download is performed unsandboxed' >&2) || true
for p in "${pkgs[@]}"; do
	ls "$k/debs/${p}_"*.deb >/dev/null 2>&1 || die "download of $p failed"
done

rm -rf "$k/root"
mkdir -p "$k/root"
for deb in "$k/debs"/*.deb; do
	dpkg-deb -x "$deb" "$k/root"
done
# The headers' Makefile includes the -common tree by absolute path.
sed -i "s#include /usr/src/#include $k/root/usr/src/#" \
	"$k/root/usr/src/linux-headers-$kver/Makefile"
# Modules may be compressed; busybox insmod wants them plain.
find "$k/root/lib/modules/$kver" -name '*.ko.xz' -exec xz -d {} + 2>/dev/null || true
find "$k/root/lib/modules/$kver" -name '*.ko.zst' -exec zstd -q -d --rm {} + 2>/dev/null || true
depmod -b "$k/root" "$kver"
echo "$kver" > "$k/kver"
touch "$k/root/.complete"
say "kernel $kver ready"
