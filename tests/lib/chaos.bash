# shellcheck shell=bash
# adaptswapd's chaos tests, shared by the bounded suite that make check runs
# (tests/userspace/adaptswapd-chaos.guest.bats, 10 iterations) and the full
# count that make fuzz runs (adaptswapd-chaos.fuzz.bats, 50 iterations).
# load ../lib/helpers, then ../lib/chaos.
#
# An iteration starts the daemon, sets it to work (a grow, the standby
# refill at start, a shrink, a release, a reload, growth under a memory
# hog), kills it with SIGKILL at a random moment of that work, starts it
# again and checks the invariants (chaos_invariants), then stops it with
# SIGTERM and checks that swappiness is the administrator's again.  The
# operations and the delays come from $SEED (make fuzz SEED=N, run-guest
# -a SEED=N), printed; the same seed gives the same operations and delays
# (the daemon's own timing still varies).
#
# Around it: a foreign swap file active outside the directory, a foreign
# note and a foreign swap file with another label inside it.  None of them
# may change, and the foreign swap must stay on.

CHAOS_MAX_MB=256	# max_swap_mb: 8 chunks of 32 MiB
CHAOS_SWAPPINESS=37	# the administrator's value, restored at every stop
FOREIGN=/mnt/foreign.swap

chaos_setup() {
	requires guest root
	# the daemon works (conf) and is checked (check: no shrink meanwhile)
	CONF=$BATS_TEST_TMPDIR/asd.conf
	CHECK_CONF=$BATS_TEST_TMPDIR/check.conf
	write_conf "$CONF" max_swap_mb=$CHAOS_MAX_MB chunk_mb=32 shrink_quiet_s=2
	write_conf "$CHECK_CONF" max_swap_mb=$CHAOS_MAX_MB chunk_mb=32 shrink_quiet_s=3600
	load_module || true
	echo "$CHAOS_SWAPPINESS" > /proc/sys/vm/swappiness
	fallocate -l 16M "$FOREIGN"
	chmod 600 "$FOREIGN"
	mkswap -L theirs "$FOREIGN" >/dev/null
	swapon "$FOREIGN"
	mkdir -m 700 "$ASD_DIR"
	echo "the operator's note" > "$ASD_DIR/notes.txt"
	fallocate -l 16M "$ASD_DIR/adaptswap-90.swap"
	chmod 600 "$ASD_DIR/adaptswap-90.swap"
	mkswap -L theirs "$ASD_DIR/adaptswap-90.swap" >/dev/null
	FOREIGN_SUMS=$(foreign_sums)
}

chaos_teardown() {
	[ -z "${HOG_PID:-}" ] || { kill "$HOG_PID" 2>/dev/null; wait "$HOG_PID" 2>/dev/null; }
	stop_daemon
	chattr -i "$ASD_DIR" 2>/dev/null || true
	# swapoff(2) opens the file for writing: rw first
	grep -q ' /mnt [^ ]* rw[ ,]' /proc/mounts || mount -o remount,rw /mnt
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR" "$FOREIGN" /mnt/filler* /run/adaptswap/swappiness.orig
	unload_module
	echo 60 > /proc/sys/vm/swappiness
	tail -40 "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null || true
}

# fill_disk: another process takes every block of /mnt left, root's
# reserve too (fallocate in halving sizes, down to 64 KiB)
fill_disk() {
	local sz i=0
	sz=$(($(df -k /mnt | awk 'NR == 2 {print $4}') * 1024))
	while [ "$sz" -ge 65536 ]; do
		if fallocate -l "$sz" "/mnt/filler$i" 2>/dev/null; then
			i=$((i + 1))
		else
			rm -f "/mnt/filler$i"
			sz=$((sz / 2))
		fi
	done
}

# The foreign files: the active one's header page (the kernel writes only
# the pages it swaps to), the other two whole; and their inode numbers.
foreign_sums() {
	head -c 4096 "$FOREIGN" | md5sum
	md5sum < "$ASD_DIR/notes.txt"
	md5sum < "$ASD_DIR/adaptswap-90.swap"
	stat -c %i "$FOREIGN" "$ASD_DIR/notes.txt" "$ASD_DIR/adaptswap-90.swap"
}

# The label of a swap file (16 bytes at 1052 in its first page).
swap_label() { head -c 1068 "$1" | tail -c 16 | tr -d '\0'; }

# chaos_invariants: what must hold whenever the daemon is settled.  Says
# what broke on stdout and returns 1.
chaos_invariants() {
	local f bytes=0 inactive=0 listed label size
	for f in "$ASD_DIR"/*.new; do
		[ ! -e "$f" ] || { echo "half-made file left: $f"; return 1; }
	done
	# a file the daemon deletes meanwhile (a shrink) is skipped: the
	# check of what status lists below sees the directory again
	for f in "$ASD_DIR"/adaptswap-*.swap; do
		if [ ! -e "$f" ] || [ "$f" = "$ASD_DIR/adaptswap-90.swap" ]; then
			continue
		fi
		label=$(swap_label "$f")
		[ -e "$f" ] || continue
		[ "$label" = adaptswap ] || { echo "$f: label '$label'"; return 1; }
		size=$(stat -c %s "$f" 2>/dev/null) || continue
		bytes=$((bytes + size))
		grep -q "^${f}[[:space:]]" /proc/swaps || inactive=$((inactive + 1))
	done
	# every managed file is active, or the single standby
	[ "$inactive" -le 1 ] || { echo "$inactive inactive managed files"; return 1; }
	# the budget holds, standby included
	[ "$bytes" -le $((CHAOS_MAX_MB * 1048576)) ] ||
		{ echo "$((bytes / 1048576)) MiB of managed files > max_swap_mb $CHAOS_MAX_MB"; return 1; }
	# no managed swap left on with its file gone
	if grep "^$ASD_DIR/" /proc/swaps | grep -q '(deleted)'; then
		echo "a deleted managed file is still swap"
		return 1
	fi
	# the daemon knows each managed file on disk, and no other
	listed=$(adaptswapctl status --json | grep -o '"name":"adaptswap-[0-9]*\.swap"' | sort | tr -d '\n')
	f=$(for f in "$ASD_DIR"/adaptswap-*.swap; do
		f=${f##*/}
		[ "$f" = adaptswap-90.swap ] || [ "$f" = 'adaptswap-*.swap' ] || echo "\"name\":\"$f\""
	done | sort | tr -d '\n')
	[ "$listed" = "$f" ] || { echo "status lists $listed, the disk has $f"; return 1; }
	# nothing foreign touched
	grep -q "^${FOREIGN}[[:space:]]" /proc/swaps || { echo "foreign swap turned off"; return 1; }
	! grep -q "adaptswap-90.swap" /proc/swaps || { echo "foreign adaptswap-90.swap used"; return 1; }
	[ "$(foreign_sums)" = "$FOREIGN_SUMS" ] || { echo "a foreign file changed"; return 1; }
}

# start_two_active CONF: the daemon started, two managed files active and
# a standby ready
start_two_active() {
	local i
	start_daemon "$1"
	for i in 1 2; do
		wait_secs 10 daemon_has '"state":"standby"'
		adaptswapctl grow
	done
	wait_secs 10 daemon_has '"state":"standby"'
}

# settled: no file busy, and a standby ready unless the budget has no room
settled() {
	local j room chunk
	j=$(adaptswapctl status --json) || return 1
	[[ $j != *'"state":"busy"'* ]] || return 1
	[[ $j != *'"state":"standby"'* ]] || return 0
	room=$(echo "$j" | sed -n 's/.*"room":\([0-9]*\).*/\1/p')
	chunk=$(echo "$j" | sed -n 's/.*"chunk":\([0-9]*\).*/\1/p')
	[ "$room" -lt "$chunk" ]
}

# settled_invariants: settled, chaos_invariants hold, and still settled
# afterwards: a shrink that starts between the two (its file swapped off,
# not yet deleted: a second inactive file for a moment) is not a failure,
# it is retried (wait_secs).  A make check run failed so once.
settled_invariants() {
	settled && chaos_invariants > /dev/null && settled
}

# pause MS: sleep MS milliseconds.  pause_rand MAX: below MAX, from the
# seeded $RANDOM (never in a $(...) subshell: bash reseeds it there).
pause() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }
pause_rand() { pause $(((RANDOM * 32768 + RANDOM) % $1)); }

# chaos_op OP: set the running daemon to work on OP and kill it (SIGKILL) at
# a random moment of it
chaos_op() {
	local op=$1 c=()
	case $op in
	refill)	# the start: recovery, then the standby's creation
		stop_daemon
		adaptswapd -c "$CONF" >> "$BATS_TEST_TMPDIR/asd.log" 2>&1 3>&- &
		ASD_PID=$!
		pause_rand 400
		;;
	grow)	# activation of the standby, then its refill
		wait_secs 10 daemon_has '"state":"standby"' || true
		adaptswapctl grow >/dev/null 2>&1 3>&- &
		c+=($!)
		pause_rand 250
		;;
	shrink)	# two files given back after 2 s of quiet, 300 ms apart
		wait_secs 10 daemon_has '"state":"standby"' || true
		adaptswapctl grow >/dev/null 2>&1 || true
		wait_secs 10 daemon_has '"state":"standby"' || true
		adaptswapctl grow >/dev/null 2>&1 || true
		pause $((1800 + RANDOM % 1200))
		;;
	release)	# every managed file off and deleted, in the worker
		wait_secs 10 daemon_has '"state":"standby"' || true
		adaptswapctl grow >/dev/null 2>&1 || true
		adaptswapctl release >/dev/null 2>&1 3>&- &
		c+=($!)
		pause_rand 200
		;;
	reload)	# another chunk size, read on SIGHUP
		sed -i "s/^chunk_mb = .*/chunk_mb = $((RANDOM % 2 ? 32 : 48))/" "$CONF"
		kill -HUP "$ASD_PID"
		pause_rand 200
		;;
	pressure)	# growth under a memory hog: swappiness moves too
		adaptswap-hog -r 100 -s 8 -h 2 $(($(avail_mb) + 48)) >/dev/null 2>&1 3>&- &
		HOG_PID=$!
		pause $((500 + RANDOM % 2500))
		;;
	esac
	kill -9 "$ASD_PID" 2>/dev/null || true
	wait "$ASD_PID" 2>/dev/null || true
	ASD_PID=
	[ ${#c[@]} -eq 0 ] || wait "${c[@]}" 2>/dev/null || true
	if [ -n "${HOG_PID:-}" ]; then
		kill "$HOG_PID" 2>/dev/null || true
		wait "$HOG_PID" 2>/dev/null || true
		HOG_PID=
	fi
	sed -i "s/^chunk_mb = .*/chunk_mb = 32/" "$CONF"
}

# chaos_run N: N iterations; the state of each one goes on to the next
chaos_run() {
	local n=$1 seed=${SEED:-$(((RANDOM << 15 | RANDOM) % 1000000000))} i op why
	local ops=(grow refill shrink release reload pressure) count=()
	echo "# chaos: seed $seed, $n iterations (replay: SEED=$seed)" >&3
	RANDOM=$seed
	start_daemon "$CONF"
	for ((i = 1; i <= n; i++)); do
		op=${ops[RANDOM % ${#ops[@]}]}
		count+=("$op")
		echo "iteration $i: $op" >> "$BATS_TEST_TMPDIR/asd.log"
		chaos_op "$op"
		start_daemon "$CHECK_CONF"
		if ! wait_secs 20 settled; then
			echo "# iteration $i ($op, seed $seed): the daemon did not settle" >&3
			adaptswapctl status >&3 2>&1 || true
			return 1
		fi
		if ! why=$(chaos_invariants); then
			echo "# iteration $i ($op, seed $seed): $why" >&3
			ls -l "$ASD_DIR" >&3
			cat /proc/swaps >&3
			return 1
		fi
		stop_daemon
		if [ "$(cat /proc/sys/vm/swappiness)" != "$CHAOS_SWAPPINESS" ]; then
			echo "# iteration $i ($op, seed $seed): swappiness $(cat /proc/sys/vm/swappiness) after stop" >&3
			return 1
		fi
		start_daemon "$CONF"
	done
	stop_daemon
	echo "# chaos: $(printf '%s\n' "${count[@]}" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" \
		"$(grep -c 'recover\|adopt' "$BATS_TEST_TMPDIR/asd.log" || true) recovery lines in the log" >&3
}
