#!/usr/bin/env bats
# /sys/kernel/adaptswap/: every knob read and written, every bad input
# refused with -EINVAL and the old value kept, read-only files stay so,
# writes need CAP_SYS_ADMIN.
# guest: shapes=1x256M,2x256M@full est=50 share=on

load ../lib/helpers

setup() {
	requires guest root module
	load_module
}

teardown() {
	unload_module
}

KNOBS="enabled low_pct medium_pct critical_pct hysteresis_pct sample_idle_ms sample_fast_ms event_interval_ms"
COUNTERS="events_sent events_dropped kswapd_wakeups direct_reclaims oom_kills samples shrinker_calls"

# expect_refused FILE VALUE: the write fails with EINVAL, the value is kept.
# It runs a few hundred times, so it starts no process of its own (no
# `run`, no cat): each one costs milliseconds in a guest without KVM.
expect_refused() {
	local f=$SYS/$1 old now msg='' err=$BATS_TEST_TMPDIR/err
	read -r old < "$f"
	if sysfs_write "$f" "$2" 2> "$err"; then
		echo "writing '$2' to $1 was accepted"
		return 1
	fi
	read -r -d '' msg < "$err" || true
	[[ $msg == *"Invalid argument"* ]] || { echo "$1 <- '$2': $msg"; return 1; }
	read -r now < "$f"
	[ "$now" = "$old" ] || { echo "$1 changed to $now"; return 1; }
}

# expect_accepted FILE VALUE
expect_accepted() {
	sysfs_write "$SYS/$1" "$2"
	[ "$(cat "$SYS/$1")" = "$2" ] || { echo "$1 reads $(cat "$SYS/$1"), wrote $2"; return 1; }
}

@test "the documented files exist, one value each, and nothing else" {
	expected=$(echo "$KNOBS level version $COUNTERS" | tr ' ' '\n' | sort)
	actual=$(ls $SYS | sort)
	[ "$expected" = "$actual" ]
	for f in $SYS/*; do
		[ "$(wc -l < "$f")" -eq 1 ]
	done
}

@test "defaults" {
	[ "$(cat $SYS/enabled)" = 1 ]
	[ "$(cat $SYS/low_pct)" = 20 ]
	[ "$(cat $SYS/medium_pct)" = 10 ]
	[ "$(cat $SYS/critical_pct)" = 5 ]
	[ "$(cat $SYS/hysteresis_pct)" = 3 ]
	[ "$(cat $SYS/sample_idle_ms)" = 1000 ]
	[ "$(cat $SYS/sample_fast_ms)" = 1 ]
	[ "$(cat $SYS/event_interval_ms)" = 1000 ]
	[ "$(cat $SYS/level)" = none ]
}

@test "every knob accepts its range ends and a newline" {
	expect_accepted enabled 0
	expect_accepted enabled 1
	expect_accepted hysteresis_pct 0	# low_pct 99 needs it (99 + 0 < 100)
	expect_accepted low_pct 99
	expect_accepted medium_pct 98
	expect_accepted critical_pct 97
	expect_accepted critical_pct 1
	expect_accepted medium_pct 2
	expect_accepted low_pct 3
	expect_accepted hysteresis_pct 0
	expect_accepted hysteresis_pct 50
	expect_accepted sample_idle_ms 60000
	expect_accepted sample_fast_ms 1000
	expect_accepted sample_fast_ms 1
	expect_accepted sample_idle_ms 10
	expect_accepted event_interval_ms 10
	expect_accepted event_interval_ms 60000
	echo 42 > $SYS/low_pct
	[ "$(cat $SYS/low_pct)" = 42 ]
}

@test "garbage is refused by every knob" {
	for k in $KNOBS; do
		# (a zero-byte write never reaches the driver: "empty" is a newline)
		for bad in $'\n' " " abc 1x x1 -1 +-1 +1 +05 1.5 0x 99999999999999999999999 $'1\n2' "1 2"; do
			expect_refused "$k" "$bad"
		done
	done
}

# write_raw FILE PRINTF-FORMAT: the bytes, NUL bytes included, in one write(2)
write_raw() {
	printf "$2" > "$BATS_TEST_TMPDIR/raw"
	dd if="$BATS_TEST_TMPDIR/raw" of="$1" bs=4096 count=1 status=none 2>&1 | sed 's/^dd: //'
	return "${PIPESTATUS[0]}"
}

@test "a number followed by a NUL byte and junk is refused by every knob" {
	local out now
	for k in $KNOBS; do
		read -r old < "$SYS/$k"
		for bad in '73\0x' '1\0' '0\0\n' '1\n\0' '\0'; do
			if out=$(write_raw "$SYS/$k" "$bad"); then
				echo "$k <- '$bad' was accepted"
				return 1
			fi
			[[ $out == *"Invalid argument"* ]] || { echo "$k <- '$bad': $out"; return 1; }
			read -r now < "$SYS/$k"
			[ "$now" = "$old" ] || { echo "$k changed to $now"; return 1; }
		done
	done
	# the same bytes without the NUL are fine
	run write_raw $SYS/low_pct '73\n'
	[ "$status" -eq 0 ]
	[ "$(cat $SYS/low_pct)" = 73 ]
}

@test "out-of-range values are refused" {
	for v in 2 10 4294967295 4294967296; do expect_refused enabled $v; done
	for k in low_pct medium_pct critical_pct; do
		expect_refused $k 0
		expect_refused $k 100
		expect_refused $k 4294967296
	done
	expect_refused hysteresis_pct 51
	expect_refused sample_idle_ms 9
	expect_refused sample_idle_ms 60001
	expect_refused sample_fast_ms 0
	expect_refused sample_fast_ms 1001
	expect_refused event_interval_ms 9
	expect_refused event_interval_ms 60001
}

@test "thresholds out of order are refused" {
	expect_refused low_pct 10		# = medium
	expect_refused low_pct 7		# < medium
	expect_refused medium_pct 20		# = low
	expect_refused medium_pct 5		# = critical
	expect_refused critical_pct 10		# = medium
	expect_refused critical_pct 15
	sysfs_write $SYS/sample_idle_ms 100
	expect_refused sample_fast_ms 101	# fast above idle
	sysfs_write $SYS/sample_fast_ms 50
	expect_refused sample_idle_ms 49	# idle below fast
}

@test "a level that could never be left is refused: low_pct + hysteresis_pct >= 100" {
	expect_accepted low_pct 90
	expect_refused hysteresis_pct 10	# 90 + 10
	expect_refused hysteresis_pct 50
	expect_accepted hysteresis_pct 9	# 99: can be left
	expect_refused low_pct 91
	expect_refused low_pct 99
	expect_accepted hysteresis_pct 0
	expect_accepted low_pct 99
	expect_refused hysteresis_pct 1
	[ "$(cat $SYS/level)" != "" ]
}

@test "writes need CAP_SYS_ADMIN; a root process without it gets EPERM" {
	run adaptswap-capexec -c dac_override,net_admin sh -c "printf 30 > $SYS/low_pct"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[ "$(cat $SYS/low_pct)" = 20 ]
	# garbage from such a process is refused for the capability, first
	run adaptswap-capexec -c dac_override sh -c "printf abc > $SYS/low_pct"
	[[ $output == *"Operation not permitted"* ]]
	run adaptswap-capexec -c sys_admin sh -c "printf 30 > $SYS/low_pct"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat $SYS/low_pct)" = 30 ]
}

@test "read-only files refuse writes and keep their value" {
	local now
	for f in level version $COUNTERS; do
		read -r old < "$SYS/$f"
		if sysfs_write "$SYS/$f" 0 2> /dev/null; then
			echo "$f took a write"
			return 1
		fi
		read -r now < "$SYS/$f"
		[ "$now" = "$old" ] || [[ $f == samples ]]
	done
}

@test "counters are numbers; samples grow while idle, about once a second" {
	for c in $COUNTERS; do
		[[ $(cat $SYS/$c) =~ ^[0-9]+$ ]]
	done
	a=$(cat $SYS/samples)
	sleep 3
	b=$(cat $SYS/samples)
	echo "samples: $a -> $b in 3 s"
	[ "$b" -gt "$a" ]
	# Idle: one per sample_idle_ms (1 s), so about 3.  A falling
	# MemAvailable (this shell forking) may add a burst of a few; the
	# fast rate (sample_fast_ms, 1 ms) would give ~3000.
	[ $((b - a)) -le 12 ]
}

@test "an unprivileged user can read but not write" {
	run as_user cat $SYS/level
	[ "$output" = none ]
	run as_user sh -c "printf 0 > $SYS/enabled"
	[ "$status" -ne 0 ]
	[ "$(cat $SYS/enabled)" = 1 ]
}

@test "enabled=0 stops sampling; enabled=1 resumes it" {
	sysfs_write $SYS/enabled 0
	a=$(cat $SYS/samples)
	sleep 2.5
	[ "$(cat $SYS/samples)" -eq "$a" ]
	[ "$(cat $SYS/level)" = none ]
	sysfs_write $SYS/enabled 1
	sleep 2.5
	[ "$(cat $SYS/samples)" -gt "$a" ]
}
