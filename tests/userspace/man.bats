#!/usr/bin/env bats
# The man pages: they format without warnings, and they document every
# configuration key and every adaptswapctl command (as the tag of a
# paragraph) and every adaptswapd option.

load ../lib/helpers

MAN=$REPO/userspace/man
PAGES=(adaptswapd.8 adaptswapctl.8 adaptswap.conf.5)

setup() {
	requires host
}

# Print every warning groff (and man, when installed) gives for page $1.
page_warnings() {
	groff -man -Tutf8 -ww -z "$1" 2>&1
	if command -v man >/dev/null; then
		{ LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
			man --warnings -E UTF-8 -l -Tutf8 -Z "$1" >/dev/null; } 2>&1
	fi
}

# Is word $2 the tag of a .TP/.TQ paragraph (a bold word first) in page $1?
tagged() {
	awk -v w="$2" '
		prev ~ /^\.(TP|TQ)/ && ($1 == ".B" || $1 == ".BR" || $1 == ".BI") && $2 == w { found = 1 }
		{ prev = $0 }
		END { exit !found }' "$1"
}

@test "the pages exist and name themselves in .TH" {
	local p name sec
	for p in "${PAGES[@]}"; do
		[ -f "$MAN/$p" ] || { echo "missing $p"; return 1; }
		name=${p%.*}
		sec=${p##*.}
		grep -Eq "^\.TH ${name^^} $sec " "$MAN/$p" || { echo "$p: bad .TH"; return 1; }
	done
}

@test "the pages format without warnings" {
	command -v groff >/dev/null || skip "requires groff"
	local p out bad=0
	for p in "${PAGES[@]}"; do
		out=$(page_warnings "$MAN/$p")
		if [ -n "$out" ]; then
			printf '%s:\n%s\n' "$p" "$out"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "adaptswap.conf.5 documents every key of adaptswapd.conf" {
	local keys k missing=()
	keys=$(sed -nE 's/^([a-z_]+) =.*/\1/p' "$REPO/userspace/adaptswapd.conf")
	[ -n "$keys" ]
	for k in $keys; do
		tagged "$MAN/adaptswap.conf.5" "$k" || missing+=("$k")
	done
	[ "${#missing[@]}" -eq 0 ] || { echo "undocumented keys: ${missing[*]}"; return 1; }
}

@test "adaptswapctl.8 documents every command of adaptswapctl --help" {
	local ctl=$BUILD/host/bin/adaptswapctl cmds c missing=()
	[ -x "$ctl" ] || skip "adaptswapctl not built"
	run --separate-stderr "$ctl" --help
	[ "$status" -eq 0 ]
	cmds=$(awk '/^commands:/ { on = 1; next } on && !NF { exit } on { print $1 }' <<<"$output")
	[ -n "$cmds" ]
	for c in $cmds; do
		tagged "$MAN/adaptswapctl.8" "$c" || missing+=("$c")
	done
	[ "${#missing[@]}" -eq 0 ] || { echo "undocumented commands: ${missing[*]}"; return 1; }
}

@test "adaptswapd.8 documents every long option of adaptswapd" {
	local opts o missing=()
	opts=$(sed -nE 's/^[[:space:]]*\{ "([a-z-]+)", (no|required)_argument.*/\1/p' \
		"$REPO/userspace/daemon/main.c")
	[ -n "$opts" ]
	for o in $opts; do
		grep -Fq -- "\\-\\-${o//-/\\-}" "$MAN/adaptswapd.8" || missing+=("--$o")
	done
	[ "${#missing[@]}" -eq 0 ] || { echo "undocumented options: ${missing[*]}"; return 1; }
}
