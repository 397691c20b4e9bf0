#!/usr/bin/env bats
# Memory pressure in a 256 MiB guest with no swap: the levels rise in
# order, sequence numbers increase, an OOM produces an OOM event, and the
# level falls back to none when the hog is gone.
# guest: mem=256M timeout=300 shapes=1x256M,2x256M@full

load ../lib/helpers

setup() {
	requires guest root module
	load_module
	EV=$BATS_TEST_TMPDIR/ev
}

teardown() {
	[ -z "${EVENTS_PID:-}" ] || kill "$EVENTS_PID" 2>/dev/null || true
	unload_module
}

levels() { sed -n 's/.*"type":"level","level":"\([a-z]*\)".*/\1/p' "$EV" | tr '\n' ' '; }
rank() { case $1 in none) echo 0 ;; low) echo 1 ;; medium) echo 2 ;; critical) echo 3 ;; esac; }
# MiB available now: what a hog that must stop short of the OOM killer is
# sized by (of 256 MiB, the kernels leave from 148 MiB (7.2) to 178 MiB
# (5.10) available).
avail_mb() { awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo; }

@test "a hog into reclaim raises low then medium/critical, in order, then none" {
	start_events "$EV"
	# all but 6 MiB of what is available: deep into the thresholds, short
	# of the OOM killer
	adaptswap-hog -r 40 -s 5 -h 2 $(($(avail_mb) - 6)) > /dev/null
	wait_for 15 grep -q '"level":"none","prev_level"' "$EV"
	kill "$EVENTS_PID"; EVENTS_PID=
	cat "$EV"
	seq=$(levels)
	echo "levels: $seq"
	[[ $seq == low\ * ]]
	[[ $seq == *medium* || $seq == *critical* ]]
	[[ $seq == *none\  ]]
	# levels rise one change at a time in order until the peak
	prev=0 peak=0
	for l in $seq; do
		r=$(rank $l)
		[ "$r" -gt "$peak" ] && peak=$r
		prev=$r
	done
	[ "$peak" -ge 2 ]
	# sequence numbers strictly increase by one
	sed -n 's/^{"seq":\([0-9]*\),.*/\1/p' "$EV" | awk 'NR > 1 && $1 != last + 1 {exit 1} {last = $1}'
	# every event carries its data
	! grep -v '"timestamp_ns":[1-9][0-9]*,"received_ns":[1-9]' "$EV"
	! grep -v '"mem_total_kb":[1-9]' "$EV"
	[ "$(cat $SYS/level)" = none ]
}

@test "an OOM kill produces an OOM event" {
	start_events "$EV"
	run adaptswap-hog -r 100 -s 10 400
	[ "$status" -ne 0 ]	# killed
	wait_for 15 grep -q '"level":"none","prev_level"' "$EV"
	cat "$EV"
	grep -q '"type":"oom","level":"critical"' "$EV" || grep -q '"type":"oom"' "$EV"
	grep -q '"cause":"oom"' "$EV"
	[ "$(cat $SYS/oom_kills)" -ge 1 ]
	# the OOM came after the warnings
	awk '/"type":"oom"/ {exit} /"level":"low"/ {seen=1} END {exit !seen}' "$EV"
}

@test "repeats are rate-limited while pressure lasts" {
	sysfs_write $SYS/event_interval_ms 200
	start_events "$EV"
	adaptswap-hog -r 100 -s 10 -h 3 $(($(avail_mb) - 11)) > /dev/null
	wait_for 15 grep -q '"level":"none","prev_level"' "$EV"
	cat "$EV"
	n=$(grep -c '"type":"repeat"' "$EV" || true)
	echo "repeats: $n"
	[ "$n" -ge 3 ]
	[ "$n" -le 25 ]	# 3 s held / 200 ms, plus the ramp
}

@test "the kswapd, reclaim and sample counters move under pressure" {
	a=$(cat $SYS/samples)
	# all the way to the OOM killer: reclaim must run on the way
	adaptswap-hog -r 100 -s 10 400 > /dev/null || true
	[ "$(cat $SYS/samples)" -gt "$a" ]
	[ $(( $(cat $SYS/kswapd_wakeups) + $(cat $SYS/direct_reclaims) + $(cat $SYS/shrinker_calls) )) -gt 0 ]
}

@test "drop_caches does not count as reclaim" {
	a=$(cat $SYS/shrinker_calls)
	echo 3 > /proc/sys/vm/drop_caches
	[ "$(cat $SYS/shrinker_calls)" -eq "$a" ]
}

@test "level is poll()-able: a waiter wakes on a change" {
	adaptswap-pollwait $SYS/level 10000 > "$BATS_TEST_TMPDIR/poll" 3>&- &
	pid=$!
	wait_for 5 grep -q ready "$BATS_TEST_TMPDIR/poll"
	sysfs_write $SYS/low_pct 99
	sysfs_write $SYS/medium_pct 98
	sysfs_write $SYS/critical_pct 97
	wait "$pid"
	cat "$BATS_TEST_TMPDIR/poll"
	grep -q -E '^(low|medium|critical)$' "$BATS_TEST_TMPDIR/poll"
}
