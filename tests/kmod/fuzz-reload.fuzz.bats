#!/usr/bin/env bats
# adaptswap.ko unloaded and loaded again and again under fire, on 2 vCPUs:
# a memory hog on each CPU, a subscriber, the genl fuzzer (as root) and
# the sysfs fuzzer running all along.  No WARN, oops or hang, and a
# well-formed GET is answered after every load.  The full count (make fuzz);
# make check runs 5 cycles, at the end of fuzz.guest.bats.
# guest: smp=2 timeout=2400 append=astest_test_timeout=2000

load ../lib/helpers
load ../lib/fuzz

setup() {
	requires guest root module
}

teardown() {
	fire_stop || true
	unload_module
}

@test "200 unload/load cycles under fire on 2 vCPUs" {
	fuzz_reload 200
}
