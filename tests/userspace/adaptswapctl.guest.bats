#!/usr/bin/env bats
# Every --json output of adaptswapctl and adaptswapd, parsed in the guest
# by a real parser (adaptswap-jsoncheck; no python there): status with and
# without the module, events, metrics, the daemon's answers, and a swap
# directory whose name holds '"', '\', a tab and a byte that is not UTF-8.
# guest: mem=256M timeout=400 disk=2G kernels=bookworm est=35

load ../lib/helpers

setup() {
	requires guest root
	CONF=$BATS_TEST_TMPDIR/asd.conf
	load_module || true
}

teardown() {
	stop_daemon
	kill "${EVENTS_PID:-}" 2>/dev/null || true
	swapoff -a 2>/dev/null || true
	rm -rf "$ASD_DIR" /mnt/as*
	unload_module
	echo 60 > /proc/sys/vm/swappiness
	tail -20 "$BATS_TEST_TMPDIR/asd.log" 2>/dev/null || true
}

# one_json CMD...: the command's stdout is one line of valid JSON; in $out
one_json() {
	out=$("$@")
	printf '%s\n' "$out" | json_valid || { echo "not JSON: $* -> $out"; return 1; }
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || { echo "not one line: $*"; return 1; }
}

@test "status, metrics and every answer of the daemon are JSON, -j before or after" {
	write_conf "$CONF" max_swap_mb=1536
	start_daemon "$CONF"
	wait_for 10 daemon_has '"state":"standby"'
	one_json adaptswap-daemon-status-example	# doc/protocol.md's client
	for c in status metrics grow; do
		one_json adaptswapctl -j "$c"
		one_json adaptswapctl "$c" --json
	done
	[[ $out == '{"command":"grow","ok":true,"message":"grow (adaptswapctl grow): '* ]]
	wait_for 10 daemon_has '"state":"standby"'
	one_json adaptswapctl shrink -j
	[[ $out == '{"command":"shrink","ok":true,"message":"shrink: swapoff '*' started: '* ]]
	for c in hold resume reload; do
		one_json adaptswapctl -j "$c"
		[[ $out == "{\"command\":\"$c\",\"ok\":true,"* ]]
	done
	wait_for 20 sh -c '! adaptswapctl status -j | grep -q "\"state\":\"busy\""'
	one_json adaptswapctl -t 30000 release -j
	[[ $out == *'"message":"released: no managed swap left; growth is on hold until '"'resume'"'"}' ]]
	# a refusal: nothing on stdout, the reason once on stderr
	run --separate-stderr adaptswapctl -j grow
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "adaptswapctl: grow: growth on hold" ]
}

@test "metrics -j has the names and values of the Prometheus text" {
	write_conf "$CONF" max_swap_mb=1536
	start_daemon "$CONF"
	adaptswapctl grow
	text=$(adaptswapctl metrics)
	one_json adaptswapctl metrics -j
	names_text=$(grep -v '^#' <<<"$text" | sed 's/[ {].*//' | sort)
	names_json=$(grep -o '"adaptswap_[a-z_]*"' <<<"$out" | tr -d '"' | sort)
	[ -n "$names_text" ]
	[ "$names_text" = "$names_json" ]
	# a value that does not move between the two reads
	[[ $text == *$'\nadaptswap_managed_files 2'* ]]
	[[ $out == *'"adaptswap_managed_files":2,'* ]]
}

@test "events -j: one JSON object per line" {
	requires module
	start_events "$BATS_TEST_TMPDIR/ev" --count 2 -t 20000
	# a threshold above what is available: the level rises at once, and falls back
	adaptswapctl set low_pct=90 medium_pct=89 critical_pct=88
	sleep 1
	adaptswapctl set critical_pct=5 medium_pct=10 low_pct=20
	wait "$EVENTS_PID"
	EVENTS_PID=
	cat "$BATS_TEST_TMPDIR/ev" >&3
	[ "$(wc -l < "$BATS_TEST_TMPDIR/ev")" -eq 2 ]
	json_valid --lines < "$BATS_TEST_TMPDIR/ev"
	grep -q '"cause":"knob"' "$BATS_TEST_TMPDIR/ev"
}

@test "status -j without the module: module is null, the daemon's part valid, one line" {
	unload_module
	write_conf "$CONF" max_swap_mb=1536
	start_daemon "$CONF" --source psi
	one_json adaptswapctl status -j
	[[ $out == '{"module":null,"daemon":{'*'"source":"psi"'* ]]
	one_json adaptswapctl -j metrics
	[[ $out == *'"adaptswap_module_in_use":0,'* ]]
	[[ $out == *'"adaptswap_daemon_info":{"version":"'*'","source":"psi"}'* ]]
}

@test "status -j with the module and no daemon: daemon is null, the module's part valid" {
	requires module
	one_json adaptswapctl status -j
	[[ $out == '{"module":{"version":"'*'"knobs":{"enabled":1,'*'},"daemon":null}' ]] ||
		{ echo "$out"; return 1; }
	run --separate-stderr adaptswapctl status
	[ "$status" -eq 0 ]
	[[ $output == "module:    adaptswap "*"adaptswapd: not running" ]]
	[ -z "$stderr" ]
}

@test "a swap directory named with '\"', '\\', a tab and a non-UTF-8 byte: JSON still" {
	dir=$'/mnt/as"q\\b\tc\xff'
	write_conf "$CONF" "dir=$dir" max_swap_mb=1536
	start_daemon "$CONF"
	adaptswapctl grow
	one_json adaptswapctl status -j
	# the name escaped, the byte that is not UTF-8 as U+FFFD
	want=$'"dir":"/mnt/as\\"q\\\\b\\tc\xef\xbf\xbd"'
	[[ $out == *"$want"* ]] || { echo "$out"; return 1; }
	# the file in it is active swap, found in /proc/swaps through the escapes
	[[ $out == *'"state":"active"'* ]]
	grep -c '^/mnt/as"q' /proc/swaps
	one_json adaptswapctl metrics -j
	[[ $out == *'"adaptswap_grows_total":1,'* ]]
	# the human status shows it as it is
	adaptswapctl status | grep -qF "files in $dir:"
	adaptswapctl release
}

# adaptswapctl -t closes the connection when it stops waiting; the daemon
# then writes its answers into closed sockets.
@test "clients that give up before the answer do not end the daemon" {
	write_conf "$CONF" max_swap_mb=1536
	start_daemon "$CONF"
	# a daemon too busy to answer: the requests wait in the backlog
	kill -STOP "$ASD_PID"
	gave_up=0
	for c in status metrics status metrics grow; do
		rc=0
		adaptswapctl -t 300 -j "$c" >/dev/null 2>&1 || rc=$?
		[ "$rc" -ne 6 ] || gave_up=$((gave_up + 1))
	done
	kill -CONT "$ASD_PID"
	[ "$gave_up" -eq 5 ]
	# it reads them all and answers into the closed connections
	sleep 2
	kill -0 "$ASD_PID"
	adaptswapctl status > /dev/null
	[ "$(grep -c 'grow (adaptswapctl grow)' "$BATS_TEST_TMPDIR/asd.log")" -eq 1 ]
}
