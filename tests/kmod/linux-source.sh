#!/bin/bash
# Prepare Debian's kernel source (linux-source-6.1 from bookworm) for the
# graft tests: download, unpack, configure like the bookworm cloud kernel,
# make modules_prepare.  Prints the tree's path on stdout.
#
# usage: tests/kmod/linux-source.sh
#
# The tree lives in $CACHE/linux-source/VERSION/src, keyed on the package
# version; a .prepared stamp holds the hash of the configuration inputs,
# so a second run with the same inputs does nothing (no modules_prepare).
# The bookworm cloud kernel (tests/vm/kernel.sh bookworm) gives the base
# config and, when its version is the same, Module.symvers.
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

suite=bookworm
pkg=linux-source-6.1
"$REPO/tests/vm/kernel.sh" "$suite" >&2
kernel_paths "$suite"

ver=$(apt_private "$suite" apt-cache policy "$pkg" | awk '/Candidate:/ {print $2; exit}')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	die "no $pkg in $suite"
fi
top=$CACHE/linux-source
dir=$top/$ver
src=$dir/src

config=$KROOT/boot/config-$KVER
[ -r "$config" ] || die "no $config"
# Debian's certificate files are not part of the source package, and BTF
# only adds pahole time: neither matters for a module build.
tweaks=(--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
	--disable DEBUG_INFO_BTF)
# What the prepared tree depends on: the base config and the tweaks.
key=$({ cat "$config"; printf '%s\n' "${tweaks[@]}"; } | sha256sum | cut -d' ' -f1)
if [ -e "$dir/.prepared" ] && [ "$(cat "$dir/.prepared")" = "$key" ]; then
	echo "$src"
	exit 0
fi

for t in flex bison bc gcc make; do
	command -v "$t" >/dev/null || die "$t missing (tests/deps.sh graft)"
done
[ -e /usr/include/libelf.h ] || die "libelf-dev missing (tests/deps.sh graft)"
[ -e /usr/include/openssl/ssl.h ] || die "libssl-dev missing (tests/deps.sh graft)"

if [ ! -e "$dir/.unpacked" ]; then
	mkdir -p "$top/debs"
	deb=$top/debs/${pkg}_${ver}_all.deb
	if [ ! -s "$deb" ]; then
		say "downloading $pkg $ver"
		rm -f "$top/debs"/*.deb
		(cd "$top/debs" && apt_private "$suite" apt-get download "$pkg=$ver" 2>&1 |
			grep -v '^W: Download is performed unsandboxed' >&2) || true
		[ -s "$deb" ] || die "download of $pkg $ver failed"
	fi
	# One tree at a time: drop the trees of older versions.
	find "$top" -mindepth 1 -maxdepth 1 -type d ! -name debs ! -name "$ver" \
		-exec rm -rf {} +
	rm -rf "$dir"
	mkdir -p "$dir"
	say "unpacking $pkg $ver"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards './usr/src/linux-source-*.tar.xz'
	tar -xJf "$dir"/usr/src/linux-source-*.tar.xz -C "$dir"
	rm -rf "${dir:?}/usr"
	mv "$dir"/linux-source-* "$src"
	touch "$dir/.unpacked"
fi

say "configuring $src from $KVER"
rm -f "$dir/.prepared"
cp "$config" "$src/.config"
"$src/scripts/config" --file "$src/.config" "${tweaks[@]}"
make -s -C "$src" olddefconfig >&2
say "make modules_prepare"
make -s -C "$src" -j"$(nproc)" modules_prepare >&2
# The same version as the cloud kernel: its exports, so that modpost knows
# every symbol the module uses (otherwise only warnings, and no CRCs).
if [ "$(sed -n 's/^Version: //p' < <(dpkg-deb -f "$CACHE/kernels/$suite/debs/linux-image-${KVER}_"*.deb))" = "$ver" ]; then
	cp "$KDIR/Module.symvers" "$src/Module.symvers"
fi
echo "$key" > "$dir/.prepared"
say "$src ready"
echo "$src"
