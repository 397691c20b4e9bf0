#!/usr/bin/env bats
# adaptswapd's metrics (userspace/daemon/metrics.c) on recorded figures
# ($BUILD/tests/metrics_test print): promtool check metrics passes, the
# names, types and HELP are those of doc/metrics.md, JSON has the same
# names, the alert rules find theirs; the textfile a stopped daemon leaves
# (adaptswapd --stopped, the unit's ExecStopPost=).  The daemon's own
# output is checked in the image suite (tests/image/in-image.image.bats).

load ../lib/helpers

T=$BUILD/tests/metrics_test
ASD=$BUILD/host/sbin/adaptswapd

setup() {
	requires host
	command -v promtool >/dev/null || {
		echo "needs promtool (Debian package prometheus: tests/deps.sh)"
		return 1
	}
	[ -x "$T" ] && [ -x "$ASD" ] || { echo "run make unit first"; return 1; }
}

# the metric table of doc/metrics.md: "name type", one a line, sorted
doc_metrics() {
	awk -F'|' '/^\| `adaptswap_/ { n = $2; gsub(/[ `]/, "", n); sub(/\{.*/, "", n)
		t = $3; gsub(/ /, "", t); print n, t }' "$REPO/doc/metrics.md" | sort
}

# the "# TYPE" lines of a text: "name type", sorted
types_of() { awk '$1 == "#" && $2 == "TYPE" { print $3, $4 }' | sort; }

@test "promtool check metrics passes on the text, with and without the module" {
	for m in "" nomodule; do
		run promtool check metrics < <("$T" print $m)
		echo "$output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
}

@test "the text has exactly the metrics of doc/metrics.md, with their types and HELP" {
	"$T" print > "$BATS_TEST_TMPDIR/m"
	doc_metrics > "$BATS_TEST_TMPDIR/doc"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/doc")" -ge 35 ]
	diff -u "$BATS_TEST_TMPDIR/doc" <(types_of < "$BATS_TEST_TMPDIR/m")
	# a HELP for each, and one sample line for each
	diff <(awk '$2 == "TYPE" { print $3 }' "$BATS_TEST_TMPDIR/m" | sort) \
		<(awk '$2 == "HELP" && NF > 3 { print $3 }' "$BATS_TEST_TMPDIR/m" | sort)
	diff <(awk '$2 == "TYPE" { print $3 }' "$BATS_TEST_TMPDIR/m" | sort) \
		<(grep -v '^#' "$BATS_TEST_TMPDIR/m" | sed 's/[ {].*//' | sort)
	# without the module: the same less adaptswap_module_* (module_in_use is the daemon's)
	grep -v -E '^adaptswap_module_' "$BATS_TEST_TMPDIR/doc" > "$BATS_TEST_TMPDIR/daemon"
	grep '^adaptswap_module_in_use ' "$BATS_TEST_TMPDIR/doc" >> "$BATS_TEST_TMPDIR/daemon"
	diff -u <(sort "$BATS_TEST_TMPDIR/daemon") <("$T" print nomodule | types_of)
}

@test "-j's JSON has the names of the text; an _info metric as its labels" {
	"$T" print > "$BATS_TEST_TMPDIR/m"
	"$T" json > "$BATS_TEST_TMPDIR/j"
	diff <(grep -v '^#' "$BATS_TEST_TMPDIR/m" | sed 's/[ {].*//' | sort) \
		<(grep -o '"adaptswap_[a-z_]*"' "$BATS_TEST_TMPDIR/j" | tr -d '"' | sort)
	grep -qF '"adaptswap_daemon_info":{"version":"' "$BATS_TEST_TMPDIR/j"
}

@test "every metric the alert rules and their tests use is written" {
	"$T" print > "$BATS_TEST_TMPDIR/m"
	used=$(grep -ohE 'adaptswap_[a-z_]+' "$REPO/contrib/prometheus/adaptswap-rules.yml" \
		"$REPO/tests/contrib/prometheus/adaptswap-rules.test.yml" | sort -u)
	[ -n "$used" ]
	for n in $used; do
		grep -q "^$n[ {]" "$BATS_TEST_TMPDIR/m" || { echo "not written: $n"; return 1; }
	done
}

@test "adaptswapd --stopped leaves adaptswap_daemon_up 0 in textfile_dir, renamed into place" {
	d=$BATS_TEST_TMPDIR
	mkdir "$d/tf"
	echo "textfile_dir = $d/tf" > "$d/a.conf"
	echo 'stale' > "$d/tf/adaptswap.prom"
	ln -s /etc/passwd "$d/tf/.adaptswap.prom.tmp"	# a left-over temp name is replaced, never followed
	ino=$(stat -c %i "$d/tf/adaptswap.prom")
	run "$ASD" --stopped -c "$d/a.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -v '^#' "$d/tf/adaptswap.prom")" = "adaptswap_daemon_up 0" ]
	promtool check metrics < "$d/tf/adaptswap.prom"
	[ "$(stat -c %i "$d/tf/adaptswap.prom")" != "$ino" ]	# a new file, renamed
	[ "$(stat -c %a "$d/tf/adaptswap.prom")" = 644 ]
	[ "$(ls -A "$d/tf")" = adaptswap.prom ]
	grep -q '^root:' /etc/passwd
	# without textfile_dir: nothing to do
	: > "$d/b.conf"
	run "$ASD" --stopped -c "$d/b.conf"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a directory that is gone: an error, exit 1
	rm -r "$d/tf"
	run "$ASD" --stopped -c "$d/a.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == "adaptswapd: textfile_dir: cannot open '$d/tf': No such file or directory" ]]
}

@test "--check-config: textfile_dir must be an absolute, writable directory (FILE:LINE)" {
	d=$BATS_TEST_TMPDIR
	mkdir "$d/tf"
	printf '# adaptswapd\n\ntextfile_dir = %s\n' "$d/tf" > "$d/a.conf"
	run "$ASD" --check-config -c "$d/a.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"textfile_dir = $d/tf	# $d/a.conf:3"* ]]
	for bad in "tf|not an absolute path" "$d/none|cannot open '$d/none': No such file or directory" \
		"$d/a.conf|cannot open '$d/a.conf': Not a directory" "$d/../x|'..' component"; do
		printf 'log_level = info\ntextfile_dir = %s\n' "${bad%%|*}" > "$d/b.conf"
		run --separate-stderr "$ASD" --check-config -c "$d/b.conf"
		echo "$bad: $stderr"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ $stderr == "adaptswapd: $d/b.conf:2: textfile_dir: ${bad#*|}"* ]]
	done
}
