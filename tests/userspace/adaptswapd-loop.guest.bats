#!/usr/bin/env bats
# adaptswapd's control loop: page cache is no reason to grow (module and
# PSI mode), no modprobe per tick, the module disabled and enabled again,
# swappiness after an episode, on reload and when an administrator sets
# it, one log line per episode of refused grows, the module's events
# (expiry after event_interval_ms, a re-read after an overrun or a gap).
# guest: mem=256M timeout=400 disk=3G kernels=bookworm est=150

load ../lib/helpers

setup() {
	requires guest root
	CONF=$BATS_TEST_TMPDIR/asd.conf
	write_conf "$CONF"
}

teardown() {
	stop_daemon
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR" /mnt/cache.bin
	[ -z "${MODPROBE_OLD:-}" ] || echo "$MODPROBE_OLD" > /proc/sys/kernel/modprobe
	[ -z "${RMEM_OLD:-}" ] || echo "$RMEM_OLD" > /proc/sys/net/core/rmem_max
	unload_module
	echo 60 > /proc/sys/vm/swappiness
	tail -30 "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null || true
}

# Stream a file of 1.5 x RAM through the page cache: written, read twice.
page_cache_workload() {
	dd if=/dev/zero of=/mnt/cache.bin bs=1M count=320 conv=fsync status=none
	cat /mnt/cache.bin > /dev/null
	cat /mnt/cache.bin > /dev/null
	rm -f /mnt/cache.bin
}

@test "page cache streaming grows no swap (module)" {
	requires module
	load_module
	start_daemon "$CONF"
	grep -q 'source: adaptswap module' "$BATS_TEST_TMPDIR/asd.log"
	page_cache_workload
	adaptswapctl status
	[ "$(daemon_json grows)" -eq 0 ]
	[ "$(managed_active)" -eq 0 ]
}

@test "page cache streaming grows no swap (PSI)" {
	unload_module
	start_daemon "$CONF" --source psi
	page_cache_workload
	adaptswapctl status
	[ "$(daemon_json grows)" -eq 0 ]
	[ "$(managed_active)" -eq 0 ]
}

@test "no modprobe per tick: once at start, none idle or under pressure" {
	requires module
	unload_module
	MODPROBE_OLD=$(cat /proc/sys/kernel/modprobe)
	# a modprobe that counts and loads nothing: the daemon stays in PSI mode
	printf '#!/bin/sh\necho "$*" >> %s/modprobe.calls\nexit 1\n' "$BATS_TEST_TMPDIR" \
		> "$BATS_TEST_TMPDIR/modprobe"
	chmod 755 "$BATS_TEST_TMPDIR/modprobe"
	echo "$BATS_TEST_TMPDIR/modprobe" > /proc/sys/kernel/modprobe
	start_daemon "$CONF"
	grep -q 'source: PSI' "$BATS_TEST_TMPDIR/asd.log"
	start=$(cat "$BATS_TEST_TMPDIR/modprobe.calls" 2>/dev/null | wc -l)
	sleep 10
	idle=$(cat "$BATS_TEST_TMPDIR/modprobe.calls" 2>/dev/null | wc -l)
	adaptswap-hog -r 40 -s 8 200 > /dev/null
	busy=$(cat "$BATS_TEST_TMPDIR/modprobe.calls" 2>/dev/null | wc -l)
	echo "# modprobe calls: $start at start, $idle after 10 s idle, $busy after pressure" >&3
	[ "$start" -le 1 ]
	[ "$idle" -eq "$start" ]
	[ "$busy" -eq "$start" ]
}

@test "module disabled (enabled=0): PSI mode; enabled again: the module" {
	requires module
	load_module
	start_daemon "$CONF"
	daemon_has '"source":"module"'
	echo 0 > "$SYS/enabled"
	wait_for 5 daemon_has '"source":"psi"'
	grep -q 'module is disabled' "$BATS_TEST_TMPDIR/asd.log"
	# PSI mode works while disabled: pressure grows swap
	adaptswap-hog -r 40 -s 8 300 > /dev/null
	[ "$(daemon_json grows)" -ge 1 ]
	echo 1 > "$SYS/enabled"
	wait_for 5 daemon_has '"source":"module"'
}

@test "swappiness drifts back after an episode in module mode" {
	requires module
	load_module
	write_conf "$CONF" shrink_quiet_s=2 swappiness_min=10 swappiness_max=100
	echo 60 > /proc/sys/vm/swappiness
	start_daemon "$CONF"
	adaptswap-hog -r 40 -s 8 300 > /dev/null
	# pressure moved it; without pressure it steps toward 55
	wait_for 30 grep -q 'quiet: drifting toward 55' "$BATS_TEST_TMPDIR/asd.log"
}

@test "swappiness_control off by reload restores the original" {
	requires module
	load_module
	echo 60 > /proc/sys/vm/swappiness
	start_daemon "$CONF"
	adaptswap-hog -r 40 -s 8 300 > /dev/null
	wait_for 10 bash -c '[ "$(cat /proc/sys/vm/swappiness)" != 60 ]'
	write_conf "$CONF" swappiness_control=no
	adaptswapctl reload
	[ "$(cat /proc/sys/vm/swappiness)" = 60 ]
	grep -q 'swappiness_control off: vm.swappiness back to 60' "$BATS_TEST_TMPDIR/asd.log"
}

@test "a swappiness set by an administrator is adopted, logged, restored on stop" {
	requires module
	load_module
	echo 60 > /proc/sys/vm/swappiness
	start_daemon "$CONF"
	adaptswap-hog -r 40 -s 8 300 > /dev/null
	echo 33 > /proc/sys/vm/swappiness
	adaptswap-hog -r 40 -s 8 300 > /dev/null
	grep -q 'vm.swappiness was set to 33 by someone else' "$BATS_TEST_TMPDIR/asd.log"
	stop_daemon
	[ "$(cat /proc/sys/vm/swappiness)" = 33 ]
}

@test "refused grows: one log line per episode, every one counted" {
	requires module
	load_module
	write_conf "$CONF" chunk_mb=32 max_swap_mb=32 standby=no
	start_daemon "$CONF"
	adaptswap-hog -r 20 -s 8 -h 2 260 > /dev/null || true
	adaptswapctl status
	n=$(grep -c 'grow refused (' "$BATS_TEST_TMPDIR/asd.log" || true)
	r=$(daemon_json refusals)
	echo "# refused-grow log lines: $n, refusals counted: $r" >&3
	[ "$r" -ge 3 ]
	[ "$n" -le 2 ]
}

# The level the daemon acts on (the "daemon" object of status --json).
daemon_level() {
	adaptswapctl status --json |
		sed -n 's/.*"daemon":{[^{}]*"level":"\([a-z]*\)".*/\1/p'
}
daemon_level_is() { [ "$(daemon_level)" = "$1" ]; }

# A steady level low from the module: below 95 % of RAM available, far
# above medium and critical; the daemon grows only at critical.
steady_low() {
	adaptswapctl set low_pct=95 medium_pct=5 critical_pct=2
	wait_for 10 daemon_level_is low
}

@test "module events: the pressure expiry follows event_interval_ms" {
	requires module
	load_module
	write_conf "$CONF" grow_level=critical swappiness_control=no
	start_daemon "$CONF"
	# repeats 4 s apart: a fixed 3 s expiry would re-read between them
	adaptswapctl set event_interval_ms=4000
	steady_low
	log=$BATS_TEST_TMPDIR/asd.log
	n0=$(grep -c 'state re-read (no repeated event)' "$log" || true)
	e0=$(daemon_json events)
	for i in $(seq 14); do
		sleep 1
		l=$(daemon_level)
		[ "$l" = low ] || { echo "level '$l' after $i s"; false; }
	done
	n1=$(grep -c 'state re-read (no repeated event)' "$log" || true)
	e1=$(daemon_json events)
	echo "# 14 s at low, event_interval_ms=4000: $((e1 - e0)) events, $((n1 - n0)) expiry re-reads" >&3
	# the repeats came, and none was taken for missing
	[ $((e1 - e0)) -ge 2 ]
	[ "$n1" -eq "$n0" ]
}

@test "module events: an overrun event socket (ENOBUFS) and the gap after it make the daemon re-read" {
	requires module
	load_module
	# the daemon asks for a 1 MiB receive buffer; rmem_max caps it at 8 KiB
	RMEM_OLD=$(cat /proc/sys/net/core/rmem_max)
	echo 4096 > /proc/sys/net/core/rmem_max
	write_conf "$CONF" grow_level=critical swappiness_control=no
	start_daemon "$CONF"
	echo "$RMEM_OLD" > /proc/sys/net/core/rmem_max
	# an event every 10 ms while the level stays low
	adaptswapctl set sample_idle_ms=10 event_interval_ms=10
	steady_low
	log=$BATS_TEST_TMPDIR/asd.log
	# (a busy machine may overrun 8 KiB even before the stop)
	m0=$(daemon_json events_missed)
	kill -STOP "$ASD_PID"
	sleep 3
	kill -CONT "$ASD_PID"
	wait_for 10 grep -q 'state re-read (the event socket overran (ENOBUFS))' "$log"
	wait_for 10 grep -q 'state re-read (events were lost (sequence gap))' "$log"
	grep 'state re-read (' "$log" | sed 's/^/# /' | sort -u -k3 | head -4 >&3
	missed=$(daemon_json events_missed)
	echo "# events_missed: $m0 before, $missed after 3 s stopped" >&3
	[ "$missed" -gt "$m0" ]
	# the daemon goes on with the module's level
	daemon_level_is low
	adaptswapctl status --json | grep -q '"source":"module"'
}
