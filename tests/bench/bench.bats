#!/usr/bin/env bats
# Smoke of the make bench harness (bench/run --smoke): two small guests in
# parallel, a 1-vCPU one with adaptswapd and the module (a ramp, a page-cache
# stream, idle) and a 2-vCPU one with zram (two processes, tmpfs), at 25 %
# of the workloads' sizes; then the outputs are checked for what they
# claim.  Also bench/run's arguments, its plan (--dry-run) and its schedule
# (stand-in guests).  Host suite (boots guests: three vCPUs at once, so it
# takes both of tests/run-checks' job slots).
# host: slots=2

load ../lib/helpers

KERNEL=${KERNELS:-bookworm}
KERNEL=${KERNEL%% *}

setup_file() {
	export SMOKE_OUT=$BATS_FILE_TMPDIR/out
}

have_image() {
	requires host qemu
	[ -s "$BUILD/guest/$KERNEL/initramfs.cpio.gz" ] ||
		skip "no guest image for $KERNEL (make initramfs)"
	command -v python3 >/dev/null || skip "requires python3 (tests/deps.sh bench)"
}

# jq-less JSON queries: py EXPR prints eval(EXPR) with r = results.json,
# m = its machines
py() {
	python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); m = r["machines"]; print(eval(sys.argv[2]))' \
		"$SMOKE_OUT/results.json" "$1"
}

@test "bad arguments: a clear error and exit 2" {
	local a
	for a in "--repeats 0" "--repeats x" "--repeats 1,2,3,4,x" "--jobs 99" "--configs noswap,bogus" \
		"--configs ''" "--machines 2x" "--machines 1x64M" "--machines 9x1G" "--machines ''" \
		"--work ramp:fast" "--work ramp:0" "--work multi:1" "--work multi:x" "--work sleep" \
		"--scale 5" "--idle 1" "--giveback 0" "--frobnicate" "--out"; do
		eval "run -2 $REPO/bench/run --dry-run $a"
		[[ $output == bench:* ]] || { echo "no bench: message for $a: $output"; false; }
		[[ $output == *usage* ]]
	done
	run -2 "$REPO/bench/run" --configs noswap,bogus
	[[ $output == *"unknown configuration 'bogus'"* ]]
	run -2 "$REPO/bench/run" --work ramp:fast
	[[ $output == *"bad ramp rate in 'ramp:fast'"* ]]
	run -2 "$REPO/bench/run" --machines 2x1G,3x
	[[ $output == *"bad machine '3x'"* ]]
}

@test "the plan: every machine x configuration, repeats per machine, the longest first" {
	run "$REPO/bench/run" --dry-run
	echo "$output"
	[ "$status" -eq 0 ]
	# 7 configurations, one boot each on every machine, its own workloads
	[ "$(grep -c ' 1x256M ' <<< "$output")" -eq 7 ]
	[ "$(grep -c ' 2x1G ' <<< "$output")" -eq 7 ]
	[ "$(grep -c ' 2x2G ' <<< "$output")" -eq 7 ]
	for c in noswap static swapspace zram zram-static psi module; do
		grep -q " 2x2G *$c *rep 1 " <<< "$output"
	done
	grep -q ' 1x256M *module *rep 1  ramp:60,ramp:120,stream,mixed,tmpfs,stress,spike,idle$' <<< "$output"
	grep -q ' 2x1G *module *rep 1  ramp:120,multi:2,multi:4,stream,spike,idle$' <<< "$output"
	grep -q ' 2x2G *module *rep 1  multi:4,spike,idle$' <<< "$output"
	# estimates in decreasing order, a forecast in minutes
	awk '$2 == "s" {print $1}' <<< "$output" | sort -n -r -c
	[[ $output == *"forecast about "*" minutes"* ]]
	# later boots run only the ramps and the multi-process workloads
	run "$REPO/bench/run" --dry-run --repeats 3,2,1
	[ "$status" -eq 0 ]
	[ "$(grep -c ' 1x256M ' <<< "$output")" -eq 21 ]
	[ "$(grep -c ' 2x1G ' <<< "$output")" -eq 14 ]
	grep -q ' 1x256M *zram *rep 3  ramp:60,ramp:120$' <<< "$output"
	grep -q ' 2x1G *psi *rep 2  ramp:120,multi:2,multi:4$' <<< "$output"
	! grep -q ' 2x2G .* rep 2 ' <<< "$output" || false
	run "$REPO/bench/run" --quick --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"14 boots on 1x256M,2x1G"* ]]
}

@test "smoke: two machines, zram and the module; JSON, tables and plots" {
	have_image
	run "$REPO/bench/run" --smoke -k "$KERNEL" -o "$SMOKE_OUT"
	echo "$output"
	[ "$status" -eq 0 ]
	# gnuplot had nothing to warn about (one ramp rate, a plot without swap)
	! grep -i 'warning' <<< "$output" || false

	# JSON: both machines, one configuration each, every boot complete
	[ "$(py 'sorted(m)')" = "['1x256M', '2x256M']" ]
	[ "$(py 'r["missing_runs"]')" = "[]" ]
	[ "$(py 'm["1x256M"]["configs"]')" = "['module']" ]
	[ "$(py 'm["2x256M"]["configs"]')" = "['zram']" ]
	for k in cpu cores qemu guest_kernel date_utc; do
		[ -n "$(py "r['machine']['$k']")" ]
	done
	# the guests had the shapes asked for
	[ "$(py 'sorted((x["machine"], x["cpus"]) for x in r["info"])')" = "[('1x256M', '1'), ('2x256M', '2')]" ]
	[ "$(py 'len(r["runs"])')" -eq 4 ]
	# the module run: survived, with an onset, an event and swap, in order
	[ "$(py '[(x["survived"], x["oom"]) for x in r["runs"] if x["cfg"] == "module" and x["work"] == "ramp:60"]')" = "[(1, 0)]" ]
	for k in onset_to_event_ms event_to_active_ms onset_to_active_ms; do
		[ "$(py "type(m['1x256M']['summary']['module']['$k']).__name__")" = float ]
	done
	py 'm["1x256M"]["summary"]["module"]["event_to_active_ms"] >= 0 or sys.exit(1)'
	py 'm["1x256M"]["summary"]["module"]["idle_rss_kb"] > 100 or sys.exit(1)'
	[ "$(py '[x["work"] for x in r["runs"] if x["cfg"] == "module"]')" = "['ramp:60', 'stream']" ]
	[ "$(py '[x["work"] for x in r["runs"] if x["cfg"] == "zram"]')" = "['multi:2', 'tmpfs']" ]
	# tmpfs pages are shmem: filled beyond RAM, they went to zram
	py '[x["swap_used_mib"] for x in r["runs"] if x["work"] == "tmpfs"][0] > 32 or sys.exit(1)'
	# zram: it held pages, compressed about as stated (2.5:1 by lz4)
	py '1.8 <= r["params"]["zram_compression_ratio"] <= 3.2 or sys.exit(1)'
	py 'm["2x256M"]["summary"]["zram"]["max_zram_mem_mib"] > 5 or sys.exit(1)'
	# the page-cache stream survived; no swap, no event (issue #13's target)
	[ "$(py '[x["survived"] for x in r["runs"] if x["work"] == "stream"]')" = "[1]" ]
	[ "$(py 'm["1x256M"]["summary"]["module"]["stream_swap_activated_mib"]')" = 0.0 ]
	[ "$(py 'm["1x256M"]["summary"]["module"]["stream_events"]')" = 0.0 ]

	# Markdown: a section per machine, a row per configuration with every
	# cell filled, a legend
	md=$SMOKE_OUT/results.md
	grep -q '^## 256 MiB, 1 vCPU ' "$md"
	grep -q '^## 256 MiB, 2 vCPUs ' "$md"
	grep -q '^| adaptswapd + module | 1/1 | 1/1 | 0 |$' "$md"
	grep -q '^| zram | [01]/1 | [01]/1 | [0-9] |$' "$md"
	local row hdr
	for hdr in '| Configuration | ramp:60' '| Configuration | multi:2' '| Configuration | Disk swap'; do
		ncol=$(grep -m1 -F "$hdr" "$md" | awk -F'|' '{print NF}')
		while IFS= read -r row; do
			[ "$(awk -F'|' '{print NF}' <<< "$row")" -eq "$ncol" ]
			! grep -qE '\|[[:space:]]*\|' <<< "$row" || false
		done < <(grep -A3 -F "$hdr" "$md" | grep -E '^\| (zram|adaptswapd \+ module) \|')
	done
	grep -q '^Legend:' "$md"
	grep -q 'zram measured [0-9.]*:1' "$md"

	# PNG plots, one set per machine: real PNG files with content
	for p in 1x256M-survival 1x256M-ramp_60 1x256M-stream 2x256M-survival 2x256M-multi_2 2x256M-tmpfs; do
		[ -s "$SMOKE_OUT/$p.png" ] || { ls "$SMOKE_OUT"; false; }
		[ "$(head -c 8 "$SMOKE_OUT/$p.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
		[ "$(stat -c %s "$SMOKE_OUT/$p.png")" -gt 2000 ]
	done
}

# A copy of bench/run whose guests are stand-ins: each writes "start" and
# "end" lines (NAME EPOCH) to $FAKE/log, says "Q quiet" after QUIET
# seconds and ends after BUSY more.
fake_bench() {
	FAKE=$BATS_TEST_TMPDIR/repo
	mkdir -p "$FAKE/bench" "$FAKE/tests/vm" "$FAKE/build/guest/bookworm" "$FAKE/userspace"
	cp "$REPO/bench/run" "$FAKE/bench/"
	cp "$REPO/userspace/adaptswapd.conf" "$FAKE/userspace/"
	cp "$REPO/tests/vm/cache.sh" "$FAKE/tests/vm/"
	echo x | gzip > "$FAKE/build/guest/bookworm/initramfs.cpio.gz"
	# an aggregate that does nothing: the schedule is what is tested
	printf 'import os, sys\nopen(os.path.join(sys.argv[sys.argv.index("--out") + 1], "results.md"), "w").close()\n' \
		> "$FAKE/bench/aggregate"
	: > "$FAKE/bench/plot.gp"
	cat > "$FAKE/tests/vm/run-guest" <<'SH'
#!/bin/bash
args=" $* "
cfg=${args#* bench_cfg=}; cfg=${cfg%% *}
m=${args#* bench_machine=}; m=${m%% *}
echo "start $m-$cfg $(date +%s.%N)" >> "$(dirname "$0")/../../log"
sleep 1.5
echo "Q quiet" >&2
echo "end $m-$cfg $(date +%s.%N)" >> "$(dirname "$0")/../../log"
sleep 1.5
echo "1..1"
echo "ok 1 x"
SH
	chmod +x "$FAKE/tests/vm/run-guest"
}

@test "a guest whose helper is timed has a core per vCPU to itself; the others go two at a time" {
	requires host
	command -v gnuplot >/dev/null || skip "requires gnuplot (tests/deps.sh bench)"
	fake_bench
	ADAPTSWAP_BUILD=$FAKE/build run "$FAKE/bench/run" -m 1x256M,2x1G -c noswap,static,module \
		-w ramp:60 --idle 5 --giveback 1 -o "$BATS_TEST_TMPDIR/out"
	echo "$output"
	[ "$status" -eq 0 ]
	cat "$FAKE/log"
	[ "$(grep -c '^start' "$FAKE/log")" -eq 6 ]
	# the busy spans (start to end): which overlapped which
	awk '$1 == "start" {s[$2] = $3} $1 == "end" {e[$2] = $3}
	END {
		for (a in s) for (b in s) if (a < b && s[a] < e[b] && s[b] < e[a]) print a, b
	}' "$FAKE/log" | sort > "$BATS_TEST_TMPDIR/overlaps"
	cat "$BATS_TEST_TMPDIR/overlaps"
	# the 2-vCPU module guest was busy alone; the 1-vCPU one beside at
	# most one 1-vCPU guest
	! grep -q '2x1G-module' "$BATS_TEST_TMPDIR/overlaps" || false
	! grep '1x256M-module' "$BATS_TEST_TMPDIR/overlaps" | grep -q 2x1G || false
	# the kernel-only ones did share, a 2-vCPU one too: two at a time
	grep -q '2x1G-\(noswap\|static\)' "$BATS_TEST_TMPDIR/overlaps"
}
