#!/usr/bin/env bats
# DKMS: dkms/dkms.conf, `make dkms-install` / `make dkms-uninstall` with the
# real dkms, building adaptswap.ko for Debian's 6.1 cloud kernel from its
# unpacked headers.  dkms works in private trees (--dkmstree, --sourcetree,
# --installtree, no depmod), so /var/lib/dkms, /usr/src and /lib/modules
# are never touched.

load ../lib/helpers

# Never sign: with a sign-file at hand dkms would create its key in
# /var/lib/dkms.  dkms takes sign_file from the environment when set.
export sign_file=/nonexistent

setup_file() {
	command -v dkms >/dev/null || {
		echo "dkms is not installed (tests/deps.sh dkms)" >&2
		return 1
	}
	T=$BATS_FILE_TMPDIR
	mkdir -p "$T/dkms" "$T/src" "$T/mods"
	touch "$T/before"
	export T
}

setup() {
	requires host
	VERSION=$(cat "$REPO/VERSION")
	TREES=(DKMS_TREE="$T/dkms" DKMS_SOURCETREE="$T/src" DKMS_INSTALLTREE="$T/mods")
	DTREES=(--dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/mods")
}

# kernel SUITE: KVER and KDIR of a prepared kernel, or skip
kernel() {
	local f=${ADAPTSWAP_CACHE:-$REPO/.cache}/kernels/$1/kver
	[ -s "$f" ] || skip "requires the $1 kernel (tests/vm/kernel.sh $1; make check prepares it)"
	KVER=$(cat "$f")
	KDIR=${ADAPTSWAP_CACHE:-$REPO/.cache}/kernels/$1/root/usr/src/linux-headers-$KVER
	[ -f "$KDIR/Makefile" ] || { echo "no headers in $KDIR"; return 1; }
}

# install SUITE: make dkms-install for that kernel into the private trees
install_for() {
	kernel "$1"
	mkdir -p "$T/mods/$KVER"
	make -s -C "$REPO" dkms-install "${TREES[@]}" DKMS_KERNEL="$KVER" \
		DKMS_KERNELSOURCEDIR="$KDIR" > "$T/install-$1.log" 2>&1 || {
		cat "$T/install-$1.log"
		return 1
	}
}

@test "dkms.conf: the version placeholder, filled in with VERSION on install" {
	grep -qx 'PACKAGE_VERSION="#MODULE_VERSION#"' "$REPO/dkms/dkms.conf"
	"$REPO/dkms/copy-sources" --conf "$BATS_TEST_TMPDIR/s"
	# shellcheck disable=SC1091
	( . "$BATS_TEST_TMPDIR/s/dkms.conf"
	  echo "$PACKAGE_NAME $PACKAGE_VERSION ${BUILT_MODULE_NAME[0]} $AUTOINSTALL" ) > "$BATS_TEST_TMPDIR/v"
	cat "$BATS_TEST_TMPDIR/v"
	[ "$(cat "$BATS_TEST_TMPDIR/v")" = "adaptswap $VERSION adaptswap yes" ]
	[ "$(cat "$BATS_TEST_TMPDIR/s/VERSION")" = "$VERSION" ]
}

@test "BUILD_EXCLUSIVE_KERNEL admits 6.1 to 6.12 and nothing else" {
	local re k
	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$REPO/dkms/dkms.conf")
	[ -n "$re" ]
	for k in 6.1.0-50-cloud-amd64 6.1.0-50-amd64 6.5.0-1-amd64 6.7.12 6.10.0-1-amd64 \
		6.12.95+deb12-cloud-amd64 6.12.0; do
		[[ $k =~ $re ]] || { echo "$k refused"; return 1; }
	done
	for k in 5.10.0-30-cloud-amd64 6.0.0-1-amd64 6.13.0-1-amd64 6.19.1 6.100.1 7.1.0 16.1.0 \
		4.6.1.0; do
		! [[ $k =~ $re ]] || { echo "$k admitted"; return 1; }
	done
}

@test "copy-sources: the set is what kmod/Kbuild builds from, nothing else" {
	local obj inc f
	"$REPO/dkms/copy-sources" "$BATS_TEST_TMPDIR/s"
	(cd "$BATS_TEST_TMPDIR/s" && find . -type f -printf '%P\n' | LC_ALL=C sort) > "$BATS_TEST_TMPDIR/got"
	"$REPO/dkms/copy-sources" --list | LC_ALL=C sort > "$BATS_TEST_TMPDIR/list"
	diff "$BATS_TEST_TMPDIR/list" "$BATS_TEST_TMPDIR/got"
	# every object Kbuild names has its .c
	# shellcheck disable=SC2013 # the objects are words on one line
	for obj in $(sed -n 's/^adaptswap-y *:= *//p' "$REPO/kmod/Kbuild"); do
		grep -qx "${obj%.o}.c" "$BATS_TEST_TMPDIR/got" || { echo "no ${obj%.o}.c"; return 1; }
	done
	# every local include and the force-included compat header are there
	for inc in $(cd "$BATS_TEST_TMPDIR/s" && grep -ho '#include "[^"]*"' ./*.c ./*.h compat/*.h |
		sed 's/#include "\(.*\)"/\1/' | sort -u) compat/compat.h VERSION; do
		grep -qx "$inc" "$BATS_TEST_TMPDIR/got" || { echo "missing $inc"; return 1; }
	done
	# no documentation, tests or build output
	run ! grep -E '(README|ABI/|\.o$|\.ko$|\.cmd$)' "$BATS_TEST_TMPDIR/got"
	# and each file is a copy of the tree's
	while read -r f; do
		if [ "$f" = VERSION ]; then cmp "$REPO/VERSION" "$BATS_TEST_TMPDIR/s/$f"
		else cmp "$REPO/kmod/$f" "$BATS_TEST_TMPDIR/s/$f"; fi
	done < "$BATS_TEST_TMPDIR/got"
}

@test "copy-sources: bad use is an error" {
	run "$REPO/dkms/copy-sources"
	[ "$status" -eq 2 ]
	[[ $output == *usage* ]]
	run "$REPO/dkms/copy-sources" --bogus x
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--bogus'"* ]]
}

@test "make dkms-install: the source tree gets exactly the source set and dkms.conf" {
	install_for bookworm
	local s=$T/src/adaptswap-$VERSION
	(cd "$s" && find . -type f -printf '%P\n' | LC_ALL=C sort) > "$BATS_TEST_TMPDIR/got"
	{ "$REPO/dkms/copy-sources" --list; echo dkms.conf; } | LC_ALL=C sort > "$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$s/dkms.conf"
}

@test "make dkms-install builds and installs adaptswap.ko for Debian's 6.1 kernel through dkms" {
	kernel bookworm
	[ -f "$T/install-bookworm.log" ] || install_for bookworm
	run dkms status -m adaptswap -v "$VERSION" -k "$KVER" "${DTREES[@]}"
	echo "$output"
	[[ $output == "adaptswap/$VERSION, $KVER, x86_64: installed"* ]]
	ko=$T/mods/$KVER/updates/dkms/adaptswap.ko
	[ -f "$ko" ]
	modinfo -F vermagic "$ko" | tee /dev/stderr | grep -q "^$KVER SMP "
	[ "$(modinfo -F version "$ko")" = "$VERSION" ]
	[ "$(modinfo -F license "$ko")" = GPL ]
	# the same sources as the tree's own build of the module for this kernel
	ref=${ADAPTSWAP_BUILD:-$REPO/build}/kmod/bookworm/adaptswap/adaptswap.ko
	[ -f "$ref" ] || { echo "no $ref: run make kmod KERNELS=bookworm"; return 1; }
	echo "# srcversion dkms $(modinfo -F srcversion "$ko"), tree $(modinfo -F srcversion "$ref")" >&3
	[ "$(modinfo -F srcversion "$ko")" = "$(modinfo -F srcversion "$ref")" ]
}

@test "nothing outside the private trees was written" {
	kernel bookworm
	[ -f "$T/install-bookworm.log" ] || install_for bookworm
	# nothing of ours appeared or changed there since the suite started
	local d dirs=()
	for d in /lib/modules /usr/src /var/lib/dkms; do [ ! -d "$d" ] || dirs+=("$d"); done
	run find "${dirs[@]}" -maxdepth 5 -newer "$T/before" \
		\( -name '*adaptswap*' -o -name 'mok.*' \)
	echo "$output"
	[ -z "$output" ]
	# and the private trees do hold it
	[ -f "$T/mods/$KVER/updates/dkms/adaptswap.ko" ]
}

@test "an out-of-range kernel is refused by BUILD_EXCLUSIVE_KERNEL" {
	kernel bookworm
	[ -f "$T/install-bookworm.log" ] || install_for bookworm
	for k in 5.10.0-30-cloud-amd64 6.13.0-1-amd64; do
		mkdir -p "$T/mods/$k"
		run dkms build -m adaptswap -v "$VERSION" -k "$k" --kernelsourcedir "$KDIR" "${DTREES[@]}"
		echo "$output"
		[ "$status" -eq 77 ]
		[[ $output == *"BUILD_EXCLUSIVE directive which does not match this kernel"* ]]
		[ ! -e "$T/dkms/adaptswap/$VERSION/$k/x86_64/module/adaptswap.ko" ]
	done
}

@test "make dkms-install also builds for the 6.12 backport kernel" {
	install_for bookworm-backports
	ko=$T/mods/$KVER/updates/dkms/adaptswap.ko
	modinfo -F vermagic "$ko" | grep -q "^$KVER SMP "
	[ "$(modinfo -F version "$ko")" = "$VERSION" ]
}

@test "make dkms-uninstall removes the module from dkms, the install tree and the sources" {
	kernel bookworm
	[ -f "$T/install-bookworm.log" ] || install_for bookworm
	make -s -C "$REPO" dkms-uninstall "${TREES[@]}" > "$BATS_TEST_TMPDIR/log" 2>&1 || {
		cat "$BATS_TEST_TMPDIR/log"
		return 1
	}
	[ -z "$(dkms status -m adaptswap "${DTREES[@]}")" ]
	[ ! -e "$T/src/adaptswap-$VERSION" ]
	[ ! -e "$T/mods/$KVER/updates/dkms/adaptswap.ko" ]
	[ ! -e "$T/dkms/adaptswap/$VERSION" ]
	# uninstalling what is not installed is no error
	make -s -C "$REPO" dkms-uninstall "${TREES[@]}"
}
