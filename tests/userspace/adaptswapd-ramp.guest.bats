#!/usr/bin/env bats
# The 3x RAM workload at 30, 60 and 120 MiB/s, one process and two, with
# adaptswapd in its shipped configuration (only dir, shrink_quiet_s and
# log_level are the test's: see write_conf): growth keeps ahead of
# swap-out.  The workload is sized from the guest's RAM, so the same suite
# runs in a 1 GiB guest (not in make check: 11 minutes under TCG):
#   gslot -a tests/vm/run-guest -m 1G -d 10G -t 1800 tests/userspace/adaptswapd-ramp.guest.bats
# (a test runs three ramps: up to 5 minutes in 1 GiB, hence the 900 s per test)
# guest: mem=256M timeout=600 disk=3G kernels=bookworm shapes=1x256M@full append=astest_test_timeout=900

load ../lib/helpers

setup() {
	requires guest root
	CONF=$BATS_TEST_TMPDIR/asd.conf
	write_conf "$CONF"
	# 3x RAM, as the README and the demo show
	WORK_MB=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 3 / 1024))
}

teardown() {
	stop_daemon
	# a test cut off by its timeout leaves its workload and daemon behind
	# (ASD_PID is not this shell's any more): the next test needs neither
	pkill -KILL -x adaptswap-hog 2>/dev/null || true
	pkill -TERM -x adaptswapd 2>/dev/null || true
	wait_for 10 eval '! pgrep -x adaptswapd >/dev/null' || true
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR"
	unload_module
	tail -40 "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null || true
}

# ramp RATE PROCS [daemon args]: a fresh daemon, the workload, its verdict
ramp() {
	local rate=$1 procs=$2 rc t0
	shift 2
	start_daemon "$CONF" "$@"
	t0=$SECONDS
	rc=0
	adaptswap-hog -r "$rate" -s 8 -p "$procs" "$WORK_MB" > "$BATS_TEST_TMPDIR/hog" 2>&1 || rc=$?
	echo "# $WORK_MB MiB at $rate MiB/s, $procs process(es): exit $rc after $((SECONDS - t0)) s," \
		"$(daemon_json grows) grows, $(($(managed_kb) / 1024)) MiB managed," \
		"$(daemon_json refusals) refusals" >&3
	stop_daemon
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR"
	[ "$rc" -eq 0 ] || { tail -3 "$BATS_TEST_TMPDIR/hog"; return 1; }
}

@test "module: 3x RAM at 30, 60 and 120 MiB/s, one process" {
	requires module
	load_module
	ramp 30 1
	ramp 60 1
	ramp 120 1
}

@test "module: 3x RAM at 30, 60 and 120 MiB/s, two processes" {
	requires module
	load_module
	ramp 30 2
	ramp 60 2
	ramp 120 2
}

@test "PSI: 3x RAM at 60 and 120 MiB/s, one process and two" {
	unload_module
	ramp 60 1 --source psi
	ramp 120 1 --source psi
	ramp 120 2 --source psi
}
