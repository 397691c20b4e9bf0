#!/usr/bin/env bats
# adaptswap-memwatch, the bench's sampler, on this machine: the record
# lines it promises, and -d DIR, the disk a helper's directory holds (its
# standby file, which is not swap yet, included) at the most; its real-time
# priority.

load ../lib/helpers

setup() {
	BIN=$BUILD/static/bin
	[ -x "$BIN/adaptswap-memwatch" ] || skip "requires make tools"
	D=$BATS_TEST_TMPDIR/dir
	mkdir -p "$D"
}

# watch OUT CMD...: memwatch -d $D around CMD
watch() {
	local out=$1 p
	shift
	"$BIN/adaptswap-memwatch" -p 50 -d "$D" "$out" &
	p=$!
	sleep 0.3
	"$@"
	sleep 0.3
	kill "$p"
	wait "$p"
}

grow_and_go() {
	fallocate -l 24M "$D/standby" || dd if=/dev/zero of="$D/standby" bs=1M count=24 status=none
	sleep 0.3
	rm "$D/standby"
}

@test "-d: the peak line's last field is the most disk the directory's files held" {
	dd if=/dev/zero of="$D/kept" bs=1M count=8 status=none
	ln -s /etc/passwd "$D/link"	# not a regular file: not counted
	mkdir "$D/sub"
	dd if=/dev/zero of="$D/sub/deeper" bs=1M count=8 status=none	# not directly in DIR
	watch "$BATS_TEST_TMPDIR/mw" grow_and_go
	cat "$BATS_TEST_TMPDIR/mw" | grep -v '^s '
	peak=$(awk '$1 == "peak" {print NF - 1, $7}' "$BATS_TEST_TMPDIR/mw")
	read -r n kb <<< "$peak"
	[ "$n" -eq 6 ]
	# 8 MiB kept + 24 MiB for a while (blocks, so a little more at most)
	[ "$kb" -ge $((32 * 1024)) ] && [ "$kb" -lt $((33 * 1024)) ]
	grep -q '^start ' "$BATS_TEST_TMPDIR/mw"
	grep -q '^end ' "$BATS_TEST_TMPDIR/mw"
}

@test "without -d, or with a directory that is gone, the field is 0" {
	"$BIN/adaptswap-memwatch" -p 50 "$BATS_TEST_TMPDIR/a" &
	p=$!
	"$BIN/adaptswap-memwatch" -p 50 -d "$BATS_TEST_TMPDIR/none" "$BATS_TEST_TMPDIR/b" &
	q=$!
	sleep 0.3
	kill "$p" "$q"
	wait "$p"
	wait "$q"
	[ "$(awk '$1 == "peak" {print $7}' "$BATS_TEST_TMPDIR/a")" = 0 ]
	[ "$(awk '$1 == "peak" {print $7}' "$BATS_TEST_TMPDIR/b")" = 0 ]
}

@test "bad arguments are usage errors (exit 2)" {
	for a in "-l 0 x" "-l 100 x" "-p 0 x" "-p abc x" "-d" "-q x" "" "x y"; do
		eval "run $BIN/adaptswap-memwatch $a"
		echo "'$a': $status $output"
		[ "$status" -eq 2 ]
	done
}

@test "it runs at a real-time priority, so that a busy machine does not make it late" {
	"$BIN/adaptswap-memwatch" -p 50 "$BATS_TEST_TMPDIR/a" 2> "$BATS_TEST_TMPDIR/err" &
	p=$!
	sleep 0.3
	# policy and priority, the 41st and 40th fields of /proc/PID/stat
	# (its comm has no spaces)
	stat=$(cat "/proc/$p/stat")
	kill "$p"
	wait "$p"
	cat "$BATS_TEST_TMPDIR/err"
	read -r -a f <<< "$stat"
	echo "policy ${f[40]} rt_priority ${f[39]}"
	[ "${f[40]}" -eq 1 ]	# SCHED_FIFO
	[ "${f[39]}" -eq 1 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}
