#!/usr/bin/env bats
# The generic-netlink interface: get (the last sample, stamped with its
# time), set (CAP_NET_ADMIN and CAP_SYS_ADMIN, all or nothing), strict
# validation with extack messages, through adaptswapctl and raw messages
# (adaptswap-nlraw).
# guest: shapes=1x256M,2x256M@full est=45 share=on

load ../lib/helpers

# attribute numbers from kmod/uapi/adaptswap.h
A_ENABLED=17 A_LOW=18 A_MEDIUM=19 A_CRITICAL=20 A_FAST=23 A_SEQ=8
CMD_GET=1 CMD_SET=2 CMD_EVENT=3

setup() {
	requires guest root module
	load_module
}

teardown() {
	[ -z "${EVENTS_PID:-}" ] || kill "$EVENTS_PID" 2>/dev/null || true
	unload_module
}

u32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }

@test "status: human and JSON agree with sysfs" {
	run adaptswapctl status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"level:     none"* ]]
	[[ $output == *"low_pct=20"* ]]
	run adaptswapctl status --json
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "{"*"}" ]]
	[[ $output == *"\"version\":\"$(cat $SYS/version)\""* ]]
	[[ $output == *'"level":"none"'* ]]
	[[ $output == *'"knobs":{"enabled":1,"low_pct":20,"medium_pct":10,"critical_pct":5,"hysteresis_pct":3,"sample_idle_ms":1000,"sample_fast_ms":1,"event_interval_ms":1000}'* ]]
	total=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
	[[ $output == *"\"mem_total_kb\":$total"* ]]
}

@test "status works for an unprivileged user" {
	run as_user adaptswapctl status --json
	[ "$status" -eq 0 ]
	[[ $output == *'"level":"none"'* ]]
}

@test "set changes knobs, visible in sysfs and status" {
	run adaptswapctl set low_pct=30 medium_pct=15 critical_pct=8 event_interval_ms=500
	[ "$status" -eq 0 ]
	[ "$(cat $SYS/low_pct)" = 30 ]
	[ "$(cat $SYS/medium_pct)" = 15 ]
	[ "$(cat $SYS/critical_pct)" = 8 ]
	[ "$(cat $SYS/event_interval_ms)" = 500 ]
	adaptswapctl status --json | grep -q '"low_pct":30,"medium_pct":15,"critical_pct":8'
}

@test "set from an unprivileged user fails with EPERM and changes nothing" {
	run as_user adaptswapctl set low_pct=30
	echo "$output"
	[ "$status" -eq 5 ]	# permission denied (adaptswapctl(8))
	[[ $output == *"Operation not permitted"* ]]
	[ "$(cat $SYS/low_pct)" = 20 ]
}

@test "set from a process with only CAP_NET_ADMIN fails with EPERM and the kernel's reason" {
	for who in "-u 1000" ""; do
		# shellcheck disable=SC2086
		run adaptswap-capexec $who -c net_admin adaptswapctl set low_pct=30
		echo "${who:-root}: $output"
		[ "$status" -eq 5 ]	# permission denied
		[[ $output == *"Operation not permitted; kernel reports: "*"CAP_SYS_ADMIN"* ]]
		[ "$(cat $SYS/low_pct)" = 20 ]
	done
	# CAP_SYS_ADMIN without CAP_NET_ADMIN: the family's admin flag refuses
	run adaptswap-capexec -u 1000 -c sys_admin adaptswapctl set low_pct=30
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output == *"Operation not permitted"* ]]
	[ "$(cat $SYS/low_pct)" = 20 ]
	# both: accepted, from an unprivileged user too
	run adaptswap-capexec -u 1000 -c net_admin,sys_admin adaptswapctl set low_pct=30
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat $SYS/low_pct)" = 30 ]
	# and reading needs nothing
	run adaptswap-capexec -u 1000 adaptswapctl status --json
	[ "$status" -eq 0 ]
}

@test "set refuses low_pct + hysteresis_pct >= 100 with the kernel's reason" {
	run adaptswapctl set low_pct=90 hysteresis_pct=10
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"kernel reports: "*"hysteresis_pct"*"could never be left"* ]]
	[ "$(cat $SYS/low_pct)" = 20 ]
	[ "$(cat $SYS/hysteresis_pct)" = 3 ]
	adaptswapctl set low_pct=90 hysteresis_pct=9
	run adaptswapctl set low_pct=95
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"could never be left"* ]]
	[ "$(cat $SYS/low_pct)" = 90 ]
}

@test "get reports the time of the sample it describes, not of the get" {
	# disabled, the sampler takes no more samples: every get shows the last
	sysfs_write $SYS/enabled 0
	sleep 0.5
	t1=$(adaptswapctl status --json | sed -n 's/.*"timestamp_ns":\([0-9]*\).*/\1/p')
	sleep 1
	t2=$(adaptswapctl status --json | sed -n 's/.*"timestamp_ns":\([0-9]*\).*/\1/p')
	echo "$t1 $t2"
	[ -n "$t1" ] && [ "$t1" -gt 0 ]
	[ "$t1" = "$t2" ]
	# enabled again: a new sample, a later time, no later than now
	sysfs_write $SYS/enabled 1
	sleep 0.5
	t3=$(adaptswapctl status --json | sed -n 's/.*"timestamp_ns":\([0-9]*\).*/\1/p')
	now_ms=$(awk '{printf "%d\n", $1 * 1000}' /proc/uptime)
	echo "$t3 ${now_ms}ms"
	[ "$t3" -gt "$t2" ]
	[ $((t3 / 1000000)) -le $((now_ms + 20)) ]
}

@test "set is all or nothing: one bad value keeps every old value" {
	run adaptswapctl set low_pct=30 sample_fast_ms=0
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"kernel reports: "* ]]
	[ "$(cat $SYS/low_pct)" = 20 ]
	[ "$(cat $SYS/sample_fast_ms)" = 1 ]
}

@test "set refuses thresholds out of order with the kernel's reason" {
	run adaptswapctl set medium_pct=25
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"Invalid argument; kernel reports: "?* ]]
	[ "$(cat $SYS/medium_pct)" = 10 ]
	# but a consistent set of all three moves them together
	adaptswapctl set low_pct=40 medium_pct=25 critical_pct=12
	[ "$(cat $SYS/medium_pct)" = 25 ]
}

@test "adaptswapctl refuses bad arguments before asking the kernel" {
	for bad in "low_pct" "low_pct=" "=5" "nosuch=1" "low_pct=-1" "low_pct=1x" \
		"low_pct=4294967296" "LOW_PCT=5"; do
		run adaptswapctl set "$bad"
		echo "$bad: $output"
		[ "$status" -eq 2 ]
	done
	run adaptswapctl set low_pct=30 low_pct=31
	[ "$status" -eq 2 ]
	[[ $output == *"given twice"* ]]
	run adaptswapctl set
	[ "$status" -eq 2 ]
	[ "$(cat $SYS/low_pct)" = 20 ]
}

@test "raw: a well-formed set is accepted" {
	run adaptswap-nlraw $CMD_SET "$A_LOW:$(u32 33)"
	echo "$output"
	[ "$output" = ok ]
	[ "$(cat $SYS/low_pct)" = 33 ]
}

@test "raw: an empty set is refused with a message" {
	run adaptswap-nlraw $CMD_SET
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == "error 22 "*"kernel reports: "?* ]]
}

@test "raw: an unknown attribute is refused" {
	run adaptswap-nlraw $CMD_SET "$A_LOW:$(u32 33)" "200:$(u32 1)"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"kernel reports: "?* ]]
	[ "$(cat $SYS/low_pct)" = 20 ]
}

@test "raw: a knob with the wrong length is refused" {
	run adaptswap-nlraw $CMD_SET "$A_ENABLED:00"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"kernel reports: "?* ]]
	run adaptswap-nlraw $CMD_SET "$A_ENABLED:0000000000000000"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(cat $SYS/enabled)" = 1 ]
}

@test "raw: out-of-range values are refused with the attribute named" {
	for v in 0 100 4294967295; do
		run adaptswap-nlraw $CMD_SET "$A_CRITICAL:$(u32 $v)"
		echo "$v: $output"
		[ "$status" -eq 1 ]
		[[ $output == *"kernel reports: "?* ]]
	done
	run adaptswap-nlraw $CMD_SET "$A_ENABLED:$(u32 2)"
	[ "$status" -eq 1 ]
	run adaptswap-nlraw $CMD_SET "$A_FAST:$(u32 5000)"
	[ "$status" -eq 1 ]
	[ "$(cat $SYS/critical_pct)" = 5 ]
}

@test "raw: read-only attributes cannot be set" {
	run adaptswap-nlraw $CMD_SET "$A_SEQ:0000000000000000"
	echo "$output"
	[ "$status" -eq 1 ]
}

@test "raw: user space cannot send events or unknown commands" {
	run adaptswap-nlraw $CMD_EVENT
	echo "$output"
	[ "$status" -eq 1 ]
	run adaptswap-nlraw 99
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == "error 95 "* ]]	# EOPNOTSUPP
}

@test "raw: get ignores nothing: attributes in a get are refused or harmless" {
	run adaptswap-nlraw $CMD_GET
	[ "$output" = ok ]
	run adaptswap-nlraw $CMD_GET "200:$(u32 1)"
	echo "$output"
	[ "$status" -eq 1 ]
}

@test "raw: truncated attribute headers are refused" {
	# nla_len claims 64 bytes, 8 follow
	run adaptswap-nlraw $CMD_SET "$A_LOW@64:$(u32 33)"
	echo "$output"
	[ "$status" -eq 1 ]
	# nla_len shorter than a header
	run adaptswap-nlraw $CMD_SET "$A_LOW@2:$(u32 33)"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(cat $SYS/low_pct)" = 20 ]
}

@test "a knob change through netlink sends an event to subscribers when it changes the level" {
	start_events "$BATS_TEST_TMPDIR/ev"
	# make "low" cover almost all memory: the level must rise at the next sample
	adaptswapctl set low_pct=96 medium_pct=95 critical_pct=94
	wait_for 10 grep -q '"level":"critical"' "$BATS_TEST_TMPDIR/ev"
	adaptswapctl set critical_pct=1 medium_pct=2 low_pct=3
	wait_for 10 grep -q '"level":"none"' "$BATS_TEST_TMPDIR/ev"
	cat "$BATS_TEST_TMPDIR/ev"
}

@test "the example subscriber from the protocol document receives events" {
	adaptswap-subscriber-example 2 > "$BATS_TEST_TMPDIR/sub" 2> "$BATS_TEST_TMPDIR/sub.err" 3>&- &
	pid=$!
	wait_for 10 grep -q listening "$BATS_TEST_TMPDIR/sub.err"
	adaptswapctl set low_pct=96 medium_pct=95 critical_pct=94
	sleep 1
	adaptswapctl set critical_pct=1 medium_pct=2 low_pct=3
	wait_for 10 sh -c "[ \$(wc -l < '$BATS_TEST_TMPDIR/sub') -ge 2 ]"
	wait "$pid"
	cat "$BATS_TEST_TMPDIR/sub"
	grep -q 'none -> critical' "$BATS_TEST_TMPDIR/sub"
	grep -q 'delivered in' "$BATS_TEST_TMPDIR/sub"
}
