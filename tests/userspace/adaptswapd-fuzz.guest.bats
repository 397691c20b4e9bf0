#!/usr/bin/env bats
# adaptswapd's control socket against random and hostile clients
# (adaptswap-ctlfuzz): random bytes, partial and oversized lines, clients
# writing a byte at a time, bursts of clients, idle clients holding
# connections, clients that close before their answer; as root and as
# nobody.  Afterwards the daemon runs and answers status and root's
# commands.  Bounded for make check; make fuzz runs the full counts
# (adaptswapd-fuzz.fuzz.bats) on 6.1 and 6.12.  Seeds and counts are
# printed.  On one kernel only, for make check's time (the daemon is user
# space).
# guest: mem=256M timeout=300 disk=3G kernels=bookworm est=55

load ../lib/helpers
load ../lib/fuzz

setup() { ctl_fuzz_setup; }
teardown() { ctl_fuzz_teardown; }

@test "control socket fuzz as root: junk, partial and oversized lines, slow clients, bursts, a few idle ones" {
	fuzz_ctl ctl-root -n 20 "${CTL_POLITE[@]}"
}

@test "control socket fuzz as nobody: the same; no privileged command is ever answered ok" {
	fuzz_ctl ctl-nobody -n 20 -u "$NOBODY" "${CTL_POLITE[@]}"
}

@test "a seed replays: a run plays what a dry run with its seed prints" {
	fuzz_replay_ctl 8 -u "$NOBODY" "${CTL_POLITE[@]}"
}

@test "clients that close before their answer do not stop the daemon (SIGPIPE)" {
	fuzz_ctl ctl-early -n 10 -u "$NOBODY" -S early-close
}

@test "idle connections of nobody cannot lock root out" {
	fuzz_ctl ctl-idle -n 2 -u "$NOBODY" -S hold --min-hold 16 --max-hold 64 --hold-ms 4000
}

@test "control socket fuzz, every scenario, as root and as nobody" {
	fuzz_ctl ctl-all-root -n 15
	fuzz_ctl ctl-all-nobody -n 15 -u "$NOBODY"
}
