#!/bin/bash
# Download and unpack Debian's kernel image and headers for one suite.
#
# usage: tests/vm/kernel.sh SUITE
#
# The ABI number is resolved from the linux-image-$FLAVOUR metapackage of
# that suite at run time; nothing is installed on this machine: the .debs
# are unpacked under $CACHE/kernels/SUITE/root (a merged-/usr tree).  A
# second run with the same ABI downloads nothing.  Headers that need a
# compiler this machine lacks are built against in a chroot of the suite
# (tests/vm/toolchain), which installs the same .debs.
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

# The image and the headers with the packages of the same kernel they
# depend on: the kbuild and -common trees, and from 7.x on the pieces the
# image is split into (linux-binary-, linux-modules-, linux-base-KVER).
# Toolchain and initramfs dependencies are left out, and so is any
# alternative after the first of a group (trixie's headers want the signed
# image or the unsigned one).
closure=("linux-image-$kver" "linux-headers-$kver")
for ((i = 0; i < ${#closure[@]}; i++)); do
	while read -r p; do
		[[ " ${closure[*]} " == *" $p "* ]] || closure+=("$p")
	done < <(apt_private "$suite" apt-cache depends "${closure[$i]}" |
		awk '! alt && /Depends: linux-(image|headers|kbuild|base|binary|modules)-/ {print $2}
		     { alt = /^ *\|/ }')
done
mapfile -t pkgs < <(printf '%s\n' "${closure[@]}" | sort -u)
say "downloading ${pkgs[*]}"
rm -f "$k/debs"/*.deb
(cd "$k/debs" && apt_private "$suite" apt-get download "${pkgs[@]}" 2>&1 |
	grep -v '^W: Download is performed unsandboxed' >&2) || true
for p in "${pkgs[@]}"; do
	ls "$k/debs/${p}_"*.deb >/dev/null 2>&1 || die "download of $p failed"
done

# One merged-/usr tree whatever the suite: trixie's packages ship
# /usr/lib/modules, bookworm's /lib/modules.  dpkg-deb -x would replace the
# lib -> usr/lib link by a directory; tar keeps it.
rm -rf "$k/root"
mkdir -p "$k/root/usr/lib"
ln -s usr/lib "$k/root/lib"
for deb in "$k/debs"/*.deb; do
	dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$k/root"
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
