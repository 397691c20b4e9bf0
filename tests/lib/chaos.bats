#!/usr/bin/env bats
# The chaos suites' own invariant check (tests/lib/chaos.bash), on this
# machine: a managed file that the daemon deletes while the check reads
# the directory is a file gone, not an error of the check.

load helpers
load chaos

setup() {
	ASD_DIR=$BATS_TEST_TMPDIR/dir
	mkdir "$ASD_DIR"
	# a managed file: 1 MiB, label "adaptswap" at byte 1052
	truncate -s 1M "$ASD_DIR/adaptswap-95.swap"
	printf adaptswap | dd of="$ASD_DIR/adaptswap-95.swap" bs=1 seek=1052 \
		conv=notrunc status=none
	# the daemon lists no file; the check of the foreign files is the
	# first after the managed files' loop and fails on this machine
	adaptswapctl() { echo '{"files":[]}'; }
	FOREIGN=$BATS_TEST_TMPDIR/not-swap
}

@test "a managed file deleted between the directory's glob and its stat is skipped" {
	# the daemon's shrink deletes it just before the check's stat
	stat() { rm -f "$ASD_DIR/adaptswap-95.swap"; command stat "$@"; }
	run chaos_invariants
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output != *"syntax error"* ]]
	# every check of the managed files passed: the next one said what failed
	[ "${lines[-1]}" = "foreign swap turned off" ]
}

@test "a managed file deleted before its label is read is skipped" {
	swap_label() { rm -f "$ASD_DIR/adaptswap-95.swap"; head -c 1068 "$1" 2>/dev/null | tail -c 16 | tr -d '\0'; }
	run chaos_invariants
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "foreign swap turned off" ]
}

@test "a managed file that stays is counted: over the budget is said" {
	CHAOS_MAX_MB=0
	run chaos_invariants
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "1 MiB of managed files > max_swap_mb 0" ]
}
