#!/usr/bin/env bats
# Meta-tests of the guest bench: every way a guest run can go wrong must
# make it fail, and the positive control must pass.  Boots real guests,
# one at a time: one of tests/run-checks' job slots.
# host: slots=1

load ../lib/helpers

setup() {
	requires host qemu
	[ -s "$BUILD/guest/${KERNEL:-bookworm}/initramfs.cpio.gz" ] ||
		skip "requires a built initramfs (make check builds it)"
	RG="$REPO/tests/vm/run-guest -k ${KERNEL:-bookworm}"
	M=$REPO/tests/vm/meta
}

@test "positive control: a passing suite passes" {
	run $RG "$M/pass.meta.bats"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"ok 2 the guest has the disk mounted"* ]]
}

@test "a failing bats case fails the run" {
	run $RG "$M/fail.meta.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"not ok 2 this one fails"* ]]
	[[ $output == *"not ok - guest fail.meta.bats"*"suite failed in the guest"* ]]
}

@test "a shared boot: each suite judged under its own name; one that leaves the guest unclean fails, the next finds it clean" {
	run $RG "$M/unclean.meta.bats" "$M/fail.meta.bats" "$REPO/tests/vm/guest.guest.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	# (each test's line ends with its time: bats --timing)
	[[ $output == *"# suite tests/vm/meta/unclean.meta.bats
1..1
ok 1 leaves swap on, a process and a file in "*"ms
# guest tests/vm/meta/unclean.meta.bats on "*"
not ok - guest unclean.meta.bats on "*": it left the guest unclean for the next suite: process sleep("*") swap on: /mnt/left.swap
# suite tests/vm/meta/fail.meta.bats
1..2
ok 1 this one passes in "*"ms
not ok 2 this one fails in "*"ms
"*"
# guest tests/vm/meta/fail.meta.bats on "*"
not ok - guest fail.meta.bats on "*": suite failed in the guest (rc=1)
# suite tests/vm/guest.guest.bats
"* ]]
	# the disk emptied, the swap off, for the guest suite
	[[ $output != *"not ok - guest guest.guest.bats"* ]]
	[ "$(grep -c '^ok [0-9]' <<< "${output#*# suite tests/vm/guest.guest.bats}")" -eq 6 ]
}

@test "a kernel WARN fails the run" {
	run $RG "$M/warn.meta.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"not ok - guest warn.meta.bats"* ]]
	[[ $output == *"guest kernel reported: WARNING: "*"adaptswap_selftest_warn"* ]]
}

@test "a guest that hangs is killed and fails" {
	run $RG --timeout 30 "$M/hang.meta.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"guest hung: killed after 30s"* ]]
}

@test "a guest that never runs its suite fails" {
	run $RG --no-suite "$M/pass.meta.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"never reported the end of its suite"* ]]
}

@test "a kernel panic during the suite fails the run" {
	run $RG "$M/panic.meta.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"not ok - guest panic.meta.bats"* ]]
}

@test "a suite with no test case fails the run" {
	run $RG "$M/empty.meta.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"suite ran no test"* ]]
}

@test "a missing suite fails the run" {
	printf '@test "x" { true; }\n' > "$BATS_TEST_TMPDIR/gone.bats"
	run $RG --append "astest_suite=/tests/none.bats" "$BATS_TEST_TMPDIR/gone.bats"
	echo "$output"
	[ "$status" -eq 1 ]
}
