#!/usr/bin/env bats
# DKMS: dkms/dkms.conf, `make dkms-install` / `make dkms-uninstall` with the
# real dkms, building adaptswap.ko from Debian's unpacked headers for every
# kernel of the matrix (bullseye 5.10, bookworm 6.1, bookworm-backports
# 6.12, trixie 6.12, sid 7.x).  A kernel whose headers name a compiler this
# machine lacks is built by its own suite's dkms and compiler in the suite's
# chroot (tests/vm/toolchain), from the source set the adaptswap-dkms
# package installs.  dkms works in private trees (--dkmstree, --sourcetree,
# --installtree, no depmod), so /var/lib/dkms, /usr/src and /lib/modules
# (of this machine and of the chroots) are never touched.

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
	local f=$CACHE/kernels/$1/kver
	[ -s "$f" ] || skip "requires the $1 kernel (tests/vm/kernel.sh $1; make check prepares it)"
	KVER=$(cat "$f")
	KDIR=$CACHE/kernels/$1/root/usr/src/linux-headers-$KVER
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

# install_in_chroot SUITE: the package's source (dkms/copy-sources --conf,
# what adaptswap-dkms installs) added, built and installed for SUITE's
# kernel by SUITE's own dkms in its chroot, into private trees under
# $T/SUITE (bound on /adaptswap-dkms in there).
install_in_chroot() {
	local d=$T/$1 c=/adaptswap-dkms opts
	kernel "$1"
	mkdir -p "$d/dkms" "$d/src" "$d/mods/$KVER"
	# The kernel's headers as dkms looks for them (dkms 2.8 in
	# /lib/modules/KVER/build, 3.x in the install tree): given with
	# --kernelsourcedir, dkms 2.8 would "prepare" (mrproper) them.
	ln -s "/usr/src/linux-headers-$KVER" "$d/mods/$KVER/build"
	"$REPO/dkms/copy-sources" --conf "$d/src/adaptswap-$VERSION"
	opts="-m adaptswap -v $VERSION --dkmstree $c/dkms --sourcetree $c/src --installtree $c/mods"
	"$REPO/tests/vm/toolchain" --run "$1" -b "$d:$c" env sign_file=/nonexistent sh -exc "
		dkms --version
		dkms add $opts
		dkms build $opts -k $KVER
		dkms install $opts -k $KVER --no-depmod
		dkms status $opts -k $KVER" > "$d/install.log" 2>&1 || {
		cat "$d/install.log"
		return 1
	}
}

# built_for SUITE: dkms built and installed adaptswap.ko for SUITE's kernel
# (this machine's dkms when its compiler will do, else the suite's own in
# its chroot): installed, the right vermagic and version, the same sources
# as the tree's own build for that kernel, and no compiler warning.
built_for() {
	local d ko ref log n
	kernel "$1"
	if "$REPO/tests/vm/toolchain" --needed "$1"; then
		d=$T/$1
		[ -f "$d/install.log" ] || install_in_chroot "$1"
		# dkms 2.8 says "adaptswap, V, K, ...", 3.x "adaptswap/V, K, ..."
		grep -x -F -e "adaptswap/$VERSION, $KVER, x86_64: installed" \
			-e "adaptswap, $VERSION, $KVER, x86_64: installed" "$d/install.log"
		echo "# $1: $(grep -m1 -i -E '^dkms[: -]' "$d/install.log"), in the $1 chroot" >&3
	else
		d=$T
		[ -f "$T/install-$1.log" ] || install_for "$1"
		run dkms status -m adaptswap -v "$VERSION" -k "$KVER" "${DTREES[@]}"
		echo "$output"
		[[ $output == "adaptswap/$VERSION, $KVER, x86_64: installed"* ]]
	fi
	ko=$(find "$d/mods/$KVER/updates/dkms" -name 'adaptswap.ko*')
	[ -n "$ko" ] && [ -f "$ko" ]
	modinfo -F vermagic "$ko" | tee /dev/stderr | grep -q "^$KVER SMP "
	[ "$(modinfo -F version "$ko")" = "$VERSION" ]
	[ "$(modinfo -F license "$ko")" = GPL ]
	# the same sources as the tree's own build of the module for this kernel
	ref=${ADAPTSWAP_BUILD:-$REPO/build}/kmod/$1/adaptswap/adaptswap.ko
	[ -f "$ref" ] || { echo "no $ref: run make kmod KERNELS=$1"; return 1; }
	echo "# $1: srcversion dkms $(modinfo -F srcversion "$ko"), tree $(modinfo -F srcversion "$ref")" >&3
	[ "$(modinfo -F srcversion "$ko")" = "$(modinfo -F srcversion "$ref")" ]
	# built by the compiler the headers name (gcc-N in .kernelvariables)
	n=$(sed -n 's/^CC = .*gcc-\([0-9]*\)$/\1/p' "$KDIR/.kernelvariables")
	[ -n "$n" ]
	case $ko in
	*.xz) xz -dc "$ko" > "$BATS_TEST_TMPDIR/plain.ko" ;;
	*.zst) zstd -q -dc "$ko" > "$BATS_TEST_TMPDIR/plain.ko" ;;
	*) cp "$ko" "$BATS_TEST_TMPDIR/plain.ko" ;;
	esac
	readelf -p .comment "$BATS_TEST_TMPDIR/plain.ko" | grep -o 'GCC: .*' | sort -u > "$BATS_TEST_TMPDIR/cc"
	echo "# $1: built by $(paste -sd';' "$BATS_TEST_TMPDIR/cc"), the headers name gcc-$n" >&3
	[ "$(wc -l < "$BATS_TEST_TMPDIR/cc")" -eq 1 ]
	grep -q "^GCC: (Debian $n\." "$BATS_TEST_TMPDIR/cc"
	# and no warning from the compiler or modpost
	log=$(find "$d/dkms/adaptswap/$VERSION" -name make.log -path "*$KVER*" | head -1)
	[ -n "$log" ] || log=$(find "$d/dkms/adaptswap/$VERSION/build" -name make.log | head -1)
	[ -s "$log" ] || { echo "no make.log of the build for $KVER"; return 1; }
	run grep -i 'warning' "$log"
	echo "$output"
	[ "$status" -eq 1 ]
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

@test "BUILD_EXCLUSIVE_KERNEL admits 5.10 and every newer kernel, nothing older" {
	local re k
	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$REPO/dkms/dkms.conf")
	[ -n "$re" ]
	for k in 5.10.0-32-cloud-amd64 5.10.223 5.15.0-1-amd64 5.19.1 5.100.1 \
		6.1.0-50-cloud-amd64 6.1.0-50-amd64 6.5.0-1-amd64 6.10.0-1-amd64 \
		6.12.95+deb12-cloud-amd64 6.12.117+deb13-cloud-amd64 6.13.0-1-amd64 6.19.1 \
		7.2.13+deb14-cloud-amd64 7.0.0 8.1.0 10.0.0 16.1.0; do
		[[ $k =~ $re ]] || { echo "$k refused"; return 1; }
	done
	for k in 5.9.16 5.4.0-30-cloud-amd64 5.1.0 5.0.0 4.19.0-27-cloud-amd64 4.9.0 3.10.0 \
		2.6.32 4.6.1.0 0.10.0 5.10 6; do
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
	built_for bookworm
}

@test "an out-of-range kernel is refused by BUILD_EXCLUSIVE_KERNEL" {
	kernel bookworm
	[ -f "$T/install-bookworm.log" ] || install_for bookworm
	for k in 5.4.0-30-cloud-amd64 4.19.0-27-amd64; do
		mkdir -p "$T/mods/$k"
		run dkms build -m adaptswap -v "$VERSION" -k "$k" --kernelsourcedir "$KDIR" "${DTREES[@]}"
		echo "$output"
		[ "$status" -eq 77 ]
		[[ $output == *"BUILD_EXCLUSIVE directive which does not match this kernel"* ]]
		[ ! -e "$T/dkms/adaptswap/$VERSION/$k/x86_64/module/adaptswap.ko" ]
	done
}

@test "DKMS builds the package's source for bookworm-backports' kernel (6.12)" {
	built_for bookworm-backports
}

@test "DKMS builds the package's source for bullseye's kernel (5.10)" {
	built_for bullseye
}

@test "DKMS builds the package's source for trixie's kernel (6.12)" {
	built_for trixie
}

@test "DKMS builds the package's source for sid's kernel (7.x)" {
	built_for sid
}

@test "nothing outside the private trees was written" {
	kernel bookworm-backports
	[ -f "$T/install-bookworm-backports.log" ] || install_for bookworm-backports
	# nothing of ours appeared or changed there since the suite started,
	# on this machine and in the chroots the builds above ran in
	local d s r dirs=()
	for d in /lib/modules /usr/src /var/lib/dkms; do [ ! -d "$d" ] || dirs+=("$d"); done
	for s in bullseye bookworm bookworm-backports trixie sid; do
		[ -d "$T/$s" ] || continue
		r=$("$REPO/tests/vm/toolchain" "$s")
		for d in lib/modules usr/src var/lib/dkms; do [ ! -d "$r/$d" ] || dirs+=("$r/$d"); done
	done
	run find "${dirs[@]}" -maxdepth 5 -newer "$T/before" \
		\( -name '*adaptswap*' -o -name 'mok.*' \)
	echo "$output"
	[ -z "$output" ]
	# and the private trees do hold it (the last make dkms-install
	# replaced the earlier ones)
	[ -f "$T/mods/$KVER/updates/dkms/adaptswap.ko" ]
	for s in bullseye trixie sid; do
		[ ! -d "$T/$s" ] || [ -n "$(find "$T/$s/mods" -name 'adaptswap.ko*')" ]
	done
}

@test "make dkms-uninstall removes the module from dkms, the install tree and the sources" {
	kernel bookworm-backports
	[ -f "$T/install-bookworm-backports.log" ] || install_for bookworm-backports
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
