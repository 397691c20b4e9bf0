#!/usr/bin/env bats
# The daemon's sources read by their names: the map in
# userspace/daemon/README.md names every file and leads to where a grow is
# decided and carried out, where a file is recovered after a crash and where
# the socket is served; each file says what it owns and calls; no file grows
# past ~500 lines; no mutable state outside struct daemon.

load ../lib/helpers

D=$REPO/userspace/daemon

setup() {
	requires host
}

@test "the map names every source file of the daemon, and only those" {
	local f missing=() stale=()
	for f in "$D"/*.c "$D"/*.h; do
		grep -q "\`$(basename "$f")\`" "$D/README.md" || missing+=("$(basename "$f")")
	done
	for f in $(grep -o '`[a-z_][a-z_]*\.[ch]`' "$D/README.md" | tr -d '`' | sort -u); do
		[ -e "$D/$f" ] || stale+=("$f")
	done
	[ "${#missing[@]}" -eq 0 ] || { echo "not in the map: ${missing[*]}"; return 1; }
	[ "${#stale[@]}" -eq 0 ] || { echo "in the map, not in the tree: ${stale[*]}"; return 1; }
}

# row WORDS: the file the map's row about WORDS leads to
row() { grep -i -- "$1" "$D/README.md" | grep -o '`[a-z_][a-z_]*\.c`' | head -1 | tr -d '`'; }

@test "from the map: where a grow is decided, carried out, a file recovered, the socket served" {
	[ "$(row 'grow or a shrink is \*\*decided')" = policy.c ]
	grep -q '^void asd_should_grow(' "$D/policy.c"
	[ "$(row 'grow or a shrink is \*\*carried out')" = actuate.c ]
	grep -q '^int act_grow(' "$D/actuate.c"
	grep -q 'swapon(path' "$D/actuate.c"
	[ "$(row 'recovered after a crash')" = inventory.c ]
	grep -q '^int inv_recover(' "$D/inventory.c"
	[ "$(row 'socket is served')" = ctlsock.c ]
	grep -q 'accept4(' "$D/ctlsock.c"
	# and nowhere else: the calls of swapon(2) and accept4(2)
	[ "$(grep -l '[^a-z_]swapon([a-z]' "$D"/*.c)" = "$D/actuate.c" ]
	[ "$(grep -l '[^a-z_]accept4([a-z]' "$D"/*.c)" = "$D/ctlsock.c" ]
}

@test "every file of the daemon says what it owns and what it calls" {
	local f bad=()
	for f in "$D"/*.c; do
		# in the comment at the top, before the first #include
		sed -n '1,/^#include/p' "$f" | grep -q 'Owns:' || bad+=("$(basename "$f"): Owns")
		sed -n '1,/^#include/p' "$f" | grep -q 'Calls:' || bad+=("$(basename "$f"): Calls")
	done
	[ "${#bad[@]}" -eq 0 ] || { echo "missing: ${bad[*]}"; return 1; }
}

@test "no source file of the user space over 500 lines" {
	ls "$REPO"/userspace/*/*.[ch] >/dev/null
	local f n bad=()
	for f in "$REPO"/userspace/*/*.[ch]; do
		n=$(wc -l < "$f")
		[ "$n" -le 500 ] || bad+=("${f#"$REPO"/}: $n")
	done
	[ "${#bad[@]}" -eq 0 ] || { echo "too long: ${bad[*]}"; return 1; }
}

@test "no mutable state outside struct daemon (but signal flags)" {
	local bad
	# file-scope variables that are not const (functions and prototypes
	# have a parenthesis; struct and enum definitions end in '{')
	bad=$(grep -nE '^(static |extern )?[a-z_][a-z0-9_ ]*[ *]+[a-z_][a-z0-9_]*(\[[^]]*\])*( = .*)?;$' \
		"$D"/*.c | grep -v -e 'const ' -e 'sig_atomic_t' || true)
	[ -z "$bad" ] || { echo "$bad"; return 1; }
	# function-scope statics that are not const: main's one struct daemon,
	# and the zero buffer that is never written
	bad=$(grep -nE '^[[:space:]]+static ' "$D"/*.c | grep -v -e 'const ' \
		-e 'main.c:.*static struct daemon daemon;' -e 'swapfile.c:.*zeros\[' || true)
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}
