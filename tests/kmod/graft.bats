#!/usr/bin/env bats
# scripts/graft-kernel: grafting adaptswap into a kernel source tree.
#
# The quick cases use a small fake tree (the files the script reads and
# edits).  The last ones use Debian's linux-source-6.1 tree, prepared by
# `make linux-source` (tests/kmod/linux-source.sh): graft, olddefconfig with
# CONFIG_ADAPTSWAP=m, make M=drivers/misc/adaptswap, modinfo, and the knob
# defaults read back from the built module.

load ../lib/helpers

GRAFT=$REPO/scripts/graft-kernel
SUB=drivers/misc/adaptswap
KHOOK='source "drivers/misc/adaptswap/Kconfig"'
# shellcheck disable=SC2016
MHOOK='obj-$(CONFIG_ADAPTSWAP)		+= adaptswap/'

setup_file() {
	# The real tree, when prepared: grafted once for the tests below.
	local d
	export KSRC=
	for d in "$CACHE"/linux-source/*/; do
		[ -e "$d.prepared" ] && KSRC=${d}src
	done
	[ -n "$KSRC" ] || return 0
	"$GRAFT" --remove "$KSRC" 2>/dev/null	# after a run killed half-way
	if [ -e "$KSRC/.config.graft-saved" ]; then
		mv "$KSRC/.config.graft-saved" "$KSRC/.config"
	fi
	cp -p "$KSRC/.config" "$KSRC/.config.graft-saved"
	contents "$KSRC/drivers/misc" > "$BATS_FILE_TMPDIR/pristine"
	"$GRAFT" "$KSRC"
}

teardown_file() {
	[ -n "$KSRC" ] || return 0
	"$GRAFT" --remove "$KSRC" 2>/dev/null
	if [ -e "$KSRC/.config.graft-saved" ]; then
		mv "$KSRC/.config.graft-saved" "$KSRC/.config"
		make -s -C "$KSRC" modules_prepare
	fi
}

setup() {
	requires host
	cd "$BATS_TEST_TMPDIR" || return
}

# fake [VERSION PATCHLEVEL]: a minimal kernel tree in ./k
fake() {
	mkdir -p k/scripts/kconfig k/drivers/misc k/mm
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = 0\n' "${1:-6}" "${2:-1}" > k/Makefile
	printf 'mainmenu "fake"\nsource "drivers/misc/Kconfig"\n' > k/Kconfig
	printf 'menu "Misc devices"\nconfig A\n\tbool "a"\nsource "drivers/misc/x/Kconfig"\nendmenu\n' \
		> k/drivers/misc/Kconfig
	printf 'obj-$(CONFIG_A)\t\t+= a.o\nobj-y\t\t\t\t+= x/\n' > k/drivers/misc/Makefile
	printf 'config SWAP\n\tbool\n' > k/mm/Kconfig
}

# Content and mode of every file, and the mtimes: what "unchanged" means.
snapshot() {
	(cd "$1" && find . -type f -printf '%p %m %T@\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
contents() {
	(cd "$1" && find . -type f -printf '%p %m\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

@test "graft copies the sources and adds both hooks" {
	fake
	run "$GRAFT" k
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"grafted into"*"$SUB (kernel 6.1)"* ]]
	cmp "$REPO/Kconfig" "k/$SUB/Kconfig"
	cmp "$REPO/VERSION" "k/$SUB/VERSION"
	cmp "$REPO/kmod/Kbuild" "k/$SUB/Kbuild"
	local f
	for f in main.c adaptswap.h compat/compat.h uapi/adaptswap.h; do
		cmp "$REPO/kmod/$f" "k/$SUB/$f"
	done
	# not the out-of-tree wrapper, nor the docs
	[ ! -e "k/$SUB/Makefile" ] && [ ! -e "k/$SUB/README.md" ]
	# the hook sits just before the closing endmenu; the Makefile one last
	[ "$(tail -2 k/drivers/misc/Kconfig)" = "$KHOOK"$'\nendmenu' ]
	[ "$(tail -1 k/drivers/misc/Makefile)" = "$MHOOK" ]
}

@test "grafting twice changes nothing" {
	fake
	"$GRAFT" k
	snapshot k > before
	sleep 1
	"$GRAFT" k
	snapshot k > after
	diff before after
}

@test "--remove gives back the original tree byte for byte" {
	fake
	contents k > pristine
	"$GRAFT" k
	run diff -q pristine <(contents k)
	[ "$status" -eq 1 ]
	run "$GRAFT" --remove k
	[ "$status" -eq 0 ]
	[[ $output == *"removed adaptswap"* ]]
	diff pristine <(contents k)
	[ ! -e "k/$SUB" ]
}

@test "--remove on a tree without adaptswap changes nothing" {
	fake
	snapshot k > before
	"$GRAFT" --remove k
	diff before <(snapshot k)
}

@test "a graft repairs edited copies and drops stale sources" {
	fake
	"$GRAFT" k
	echo '/* edited */' >> "k/$SUB/main.c"
	echo 'int x;' > "k/$SUB/gone.c"
	"$GRAFT" k
	cmp "$REPO/kmod/main.c" "k/$SUB/main.c"
	[ ! -e "k/$SUB/gone.c" ]
}

@test "refuses a directory that is not a kernel tree" {
	mkdir notk
	run "$GRAFT" notk
	[ "$status" -eq 2 ]
	[[ $output == *"notk is not a kernel source tree"* ]]
	fake
	rm k/drivers/misc/Makefile
	run "$GRAFT" k
	[ "$status" -eq 2 ]
	[[ $output == *"not a kernel source tree (no drivers/misc/Makefile)"* ]]
	run "$GRAFT" nowhere
	[ "$status" -eq 2 ]
	[[ $output == *"nowhere: no such directory"* ]]
}

@test "refuses kernels older than 5.10, and takes 5.10 and newer" {
	local v
	for v in "5 9" "5 4" "4 19" "3 10"; do
		# shellcheck disable=SC2086 # VERSION and PATCHLEVEL
		fake $v
		run "$GRAFT" k
		[ "$status" -eq 2 ]
		[[ $output == *"kernel ${v/ /.} is not supported (adaptswap supports 5.10 and newer)"* ]]
		[ ! -e "k/$SUB" ]
		rm -rf k
	done
	for v in "5 10" "6 1" "6 12" "7 2" "10 0"; do
		# shellcheck disable=SC2086
		fake $v
		"$GRAFT" k
		[ -f "k/$SUB/Kbuild" ]
		rm -rf k
	done
}

@test "refuses a Kconfig hook in another form, and touches nothing" {
	fake
	sed -i 's#^endmenu#source "drivers/misc/adaptswap/Kconfig"  \nendmenu#' k/drivers/misc/Kconfig
	snapshot k > before
	run "$GRAFT" k
	[ "$status" -eq 2 ]
	[[ $output == *"drivers/misc/Kconfig already refers to adaptswap in another form (line 5)"* ]]
	diff before <(snapshot k)
	run "$GRAFT" --remove k
	[ "$status" -eq 2 ]
	diff before <(snapshot k)
}

@test "refuses a Makefile hook in another form, or twice" {
	fake
	echo 'obj-m += adaptswap/' >> k/drivers/misc/Makefile
	run "$GRAFT" k
	[ "$status" -eq 2 ]
	[[ $output == *"drivers/misc/Makefile already refers to adaptswap in another form (line 3)"* ]]
	rm -rf k
	fake
	printf '%s\n%s\n' "$MHOOK" "$MHOOK" >> k/drivers/misc/Makefile
	run "$GRAFT" k
	[ "$status" -eq 2 ]
	[[ $output == *"Makefile already refers to adaptswap in another form"* ]]
}

@test "refuses a tree that defines CONFIG_ADAPTSWAP elsewhere" {
	fake
	mkdir k/mm/adaptswap
	cp "$REPO/Kconfig" k/mm/adaptswap/Kconfig
	run "$GRAFT" k
	[ "$status" -eq 2 ]
	[[ $output == *"CONFIG_ADAPTSWAP is already defined in mm/adaptswap/Kconfig"* ]]
	[ ! -e "k/$SUB" ]
}

@test "refuses to overwrite a drivers/misc/adaptswap it did not make" {
	fake
	mkdir "k/$SUB"
	echo keep > "k/$SUB/notes"
	run "$GRAFT" k
	[ "$status" -eq 2 ]
	[[ $output == *"$SUB exists and was not made by graft-kernel"* ]]
	[ "$(cat "k/$SUB/notes")" = keep ]
}

@test "usage errors" {
	run "$GRAFT"
	[ "$status" -eq 2 ]
	[[ $output == *"usage: graft-kernel [--remove] KERNEL_SRC_DIR"* ]]
	run "$GRAFT" --frobnicate k
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--frobnicate'"* ]]
	run "$GRAFT" a b
	[ "$status" -eq 2 ]
}

# --- Debian's linux-source-6.1 --------------------------------------------

# --- Debian's linux-source-6.1 --------------------------------------------

real_tree() {
	[ -n "$KSRC" ] || skip "requires Debian's linux-source tree (make linux-source)"
}

# Knob defaults compiled into adaptswap.ko: the "def" member of each entry
# of adaptswap_knob_descs (struct { const char *name; u32 min, max, def; },
# 24 bytes on x86-64), read from the object file at the symbol's offset in
# its section; printed in knob order (enabled low medium critical
# hysteresis idle fast interval).
knob_defaults() {
	local ko=$1 ndx val size off
	read -r ndx val size < <(readelf -sW "$ko" |
		awk '$8 == "adaptswap_knob_descs" {print $7, $2, $3}')
	[ -n "$ndx" ] || { echo "no adaptswap_knob_descs in $ko" >&2; return 1; }
	off=$(readelf -SW "$ko" | sed 's/^ *\[ *\([0-9]*\)\]/\1/' |
		awk -v n="$ndx" '$1 == n {print $5}')
	[ "$size" -eq 192 ] || { echo "adaptswap_knob_descs has $size bytes" >&2; return 1; }
	od -A n -t u4 -v -j $((0x$off + 0x$val)) -N "$size" "$ko" |
		tr -s ' ' '\n' | grep . | awk 'NR % 6 == 5' | paste -sd' '
}

# kbuild M= build of the grafted module with the Debian config plus the
# given lines; leaves KO.  Incremental: kbuild's per-option dependencies
# rebuild what uses a changed CONFIG_ADAPTSWAP_* (main.o).  The tree was
# prepared once (make linux-source) and again by the first test's
# modules_prepare (the path kmod/README.md gives); after that, syncconfig
# is the part of it that a new .config needs (include/config/auto.conf and
# autoconf.h), in a third of the time.  PREPARE=modules_prepare for the
# whole of it.  (Each step checked explicitly: bats' run does not stop at
# a failure.)
build_in_tree() {
	cp "$KSRC/.config.graft-saved" "$KSRC/.config" || return
	printf '%s\n' "$@" >> "$KSRC/.config" || return
	make -s -C "$KSRC" olddefconfig || return
	make -s -C "$KSRC" "${PREPARE:-syncconfig}" < /dev/null || return
	make -s -C "$KSRC" M="$SUB" modules || return
	KO=$KSRC/$SUB/adaptswap.ko
}

# Without a kernel config that has them (out of tree, DKMS), the knobs
# start at the values of kmod/adaptswap.h: the same as before Kconfig had
# options.  make check builds these modules (make kmod).
@test "out-of-tree modules keep the built-in defaults" {
	local ko n=0
	for ko in "$BUILD"/kmod/*/adaptswap/adaptswap.ko; do
		[ -e "$ko" ] || continue
		[ "$(knob_defaults "$ko")" = "1 20 10 5 3 1000 1 1000" ]
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || skip "requires adaptswap.ko built out of tree (make kmod)"
}

@test "linux-source-6.1: hooked in drivers/misc; a second graft changes nothing" {
	real_tree
	grep -qxF "$KHOOK" "$KSRC/drivers/misc/Kconfig"
	grep -qxF "$MHOOK" "$KSRC/drivers/misc/Makefile"
	snapshot "$KSRC/drivers/misc" > before
	"$GRAFT" "$KSRC"
	diff before <(snapshot "$KSRC/drivers/misc")
}

@test "linux-source-6.1: olddefconfig keeps =m and the defaults; make M= builds it" {
	real_tree
	PREPARE=modules_prepare build_in_tree CONFIG_ADAPTSWAP=m
	grep -q '^CONFIG_ADAPTSWAP=m$' "$KSRC/.config"
	grep -q '^CONFIG_ADAPTSWAP_DEFAULT_ENABLED=y$' "$KSRC/.config"
	grep -q '^CONFIG_ADAPTSWAP_LOW_PCT=20$' "$KSRC/.config"
	grep -q '^CONFIG_ADAPTSWAP_EVENT_INTERVAL_MS=1000$' "$KSRC/.config"
	grep -q '^CONFIG_ADAPTSWAP_LOW_PCT=20$' "$KSRC/include/config/auto.conf"
	local kver
	kver=$(cat "$KSRC/include/config/kernel.release")
	run modinfo -F vermagic "$KO"
	[[ $output == "$kver SMP preempt mod_unload modversions "* ]]
	[ "$(modinfo -F license "$KO")" = GPL ]
	[ "$(modinfo -F version "$KO")" = "$(cat "$REPO/VERSION")" ]
	[ "$(knob_defaults "$KO")" = "1 20 10 5 3 1000 1 1000" ]
}

# The in-tree path of Kbuild (no M=: obj-$(CONFIG_ADAPTSWAP), probes on the
# tree's include/).  Linking vmlinux is out of reach here, so modpost only
# warns about the symbols it cannot check; the module is marked in-tree.
@test "linux-source-6.1: builds as part of the tree (make drivers/misc/adaptswap/adaptswap.ko)" {
	real_tree
	cp "$KSRC/.config.graft-saved" "$KSRC/.config"
	echo CONFIG_ADAPTSWAP=m >> "$KSRC/.config"
	make -s -C "$KSRC" olddefconfig
	rm -f "$KSRC/$SUB/adaptswap.ko"
	run make -s -C "$KSRC" "$SUB/adaptswap.ko"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(modinfo -F intree "$KSRC/$SUB/adaptswap.ko")" = Y ]
	[ "$(knob_defaults "$KSRC/$SUB/adaptswap.ko")" = "1 20 10 5 3 1000 1 1000" ]
}

@test "linux-source-6.1: non-default options end up in the module" {
	real_tree
	build_in_tree CONFIG_ADAPTSWAP=m '# CONFIG_ADAPTSWAP_DEFAULT_ENABLED is not set' \
		CONFIG_ADAPTSWAP_LOW_PCT=30 CONFIG_ADAPTSWAP_CRITICAL_PCT=2 \
		CONFIG_ADAPTSWAP_SAMPLE_IDLE_MS=2000 CONFIG_ADAPTSWAP_EVENT_INTERVAL_MS=250
	[ "$(knob_defaults "$KO")" = "0 30 10 2 3 2000 1 250" ]
}

@test "linux-source-6.1: an out-of-range option is replaced by its default" {
	real_tree
	build_in_tree CONFIG_ADAPTSWAP=m CONFIG_ADAPTSWAP_LOW_PCT=150
	grep -q '^CONFIG_ADAPTSWAP_LOW_PCT=20$' "$KSRC/.config"
	[ "$(knob_defaults "$KO")" = "1 20 10 5 3 1000 1 1000" ]
}

@test "linux-source-6.1: options out of order stop the build" {
	real_tree
	run build_in_tree CONFIG_ADAPTSWAP=m CONFIG_ADAPTSWAP_MEDIUM_PCT=25
	[ "$status" -ne 0 ]
	[[ $output == *"CONFIG_ADAPTSWAP_LOW_PCT > CONFIG_ADAPTSWAP_MEDIUM_PCT > CONFIG_ADAPTSWAP_CRITICAL_PCT must hold"* ]]
	run build_in_tree CONFIG_ADAPTSWAP=m CONFIG_ADAPTSWAP_SAMPLE_FAST_MS=500 \
		CONFIG_ADAPTSWAP_SAMPLE_IDLE_MS=100
	[ "$status" -ne 0 ]
	[[ $output == *"CONFIG_ADAPTSWAP_SAMPLE_FAST_MS must not exceed CONFIG_ADAPTSWAP_SAMPLE_IDLE_MS"* ]]
	run build_in_tree CONFIG_ADAPTSWAP=m CONFIG_ADAPTSWAP_LOW_PCT=90 \
		CONFIG_ADAPTSWAP_HYSTERESIS_PCT=10
	[ "$status" -ne 0 ]
	[[ $output == *"CONFIG_ADAPTSWAP_LOW_PCT + CONFIG_ADAPTSWAP_HYSTERESIS_PCT must stay below 100"* ]]
}

@test "linux-source-6.1: --remove gives back drivers/misc byte for byte" {
	real_tree
	"$GRAFT" --remove "$KSRC"
	diff "$BATS_FILE_TMPDIR/pristine" <(contents "$KSRC/drivers/misc")
}
