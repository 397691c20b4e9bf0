#!/usr/bin/env bats
# The systemd unit: systemd's own verifier accepts every directive (an
# unknown key or a bad value prints a warning and fails this test).

load ../lib/helpers

setup() {
	requires host
	command -v systemd-analyze >/dev/null || skip "requires systemd-analyze"
	D=$BUILD/host/sbin/adaptswapd
	C=$BUILD/host/bin/adaptswapctl
	[ -x "$D" ] && [ -x "$C" ] || skip "adaptswapd or adaptswapctl not built"
}

@test "systemd-analyze verify: no warning" {
	sed -e "s|^ExecStart=/usr/sbin/adaptswapd|ExecStart=$D|" \
		-e "s|^ExecReload=/usr/bin/adaptswapctl|ExecReload=$C|" \
		"$REPO/userspace/systemd/adaptswapd.service" > "$BATS_TEST_TMPDIR/adaptswapd.service"
	grep -q "^ExecReload=$C reload$" "$BATS_TEST_TMPDIR/adaptswapd.service"
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
	# synchronous reload: systemctl reload fails when the file is refused
	grep -q '^ExecReload=/usr/bin/adaptswapctl reload$' "$u"
}

@test "make install points the unit at the installed programs" {
	make -s -C "$REPO/userspace" install DESTDIR="$BATS_TEST_TMPDIR/root" \
		PREFIX=/opt/as UNITDIR=/opt/as/lib/systemd/system >/dev/null
	u=$BATS_TEST_TMPDIR/root/opt/as/lib/systemd/system/adaptswapd.service
	grep -qx 'ExecStart=/opt/as/sbin/adaptswapd' "$u"
	grep -qx 'ExecReload=/opt/as/bin/adaptswapctl reload' "$u"
	[ -x "$BATS_TEST_TMPDIR/root/opt/as/sbin/adaptswapd" ]
	[ -x "$BATS_TEST_TMPDIR/root/opt/as/bin/adaptswapctl" ]
	# nothing else of the unit changed
	diff <(grep -v '^Exec' "$REPO/userspace/systemd/adaptswapd.service") <(grep -v '^Exec' "$u")
	[ "$(stat -c %a "$u")" = 644 ]
}

@test "the unit's sandbox: tunables and modules protected, two capabilities, exposure at most 2.0" {
	u=$REPO/userspace/systemd/adaptswapd.service
	# swapon/swapoff, and mlockall of the daemon's own pages
	grep -qx 'CapabilityBoundingSet=CAP_SYS_ADMIN CAP_IPC_LOCK' "$u"
	grep -qx 'ProtectKernelTunables=yes' "$u"
	grep -qx 'ReadWritePaths=/proc/sys/vm/swappiness' "$u"
	grep -qx 'ProtectKernelModules=yes' "$u"
	grep -qx 'UMask=0077' "$u"
	# the score systemd gives it (3.3 before this sandbox; 1.8 with it)
	run systemd-analyze security --offline=yes --threshold=20 "$u"
	echo "$output" | tail -1
	[ "$status" -eq 0 ]
}

@test "--check-config tells that a dir outside /var/lib/adaptswap needs a ReadWritePaths= drop-in" {
	printf 'dir = /srv/swap\n' > "$BATS_TEST_TMPDIR/c.conf"
	run "$D" --check-config -c "$BATS_TEST_TMPDIR/c.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"dir /srv/swap is outside /var/lib/adaptswap"*"ReadWritePaths=/srv/swap"* ]]
	printf 'dir = /var/lib/adaptswap\n' > "$BATS_TEST_TMPDIR/c.conf"
	run "$D" --check-config -c "$BATS_TEST_TMPDIR/c.conf"
	[ "$status" -eq 0 ]
	[[ $output != *"ReadWritePaths"* ]]
}
