#!/usr/bin/env bats
# tests/vm/common.sh's choice of the download cache, which every script of
# the guest bench, the image and the bench reads: one per machine for root
# (a fresh clone reuses what the machine has), the clone's .cache/ for
# anyone else, ADAPTSWAP_CACHE over both (tests/vm/cache.sh); the bats
# suites and bench/run choose the same.  Host suite.

load ../lib/helpers

setup() {
	requires host root
}

cache_of() {	# cache_of [ENV...]: the cache common.sh picks
	env -u ADAPTSWAP_CACHE "$@" bash -c ". '$REPO/tests/vm/common.sh' && echo \"\$CACHE\""
}

@test "root: /var/cache/adaptswap; ADAPTSWAP_CACHE wins" {
	[ "$(cache_of)" = /var/cache/adaptswap ]
	[ "$(cache_of ADAPTSWAP_CACHE=/tmp/elsewhere)" = /tmp/elsewhere ]
}

@test "not root: the clone's .cache/" {
	command -v setpriv >/dev/null || skip "requires setpriv"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env -u ADAPTSWAP_CACHE \
		bash -c ". '$REPO/tests/vm/common.sh' && echo \"\$CACHE\""
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$REPO/.cache" ]
}

@test "the bats helpers and bench/run choose the same" {
	[ "$CACHE" = "$(cache_of ${ADAPTSWAP_CACHE:+ADAPTSWAP_CACHE=$ADAPTSWAP_CACHE})" ]
	run env -u ADAPTSWAP_CACHE bash -c "REPO='$REPO'; . '$REPO/tests/lib/helpers.bash' 2>/dev/null; echo \"\$CACHE\""
	[ "$(tail -1 <<< "$output")" = /var/cache/adaptswap ]
	run env -u ADAPTSWAP_CACHE "$REPO/bench/run" --dry-run -m 1x256M -c module -w idle
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(tail -1 <<< "$output")" = "bench: kernels and guest bases from the download cache /var/cache/adaptswap" ]
	run env ADAPTSWAP_CACHE=/tmp/elsewhere "$REPO/bench/run" --dry-run -m 1x256M -c module -w idle
	[ "$(tail -1 <<< "$output")" = "bench: kernels and guest bases from the download cache /tmp/elsewhere" ]
}
