# shellcheck shell=bash
bats_require_minimum_version 1.5.0
# Helpers shared by the bats suites (host and guest).  load ../lib/helpers

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${ADAPTSWAP_BUILD:-$REPO/build}
# the download cache, as tests/vm/common.sh chooses it
# shellcheck source=tests/vm/cache.sh
. "$REPO/tests/vm/cache.sh"
CACHE=$(adaptswap_cache "$REPO")

in_guest() { [ "$(hostname)" = guest ] && [ -d /tests ]; }

# requires root|guest|host|module|qemu|kernel:SUITE ... : skip with the reason otherwise
requires() {
	local r
	for r in "$@"; do
		case $r in
		root) [ "$(id -u)" -eq 0 ] || skip "requires root" ;;
		guest) in_guest || skip "requires the test guest" ;;
		host) ! in_guest || skip "requires the build host" ;;
		module) modinfo adaptswap >/dev/null 2>&1 || skip "requires adaptswap.ko" ;;
		qemu) command -v qemu-system-x86_64 >/dev/null || skip "requires qemu" ;;
		*) skip "unknown requirement $r" ;;
		esac
	done
}

# Run a command as the unprivileged user (uid 1000) in the guest.
as_user() { su -s /bin/bash user -c "$(printf '%q ' "$@")"; }

# --- adaptswap.ko helpers (guest) ---
SYS=/sys/kernel/adaptswap

load_module() {
	grep -q '^adaptswap ' /proc/modules || modprobe adaptswap
	[ -d "$SYS" ]
}

unload_module() {
	! grep -q '^adaptswap ' /proc/modules || rmmod adaptswap
}

# Write VALUE (exactly, no newline added) to a sysfs file in one write(2);
# returns the writer's status.  bash's printf may split a value at a
# newline, so such values go through dd.
sysfs_write() {
	if [[ $2 != *$'\n'* ]]; then
		printf '%s' "$2" > "$1"
		return
	fi
	local tmp rc
	tmp=$(mktemp)
	printf '%s' "$2" > "$tmp"
	dd if="$tmp" of="$1" bs=4096 count=1 status=none 2>&1 | sed 's/^dd: //' >&2
	rc=${PIPESTATUS[0]}
	rm -f "$tmp"
	return "$rc"
}

# Wait up to $1 seconds for command "$@" to succeed.
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# wait_secs SECONDS COMMAND...: as wait_for, bounded by the clock rather
# than by a count of tries (a busy guest makes each try slow)
wait_secs() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# Start "adaptswapctl events --json" in the background, writing to $1;
# returns once it is subscribed.  Its pid is in $EVENTS_PID.
start_events() {
	local out=$1
	shift
	adaptswapctl events --json "$@" > "$out" 2> "$out.err" 3>&- &
	EVENTS_PID=$!
	wait_for 10 grep -q 'listening' "$out.err"
}

# --- adaptswapd helpers (guest) ---
ASD_DIR=/mnt/adaptswap

# write_conf FILE [key=value ...]: a test configuration on the guest disk
write_conf() {
	local f=$1 kv k
	shift
	{
		for k in "dir=$ASD_DIR" shrink_quiet_s=3 log_level=debug; do
			[[ " ${*%%=*} " == *" ${k%%=*} "* ]] || echo "${k%%=*} = ${k#*=}"
		done
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
	} > "$f"
}

# start_daemon CONF [args]: start adaptswapd in the background, wait until
# its control socket answers.  Log in $BATS_TEST_TMPDIR/asd.log.
start_daemon() {
	local conf=$1
	shift
	adaptswapd -c "$conf" "$@" >> "$BATS_TEST_TMPDIR/asd.log" 2>&1 3>&- &
	ASD_PID=$!
	wait_for 10 adaptswapctl metrics >/dev/null 2>&1 || {
		cat "$BATS_TEST_TMPDIR/asd.log"
		return 1
	}
}

stop_daemon() {
	[ -n "${ASD_PID:-}" ] || return 0
	kill "$ASD_PID" 2>/dev/null || true
	wait "$ASD_PID" 2>/dev/null || true
	ASD_PID=
}

managed_active() { grep -c "^$ASD_DIR/" /proc/swaps || true; }
managed_kb() { awk -v d="$ASD_DIR/" 'index($1, d) == 1 {s += $3} END {print s + 0}' /proc/swaps; }
# avail_mb: MemAvailable in MiB
avail_mb() { awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo; }

# daemon_has TEXT: the daemon's JSON status contains TEXT
daemon_has() { adaptswapctl status --json | grep -q -F -- "$1"; }

# daemon_json KEY: a top-level number from the daemon's status
daemon_json() {
	adaptswapctl status --json | sed -n "s/.*\"daemon\":{.*\"$1\":\\([0-9]*\\).*/\\1/p"
}
# managed_active_is N / managed_kb_atleast KB: for wait_for (re-evaluated each try)
managed_active_is() { [ "$(managed_active)" -eq "$1" ]; }
managed_kb_atleast() { [ "$(managed_kb)" -ge "$1" ]; }

# json_valid [--lines]: stdin is exactly one JSON value (--lines: one per
# line).  A real parser: python3 on the build host (strict: no NaN, UTF-8
# only), adaptswap-jsoncheck in the guest (no python there; the host tests
# check that it agrees with python3).
json_valid() {
	if in_guest; then
		adaptswap-jsoncheck "$@"
		return
	fi
	python3 -c '
import json, sys
def constant(name):
    raise ValueError("not JSON: " + name)
text = sys.stdin.buffer.read().decode("utf-8")
if len(sys.argv) > 1:
    if not text.endswith("\n"):
        sys.exit("the last line has no newline")
    docs = text[:-1].split("\n")
else:
    docs = [text]
for d in docs:
    json.loads(d, parse_constant=constant)
' "$@"
}

# --- requests to the host (guest; the suite runs with balloon=on) ---
# host_request LINE: send one request to tests/vm/host-agent on the host
# over /dev/ttyS2 and print its one-line answer; fails unless it is "ok ...".
host_request() {
	local fd reply
	[ -c /dev/ttyS2 ] || { echo "host_request: no /dev/ttyS2 (run the suite with balloon=on)"; return 1; }
	stty -F /dev/ttyS2 raw -echo
	exec {fd}<>/dev/ttyS2
	printf '%s\n' "$*" >&"$fd"
	if ! IFS= read -r -t 150 -u "$fd" reply; then
		exec {fd}>&-
		echo "host_request: no answer to '$*'"
		return 1
	fi
	exec {fd}>&-
	echo "$reply"
	[[ $reply == ok* ]]
}

# balloon_to MIB: inflate or deflate the virtio balloon so that the guest
# keeps MIB MiB; prints the balloon's actual target as "actual=MIB".
balloon_to() { host_request "balloon $1"; }
