#!/usr/bin/env bats
# tests/run-checks: the guest runs it plans from the suites' '# guest:'
# lines (kernels=, shapes=, smp=/mem=, --all-shapes), without booting
# anything (--list); shared boots (a stand-in run-guest); the budget; and
# run-guest's refusal of a bad machine shape or of suites that need
# different guests in one boot.
# Host suite.

load lib/helpers

setup() {
	requires host
	# a copy of run-checks over fixture suites (it finds suites under its
	# own tests/)
	FAKE=$BATS_TEST_TMPDIR/repo
	mkdir -p "$FAKE/tests/a" "$FAKE/tests/b"
	cp "$REPO/tests/run-checks" "$FAKE/tests/"
	# its own build directory: run-checks empties BUILD/check, and make
	# check exports the real one while this suite runs inside it
	export ADAPTSWAP_BUILD=$BATS_TEST_TMPDIR/build
	# nor make check's start, budget and lists (each test sets its own)
	unset CHECK_T0 CHECK_BUDGET KERNELS IMAGE_SUITES SHAPES PENDING JOBS
}

suite() {	# suite PATH HEADER
	printf '#!/usr/bin/env bats\n# guest: %s\n@test "x" { true; }\n' "$2" > "$FAKE/tests/$1"
}
# host_suite PATH NAME BODY [SLOTS]: a host suite of one test NAME running
# BODY; with SLOTS, a '# host: slots=SLOTS' line
host_suite() {
	{
		echo '#!/usr/bin/env bats'
		[ $# -lt 4 ] || echo "# host: slots=$4"
		echo "@test \"$2\" { $3; }"
	} > "$FAKE/tests/$1"
}

@test "--list: a run per kernel and shape; @ limits a shape to kernels, @full to the full matrix" {
	suite a/plain.guest.bats "timeout=100 shapes=1x256M,2x256M@full"
	suite a/big.guest.bats "mem=512M smp=2"
	suite b/two.guest.bats "kernels=k1,k3 shapes=1x256M,2x1G@k3"
	suite b/only.guest.bats "shapes=2x256M@k1+k2"
	run "$FAKE/tests/run-checks" -k "k1 k2 k3" --list
	echo "$output"
	[ "$status" -eq 0 ]
	# 2-vCPU runs first (they take both job slots), then kernel order
	[ "$output" = "k1 2x512M tests/a/big.guest.bats
k1 2x256M tests/b/only.guest.bats
k2 2x512M tests/a/big.guest.bats
k2 2x256M tests/b/only.guest.bats
k3 2x512M tests/a/big.guest.bats
k3 2x1G tests/b/two.guest.bats
k1 1x256M tests/a/plain.guest.bats
k1 1x256M tests/b/two.guest.bats
k2 1x256M tests/a/plain.guest.bats
k3 1x256M tests/a/plain.guest.bats
k3 1x256M tests/b/two.guest.bats" ]
}

@test "--all-shapes and SHAPES=all drop the @ limits, not kernels=" {
	suite a/full.guest.bats "kernels=k2 shapes=1x512M,2x512M@full"
	suite b/two.guest.bats "kernels=k1,k3 shapes=1x256M,2x1G@k3"
	suite b/only.guest.bats "shapes=2x256M@k1"
	local want="k1 2x256M tests/b/only.guest.bats
k1 2x1G tests/b/two.guest.bats
k2 2x512M tests/a/full.guest.bats
k2 2x256M tests/b/only.guest.bats
k3 2x256M tests/b/only.guest.bats
k3 2x1G tests/b/two.guest.bats
k1 1x256M tests/b/two.guest.bats
k2 1x512M tests/a/full.guest.bats
k3 1x256M tests/b/two.guest.bats"
	run "$FAKE/tests/run-checks" -k "k1 k2 k3" --all-shapes --list
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	SHAPES=all run "$FAKE/tests/run-checks" -k "k1 k2 k3" --list
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

@test "--list: slots= lets a multi-vCPU guest that uses about one core share the machine" {
	suite a/light.guest.bats "shapes=1x256M,2x1G slots=1"
	suite a/heavy.guest.bats "smp=2"
	suite a/big.guest.bats "smp=2 slots=3"
	run "$FAKE/tests/run-checks" -k k1 --list
	echo "$output"
	[ "$status" -eq 0 ]
	# the ones that take both slots first
	[ "$output" = "k1 2x256M tests/a/big.guest.bats
k1 2x256M tests/a/heavy.guest.bats
k1 1x256M tests/a/light.guest.bats
k1 2x1G tests/a/light.guest.bats (slots=1)" ]
}

# list_rejects HEADER WANT: --list on a suite a/bad.guest.bats with that
# '# guest:' line fails and names it (WANT in its output)
list_rejects() {
	suite a/bad.guest.bats "$1"
	run "$FAKE/tests/run-checks" -k k1 --list
	echo "'$1': $output"
	[ "$status" -eq 1 ]
	[[ $output == *"$2"* ]]
}

@test "--list: a malformed shape is named and fails" {
	local bad
	for bad in 2x 0x256M x1G 2x256 2x1T 100x1G 2x256M@ 2x256M@@k1; do
		list_rejects "shapes=1x256M,$bad" "bad shape '${bad%%@*}"
	done
}

@test "--list: share=on suites of a kernel and shape share a boot when their guests are the same; its est= is the sum of theirs" {
	suite a/one.guest.bats "share=on shapes=1x256M,2x256M@k2 est=30"
	suite a/two.guest.bats "timeout=100 share=on est=40"
	suite a/alone.guest.bats "timeout=100 est=50"
	suite b/disk.guest.bats "disk=3G share=on est=20"
	suite b/disk2.guest.bats "share=on disk=3G kernels=k1 est=20"
	suite b/mem.guest.bats "share=on mem=512M"
	suite b/wide.guest.bats "share=on smp=2 slots=1"
	suite b/append.guest.bats "share=on append=x=1"
	suite b/balloon.guest.bats "share=on balloon=on"
	run "$FAKE/tests/run-checks" -k "k1 k2" --list
	echo "$output"
	[ "$status" -eq 0 ]
	# (a 2-vCPU guest first: it takes both job slots; then the longest:
	# a shared boot takes as long as its suites together)
	[ "$output" = "k2 2x256M tests/a/one.guest.bats
k1 1x256M tests/a/one.guest.bats tests/a/two.guest.bats
k2 1x256M tests/a/one.guest.bats tests/a/two.guest.bats
k1 1x256M tests/a/alone.guest.bats
k2 1x256M tests/a/alone.guest.bats
k1 1x256M tests/b/disk.guest.bats tests/b/disk2.guest.bats
k2 1x256M tests/b/disk.guest.bats
k1 1x256M tests/b/append.guest.bats
k1 1x256M tests/b/balloon.guest.bats
k1 1x512M tests/b/mem.guest.bats
k1 2x256M tests/b/wide.guest.bats (slots=1)
k2 1x256M tests/b/append.guest.bats
k2 1x256M tests/b/balloon.guest.bats
k2 1x512M tests/b/mem.guest.bats
k2 2x256M tests/b/wide.guest.bats (slots=1)" ]
}

@test "a shared boot: each suite's TAP, verdict and time under its own name" {
	suite a/one.guest.bats "share=on"
	suite a/two.guest.bats "share=on"
	suite a/three.guest.bats "share=on"
	# a stand-in for run-guest: one boot, the second suite fails
	mkdir -p "$FAKE/tests/vm"
	cat > "$FAKE/tests/vm/run-guest" <<-'EOF'
	#!/bin/bash
	echo "$*" > "$(dirname "$0")/args"
	echo "# guest boot of 3 suites on k1 (1x256M): 42.5s"
	echo "# suite tests/a/one.guest.bats"
	printf '1..1\nok 1 first\n# guest tests/a/one.guest.bats on k1 (1x256M): 10.0s\n'
	echo "# suite tests/a/three.guest.bats"
	printf '1..2\nok 1 a\nok 2 b\n# guest tests/a/three.guest.bats on k1 (1x256M): 12.0s\n'
	echo "# suite tests/a/two.guest.bats"
	printf '1..2\nok 1 fine\nnot ok 2 this one fails\n# guest tests/a/two.guest.bats on k1 (1x256M): 11.0s\n'
	echo "not ok - guest two.guest.bats on k1: suite failed in the guest (rc=1)"
	exit 1
	EOF
	chmod +x "$FAKE/tests/vm/run-guest"
	ADAPTSWAP_BUILD=$BATS_TEST_TMPDIR/build run "$FAKE/tests/run-checks" -k k1 --no-unit --no-host
	echo "$output"
	[ "$status" -eq 1 ]
	# one boot of the three suites
	[ "$(cat "$FAKE/tests/vm/args")" = "-k k1 -c 1 -m 256M -o $BATS_TEST_TMPDIR/build/check/guest-k1-1x256M-group-tests_a_one.guest.bats tests/a/one.guest.bats tests/a/three.guest.bats tests/a/two.guest.bats" ]
	# each suite's TAP under its own heading, the failure under the second's
	[[ $output == *"# tests/a/one.guest.bats on k1, 1x256M, one boot with 2 more suites
1..1
ok 1 first
# tests/a/three.guest.bats on k1, 1x256M, one boot with 2 more suites
1..2
ok 1 a
ok 2 b
# tests/a/two.guest.bats on k1, 1x256M, one boot with 2 more suites
1..2
ok 1 fine
not ok 2 this one fails
not ok - guest two.guest.bats on k1: suite failed in the guest (rc=1)
"* ]]
	# the progress lines: each suite's, with its time in the guest, and the boot's
	[[ $output == *"] ok tests/a/one.guest.bats on k1 1x256M (shared boot): 1 ok, 0 not ok, 10.0s"* ]]
	[[ $output == *"] FAIL tests/a/two.guest.bats on k1 1x256M (shared boot): 1 ok, 2 not ok, 11.0s"* ]]
	[[ $output == *"] FAIL one boot of 3 suites on k1 1x256M: 4 ok, 2 not ok, "* ]]
	# the times: each suite's, and the boot's
	grep -q -x '# tests/a/two.guest.bats  *k1  *1x256M  *11.0s' <<< "$output"
	grep -q -x '# one boot: one+three+two  *k1  *1x256M  *42.5s' <<< "$output"
	[[ $output == *"4 passed, 2 failed, 0 skipped" ]]
}

@test "run-guest refuses suites that need different guests in one boot, before booting" {
	local d=$BATS_TEST_TMPDIR
	printf '# guest: disk=3G\n@test "x" { true; }\n' > "$d/a.bats"
	printf '# guest: disk=2G\n@test "x" { true; }\n' > "$d/b.bats"
	printf '# guest: mem=512M\n@test "x" { true; }\n' > "$d/c.bats"
	printf '# guest: balloon=on disk=2G\n@test "x" { true; }\n' > "$d/e.bats"
	local pair
	for pair in "a b" "b c" "b e"; do
		set -- $pair
		run -2 "$REPO/tests/vm/run-guest" -k bookworm "$d/$1.bats" "$d/$2.bats"
		echo "$pair: $output"
		[[ $output == "run-guest: $d/$1.bats and $d/$2.bats need different guests"* ]]
	done
	# what the command line sets is the same for all
	run "$REPO/tests/vm/run-guest" -k no-such-kernel -m 256M "$d/b.bats" "$d/c.bats"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output != *"need different guests"* ]]
}

@test "this repository: the 2-vCPU runs make check makes, and the full matrix" {
	run "$REPO/tests/run-checks" -k "bullseye bookworm bookworm-backports trixie sid" --list
	echo "$output"
	[ "$status" -eq 0 ]
	# two vCPUs in make check: the workload suite in 1 GiB on 6.1 (in
	# 256 MiB on 5.10 and 7.x), the smp suite on 7.x, the bounded module
	# fuzz suite (reloads under fire) on 6.1, the longest first (est=)
	[ "$(grep ' 2x' <<< "$output")" = "bookworm 2x1G tests/userspace/adaptswapd-workload.guest.bats
sid 2x256M tests/kmod/smp.guest.bats
bookworm 2x256M tests/kmod/fuzz.guest.bats" ]
	[ "$(grep ' 1x256M tests/userspace/adaptswapd-workload' <<< "$output")" = "bullseye 1x256M tests/userspace/adaptswapd-workload.guest.bats
sid 1x256M tests/userspace/adaptswapd-workload.guest.bats" ]
	# the 1-vCPU module suites on every kernel; the OOM suite (512 MiB, a
	# balloon) on 5.10, 6.1 and 7.x; the page-cache (1 GiB) and ramp
	# suites only in the full matrix
	[ "$(grep -c ' 1x512M tests/kmod/oom' <<< "$output")" -eq 3 ]
	! grep -q 'pagecache\|ramp' <<< "$output" || false
	[ "$(grep ' 1x256M ' <<< "$output" | grep -o ' tests/kmod/[a-z]*\.guest\.bats' | wc -l)" -eq 20 ]
	# the four module suites and the guest suite share one boot per kernel
	[ "$(grep -c -x '[a-z-]* 1x256M tests/kmod/module.guest.bats tests/kmod/netlink.guest.bats tests/kmod/pressure.guest.bats tests/kmod/sysfs.guest.bats tests/vm/guest.guest.bats' <<< "$output")" -eq 5 ]
	local n1
	n1=$(grep -c ' 1x256M ' <<< "$output")
	run "$REPO/tests/run-checks" -k "bullseye bookworm bookworm-backports trixie sid" --all-shapes --list
	[ "$status" -eq 0 ]
	# every module suite (and smp) in two vCPUs on every kernel, the
	# workload suite in 1 GiB on each of its kernels
	# (and the fuzz suite, one kernel: the 2-vCPU reloads under fire)
	[ "$(grep ' 2x256M ' <<< "$output" | grep -o ' tests/kmod/[a-z]*\.guest\.bats' | wc -l)" -eq 26 ]
	[ "$(grep -c ' 2x1G tests/userspace/adaptswapd-workload' <<< "$output")" -eq 3 ]
	# the page-cache and ramp suites on 6.1
	[ "$(grep -c 'bookworm 1x1G tests/kmod/pagecache\|bookworm 1x256M tests/userspace/adaptswapd-ramp' <<< "$output")" -eq 2 ]
	# and the 256 MiB shape of the workload suite on 6.1 too
	[ "$(grep -c ' 1x256M tests/userspace/adaptswapd-workload' <<< "$output")" -eq 3 ]
	[ "$(grep -c ' 1x256M ' <<< "$output")" -eq $((n1 + 2)) ]	# + workload on 6.1, ramp
}

@test "run-guest refuses a bad vCPU count or memory size before booting" {
	local a
	for a in "-c 0" "-c x" "-c 100" "-m 0" "-m 1T" "-m 256K" "-m big"; do
		eval "run -2 $REPO/tests/vm/run-guest -k bookworm $a guest"
		echo "$a: $output"
		[[ $output == "run-guest: bad "* ]]
	done
}

# A fixture repo whose run-guest prints a TAP stream, or hangs when the
# suite's name says so (a guest that never reports).
fake_guest() {
	mkdir -p "$FAKE/tests/vm"
	cat > "$FAKE/tests/vm/run-guest" <<'SH'
#!/bin/bash
for a; do suite=$a; done
date +%s.%N > "${suite%.bats}.start"
case $suite in
*hang*) echo $$ > "${suite%.bats}.pid"; sleep 600 ;;
esac
echo "1..1"
echo "ok 1 $suite"
echo "# guest $suite (k): 0.1s"
SH
	chmod +x "$FAKE/tests/vm/run-guest"
}

@test "each job prints a line when it ends; the summary ends with the times, the slowest last" {
	fake_guest
	suite a/one.guest.bats "mem=256M"
	suite b/two.guest.bats "mem=256M"
	printf '#!/usr/bin/env bats\n@test "h" { sleep 1; }\n' > "$FAKE/tests/b/slow.bats"
	t0=$(($(date +%s) - 7))
	CHECK_T0=$t0 run "$FAKE/tests/run-checks" -k k1 --no-unit
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"] ok tests/a/one.guest.bats on k1 1x256M: 1 ok, 0 not ok, "* ]]
	[[ $output == *"] ok tests/b/slow.bats: 1 ok, 0 not ok, "* ]]
	# the host suite took a second, the guests none: it is the last time
	[ "$(grep -A3 '^### summary' <<< "$output" | sed -n 4p | awk '{print $2}')" = tests/b/slow.bats ]
	# the preparation counted from CHECK_T0
	[[ $(tail -2 <<< "$output" | head -1) =~ ^"# prepared in "(7|8)"s (packages, kernels, builds), suites "[0-9]+"s, total "[0-9]+"s of a budget of 4800s"$ ]]
	[ "$(tail -1 <<< "$output")" = "3 passed, 0 failed, 0 skipped" ]
}

@test "CHECK_BUDGET: a hung job is killed, the ones not started fail as not run, the summary still comes" {
	fake_guest
	suite a/hang.guest.bats "mem=256M"
	suite b/later.guest.bats "mem=256M"
	mkdir -p "$FAKE/tests/c"
	suite c/last.guest.bats "mem=256M"
	# one slot: the hanging guest holds it, the others wait for it
	CHECK_BUDGET=4 JOBS=1 run timeout 60 "$FAKE/tests/run-checks" -k k1 --no-unit --no-host
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"budget of 0 min (CHECK_BUDGET=4 s) is spent: killing the jobs still running"* ]]
	[[ $output == *"#   killed: tests/a/hang.guest.bats on k1 1x256M"* ]]
	[[ $output == *"not ok - tests/a/hang.guest.bats on k1 1x256M: killed, make check's time budget (CHECK_BUDGET=4 s) was spent"* ]]
	[[ $output == *"not ok - tests/b/later.guest.bats on k1 1x256M: not run, make check's time budget"* ]]
	[[ $output == *"not ok - tests/c/last.guest.bats on k1 1x256M: not run, make check's time budget"* ]]
	[ "$(tail -1 <<< "$output")" = "0 passed, 3 failed, 0 skipped" ]
	# the hung guest's process is gone (or a zombie: here PID 1 may not
	# reap what is left to it)
	pid=$(cat "$FAKE/tests/a/hang.guest.pid")
	st=$(ps -o stat= -p "$pid") || st=gone
	echo "run-guest: $st"
	[[ $st == gone || $st == Z* ]]
}

@test "CHECK_BUDGET must be a positive number of seconds" {
	local b
	for b in 0 -5 x 1.5; do
		CHECK_BUDGET=$b run "$FAKE/tests/run-checks" -k k1 --no-unit --no-host --no-guest
		echo "$b: $output"
		[ "$status" -eq 2 ]
		[[ $output == *"CHECK_BUDGET must be a positive number of seconds, not '$b'"* ]]
	done
}

@test "a host suite that boots guests takes the slots its '# host: slots=N' line asks for" {
	fake_guest
	suite a/one.guest.bats "mem=256M"
	# the host suite starts first; with both slots it runs alone
	host_suite b/boots.bats h "sleep 2; date +%s.%N > '$FAKE/host.end'" 2
	run "$FAKE/tests/run-checks" -k k1 --no-unit
	echo "$output"
	[ "$status" -eq 0 ]
	echo "host ended $(cat "$FAKE/host.end"), guest started $(cat "$FAKE/tests/a/one.guest.start")"
	python3 -c 'import sys; sys.exit(not float(sys.argv[1]) <= float(sys.argv[2]))' \
		"$(cat "$FAKE/host.end")" "$(cat "$FAKE/tests/a/one.guest.start")"
}

@test "host suites that boot no guest run one at a time beside the guests, taking no slot" {
	fake_guest
	# the fake guest sleeps 2 s; one slot, so the guests run one by one
	sed -i 's/^echo "1..1"/sleep 2; date +%s.%N > "${suite%.bats}.end"\necho "1..1"/' "$FAKE/tests/vm/run-guest"
	suite a/one.guest.bats "mem=256M"
	suite a/two.guest.bats "mem=256M"
	local h
	for h in h1 h2; do
		host_suite "b/$h.bats" "$h" "date +%s.%N > '$FAKE/$h.start'; sleep 1; date +%s.%N > '$FAKE/$h.end'"
	done
	JOBS=1 run "$FAKE/tests/run-checks" -k k1 --no-unit
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(tail -1 <<< "$output")" = "4 passed, 0 failed, 0 skipped" ]
	# both host suites ran while the first guest held the only slot ...
	lt() { python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))' "$(cat "$1")" "$(cat "$2")"; }
	lt "$FAKE/h1.start" "$FAKE/tests/a/one.guest.end"
	lt "$FAKE/h2.start" "$FAKE/tests/a/two.guest.end"
	# ... one after the other
	lt "$FAKE/h1.end" "$FAKE/h2.start"
	# and the host suite's lines carry their time
	[[ $output == *"ok 1 h1 in "[0-9]*"ms"* ]]
}

@test "CHECK_BUDGET: the host suite running beside the guests is killed, the ones after it not run" {
	fake_guest
	suite a/one.guest.bats "mem=256M"
	host_suite b/h1.bats a true
	host_suite b/h2.bats b "echo \$\$ > '$FAKE/h2.pid'; sleep 600"
	host_suite b/h3.bats c true
	CHECK_BUDGET=4 run timeout 60 "$FAKE/tests/run-checks" -k k1 --no-unit
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"#   killed: host suites (beside the guests)"* ]]
	[[ $output == *"not ok - tests/b/h2.bats: killed, make check's time budget (CHECK_BUDGET=4 s) was spent"* ]]
	[[ $output == *"not ok - tests/b/h3.bats: not run, make check's time budget (CHECK_BUDGET=4 s) was spent"* ]]
	[ "$(tail -1 <<< "$output")" = "2 passed, 2 failed, 0 skipped" ]
	pid=$(cat "$FAKE/h2.pid")
	st=$(ps -o stat= -p "$pid") || st=gone
	[[ $st == gone || $st == Z* ]]
}

@test "a bad slots= on a '# host:' line fails that suite, not the run" {
	fake_guest
	suite a/one.guest.bats "mem=256M"
	local bad
	for bad in 0 x -1 ''; do
		host_suite b/odd.bats h true "$bad"
		run "$FAKE/tests/run-checks" -k k1 --no-unit
		echo "'$bad': $output"
		[ "$status" -eq 1 ]
		[[ $output == *"not ok - tests/b/odd.bats: bad slots= on its '# host:' line (a number from 1)"* ]]
		[ "$(tail -1 <<< "$output")" = "1 passed, 1 failed, 0 skipped" ]
	done
}

@test "--list: a bad slots= on a '# guest:' line is named and fails" {
	local bad
	for bad in 0 x -1 '' 1.5; do
		list_rejects "smp=2 slots=$bad" "bad slots= in tests/a/bad.guest.bats"
	done
}

@test "a bad slots= on a '# guest:' line fails that suite, not the run" {
	fake_guest
	suite a/one.guest.bats "mem=256M"
	suite a/odd.guest.bats "smp=2 slots=0"
	run "$FAKE/tests/run-checks" -k k1 --no-unit --no-host
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"not ok - tests/a/odd.guest.bats: bad slots= on its '# guest:' line (a number from 1)"* ]]
	[ "$(tail -1 <<< "$output")" = "1 passed, 1 failed, 0 skipped" ]
}

@test "--list: est= starts the longest runs first among those that take as many slots" {
	suite a/short.guest.bats "est=20"
	suite a/none.guest.bats "mem=512M"
	suite b/long.guest.bats "est=150 shapes=1x256M,2x1G"
	suite b/mid.guest.bats "est=90 smp=2"
	run "$FAKE/tests/run-checks" -k "k1 k2" --list
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "k1 2x1G tests/b/long.guest.bats
k2 2x1G tests/b/long.guest.bats
k1 2x256M tests/b/mid.guest.bats
k2 2x256M tests/b/mid.guest.bats
k1 1x256M tests/b/long.guest.bats
k2 1x256M tests/b/long.guest.bats
k1 1x256M tests/a/short.guest.bats
k2 1x256M tests/a/short.guest.bats
k1 1x512M tests/a/none.guest.bats
k2 1x512M tests/a/none.guest.bats" ]
}

@test "CHECK_BUDGET: a shared boot cut short keeps what its guest reported; the suite it ran is killed, the rest not run" {
	suite a/one.guest.bats "share=on"
	suite a/two.guest.bats "share=on"
	suite a/three.guest.bats "share=on"
	# a stand-in for run-guest: the guest ended the first suite, began the
	# second, then hangs; its result channel is in the -o directory
	mkdir -p "$FAKE/tests/vm"
	cat > "$FAKE/tests/vm/run-guest" <<-'EOF'
	#!/bin/bash
	while [ $# -gt 0 ]; do
		case $1 in
		-o) o=$2; shift 2 ;;
		-*) shift 2 ;;
		*) break ;;
		esac
	done
	mkdir -p "$o"
	printf 'ADAPTSWAP-SUITE n /tests/%s\n' "${1#tests/}" > "$o/result.log"
	printf '1..1\nok 1 first in 5ms\nADAPTSWAP-END n rc=0 time=3.0\n' >> "$o/result.log"
	printf 'ADAPTSWAP-SUITE n /tests/%s\n1..2\nok 1 a in 7ms\n' "${2#tests/}" >> "$o/result.log"
	echo $$ > "$(dirname "$0")/pid"
	sleep 600
	EOF
	chmod +x "$FAKE/tests/vm/run-guest"
	# one slot: k1's boot hangs in it, k2's never starts
	CHECK_BUDGET=4 JOBS=1 run timeout 60 "$FAKE/tests/run-checks" -k "k1 k2" --no-unit --no-host
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"#   killed: one boot of tests/a/one.guest.bats tests/a/three.guest.bats tests/a/two.guest.bats on k1 1x256M"* ]]
	[[ $output == *"# tests/a/one.guest.bats on k1, 1x256M, one boot with 2 more suites
1..1
ok 1 first in 5ms
# tests/a/three.guest.bats on k1, 1x256M, one boot with 2 more suites
1..2
ok 1 a in 7ms
not ok - tests/a/three.guest.bats on k1 (1x256M): killed (in a shared boot), make check's time budget (CHECK_BUDGET=4 s) was spent
# tests/a/two.guest.bats on k1, 1x256M, one boot with 2 more suites
not ok - tests/a/two.guest.bats on k1 (1x256M): not run (its shared boot was cut short), make check's time budget (CHECK_BUDGET=4 s) was spent
"* ]]
	local s
	for s in one two three; do
		[[ $output == *"not ok - tests/a/$s.guest.bats on k2 (1x256M): not run (its shared boot was cut short), make check's time budget"* ]]
	done
	[ "$(tail -1 <<< "$output")" = "2 passed, 5 failed, 0 skipped" ]
	pid=$(cat "$FAKE/tests/vm/pid")
	st=$(ps -o stat= -p "$pid") || st=gone
	[[ $st == gone || $st == Z* ]]
}
