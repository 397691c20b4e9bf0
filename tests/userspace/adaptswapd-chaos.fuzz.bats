#!/usr/bin/env bats
# adaptswapd killed (SIGKILL) at random moments of its work, 50 times from
# a printed seed, with foreign swap around; the invariants of
# tests/lib/chaos.bash after each restart.  make check runs ten
# (adaptswapd-chaos.guest.bats).
# guest: mem=256M timeout=1800 disk=3G kernels=bookworm,bookworm-backports append=astest_test_timeout=1500

load ../lib/helpers
load ../lib/chaos

setup() { chaos_setup; }
teardown() { chaos_teardown; }

@test "kill -9 at random moments of grow, refill, shrink, release, reload and growth under a hog: 50 iterations" {
	chaos_run 50
}
