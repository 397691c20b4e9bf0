#!/usr/bin/env bats
# make bench, inside one guest: one configuration, one repeat, a list of
# workloads one after the other (reset between them).  bench/run boots it
# with the parameters on the kernel command line (they arrive as
# environment variables):
#   bench_cfg      noswap | static | swapspace | psi | module
#   bench_rep      repeat number (recorded only)
#   bench_work     comma list of ramp:RATE (MiB/s or max), spike, stress, idle
#   bench_total    MiB a ramp allocates (default: 3x MemTotal)
#   bench_idle     seconds of the idle measurement (default 30)
#   bench_giveback seconds to wait for swap to be given back (default 30)
#   bench_series   comma list of workloads whose time series is printed
# Results are "# B ..." lines (key=value) and "# T ..." time series on the
# TAP stream; bench/aggregate turns them into tables and plots.
# guest: mem=256M timeout=1500 disk=4G

load /tests/lib/helpers

CFG=${bench_cfg:-module}
REP=${bench_rep:-1}
WORK=${bench_work:-ramp:50}
IDLE_S=${bench_idle:-30}
GIVEBACK_S=${bench_giveback:-30}
SERIES=${bench_series:-}
LOW_PCT=20
BENCH=/mnt/bench
ASD_DIR=/mnt/adaptswap
SS_DIR=/mnt/swapspace
STATIC=/mnt/static.swap
HELPER_PID=

# CLOCK_MONOTONIC seconds, the clock of memwatch and adaptswapd's log
mono() { adaptswap-memwatch -t; }
oom_kills() { awk '$1 == "oom_kill" {print $2}' /proc/vmstat; }
rec() { echo "# B cfg=$CFG rep=$REP $*" >&3; }

setup_file() {
	# The dynamic extras (swapspace, stress-ng and their libraries) came
	# in the initramfs, which lives in RAM: move them to the disk so every
	# configuration starts with the same, small, resident set.
	if [ -d /opt/bench ]; then
		cp -a /opt/bench "$BENCH"
		rm -rf /opt/bench
	fi
}

stop_helper() {
	[ -n "$HELPER_PID" ] || return 0
	kill "$HELPER_PID" 2>/dev/null || true
	wait "$HELPER_PID" 2>/dev/null || true
	HELPER_PID=
}

# swap off everything, delete every swapfile, drop caches, settle
reset() {
	local f
	stop_helper
	for f in $(awk 'NR > 1 {print $1}' /proc/swaps); do swapoff "$f"; done
	rm -rf "$ASD_DIR" "$SS_DIR" "$STATIC"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo 60 > /proc/sys/vm/swappiness
	sleep 1
}

# mebibytes of swap a workload of TOTAL MiB needs at the end: what does
# not fit in the memory available now, plus 64 MiB, rounded up to 64
static_size_mb() {
	awk -v tot="$1" '/MemAvailable/ {n = tot - int($2 / 1024) + 64; print int((n + 63) / 64) * 64}' /proc/meminfo
}

start_helper() {	# start_helper WORKLOAD_TOTAL_MiB
	case $CFG in
	noswap) ;;
	static)
		local mb
		mb=$(static_size_mb "$1")
		fallocate -l "${mb}M" "$STATIC"
		chmod 600 "$STATIC"
		mkswap "$STATIC" >/dev/null
		swapon "$STATIC"
		STATIC_MB=$mb
		;;
	swapspace)
		mkdir -m 700 -p "$SS_DIR"
		LD_LIBRARY_PATH=$BENCH/lib "$BENCH/bin/swapspace" -s "$SS_DIR" -p /run/swapspace.pid \
			>> "$LOGDIR/swapspace.log" 2>&1 3>&- &
		HELPER_PID=$!
		sleep 2
		kill -0 "$HELPER_PID"
		;;
	psi|module)
		local src=auto
		[ "$CFG" = module ] || src=psi
		write_conf /mnt/asd.conf max_swap_mb=1536 shrink_quiet_s=10 log_level=debug
		: > "$LOGDIR/asd.log"
		adaptswapd -c /mnt/asd.conf --source "$src" >> "$LOGDIR/asd.log" 2>&1 3>&- &
		HELPER_PID=$!
		ASD_PID=$HELPER_PID
		wait_for 30 daemon_has '"state":"standby"' || { cat "$LOGDIR/asd.log" >&3; return 1; }
		;;
	esac
}

# Time of the first line of the daemon's log matching an ERE after T0.
log_time() {	# log_time T0 ERE
	sed -n 's/^adaptswapd: \[\([0-9.]*\)\] \(.*\)$/\1 \2/p' "$LOGDIR/asd.log" |
		awk -v t0="$1" -v re="$2" '$1 >= t0 && $0 ~ re {print $1; exit}'
}

# true when no swap but the static file is active (pure bash: no fork)
dyn_swap_none() {
	local f rest
	while read -r f rest; do
		[ "$f" = Filename ] || [ "$f" = "$STATIC" ] || return 1
	done < /proc/swaps
	return 0
}

# run_workload NAME CMD...: memwatch around the command; one "# B" record
run_workload() {
	local name=$1 t0 tend rc=0 oom0 mw mwpid onset swapup ev act gb
	shift
	mw=$LOGDIR/$name.mw
	oom0=$(oom_kills)
	adaptswap-memwatch -l "$LOW_PCT" -p 100 "$mw" &
	mwpid=$!
	sleep 0.3
	t0=$(mono)
	# a workload that thrashes for ever is ended (rc 124): not survived
	timeout -s KILL "$LIMIT" "$@" > "$LOGDIR/$name.out" 2>&1 || rc=$?
	tend=$(mono)
	# give back: the helper's swap back to none (static swap never is)
	gb=NA
	case $CFG in
	swapspace|psi|module)
		if [[ $name == spike* ]]; then
			# no fork in this loop: under TCG each one costs
			local e0=${EPOCHREALTIME/./} now
			while :; do
				now=${EPOCHREALTIME/./}
				dyn_swap_none && break
				(( now - e0 < GIVEBACK_S * 1000000 )) || break
				sleep 0.1
			done
			if dyn_swap_none; then
				gb=$(( (now - e0) / 100000 ))
				gb=$((gb / 10)).$((gb % 10))
			else
				gb=">$GIVEBACK_S"
			fi
		fi
		;;
	esac
	kill "$mwpid"
	wait "$mwpid" || true
	local oom=$(( $(oom_kills) - oom0 ))
	local survived=0
	[ "$rc" -eq 0 ] && [ "$oom" -eq 0 ] && survived=1
	onset=$(awk '$1 == "onset" {print $2; exit}' "$mw")
	# first swap the helper added after the workload started
	swapup=$(awk -v t0="$t0" -v base="$(awk '$1 == "swap" {print $3; exit}' "$mw")" \
		'$1 == "swap" && $2 >= t0 && $3 > base {print $2; exit}' "$mw")
	ev='' act=''
	if [ "$CFG" = psi ] || [ "$CFG" = module ]; then
		ev=$(log_time "$t0" 'level none -> ')
	fi
	# the achieved allocation rate before the onset (MiB/s)
	local rate_meas
	rate_meas=$(awk -v t0="$t0" '$1 == "s" && $2 >= t0 && !a {a = $3; ta = $2}
		$1 == "onset" {o = $2; oa = $3} END {
		if (a && o > ta + 0.2) printf "%.0f", (a - oa) / 1024 / (o - ta); else print "NA" }' "$mw")
	read -r peak_alloc peak_used < <(awk '$1 == "peak" {print $2, $3}' "$mw")
	rec "work=$name rc=$rc survived=$survived oom=$oom t0=$t0 tend=$tend" \
		"onset=${onset:-NA} event=${ev:-NA} swapup=${swapup:-NA}" \
		"peak_alloc_kb=${peak_alloc:-0} peak_used_kb=${peak_used:-0} giveback_s=$gb" \
		"rate_meas=$rate_meas static_mb=${STATIC_MB:-NA}"
	if [[ ,$SERIES, == *,$name,* ]] && [ "$REP" = 1 ]; then
		awk -v cfg="$CFG" -v w="$name" -v t0="$t0" '$1 == "s" && $2 >= t0 - 0.3 {
			printf "# T %s %s %.2f %d %d %d\n", cfg, w, $2 - t0, $3 / 1024, $4 / 1024, $5 / 1024 }' "$mw" >&3
	fi
}

# idle cost of the helper over IDLE_S seconds
idle() {
	local pid=$HELPER_PID c0 c1 t0 t1 k0=NA k1=NA rss
	case $CFG in
	noswap|static) rec "work=idle helper=none"; return 0 ;;
	esac
	sleep 3
	ctx() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ {s += $2} END {print s}'; }
	cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
	[ "$CFG" != module ] || k0=$(cat "$SYS/samples")
	c0=$(ctx "$pid") t0=$(cpu "$pid")
	sleep "$IDLE_S"
	c1=$(ctx "$pid") t1=$(cpu "$pid")
	[ "$CFG" != module ] || k1=$(cat "$SYS/samples")
	rss=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup")
	local kw=NA
	[ "$k0" = NA ] || kw=$(( (k1 - k0) * 60 / IDLE_S ))
	rec "work=idle helper=$CFG wakeups_per_min=$(( (c1 - c0) * 60 / IDLE_S ))" \
		"cpu_ms_per_min=$(( (t1 - t0) * 10 * 60 / IDLE_S )) rss_kb=$rss kernel_wakeups_per_min=$kw"
}

@test "bench $CFG repeat $REP" {
	LOGDIR=/mnt/log
	mkdir -p "$LOGDIR"
	mem_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
	total=${bench_total:-$((3 * mem_mb))}
	[ "$CFG" != module ] || modprobe adaptswap
	[ "$CFG" != module ] || LOW_PCT=$(cat "$SYS/low_pct")
	rec "work=info mem_mb=$mem_mb total_mb=$total low_pct=$LOW_PCT kernel=$(uname -r)"
	for w in ${WORK//,/ }; do
		t_reset=$SECONDS
		reset
		echo "# R $CFG $w reset took $((SECONDS - t_reset)) s" >&3
		case $w in
		ramp:*)
			r=${w#ramp:}
			rr=$r
			[ "$r" != max ] || rr=100000
			start_helper "$total"
			LIMIT=$(( total * 3 / (rr < 50 ? rr : 50) + 60 ))
			run_workload "ramp:$r" adaptswap-hog -r "$rr" -s 8 "$total"
			;;
		spike)
			# rises to 2x RAM at 40 MiB/s, holds 3 s, falls at once
			start_helper $((2 * mem_mb))
			LIMIT=180
			run_workload spike adaptswap-hog -r 40 -s 8 -h 3 $((2 * mem_mb))
			;;
		stress)
			# 1.5x RAM in two workers: one mapping larger than RAM + swap
			# is refused by the overcommit heuristic before any swap
			# could be added
			start_helper $((mem_mb * 3 / 2 + 64))
			LIMIT=120
			run_workload stress env LD_LIBRARY_PATH="$BENCH/lib" "$BENCH/bin/stress-ng" \
				--vm 2 --vm-bytes $((mem_mb * 3 / 4))M --vm-keep --malloc 1 --malloc-bytes 64M \
				--timeout 12s --metrics-brief
			;;
		idle)
			[ "$CFG" = noswap ] || [ "$CFG" = static ] || start_helper 0
			idle
			;;
		*) echo "bench: unknown workload '$w'" >&2; return 2 ;;
		esac
	done
	reset
	rec "work=done"
}
