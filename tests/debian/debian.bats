#!/usr/bin/env bats
# The Debian source package and the binary packages from `make deb`:
# debian/changelog in step with VERSION, dpkg-buildpackage binary and
# source builds in a fresh clone, versions, contents, conffiles, lintian
# (source and binaries), maintainer scripts (syntax, and prerm's behaviour
# with stand-ins for systemd and the daemon), the DEB_VERSION override and
# the build cache.  Nothing is installed on this machine: the install,
# upgrade and purge themselves are tested in a VM image (tests/image/).

load ../lib/helpers

setup_file() {
	make -s -C "$REPO" deb >&2
}

setup() {
	requires host
	VERSION=$(cat "$REPO/VERSION")
	ARCH=$(dpkg --print-architecture)
	OUT=$BUILD/deb
	DEB=$OUT/adaptswap_${VERSION}_$ARCH.deb
	DKMS_DEB=$OUT/adaptswap-dkms_${VERSION}_all.deb
	DSC=$OUT/adaptswap_$VERSION.dsc
}

# contents DEB: the regular files and symlinks, one path a line, sorted
contents() {
	dpkg-deb --fsys-tarfile "$1" | tar -t | sed -n 's|^\./||; /[^/]$/p' | LC_ALL=C sort
}

# versions CHANGELOG: the version of each entry, newest first
versions() { dpkg-parsechangelog -l "$1" --format rfc822 --all | sed -n 's/^Version: //p'; }

@test "debian/changelog: well-formed, its latest entry is VERSION, versions decrease" {
	run dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$VERSION" ] ||
		{ echo "debian/changelog is at $output, VERSION is $VERSION: add an entry"; false; }
	[ "$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Source)" = adaptswap ]
	# every entry parses, newest first
	mapfile -t vs < <(versions "$REPO/debian/changelog")
	[ ${#vs[@]} -ge 1 ]
	for ((i = 1; i < ${#vs[@]}; i++)); do
		dpkg --compare-versions "${vs[i - 1]}" gt "${vs[i]}" ||
			{ echo "entry ${vs[i - 1]} does not sort after ${vs[i]}"; false; }
	done
}

@test "a tree whose VERSION and debian/changelog differ is refused, with the reason" {
	t=$BATS_TEST_TMPDIR/t
	mkdir -p "$t"
	cp -r "$REPO/debian" "$t/"
	echo 9.9.9 > "$t/VERSION"
	want="debian/changelog is at $VERSION but VERSION says 9.9.9"
	# by dpkg-buildpackage (debian/rules) ...
	run bash -c 'cd "$1" && debian/rules clean' _ "$t"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"$want"* ]]
	# ... and by make deb
	run "$t/debian/build-deb" "$BATS_TEST_TMPDIR/out"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"$want"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
}

# fresh_clone DIR: a git clone of the repository's HEAD in DIR/adaptswap
fresh_clone() {
	git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"
	if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no)" ]; then
		echo "# (uncommitted changes are not in the clone: it builds HEAD)" >&3
	fi
	mkdir -p "$1"
	git clone -q "$REPO" "$1/adaptswap"
}

@test "dpkg-buildpackage -us -uc -b in a fresh clone builds both packages" {
	c=$BATS_TEST_TMPDIR/c
	fresh_clone "$c"
	run bash -c 'cd "$1" && dpkg-buildpackage -us -uc -b -j"$(nproc)"' _ "$c/adaptswap"
	[ "$status" -eq 0 ] || { echo "$output" | tail -40; false; }
	# the unit tests ran in the build (dh_auto_test) and passed
	if grep '^not ok' <<<"$output"; then false; fi
	grep -q '^ok ' <<<"$output"
	d=$c/adaptswap_${VERSION}_$ARCH.deb k=$c/adaptswap-dkms_${VERSION}_all.deb
	[ "$(dpkg-deb -f "$d" Version)" = "$VERSION" ]
	[ "$(dpkg-deb -f "$k" Version)" = "$VERSION" ]
	# the same files as make deb's packages
	diff <(contents "$DEB") <(contents "$d")
	diff <(contents "$DKMS_DEB") <(contents "$k")
	# the programs say the package's version, not the clone's git state
	dpkg-deb -x "$d" "$BATS_TEST_TMPDIR/x"
	[ "$("$BATS_TEST_TMPDIR/x/usr/sbin/adaptswapd" --version)" = "adaptswapd $VERSION" ]
	# what the build wrote into the tree is ignored by git, and
	# debian/rules clean removes it
	run git -C "$c/adaptswap" status --porcelain
	[ -z "$output" ] || { echo "$output"; false; }
	(cd "$c/adaptswap" && debian/rules clean) >/dev/null
	run git -C "$c/adaptswap" status --porcelain --ignored
	[ -z "$output" ] || { echo "$output"; false; }
}

@test "dpkg-buildpackage -S -us -uc in a fresh clone: a source package of the tracked tree, lintian-clean" {
	c=$BATS_TEST_TMPDIR/c
	fresh_clone "$c"
	run bash -c 'cd "$1" && dpkg-buildpackage -S -us -uc' _ "$c/adaptswap"
	[ "$status" -eq 0 ] || { echo "$output" | tail -40; false; }
	dsc=$c/adaptswap_$VERSION.dsc
	[ -s "$dsc" ] && [ -s "$c/adaptswap_$VERSION.tar.xz" ]
	grep -qx "Format: 3.0 (native)" "$dsc"
	grep -qx "Version: $VERSION" "$dsc"
	# it unpacks to exactly the files git tracks (less .gitignore)
	dpkg-source -x "$dsc" "$c/x" >/dev/null
	diff <(git -C "$c/adaptswap" ls-files | grep -vx .gitignore | LC_ALL=C sort) \
		<(cd "$c/x" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
	mkdir "$c/g"
	git -C "$c/adaptswap" archive HEAD | tar -x -C "$c/g"
	diff -r -x .gitignore "$c/g" "$c/x"
	lintian_clean "$c/adaptswap_${VERSION}_source.changes"
}

@test "make deb: the binary packages come from the tree's source package" {
	[ -s "$DSC" ]
	grep -qx "Version: $VERSION" "$DSC"
	grep -q "^Binary: .*adaptswap-dkms" "$DSC"
	rm -rf "$BATS_TEST_TMPDIR/x"
	dpkg-source -x "$DSC" "$BATS_TEST_TMPDIR/x" >/dev/null
	[ "$(cat "$BATS_TEST_TMPDIR/x/VERSION")" = "$VERSION" ]
	# nothing of the build directories or the download cache
	[ ! -e "$BATS_TEST_TMPDIR/x/build" ] && [ ! -e "$BATS_TEST_TMPDIR/x/.cache" ]
	cmp "$REPO/debian/rules" "$BATS_TEST_TMPDIR/x/debian/rules"
	cmp "$REPO/debian/changelog" "$BATS_TEST_TMPDIR/x/debian/changelog"
}

@test "both packages exist and carry VERSION as their version" {
	[ "$(dpkg-deb -f "$DEB" Package Version Architecture | tr '\n' ' ')" = \
		"Package: adaptswap Version: $VERSION Architecture: $ARCH " ]
	[ "$(dpkg-deb -f "$DKMS_DEB" Package Version Architecture | tr '\n' ' ')" = \
		"Package: adaptswap-dkms Version: $VERSION Architecture: all " ]
	# the programs and the module sources say the same
	dpkg-deb -x "$DEB" "$BATS_TEST_TMPDIR/x"
	[ "$("$BATS_TEST_TMPDIR/x/usr/sbin/adaptswapd" --version)" = "adaptswapd $VERSION" ]
	dpkg-deb -x "$DKMS_DEB" "$BATS_TEST_TMPDIR/k"
	[ "$(cat "$BATS_TEST_TMPDIR/k/usr/src/adaptswap-$VERSION/VERSION")" = "$VERSION" ]
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$BATS_TEST_TMPDIR/k/usr/src/adaptswap-$VERSION/dkms.conf"
}

@test "adaptswap holds exactly the daemon, CLI, library, headers, unit, config, man pages, completion, examples" {
	contents "$DEB" > "$BATS_TEST_TMPDIR/got"
	cat > "$BATS_TEST_TMPDIR/want" <<-EOF
	etc/adaptswap/adaptswapd.conf
	lib/systemd/system/adaptswapd.service
	usr/bin/adaptswapctl
	usr/include/adaptswap/adaptswap.h
	usr/include/linux/adaptswap.h
	usr/lib/libadaptswap.a
	usr/sbin/adaptswapd
	usr/share/bash-completion/completions/adaptswapctl
	usr/share/doc/adaptswap/changelog.gz
	usr/share/doc/adaptswap/copyright
	usr/share/doc/adaptswap/examples/adaptswap-events.py
	usr/share/doc/adaptswap/examples/adaptswap-rules.yml
	usr/share/doc/adaptswap/examples/subscriber.c
	usr/share/man/man5/adaptswap.conf.5.gz
	usr/share/man/man8/adaptswapctl.8.gz
	usr/share/man/man8/adaptswapd.8.gz
	EOF
	LC_ALL=C sort -o "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# and the (empty) directory of the drop-ins
	dpkg-deb --fsys-tarfile "$DEB" | tar -tv | grep -E '^drwxr-xr-x root/root .* \./etc/adaptswap/adaptswapd\.conf\.d/$'
	# the files are the tree's
	dpkg-deb -x "$DEB" "$BATS_TEST_TMPDIR/x"
	cmp "$REPO/userspace/adaptswapd.conf" "$BATS_TEST_TMPDIR/x/etc/adaptswap/adaptswapd.conf"
	cmp "$REPO/userspace/systemd/adaptswapd.service" \
		"$BATS_TEST_TMPDIR/x/lib/systemd/system/adaptswapd.service"
	cmp "$REPO/userspace/completion/adaptswapctl" \
		"$BATS_TEST_TMPDIR/x/usr/share/bash-completion/completions/adaptswapctl"
	cmp "$REPO/kmod/uapi/adaptswap.h" "$BATS_TEST_TMPDIR/x/usr/include/linux/adaptswap.h"
	cmp "$REPO/userspace/examples/subscriber.c" \
		"$BATS_TEST_TMPDIR/x/usr/share/doc/adaptswap/examples/subscriber.c"
	cmp "$REPO/contrib/python/adaptswap-events.py" \
		"$BATS_TEST_TMPDIR/x/usr/share/doc/adaptswap/examples/adaptswap-events.py"
	cmp "$REPO/contrib/prometheus/adaptswap-rules.yml" \
		"$BATS_TEST_TMPDIR/x/usr/share/doc/adaptswap/examples/adaptswap-rules.yml"
	for m in man5/adaptswap.conf.5 man8/adaptswapctl.8 man8/adaptswapd.8; do
		gzip -t "$BATS_TEST_TMPDIR/x/usr/share/man/$m.gz"
		zcat "$BATS_TEST_TMPDIR/x/usr/share/man/$m.gz" | cmp - "$REPO/userspace/man/${m#*/}"
	done
	# nothing refers to the build tree
	run ! grep -rlF -e "$REPO" -e "$OUT" "$BATS_TEST_TMPDIR/x"
	echo "$output"
}

@test "adaptswap: the configuration is the one conffile; the service is enabled and started" {
	dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles > "$BATS_TEST_TMPDIR/conffiles"
	[ "$(cat "$BATS_TEST_TMPDIR/conffiles")" = /etc/adaptswap/adaptswapd.conf ]
	dpkg-deb -e "$DEB" "$BATS_TEST_TMPDIR/c"
	grep -q "deb-systemd-helper.*enable 'adaptswapd.service'" "$BATS_TEST_TMPDIR/c/postinst"
	grep -q "deb-systemd-invoke \$_dh_action 'adaptswapd.service'" "$BATS_TEST_TMPDIR/c/postinst"
	# an upgrade restarts (never stops first): the new daemon adopts the swap
	grep -q '_dh_action=restart' "$BATS_TEST_TMPDIR/c/postinst"
	grep -q "deb-systemd-helper purge 'adaptswapd.service'" "$BATS_TEST_TMPDIR/c/postrm"
}

@test "adaptswap-dkms holds exactly the module sources, dkms.conf and the modules-load.d file" {
	contents "$DKMS_DEB" > "$BATS_TEST_TMPDIR/got"
	{
		"$REPO/dkms/copy-sources" --list | sed "s|^|usr/src/adaptswap-$VERSION/|"
		echo "usr/src/adaptswap-$VERSION/dkms.conf"
		echo usr/lib/modules-load.d/adaptswap.conf
		echo usr/share/doc/adaptswap-dkms/changelog.gz
		echo usr/share/doc/adaptswap-dkms/copyright
	} | LC_ALL=C sort > "$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	dpkg-deb -x "$DKMS_DEB" "$BATS_TEST_TMPDIR/k"
	[ "$(grep -v '^#' "$BATS_TEST_TMPDIR/k/usr/lib/modules-load.d/adaptswap.conf")" = adaptswap ]
	"$REPO/dkms/copy-sources" --conf "$BATS_TEST_TMPDIR/ref"
	diff -r "$BATS_TEST_TMPDIR/ref" "$BATS_TEST_TMPDIR/k/usr/src/adaptswap-$VERSION"
	# dh_dkms's scripts: dkms add/build/install on configure, remove in prerm
	dpkg-deb -e "$DKMS_DEB" "$BATS_TEST_TMPDIR/c"
	grep -q 'common.postinst' "$BATS_TEST_TMPDIR/c/postinst"
	# shellcheck disable=SC2016 # a literal line of the script
	grep -q 'dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all' "$BATS_TEST_TMPDIR/c/prerm"
	dpkg-deb -f "$DKMS_DEB" Depends | grep -q dkms
}

@test "the bash completion offers adaptswapctl's commands, options and knobs" {
	ctl=$BUILD/host/bin/adaptswapctl
	[ -x "$ctl" ] || { echo "no $ctl: run make"; return 1; }
	comp() {	# comp WORD...: the completions of the last word
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _adaptswapctl
			printf "%s\n" "${COMPREPLY[@]}"' _ "$REPO/userspace/completion/adaptswapctl" "$@" |
			LC_ALL=C sort
	}
	want=$("$ctl" --help | awk '/^commands:/ {c = 1; next} /^$/ {c = 0} c {print $1}' | LC_ALL=C sort)
	[ -n "$want" ]
	[ "$(comp adaptswapctl '' | grep -v '^--')" = "$want" ]
	# the global options, before the command and after it
	globals=$("$ctl" --help | sed -n '/^options/,/^$/p' | grep -o -- '--[a-z]*' | LC_ALL=C sort -u)
	[ -n "$globals" ]
	[ "$(comp adaptswapctl --)" = "$globals" ]
	# each command's options, as --help lists them
	for c in $want; do
		opts=$({ "$ctl" --help | awk -v c="$c" '$1 == c' | grep -o -- '--[a-z]*'
			echo "$globals"; } | LC_ALL=C sort -u)
		got=$(comp adaptswapctl "$c" -- )
		[ "$got" = "$opts" ] || { echo "$c: want '$opts', got '$got'"; return 1; }
	done
	# set: every knob --help names
	knobs=$("$ctl" --help | sed -n '/^knobs/,/^$/p' | grep -o '[a-z_]*_[a-z]*\|enabled' | sort -u)
	got=$(comp adaptswapctl set '' | sed 's/=$//' | sort -u)
	[ "$got" = "$knobs" ] || { echo "want '$knobs', got '$got'"; return 1; }
	[ "$(comp adaptswapctl set enabled=)" = "$(printf '%s\n' enabled=0 enabled=1)" ]
}

# lintian_clean FILE...: lintian finds no error and no warning in them (a
# warning that must stay gets an override in debian/*lintian-overrides,
# with a one-line reason); the rest (info, pedantic) is printed.
lintian_clean() {
	# lintian's status is 0 unless it found errors; it warns about root
	run lintian --display-info --display-experimental --pedantic "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	if printf '%s\n' "$output" | grep -E '^[EW]: '; then return 1; fi
	printf '%s\n' "$output" | grep -E '^[IPXO]: ' | sed 's/^/# /' >&3 || true
	# it did check them
	[[ $output != *"Unknown"* ]]
}

@test "lintian: no errors and no warnings in the binary and source packages" {
	[ -s "$DSC" ]
	lintian_clean "$DEB" "$DKMS_DEB" "$DSC"
}

@test "maintainer scripts: POSIX sh syntax, and ours pass shellcheck" {
	for d in "$DEB" "$DKMS_DEB"; do
		rm -rf "$BATS_TEST_TMPDIR/c"
		dpkg-deb -e "$d" "$BATS_TEST_TMPDIR/c"
		n=0
		for s in "$BATS_TEST_TMPDIR"/c/{preinst,postinst,prerm,postrm}; do
			[ -f "$s" ] || continue
			head -1 "$s" | grep -qx '#!/bin/sh'
			sh -n "$s"
			dash -n "$s"
			n=$((n + 1))
		done
		[ "$n" -ge 2 ]
	done
	shellcheck -s sh "$REPO"/debian/adaptswap.prerm "$REPO"/debian/adaptswap.postrm \
		"$REPO"/debian/adaptswap-dkms.postinst "$REPO"/debian/adaptswap-dkms.prerm
}

# prerm in a sandbox: stand-ins for deb-systemd-invoke and adaptswapd log
# their calls; $1 is the stand-in adaptswapd's exit status.
prerm_sandbox() {
	local bin=$BATS_TEST_TMPDIR/bin
	rm -rf "$bin" "$BATS_TEST_TMPDIR/calls"
	mkdir -p "$bin"
	printf '#!/bin/sh\necho "deb-systemd-invoke $*" >> "%s"\n' "$BATS_TEST_TMPDIR/calls" \
		> "$bin/deb-systemd-invoke"
	printf '#!/bin/sh\necho "adaptswapd $*" >> "%s"\n[ %s -eq 0 ] || echo "adaptswapd: release refused, nothing changed: test" >&2\nexit %s\n' \
		"$BATS_TEST_TMPDIR/calls" "$1" "$1" > "$bin/adaptswapd"
	chmod +x "$bin"/*
	rm -rf "$BATS_TEST_TMPDIR/c"
	dpkg-deb -e "$DEB" "$BATS_TEST_TMPDIR/c"
	touch "$BATS_TEST_TMPDIR/calls"
}

@test "prerm remove: stops the service, then adaptswapd --release" {
	prerm_sandbox 0
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run sh "$BATS_TEST_TMPDIR/c/prerm" remove
	echo "$output"
	cat "$BATS_TEST_TMPDIR/calls"
	[ "$status" -eq 0 ]
	if [ -d /run/systemd/system ]; then
		[ "$(head -1 "$BATS_TEST_TMPDIR/calls")" = "deb-systemd-invoke stop adaptswapd.service" ]
	fi
	grep -qx 'adaptswapd --release' "$BATS_TEST_TMPDIR/calls"
	# no stop after the release
	if sed -n '/adaptswapd --release/,$p' "$BATS_TEST_TMPDIR/calls" | grep -q 'invoke stop'; then
		return 1
	fi
}

@test "prerm remove fails with the daemon's message when the release is refused" {
	prerm_sandbox 1
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run sh "$BATS_TEST_TMPDIR/c/prerm" remove
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"release refused, nothing changed: test"* ]]
	[[ $output == *"managed swap could not be released"* ]]
}

@test "prerm upgrade: neither stops the service nor releases swap" {
	prerm_sandbox 0
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run sh "$BATS_TEST_TMPDIR/c/prerm" upgrade "$VERSION"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/calls" ]
}

# postrm_sandboxed ACTION: run adaptswap's postrm in a private mount
# namespace with empty tmpfs over /var/lib, /run and /etc, after creating
# the daemon's state there; prints what is left of it.
postrm_sandboxed() {
	rm -rf "$BATS_TEST_TMPDIR/c"
	dpkg-deb -e "$DEB" "$BATS_TEST_TMPDIR/c"
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m --propagation private sh -c '
		set -e
		for d in /var/lib /run /etc; do mount -t tmpfs sandbox "$d"; done
		mkdir -p -m 700 /var/lib/adaptswap /run/adaptswap /etc/adaptswap
		touch /var/lib/adaptswap/adaptswap-3.swap /var/lib/adaptswap/.hidden \
			/run/adaptswap/adaptswapd.lock /run/adaptswap/swappiness.orig
		mkdir /run/adaptswap/sub
		DPKG_MAINTSCRIPT_PACKAGE=adaptswap DPKG_MAINTSCRIPT_NAME=postrm sh "$1" "$2"
		find /var/lib/adaptswap /run/adaptswap /etc/adaptswap 2>/dev/null | sort
	' _ "$BATS_TEST_TMPDIR/c/postrm" "$1"
}

@test "postrm purge removes the daemon's state; remove keeps it" {
	command -v unshare >/dev/null
	run postrm_sandboxed purge
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run postrm_sandboxed remove
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"/var/lib/adaptswap/adaptswap-3.swap"* ]]
	[[ $output == *"/run/adaptswap/swappiness.orig"* ]]
}

@test "make deb: nothing is rebuilt when nothing changed" {
	before=$(stat -c %Y "$DEB" "$DKMS_DEB")
	run make -C "$REPO" deb
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"$VERSION up to date"* ]]
	[ "$(stat -c %Y "$DEB" "$DKMS_DEB")" = "$before" ]
}

@test "make deb DEB_VERSION=...: packages of that version, newer than VERSION" {
	local v=$VERSION+test1
	run make -s -C "$REPO" deb DEB_VERSION="$v"
	echo "$output"
	[ "$status" -eq 0 ]
	d=$OUT/adaptswap_${v}_$ARCH.deb k=$OUT/adaptswap-dkms_${v}_all.deb
	[ "$(dpkg-deb -f "$d" Version)" = "$v" ]
	[ "$(dpkg-deb -f "$k" Version)" = "$v" ]
	dpkg --compare-versions "$v" gt "$VERSION"
	dpkg-deb -x "$d" "$BATS_TEST_TMPDIR/x"
	[ "$("$BATS_TEST_TMPDIR/x/usr/sbin/adaptswapd" --version)" = "adaptswapd $v" ]
	dpkg-deb -x "$k" "$BATS_TEST_TMPDIR/k"
	grep -qx "PACKAGE_VERSION=\"$v\"" "$BATS_TEST_TMPDIR/k/usr/src/adaptswap-$v/dkms.conf"
	[ "$(cat "$BATS_TEST_TMPDIR/k/usr/src/adaptswap-$v/VERSION")" = "$v" ]
	# its changelog: an entry for it on top of the tree's
	zcat "$BATS_TEST_TMPDIR/x/usr/share/doc/adaptswap/changelog.gz" > "$BATS_TEST_TMPDIR/cl"
	[ "$(versions "$BATS_TEST_TMPDIR/cl" | xargs)" = "$v $(versions "$REPO/debian/changelog" | xargs)" ]
	# the repository's VERSION is untouched, the default packages still there
	[ "$(cat "$REPO/VERSION")" = "$VERSION" ]
	[ -f "$DEB" ] && [ -f "$DKMS_DEB" ]
}

@test "make deb: a bad DEB_VERSION is refused with a clear error" {
	run make -s -C "$REPO" deb DEB_VERSION="1.0 beta"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"'1.0 beta' is not a native Debian version"* ]]
	run make -s -C "$REPO" deb DEB_VERSION=v2
	[ "$status" -ne 0 ]
	[[ $output == *"'v2' is not a native Debian version"* ]]
}
