#!/usr/bin/env bats
# adaptswapctl's command line on the build host: usage, errors, exit codes.
# Nothing here needs the module or changes the machine.

load ../lib/helpers

setup() {
	CTL=${CTL:-$BUILD/host/bin/adaptswapctl}
	in_guest && CTL=/usr/bin/adaptswapctl
	[ -x "$CTL" ] || skip "adaptswapctl not built"
}

@test "--help prints usage on stdout and exits 0" {
	run --separate-stderr "$CTL" --help
	[ "$status" -eq 0 ]
	[[ $output == usage:* ]]
	[[ $output == *"exit codes"* ]]
	[ -z "$stderr" ]
}

@test "--version prints the project version" {
	run "$CTL" --version
	[ "$status" -eq 0 ]
	[[ $output == "adaptswapctl $(cat "$REPO/VERSION")"* ]]
}

@test "no command is a usage error on stderr, exit 2" {
	run --separate-stderr "$CTL"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ $stderr == usage:* ]]
}

@test "an unknown command is a usage error naming it, exit 2" {
	run --separate-stderr "$CTL" frobnicate
	[ "$status" -eq 2 ]
	[[ $stderr == *"unknown command 'frobnicate'"* ]]
}

# A table of {arguments, exit code, text on stderr}: none of these may
# reach the kernel (they fail the same with or without the module).
@test "bad arguments: usage errors with exit code 2" {
	while IFS='|' read -r args code text; do
		# shellcheck disable=SC2086
		run --separate-stderr "$CTL" $args
		if [ "$status" -ne "$code" ] || [[ $stderr != *"$text"* ]] || [ -n "$output" ]; then
			echo "adaptswapctl $args: exit $status, stderr: $stderr, stdout: $output"
			return 1
		fi
	done <<-'TABLE'
	set|2|expected KEY=VALUE
	set low_pct|2|expected KEY=VALUE
	set low_pct=|2|low_pct: empty value
	set =5|2|bad key
	set nosuch=1|2|unknown knob 'nosuch'
	set LOW_PCT=5|2|unknown knob 'LOW_PCT'
	set low_pct=-1|2|not a non-negative decimal
	set low_pct=1x|2|not a non-negative decimal
	set low_pct=0x10|2|not a non-negative decimal
	set low_pct=4294967296|2|too large
	set low_pct=30 low_pct=31|2|low_pct given twice
	status --bogus|2|unknown option
	status extra|2|unexpected argument 'extra'
	events --count|2|option '--count' needs an argument
	events --count 0|2|not a positive number
	events --count abc|2|not a positive number
	events --timeout -5|2|not a positive number
	events now|2|unexpected argument 'now'
	--bogus|2|unknown option '--bogus'
	TABLE
}

@test "without the module: status and events exit 3 with the reason" {
	in_guest && skip "the guest has the module"
	grep -q '^adaptswap ' /proc/modules 2>/dev/null && skip "module loaded here"
	for cmd in "status" "status --json" "events --count 1" "set low_pct=30"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$CTL" $cmd
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ $stderr == *"module is not loaded"* ]]
	done
}

@test "--help lists every command and knob" {
	run "$CTL" --help
	for w in status events set enabled low_pct medium_pct critical_pct hysteresis_pct \
		sample_idle_ms sample_fast_ms event_interval_ms; do
		[[ $output == *"$w"* ]] || { echo "missing $w"; return 1; }
	done
}

# --- against a stand-in for the daemon (tests/tools/fakeasd.c) -----------

FAKE=$BUILD/static/bin/adaptswap-fakeasd
CHECK=$BUILD/static/bin/adaptswap-jsoncheck
DAEMON_CMDS="grow shrink release hold resume reload"

# start_fake silent | start_fake answers: a fake adaptswapd in $RUN, whose
# answers are the files in $ANS (one per request); ADAPTSWAP_RUNDIR points
# adaptswapctl at it.
start_fake() {
	[ -x "$FAKE" ] || skip "adaptswap-fakeasd not built (make tools)"
	in_guest && skip "host only"
	RUN=$BATS_TEST_TMPDIR/run
	mkdir -p "$RUN" "$ANS"
	if [ "$1" = silent ]; then
		"$FAKE" "$RUN" silent 2> "$RUN/fake.err" 3>&- &
	else
		"$FAKE" "$RUN" answers "$ANS" 2> "$RUN/fake.err" 3>&- &
	fi
	FAKE_PID=$!
	wait_for 5 grep -q listening "$RUN/fake.err"
	export ADAPTSWAP_RUNDIR=$RUN
}

teardown() {
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
}

ANS=$BATS_FILE_TMPDIR/answers
# answer REQUEST: the fake's answer to REQUEST is stdin
answer() { mkdir -p "$ANS"; cat > "$ANS/$1"; }

# Answers like adaptswapd's (its JSON has a dir with a quote and a backslash).
canned_answers() {
	rm -rf "$ANS"
	printf 'ok\n{"version":"0.1.0","source":"psi","level":"none","held":false,"dir":"/mnt/a\\"q\\\\b","files":[{"name":"adaptswap-0.swap","size":67108864,"used":0,"state":"standby"}],"decisions":[{"age_ms":5,"text":"grow (x): \\"quoted\\""}]}\n' |
		answer status-json
	printf 'ok\nadaptswapd 0.1.0\nsource:     PSI trigger + meminfo\n' | answer status
	printf 'ok\n# TYPE adaptswap_level gauge\nadaptswap_level 0\n' | answer metrics
	printf 'ok\n{"adaptswap_level":0,"adaptswap_last_grow_latency_seconds":0.003250}\n' |
		answer metrics-json
	printf 'ok\ngrow (adaptswapctl grow): activated standby adaptswap-0.swap, 64 MiB: level critical >= grow_level low\n' |
		answer grow
	printf 'ok\nshrink: swapoff adaptswap-0.swap started: quiet\n' | answer shrink
	printf 'ok\nreleased: no managed swap left; growth is on hold until '"'"'resume'"'"'\n' |
		answer release
	printf 'ok\n' | answer hold
	printf 'ok\n' | answer resume
	printf 'ok\nconfiguration from /etc/adaptswap/adaptswapd.conf applied\n' | answer reload
}

@test "every command has --help after it (and help COMMAND), asking nobody" {
	start_fake silent
	cmds=$("$CTL" --help | awk '/^commands:/ {c = 1; next} /^$/ {c = 0} c {print $1}')
	[ -n "$cmds" ]
	for c in $cmds; do
		for form in "$c --help" "$c -h" "help $c" "-j $c --help" "$c -t 5 --help"; do
			# shellcheck disable=SC2086
			run --separate-stderr timeout 5 "$CTL" $form
			[ "$status" -eq 0 ] || { echo "$form: exit $status $stderr"; return 1; }
			[[ $output == "usage: adaptswapctl [OPTIONS] $c"* ]] || { echo "$form: $output"; return 1; }
			[[ $output == *"exit codes"* ]]
			[ -z "$stderr" ]
		done
	done
	[ ! -e "$RUN/requests" ]	# the daemon was never asked
}

@test "-V and --version anywhere print the version and do nothing else" {
	start_fake silent
	for form in "-V" "--version" "status -V" "grow --version" "-j metrics -V"; do
		# shellcheck disable=SC2086
		run --separate-stderr timeout 5 "$CTL" $form
		[ "$status" -eq 0 ]
		[ "$output" = "adaptswapctl $(cat "$REPO/VERSION")" ] ||
			[[ $output == "adaptswapctl $(cat "$REPO/VERSION") ("* ]]
	done
	[ ! -e "$RUN/requests" ]
}

@test "-j before and after the command: the same valid JSON, one object per line" {
	canned_answers
	start_fake answers
	for c in status metrics $DAEMON_CMDS; do
		a=$("$CTL" -j "$c") b=$("$CTL" "$c" -j) l=$("$CTL" --json "$c")
		[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$l" ] || { echo "$c: '$a' '$b' '$l'"; return 1; }
		[ "$(printf '%s\n' "$a" | wc -l)" -eq 1 ]
		printf '%s\n' "$a" | json_valid || { echo "$c: $a"; return 1; }
		printf '%s\n' "$a" | "$CHECK"
	done
	grep -qx status-json "$RUN/requests"
	grep -qx metrics-json "$RUN/requests"
}

@test "status -j on a machine without the module: module is null, the daemon's object kept" {
	grep -q '^adaptswap ' /proc/modules 2>/dev/null && skip "module loaded here"
	canned_answers
	start_fake answers
	run --separate-stderr "$CTL" status -j
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]	# one object, one line
	printf '%s\n' "$output" | json_valid
	python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["module"] is None, s
assert s["daemon"]["dir"] == "/mnt/a\"q\\b", s["daemon"]["dir"]
assert s["daemon"]["decisions"][0]["text"] == "grow (x): \"quoted\""
' "$output"
	# and the human form says so
	run "$CTL" status
	[ "$status" -eq 0 ]
	[[ $output == "module:    not loaded"*"adaptswapd 0.1.0"* ]]
}

@test "-j escapes what the daemon says: quotes, backslashes, control bytes, bad UTF-8" {
	printf 'ok\nsaid "hi" \\ back\ttab\001ctl \377 bad\n' | answer grow
	start_fake answers
	run --separate-stderr "$CTL" grow -j
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | json_valid
	python3 -c '
import json, sys
a = json.loads(sys.argv[1])
want = {"command": "grow", "ok": True, "message": "said \"hi\" \\ back\ttab\x01ctl \ufffd bad"}
assert a == want, a
' "$output"
}

@test "malformed JSON from the daemon is refused, not passed on" {
	printf 'ok\n{"a":\n' | answer status-json
	printf 'ok\n{"a":1} trailing\n' | answer metrics-json
	start_fake answers
	for c in status metrics; do
		run --separate-stderr "$CTL" -j "$c"
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		[[ $stderr == "adaptswapctl: $c: adaptswapd sent malformed JSON (byte "* ]]
	done
}

@test "a daemon that accepts and never answers: every command ends at -t with exit 6" {
	start_fake silent
	for c in status metrics $DAEMON_CMDS; do
		for form in "-t 300 $c" "$c --timeout 300" "-j $c -t 300"; do
			t0=$(date +%s%N)
			# shellcheck disable=SC2086
			run --separate-stderr timeout 10 "$CTL" $form
			ms=$((($(date +%s%N) - t0) / 1000000))
			[ "$status" -eq 6 ] || { echo "$form: exit $status ($stderr)"; return 1; }
			[ "$stderr" = "adaptswapctl: $c: adaptswapd did not answer within 300 ms" ] ||
				{ echo "$form: $stderr"; return 1; }
			[ -z "$output" ]
			# at the timeout, not the default of 10 s (wide: the machine may be busy)
			[ "$ms" -ge 290 ] && [ "$ms" -lt 8000 ] || { echo "$form: $ms ms"; return 1; }
		done
	done
}

@test "without -t: 10 s for status and metrics, longer for a change" {
	start_fake silent
	t0=$(date +%s%N)
	run --separate-stderr timeout 30 "$CTL" metrics
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "# metrics: $ms ms: $stderr" >&3
	[ "$status" -eq 6 ]
	[ "$stderr" = "adaptswapctl: metrics: adaptswapd did not answer within 10000 ms" ]
	[ "$ms" -ge 9900 ] && [ "$ms" -lt 25000 ]
	# a release may run swapoffs first: still waiting after 12 s (60 s)
	run timeout 12 "$CTL" release
	[ "$status" -eq 124 ]
}

# {command|the daemon's answer|exit code|stderr}: each error said once
@test "the daemon's refusals: said once on stderr, exit codes by kind" {
	start_fake answers
	while IFS='|' read -r cmd ans code err; do
		printf '%b' "$ans" | answer "$cmd"
		printf '%b' "$ans" | answer "$cmd-json"	# metrics -j asks for metrics-json
		for j in "" -j; do
			# shellcheck disable=SC2086
			run --separate-stderr "$CTL" $j "$cmd"
			if [ "$status" -ne "$code" ] || [ "$stderr" != "$err" ] || [ -n "$output" ]; then
				echo "$cmd $j: exit $status, stderr '$stderr', stdout '$output'"
				return 1
			fi
		done
	done <<-'TABLE'
	grow|error refused refused: budget max_swap_mb reached (434 MiB managed of 434 MiB, 64 MiB wanted)\n|1|adaptswapctl: grow: refused: budget max_swap_mb reached (434 MiB managed of 434 MiB, 64 MiB wanted)
	grow|error failed swapon adaptswap-3.swap failed: Invalid argument\n|1|adaptswapctl: grow: swapon adaptswap-3.swap failed: Invalid argument
	grow|error growth on hold\n|1|adaptswapctl: grow: growth on hold
	shrink|error denied permission denied: 'shrink' needs root\n|5|adaptswapctl: shrink: permission denied: 'shrink' needs root
	shrink|error busy busy: a swapoff or a standby refill is running\n|1|adaptswapctl: shrink: busy: a swapoff or a standby refill is running
	reload|error refused refused, the running configuration is kept: /etc/a.conf:3: max_disk_pct: 400 is out of range 1..100\n|1|adaptswapctl: reload: refused, the running configuration is kept: /etc/a.conf:3: max_disk_pct: 400 is out of range 1..100
	release|error invalid unknown request\n|1|adaptswapctl: release: unknown request
	hold|hello\n|1|adaptswapctl: hold: adaptswapd's answer starts with neither 'ok' nor 'error'
	resume||1|adaptswapctl: resume: adaptswapd closed the connection without an answer
	metrics|error denied no\n|5|adaptswapctl: metrics: no
	TABLE
}

@test "no daemon: exit 4 with the socket named; a dead socket likewise" {
	export ADAPTSWAP_RUNDIR=$BATS_TEST_TMPDIR/none
	for c in metrics $DAEMON_CMDS; do
		run --separate-stderr "$CTL" "$c"
		[ "$status" -eq 4 ]
		[ "$stderr" = "adaptswapctl: $c: adaptswapd is not running ($ADAPTSWAP_RUNDIR/adaptswapd.sock: No such file or directory)" ]
	done
	start_fake silent
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null || true
	FAKE_PID=
	[ -S "$RUN/adaptswapd.sock" ]
	run --separate-stderr "$CTL" grow
	[ "$status" -eq 4 ]
	[[ $stderr == *"adaptswapd is not running"*"Connection refused"* ]]
}

@test "option errors are usage errors, exit 2, with the reason" {
	while IFS='|' read -r args text; do
		# shellcheck disable=SC2086
		run --separate-stderr "$CTL" $args
		if [ "$status" -ne 2 ] || [[ $stderr != *"$text"* ]] || [ -n "$output" ]; then
			echo "adaptswapctl $args: exit $status, stderr: $stderr, stdout: $output"
			return 1
		fi
	done <<-'TABLE'
	-t|option '-t' needs an argument
	status -t|option '-t' needs an argument
	-t abc status|--timeout: 'abc' is not a positive number
	status --timeout 0|--timeout: '0' is not a positive number
	grow -t 86400001|not a positive number
	-t -5 grow|not a positive number
	--count 3 events|--count goes after 'events'
	grow --count 3|grow: unknown option '--count'
	grow -c 3|grow: unknown option '-c'
	grow extra|grow: unexpected argument 'extra'
	metrics -j extra|metrics: unexpected argument 'extra'
	help nosuch|unknown command 'nosuch'
	help grow shrink|help: unexpected argument 'shrink'
	-x|unknown option '-x'
	status -jx|status: unknown option '-x'
	--json|usage:
	TABLE
}

# The guest's JSON parser (adaptswap-jsoncheck, no python there) must agree
# with python3 on what is JSON.
@test "adaptswap-jsoncheck agrees with python3" {
	[ -x "$CHECK" ] || skip "adaptswap-jsoncheck not built (make tools)"
	in_guest && skip "host only"
	n=0
	while IFS= read -r doc; do
		printf '%b' "$doc" > "$BATS_TEST_TMPDIR/doc"
		"$CHECK" "$BATS_TEST_TMPDIR/doc" 2>/dev/null && c=0 || c=1
		json_valid < "$BATS_TEST_TMPDIR/doc" 2>/dev/null && p=0 || p=1
		[ "$c" = "$p" ] || { echo "disagree on '$doc': jsoncheck $c, python3 $p"; return 1; }
		n=$((n + 1))
	done <<-'CORPUS'
	{}
	[]
	{"a":[1,2,{"b":null}],"c":"\\u00e9\\n","d":-1.5e+3,"e":true,"f":false}
	  {"a":1}  \n
	"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"
	0
	-0.0
	1E400
	[1,]
	{"a":1,}
	{a:1}
	{"a" 1}
	01
	1.
	.5
	+1
	"abc
	"a\tb"
	"\\x"
	"\\u12"
	tru
	{} {}
	[1 2]
	"\x80"
	"\xc0\xaf"
	"\xed\xa0\x80"
	"\xf4\x90\x80\x80"
	NaN
	Infinity
	-Infinity
	'a'
	
	[[[[[[[[[[]]]]]]]]]]
	{"a":{"b":{"c":{"d":[]}}}}
	["\\ud83d\\ude00"]
	CORPUS
	echo "# $n documents" >&3
	[ "$n" -ge 30 ]
}

@test "the protocol document's client example asks the daemon" {
	ex=$BUILD/host/bin/adaptswap-daemon-status-example
	[ -x "$ex" ] || skip "not built"
	canned_answers
	start_fake answers
	run --separate-stderr "$ex"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tail -n +2 "$ANS/status-json")" ]
	printf '%s\n' "$output" | json_valid
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null || true
	start_fake silent
	run --separate-stderr "$ex"
	[ "$status" -eq 1 ]
	[ "$stderr" = "daemon-status: adaptswapd did not answer within 2000 ms" ]
}
