# shellcheck shell=bash
# The fuzz suites' tests, shared by the bounded versions that make check
# runs (*.guest.bats) and the full counts that make fuzz runs (*.fuzz.bats):
#   tests/kmod/fuzz.{guest,fuzz}.bats            genl and sysfs fuzzers
#   tests/kmod/fuzz-reload.{guest,fuzz}.bats     load/unload under fire
#   tests/userspace/adaptswapd-fuzz.{guest,fuzz}.bats   control socket
# load ../lib/helpers, then ../lib/fuzz.
#
# Seeds: each fuzzer run takes $SEED when it is set (make fuzz SEED=N, or
# run-guest -a SEED=N: the guest's init gets it from the kernel command
# line), a random one otherwise.  Every run prints its seed and counts to
# the TAP stream as "# " lines; the same seed replays the same inputs.
#
# What today's main is known to get wrong, two ways (see README.md,
# "Fuzzing"; both end with astest_pending=1 on the kernel command line:
# make fuzz PENDING=1, run-guest -a astest_pending=1):
#   - a test that cannot run at all until an issue is fixed calls
#     pending_issue N WHY and is skipped;
#   - a fuzzer that would stop at a known fault is run --lenient about it:
#     it takes either answer to the inputs of that fault, counts them and
#     prints the counts, and judges everything else strictly (FUZZ_LENIENT_*
#     below).
# Once the issue's fix has landed, delete its pending_issue lines and its
# words in FUZZ_LENIENT_*.

KNOBS="enabled low_pct medium_pct critical_pct hysteresis_pct sample_idle_ms sample_fast_ms event_interval_ms"
NOBODY=65534	# no passwd entry in the guest: the fuzzers take a uid

# pending_issue N WHY: skip (see above) unless pending tests are wanted
pending_issue() {
	[ "${astest_pending:-}" = 1 ] || skip "pending #$1: $2"
}

# The fuzzers' --lenient words (tests/tools/fuzz.h) while main has known
# faults, each with the issue whose fix removes it.  None today: nul-tail
# ("73\0x" taken as 73) and low-hyst (low_pct + hysteresis_pct >= 100
# taken) were fixed by #11, plus-sign ("+5" taken as 5) with it.
FUZZ_LENIENT_SYSFS=
FUZZ_LENIENT_GENL=

# fuzz_lenient WORDS: the fuzzer options for WORDS into the array LENIENT
# (none with pending tests wanted), and a TAP line that says so
fuzz_lenient() {
	LENIENT=()
	[ -n "$1" ] || return 0
	if [ "${astest_pending:-}" = 1 ]; then
		echo "# strict (astest_pending=1): no leniency for $1" >&3
	else
		LENIENT=(--lenient "$1")
		echo "# lenient about $1 (known faults: tests/lib/fuzz.bash)" >&3
	fi
}

fuzz_seed() {
	echo "${SEED:-$(( (RANDOM << 30) ^ (RANDOM << 15) ^ RANDOM ))}"
}

# fuzz LABEL CMD...: run a fuzzer; its output goes to
# $BATS_TEST_TMPDIR/LABEL.log, its seed and counts to the TAP stream, all
# of it to the test's output when it fails.
fuzz() {
	local label=$1 log rc=0
	shift
	log=$BATS_TEST_TMPDIR/$label.log
	"$@" > "$log" 2>&1 3>&- || rc=$?
	grep -v -e '^  ' -e '^msg ' -e '^write ' -e '^scenario ' -e 'knobs \(before\|after\)' "$log" |
		grep -e 'seed' -e ' in [0-9.]* s' -e ': send:' -e ': replies:' -e ': results:' \
			-e ': simple' -e ': valid' -e ': data replies' -e 'connections;' -e 'probes' \
			-e ': family' -e ': lenient' -e 'FAIL' | head -40 | sed "s/^/# $label: /" >&3
	if [ "$rc" -ne 0 ]; then
		echo "$label: exit $rc; replay with SEED=$(sed -n 's/.*: seed \([0-9]*\).*/\1/p' \
			"$log" | head -1)${astest_pending:+ astest_pending=$astest_pending}"
		cat "$log"
	fi
	return "$rc"
}

knob_values() {
	local k
	for k in $KNOBS; do printf '%s=%s ' "$k" "$(cat "$SYS/$k")"; done
}

# --- generic netlink ----------------------------------------------------

# fuzz_genl_root N: N random messages as root; the knobs it changed are
# restored afterwards, and the module still answers GET.
fuzz_genl_root() {
	fuzz_lenient "$FUZZ_LENIENT_GENL"
	fuzz genl-root adaptswap-genlfuzz -n "$1" -s "$(fuzz_seed)" --restore "${LENIENT[@]}"
	adaptswap-genlfuzz --get >/dev/null
}

# fuzz_genl_user N: N random messages without CAP_NET_ADMIN: no knob
# changes (the fuzzer's GETs and sysfs, before and after).
fuzz_genl_user() {
	local before
	before=$(knob_values)
	fuzz genl-user adaptswap-genlfuzz -n "$1" -s "$(fuzz_seed)" -u "$NOBODY" --unchanged
	[ "$(knob_values)" = "$before" ] || { echo "knobs: $before -> $(knob_values)"; return 1; }
	adaptswap-genlfuzz --get >/dev/null
}

# --- sysfs ----------------------------------------------------------------

# fuzz_sysfs_root N: N random writes as root, each checked against the ABI
# document (but the known faults, FUZZ_LENIENT_SYSFS); the knobs are
# written back afterwards.
fuzz_sysfs_root() {
	fuzz_lenient "$FUZZ_LENIENT_SYSFS"
	fuzz sysfs-root adaptswap-sysfsfuzz -n "$1" -s "$(fuzz_seed)" --restore "${LENIENT[@]}"
	adaptswap-genlfuzz --get >/dev/null
}

# fuzz_sysfs_user N: N random writes without root: all refused, no change.
fuzz_sysfs_user() {
	local before
	before=$(knob_values)
	fuzz sysfs-user adaptswap-sysfsfuzz -n "$1" -s "$(fuzz_seed)" -u "$NOBODY"
	[ "$(knob_values)" = "$before" ] || { echo "knobs: $before -> $(knob_values)"; return 1; }
}

# --- load/unload under fire -------------------------------------------------

FIRE_PIDS=()

# fire_loop CMD...: CMD again and again until SIGTERM, which ends CMD too
fire_loop() {
	local c=
	trap '[ -z "$c" ] || kill "$c" 2>/dev/null; exit 0' TERM
	while :; do
		"$@" &
		c=$!
		wait "$c"
		sleep 0.02
	done
}

# fire_start: a memory hog pinned to each CPU (allocating and freeing in a
# loop: reclaim, tracepoints, the shrinker, now and then the OOM killer),
# a subscriber that subscribes again after every reload, and the genl
# (as root) and sysfs fuzzers in their --fire mode.  Logs in
# $BATS_TEST_TMPDIR/fire-*.log.
fire_start() {
	local cpu mb seed ncpu
	ncpu=$(nproc)
	seed=$(fuzz_seed)
	# together about 70% of RAM: the watermarks are reached, rarely an OOM kill
	mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) * 7 / 10 / 1024 / ncpu ))
	for cpu in $(seq 0 $((ncpu - 1))); do
		fire_loop taskset -c "$cpu" adaptswap-hog -r 400 -s 8 "$mb" >/dev/null 2>&1 3>&- &
		FIRE_PIDS+=($!)
	done
	fire_loop adaptswapctl events --json --timeout 2000 \
		> "$BATS_TEST_TMPDIR/fire-events.log" 2>&1 3>&- &
	FIRE_PIDS+=($!)
	adaptswap-genlfuzz --fire -n 0 -t 100000 -s "$seed" \
		> "$BATS_TEST_TMPDIR/fire-genl.log" 2>&1 3>&- &
	FIRE_GENL=$!
	adaptswap-sysfsfuzz --fire -n 0 -t 100000 -s "$seed" \
		> "$BATS_TEST_TMPDIR/fire-sysfs.log" 2>&1 3>&- &
	FIRE_SYSFS=$!
	echo "# fire: $ncpu CPUs, a ${mb} MiB hog on each, subscriber, fuzzers with seed $seed" >&3
}

# fire_stop: stop it all; the fuzzers print their counts and must have
# seen no malformed reply (exit 0).
fire_stop() {
	local p rc=0 f
	for p in "${FIRE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${FIRE_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	FIRE_PIDS=()
	for p in ${FIRE_GENL:-} ${FIRE_SYSFS:-}; do kill -TERM "$p" 2>/dev/null || true; done
	if [ -n "${FIRE_GENL:-}" ]; then wait "$FIRE_GENL" || rc=1; fi
	if [ -n "${FIRE_SYSFS:-}" ]; then wait "$FIRE_SYSFS" || rc=1; fi
	[ -n "${FIRE_GENL:-}${FIRE_SYSFS:-}" ] || return 0
	FIRE_GENL='' FIRE_SYSFS=''
	for f in genl sysfs; do
		grep -v -e 'knobs' "$BATS_TEST_TMPDIR/fire-$f.log" | sed "s/^/# fire-$f: /" >&3
	done
	[ "$rc" -eq 0 ] || cat "$BATS_TEST_TMPDIR"/fire-{genl,sysfs}.log
	return "$rc"
}

# rmmod, again while it is busy (the subscriber's lookup may be loading
# it right then); 0 once it is gone
unload_busy() {
	local i
	for i in $(seq 100); do
		grep -q '^adaptswap ' /proc/modules || return 0
		rmmod adaptswap 2>/dev/null && return 0
		sleep 0.1
	done
	echo "rmmod adaptswap: still busy after 10 s"
	rmmod adaptswap
}

# fuzz_reload N: N unload/load cycles under fire; after every load the
# module answers a well-formed GET.  No WARN, oops or hang (the guest runs
# with panic_on_warn=1; run-guest checks the console and the time).
fuzz_reload() {
	local n=$1 i t0
	load_module
	fire_start
	sleep 2
	t0=$SECONDS
	for i in $(seq "$n"); do
		unload_busy || { fire_stop; return 1; }
		modprobe adaptswap || { echo "cycle $i: modprobe failed"; fire_stop; return 1; }
		adaptswap-genlfuzz --get >/dev/null || {
			echo "cycle $i: no answer to GET after the load"
			fire_stop
			return 1
		}
	done
	echo "# fire: $n unload/load cycles in $((SECONDS - t0)) s" >&3
	fire_stop
	# the subscriber was there (it subscribes again after every reload)
	echo "# fire: the subscriber subscribed $(grep -c 'listening for events' \
		"$BATS_TEST_TMPDIR/fire-events.log") times" >&3
	grep -q 'listening for events' "$BATS_TEST_TMPDIR/fire-events.log"
	# and it still works, alone
	adaptswap-genlfuzz --get >/dev/null
	rmmod adaptswap
	[ ! -e "$SYS" ]
	! genl ctrl list 2>/dev/null | grep -q 'Name: adaptswap$'
}

# --- adaptswapd's control socket -------------------------------------------

# The scenarios with fewer held connections than the daemon has slots;
# the idle-client tests hold more (16 to 64), in tests of their own.
# shellcheck disable=SC2034,SC2054  # used by the suites; one -S argument
CTL_POLITE=(-S junk,partial,oversized,slow,burst,commands,hold,early-close --max-hold 6)

# ctl_fuzz_setup / ctl_fuzz_teardown: setup and teardown of both
# adaptswapd-fuzz suites (.guest.bats and .fuzz.bats): the module loaded
# when it can be, a daemon with a 512 MiB budget ($ASD_PID); afterwards
# none of it left, swappiness back at 60.
ctl_fuzz_setup() {
	requires guest root
	CONF=$BATS_TEST_TMPDIR/asd.conf
	write_conf "$CONF" max_swap_mb=512
	load_module || true
	start_daemon "$CONF"
}

ctl_fuzz_teardown() {
	stop_daemon
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR"
	unload_module
	echo 60 > /proc/sys/vm/swappiness
}

# fuzz_ctl LABEL ARGS...: adaptswap-ctlfuzz against the running daemon
# ($ASD_PID), then the daemon still runs and answers status (root and a
# user) and root's commands.
fuzz_ctl() {
	local label=$1
	shift
	fuzz "$label" adaptswap-ctlfuzz -s "$(fuzz_seed)" -P "$ASD_PID" "$@"
	daemon_answers
}

daemon_answers() {
	kill -0 "$ASD_PID" || { echo "adaptswapd is gone"; tail -20 "$BATS_TEST_TMPDIR/asd.log"; return 1; }
	adaptswapctl status >/dev/null
	as_user adaptswapctl status >/dev/null
	adaptswapctl hold
	adaptswapctl resume
	adaptswapctl status --json | grep -q '"held":false'
}

# --- replay ----------------------------------------------------------------

# fuzz_replay_genl N / fuzz_replay_sysfs N / fuzz_replay_ctl N ARGS: a
# real run (-v) sends exactly what a dry run with the same seed prints.
# The replays are about the inputs, not the judgement: the real runs are
# lenient about the known faults whether pending tests are wanted or not
# (the other tests judge them), but must pass otherwise.
fuzz_replay_genl() {
	local seed fam
	seed=$(fuzz_seed)
	fuzz_real adaptswap-genlfuzz -n "$1" -s "$seed" -v --restore \
		${FUZZ_LENIENT_GENL:+--lenient "$FUZZ_LENIENT_GENL"} || return 1
	fam=$(sed -n 's/^genlfuzz: family \(0x[0-9a-f]*\)$/\1/p' "$BATS_TEST_TMPDIR/real")
	adaptswap-genlfuzz -n "$1" -s "$seed" --dry-run="$fam" > "$BATS_TEST_TMPDIR/dry"
	fuzz_same_lines 's/^msg //p' 's/^socket ext_ack=[01]; msg //p' "genl, seed $seed"
}

fuzz_replay_sysfs() {
	local seed
	seed=$(fuzz_seed)
	fuzz_real adaptswap-sysfsfuzz -n "$1" -s "$seed" -v --restore \
		${FUZZ_LENIENT_SYSFS:+--lenient "$FUZZ_LENIENT_SYSFS"} || return 1
	adaptswap-sysfsfuzz -n "$1" -s "$seed" --dry-run > "$BATS_TEST_TMPDIR/dry"
	# (the dry run names the read-only files as one)
	fuzz_same_lines 's/^write \([0-9]*\) to [^:]*: \(.*\) -> .*/\1 \2/p' \
		's/^input \([0-9]*\) to [^:]*: \(.*\)$/\1 \2/p' "sysfs, seed $seed"
}

fuzz_replay_ctl() {
	local seed n=$1
	shift
	seed=$(fuzz_seed)
	fuzz_real adaptswap-ctlfuzz -n "$n" -s "$seed" -v "$@" || return 1
	adaptswap-ctlfuzz -n "$n" -s "$seed" --dry-run "$@" > "$BATS_TEST_TMPDIR/dry"
	fuzz_same_lines 's/^\(scenario .*\)/\1/p' 's/^\(scenario .*\)/\1/p' "ctl, seed $seed"
}

# fuzz_real CMD...: the real run of a replay test, into $BATS_TEST_TMPDIR/real;
# when it fails, its verdict (not the inputs it printed) goes to the output
fuzz_real() {
	"$@" > "$BATS_TEST_TMPDIR/real" 3>&- && return 0
	echo "the real run failed: $*"
	grep -v -e '^msg ' -e '^write ' -e '^scenario ' "$BATS_TEST_TMPDIR/real" | tail -40
	return 1
}

# fuzz_same_lines REAL-SED DRY-SED WHAT: the two lists agree, and are not empty
fuzz_same_lines() {
	sed -n "$1" "$BATS_TEST_TMPDIR/real" > "$BATS_TEST_TMPDIR/real.list"
	sed -n "$2" "$BATS_TEST_TMPDIR/dry" > "$BATS_TEST_TMPDIR/dry.list"
	[ -s "$BATS_TEST_TMPDIR/real.list" ] || { echo "$3: the real run printed nothing"; return 1; }
	if ! cmp -s "$BATS_TEST_TMPDIR/real.list" "$BATS_TEST_TMPDIR/dry.list"; then
		echo "$3: the real run and the dry run differ"
		diff "$BATS_TEST_TMPDIR/real.list" "$BATS_TEST_TMPDIR/dry.list" | head -20
		return 1
	fi
	echo "# replay $3: $(wc -l < "$BATS_TEST_TMPDIR/real.list") inputs, the same in a dry run" >&3
}
