#!/usr/bin/env bats
# Reclaim activity is not memory shortage: a 1 GiB guest streaming 4x its
# RAM of file data through the page cache (reads, and writes that leave
# dirty pages) keeps the level at none, sends no level event and keeps the
# sampler near its idle rate; proactive reclaim through the root cgroup's
# memory.reclaim sends no event either.
# About 170 s per kernel under TCG: make check SHAPES=all runs it on 6.1,
# make bench-guest on every kernel (make check keeps to the loop suite's
# page-cache workload, 0 grows).
# guest: mem=1G timeout=900 disk=4G kernels=bookworm shapes=1x1G@full

load ../lib/helpers

setup() {
	requires guest root module
	load_module
	EV=$BATS_TEST_TMPDIR/ev
	TOTAL_MB=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
}

teardown() {
	local p
	for p in ${EVENTS_PID:-} ${WATCH_PID:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -f /mnt/stream /mnt/sparse
	unload_module
}

now_ms() { awk '{printf "%d\n", $1 * 1000}' /proc/uptime; }

# watch_meminfo FILE: every 0.5 s, the lowest MemAvailable and the highest
# Dirty (kB) seen so far, as "avail dirty" in FILE
watch_meminfo() {
	(
		min=999999999 max=0
		while :; do
			read -r a d < <(awk '/^MemAvailable:/ {a = $2} /^Dirty:/ {d = $2} END {print a, d}' /proc/meminfo)
			[ "$a" -lt "$min" ] && min=$a
			[ "$d" -gt "$max" ] && max=$d
			echo "$min $max" > "$1.tmp" && mv "$1.tmp" "$1"
			sleep 0.5
		done
	) 3>&- &
	WATCH_PID=$!
}

# The measured phase is over: no level event, level none, sampler rate.
check_quiet() {
	local what=$1 s0=$2 t0=$3 s1 t1 rate
	s1=$(cat $SYS/samples) t1=$(now_ms)
	sleep 1	# let a late event arrive
	cat "$EV"
	read -r minavail maxdirty < "$BATS_TEST_TMPDIR/mem"
	rate=$(echo "$s1 $s0 $t1 $t0" | awk '{printf "%.2f", ($1 - $2) * 1000 / ($3 - $4)}')
	echo "# $what: $(( (t1 - t0) / 1000 )) s, $((s1 - s0)) samples ($rate/s), MemAvailable >= $((minavail / 1024)) MiB of $TOTAL_MB, Dirty <= $((maxdirty / 1024)) MiB, kswapd wake-ups $(cat $SYS/kswapd_wakeups), shrinker calls $(cat $SYS/shrinker_calls)" >&3
	[ "$(cat $SYS/level)" = none ]
	! grep -q '"type":"level"' "$EV" || false
	! grep -q '"type":"repeat"' "$EV" || false
	# near the idle rate (1/s): a burst after a fall is allowed
	echo "$rate" | awk '{exit !($1 <= 2)}'
}

@test "writing 4x RAM with dirty pages: level none, no event, sampler near idle" {
	start_events "$EV"
	watch_meminfo "$BATS_TEST_TMPDIR/mem"
	s0=$(cat $SYS/samples) t0=$(now_ms)
	a0=$(cat $SYS/kswapd_wakeups)
	# overwrite one RAM-sized file 4 times: 4x RAM written through the cache
	for i in 1 2 3 4; do
		dd if=/dev/zero of=/mnt/stream bs=1M count="$TOTAL_MB" conv=notrunc 2>/dev/null
	done
	check_quiet "writes, $((4 * TOTAL_MB)) MiB" "$s0" "$t0"
	read -r minavail maxdirty < "$BATS_TEST_TMPDIR/mem"
	# the scenario really happened: dirty pages, and reclaim ran
	[ "$maxdirty" -ge $((16 * 1024)) ]
	[ "$(cat $SYS/kswapd_wakeups)" -gt "$a0" ] || [ "$(cat $SYS/shrinker_calls)" -gt 0 ]
}

@test "reading 4x RAM through the page cache: level none, no event, sampler near idle" {
	# a RAM-sized file of real blocks, read twice, and a sparse one
	# (holes read as zeros: page cache without disk I/O) of 2x RAM
	dd if=/dev/zero of=/mnt/stream bs=1M count="$TOTAL_MB" 2>/dev/null
	truncate -s $((2 * TOTAL_MB))M /mnt/sparse
	sync
	echo 3 > /proc/sys/vm/drop_caches
	start_events "$EV"
	watch_meminfo "$BATS_TEST_TMPDIR/mem"
	s0=$(cat $SYS/samples) t0=$(now_ms)
	a0=$(cat $SYS/shrinker_calls)
	cat /mnt/stream > /dev/null
	cat /mnt/sparse > /dev/null
	cat /mnt/stream > /dev/null
	check_quiet "reads, $((4 * TOTAL_MB)) MiB" "$s0" "$t0"
	[ "$(cat $SYS/shrinker_calls)" -gt "$a0" ]	# reclaim ran
}

@test "memory.reclaim of the root cgroup sends no event" {
	[ -d /sys/fs/cgroup ] || mkdir -p /sys/fs/cgroup
	grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
	[ -e /sys/fs/cgroup/memory.reclaim ] || skip "this kernel has no memory.reclaim"
	# something to reclaim: 512 MiB of page cache
	dd if=/dev/zero of=/mnt/stream bs=1M count=512 2>/dev/null
	sync
	cat /mnt/stream > /dev/null
	start_events "$EV"
	a=$(cat $SYS/shrinker_calls)
	c0=$(awk '/^Cached:/ {print $2}' /proc/meminfo)
	# EAGAIN when it could not reclaim all of it: fine
	echo 512M > /sys/fs/cgroup/memory.reclaim || true
	c1=$(awk '/^Cached:/ {print $2}' /proc/meminfo)
	sleep 3
	cat "$EV"
	echo "# memory.reclaim: page cache $((c0 / 1024)) -> $((c1 / 1024)) MiB, shrinker calls +$(( $(cat $SYS/shrinker_calls) - a ))" >&3
	# it did reclaim (and ran the shrinkers), and nobody was told
	[ "$c1" -lt $((c0 - 256 * 1024)) ]
	[ "$(cat $SYS/shrinker_calls)" -gt "$a" ]
	[ "$(cat $SYS/level)" = none ]
	! grep -q '"type"' "$EV"
}
