#!/usr/bin/env bats
# The guest environment the other guest suites rely on (a disk emptied and
# no swap: also after the suites that shared the boot before it).
# guest: share=on est=12

load ../lib/helpers

setup() { requires guest; }

@test "runs Debian's cloud kernel with panic_on_warn" {
	[[ $(uname -r) == *-cloud-amd64 ]]
	[ "$(cat /proc/sys/kernel/panic_on_warn)" = 1 ]
}

@test "has a fresh ext4 disk for swapfiles" {
	grep -q ' /mnt ext4 ' /proc/mounts
	[ -z "$(ls -A /mnt | grep -v lost+found)" ]
	fallocate -l 16M /mnt/probe && rm /mnt/probe
}

@test "has no swap to begin with" {
	[ "$(wc -l < /proc/swaps)" -eq 1 ]
}

@test "has PSI" {
	[ -r /proc/pressure/memory ]
}

@test "the static user space runs" {
	adaptswapctl --version
}

@test "an unprivileged user exists" {
	run as_user id -u
	[ "$output" = 1000 ]
}
