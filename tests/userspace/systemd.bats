#!/usr/bin/env bats
# The systemd unit: systemd's own verifier accepts every directive (an
# unknown key or a bad value prints a warning and fails this test).

load ../lib/helpers

setup() {
	requires host
	command -v systemd-analyze >/dev/null || skip "requires systemd-analyze"
	D=$BUILD/host/sbin/adaptswapd
	[ -x "$D" ] || skip "adaptswapd not built"
}

@test "systemd-analyze verify: no warning" {
	sed "s|^ExecStart=/usr/sbin/adaptswapd|ExecStart=$D|" \
		"$REPO/userspace/systemd/adaptswapd.service" > "$BATS_TEST_TMPDIR/adaptswapd.service"
	run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/adaptswapd.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the unit is Type=notify, restarts on failure, and keeps its capabilities small" {
	u=$REPO/userspace/systemd/adaptswapd.service
	grep -q '^Type=notify$' "$u"
	grep -q '^Restart=on-failure$' "$u"
	grep -q '^RestartPreventExitStatus=2 3$' "$u"
	grep -q '^CapabilityBoundingSet=' "$u"
	grep -q '^RestrictAddressFamilies=AF_UNIX AF_NETLINK$' "$u"
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$u"
}
