#!/usr/bin/env bats
# The top-level Kconfig parses with a real kernel's kconfig tool, and its
# dependencies hold.  Uses the unpacked Debian kbuild of the default kernel.

load ../lib/helpers

setup() {
	requires host
	CONF=$(ls "${ADAPTSWAP_CACHE:-$REPO/.cache}"/kernels/bookworm/root/usr/lib/linux-kbuild-*/scripts/kconfig/conf 2>/dev/null | head -1)
	[ -x "$CONF" ] || skip "requires the unpacked bookworm kernel (make check prepares it)"
	cd "$BATS_TEST_TMPDIR"
}

# tree NET-VALUE: a minimal Kconfig tree around ours
tree() {
	cat > Kconfig <<-KC
	config SWAP
		def_bool y
	config NET
		bool "net"
		default $1
	config SYSFS
		def_bool y
	config TRACEPOINTS
		def_bool y
	config MODULES
		def_bool y
		modules
	source "$REPO/Kconfig"
	KC
}

@test "CONFIG_ADAPTSWAP=m survives olddefconfig" {
	tree y
	echo CONFIG_ADAPTSWAP=m > .config
	run "$CONF" --olddefconfig Kconfig
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^CONFIG_ADAPTSWAP=m$' .config
}

@test "CONFIG_ADAPTSWAP=y builds it in" {
	tree y
	echo CONFIG_ADAPTSWAP=y > .config
	"$CONF" --olddefconfig Kconfig
	grep -q '^CONFIG_ADAPTSWAP=y$' .config
}

@test "without NET the option cannot be set" {
	tree n
	printf 'CONFIG_NET=n\nCONFIG_ADAPTSWAP=m\n' > .config
	"$CONF" --olddefconfig Kconfig
	! grep -q '^CONFIG_ADAPTSWAP=' .config
}

@test "the default is off" {
	tree y
	: > .config
	"$CONF" --olddefconfig Kconfig
	grep -q '^# CONFIG_ADAPTSWAP is not set$' .config
}
