#!/usr/bin/env bats
# Random input for adaptswap.ko's interfaces, with the full counts (make fuzz):
# generic netlink (adaptswap-genlfuzz) and sysfs (adaptswap-sysfsfuzz), as
# root and without privileges, each answer checked against the documented
# ABI (but for the known faults of today's module, which are counted:
# FUZZ_LENIENT_* in tests/lib/fuzz.bash).  make check runs the same tests
# with smaller counts (fuzz.guest.bats).  Seeds and counts are printed;
# SEED=N replays.
# guest: timeout=3000 append=astest_test_timeout=1500

load ../lib/helpers
load ../lib/fuzz

setup() {
	requires guest root module
	load_module
}

teardown() {
	unload_module
}

@test "genl fuzz as root: 200000 random messages, the simple SETs judged by the rules; GET still answers" {
	fuzz_genl_root 200000
}

@test "genl fuzz without CAP_NET_ADMIN: 200000 random messages change no knob" {
	fuzz_genl_user 200000
}

@test "sysfs fuzz as root: 200000 random writes, each judged by the ABI document (known faults counted)" {
	fuzz_sysfs_root 200000
}

@test "sysfs fuzz without root: 20000 random writes, all refused, nothing changes" {
	fuzz_sysfs_user 20000
}
