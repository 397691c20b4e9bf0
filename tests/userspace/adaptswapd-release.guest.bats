#!/usr/bin/env bats
# adaptswapd --release: what package removal runs after stopping the
# service.  Refused while a daemon runs and when memory cannot take the swap
# back (nothing changed); otherwise every managed file is swapped off and
# deleted, vm.swappiness restored, foreign swap left alone.
# guest: mem=256M timeout=600 disk=3G kernels=bookworm est=30

load ../lib/helpers

setup() {
	requires guest root
	CONF=$BATS_TEST_TMPDIR/asd.conf
	# no automatic shrink: the tests count the active files
	write_conf "$CONF" max_swap_mb=1536 shrink_quiet_s=600
	HOLDER=
}

teardown() {
	if [ -n "$HOLDER" ]; then
		kill "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
	stop_daemon
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR" /mnt/foreign.swap /run/adaptswap /tmp/release.conf
	echo 60 > /proc/sys/vm/swappiness
	tail -30 "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null || true
}

crash_daemon() {
	kill -9 "$ASD_PID"
	wait "$ASD_PID" 2>/dev/null || true
	ASD_PID=
}

managed_files() {
	local f
	for f in "$ASD_DIR"/adaptswap-*; do [ ! -e "$f" ] || echo "${f##*/}"; done | sort
}
managed_used_kb() { awk -v d="$ASD_DIR/" 'index($1, d) == 1 {s += $4} END {print s + 0}' /proc/swaps; }

@test "--release is refused while the daemon runs, and a second daemon is refused too" {
	start_daemon "$CONF"
	wait_for 10 daemon_has '"state":"standby"'
	adaptswapctl grow
	before=$(managed_files)
	run adaptswapd --release -c "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"release refused: adaptswapd is running"* ]]
	[ "$(managed_active)" -eq 1 ]
	[ "$(managed_files)" = "$before" ]
	# the same lock keeps a second daemon from stealing the control socket
	run adaptswapd -c "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"another adaptswapd is running"* ]]
	# the first one still answers and still has its swap
	adaptswapctl status --json | grep -q '"state":"active"'
	[ "$(managed_active)" -eq 1 ]
}

@test "--release after a normal stop: every managed file off and deleted, foreign swap untouched" {
	fallocate -l 64M /mnt/foreign.swap
	chmod 600 /mnt/foreign.swap
	mkswap /mnt/foreign.swap >/dev/null
	swapon /mnt/foreign.swap
	mkdir -m 700 "$ASD_DIR"
	# our name but not our label: not ours
	fallocate -l 64M "$ASD_DIR/adaptswap-77.swap"
	mkswap "$ASD_DIR/adaptswap-77.swap" >/dev/null
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	wait_for 10 daemon_has '"state":"standby"'
	stop_daemon
	[ "$(managed_active)" -eq 2 ]	# a normal stop keeps managed swap
	run adaptswapd --release -c "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"release: done: 2 file(s) swapped off, 3 deleted"* ]]
	[ "$(managed_active)" -eq 0 ]
	[ "$(managed_files)" = adaptswap-77.swap ]
	grep -q '^/mnt/foreign.swap ' /proc/swaps
	# nothing left to do: a second run succeeds and changes nothing
	run adaptswapd --release -c "$CONF"
	[ "$status" -eq 0 ]
	[[ $output == *"0 file(s) swapped off, 0 deleted"* ]]
	grep -q '^/mnt/foreign.swap ' /proc/swaps
	[ -e "$ASD_DIR/adaptswap-77.swap" ]
}

@test "--release after a crash restores vm.swappiness from swappiness.orig and deletes half-made files" {
	echo 33 > /proc/sys/vm/swappiness
	# no standby: a crash during its refill would leave a file without a label
	write_conf "$CONF" max_swap_mb=1536 shrink_quiet_s=600 standby=no
	start_daemon "$CONF"
	adaptswapctl grow
	[ "$(cat /run/adaptswap/swappiness.orig)" = 33 ]
	crash_daemon
	echo 77 > /proc/sys/vm/swappiness	# as if the daemon had tuned it
	# half-made as the daemon makes them (root's, 0600); a 0644 one is not its
	fallocate -l 32M "$ASD_DIR/adaptswap-9.swap.new"
	chmod 600 "$ASD_DIR/adaptswap-9.swap.new"
	fallocate -l 1M "$ASD_DIR/adaptswap-8.swap.new"
	chmod 644 "$ASD_DIR/adaptswap-8.swap.new"
	run adaptswapd --release -c "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"vm.swappiness restored to 33"* ]]
	[ "$(cat /proc/sys/vm/swappiness)" = 33 ]
	[ ! -e /run/adaptswap/swappiness.orig ]
	[ "$(managed_active)" -eq 0 ]
	[ "$(managed_files)" = adaptswap-8.swap.new ]
	rm "$ASD_DIR/adaptswap-8.swap.new"
}

@test "--release refuses, changing nothing, when memory cannot take the swap back" {
	echo 100 > /proc/sys/vm/swappiness
	write_conf "$CONF" max_swap_mb=1536 swappiness_control=no shrink_quiet_s=600 standby=no
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	# the holder keeps 200 MiB; a second hog pushes much of it out to swap
	adaptswap-hog -r 200 -s 16 -h 600 200 > /dev/null 2>&1 3>&- &
	HOLDER=$!
	sleep 2
	adaptswap-hog -r 100 -s 16 120 > /dev/null 2>&1 || true
	crash_daemon
	used_kb=$(managed_used_kb)
	avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
	echo "# managed swap in use: $used_kb kB, available: $avail_kb kB" >&3
	# the case under test needs more in swap than memory can take back
	[ $((used_kb * 3 / 2)) -gt "$avail_kb" ]
	before=$(managed_files)
	active=$(managed_active)
	run adaptswapd --release -c "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"release refused, nothing changed"*"MiB available"* ]]
	[ "$(managed_active)" -eq "$active" ]
	[ "$(managed_files)" = "$before" ]
	kill -0 "$HOLDER"	# the refusal spared the workload
	# once the workload has gone, the same command releases everything
	kill "$HOLDER"
	wait "$HOLDER" 2>/dev/null || true
	HOLDER=
	run adaptswapd --release -c "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(managed_active)" -eq 0 ]
	[ -z "$(managed_files)" ]
}

@test "--release with no directory changes nothing; bad use is an error" {
	run adaptswapd --release -c "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$ASD_DIR" ]
	run adaptswapd --release --check-config -c "$CONF"
	[ "$status" -eq 2 ]
	[[ $output == *"do not go together"* ]]
	cp "$CONF" /tmp/release.conf
	chmod 644 /tmp/release.conf
	run as_user adaptswapd --release -c /tmp/release.conf
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"must run as root"* ]]
	# a group-writable directory is refused, as at start
	mkdir -m 770 "$ASD_DIR"
	run adaptswapd --release -c "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"release refused:"* ]]
}
