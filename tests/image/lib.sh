# shellcheck shell=bash
# Shared by tests/image/build-base and tests/image/build-image.  Sourced.

# Private mounts: whatever debootstrap, apt or a maintainer script mounts
# goes away with the process, even on failure.
in_ns() { unshare --mount --propagation private "$@"; }

# chroot_run ROOT CMD...: run CMD in the chroot ROOT with /proc, /sys,
# /dev and /tmp of its own, a clean environment and no interaction.
chroot_run() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	in_ns bash -c 'set -e; r=$1; shift
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --bind /dev "$r/dev"
		mount -t devpts devpts "$r/dev/pts" -o newinstance,ptmxmode=666 2>/dev/null || true
		mount -t tmpfs tmpfs "$r/tmp"
		exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive "$@"' _ "$@"
}
