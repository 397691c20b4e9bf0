#!/usr/bin/env bats
# Smoke of the make bench harness (bench/run): one short ramp, no swap and
# adaptswapd with the module, one repeat each, in real guests; then the
# outputs are checked for what they claim.  Host suite (boots guests).

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

# jq-less JSON queries: py EXPR prints eval(EXPR) with r = results.json
py() {
	python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$SMOKE_OUT/results.json" "$1"
}

@test "bad arguments: a clear error and exit 2" {
	local a
	for a in "--repeats 0" "--repeats x" "--jobs 99" "--configs noswap,bogus" "--configs ''" \
		"--work ramp:fast" "--work ramp:0" "--work sleep" "--idle 1" "--frobnicate" "--out"; do
		eval "run -2 $REPO/bench/run $a"
		[[ $output == bench:* ]] || { echo "no bench: message for $a: $output"; false; }
		[[ $output == *usage* ]]
	done
	run -2 "$REPO/bench/run" --configs noswap,bogus
	[[ $output == *"unknown configuration 'bogus'"* ]]
	run -2 "$REPO/bench/run" --work ramp:fast
	[[ $output == *"bad ramp rate in 'ramp:fast'"* ]]
}

@test "smoke: noswap and module, one ramp; JSON, table and plots" {
	have_image
	run "$REPO/bench/run" --smoke -k "$KERNEL" -o "$SMOKE_OUT"
	echo "$output"
	[ "$status" -eq 0 ]

	# JSON: parses, machine info, both configurations, numeric figures
	[ "$(py 'sorted(r["summary"])')" = "['module', 'noswap']" ]
	[ "$(py 'r["missing_runs"]')" = "[]" ]
	for k in cpu cores qemu guest_kernel date_utc; do
		[ -n "$(py "r['machine']['$k']")" ]
	done
	[ "$(py 'len(r["runs"])')" -eq 2 ]
	# without swap the ramp is OOM-killed; with the module it survives
	[ "$(py '[(x["survived"], x["oom"] > 0) for x in r["runs"] if x["cfg"] == "noswap"]')" = "[(0, True)]" ]
	[ "$(py '[(x["survived"], x["oom"]) for x in r["runs"] if x["cfg"] == "module"]')" = "[(1, 0)]" ]
	# the module run has an onset, an event and swap activation, in order
	for k in onset_to_event_ms event_to_active_ms onset_to_active_ms; do
		[ "$(py "type(r['summary']['module']['$k']).__name__")" = float ]
	done
	py 'r["summary"]["module"]["event_to_active_ms"] >= 0 or sys.exit(1)'
	py 'r["summary"]["module"]["peak_swap_used_mib"] > 100 or sys.exit(1)'
	[ "$(py 'r["summary"]["noswap"]["fastest_ramp_mib_s"]')" = 0.0 ]
	[ "$(py 'r["summary"]["module"]["fastest_ramp_mib_s"]')" = 40.0 ]

	# Markdown: a row per configuration, every cell filled, a legend
	md=$SMOKE_OUT/results.md
	hdr=$(grep -m1 '^| Configuration | Ramps survived' "$md")
	ncol=$(awk -F'|' '{print NF}' <<< "$hdr")
	rows=$(grep -E '^\| (no swap|adaptswapd \+ module) \|' "$md" | grep -c . || true)
	[ "$rows" -eq 4 ]	# main table and per-rate table
	while IFS= read -r row; do
		[ "$(awk -F'|' '{print NF}' <<< "$row")" -eq "$ncol" ]
		! grep -qE '\|[[:space:]]*\|' <<< "$row"
	done < <(grep -E '^\| (no swap|adaptswapd \+ module) \|' "$md" | head -2)
	grep -q '^| adaptswapd + module | 1/1 | 40 |' "$md"
	grep -q '^| no swap | 0/1 | none |' "$md"
	grep -q '^Legend:' "$md"

	# PNG plots: real PNG files with content
	for p in survival ramp_40; do
		[ -s "$SMOKE_OUT/$p.png" ]
		[ "$(head -c 8 "$SMOKE_OUT/$p.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
		[ "$(stat -c %s "$SMOKE_OUT/$p.png")" -gt 2000 ]
	done
}
