#!/usr/bin/env bats
# Benchmark (figures, not pass/fail timing): event delivery latency from the
# kernel's timestamp to arrival in user space, and the module's idle cost.
# Run with: make bench-kmod
# guest: mem=256M timeout=400

load ../lib/helpers

setup() {
	requires guest root module
	load_module
}

teardown() {
	[ -z "${EVENTS_PID:-}" ] || kill "$EVENTS_PID" 2>/dev/null || true
	unload_module
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
