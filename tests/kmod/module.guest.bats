#!/usr/bin/env bats
# adaptswap.ko: loading, unloading, registrations, and 20 load/unload
# cycles alone, with a subscriber attached, and under a memory hog.
# guest: shapes=1x256M,2x256M@full est=35 share=on

load ../lib/helpers

setup() {
	requires guest root module
}

teardown() {
	# (never a bare "wait": bats' own test-timeout watcher is a job too)
	local p
	for p in ${HOG_PID:-} ${EVENTS_PID:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	unload_module
}

# A dump does not autoload the module (a lookup by name would).
family_present() { genl ctrl list 2>/dev/null | grep -q 'Name: adaptswap$'; }

@test "modinfo: GPL, version from VERSION, genl alias" {
	run modinfo adaptswap
	[[ $output == *"license:        GPL"* ]]
	[[ $output == *"version:        $(cat /VERSION)"* ]]
	[[ $output == *"alias:          net-pf-16-proto-16-family-adaptswap"* ]]
}

@test "load: sysfs directory, version, genl family with its events group" {
	load_module
	[ "$(cat $SYS/version)" = "$(modinfo -F version adaptswap)" ]
	[ "$(cat /sys/module/adaptswap/version)" = "$(cat $SYS/version)" ]
	run genl ctrl get name adaptswap
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Name: adaptswap"* ]]
	[[ $output == *"events"* ]]
}

@test "unload: nothing left in sysfs or generic netlink" {
	load_module
	rmmod adaptswap
	[ ! -e $SYS ]
	[ ! -e /sys/module/adaptswap ]
	! family_present
}

@test "a family lookup autoloads the module; status does not" {
	unload_module
	run adaptswapctl status
	[ "$status" -eq 3 ]
	! grep -q '^adaptswap ' /proc/modules || false
	run genl ctrl get name adaptswap
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^adaptswap ' /proc/modules
	adaptswapctl status
}

@test "20 load/unload cycles" {
	for i in $(seq 20); do
		modprobe adaptswap
		[ "$(cat $SYS/level)" = none ]
		rmmod adaptswap
	done
	! family_present || false
	[ ! -e $SYS ]
}

@test "20 load/unload cycles with a subscriber attached" {
	load_module
	start_events "$BATS_TEST_TMPDIR/ev"
	for i in $(seq 20); do
		rmmod adaptswap
		modprobe adaptswap
		sysfs_write $SYS/enabled 0	# sends a knob event when above none
	done
	kill -0 "$EVENTS_PID"	# the subscriber survived
	rmmod adaptswap
	! family_present || false
	# and a fresh one works with the last module
	modprobe adaptswap
	adaptswapctl status --json | grep -q '"level":"none"'
}

@test "20 load/unload cycles while a memory hog runs" {
	# A hog that repeatedly takes ~60% of RAM and lets it go.
	( while :; do adaptswap-hog -r 200 -s 16 130 >/dev/null 2>&1; done ) 3>&- &
	HOG_PID=$!
	for i in $(seq 20); do
		modprobe adaptswap
		sleep 0.05
		rmmod adaptswap
	done
	kill "$HOG_PID"
	wait "$HOG_PID" 2>/dev/null || true
	HOG_PID=
	# and the hog the loop had running (7.2 leaves 148 MiB available: it
	# and the one below would not fit together)
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" != adaptswap-hog ] || kill "${p#/proc/}" 2>/dev/null || true
	done
	! family_present || false
	[ ! -e $SYS ]
	# the counters saw the hog at least once in the last cycles
	modprobe adaptswap
	adaptswap-hog -r 200 -s 16 100 >/dev/null
	[ "$(cat $SYS/samples)" -gt 0 ]
}
