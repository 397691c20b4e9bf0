#!/usr/bin/env bats
# The packaged adaptswap in a Fly-like Debian VM (trixie or bookworm):
# systemd as init, the cloud kernel, the module built by DKMS with the
# image's own compiler, adaptswapd.service.  Runs inside
# the image booted by tests/image/run-image (256 MiB RAM); the tests build
# on each other in file order: boot, module, service, workload, a Python
# agent, status, journal, stop/start, upgrade to the next version, purge.
#
# Named *.image.bats so that tests/run-checks does not run it on the build
# machine nor in the busybox guest; tests/image/image.bats boots the image
# and reports each of these tests.

load ../lib/helpers

DIR=/var/lib/adaptswap
A=/astests
V=$(cat $A/installed-version 2>/dev/null)
NV=$(cat $A/next-version 2>/dev/null)
KVER=$(uname -r)
STATE=/root/astest-state	# what one test leaves for the next
export PATH=$A/bin:$PATH

setup_file() { mkdir -p "$STATE"; }

note() { echo "# image: $*" >&3; }	# relayed by image.bats
# The managed files that are active swap, by their full path.  Once the
# service's mount namespace is gone (systemctl stop), /proc/swaps names a
# file by the tail below the bind mount of $DIR: /adaptswap-0.swap.
managed_swaps() {
	local p
	awk 'NR > 1 {print $1}' /proc/swaps | while read -r p; do
		case ${p##*/} in adaptswap-*.swap) ;; *) continue ;; esac
		[ -f "$DIR/${p##*/}" ] && [[ $DIR/${p##*/} == *"$p" ]] && echo "$DIR/${p##*/}"
	done | sort
}
mainpid() { systemctl show -P MainPID adaptswapd; }
no_busy_file() { ! adaptswapctl status --json | grep -q '"state":"busy"'; }

# hold_swap: from now on the daemon gives no swap back (the tests that
# compare the managed swap across a stop, a start or an upgrade must not
# race a shrink the daemon decided on its own), and none is under way.
hold_swap() {
	local conf=/etc/adaptswap/adaptswapd.conf
	sed -i 's/^#* *shrink_quiet_s *=.*/shrink_quiet_s = 3600/' $conf
	grep -qx 'shrink_quiet_s = 3600' $conf
	systemctl reload adaptswapd	# synchronous: applied when it returns
	wait_for 300 no_busy_file || { adaptswapctl status; return 1; }
}
oom_kills() { awk '$1 == "oom_kill" {print $2}' /proc/vmstat; }
journal() { journalctl -b -o cat --no-pager "$@"; }

@test "the image booted with systemd as init and no unit failed" {
	[ "$(cat /proc/1/comm)" = systemd ]
	[ "$(systemctl is-active multi-user.target)" = active ]
	run systemctl list-units --failed --plain --no-legend
	echo "$output"
	[ -z "$output" ]
	# root on the NVMe disk, no initramfs
	findmnt -n -o SOURCE / | grep -qx /dev/nvme0n1
	[ ! -e /boot/initrd.img-"$KVER" ]
}

@test "DKMS built adaptswap.ko for the running kernel" {
	[ -n "$V" ]
	run dkms status adaptswap
	echo "$output"
	[[ $output == *"adaptswap/$V, $KVER, x86_64: installed"* ]]
	ko=$(modinfo -n adaptswap)
	[[ $ko == /lib/modules/$KVER/updates/dkms/adaptswap.ko* ]]
	[ "$(modinfo -F version adaptswap)" = "$V" ]
	# by the image's own compiler, the one the kernel's headers name
	n=$(sed -n 's/^CC = .*gcc-\([0-9]*\)$/\1/p' "/usr/src/linux-headers-$KVER/.kernelvariables")
	[ -n "$n" ]
	case $ko in
	*.xz) xz -dc "$ko" > "$BATS_TEST_TMPDIR/m.ko" ;;
	*.zst) zstd -q -dc "$ko" > "$BATS_TEST_TMPDIR/m.ko" ;;
	*) cp "$ko" "$BATS_TEST_TMPDIR/m.ko" ;;
	esac
	readelf -p .comment "$BATS_TEST_TMPDIR/m.ko" | grep -o 'GCC: .*' | sort -u > "$BATS_TEST_TMPDIR/cc"
	note "$(basename "$ko") built by $(paste -sd';' "$BATS_TEST_TMPDIR/cc"); the headers name gcc-$n"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/cc")" -eq 1 ]
	grep -q "^GCC: (Debian $n\." "$BATS_TEST_TMPDIR/cc"
}

@test "systemd-modules-load loaded the module at boot" {
	grep -q '^adaptswap ' /proc/modules
	[ -d /sys/kernel/adaptswap ]
	# the package's modules-load.d entry, and the journal of this boot
	run dpkg -S modules-load.d/adaptswap.conf
	echo "$output"
	[ "$status" -eq 0 ]
	# its messages reach the journal through kmsg when journald is not up
	# yet: by identifier, not by unit
	run journal -t systemd-modules-load
	echo "$output"
	[[ $output == *"Inserted module 'adaptswap'"* ]]
}

@test "adaptswapd.service is active and uses the module" {
	[ "$(systemctl is-active adaptswapd)" = active ]
	[ "$(systemctl is-enabled adaptswapd)" = enabled ]
	journal -u adaptswapd.service | grep -F 'source: adaptswap module'
	adaptswapctl status --json | grep -q '"source":"module"'
	mainpid > "$STATE/pid.boot"
	cat /proc/sys/vm/swappiness > "$STATE/swappiness.boot"
	note "swappiness at boot $(cat "$STATE/swappiness.boot"), $(free -m | awk '/^Mem:/ {print $3}') MiB used"
}

@test "systemctl reload applies an edited configuration" {
	# The default budget, max_swap_mb = auto (2x RAM), cannot hold a 3x RAM
	# workload next to what the system itself uses: raise it, as the
	# guest suites do.  The edited conffile must survive the upgrade and
	# go with the purge.
	conf=/etc/adaptswap/adaptswapd.conf
	sed -i 's/^#* *max_swap_mb *=.*/max_swap_mb = 1536/' $conf
	grep -qx 'max_swap_mb = 1536' $conf
	adaptswapd --check-config -c $conf
	pid=$(mainpid)
	# a refused file fails the reload (ExecReload is adaptswapctl reload)
	# and the running configuration stays
	max0=$(adaptswapctl status | grep -o 'max [0-9]* MiB')
	[ -n "$max0" ] && [ "$max0" != "max 1536 MiB" ]
	cp $conf "$STATE/conf.good"
	echo 'max_disk_pct = 400' >> $conf
	run systemctl reload adaptswapd
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(systemctl is-active adaptswapd)" = active ]
	[ "$(mainpid)" = "$pid" ]
	[ "$(adaptswapctl status | grep -o 'max [0-9]* MiB')" = "$max0" ]
	journal -u adaptswapd.service | grep -F "reload refused, keeping the running configuration: $conf:"
	cp "$STATE/conf.good" $conf
	# applied by the time systemctl returns
	systemctl reload adaptswapd
	[ "$(mainpid)" = "$pid" ]
	adaptswapctl status | grep -q "max 1536 MiB"
}

@test "a drop-in changes a setting at systemctl reload; a bad one is refused at its line" {
	d=/etc/adaptswap/adaptswapd.conf.d
	[ -d $d ]	# the package's
	pid=$(mainpid)
	printf '# written by the image suite\nmax_swap_mb = 1600\n' > $d/50-image.conf
	adaptswapd --check-config | grep -xF "max_swap_mb = 1600	# $d/50-image.conf:2"
	systemctl reload adaptswapd
	adaptswapctl status | grep -q "max 1600 MiB"
	echo 'swappiness_min = 300' >> $d/50-image.conf
	run systemctl reload adaptswapd
	echo "$output"
	[ "$status" -ne 0 ]
	journal -u adaptswapd.service |
		grep -F "reload refused, keeping the running configuration: $d/50-image.conf:3: swappiness_min"
	adaptswapctl status | grep -q "max 1600 MiB"
	rm $d/50-image.conf
	systemctl reload adaptswapd
	adaptswapctl status | grep -q "max 1536 MiB"
	[ "$(mainpid)" = "$pid" ]
}

@test "the textfile is written on a change only, and says adaptswap_daemon_up 0 after a stop" {
	tfd=/var/lib/prometheus/node-exporter	# the unit's ReadWritePaths=-... when it exists at start
	tf=$tfd/adaptswap.prom
	mkdir -p $tfd
	echo "textfile_dir = $tfd" > /etc/adaptswap/adaptswapd.conf.d/60-textfile.conf
	systemctl restart adaptswapd
	# written before the daemon said it was ready
	grep -qx 'adaptswap_daemon_up 1' $tf
	grep -qx 'adaptswap_module_in_use 1' $tf
	grep -q '^adaptswap_module_info{version="' $tf
	# for promtool check metrics on the host (image.bats)
	while IFS= read -r l; do note "prom: $l"; done < $tf
	# idle: no write for 20 s (the worker done, nothing changes; the
	# daemon's timer, when armed, fires at most 5 s apart)
	for _ in $(seq 60); do no_busy_file && break; sleep 1; done
	no_busy_file
	sleep 2
	m0=$(stat -c %y $tf)
	ev0=$(grep '^adaptswap_events_received_total ' $tf)
	sleep 20
	note "after 20 idle s: $(stat -c %y $tf) (was $m0), $(grep '^adaptswap_events_received_total ' $tf) (was $ev0)"
	[ "$(stat -c %y $tf)" = "$m0" ]
	# a change: at once
	adaptswapctl hold
	[ "$(stat -c %y $tf)" != "$m0" ]
	grep -qx 'adaptswap_growth_held 1' $tf
	adaptswapctl resume
	grep -qx 'adaptswap_growth_held 0' $tf
	# a stop leaves adaptswap_daemon_up 0 alone, and so does a crash
	# (ExecStopPost=adaptswapd --stopped) until the restart writes it again
	systemctl stop adaptswapd
	[ "$(grep -v '^#' $tf)" = 'adaptswap_daemon_up 0' ]
	systemctl start adaptswapd
	grep -qx 'adaptswap_daemon_up 1' $tf
	kill -9 "$(mainpid)"
	for _ in $(seq 40); do [ "$(grep -v '^#' $tf)" = 'adaptswap_daemon_up 0' ] && break; sleep 0.1; done
	[ "$(grep -v '^#' $tf)" = 'adaptswap_daemon_up 0' ]
	for _ in $(seq 60); do grep -qx 'adaptswap_daemon_up 1' $tf && break; sleep 0.5; done
	grep -qx 'adaptswap_daemon_up 1' $tf
	[ "$(systemctl is-active adaptswapd)" = active ]
	# off again by reload: the file stays as it was written last
	rm /etc/adaptswap/adaptswapd.conf.d/60-textfile.conf
	systemctl reload adaptswapd
	m1=$(stat -c %y $tf)
	adaptswapctl hold
	adaptswapctl resume
	[ "$(stat -c %y $tf)" = "$m1" ]
	rm -r /var/lib/prometheus
}

@test "a workload of 3x RAM completes without an OOM kill" {
	ram_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
	oom0=$(oom_kills)
	t0=$SECONDS
	run adaptswap-hog -r 40 -s 16 $((ram_mb * 3))
	echo "$output" | tail -3
	note "hog of $((ram_mb * 3)) MiB (RAM $ram_mb MiB): exit $status in $((SECONDS - t0)) s," \
		"managed swap now $(managed_swaps | wc -l) files"
	[ "$status" -eq 0 ]
	[[ $output == *"hog: done"* ]]
	[ "$(oom_kills)" -eq "$oom0" ]
	[ "$(managed_swaps | wc -l)" -ge 1 ]
}

@test "a Python agent on pyroute2 sees the same events as adaptswapctl" {
	# doc/protocol.md's agent, run as an operator would: Debian's
	# python3-pyroute2, no libadaptswap
	py=$A/contrib/python/adaptswap-events.py
	dpkg-query -W python3-pyroute2
	e=$BATS_TEST_TMPDIR
	start_events "$e/ctl"
	ctl=$EVENTS_PID
	/usr/bin/python3 "$py" > "$e/py" 2> "$e/py.err" 3>&- &
	pyp=$!
	wait_for 60 grep -q 'listening' "$e/py.err" || { cat "$e/py.err"; false; }
	ram_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
	run adaptswap-hog -r 40 -s 8 $((ram_mb * 3 / 2))
	echo "$output" | tail -2
	[ "$status" -eq 0 ]
	# the level falls back to none (adaptswapctl's last event), and the
	# agent has printed as many events (within two minutes of wall time)
	settled() {
		tail -1 "$e/ctl" | grep -q '"level":"none"' &&
			[ "$(wc -l < "$e/py")" -ge "$(wc -l < "$e/ctl")" ]
	}
	t0=$SECONDS
	until settled; do
		[ $((SECONDS - t0)) -lt 120 ] || { tail -3 "$e/ctl" "$e/py"; false; }
		sleep 0.5
	done
	kill "$ctl" "$pyp"
	wait "$ctl" "$pyp" || true
	# (seq, level) of every event, in order
	seqlev() { /usr/bin/python3 -c 'import json, sys
for l in sys.stdin: e = json.loads(l); print(e["seq"], e["level"])' < "$1"; }
	seqlev "$e/ctl" > "$e/ctl.sl"
	seqlev "$e/py" > "$e/py.sl"
	note "Python agent: $(wc -l < "$e/py.sl") events, seq $(head -1 "$e/py.sl" | cut -d' ' -f1)" \
		"to $(tail -1 "$e/py.sl" | cut -d' ' -f1), levels $(cut -d' ' -f2 "$e/py.sl" | sort -u | xargs)"
	cat "$e/py.err"
	diff -u "$e/ctl.sl" "$e/py.sl"
	# a real episode: pressure above none, then none again
	grep -Eq ' (low|medium|critical)$' "$e/py.sl"
	# every field the agent prints agrees with adaptswapctl's (which adds
	# the time it received the event)
	norm() { /usr/bin/python3 -c 'import json, sys
for l in sys.stdin:
    e = json.loads(l); e.pop("received_ns", None); print(json.dumps(e, sort_keys=True))' < "$1"; }
	norm "$e/ctl" > "$e/ctl.n"
	norm "$e/py" > "$e/py.n"
	diff -u "$e/ctl.n" "$e/py.n"
	[ "$(head -1 "$e/py.n" | grep -o '"[a-z_]*":' | wc -l)" -eq 14 ]
	# no gap in either stream
	if grep 'missed' "$e/py.err" "$e/ctl.err"; then false; fi
}

@test "adaptswapctl status works for an unprivileged user" {
	[ "$(id -u user)" -eq 1000 ]
	run as_user adaptswapctl status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"level"* ]]
	# the daemon's part: its managed swap, file by file
	[[ $output == *"files in $DIR"* ]]
	for f in $(managed_swaps); do
		[[ $output == *"$(basename "$f")"* ]]
	done
	run as_user adaptswapctl status --json
	[ "$status" -eq 0 ]
	[[ $output == *'"daemon":{'* ]]
	# and root-only requests are refused to it
	run as_user adaptswapctl grow
	[ "$status" -ne 0 ]
}

@test "the journal shows the daemon's decisions with their reasons" {
	run journal -u adaptswapd.service
	# a grow, with what triggered it and why it was allowed
	echo "$output" | grep -E '^grow \([^)]+\): (activated standby|new) .*adaptswap-[0-9]+\.swap.*MiB: .+'
	echo "$output" | grep -E '^swappiness [0-9]+ -> [0-9]+: .+'
}

@test "systemctl stop restores swappiness and leaves the managed swap on" {
	orig=$(cat "$STATE/swappiness.boot")
	hold_swap
	managed_swaps > "$STATE/swaps.before-stop"
	before=$(cat /proc/sys/vm/swappiness)
	note "swappiness before stop $before (at boot $orig)"
	systemctl stop adaptswapd
	[ "$(systemctl is-active adaptswapd)" = inactive ]
	[ "$(cat /proc/sys/vm/swappiness)" -eq "$orig" ]
	# a value the daemon had moved is put back, with its reason (it may
	# have come back to the original on its own before the stop)
	[ "$before" -eq "$orig" ] ||
		journal -u adaptswapd.service | grep -E "^swappiness $before -> $orig: restoring"
	[ -s "$STATE/swaps.before-stop" ]
	cat /proc/swaps
	diff -u "$STATE/swaps.before-stop" <(managed_swaps)
}

@test "systemctl start adopts the managed swap left on" {
	systemctl start adaptswapd
	[ "$(systemctl is-active adaptswapd)" = active ]
	cat /proc/swaps
	journal -u adaptswapd.service | grep '^recovery: ' || true
	diff -u "$STATE/swaps.before-stop" <(managed_swaps)
	run adaptswapctl status
	echo "$output"
	while read -r f; do
		[[ $output == *"$(basename "$f")"* ]]
		journal -u adaptswapd.service | grep -F "recovery: adopted active $(basename "$f")"
	done < "$STATE/swaps.before-stop"
}

@test "upgrading to the next version rebuilds the module and keeps the running swap" {
	[ -n "$NV" ] || skip "no next version on the test disk"
	# No shrink while DKMS builds (minutes under TCG).
	hold_swap
	cat /proc/swaps
	[ "$(managed_swaps | wc -l)" -ge 1 ] || adaptswapctl grow
	managed_swaps > "$STATE/swaps.before-upgrade"
	[ -s "$STATE/swaps.before-upgrade" ]
	pid0=$(mainpid)
	t0=$SECONDS
	run apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold \
		$A/debs/next/adaptswap_"${NV}"_amd64.deb $A/debs/next/adaptswap-dkms_"${NV}"_all.deb
	echo "$output"
	note "upgrade $V -> $NV (DKMS build in the image) took $((SECONDS - t0)) s"
	[ "$status" -eq 0 ]
	[ "$(dpkg-query -W -f='${Version}' adaptswap)" = "$NV" ]
	[ "$(dpkg-query -W -f='${Version}' adaptswap-dkms)" = "$NV" ]
	# DKMS: the new version built and installed, the old one gone
	run dkms status adaptswap
	echo "$output"
	[[ $output == *"adaptswap/$NV, $KVER, x86_64: installed"* ]]
	[[ $output != *"adaptswap/$V,"* ]]
	[ "$(modinfo -F version adaptswap)" = "$NV" ]
	note "module loaded now: $(cat /sys/module/adaptswap/version 2>/dev/null || echo none)"
	# the daemon: restarted, new version, same swap
	[ "$(systemctl is-active adaptswapd)" = active ]
	[ "$(mainpid)" != "$pid0" ]
	adaptswapctl status --json | grep -q "\"version\":\"$NV\""
	# every file active before is still active (DKMS's compiler may have
	# made the daemon grow meanwhile: more is fine, less is lost swap)
	managed_swaps
	lost=$(comm -23 "$STATE/swaps.before-upgrade" <(managed_swaps))
	[ -z "$lost" ] || { echo "no longer active: $lost"; false; }
	# the edited conffile is kept
	grep -qx 'shrink_quiet_s = 3600' /etc/adaptswap/adaptswapd.conf
	grep -qx 'max_swap_mb = 1536' /etc/adaptswap/adaptswapd.conf
}

@test "purge leaves no file of the packages and no swap behind" {
	orig=$(cat "$STATE/swappiness.boot")
	dpkg -L adaptswap adaptswap-dkms > "$STATE/files"
	grep -q '^/usr/sbin/adaptswapd$' "$STATE/files"
	cat /proc/swaps
	[ "$(managed_swaps | wc -l)" -ge 1 ] || adaptswapctl grow
	[ "$(managed_swaps | wc -l)" -ge 1 ]
	run apt-get purge -y adaptswap adaptswap-dkms
	echo "$output"
	[ "$status" -eq 0 ]
	run dpkg-query -W -f='${Status}\n' adaptswap adaptswap-dkms
	[[ $output != *installed* ]] || { echo "$output"; false; }
	# every file the packages had; their directories may stay only if shared
	left=0
	while read -r f; do
		if [ -e "$f" ] && [ ! -d "$f" ]; then echo "left: $f"; left=1; fi
	done < "$STATE/files"
	[ "$left" -eq 0 ]
	[ ! -e /etc/adaptswap ]
	[ ! -e $DIR ]
	[ ! -e /run/adaptswap ]
	[ -z "$(managed_swaps)" ]
	run grep -c adaptswap /proc/swaps
	[ "$output" = 0 ]
	[ "$(cat /proc/sys/vm/swappiness)" -eq "$orig" ]
	# DKMS: nothing built or registered remains
	[ -z "$(find /lib/modules -path '*updates/dkms/adaptswap*')" ]
	[ -z "$(ls -d /usr/src/adaptswap-* /var/lib/dkms/adaptswap 2>/dev/null)" ]
	[ "$(systemctl show -P LoadState adaptswapd)" = not-found ]
	note "module after purge: $(grep -c '^adaptswap ' /proc/modules) loaded"
}
