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
