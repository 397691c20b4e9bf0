#!/usr/bin/env bats
# make bench, inside one guest: one machine shape, one configuration, one
# repeat, a list of workloads one after the other (reset between them).
# bench/run boots it with the parameters on the kernel command line (they
# arrive as environment variables):
#   bench_machine  label of the machine shape, e.g. 2x1G (recorded only)
#   bench_cfg      noswap | static | swapspace | zram | zram-static | psi | module
#   bench_rep      repeat number (recorded only)
#   bench_work     comma list of ramp:RATE (MiB/s or max), multi:N, stream[:N],
#                  mixed, tmpfs, spike, stress, idle (in this order; a spike
#                  followed only by idle is the one whose give back is timed)
#   bench_scale    workload sizes in percent of the defaults (default 100)
#   bench_idle     seconds of the idle measurement (default 30)
#   bench_giveback longest wait, in seconds, for swap to be given back after
#                  the spike (default 200)
#   bench_series   comma list of workloads whose time series is printed
# Results are "# B ..." lines (key=value) and "# T ..." time series on the
# TAP stream; bench/aggregate turns them into tables and plots.  "# Q quiet"
# tells bench/run that only quiet phases are left.
# guest: mem=256M timeout=3000 disk=12G

load /tests/lib/helpers

MACHINE=${bench_machine:-$(nproc)x$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)}
CFG=${bench_cfg:-module}
REP=${bench_rep:-1}
WORK=${bench_work:-ramp:50}
SCALE=${bench_scale:-100}
IDLE_S=${bench_idle:-30}
GIVEBACK_S=${bench_giveback:-200}
SERIES=${bench_series:-}
LOW_PCT=20
RANDOM_PCT=40		# adaptswap-hog -c: ~2.5:1 with lz4 and zstd
MULTI_RATE=120		# MiB/s of a multi:N workload, all processes together
SPIKE_RATE=40		# MiB/s of the spike, tmpfs and mixed: 18 % of RAM per second
BENCH=/mnt/bench
ASD_DIR=/var/lib/adaptswap	# the shipped configuration's dir, bound to the disk
SS_DIR=/mnt/swapspace
STATIC=/mnt/static.swap
FILES=/mnt/stream
STOP=/run/bench-stop
export FILES STOP SPIKE_RATE RANDOM_PCT
TMPFS=/run/bench-tmpfs
HELPER_PID=
STREAM_PID=
LAST_BUSY=
QUIET_SAID=

# CLOCK_MONOTONIC seconds, the clock of memwatch and adaptswapd's log
mono() { adaptswap-memwatch -t; }
oom_kills() { awk '$1 == "oom_kill" {print $2}' /proc/vmstat; }
rec() { echo "# B machine=$MACHINE cfg=$CFG rep=$REP $*" >&3; }
# MiB of a workload: N percent of RAM, scaled
of_ram() { echo $(( mem_mb * $1 / 100 * SCALE / 100 )); }
# MiB of a workload that goes N MiB (scaled) over RAM: the same excess on
# every machine.  432 and 216 MiB make 3x and 2x the 256 MiB guest's
# MemTotal (217 MiB), the sizes of the first bench.
over_ram() { echo $(( mem_mb + $1 * SCALE / 100 )); }
# Tell bench/run that only quiet phases are left (waiting for the give
# back, the idle measurement): it may start another guest meanwhile.
quiet() {
	[ -n "$QUIET_SAID" ] || echo "# Q quiet" >&3
	QUIET_SAID=1
}

setup_file() {
	# The dynamic extras (swapspace, stress-ng and their libraries) came
	# in the initramfs, which lives in RAM: move them to the disk so every
	# configuration starts with the same, small, resident set.
	if [ -d /opt/bench ]; then
		cp -a /opt/bench "$BENCH"
		rm -rf /opt/bench
	fi
	# adaptswapd keeps its files in the shipped dir; put it on the disk
	mkdir -p -m 700 /mnt/adaptswap "$ASD_DIR"
	mount -o bind /mnt/adaptswap "$ASD_DIR"
}

teardown_file() {
	umount "$ASD_DIR" 2>/dev/null || true
}

# the background stream of mixed stops after the file it is on
stop_stream() {
	[ -n "$STREAM_PID" ] || return 0
	touch "$STOP"
	wait "$STREAM_PID" 2>/dev/null || true
	STREAM_PID=
	rm -f "$STOP"
}

stop_helper() {
	stop_stream
	if [ -n "$HELPER_PID" ]; then
		kill "$HELPER_PID" 2>/dev/null || true
		wait "$HELPER_PID" 2>/dev/null || true
	fi
	HELPER_PID=
}

# swap off everything, delete every swapfile, reset zram, drop caches, settle
reset() {
	local f
	stop_helper
	for f in $(awk 'NR > 1 {print $1}' /proc/swaps); do swapoff "$f"; done
	[ ! -e /sys/block/zram0/reset ] || echo 1 > /sys/block/zram0/reset
	! grep -q " $TMPFS " /proc/mounts || umount "$TMPFS"
	rm -rf /mnt/adaptswap/* "$SS_DIR" "$STATIC" "$FILES"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo 60 > /proc/sys/vm/swappiness
	sleep 1
}

# The static swapfile is sized once per machine (the Fly swap_size_mb
# way) so that it can hold its largest workload, RAM + 432 MiB, whole,
# rounded up to 64 MiB: sized to the need measured from MemAvailable it
# ran out in the 1 and 2 GiB guests (the kernel swaps anonymous memory
# out long before the page cache is gone).
static_size_mb() {
	echo $(( ($(over_ram 432) + 63) / 64 * 64 ))
}

static_on() {
	local mb
	mb=$(static_size_mb)
	fallocate -l "${mb}M" "$STATIC"
	chmod 600 "$STATIC"
	mkswap "$STATIC" >/dev/null
	swapon "$STATIC"
	STATIC_MB=$mb
}

# Debian's zram-tools (its own zramswap script, from the bench image) with
# its documented defaults: lz4, 50 % of RAM, priority 100.
zram_on() {
	"$BENCH/zram/zramswap" start >> "$LOGDIR/zramswap.log" 2>&1
	grep -q '^/dev/zram0 ' /proc/swaps
}

start_helper() {
	case $CFG in
	noswap) ;;
	static) static_on ;;
	zram) zram_on ;;
	zram-static) zram_on; static_on ;;
	swapspace)
		mkdir -m 700 -p "$SS_DIR"
		LD_LIBRARY_PATH=$BENCH/lib "$BENCH/bin/swapspace" -s "$SS_DIR" -p /run/swapspace.pid \
			>> "$LOGDIR/swapspace.log" 2>&1 3>&- &
		HELPER_PID=$!
		sleep 2
		kill -0 "$HELPER_PID"
		;;
	psi|module)
		# the shipped configuration; only the log level is raised, to
		# read the time of the first pressure level change
		: > "$LOGDIR/asd.log"
		adaptswapd -c "$ASD_CONF" >> "$LOGDIR/asd.log" 2>&1 3>&- &
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
# The time of the module's sample behind that line: the line says "sampled
# X ms before" (module mode only).
log_sample() {	# log_sample T0 ERE
	sed -n 's/^adaptswapd: \[\([0-9.]*\)\] \(.*\)$/\1 \2/p' "$LOGDIR/asd.log" |
		awk -v t0="$1" -v re="$2" '$1 >= t0 && $0 ~ re {
			if (match($0, /sampled [0-9.-]+ ms before/)) {
				split(substr($0, RSTART, RLENGTH), w, " ")
				printf "%.6f", $1 - w[2] / 1000
			}
			exit }'
}
log_count() {	# log_count T0 ERE
	sed -n 's/^adaptswapd: \[\([0-9.]*\)\] \(.*\)$/\1 \2/p' "$LOGDIR/asd.log" |
		awk -v t0="$1" -v re="$2" '$1 >= t0 && $0 ~ re {n++} END {print n + 0}'
}

# true when no swap but the static file and zram is active (pure bash: no fork)
dyn_swap_none() {
	local f rest
	while read -r f rest; do
		[ "$f" = Filename ] || [ "$f" = "$STATIC" ] || [[ $f == /dev/zram* ]] || return 1
	done < /proc/swaps
	return 0
}

# Page cache streaming: write FILE_MB of files, then read them back READS
# times, in 16 MiB files (busybox dd and cat); stops early when $STOP exists.
stream() {	# stream FILE_MB READS
	local n=$(( ($1 + 15) / 16 )) i r
	mkdir -p "$FILES"
	for ((i = 0; i < n; i++)); do
		[ ! -e "$STOP" ] || return 0
		dd if=/dev/zero of="$FILES/f$i" bs=1M count=16 2>/dev/null || return 1
	done
	for ((r = 0; r < $2; r++)); do
		for ((i = 0; i < n; i++)); do
			[ ! -e "$STOP" ] || return 0
			cat "$FILES/f$i" > /dev/null || return 1
		done
	done
}

# mixed: a file stream loops in the background while a spike comes; the
# workload's result is the spike's
mixed() {	# mixed STREAM_FILE_MB SPIKE_MB
	rm -f "$STOP"
	( while [ ! -e "$STOP" ]; do stream "$1" 1; rm -rf "$FILES"; done ) >/dev/null 2>&1 3>&- &
	STREAM_PID=$!
	sleep 5
	local rc=0
	adaptswap-hog -r $SPIKE_RATE -s 8 -c $RANDOM_PCT -h 3 "$2" || rc=$?
	stop_stream
	return $rc
}

# Run a command or one of the functions above in a session of its own,
# ended with all its processes after LIMIT seconds: rc 124 then.
run_limited() {
	local pid killer rc=0
	rm -f /run/bench-timedout
	if declare -F "$1" >/dev/null; then
		setsid bash -c "$(declare -f stream mixed stop_stream); \"\$@\"" bench "$@" &
	else
		setsid "$@" &
	fi
	pid=$!
	( sleep "$LIMIT" && touch /run/bench-timedout && kill -KILL -- -"$pid" ) 2>/dev/null 3>&- &
	killer=$!
	wait "$pid" || rc=$?
	kill "$killer" 2>/dev/null || true
	wait "$killer" 2>/dev/null || true
	[ ! -e /run/bench-timedout ] || rc=124
	return "$rc"
}

# run_workload NAME CMD...: memwatch around the command; one "# B" record
run_workload() {
	local name=$1 t0 tend rc=0 oom0 mw mwpid onset swapup ev gb ev0=NA ev1=NA nlev=NA
	shift
	mw=$LOGDIR/$name.mw
	oom0=$(oom_kills)
	[ "$CFG" != module ] || ev0=$(cat "$SYS/events_sent")
	# adaptswapd's files, its standby included, in the disk figures too
	case $CFG in
	psi|module) adaptswap-memwatch -l "$LOW_PCT" -p 100 -d "$ASD_DIR" "$mw" & ;;
	*) adaptswap-memwatch -l "$LOW_PCT" -p 100 "$mw" & ;;
	esac
	mwpid=$!
	sleep 0.3
	t0=$(mono)
	# a workload that thrashes for ever is ended (rc 124): not survived
	run_limited "$@" > "$LOGDIR/$name.out" 2>&1 || rc=$?
	tend=$(mono)
	# give back: the helper's swap back to none (static and zram never are)
	gb=NA
	[ -z "$LAST_BUSY" ] || quiet
	case $CFG in
	swapspace|psi|module)
		if [ "$name" = spike ]; then
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
	ev='' evs=''
	if [ "$CFG" = psi ] || [ "$CFG" = module ]; then
		ev=$(log_time "$t0" 'level none -> ')
		nlev=$(log_count "$t0" 'level none -> ')
		# the module's sample that the event came from ("sampled X ms before")
		evs=$(log_sample "$t0" 'level none -> ')
	fi
	[ "$CFG" != module ] || ev1=$(cat "$SYS/events_sent")
	# the achieved allocation rate before the onset (MiB/s)
	local rate_meas
	rate_meas=$(awk -v t0="$t0" '$1 == "s" && $2 >= t0 && !a {a = $3; ta = $2}
		$1 == "onset" {o = $2; oa = $3} END {
		if (a && o > ta + 0.2) printf "%.0f", (a - oa) / 1024 / (o - ta); else print "NA" }' "$mw")
	local base_total peak zr
	base_total=$(awk '$1 == "swap" {print $3; exit}' "$mw")
	peak=$(awk '$1 == "peak" {print "peak_alloc_kb=" $2, "peak_used_kb=" $3,
		"peak_disk_alloc_kb=" $4, "peak_disk_used_kb=" $5, "peak_zram_mem_kb=" $6,
		"peak_dir_kb=" ($7 == "" ? "NA" : $7)}' "$mw")
	zr=$(awk '$1 == "zram" {print "zram_orig_kb=" $2, "zram_compr_kb=" $3, "zram_same_pages=" $5}' "$mw")
	rec "work=$name rc=$rc survived=$survived oom=$oom t0=$t0 tend=$tend" \
		"onset=${onset:-NA} event=${ev:-NA} event_sample=${evs:-NA} swapup=${swapup:-NA} level_changes=$nlev" \
		"base_alloc_kb=${base_total:-0} $peak $zr giveback_s=$gb" \
		"events_sent=$( [ "$ev0" = NA ] && echo NA || echo $((ev1 - ev0)) )" \
		"rate_meas=$rate_meas static_mb=${STATIC_MB:-NA} size_mb=$SIZE_MB"
	# what the daemon did in this workload (level changes, grows with the
	# free swap, headroom and swapon time, refills, slow ticks), for
	# whoever reads the raw log: why a workload was lost
	if [ -n "$ASD_PID" ]; then
		sed -n 's/^adaptswapd: \[\([0-9.]*\)\] \(.*\)$/\1 \2/p' "$LOGDIR/asd.log" |
			awk -v t0="$t0" -v m="$MACHINE" -v cfg="$CFG" -v w="$name" \
				'$1 >= t0 && /grow|standby|refill|level|swapon|refused|slow/ {
				printf "# L %s %s %s %.3f %s\n", m, cfg, w, $1 - t0,
					substr($0, index($0, " ") + 1) }' | tail -n 80 >&3
	fi
	if [[ ,$SERIES, == *,$name,* ]] && [ "$REP" = 1 ]; then
		awk -v cfg="$CFG" -v w="$name" -v m="$MACHINE" -v t0="$t0" '$1 == "s" && $2 >= t0 - 0.3 {
			printf "# T %s %s %s %.2f %d %d %d %d %d\n", m, cfg, w, $2 - t0,
				$3 / 1024, $4 / 1024, $5 / 1024, $6 / 1024, $10 / 1024 }' "$mw" >&3
	fi
}

# idle cost of the helper over IDLE_S seconds
idle() {
	local pid=$HELPER_PID c0 c1 t0 t1 k0=NA k1=NA rss zmem=NA
	case $CFG in
	noswap|static) rec "work=idle helper=none"; return 0 ;;
	zram|zram-static)
		# no process; the empty device's memory
		zmem=$(awk '{print int($3 / 1024)}' /sys/block/zram0/mm_stat)
		rec "work=idle helper=none zram_mem_kb=$zmem"
		return 0
		;;
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

@test "bench $MACHINE $CFG repeat $REP" {
	LOGDIR=/mnt/log
	mkdir -p "$LOGDIR"
	mem_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
	# 39 MiB/s on the 256 MiB machine; the bigger ones allocate as fast as
	# they can (under TCG ~80 MiB/s, short of their 18 %)
	SPIKE_RATE=$(( mem_mb * 18 / 100 ))
	ASD_CONF=/mnt/asd.conf
	if [ "$CFG" = psi ] || [ "$CFG" = module ]; then
		# the shipped file, with only its log level raised
		sed 's/^[[:space:]]*log_level[[:space:]]*=.*$/log_level = debug/' \
			/etc/adaptswap/adaptswapd.conf > "$ASD_CONF"
		grep -q '^log_level = debug$' "$ASD_CONF" || echo "log_level = debug" >> "$ASD_CONF"
		adaptswapd --check-config -c "$ASD_CONF" > /dev/null
	fi
	local modkb=NA
	if [ "$CFG" = module ]; then
		modprobe adaptswap
		LOW_PCT=$(cat "$SYS/low_pct")
		modkb=$(awk '$1 == "adaptswap" {print int($2 / 1024)}' /proc/modules)
	fi
	rec "work=info mem_mb=$mem_mb cpus=$(nproc) scale=$SCALE low_pct=$LOW_PCT" \
		"random_pct=$RANDOM_PCT kernel=$(uname -r) module_kb=$modkb"
	local works=(${WORK//,/ }) i
	QUIET_SAID=
	for ((i = 0; i < ${#works[@]}; i++)); do
		w=${works[$i]}
		# only idle left after this one?
		LAST_BUSY=1
		for x in "${works[@]:$((i + 1))}"; do [ "$x" = idle ] || LAST_BUSY=; done
		t_reset=$SECONDS
		reset
		echo "# R $MACHINE $CFG $w reset took $((SECONDS - t_reset)) s" >&3
		STATIC_MB=
		case $w in
		ramp:*)
			r=${w#ramp:}
			rr=$r
			[ "$r" != max ] || rr=100000
			SIZE_MB=$(over_ram 432)
			start_helper
			LIMIT=$(( SIZE_MB * 3 / (rr < 50 ? rr : 50) + 60 ))
			run_workload "ramp:$r" adaptswap-hog -r "$rr" -s 8 -c $RANDOM_PCT "$SIZE_MB"
			;;
		multi:*)
			n=${w#multi:}
			SIZE_MB=$(over_ram 432)
			start_helper
			LIMIT=$(( SIZE_MB * 3 / 50 + 60 ))
			run_workload "multi:$n" adaptswap-hog -p "$n" -r $MULTI_RATE -s 8 -c $RANDOM_PCT "$SIZE_MB"
			;;
		stream|stream:*)
			# write 1x RAM of files, read them back once (stream:N: N
			# times): 2x RAM of page cache traffic, (N+1)x with N
			n=1
			[ "$w" = stream ] || n=${w#stream:}
			SIZE_MB=$(of_ram 100)
			start_helper
			LIMIT=$(( SIZE_MB * (n + 1) / 10 + 120 ))
			run_workload "$w" stream "$SIZE_MB" "$n"
			;;
		mixed)
			# a 0.5x RAM file set streamed over and over; after 5 s a
			# spike to RAM + 216 MiB at SPIKE_RATE that holds 3 s and exits
			SIZE_MB=$(over_ram 216)
			start_helper
			LIMIT=$(( SIZE_MB * 3 / (SPIKE_RATE < 40 ? SPIKE_RATE : 40) + 120 ))
			run_workload mixed mixed "$(of_ram 50)" "$SIZE_MB"
			;;
		tmpfs)
			# RAM + 216 MiB of shmem in a tmpfs at SPIKE_RATE, held 3 s
			SIZE_MB=$(over_ram 216)
			mkdir -p "$TMPFS"
			mount -t tmpfs -o size=$(( SIZE_MB + 64 ))m tmpfs "$TMPFS"
			start_helper
			LIMIT=$(( SIZE_MB * 3 / (SPIKE_RATE < 40 ? SPIKE_RATE : 40) + 60 ))
			run_workload tmpfs adaptswap-hog -t "$TMPFS" -r $SPIKE_RATE -s 8 -c $RANDOM_PCT -h 3 "$SIZE_MB"
			;;
		spike)
			# rises to RAM + 216 MiB at SPIKE_RATE, holds 3 s, falls at once
			SIZE_MB=$(over_ram 216)
			start_helper
			LIMIT=$(( SIZE_MB * 3 / (SPIKE_RATE < 40 ? SPIKE_RATE : 40) + 60 ))
			run_workload spike adaptswap-hog -r $SPIKE_RATE -s 8 -c $RANDOM_PCT -h 3 "$SIZE_MB"
			;;
		stress)
			# RAM + 216 MiB in two vm workers and a 64 MiB malloc one: one
			# mapping larger than RAM + swap is refused by the overcommit
			# heuristic before any swap could be added
			SIZE_MB=$(over_ram 216)
			start_helper
			LIMIT=120
			run_workload stress env LD_LIBRARY_PATH="$BENCH/lib" "$BENCH/bin/stress-ng" \
				--vm 2 --vm-bytes "$(( (SIZE_MB - 64) / 2 ))M" --vm-keep --malloc 1 --malloc-bytes 64M \
				--timeout 12s --metrics-brief
			;;
		idle)
			[ -z "$LAST_BUSY" ] || quiet
			start_helper
			idle
			;;
		*) echo "bench: unknown workload '$w'" >&2; return 2 ;;
		esac
	done
	reset
	rec "work=done"
}
