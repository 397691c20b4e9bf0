#!/usr/bin/env bats
# adaptswapd's configuration drop-ins on this machine (adaptswapd
# --check-config needs no root and changes nothing): FILE.d/*.conf read
# after FILE in the byte order of their names, the later value winning;
# errors with the drop-in's FILE:LINE; each value printed with the file
# and line it came from.  Reload with drop-ins: tests/image/in-image.image.bats.

load ../lib/helpers

ASD=$BUILD/host/sbin/adaptswapd

setup() {
	requires host
	[ -x "$ASD" ] || { echo "build the user space first (make userspace)"; return 1; }
	C=$BATS_TEST_TMPDIR/adaptswapd.conf
	D=$C.d
	mkdir "$D"
	printf '# main\nchunk_mb = 64\nmax_swap_mb = 1024\nlog_level = debug\n' > "$C"
}

check() { run --separate-stderr "$ASD" --check-config -c "$C"; echo "$output"; echo "$stderr"; }

@test "drop-ins are read after the file in the byte order of their names; the last value wins" {
	printf 'max_swap_mb = 2048\n' > "$D/9-late.conf"
	printf 'max_swap_mb = 512\nfloor_mb = 32\n' > "$D/10-early.conf"	# "10" < "9"
	printf 'max_swap_mb = 4096\n' > "$D/50-ignored.conf.disabled"
	printf 'max_swap_mb = 4096\n' > "$D/.50-hidden.conf"
	printf 'max_swap_mb = 4096\n' > "$D/README"
	check
	[ "$status" -eq 0 ]
	[[ $output == *$'\nmax_swap_mb = 2048\t# '"$D/9-late.conf:1"$'\n'* ]]
	[[ $output == *$'\nfloor_mb = 32\t# '"$D/10-early.conf:2"$'\n'* ]]
	[[ $output == *$'\nchunk_mb = 64\t# '"$C:2"$'\n'* ]]
	[[ $output == *$'\nstandby = yes\t# default\n'* ]]
	[ "$stderr" = "adaptswapd: $C: configuration ok" ]
}

@test "--check-config prints every key once, each with its origin, and the output parses again" {
	printf 'log_level = info\n' > "$D/a.conf"
	check
	[ "$status" -eq 0 ]
	[ "$(grep -c . <<<"$output")" -eq 25 ]
	[ "$(grep -c -E $'^[a-z_]+ =( [^\t]*)?\t# (default|/.+:[0-9]+)$' <<<"$output")" -eq 25 ]
	[[ $output == *$'\nlog_level = info\t# '"$D/a.conf:1"$'\n'* ]]
	# what it printed is a configuration that says the same
	rm -r "$D"
	echo "$output" > "$C"
	check
	[ "$status" -eq 0 ]
	[[ $output == *$'\nlog_level = info\t# '"$C:24"$'\n'* ]]
}

@test "an error in a drop-in names the drop-in and its line, and nothing is taken" {
	printf 'floor_mb = 16\n' > "$D/10-a.conf"
	printf '# tuning\n\nmax_disk_pct = 400\n' > "$D/20-b.conf"
	check
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "adaptswapd: $D/20-b.conf:3: max_disk_pct: 400 is out of range 1..100" ]
	printf 'nonsense\n' > "$D/20-b.conf"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $D/20-b.conf:1: 'nonsense': expected 'key = value' (no '=')" ]
	# once per file, but again in another file
	printf 'floor_mb = 16\nfloor_mb = 8\n' > "$D/20-b.conf"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $D/20-b.conf:2: floor_mb: duplicate key (first set at line 1)" ]
}

@test "checks across keys run on the result, at the value set last" {
	# the drop-in's chunk_mb is above the main file's max_swap_mb
	printf 'chunk_mb = 2048\n' > "$D/10-chunk.conf"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $D/10-chunk.conf:1: max_swap_mb 1024 is below chunk_mb 2048" ]
	# a later drop-in that raises max_swap_mb makes it right
	printf '\nmax_swap_mb = 4096\n' > "$D/20-max.conf"
	check
	[ "$status" -eq 0 ]
	# and one that lowers it again is the one named
	printf 'swappiness_max = 50\nmax_swap_mb = 1024\n' > "$D/30-max.conf"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $D/30-max.conf:2: max_swap_mb 1024 is below chunk_mb 2048" ]
}

@test "a drop-in that is not a regular file, or a drop-in directory that is not one, is an error" {
	mkdir "$D/10-dir.conf"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $D/10-dir.conf: not a regular file" ]
	rmdir "$D/10-dir.conf"
	mkfifo "$D/10-fifo.conf"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $D/10-fifo.conf: not a regular file" ]
	rm "$D/10-fifo.conf"
	ln -s "$BATS_TEST_TMPDIR/nowhere" "$D/10-dangling.conf"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $D/10-dangling.conf: cannot open: No such file or directory" ]
	rm "$D/10-dangling.conf"
	rmdir "$D"
	touch "$D"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $D: cannot open the drop-in directory: Not a directory" ]
}

@test "no drop-in directory, or an empty one: the file alone" {
	rmdir "$D"
	check
	[ "$status" -eq 0 ]
	[[ $output == *$'\nmax_swap_mb = 1024\t# '"$C:3"$'\n'* ]]
	mkdir "$D"
	check
	[ "$status" -eq 0 ]
	[[ $output == *$'\nmax_swap_mb = 1024\t# '"$C:3"$'\n'* ]]
}

@test "a file given with -c must exist, even with drop-ins" {
	printf 'floor_mb = 16\n' > "$D/10-a.conf"
	rm "$C"
	check
	[ "$status" -eq 3 ]
	[ "$stderr" = "adaptswapd: $C: cannot open: No such file or directory" ]
}

@test "a drop-in can turn textfile_dir off again with an empty value" {
	mkdir "$BATS_TEST_TMPDIR/tf"
	printf 'textfile_dir = %s\n' "$BATS_TEST_TMPDIR/tf" > "$D/10-on.conf"
	printf 'textfile_dir =\n' > "$D/20-off.conf"
	check
	[ "$status" -eq 0 ]
	[[ $output == *$'\ntextfile_dir =\t# '"$D/20-off.conf:1"* ]]
}
