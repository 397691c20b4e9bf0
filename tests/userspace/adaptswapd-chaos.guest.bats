#!/usr/bin/env bats
# adaptswapd killed (SIGKILL) at random moments of its work, ten times
# from a printed seed, with foreign swap around; then a disk that fills up
# in the middle of a standby refill, the filesystem remounted read-only
# under the daemon, deletes that fail, and the module unloaded and loaded
# again while it runs.  After each: the invariants of tests/lib/chaos.bash.
# make fuzz runs 50 iterations (adaptswapd-chaos.fuzz.bats).
# guest: mem=256M timeout=600 disk=3G kernels=bookworm est=120

load ../lib/helpers
load ../lib/chaos

setup() { chaos_setup; }
teardown() { chaos_teardown; }

@test "kill -9 at random moments of grow, refill, shrink, release, reload and growth under a hog: 10 iterations" {
	chaos_run 10
}

@test "the disk fills up in the middle of a standby refill: no partial file, the daemon goes on, growth works again" {
	write_conf "$CONF" max_swap_mb=$CHAOS_MAX_MB chunk_mb=64 min_free_mb=1 max_disk_pct=100 \
		shrink_quiet_s=3600
	ADAPTSWAPD_TEST_PAUSE_STANDBY=3 start_daemon "$CONF"
	wait_secs 10 grep -q "test hook: standby .* paused" "$BATS_TEST_TMPDIR/asd.log"
	sb=$(sed -n 's/.*test hook: standby \(adaptswap-[0-9]*\.swap\) paused.*/\1/p' "$BATS_TEST_TMPDIR/asd.log")
	# another process takes every block left, root's reserve too
	fill_disk
	df -k /mnt
	wait_secs 15 grep -q "standby $sb: .*No space left on device" "$BATS_TEST_TMPDIR/asd.log"
	ls -l "$ASD_DIR"
	! ls "$ASD_DIR" | grep -q '\.new$' || false
	[ ! -e "$ASD_DIR/$sb" ]
	kill -0 "$ASD_PID"
	adaptswapctl status
	! daemon_has '"state":"standby"' || false
	# a grow now is refused or fails, and says so; the daemon goes on
	run adaptswapctl grow
	echo "$output"
	[ "$status" -ne 0 ]
	kill -0 "$ASD_PID"
	why=$(chaos_invariants) || { echo "$why"; false; }
	# space again: growth works
	rm -f /mnt/filler*
	wait_secs 10 adaptswapctl grow
	[ "$(managed_active)" -ge 1 ]
	wait_secs 20 settled_invariants || { chaos_invariants; false; }
}

@test "the filesystem turns read-only under the daemon: failures said, nothing lost, tidied once writable" {
	start_two_active "$CONF"
	# what an ext4 error does with errors=remount-ro, swap files active on
	# it (a plain remount,ro is refused while they are): read-only at once
	echo u > /proc/sysrq-trigger
	wait_secs 10 sh -c "grep ' /mnt ' /proc/mounts | grep -q ' ro[ ,]'"
	# swapon(2) and swapoff(2) open the file for writing: a grow fails and
	# says why, nothing half-made is left, the standby stays ours
	run adaptswapctl grow
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Read-only file system"* ]]
	! ls "$ASD_DIR" | grep -q '\.new$' || false
	# quiet: the shrinks fail too, and say so
	wait_secs 20 grep -q "shrink: swapoff adaptswap-[0-9]*.swap Read-only file system" \
		"$BATS_TEST_TMPDIR/asd.log"
	sleep 6	# a tick or two: said once
	[ "$(grep -c "shrink: swapoff .*Read-only" "$BATS_TEST_TMPDIR/asd.log")" -eq 1 ]
	kill -0 "$ASD_PID"
	adaptswapctl status
	why=$(chaos_invariants) || { echo "$why"; false; }
	# writable again: the shrinks go on and all holds
	mount -o remount,rw /mnt
	adaptswapctl shrink	# by hand: the timer's shrinks wait a minute
	wait_secs 20 grep -q "shrink: adaptswap-[0-9]*.swap is off and deleted" "$BATS_TEST_TMPDIR/asd.log"
	wait_secs 20 managed_active_is 0
	wait_secs 20 settled_invariants || { chaos_invariants; false; }
	echo "# read-only: $(grep -c "Read-only file system" "$BATS_TEST_TMPDIR/asd.log") log lines say so" >&3
}

@test "files whose delete fails stay the daemon's, said once, and go once they can" {
	start_two_active "$CONF"
	# no delete in the directory (a failing filesystem does the same);
	# swapoff still works: the quiet shrinks leave two files off
	chattr +i "$ASD_DIR"
	wait_secs 20 managed_active_is 0
	wait_secs 10 sh -c "[ \$(grep -c 'cannot be deleted yet' $BATS_TEST_TMPDIR/asd.log) -eq 2 ]"
	adaptswapctl status
	[ "$(adaptswapctl status --json | grep -o '"name":"adaptswap-[0-9]*\.swap"' | wc -l)" -eq 3 ]
	sleep 11	# two more tries each: not said again
	[ "$(grep -c 'cannot be deleted yet' "$BATS_TEST_TMPDIR/asd.log")" -eq 2 ]
	chattr -i "$ASD_DIR"
	wait_secs 10 sh -c "[ \$(grep -c 'tidy: adaptswap-[0-9]*.swap deleted' $BATS_TEST_TMPDIR/asd.log) -eq 2 ]"
	why=$(chaos_invariants) || { echo "$why"; false; }
}

@test "the module unloaded and loaded again at random moments while the daemon works" {
	local seed=${SEED:-$((RANDOM << 15 | RANDOM))} i c
	echo "# module reloads: seed $seed" >&3
	RANDOM=$seed
	start_daemon "$CONF"
	for i in 1 2 3 4 5; do
		adaptswapctl grow >/dev/null 2>&1 3>&- &
		c=$!
		pause_rand 500
		wait_secs 5 rmmod adaptswap
		adaptswapctl -t 2000 status >/dev/null
		pause_rand 500
		modprobe adaptswap
		wait "$c" || true
	done
	wait_secs 10 daemon_has '"source":"module"'
	kill -0 "$ASD_PID"
	[ "$(grep -c "the adaptswap module went away" "$BATS_TEST_TMPDIR/asd.log")" -eq 5 ]
	wait_secs 20 settled_invariants || { chaos_invariants; false; }
}
