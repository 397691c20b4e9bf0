#!/usr/bin/env bats
# The top-level Kconfig parses with a real kernel's kconfig tool, and its
# dependencies hold.  Uses the unpacked Debian kbuild of the default kernel.

load ../lib/helpers

setup() {
	requires host
	CONF=$(ls "$CACHE"/kernels/bookworm/root/usr/lib/linux-kbuild-*/scripts/kconfig/conf 2>/dev/null | head -1)
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

# The options and their defaults: the same values as the out-of-tree
# fallbacks in kmod/adaptswap.h.
@test "the options default to the module's built-in defaults" {
	tree y
	echo CONFIG_ADAPTSWAP=m > .config
	"$CONF" --olddefconfig Kconfig
	local want
	want=$(printf '%s\n' CONFIG_ADAPTSWAP=m CONFIG_ADAPTSWAP_DEFAULT_ENABLED=y \
		CONFIG_ADAPTSWAP_LOW_PCT=20 CONFIG_ADAPTSWAP_MEDIUM_PCT=10 \
		CONFIG_ADAPTSWAP_CRITICAL_PCT=5 CONFIG_ADAPTSWAP_HYSTERESIS_PCT=3 \
		CONFIG_ADAPTSWAP_SAMPLE_IDLE_MS=1000 CONFIG_ADAPTSWAP_SAMPLE_FAST_MS=1 \
		CONFIG_ADAPTSWAP_EVENT_INTERVAL_MS=1000)
	diff <(echo "$want") <(grep '^CONFIG_ADAPTSWAP' .config)
	# and kmod/adaptswap.h's fallbacks say the same
	local h=$REPO/kmod/adaptswap.h k v
	for kv in ENABLED=1 LOW_PCT=20 MEDIUM_PCT=10 CRITICAL_PCT=5 HYSTERESIS_PCT=3 \
		SAMPLE_IDLE_MS=1000 SAMPLE_FAST_MS=1 EVENT_INTERVAL_MS=1000; do
		k=${kv%=*} v=${kv#*=}
		grep -qE "^#define ADAPTSWAP_DEF_$k[[:space:]]+$v\$" "$h" || {
			echo "adaptswap.h: no '#define ADAPTSWAP_DEF_$k $v'"; return 1; }
	done
}

@test "the options exist only when ADAPTSWAP is enabled" {
	tree y
	printf 'CONFIG_ADAPTSWAP_LOW_PCT=30\n' > .config
	"$CONF" --olddefconfig Kconfig
	run grep -c '^CONFIG_ADAPTSWAP' .config
	[ "$output" = 0 ]
}

@test "values in range are kept" {
	tree y
	printf '%s\n' CONFIG_ADAPTSWAP=y '# CONFIG_ADAPTSWAP_DEFAULT_ENABLED is not set' \
		CONFIG_ADAPTSWAP_LOW_PCT=99 CONFIG_ADAPTSWAP_CRITICAL_PCT=1 \
		CONFIG_ADAPTSWAP_HYSTERESIS_PCT=0 CONFIG_ADAPTSWAP_SAMPLE_IDLE_MS=60000 \
		CONFIG_ADAPTSWAP_SAMPLE_FAST_MS=1000 > .config
	"$CONF" --olddefconfig Kconfig
	grep -q '^# CONFIG_ADAPTSWAP_DEFAULT_ENABLED is not set$' .config
	grep -q '^CONFIG_ADAPTSWAP_LOW_PCT=99$' .config
	grep -q '^CONFIG_ADAPTSWAP_CRITICAL_PCT=1$' .config
	grep -q '^CONFIG_ADAPTSWAP_HYSTERESIS_PCT=0$' .config
	grep -q '^CONFIG_ADAPTSWAP_SAMPLE_IDLE_MS=60000$' .config
	grep -q '^CONFIG_ADAPTSWAP_SAMPLE_FAST_MS=1000$' .config
}

# What kconfig does with a bad value (observed with 6.1's conf): an
# out-of-range number is dropped silently and the default used instead (not
# clamped); a non-number is dropped with a warning.  olddefconfig succeeds.
@test "an out-of-range value falls back to the default" {
	tree y
	printf '%s\n' CONFIG_ADAPTSWAP=m CONFIG_ADAPTSWAP_LOW_PCT=150 \
		CONFIG_ADAPTSWAP_SAMPLE_FAST_MS=0 CONFIG_ADAPTSWAP_HYSTERESIS_PCT=51 > .config
	run "$CONF" --olddefconfig Kconfig
	[ "$status" -eq 0 ]
	grep -q '^CONFIG_ADAPTSWAP_LOW_PCT=20$' .config
	grep -q '^CONFIG_ADAPTSWAP_SAMPLE_FAST_MS=1$' .config
	grep -q '^CONFIG_ADAPTSWAP_HYSTERESIS_PCT=3$' .config
}

@test "a non-number is refused with a warning and the default used" {
	tree y
	printf '%s\n' CONFIG_ADAPTSWAP=m CONFIG_ADAPTSWAP_MEDIUM_PCT=ten > .config
	run "$CONF" --olddefconfig Kconfig
	[ "$status" -eq 0 ]
	[[ $output == *"invalid for ADAPTSWAP_MEDIUM_PCT"* ]]
	grep -q '^CONFIG_ADAPTSWAP_MEDIUM_PCT=10$' .config
}

# Ordering (low > medium > critical, fast <= idle) is not expressible in
# Kconfig: olddefconfig keeps such a config, and the module's static_assert
# stops the build (tests/kmod/graft.bats builds one).
@test "Kconfig keeps values out of order (the build refuses them)" {
	tree y
	printf '%s\n' CONFIG_ADAPTSWAP=m CONFIG_ADAPTSWAP_MEDIUM_PCT=30 > .config
	"$CONF" --olddefconfig Kconfig
	grep -q '^CONFIG_ADAPTSWAP_LOW_PCT=20$' .config
	grep -q '^CONFIG_ADAPTSWAP_MEDIUM_PCT=30$' .config
}
