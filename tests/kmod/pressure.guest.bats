#!/usr/bin/env bats
# Memory pressure in a 256 MiB guest with no swap: the levels rise in
# order, sequence numbers increase, an OOM kill produces one OOM event
# naming the victim, the level falls back to none when the hog is gone,
# and re-enabling the module does not report what happened while it was
# disabled.
# guest: mem=256M timeout=300 shapes=1x256M,2x256M@full est=55 share=on

load ../lib/helpers

setup() {
	requires guest root module
	load_module
	EV=$BATS_TEST_TMPDIR/ev
}

teardown() {
	[ -z "${EVENTS_PID:-}" ] || kill "$EVENTS_PID" 2>/dev/null || true
	[ -z "${HOG_PID:-}" ] || kill "$HOG_PID" 2>/dev/null || true
	unload_module
}

# MiB available now: what a hog that must stop short of the OOM killer is
# sized by (of 256 MiB, the kernels leave from 148 MiB (7.2) to 178 MiB
# (5.10) available).
vmstat() { awk -v k="$1" '$1 == k {print $2}' /proc/vmstat; }
allocstalls() { awk '$1 ~ /^allocstall_/ {s += $2} END {print s + 0}' /proc/vmstat; }

level_is() { [ "$(cat $SYS/level)" = "$1" ]; }
levels() { sed -n 's/.*"type":"level","level":"\([a-z]*\)".*/\1/p' "$EV" | tr '\n' ' '; }

@test "an anonymous ramp raises low, medium, critical in order, then none" {
	start_events "$EV"
	# a 20 MiB/s ramp towards 24 MiB more than is available, stopped as
	# soon as the level reads critical.  A hog sized by MemAvailable alone
	# does not get there on every kernel (7.2 kept 7% available under a
	# hog of all but 3%, and 5.2% under one of all of it, just above
	# critical_pct 5); past it MemAvailable falls to nothing before the
	# OOM killer acts, and should that end the hog first, the levels must
	# still have risen in order.
	adaptswap-hog -r 20 -s 1 -h 5 "$(( $(avail_mb) + 24 ))" > /dev/null 3>&- &
	HOG_PID=$!
	wait_for 30 level_is critical || true
	kill "$HOG_PID" 2>/dev/null || true
	wait "$HOG_PID" 2>/dev/null || true
	HOG_PID=
	wait_for 15 grep -q '"level":"none","prev_level"' "$EV"
	kill "$EVENTS_PID"; EVENTS_PID=
	cat "$EV"
	seq=$(levels)
	echo "levels: $seq"
	# rising: low, then medium, then critical, one step at a time
	[[ $seq == "low medium critical "* ]]
	[[ $seq == *none\  ]]
	# sequence numbers strictly increase by one
	sed -n 's/^{"seq":\([0-9]*\),.*/\1/p' "$EV" | awk 'NR > 1 && $1 != last + 1 {exit 1} {last = $1}'
	# every event carries its data
	! grep -v '"timestamp_ns":[1-9][0-9]*,"received_ns":[1-9]' "$EV" || false
	! grep -v '"mem_total_kb":[1-9]' "$EV" || false
	[ "$(cat $SYS/level)" = none ]
}

@test "an OOM kill produces one OOM event naming the victim" {
	start_events "$EV"
	k0=$(vmstat oom_kill)
	adaptswap-hog -r 100 -s 10 400 > /dev/null 3>&- &
	pid=$!
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 137 ]	# killed
	wait_for 15 grep -q '"level":"none","prev_level"' "$EV"
	cat "$EV"
	[ "$(vmstat oom_kill)" -eq $((k0 + 1)) ]
	[ "$(grep -c '"type":"oom"' "$EV")" -eq 1 ]
	grep '"type":"oom"' "$EV" | grep -q "\"oom_victim_pid\":$pid,"
	grep -q '"cause":"oom"' "$EV"
	[ "$(cat $SYS/oom_kills)" -eq 1 ]
	# the OOM came after the warnings
	awk '/"type":"oom"/ {exit} /"level":"low"/ {seen=1} END {exit !seen}' "$EV"
}

@test "re-enabled after reclaim and a kill while disabled: no event but the current level" {
	start_events "$EV"
	sysfs_write $SYS/enabled 0
	s0=$(allocstalls) k0=$(vmstat oom_kill)
	# while disabled: direct reclaim, stalls, kswapd, an OOM kill
	adaptswap-hog -r 100 -s 10 400 > /dev/null || true
	echo "# while disabled: $(( $(allocstalls) - s0 )) allocation stalls, $(( $(vmstat oom_kill) - k0 )) OOM kill(s)" >&3
	[ "$(allocstalls)" -gt "$s0" ]
	[ "$(vmstat oom_kill)" -gt "$k0" ]
	sleep 1
	sysfs_write $SYS/enabled 1
	sleep 3
	cat "$EV"
	# memory is back: the current level is none, and nothing was sent
	[ "$(cat $SYS/level)" = none ]
	! grep -q '"type"' "$EV" || false
	[ "$(cat $SYS/oom_kills)" -eq 0 ]
}

@test "re-enabled while memory is still short: one event, the current level, no stale failure" {
	start_events "$EV"
	sysfs_write $SYS/enabled 0
	s0=$(allocstalls) k0=$(vmstat oom_kill)
	adaptswap-hog -r 100 -s 10 400 > /dev/null || true
	[ "$(allocstalls)" -gt "$s0" ]
	[ "$(vmstat oom_kill)" -gt "$k0" ]
	# now hold available memory at 15% of RAM: level low, nothing failing
	total=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
	avail=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
	want=$(( (avail - total * 15 / 100) / 1024 ))
	adaptswap-hog -r 100 -s 8 -h 10 "$want" > "$BATS_TEST_TMPDIR/hog" 3>&- &
	HOG_PID=$!
	wait_for 20 grep -q "hog: $want MiB" "$BATS_TEST_TMPDIR/hog"
	# what the hog left may be above 20% (6.12 on trixie gave back page
	# cache and held 22%): the low threshold then moves above it, so that
	# memory alone still gives low
	held=$(( $(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) * 100 / total ))
	[ $((held + 6)) -le 20 ] || sysfs_write $SYS/low_pct $((held + 6))
	s1=$(allocstalls)
	sysfs_write $SYS/enabled 1
	sleep 3
	# what was sent while the hog still held the memory
	cp "$EV" "$EV.held"
	level=$(cat $SYS/level) stalls=$(( $(allocstalls) - s1 ))
	pct=$(( $(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) * 100 / total ))
	kill "$HOG_PID" 2>/dev/null || true
	wait "$HOG_PID" 2>/dev/null || true
	HOG_PID=
	cat "$EV.held"
	echo "# re-enabled at ${pct}% available (${held}% when the hog held, low_pct $(cat $SYS/low_pct)): level $level, $stalls stalls since" >&3
	# the stalls and the kill while disabled do not count: one level
	# event, the level that memory alone gives (low), then only repeats
	[ "$stalls" -eq 0 ]	# a new failure would make the test say nothing
	[ "$level" = low ]
	[ "$(grep -c '"type":"level"' "$EV.held")" -eq 1 ]
	grep -q '"type":"level","level":"low","prev_level":"none"' "$EV.held"
	! grep -q '"type":"oom"' "$EV.held" || false
	! grep -q '"level":"medium"\|"level":"critical"' "$EV.held" || false
	[ "$(cat $SYS/oom_kills)" -eq 0 ]
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
	sysfs_write $SYS/low_pct 96	# 96 + hysteresis 3 < 100
	sysfs_write $SYS/medium_pct 95
	sysfs_write $SYS/critical_pct 94
	wait "$pid"
	cat "$BATS_TEST_TMPDIR/poll"
	grep -q -E '^(low|medium|critical)$' "$BATS_TEST_TMPDIR/poll"
}

# The sampler's timer as ftrace's hrtimer_start shows it: one line per
# arming, "SLACK_NS", between the start and the stop of the tracing.
sampler_timers() {	# sampler_timers: arms since trace_on
	sed -n 's/.*function=sampler_timer_fn.* expires=\([0-9]*\) softexpires=\([0-9]*\) .*/\1 \2/p' \
		"$TR/trace" | awk '{print $1 - $2}'
}
trace_on() {
	local fn
	TR=/sys/kernel/tracing
	[ -e "$TR/trace" ] || mount -t tracefs none "$TR" 2>/dev/null || skip "no tracefs"
	fn=$(awk '$3 == "sampler_timer_fn" {print $1; exit}' /proc/kallsyms)
	[ -n "$fn" ] && [ "$fn" != 0000000000000000 ] || skip "no sampler_timer_fn in kallsyms"
	echo 0 > "$TR/tracing_on"
	echo > "$TR/trace"
	echo "function == 0x$fn" > "$TR/events/timer/hrtimer_start/filter"
	echo 1 > "$TR/events/timer/hrtimer_start/enable"
	echo 1 > "$TR/tracing_on"
}
trace_off() {
	echo 0 > "$TR/tracing_on"
	echo 0 > "$TR/events/timer/hrtimer_start/enable"
	echo 0 > "$TR/events/timer/hrtimer_start/filter"
}

@test "while memory falls the sampler's timer fires on time; while it is steady it may wait" {
	# enabling a tracepoint patches kernel text; with two vCPUs under TCG
	# a 7.2 guest took a fatal fault at the hrtimer_start site in the
	# other CPU's idle path (one boot in two)
	[ "$(nproc)" -eq 1 ] || skip "tracepoints are switched on one vCPU only (TCG)"
	# steady: past the hold (sample_idle_ms) of the first sample's fall
	sleep 2
	trace_on
	sleep 2.5
	trace_off
	sampler_timers > "$BATS_TEST_TMPDIR/steady"
	# a fall: 60% of what is available at 40 MiB/s, towards the low
	# threshold (the samples come closer together there)
	trace_on
	adaptswap-hog -r 40 -s 2 "$(( $(avail_mb) * 60 / 100 ))" > /dev/null 3>&-
	trace_off
	sampler_timers > "$BATS_TEST_TMPDIR/falling"
	echo "slack (ns) steady: $(tr '\n' ' ' < "$BATS_TEST_TMPDIR/steady")"
	echo "slack (ns) falling: $(tr '\n' ' ' < "$BATS_TEST_TMPDIR/falling")"
	# steady: once a second, each with slack (1/8 of the wait, 50 ms at most)
	[ "$(wc -l < "$BATS_TEST_TMPDIR/steady")" -ge 2 ]
	! grep -qx 0 "$BATS_TEST_TMPDIR/steady" || false
	awk '$1 > 50000000 {exit 1}' "$BATS_TEST_TMPDIR/steady"
	# falling: closer, and on time
	[ "$(grep -cx 0 "$BATS_TEST_TMPDIR/falling")" -ge 5 ]
}
