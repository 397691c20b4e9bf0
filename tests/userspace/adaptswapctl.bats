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
	[[ $output == *"Exit codes"* ]]
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
