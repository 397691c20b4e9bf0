#!/usr/bin/env bats
# The fuzzers' own promises, on this machine (no module, no daemon needed):
# a seed gives the same inputs every time (--dry-run), $SEED and -s agree,
# another seed gives other inputs, bad arguments are usage errors (exit 2).

load ../lib/helpers

setup() {
	BIN=$BUILD/static/bin
	[ -x "$BIN/adaptswap-genlfuzz" ] || skip "requires make tools"
}

dry() {	# dry TOOL ARGS...: the inputs a dry run prints
	"$BIN/adaptswap-$1" "${@:2}" --dry-run | tail -n +2
}

@test "a seed gives the same inputs, from -s or \$SEED; another seed other ones" {
	for t in genlfuzz sysfsfuzz ctlfuzz; do
		a=$(dry "$t" -n 500 -s 12345)
		b=$(SEED=12345 dry "$t" -n 500)
		c=$(dry "$t" -n 500 -s 12346)
		[ -n "$a" ]
		[ "$a" = "$b" ] || { echo "$t: -s and \$SEED differ"; return 1; }
		[ "$a" != "$c" ] || { echo "$t: two seeds, the same inputs"; return 1; }
		[ "$(echo "$a" | wc -l)" -ge 500 ]
	done
}

@test "the seed is printed first, and a random one when none is given" {
	for t in genlfuzz sysfsfuzz ctlfuzz; do
		run "$BIN/adaptswap-$t" -n 1 -s 777 --dry-run
		[[ ${lines[0]} == *"seed 777"* ]]
		run "$BIN/adaptswap-$t" -n 1 --dry-run
		[[ ${lines[0]} =~ seed\ [0-9]+ ]]
	done
}

@test "the inputs cover what the issue asks for" {
	g=$(dry genlfuzz -n 3000 -s 1)
	# commands beyond the family's, several versions, nested attributes
	[ "$(echo "$g" | awk '{print substr($9, 1, 2)}' | sort -u | wc -l)" -gt 100 ]
	s=$(dry sysfsfuzz -n 3000 -s 1)
	[[ $s == *'\x00'* ]]				# NUL bytes
	[[ $s == *'"-'[0-9]* ]]				# negative numbers
	[[ $s == *'4294967296'* ]]			# beyond 32 bits
	[[ $s == *'(4096 bytes)'* ]]			# a page
	[[ $s == *'(65536 bytes)'* ]]			# more than a page
	[[ $s == *'73\x00x'* ]]
	c=$(dry ctlfuzz -n 500 -s 1)
	for k in junk partial oversized slow burst hold early-close commands; do
		[[ $c == *"scenario "*": $k"* ]] || { echo "no $k scenario"; return 1; }
	done
}

@test "bad arguments are usage errors" {
	for t in genlfuzz sysfsfuzz ctlfuzz; do
		for a in "-n -1" "-n x" "-s abc" "-s -5" "-t 1x" "--no-such-option" "extra"; do
			# shellcheck disable=SC2086
			run "$BIN/adaptswap-$t" $a --dry-run
			[ "$status" -eq 2 ] || { echo "$t $a: exit $status"; return 1; }
		done
		# an empty or too large number is no count (not 0, not the largest)
		for a in -t -n; do
			for v in "" 99999999999999999999 100000001; do
				run "$BIN/adaptswap-$t" "$a" "$v" --dry-run
				[ "$status" -eq 2 ] || { echo "$t $a '$v': exit $status"; return 1; }
			done
		done
		run "$BIN/adaptswap-$t" -n 0 --dry-run	# neither a count nor a time
		[ "$status" -eq 2 ]
		run "$BIN/adaptswap-$t" --help
		[ "$status" -eq 0 ]
		[[ $output == usage:* ]]
	done
	run "$BIN/adaptswap-ctlfuzz" --min-hold 9 --max-hold 8 --dry-run
	[ "$status" -eq 2 ]
	run "$BIN/adaptswap-ctlfuzz" -S junk,nonsense --dry-run
	[ "$status" -eq 2 ]
	run "$BIN/adaptswap-genlfuzz" --dry-run=0x10000
	[ "$status" -eq 2 ]
	for a in nonsense nul-tail,nonsense ""; do
		run "$BIN/adaptswap-sysfsfuzz" --lenient "$a" -n 1 --dry-run
		[ "$status" -eq 2 ] || { echo "sysfsfuzz --lenient '$a': exit $status"; return 1; }
	done
	run "$BIN/adaptswap-sysfsfuzz" --lenient nul-tail,plus-sign,low-hyst -n 1 --dry-run
	[ "$status" -eq 0 ]
	# netlink numbers are binary: only the knob rule applies there
	run "$BIN/adaptswap-genlfuzz" --lenient nul-tail -n 1 --dry-run
	[ "$status" -eq 2 ]
	run "$BIN/adaptswap-genlfuzz" --lenient low-hyst -n 1 --dry-run
	[ "$status" -eq 0 ]
}

# A test of the test: the sysfs fuzzer against a directory of plain files,
# which take every write as it comes (a store that accepts anything).
@test "the sysfs fuzzer fails a directory that takes every write, and names the write and the seed" {
	for len in "" "--lenient nul-tail,plus-sign,low-hyst"; do
		d=$(mktemp -d "$BATS_TEST_TMPDIR/sys.XXXX")
		for kv in enabled=1 low_pct=20 medium_pct=10 critical_pct=5 hysteresis_pct=3 \
			sample_idle_ms=1000 sample_fast_ms=4 event_interval_ms=1000; do
			echo "${kv#*=}" > "$d/${kv%%=*}"
			chmod 0644 "$d/${kv%%=*}"
		done
		echo 1.0 > "$d/version"
		chmod 0444 "$d/version"
		# shellcheck disable=SC2086
		run "$BIN/adaptswap-sysfsfuzz" -d "$d" -n 200 -s 42 $len
		[ "$status" -eq 1 ] || { echo "$len: exit $status"; echo "$output"; return 1; }
		[[ $output == *"FAIL: write "* ]]
		[[ ${lines[-1]} == "sysfsfuzz: seed 42: FAIL ("* ]]
	done
}
