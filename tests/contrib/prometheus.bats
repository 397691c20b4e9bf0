#!/usr/bin/env bats
# The Prometheus alert rules (contrib/prometheus/adaptswap-rules.yml):
# promtool's syntax check and unit tests
# (tests/contrib/prometheus/adaptswap-rules.test.yml), proof that each rule
# is exercised by those tests, and that they name only metrics of the
# contract in doc/metrics.md, whose names follow Prometheus' conventions.

load ../lib/helpers

RULES=contrib/prometheus/adaptswap-rules.yml
TESTS=tests/contrib/prometheus/adaptswap-rules.test.yml

setup() {
	requires host
	command -v promtool >/dev/null || {
		echo "needs promtool (Debian package prometheus: tests/deps.sh)"
		return 1
	}
}

@test "promtool check rules: the rule file is valid" {
	run promtool check rules "$REPO/$RULES"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"SUCCESS: 6 rules found"* ]]
}

@test "promtool test rules: each alert fires where it must and stays quiet where it must not" {
	run promtool test rules "$REPO/$TESTS"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *SUCCESS* ]]
}

# names KIND: the names of the rules of KIND (alert, record)
names() { sed -n "s/^ *- $1: *//p" "$REPO/$RULES"; }

@test "every rule is tested: the tests fail when any one rule is missing" {
	mapfile -t rules < <(names alert; names record)
	[ ${#rules[@]} -eq 6 ]
	t=$BATS_TEST_TMPDIR
	mkdir -p "$t/contrib/prometheus" "$t/tests/contrib/prometheus"
	cp "$REPO/$TESTS" "$t/$TESTS"
	for r in "${rules[@]}"; do
		# the rule file less the rule r (its "- alert:"/"- record:" line
		# up to the next rule or a comment line before it)
		awk -v r="$r" '
			/^ *- (alert|record): / { skip = ($3 == r) }
			/^ *#/ { if (skip) skip = 0 }
			!skip' "$REPO/$RULES" > "$t/$RULES"
		[ "$(grep -c -E '^ *- (alert|record): ' "$t/$RULES")" -eq 5 ]
		promtool check rules "$t/$RULES" >/dev/null
		run promtool test rules "$t/$TESTS"
		[ "$status" -ne 0 ] || { echo "the tests pass without $r"; return 1; }
	done
}

# the metric table of doc/metrics.md: "name type unit", one metric a line
doc_metrics() {
	awk -F'|' '$2 ~ /^ `adaptswap_/ {
		n = $2; gsub(/[ `]/, "", n); sub(/\{.*/, "", n)
		t = $3; gsub(/ /, "", t); u = $4; gsub(/ /, "", u)
		print n, t, u }' "$REPO/doc/metrics.md"
}

@test "doc/metrics.md: names, types and units follow Prometheus' conventions" {
	doc_metrics > "$BATS_TEST_TMPDIR/m"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/m")" -ge 30 ]
	bad=0
	while read -r n t u; do
		why=
		[[ $n =~ ^adaptswap_[a-z_]+$ ]] || why="not adaptswap_[a-z_]"
		case $t in counter | gauge) ;; *) why="type '$t'" ;; esac
		# _total for counters, and only for them
		[[ $t != counter || $n == *_total ]] || why="a counter without _total"
		[[ $t == counter || $n != *_total ]] || why="_total on a $t"
		# a unit is named by the suffix (before _total)
		case $u in
		bytes | seconds) [[ ${n%_total} == *_$u ]] || why="unit $u but no _$u suffix" ;;
		–) [[ ${n%_total} != *_bytes && ${n%_total} != *_seconds ]] || why="a unit suffix but unit –" ;;
		*) why="unit '$u'" ;;
		esac
		[ -z "$why" ] || { echo "$n: $why"; bad=1; }
	done < "$BATS_TEST_TMPDIR/m"
	[ "$bad" -eq 0 ]
	# each name once
	[ -z "$(cut -d' ' -f1 "$BATS_TEST_TMPDIR/m" | sort | uniq -d)" ]
}

@test "the rules and their tests use only metrics that doc/metrics.md defines" {
	doc_metrics | cut -d' ' -f1 | sort -u > "$BATS_TEST_TMPDIR/doc"
	# every adaptswap_ name in the rules and the test series (not the
	# recording rule's adaptswap:... name)
	cat "$REPO/$RULES" "$REPO/$TESTS" | grep -v '^ *#' |
		grep -o '[a-z:]*adaptswap_[a-z_]*' | grep -v ':' | sort -u > "$BATS_TEST_TMPDIR/used"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/used")" -ge 6 ]
	missing=$(comm -23 "$BATS_TEST_TMPDIR/used" "$BATS_TEST_TMPDIR/doc")
	[ -z "$missing" ] || { echo "not in doc/metrics.md: $missing"; false; }
	# and the doc's rule table names the rules of the file
	for r in $(names alert; names record); do
		grep -qF "| \`$r\` |" "$REPO/doc/metrics.md" || { echo "doc/metrics.md lacks $r"; false; }
	done
}
