#!/usr/bin/env bats
# Benchmark (figures, not pass/fail timing): event delivery latency from the
# kernel's timestamp to arrival in user space, the module's idle cost, and
# how often the sampler samples: idle, with memory steady at 15% available,
# while it falls, and while page cache streams through.
# Run with: make bench-guest
# guest: mem=256M timeout=400

load ../lib/helpers

setup() {
	requires guest root module
	load_module
}

teardown() {
	local p
	for p in ${EVENTS_PID:-} ${HOG_PID:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -f /mnt/stream
	unload_module
}

now_ms() { awk '{printf "%d\n", $1 * 1000}' /proc/uptime; }
meminfo_kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }

# rate_during CMD...: run CMD, print the sampler's samples per second meanwhile
rate_during() {
	local s0 t0 s1 t1
	s0=$(cat $SYS/samples) t0=$(now_ms)
	"$@"
	s1=$(cat $SYS/samples) t1=$(now_ms)
	echo "$s1 $s0 $t1 $t0" | awk '{printf "%.1f\n", ($1 - $2) * 1000 / ($3 - $4)}'
}

# percentiles of a column of numbers: prints "median p99 max n"
stats() {
	sort -n | awk '{v[NR] = $1} END {
		if (NR == 0) { print "- - - 0"; exit }
		m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.999)]; if (p == "") p = v[NR]
		printf "%.3f %.3f %.3f %d\n", m, p, v[NR], NR }'
}

@test "delivery latency, kernel timestamp to user space" {
	sysfs_write $SYS/event_interval_ms 10
	start_events "$BATS_TEST_TMPDIR/ev"
	# hold the guest in pressure for 8 s: a repeat every ~10 ms
	adaptswap-hog -r 60 -s 5 -h 8 160 > /dev/null || true
	sleep 1
	kill "$EVENTS_PID"; EVENTS_PID=
	sed -n 's/.*"timestamp_ns":\([0-9]*\),"received_ns":\([0-9]*\).*/\1 \2/p' "$BATS_TEST_TMPDIR/ev" |
		awk '{printf "%.6f\n", ($2 - $1) / 1e6}' > "$BATS_TEST_TMPDIR/lat"
	read -r med p99 max n < <(stats < "$BATS_TEST_TMPDIR/lat")
	echo "# event delivery latency (kernel timestamp -> adaptswapctl): median ${med} ms, p99 ${p99} ms, max ${max} ms over ${n} events (target: median <= 5 ms)" >&3
	[ "$n" -gt 50 ]
}

@test "idle cost: sampler wake-ups per minute" {
	sleep 2
	a=$(cat $SYS/samples)
	sleep 30
	b=$(cat $SYS/samples)
	echo "# idle cost, enabled: $(( (b - a) * 2 )) sampler wake-ups per minute (30 s measured; no pressure)" >&3
	sysfs_write $SYS/enabled 0
	sleep 1
	a=$(cat $SYS/samples)
	sleep 10
	b=$(cat $SYS/samples)
	echo "# idle cost, disabled: $(( (b - a) * 6 )) sampler wake-ups per minute (10 s measured)" >&3
}

@test "sampler rate: idle, steady at 15% available, falling, page-cache streaming" {
	total=$(meminfo_kb MemTotal)
	sleep 2
	idle=$(rate_during sleep 20)

	# steady: a hog takes memory down to 15% available and holds it
	want=$(( ($(meminfo_kb MemAvailable) - total * 15 / 100) / 1024 ))
	adaptswap-hog -r 200 -s 8 -h 20 "$want" > "$BATS_TEST_TMPDIR/hog" 3>&- &
	HOG_PID=$!
	wait_for 30 grep -q "hog: $want MiB" "$BATS_TEST_TMPDIR/hog"
	sleep 3
	steady=$(rate_during sleep 12)
	pct=$(( $(meminfo_kb MemAvailable) * 100 / total ))
	level=$(cat $SYS/level)
	wait "$HOG_PID" || true
	HOG_PID=
	sleep 3

	# falling: a 20 MiB/s ramp from idle down to 25% available
	want=$(( ($(meminfo_kb MemAvailable) - total * 25 / 100) / 1024 ))
	falling=$(rate_during adaptswap-hog -r 20 -s 2 "$want")
	sleep 3

	# page cache: 4x RAM written, then read
	mb=$((total / 1024))
	stream() {
		local i
		for i in 1 2 3 4; do
			dd if=/dev/zero of=/mnt/stream bs=1M count="$mb" conv=notrunc 2>/dev/null
		done
		for i in 1 2 3 4; do cat /mnt/stream > /dev/null; done
	}
	streaming=$(rate_during stream)
	echo "# sampler: idle ${idle}/s (target <= 1); steady at ${pct}% available (level ${level}) ${steady}/s (target <= 10); falling at 20 MiB/s to 25% ${falling}/s; streaming $((8 * mb)) MiB of page cache ${streaming}/s" >&3
}
