#!/usr/bin/env bats
# adaptswapd's safety and control: foreign swap, crash recovery, release,
# hold/resume, swappiness restore, the action hook, config errors.
# guest: mem=256M timeout=600 disk=3G kernels=bookworm est=150

load ../lib/helpers

setup() {
	requires guest root
	CONF=$BATS_TEST_TMPDIR/asd.conf
	write_conf "$CONF" max_swap_mb=1536
	load_module || true
}

teardown() {
	stop_daemon
	swapoff -a 2>/dev/null || true
	# areas listed by another name (see the mount namespace test)
	for f in "$ASD_DIR"/*.swap; do swapoff "$f" 2>/dev/null || true; done
	rm -rf "$ASD_DIR" /mnt/foreign.swap
	unload_module
	echo 60 > /proc/sys/vm/swappiness
	tail -30 "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null || true
}

@test "a bad configuration stops the daemon before it changes anything" {
	printf 'dir = /mnt/adaptswap\nchunk_mb = lots\n' > "$CONF"
	echo 33 > /proc/sys/vm/swappiness
	run adaptswapd -c "$CONF"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"$CONF:2:"*"chunk_mb"* ]]
	[ ! -e "$ASD_DIR" ]
	[ "$(cat /proc/sys/vm/swappiness)" = 33 ]
	run adaptswapd --check-config -c "$CONF"
	[ "$status" -eq 3 ]
}

@test "it tells systemd when it is ready and when it stops (Type=notify)" {
	adaptswap-notifywait /run/notify.sock 15000 READY=1 > "$BATS_TEST_TMPDIR/n1" 3>&- &
	w=$!
	wait_for 5 grep -q listening "$BATS_TEST_TMPDIR/n1"
	NOTIFY_SOCKET=/run/notify.sock start_daemon "$CONF"
	wait "$w"
	grep -q '^READY=1$' "$BATS_TEST_TMPDIR/n1"
	adaptswap-notifywait /run/notify.sock 15000 STOPPING=1 > "$BATS_TEST_TMPDIR/n2" 3>&- &
	w=$!
	wait_for 5 grep -q listening "$BATS_TEST_TMPDIR/n2"
	stop_daemon
	wait "$w"
	grep -q '^STOPPING=1$' "$BATS_TEST_TMPDIR/n2"
}

@test "--check-config accepts a good file and prints the effective values" {
	run adaptswapd --check-config -c "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"max_swap_mb = 1536"* ]]
}

@test "standby chunk is ready at start; grow is one swapon" {
	start_daemon "$CONF"
	wait_for 10 daemon_has '"state":"standby"'
	[ "$(managed_active)" -eq 0 ]
	run adaptswapctl grow
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(managed_active)" -eq 1 ]
	blkid "$ASD_DIR"/adaptswap-*.swap | grep -q 'TYPE="swap"'
	# the standby is refilled afterwards, without pressure at idle I/O
	# priority
	wait_for 10 daemon_has '"state":"standby"'
	grep 'standby .* ready in' "$BATS_TEST_TMPDIR/asd.log"
	! grep -q 'ready in .*(normal I/O priority)' "$BATS_TEST_TMPDIR/asd.log"
	[ "$(grep -c 'ready in .*(idle I/O priority)' "$BATS_TEST_TMPDIR/asd.log")" -eq 2 ]
	stat -c '%a %U' "$ASD_DIR" | grep -q '^700 root$'
	for f in "$ASD_DIR"/*; do stat -c '%a' "$f" | grep -q '^600$'; done
}

@test "its pages are locked in RAM, later mappings only as far as they are used" {
	start_daemon "$CONF"
	wait_for 10 daemon_has '"state":"standby"'
	grep -E '^Vm(Lck|RSS|Size):' "/proc/$ASD_PID/status"
	grep -E '^(Rss|Locked):' "/proc/$ASD_PID/smaps_rollup"
	# every mapping is locked (VmLck counts their size) ...
	vmlck=$(awk '$1 == "VmLck:" {print $2}' "/proc/$ASD_PID/status")
	[ "$vmlck" -gt 0 ]
	# ... and in RAM: the program and its heap; not the whole of the
	# worker's 8 MiB stack (MCL_ONFAULT: as far as it is used)
	lck=$(awk '$1 == "Locked:" {print $2}' "/proc/$ASD_PID/smaps_rollup")
	rss=$(awk '$1 == "Rss:" {print $2}' "/proc/$ASD_PID/smaps_rollup")
	[ "$lck" -gt 200 ]
	[ "$lck" -le "$rss" ]
	[ "$rss" -lt 6144 ]
	! grep -q 'cannot lock' "$BATS_TEST_TMPDIR/asd.log"
}

@test "without CAP_IPC_LOCK nor room under RLIMIT_MEMLOCK it warns, locks nothing and works" {
	# the unit's capabilities but CAP_IPC_LOCK, and a 64 KiB limit
	(ulimit -l 64; exec adaptswap-capexec -c sys_admin adaptswapd -c "$CONF") \
		>> "$BATS_TEST_TMPDIR/asd.log" 2>&1 3>&- &
	ASD_PID=$!
	wait_for 10 adaptswapctl metrics
	wait_for 10 daemon_has '"state":"standby"'
	cat "$BATS_TEST_TMPDIR/asd.log"
	grep -E '^(CapEff|VmLck):' "/proc/$ASD_PID/status"
	grep -q "warning: cannot lock the daemon's memory (.*): under heavy pressure it may stall" \
		"$BATS_TEST_TMPDIR/asd.log"
	# nothing half locked: the first mlockall may have locked all
	[ "$(awk '$1 == "VmLck:" {print $2}' "/proc/$ASD_PID/status")" -eq 0 ]
	run adaptswapctl grow
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(managed_active)" -eq 1 ]
}

@test "a foreign swapfile is left alone" {
	fallocate -l 64M /mnt/foreign.swap
	chmod 600 /mnt/foreign.swap
	mkswap /mnt/foreign.swap >/dev/null
	swapon /mnt/foreign.swap
	mkdir -p -m 700 "$ASD_DIR"
	# our name but not our label, inside our directory
	fallocate -l 64M "$ASD_DIR/adaptswap-77.swap"
	mkswap "$ASD_DIR/adaptswap-77.swap" >/dev/null
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl release
	grep -q '^/mnt/foreign.swap ' /proc/swaps
	[ -e "$ASD_DIR/adaptswap-77.swap" ]
	grep -q 'leaving adaptswap-77.swap alone' "$BATS_TEST_TMPDIR/asd.log"
	stop_daemon
	grep -q '^/mnt/foreign.swap ' /proc/swaps
}

@test "kill -9 during a grow, then restart: no orphan, no lost swap" {
	# no standby: the grow creates a file (the slow path)
	write_conf "$CONF" max_swap_mb=1536 standby=no
	start_daemon "$CONF"
	adaptswapctl grow
	kill -9 "$ASD_PID"; wait "$ASD_PID" 2>/dev/null || true; ASD_PID=
	# leave a half-made file, as a crash inside the create would
	fallocate -l 32M "$ASD_DIR/adaptswap-9.swap.new"
	chmod 600 "$ASD_DIR/adaptswap-9.swap.new"	# as the daemon makes them
	active=$(managed_active)
	[ "$active" -eq 1 ]
	start_daemon "$CONF"
	grep -q 'recovery: adopted active' "$BATS_TEST_TMPDIR/asd.log"
	[ ! -e "$ASD_DIR/adaptswap-9.swap.new" ]
	[ "$(managed_active)" -eq "$active" ]
	adaptswapctl status --json | grep -q '"state":"active"'
	# every file on disk is known to the daemon
	n_disk=$(ls "$ASD_DIR" | grep -c '^adaptswap-.*\.swap$')
	n_known=$(adaptswapctl status --json | grep -o '"name":"adaptswap-[0-9]*.swap"' | wc -l)
	[ "$n_disk" -eq "$n_known" ]
}

@test "kill -9 during a shrink, then restart: no orphan, no lost swap" {
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	[ "$(managed_active)" -eq 2 ]
	adaptswapctl shrink || true
	kill -9 "$ASD_PID"; wait "$ASD_PID" 2>/dev/null || true; ASD_PID=
	start_daemon "$CONF"
	n_disk=$(ls "$ASD_DIR" | grep -c '^adaptswap-.*\.swap$')
	n_known=$(adaptswapctl status --json | grep -o '"name":"adaptswap-[0-9]*.swap"' | wc -l)
	[ "$n_disk" -eq "$n_known" ]
	# every active area in the directory is adopted
	[ "$(adaptswapctl status --json | grep -o '"state":"active"' | wc -l)" -eq "$(managed_active)" ]
	! ls "$ASD_DIR" | grep -q '\.new$'
}

# shrink_used_file: adaptswapctl shrink until the daemon starts the swapoff
# of a file with at least 16 MiB in use; its answer in $out.  The least-used
# files go first (an empty one is instant, and one with 2 MiB ends before a
# test can act on it); retry while the worker is busy (a swapoff, the
# standby refill).
shrink_used_file() {
	local used
	for i in $(seq 40); do
		out=$(adaptswapctl shrink 2>&1) || true
		used=$(sed -n 's/.* MiB, \([0-9]*\) MiB used.*/\1/p' <<<"$out")
		[ -n "$used" ] && [ "$used" -ge 16 ] && return 0
		[[ -z $out || $out == *" MiB used"* || $out == *busy* ]] || return 0
		sleep 0.3
	done
}

# used_swapoff: managed swap with ~90 MiB in use, and a swapoff of that
# file in progress when it returns (adaptswapctl shrink, no quiet period)
used_swapoff() {
	echo 100 > /proc/sys/vm/swappiness
	# no automatic shrink: only adaptswapctl's
	write_conf "$CONF" max_swap_mb=1536 swappiness_control=no shrink_quiet_s=600
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	# A holds 110 MiB; B pushes much of it out to swap, then exits
	adaptswap-hog -r 200 -s 16 -h 600 110 > /dev/null 2>&1 3>&- &
	HOLDER=$!
	sleep 2
	adaptswap-hog -r 100 -s 16 140 > /dev/null 2>&1 || true
	used_kb=$(awk -v d="$ASD_DIR/" 'index($1, d) == 1 {s += $4} END {print s + 0}' /proc/swaps)
	echo "# managed swap in use before the shrink: $used_kb kB" >&3
	[ "$used_kb" -gt $((10 * 1024)) ]
	shrink_used_file
	echo "# shrink in progress: $out" >&3
	[[ $out == *"swapoff"*"started"* ]]
}

all_known() {
	n_disk=$(ls "$ASD_DIR" | grep -c '^adaptswap-.*\.swap$')
	n_known=$(adaptswapctl status --json | grep -o '"name":"adaptswap-[0-9]*.swap"' | wc -l)
	[ "$n_disk" -eq "$n_known" ]
	[ "$(adaptswapctl status --json | grep -o '"state":"active"' | wc -l)" -eq "$(managed_active)" ]
}

@test "kill -9 while a swapoff is swapping pages back in: the area survives and is adopted" {
	used_swapoff
	kill -9 "$ASD_PID"; wait "$ASD_PID" 2>/dev/null || true; ASD_PID=
	echo "# after kill -9: $(managed_active) managed areas active" >&3
	kill "$HOLDER"
	# whatever the swapoff had done, nothing is lost or orphaned
	start_daemon "$CONF"
	all_known
	grep 'recovery' "$BATS_TEST_TMPDIR/asd.log" | sed 's/^/# /' >&3
}

@test "SIGTERM during a swapoff: the daemon stops promptly, nothing is lost" {
	used_swapoff
	kill "$ASD_PID"
	wait_for 15 sh -c "! kill -0 $ASD_PID 2>/dev/null"
	wait "$ASD_PID" 2>/dev/null || true; ASD_PID=
	kill "$HOLDER"
	start_daemon "$CONF"
	all_known
}

# The kernel looks for a signal between the processes whose pages a swapoff
# brings back, not within one: the swapped-out memory here belongs to six.
@test "pressure returning during a swapoff interrupts it; the area stays active" {
	requires module
	oom0=$(awk '$1 == "oom_kill" {print $2}' /proc/vmstat)
	echo 100 > /proc/sys/vm/swappiness
	# growth only at critical, no shrink but adaptswapctl's
	write_conf "$CONF" max_swap_mb=1536 swappiness_control=no shrink_quiet_s=600 \
		grow_level=critical
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	holders=()
	for i in 1 2 3 4 5 6; do
		adaptswap-hog -r 200 -s 6 -h 600 18 > /dev/null 2>&1 3>&- &
		holders+=($!)
	done
	sleep 2
	adaptswap-hog -r 100 -s 16 140 > /dev/null 2>&1 || true
	# the module samples (and would report) every 10 ms from now on
	adaptswapctl set sample_idle_ms=10 event_interval_ms=10
	shrink_used_file
	# pressure returns: level low below 95% available
	adaptswapctl set low_pct=95 medium_pct=10 critical_pct=5
	echo "# $out" >&3
	file=$(sed -n 's/.*swapoff \(adaptswap-[0-9]*\.swap\) started.*/\1/p' <<<"$out")
	[ -n "$file" ]
	wait_for 60 grep -q "shrink: swapoff $file interrupted: pressure returned" \
		"$BATS_TEST_TMPDIR/asd.log"
	# the kernel keeps an interrupted area: still active, still managed
	grep "^$ASD_DIR/$file " /proc/swaps | sed 's/^/# still in swap: /' >&3
	adaptswapctl status --json | grep -q "{\"name\":\"$file\",[^}]*\"state\":\"active\"}"
	kill "${holders[@]}"
	[ "$(awk '$1 == "oom_kill" {print $2}' /proc/vmstat)" -eq "$oom0" ]
	all_known
}

@test "release empties managed swap and holds growth; resume allows it again" {
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	run adaptswapctl release
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(managed_active)" -eq 0 ]
	[ -z "$(ls "$ASD_DIR")" ]
	run adaptswapctl grow
	[ "$status" -eq 1 ]
	[[ $output == *"hold"* ]]
	adaptswapctl resume
	adaptswapctl grow
	[ "$(managed_active)" -eq 1 ]
}

@test "release is refused when memory cannot take the swapped pages back" {
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	adaptswap-hog -r 80 -s 16 -h 30 330 > "$BATS_TEST_TMPDIR/hog" 3>&- &
	hog=$!
	wait_for 30 grep -q 'hog: 330 MiB' "$BATS_TEST_TMPDIR/hog"
	run adaptswapctl release
	echo "$output"
	kill "$hog"
	[ "$status" -eq 1 ]
	[[ $output == *"refused"* ]]
	[ "$(managed_active)" -ge 1 ]
}

@test "commands that change things need root; status and metrics do not" {
	start_daemon "$CONF"
	for c in grow shrink release hold resume reload; do
		run as_user adaptswapctl $c
		[ "$status" -eq 5 ]	# permission denied (adaptswapctl(8))
		[[ $output == "adaptswapctl: $c: permission denied: '$c' needs root" ]]
	done
	run as_user adaptswapctl status
	[ "$status" -eq 0 ]
	run as_user adaptswapctl metrics
	[ "$status" -eq 0 ]
	[[ $output == *"adaptswap_managed_swap_size_bytes"* ]]
}

@test "metrics are Prometheus text" {
	start_daemon "$CONF"
	run adaptswapctl metrics
	[ "$status" -eq 0 ]
	# name, or name{labels} of an _info metric, and a value; HELP and TYPE for each
	echo "$output" | grep -v '^#' | grep -v -E '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$' && return 1
	[ "$(grep -c '^# HELP adaptswap_' <<<"$output")" -eq "$(grep -c '^# TYPE adaptswap_' <<<"$output")" ]
	[ "$(grep -c '^# TYPE adaptswap_' <<<"$output")" -eq "$(grep -vc '^#' <<<"$output")" ]
	[[ $output == *"# TYPE adaptswap_pressure_level gauge"* ]]
	[[ $output == *$'\nadaptswap_daemon_up 1\n'* ]]
	if [ -d /sys/module/adaptswap ]; then
		# the module's own figures while it is loaded
		[[ $output == *$'\nadaptswap_module_in_use 1\n'* ]]
		[[ $output == *$'\nadaptswap_module_info{version="'* ]]
		[[ $output == *"# TYPE adaptswap_module_samples_total counter"* ]]
	else
		[[ $output == *$'\nadaptswap_module_in_use 0\n'* ]]
		[[ $output != *"adaptswap_module_info"* ]]
	fi
}

@test "swappiness is restored on stop, also after a crash" {
	echo 37 > /proc/sys/vm/swappiness
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswap-hog -r 80 -s 16 -h 8 300 >/dev/null || true
	stop_daemon
	[ "$(cat /proc/sys/vm/swappiness)" = 37 ]
	# crash: the next start learns the original from /run and restores it
	start_daemon "$CONF"
	echo 99 > /proc/sys/vm/swappiness	# as if the crashed run had tuned it
	kill -9 "$ASD_PID"; wait "$ASD_PID" 2>/dev/null || true; ASD_PID=
	start_daemon "$CONF"
	stop_daemon
	[ "$(cat /proc/sys/vm/swappiness)" = 37 ]
}

@test "a bad file on SIGHUP is refused and the running configuration kept" {
	start_daemon "$CONF"
	printf 'dir = %s\nmax_disk_pct = 400\n' "$ASD_DIR" > "$CONF"
	kill -HUP "$ASD_PID"
	wait_for 5 grep -q 'reload refused' "$BATS_TEST_TMPDIR/asd.log"
	grep 'reload refused' "$BATS_TEST_TMPDIR/asd.log" | grep -q "$CONF:2:"
	kill -0 "$ASD_PID"
	write_conf "$CONF" max_swap_mb=1024
	kill -HUP "$ASD_PID"
	wait_for 5 grep -q 'reload: configuration' "$BATS_TEST_TMPDIR/asd.log"
	adaptswapctl status --json | grep -q "\"max_swap\":$((1024 * 1024 * 1024))"
}

@test "adaptswapctl reload answers with the verdict; a refused file changes nothing" {
	MAX=$((1024 * 1024 * 1024))
	start_daemon "$CONF"
	daemon_has "\"max_swap\":$((1536 * MAX / 1024))"
	# an error in the file: exit 1, the file's first error, nothing applied
	printf 'dir = %s\nmax_swap_mb = 1024\nmax_disk_pct = 400\n' "$ASD_DIR" > "$CONF"
	run adaptswapctl reload
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == "adaptswapctl: reload: refused, the running configuration is kept: $CONF:3:"*max_disk_pct* ]]
	daemon_has "\"max_swap\":$((1536 * MAX / 1024))"
	# a new dir: refused as well
	write_conf "$CONF" dir=/mnt/elsewhere max_swap_mb=1024
	run adaptswapctl reload
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"'dir' cannot change while running ($ASD_DIR -> /mnt/elsewhere)"* ]]
	daemon_has "\"max_swap\":$((1536 * MAX / 1024))"
	[ ! -e /mnt/elsewhere ]
	# a good file: applied before the answer comes back
	write_conf "$CONF" max_swap_mb=1024
	run adaptswapctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration from $CONF applied" ]
	daemon_has "\"max_swap\":$MAX"
	kill -0 "$ASD_PID"
	grep -q "reload: configuration from $CONF applied" "$BATS_TEST_TMPDIR/asd.log"
}

@test "the action hook fires once when thrashing persists" {
	write_conf "$CONF" max_swap_mb=1536 "action_command=echo fired >> /tmp/action.log" \
		action_swapin_rate=1 action_swap_used_pct=5 action_after_s=2 action_interval_s=600
	start_daemon "$CONF"
	adaptswapctl grow
	adaptswapctl grow
	adaptswap-hog -r 80 -s 16 -h 10 350 >/dev/null || true
	wait_for 10 test -s /tmp/action.log
	sleep 3
	[ "$(grep -c fired /tmp/action.log)" -eq 1 ]
	grep -q "action: running" "$BATS_TEST_TMPDIR/asd.log"
}

@test "the module going away switches to PSI, and back when it returns" {
	requires module
	start_daemon "$CONF"
	grep -q 'source: adaptswap module' "$BATS_TEST_TMPDIR/asd.log"
	rmmod adaptswap
	wait_for 10 grep -q 'module went away' "$BATS_TEST_TMPDIR/asd.log"
	adaptswapctl status --json | grep -q '"source":"psi"'
	modprobe adaptswap
	wait_for 10 daemon_has '"source":"module"'
}

# The module unregisters its family before its sysfs directory: a daemon
# that looked it up in that window loaded it again (7 times in 15 before
# adaptswap_loaded() read /sys/module/adaptswap/initstate).
@test "a module being removed is not loaded again by the daemon" {
	requires module
	back=0
	for i in 1 2 3 4 5 6 7 8; do
		load_module
		: > "$BATS_TEST_TMPDIR/asd.log"
		start_daemon "$CONF"
		rmmod adaptswap
		wait_for 10 grep -q 'module went away' "$BATS_TEST_TMPDIR/asd.log"
		sleep 1
		! grep -q '^adaptswap ' /proc/modules || back=$((back + 1))
		stop_daemon
	done
	echo "# the module came back $back of 8 times" >&3
	[ "$back" -eq 0 ]
}

managed_total_is() { [ "$(daemon_json managed_total)" = "$1" ]; }

# systemd's ReadWritePaths= bind-mounts the directory in the service's own
# mount namespace.  Once the service stops, the kernel names its active
# files by the tail below that mount ("/adaptswap-0.swap"): a restart must
# still adopt them, and --release still give them back.
@test "swap activated in a mount namespace that is gone is adopted, not deleted" {
	# no quiet shrink: it could take the grown file away before it is counted
	write_conf "$CONF" floor_mb=128 chunk_mb=64 standby=no max_swap_mb=1536 shrink_quiet_s=600
	mkdir -m 0700 -p "$ASD_DIR"
	unshare -m sh -c "mount --bind $ASD_DIR $ASD_DIR && exec adaptswapd -c $CONF" \
		>> "$BATS_TEST_TMPDIR/asd.log" 2>&1 3>&- &
	ASD_PID=$!
	wait_for 20 managed_active_is 1
	stop_daemon
	cat /proc/swaps
	grep -q '^/adaptswap-[0-9]*\.swap ' /proc/swaps
	[ "$(managed_active)" -eq 0 ]
	before=$(ls "$ASD_DIR")

	start_daemon "$CONF"
	grep -q 'recovery: adopted active adaptswap-' "$BATS_TEST_TMPDIR/asd.log"
	! grep -q 'recovery: deleting inactive' "$BATS_TEST_TMPDIR/asd.log" || false
	[ "$(ls "$ASD_DIR")" = "$before" ]
	[ "$(daemon_json managed_total)" -eq $((128 << 20)) ]
	# swapon of the file already active would fail with EBUSY: growing adds one
	adaptswapctl grow
	wait_for 10 managed_total_is $((192 << 20))
	[ "$(grep -c 'adaptswap-' /proc/swaps)" -eq 2 ]
	stop_daemon

	adaptswapd --release -c "$CONF"
	! grep -q 'adaptswap-' /proc/swaps || false
	[ -z "$(ls "$ASD_DIR")" ]
}
