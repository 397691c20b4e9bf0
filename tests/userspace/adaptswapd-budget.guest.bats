#!/usr/bin/env bats
# A small disk: the budget is hit without a crash, min_free is kept.
# guest: mem=256M timeout=300 disk=700M kernels=bookworm est=30

load ../lib/helpers

setup() {
	requires guest root module
	load_module
	CONF=$BATS_TEST_TMPDIR/asd.conf
}

teardown() {
	stop_daemon
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR"
	unload_module
	tail -30 "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null || true
}

@test "a small disk hits the budget without a crash" {
	write_conf "$CONF" max_swap_mb=4096 min_free_mb=200 max_disk_pct=100 chunk_mb=128
	start_daemon "$CONF"
	for i in 1 2 3 4 5 6; do adaptswapctl grow || true; done
	kill -0 "$ASD_PID"
	grep -q 'grow refused' "$BATS_TEST_TMPDIR/asd.log"
	grep 'grow refused' "$BATS_TEST_TMPDIR/asd.log" | grep -q 'min_free'
	free_kb=$(df -k /mnt | awk 'NR == 2 {print $4}')
	echo "free: $free_kb kB"
	[ "$free_kb" -ge $((190 * 1024)) ]
	# a workload beyond the budget is OOM-killed, the daemon survives it
	adaptswap-hog -r 60 -s 16 1200 >/dev/null || true
	kill -0 "$ASD_PID"
	adaptswapctl status
}

@test "a read-only filesystem is logged and survived" {
	write_conf "$CONF" max_swap_mb=512 standby=no
	start_daemon "$CONF"
	mount -o remount,ro /mnt
	run adaptswapctl grow
	echo "$output"
	mount -o remount,rw /mnt
	[ "$status" -eq 1 ]
	kill -0 "$ASD_PID"
	grep -q 'grow failed' "$BATS_TEST_TMPDIR/asd.log"
}
