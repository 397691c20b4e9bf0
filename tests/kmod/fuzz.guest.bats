#!/usr/bin/env bats
# Random input for adaptswap.ko's interfaces, bounded for make check:
# generic netlink (adaptswap-genlfuzz) and sysfs (adaptswap-sysfsfuzz), as
# root and without privileges, each answer checked against the documented
# ABI (but for the known faults of today's module, which are counted:
# FUZZ_LENIENT_* in tests/lib/fuzz.bash); then a few unload/load cycles
# under fire on the guest's 2 vCPUs.  Seeds and counts are printed;
# SEED=N replays.  make fuzz runs the full counts (fuzz.fuzz.bats and
# fuzz-reload.fuzz.bats) on 6.1 and 6.12; make check runs this suite on
# one kernel, for its time (about 40 s of guest time).
# guest: smp=2 timeout=400 kernels=bookworm est=40

load ../lib/helpers
load ../lib/fuzz

setup() {
	requires guest root module
	load_module
}

teardown() {
	fire_stop || true
	unload_module
}

@test "genl fuzz as root: 20000 random messages, the simple SETs judged by the rules; GET still answers" {
	fuzz_genl_root 20000
}

@test "genl fuzz without CAP_NET_ADMIN: 20000 random messages change no knob" {
	fuzz_genl_user 20000
}

@test "sysfs fuzz as root: 5000 random writes, each judged by the ABI document (known faults counted)" {
	fuzz_sysfs_root 5000
}

@test "sysfs fuzz without root: 1000 random writes, all refused, nothing changes" {
	fuzz_sysfs_user 1000
}

@test "a seed replays: a run sends what a dry run with its seed prints (genl and sysfs)" {
	fuzz_replay_genl 1000
	fuzz_replay_sysfs 1000
}

@test "5 unload/load cycles under fire on 2 vCPUs" {
	fuzz_reload 5
}
