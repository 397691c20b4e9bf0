# shellcheck shell=bash
# The download cache (kernels, linux-source, debootstrapped chroots): the
# one choice that tests/vm/common.sh, tests/lib/helpers.bash and bench/run
# read.  Sourced, never run; sets no shell option.
#
# adaptswap_cache REPO: ADAPTSWAP_CACHE when set; else, for root,
# /var/cache/adaptswap (one per machine: make check runs as root, and a
# fresh clone reuses what the machine has); else REPO/.cache.
adaptswap_cache() {
	if [ -n "${ADAPTSWAP_CACHE:-}" ]; then
		echo "$ADAPTSWAP_CACHE"
	elif [ "$(id -u)" -eq 0 ]; then
		echo /var/cache/adaptswap
	else
		echo "$1/.cache"
	fi
}
