#!/usr/bin/env bats
# The demo that `make demo` runs in a 256 MiB guest: the same memory spike
# (3x RAM in steps) twice, without and with adaptswap.  A timeline goes to
# the console as it happens; "# csv" lines carry the samples for the plot.
# guest: mem=256M timeout=600 disk=3G

load /tests/lib/helpers

WORK_MB=${WORK_MB:-660}

# sample RUN: one timeline line every 0.25 s until the file $STOP exists
sample() {
	local run=$1 t0=$SECONDS start now
	start=$(cut -d' ' -f1 /proc/uptime)
	while [ ! -e "$STOP" ]; do
		now=$(cut -d' ' -f1 /proc/uptime)
		t=$(awk -v a="$now" -v b="$start" 'BEGIN {printf "%.2f", a - b}')
		read -r used avail < <(awk '/MemTotal/ {t = $2} /MemAvailable/ {a = $2} END {printf "%d %d", (t - a) / 1024, a / 1024}' /proc/meminfo)
		read -r stot sused < <(awk 'NR > 1 {t += $3; u += $4} END {printf "%d %d", t / 1024, u / 1024}' /proc/swaps)
		lvl=$(cat /sys/kernel/adaptswap/level 2>/dev/null || echo "-")
		hog=$(tail -1 "$HOGLOG" 2>/dev/null | sed -n 's/^hog: \([0-9]*\) MiB/\1/p')
		swp=$(cat /proc/sys/vm/swappiness)
		printf '# %-10s t=%6ss  level=%-8s  memory used %3d MiB  swap %4d MiB allocated, %4d used  swappiness %3d  workload %4s MiB\n' \
			"$run" "$t" "$lvl" "$used" "$stot" "$sused" "$swp" "${hog:-0}" >&3
		echo "# csv $run,$t,$used,$stot,$sused,$swp,${hog:-0},$lvl" >&3
		sleep 0.25
	done
}

run_spike() {	# run_spike NAME [command to wait for afterwards]
	HOGLOG=$BATS_TEST_TMPDIR/$1.hog STOP=$BATS_TEST_TMPDIR/$1.stop
	sample "$1" &
	local sp=$! rc=0 name=$1
	shift
	adaptswap-hog -r 40 -s 16 -h 2 "$WORK_MB" > "$HOGLOG" 2>&1 || rc=$?
	T_DONE=$SECONDS
	sleep 1
	[ $# -eq 0 ] || "$@" || true
	touch "$STOP"
	wait "$sp"
	echo "# === end of run ${name} ===" >&3
	return $rc
}

@test "demo" {
	modprobe adaptswap
	echo "# === run 1: no swap (a fresh Fly-style VM) ===" >&3
	rc=0
	run_spike noswap || rc=$?
	got=$(tail -1 "$BATS_TEST_TMPDIR/noswap.hog" | sed -n 's/^hog: \([0-9]*\) MiB/\1/p')
	if [ "$rc" -eq 137 ]; then
		echo "# result noswap: without adaptswap, the OOM killer ended the workload after ${got:-0} MiB of $WORK_MB" >&3
	else
		echo "# result noswap: exit $rc after ${got:-0} MiB" >&3
	fi

	echo "# === run 2: with adaptswapd and adaptswap.ko ===" >&3
	CONF=$BATS_TEST_TMPDIR/asd.conf
	# the shipped defaults (max_swap_mb = auto: 4 x RAM holds the 3 x RAM
	# spike) but the directory (the guest's disk) and shrink_quiet_s (3 s
	# instead of 120, to show the swap given back within the demo)
	write_conf "$CONF" log_level=info
	start_daemon "$CONF"
	rc=0
	run_spike adaptswap wait_for 60 managed_active_is 0 || rc=$?
	echo "# result adaptswap: with adaptswap, the workload $( [ $rc -eq 0 ] && echo "completed all $WORK_MB MiB" || echo "failed (exit $rc)")" >&3
	echo "# result adaptswap: $(daemon_json grows) swapfiles added while it ran, $(daemon_json shrinks) given back; no managed swap left $((SECONDS - T_DONE)) s after it ended" >&3
	grep -E 'grow \(|shrink:|swappiness' "$BATS_TEST_TMPDIR/asd.log" | sed 's/^adaptswapd: /# decision: /' | head -30 >&3
	stop_daemon
	[ "$rc" -eq 0 ]
}
