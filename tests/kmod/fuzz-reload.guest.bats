#!/usr/bin/env bats
# adaptswap.ko unloaded and loaded again and again under fire, on 2 vCPUs:
# a memory hog on each CPU, a subscriber, the genl fuzzer (as root) and
# the sysfs fuzzer running all along.  No WARN, oops or hang, and a
# well-formed GET is answered after every load.  Bounded for make check;
# make fuzz runs 200 cycles (fuzz-reload.fuzz.bats).
# guest: smp=2 timeout=600

load ../lib/helpers
load ../lib/fuzz

setup() {
	requires guest root module
}

teardown() {
	fire_stop || true
	unload_module
}

@test "30 unload/load cycles under fire on 2 vCPUs" {
	fuzz_reload 30
}
