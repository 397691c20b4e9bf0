#!/usr/bin/env bats
# adaptswapd's control socket against random and hostile clients
# (adaptswap-ctlfuzz): random bytes, partial and oversized lines, clients
# writing a byte at a time, bursts of clients, idle clients holding
# connections, clients that close before their answer; as root and as
# nobody.  Afterwards the daemon runs and answers status and root's
# commands.  The full counts (make fuzz); make check runs smaller ones
# (adaptswapd-fuzz.guest.bats).  Seeds and counts are printed.
# guest: mem=256M timeout=5400 disk=3G append=astest_test_timeout=2400

load ../lib/helpers
load ../lib/fuzz

setup() { ctl_fuzz_setup; }
teardown() { ctl_fuzz_teardown; }

@test "control socket fuzz as root: junk, partial and oversized lines, slow clients, bursts, a few idle ones" {
	fuzz_ctl ctl-root -n 600 "${CTL_POLITE[@]}"
}

@test "control socket fuzz as nobody: the same; no privileged command is ever answered ok" {
	fuzz_ctl ctl-nobody -n 600 -u "$NOBODY" "${CTL_POLITE[@]}"
}

@test "clients that close before their answer do not stop the daemon (SIGPIPE)" {
	fuzz_ctl ctl-early -n 200 -u "$NOBODY" -S early-close
}

@test "idle connections of nobody cannot lock root out" {
	fuzz_ctl ctl-idle -n 20 -u "$NOBODY" -S hold --min-hold 16 --max-hold 64 --hold-ms 4000
}

@test "control socket fuzz, every scenario, as root and as nobody" {
	fuzz_ctl ctl-all-root -n 300
	fuzz_ctl ctl-all-nobody -n 300 -u "$NOBODY"
}
