#!/usr/bin/env bats
# OOM events mean kills.  The guest has a virtio balloon with
# deflate-on-oom, which the host inflates over QMP (host_request): a hog
# that the balloon's deflation saves is never killed, and must produce no
# OOM event; a hog that the OOM killer really kills produces exactly one,
# naming it.
# make check runs it on 5.10 (mark_victim passes only a pid), 6.1 and 7.x;
# make bench-guest on every kernel.
# guest: mem=512M timeout=600 balloon=on kernels=bullseye,bookworm,sid est=30

load ../lib/helpers

setup() {
	requires guest root module
	modprobe virtio_balloon
	load_module
	EV=$BATS_TEST_TMPDIR/ev
}

teardown() {
	[ -z "${EVENTS_PID:-}" ] || kill "$EVENTS_PID" 2>/dev/null || true
	unload_module
	# give the guest its memory back for the next test
	balloon_to 512 >/dev/null || true
}

kernel_kills() { awk '$1 == "oom_kill" {print $2}' /proc/vmstat; }
avail_atleast() { [ "$(avail_mb)" -ge "$1" ]; }
actual_mb() { host_request balloon-query | sed -n 's/^ok actual=//p'; }

@test "the host inflates and deflates the balloon on request" {
	a=$(avail_mb)
	run balloon_to 320
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "ok actual=320" ]
	b=$(avail_mb)
	echo "# MemAvailable $a -> $b MiB with 192 MiB in the balloon" >&3
	[ "$b" -le $((a - 160)) ]
	run balloon_to 512
	[ "$output" = "ok actual=512" ]
	# the deflated pages may reach the free lists a moment after the
	# balloon reports its size (seen on 7.2)
	wait_for 10 avail_atleast $((a - 32)) ||
		{ echo "MemAvailable $(avail_mb) MiB after deflating, $a before"; false; }
}

@test "a hog that deflate-on-oom saves: no OOM event, oom_kills unchanged" {
	balloon_to 320
	start_events "$EV"
	k0=$(kernel_kills) c0=$(cat $SYS/oom_kills)
	# 48 MiB more than is available: only the balloon can give it
	want=$(( $(avail_mb) + 48 ))
	run adaptswap-hog -r 100 -s 4 "$want"
	echo "$output" | tail -2
	[ "$status" -eq 0 ]
	[[ $output == *"hog: done"* ]]
	after=$(actual_mb)
	echo "# hog of $want MiB survived; the balloon gave back $((after - 320)) MiB" >&3
	[ "$after" -gt 320 ]		# the balloon did deflate on OOM
	[ "$(kernel_kills)" -eq "$k0" ]	# and the OOM killer killed nothing
	sleep 2
	cat "$EV"
	[ "$(cat $SYS/oom_kills)" -eq "$c0" ]
	! grep -q '"type":"oom"' "$EV"
}

@test "a hog the OOM killer kills: exactly one OOM event, naming it" {
	balloon_to 448
	start_events "$EV"
	k0=$(kernel_kills) c0=$(cat $SYS/oom_kills)
	adaptswap-hog -r 100 -s 8 1024 > "$BATS_TEST_TMPDIR/hog" 3>&- &
	pid=$!
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 137 ]		# SIGKILL
	[ "$(kernel_kills)" -eq $((k0 + 1)) ]
	wait_for 10 grep -q '"type":"oom"' "$EV"
	sleep 2				# anything else would have arrived
	cat "$EV"
	[ "$(grep -c '"type":"oom"' "$EV")" -eq 1 ]
	grep '"type":"oom"' "$EV" | grep -q "\"cause\":\"oom\""
	grep '"type":"oom"' "$EV" | grep -q "\"oom_victim_pid\":$pid,\"oom_victim_comm\":\"adaptswap-hog\""
	grep '"type":"oom"' "$EV" | grep -q "\"oom_kills\":$((c0 + 1)),"
	[ "$(cat $SYS/oom_kills)" -eq $((c0 + 1)) ]
}
