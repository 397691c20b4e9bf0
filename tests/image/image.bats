#!/usr/bin/env bats
# The packaged adaptswap in a Fly-like Debian VM (systemd as init, Debian's
# cloud kernel, the module built by DKMS inside the image with the suite's
# own compiler), on the image of IMAGE_SUITE: trixie (Debian 13, the
# default) or bookworm (Debian 12).
#
# setup_file boots the image built by `make image` (tests/image/build-image)
# once with tests/image/run-image, which runs tests/image/in-image.image.bats
# inside it; each test here reports one test of that suite by its name, and
# the last one the verdict of run-image (end line with the nonce, complete
# plan, no WARN/oops/panic on the console).  A failing test shows the
# in-image TAP lines of that test and the console's end.
#
# Run alone: bats tests/image/image.bats (after make image), or
# IMAGE_SUITE=bookworm bats tests/image/image.bats (after make image
# IMAGE_SUITES=bookworm).

load ../lib/helpers

IMAGE_SUITE=${IMAGE_SUITE:-trixie}
IMG=$BUILD/image/$IMAGE_SUITE

setup_file() {
	[ -e "$IMG/.complete" ] || return 0	# each test reports it
	export IMAGE_OUT=$BATS_FILE_TMPDIR/run
	mkdir -p "$IMAGE_OUT"
	"$REPO/tests/image/run-image" -i "$IMG" -o "$IMAGE_OUT" > "$IMAGE_OUT/tap" 2>&1 &&
		echo 0 > "$IMAGE_OUT/rc" || echo $? > "$IMAGE_OUT/rc"
}

# tap_of NAME: the in-image TAP of test NAME: the notes it wrote ("# image:"
# lines, before its result line), its ok / not ok line, then what bats
# printed for a failure (up to the next test; the next test's notes are not
# part of it).
tap_of() {
	awk -v n="$1" '
	function name(l) { sub(/^(not )?ok [0-9]+ /, "", l); sub(/ # skip.*$/, "", l); return l }
	/^(ok|not ok) [0-9]+ / {
		if (p) exit
		if (name($0) == n) { printf "%s", buf; print; p = /^not ok/; if (!p) exit; next }
		buf = ""; next
	}
	/^# image: / { if (!p) buf = buf $0 "\n"; next }
	p { print }' "$IMAGE_OUT/tap"
}

# in_image NAME: the in-image test NAME passed (or was skipped); its
# comments go to this TAP stream, a failure shows its output.
in_image() {
	[ -e "$IMG/.complete" ] || {
		echo "no image in $IMG: run make image IMAGE_SUITES=$IMAGE_SUITE"
		return 1
	}
	local out line
	out=$(tap_of "$1")
	line=$(grep -E '^(ok|not ok) [0-9]+ ' <<<"$out" || true)
	if [ -z "$line" ]; then
		echo "the image never reported this test; its TAP and console end:"
		tail -45 "$IMAGE_OUT/tap"
		return 1
	fi
	if [[ $line == ok* ]]; then
		grep '^# ' <<<"$out" >&3 || true
		[[ $line != *" # skip"* ]] || skip "in the image: ${line#* # skip}"
		return 0
	fi
	echo "$out"
	return 1
}

@test "the image booted with systemd as init and no unit failed" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "DKMS built adaptswap.ko for the running kernel" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "systemd-modules-load loaded the module at boot" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "adaptswapd.service is active and uses the module" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "systemctl reload applies an edited configuration" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "a drop-in changes a setting at systemctl reload; a bad one is refused at its line" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "the textfile is written on a change only, and says adaptswap_daemon_up 0 after a stop" {
	in_image "${BATS_TEST_DESCRIPTION}"
	# the daemon's real textfile, as the image printed it: promtool check metrics
	command -v promtool >/dev/null || { echo "needs promtool (Debian package prometheus)"; false; }
	tap_of "${BATS_TEST_DESCRIPTION}" | sed -n 's/^# image: prom: //p' > "$BATS_TEST_TMPDIR/prom"
	[ "$(grep -c '^# TYPE ' "$BATS_TEST_TMPDIR/prom")" -ge 30 ]
	promtool check metrics < "$BATS_TEST_TMPDIR/prom"
}
@test "a workload of 3x RAM completes without an OOM kill" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "a Python agent on pyroute2 sees the same events as adaptswapctl" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "adaptswapctl status works for an unprivileged user" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "the journal shows the daemon's decisions with their reasons" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "systemctl stop restores swappiness and leaves the managed swap on" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "systemctl start adopts the managed swap left on" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "upgrading to the next version rebuilds the module and keeps the running swap" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "purge leaves no file of the packages and no swap behind" {
	in_image "${BATS_TEST_DESCRIPTION}"
}
@test "the image ran its whole suite cleanly (nonce, plan, no WARN/oops/panic)" {
	[ -e "$IMG/.complete" ] || { echo "no image in $IMG: run make image IMAGE_SUITES=$IMAGE_SUITE"; false; }
	[ "$(cat "$IMAGE_OUT/rc")" -eq 0 ] || { tail -45 "$IMAGE_OUT/tap"; false; }
	# every in-image test is reported above by name
	plan=$(grep -m1 -E '^1\.\.[0-9]+$' "$IMAGE_OUT/tap" | cut -d. -f3)
	[ "$plan" -eq $((BATS_TEST_NUMBER - 1)) ] ||
		{ echo "the image ran $plan tests, this suite reports $((BATS_TEST_NUMBER - 1))"; false; }
	grep -E '^# image .* RAM\): ' "$IMAGE_OUT/tap" >&3
}
