#!/usr/bin/env bats
# adaptswapd against a workload that allocates 3x RAM in steps in a
# 256 MiB, 1 vCPU guest (1.25x RAM in a 1 GiB, 2 vCPU one): the OOM killer
# ends it without adaptswapd, and it completes with it, with the module and
# in PSI-only mode, with the shipped configuration (only dir,
# shrink_quiet_s and log_level are the test's: see write_conf); then swap
# returns toward the floor.  make check runs the 256 MiB shape on 5.10 and
# 7.x and the 1 GiB one on 6.1 (both shapes on each of the three with
# SHAPES=all).  The ramps at 30, 60 and 120 MiB/s, one and two processes:
# adaptswapd-ramp.guest.bats.
# guest: timeout=600 disk=6G kernels=bullseye,bookworm,sid shapes=1x256M@bullseye+sid,2x1G@bookworm est=120

load ../lib/helpers

MEM_MB=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
# Under TCG a 2-vCPU guest swaps out slowly (2 GiB with 1.2 GiB of it
# swapped out: 40 s with 1 vCPU, 87 s with 2): 3x of 1 GiB took 6 minutes
# for the suite, 1.5x 153 s; 1.25x (about 350 MiB to swap) still needs it.
BIG=$((MEM_MB > 512))
WORK_MB=$((BIG ? MEM_MB * 5 / 4 : 3 * MEM_MB))	# 651 MiB in the 256 MiB guest
FLOOR_WORK_MB=$((BIG ? MEM_MB * 11 / 10 : 2 * MEM_MB))
RATE=$((BIG ? 80 : 40))	# MiB/s

setup() {
	requires guest root
	CONF=$BATS_TEST_TMPDIR/asd.conf
	write_conf "$CONF"
}

teardown() {
	[ -z "${WATCH_PID:-}" ] || kill "$WATCH_PID" 2>/dev/null || true
	[ -z "${MIN_TTL:-}" ] || echo "$MIN_TTL" > $LRU_GEN/min_ttl_ms
	stop_daemon
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR"
	unload_module
	cat "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null | tail -40 || true
}

LRU_GEN=/sys/kernel/mm/lru_gen

@test "without adaptswapd the workload is OOM-killed" {
	# Once in a CI run, 7.2 reclaimed a few pages at a time for 180 s
	# at 160 MiB RSS instead of killing.  Where the multi-gen LRU runs,
	# its thrashing guard makes the kernel kill once the last second's
	# working set cannot stay in memory: this test is about the kill,
	# not about how long a kernel hesitates.
	if [ -w $LRU_GEN/min_ttl_ms ] && [ "$(cat $LRU_GEN/enabled)" != 0x0000 ]; then
		MIN_TTL=$(cat $LRU_GEN/min_ttl_ms)
		echo 1000 > $LRU_GEN/min_ttl_ms
	fi
	t0=$SECONDS
	run adaptswap-hog -r $RATE -s 16 $WORK_MB
	echo "# OOM kill after $((SECONDS - t0)) s" >&3
	echo "$output" | tail -3
	[ "$status" -eq 137 ]
	[[ $output != *"hog: done"* ]]
}

@test "with adaptswapd and the module the workload completes" {
	requires module
	load_module
	start_daemon "$CONF"
	grep -q 'source: adaptswap module' "$BATS_TEST_TMPDIR/asd.log"
	run adaptswap-hog -r $RATE -s 16 $WORK_MB
	echo "$output" | tail -2
	[ "$status" -eq 0 ]
	[[ $output == *"hog: done"* ]]
	adaptswapctl status
	[ "$(daemon_json grows)" -ge 1 ]
	grep -q 'grow (' "$BATS_TEST_TMPDIR/asd.log"
	# refills under pressure do not wait behind swap-out at idle I/O priority
	grep -q 'ready in .*(normal I/O priority)' "$BATS_TEST_TMPDIR/asd.log"
	# every grow and refusal is logged with its reason
	grep 'grow' "$BATS_TEST_TMPDIR/asd.log" | grep -q ': '
	# swap returns toward the floor (0) once the workload is gone
	t0=$SECONDS
	wait_for 120 managed_active_is 0
	echo "# managed swap gone $((SECONDS - t0)) s after the workload" >&3
	grep -q 'shrink: .* is off' "$BATS_TEST_TMPDIR/asd.log"
	[ "$(daemon_json shrinks)" -ge 1 ]
}

@test "in PSI-only mode the workload completes too" {
	unload_module
	start_daemon "$CONF" --source psi
	grep -q 'source: PSI' "$BATS_TEST_TMPDIR/asd.log"
	adaptswapctl status --json | grep -q '"source":"psi"'
	run adaptswap-hog -r $RATE -s 16 $WORK_MB
	echo "$output" | tail -2
	[ "$status" -eq 0 ]
	[[ $output == *"hog: done"* ]]
	grep -q 'ready in .*(normal I/O priority)' "$BATS_TEST_TMPDIR/asd.log"
	wait_for 60 managed_active_is 0
}

@test "with a floor, swap shrinks back to the floor, not below" {
	requires module
	load_module
	write_conf "$CONF" floor_mb=128 chunk_mb=128
	start_daemon "$CONF"
	wait_for 10 managed_kb_atleast $((120 * 1024))
	run adaptswap-hog -r $RATE -s 16 $FLOOR_WORK_MB
	[ "$status" -eq 0 ]
	wait_for 60 managed_active_is 1
	sleep 5
	[ "$(managed_active)" -eq 1 ]
	[ "$(managed_kb)" -ge $((120 * 1024)) ]
}

@test "page-cache streaming with the module: no swap is activated, 0 grows" {
	requires module
	load_module
	start_daemon "$CONF"
	total_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
	# 2x RAM written (dirty pages) and read back through the page cache,
	# and 2x RAM of a sparse file read, while a watcher records the most
	# swap areas ever active; 1x RAM of each in the 1 GiB guest, where
	# that is already 2.8 GiB through the cache (2x took 90 s of the
	# suite's 240, 4x over 180 s; the bench streams more)
	local n=$((BIG ? 1 : 2))
	echo 0 > "$BATS_TEST_TMPDIR/maxactive"
	( m=0; while :; do a=$(managed_active); [ "$a" -gt "$m" ] && m=$a && echo "$m" > "$BATS_TEST_TMPDIR/maxactive"; sleep 0.2; done ) 3>&- &
	WATCH_PID=$!
	dd if=/dev/zero of=/mnt/stream bs=1M count=$((n * total_mb)) 2>/dev/null
	truncate -s $((n * total_mb))M /mnt/sparse
	for f in /mnt/stream /mnt/sparse; do cat "$f" > /dev/null; done
	kill "$WATCH_PID"; wait "$WATCH_PID" 2>/dev/null || true
	WATCH_PID=
	rm -f /mnt/stream /mnt/sparse
	adaptswapctl status
	echo "# page-cache streaming ($((3 * n * total_mb)) MiB) with adaptswapd and the module: level $(cat $SYS/level), grows $(daemon_json grows), swap areas active at most $(cat "$BATS_TEST_TMPDIR/maxactive")" >&3
	[ "$(cat "$BATS_TEST_TMPDIR/maxactive")" -eq 0 ]
	[ "$(daemon_json grows)" -eq 0 ]
	[ "$(managed_active)" -eq 0 ]
}
