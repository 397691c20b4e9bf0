#!/usr/bin/env bats
# bench/aggregate on recorded guest results, without a guest: what the
# tables say about runs that were lost.

load ../lib/helpers

setup() {
	command -v python3 >/dev/null || skip "requires python3 (tests/deps.sh bench)"
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT/raw"
}

# boot REP SURVIVED OOM: one recorded boot of PSI-only on 2x1G, multi:4
boot() {
	local t=$OUT/raw/2x1G-psi-$1.tap rc=0
	[ "$2" = 1 ] || rc=137
	echo "84 2x1G psi $1 multi:4 multi:4" >> "$OUT/raw/plan"
	{
		echo "# B machine=2x1G cfg=psi rep=$1 work=info mem_mb=972 cpus=2 scale=100 low_pct=20 random_pct=40 kernel=6.1.0-50-cloud-amd64 module_kb=NA"
		echo "# B machine=2x1G cfg=psi rep=$1 work=multi:4 rc=$rc survived=$2 oom=$3 t0=12.9 tend=33.1 onset=18.41 event=18.42 swapup=18.45 level_changes=1 base_alloc_kb=0 peak_alloc_kb=368616 peak_used_kb=341432 peak_disk_alloc_kb=368616 peak_disk_used_kb=341432 peak_zram_mem_kb=0 peak_dir_kb=434176 giveback_s=NA events_sent=NA rate_meas=121 static_mb=NA size_mb=1404"
		echo "# B machine=2x1G cfg=psi rep=$1 work=done"
	} > "$t"
}

@test "an OOM kill in one boot of three shows in the table, not a median of 0" {
	boot 1 1 0
	boot 2 0 1
	boot 3 1 0
	run "$REPO/bench/aggregate" --out "$OUT" --configs psi --machines 2x1G --mode full
	echo "$output"
	[ "$status" -eq 0 ]
	grep -F '| adaptswapd, PSI only |' "$OUT/results.md" | head -1
	grep -qx '| adaptswapd, PSI only | 2/3 | 1 |' "$OUT/results.md"
	grep -q '| OOM kills, all boots |$' "$OUT/results.md"
}

@test "two kills in one boot and one in another: 3" {
	boot 1 0 2
	boot 2 0 1
	run "$REPO/bench/aggregate" --out "$OUT" --configs psi --machines 2x1G --mode full
	[ "$status" -eq 0 ]
	grep -qx '| adaptswapd, PSI only | 0/2 | 3 |' "$OUT/results.md"
}
