#!/usr/bin/env bats
# Random input for adaptswap.ko's interfaces, bounded for make check:
# generic netlink (adaptswap-genlfuzz) and sysfs (adaptswap-sysfsfuzz), as
# root and without privileges, each answer checked against the documented
# ABI (but for the known faults of today's module, which are counted:
# FUZZ_LENIENT_* in tests/lib/fuzz.bash).  make fuzz runs the same tests
# with the full counts (fuzz.fuzz.bats).  Seeds and counts are printed;
# SEED=N replays.
# guest: timeout=600

load ../lib/helpers
load ../lib/fuzz

setup() {
	requires guest root module
	load_module
}

teardown() {
	unload_module
}

@test "genl fuzz as root: 20000 random messages, the simple SETs judged by the rules; GET still answers" {
	fuzz_genl_root 20000
}

@test "genl fuzz without CAP_NET_ADMIN: 20000 random messages change no knob" {
	fuzz_genl_user 20000
}

@test "sysfs fuzz as root: 10000 random writes, each judged by the ABI document (known faults counted)" {
	fuzz_sysfs_root 10000
}

@test "sysfs fuzz without root: 2000 random writes, all refused, nothing changes" {
	fuzz_sysfs_user 2000
}

@test "a seed replays: a run sends what a dry run with its seed prints (genl and sysfs)" {
	fuzz_replay_genl 3000
	fuzz_replay_sysfs 2000
}
