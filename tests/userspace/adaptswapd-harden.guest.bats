#!/usr/bin/env bats
# adaptswapd against what a local user, a planted file or a race can do:
# clients that close at once or sit idle, the swap directory and its
# parents, a directory swapped between check and swapon, foreign files
# with our names, a standby swapon refuses, the action hook's start,
# swappiness.orig through a symlink, shrinks while status is polled.
# guest: mem=256M timeout=420 disk=3G kernels=bookworm est=85

load ../lib/helpers

SOCK=/run/adaptswap/adaptswapd.sock

setup() {
	requires guest root
	CONF=$BATS_TEST_TMPDIR/asd.conf
	write_conf "$CONF" max_swap_mb=1536
	load_module || true
}

teardown() {
	[ -n "${POLL_PID:-}" ] && { touch "$BATS_TEST_TMPDIR/stop"; wait "$POLL_PID"; }
	stop_daemon
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR" /mnt/adaptswap.moved /mnt/gw /mnt/realp /mnt/lnk /mnt/real \
		/tmp/victim /run/adaptswap/swappiness.orig /tmp/hook.*
	unload_module
	echo 60 > /proc/sys/vm/swappiness
	tail -30 "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null || true
}

@test "clients that close at once, or sit idle as another user, neither end nor lock the daemon" {
	start_daemon "$CONF"
	for i in 1 2 3 4 5; do
		adaptswap-sockpoke "$SOCK" close status-json
		adaptswap-sockpoke "$SOCK" close metrics
	done
	sleep 0.5
	kill -0 "$ASD_PID"
	# every slot another user can get, held idle by nobody
	adaptswap-sockpoke -u 65534 "$SOCK" idle 16 7 > "$BATS_TEST_TMPDIR/idle" 3>&- &
	idle=$!
	wait_for 5 grep -q connected "$BATS_TEST_TMPDIR/idle"
	cat "$BATS_TEST_TMPDIR/idle"
	n=$(sed -n 's/^connected //p' "$BATS_TEST_TMPDIR/idle")
	[ "$n" -ge 8 ] && [ "$n" -lt 16 ]
	run adaptswapctl hold
	echo "$output"
	[ "$status" -eq 0 ]
	run adaptswapctl resume
	[ "$status" -eq 0 ]
	# the idle ones are dropped after the deadline (5 s)
	wait "$idle"
	cat "$BATS_TEST_TMPDIR/idle"
	grep -qx "dropped $n" "$BATS_TEST_TMPDIR/idle"
	run as_user adaptswapctl status
	[ "$status" -eq 0 ]
	kill -0 "$ASD_PID"
}

@test "the swap directory and every parent must be root's, not writable by others, no symlink" {
	# (timeout: a daemon that took the directory would run on)
	mkdir -p /mnt/real /mnt/realp/adaptswap /mnt/gw/adaptswap
	chmod 700 /mnt/real /mnt/realp/adaptswap /mnt/gw/adaptswap
	ln -s /mnt/real "$ASD_DIR"
	run timeout 10 adaptswapd -c "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"symbolic link"* ]]
	rm "$ASD_DIR"
	# a symlink on the way
	ln -s /mnt/realp /mnt/lnk
	write_conf "$CONF" dir=/mnt/lnk/adaptswap
	run timeout 10 adaptswapd -c "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"/mnt/lnk: is a symbolic link"* ]]
	# a group-writable parent
	chmod 775 /mnt/gw
	write_conf "$CONF" dir=/mnt/gw/adaptswap
	run timeout 10 adaptswapd -c "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"/mnt/gw: mode 0775 is writable by group or others"* ]]
	[ -z "$(ls /mnt/gw/adaptswap)" ]
	# the same, but sticky (like /tmp) is fine for a parent
	chmod 1777 /mnt/gw
	start_daemon "$CONF"
	wait_for 10 daemon_has '"state":"standby"'
}

@test "the directory replaced between the checks and swapon: nothing outside is activated" {
	write_conf "$CONF" max_swap_mb=1536 standby=no
	ADAPTSWAPD_TEST_PAUSE_SWAPON=6 start_daemon "$CONF"
	adaptswapctl grow > "$BATS_TEST_TMPDIR/grow" 2>&1 3>&- &
	g=$!
	wait_for 10 grep -q "test hook: adaptswap-0.swap opened" "$BATS_TEST_TMPDIR/asd.log"
	mv "$ASD_DIR" /mnt/adaptswap.moved
	mkdir -m 700 "$ASD_DIR"
	# a planted file with our name and even our label
	fallocate -l 64M "$ASD_DIR/adaptswap-0.swap"
	chmod 600 "$ASD_DIR/adaptswap-0.swap"
	mkswap -L adaptswap "$ASD_DIR/adaptswap-0.swap" >/dev/null
	wait "$g" || true
	cat "$BATS_TEST_TMPDIR/grow" /proc/swaps
	! grep -q "^$ASD_DIR/adaptswap-0.swap" /proc/swaps || false
	grep -q '^/mnt/adaptswap.moved/adaptswap-0.swap' /proc/swaps
	swapoff /mnt/adaptswap.moved/adaptswap-0.swap
}

@test "a foreign adaptswap-0.swap with another label is never replaced nor used" {
	mkdir -m 700 "$ASD_DIR"
	fallocate -l 64M "$ASD_DIR/adaptswap-0.swap"
	chmod 600 "$ASD_DIR/adaptswap-0.swap"
	mkswap -L theirs "$ASD_DIR/adaptswap-0.swap" >/dev/null
	start_daemon "$CONF"
	wait_for 10 daemon_has '"state":"standby"'
	adaptswapctl grow
	wait_for 10 daemon_has '"state":"standby"'
	adaptswapctl grow
	ls -l "$ASD_DIR"
	[ "$(blkid -s LABEL -o value "$ASD_DIR/adaptswap-0.swap")" = theirs ]
	! grep -q "adaptswap-0.swap" /proc/swaps || false
	[ "$(managed_active)" -eq 2 ]
	grep -q "leaving adaptswap-0.swap alone" "$BATS_TEST_TMPDIR/asd.log"
}

@test "a standby swapon refuses is discarded and growth goes on, running or after a restart" {
	start_daemon "$CONF"
	wait_for 10 daemon_has '"state":"standby"'
	sb=$(ls "$ASD_DIR"/adaptswap-*.swap)
	stop_daemon
	# the same file with holes: its header, no blocks (swapon: "holes")
	dd if="$sb" of="$ASD_DIR/x" bs=4096 count=1 2>/dev/null
	truncate -s "$(stat -c %s "$sb")" "$ASD_DIR/x"
	chmod 600 "$ASD_DIR/x"
	mv "$ASD_DIR/x" "$sb"
	start_daemon "$CONF"
	grep -q "recovery: deleting inactive $(basename "$sb"): it has holes" "$BATS_TEST_TMPDIR/asd.log"
	wait_for 10 daemon_has '"state":"standby"'
	# now while it runs
	sb=$(ls "$ASD_DIR"/adaptswap-*.swap)
	dd if="$sb" of="$ASD_DIR/x" bs=4096 count=1 2>/dev/null
	truncate -s "$(stat -c %s "$sb")" "$ASD_DIR/x"
	chmod 600 "$ASD_DIR/x"
	mv "$ASD_DIR/x" "$sb"
	run adaptswapctl grow
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(managed_active)" -eq 1 ]
	grep -q "discarding standby $(basename "$sb")" "$BATS_TEST_TMPDIR/asd.log"
	[ ! -e "$sb" ]
}

@test "shrinks finished while status is polled are counted and their files deleted" {
	write_conf "$CONF" max_swap_mb=1536 chunk_mb=32
	start_daemon "$CONF"
	for i in 1 2 3 4; do
		wait_for 10 daemon_has '"state":"standby"'
		adaptswapctl grow >/dev/null
	done
	[ "$(managed_active)" -eq 4 ]
	# poll until told to stop (no kill: bats keeps its own fd 3 closed here)
	( while [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do
		adaptswapctl status --json >/dev/null 2>&1
	done ) 3>&- &
	POLL_PID=$!
	# quiet after 3 s, then a file every 300 ms: the timer must not be
	# pushed back by each status request (it was: nothing shrank)
	wait_secs 30 managed_active_is 0
	sleep 1
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$POLL_PID"
	POLL_PID=
	ls -l "$ASD_DIR"
	adaptswapctl status
	[ "$(daemon_json shrinks)" -eq 4 ]
	# one standby at most stays on disk
	[ "$(ls "$ASD_DIR" | wc -l)" -le 1 ]
}

@test "the action hook starts clean, alone, and its command is not shown to other users" {
	write_conf "$CONF" max_swap_mb=1536 \
		"action_command=grep -E '^Sig(Blk|Ign)' /proc/self/status > /tmp/hook.sig; cat /proc/self/oom_score_adj > /tmp/hook.oom; env > /tmp/hook.env; echo run >> /tmp/hook.runs; sleep 30" \
		action_swapin_rate=1 action_swap_used_pct=5 action_after_s=1 action_interval_s=1
	NOTIFY_SOCKET=/run/nobody-listens start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	adaptswap-hog -r 80 -s 16 -h 10 350 >/dev/null || true
	wait_for 20 test -s /tmp/hook.env
	sleep 4
	cat /tmp/hook.sig /tmp/hook.oom /tmp/hook.env /tmp/hook.runs
	grep -qx 'SigBlk:	0000000000000000' /tmp/hook.sig
	grep -qx 'SigIgn:	0000000000000000' /tmp/hook.sig
	[ "$(cat /tmp/hook.oom)" = 0 ]
	! grep -q NOTIFY_SOCKET /tmp/hook.env || false
	grep -q '^ADAPTSWAP_REASON=.' /tmp/hook.env
	grep -q '^ADAPTSWAP_DAEMON_PID=[0-9]' /tmp/hook.env
	grep -q '^PATH=' /tmp/hook.env
	# the first one still sleeps: no second start
	[ "$(wc -l < /tmp/hook.runs)" -eq 1 ]
	# the start is said (status keeps only the last decisions: under
	# load the episode's grows and swappiness steps can push it out)
	grep -q "action_command started" "$BATS_TEST_TMPDIR/asd.log"
	run as_user adaptswapctl status --json
	[ "$status" -eq 0 ]
	[[ $output != *"hook.env"* ]]
}

@test "swappiness.orig is not written through a planted symlink" {
	mkdir -p /run/adaptswap
	ln -sf /tmp/victim /run/adaptswap/swappiness.orig
	echo 41 > /proc/sys/vm/swappiness
	start_daemon "$CONF"
	[ ! -e /tmp/victim ]
	[ ! -L /run/adaptswap/swappiness.orig ]
	[ "$(cat /run/adaptswap/swappiness.orig)" = 41 ]
}

@test "near the kernel's limit on swap areas a new file takes the budget's room, not a chunk" {
	mkdir -p /mnt/f
	for i in $(seq 1 18); do
		fallocate -l 256K /mnt/f/$i.swap
		chmod 600 /mnt/f/$i.swap
		mkswap /mnt/f/$i.swap >/dev/null
		swapon /mnt/f/$i.swap
	done
	write_conf "$CONF" max_swap_mb=512 chunk_mb=32 standby=no
	start_daemon "$CONF"
	run adaptswapctl grow
	echo "$output"
	swapoff /mnt/f/*.swap
	rm -rf /mnt/f
	[ "$status" -eq 0 ]
	grep -q "18 swap areas in use, near the kernel's limit" "$BATS_TEST_TMPDIR/asd.log"
	[ "$(managed_kb)" -gt $((32 * 1024)) ]
}

@test "a release runs in the worker: status answers meanwhile and SIGTERM stops the daemon" {
	ADAPTSWAPD_TEST_PAUSE_RELEASE=2 start_daemon "$CONF"
	wait_for 10 daemon_has '"state":"standby"'
	adaptswapctl grow
	adaptswapctl release > "$BATS_TEST_TMPDIR/rel" 2>&1 3>&- &
	r=$!
	wait_for 10 grep -q "test hook: release paused" "$BATS_TEST_TMPDIR/asd.log"
	run adaptswapctl -t 1000 status --json
	[ "$status" -eq 0 ]
	[[ $output == *'"state":"busy"'* ]]
	wait "$r"
	cat "$BATS_TEST_TMPDIR/rel"
	grep -q "released: no managed swap left" "$BATS_TEST_TMPDIR/rel"
	[ "$(managed_active)" -eq 0 ]
	[ -z "$(ls "$ASD_DIR")" ]
	# again, and stop the daemon while the release waits (30 s)
	stop_daemon
	ADAPTSWAPD_TEST_PAUSE_RELEASE=30 start_daemon "$CONF"
	adaptswapctl grow
	: > "$BATS_TEST_TMPDIR/asd.log"
	adaptswapctl release > "$BATS_TEST_TMPDIR/rel" 2>&1 3>&- &
	r=$!
	wait_for 10 grep -q "test hook: release paused" "$BATS_TEST_TMPDIR/asd.log"
	kill "$ASD_PID"
	wait_for 10 sh -c "! kill -0 $ASD_PID 2>/dev/null"
	ASD_PID=
	wait "$r" || true
	[ "$(managed_active)" -eq 1 ]
}
