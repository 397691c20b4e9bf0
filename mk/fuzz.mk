# make fuzz: the fuzz suites with their full counts (tests/**/*.fuzz.bats:
# genl and sysfs fuzzers, 200 module reloads under fire on 2 vCPUs, the
# daemon's control socket), each in a fresh guest, on every kernel in
# FUZZ_KERNELS (6.1 and 6.12 by default; FUZZ_KERNELS="$(KERNELS)" for all
# five); make check runs the same tests with smaller counts, on one kernel
# (*fuzz.guest.bats).  Seeds are printed; SEED=N replays them.
#   make fuzz [FUZZ_KERNELS="bookworm ..."] [SEED=N] [PENDING=1]
# PENDING=1 also runs the tests marked pending_issue (known to fail until
# that issue is fixed).  tests/fuzz/run --help tells the rest.
FUZZ_KERNELS ?= bookworm bookworm-backports
LINT_SCRIPTS += tests/fuzz/run

fuzz: deps
	$(Q)$(MAKE) initramfs KERNELS="$(FUZZ_KERNELS)"
	$(Q)KERNELS="$(FUZZ_KERNELS)" SEED="$(SEED)" PENDING="$(PENDING)" tests/fuzz/run

.PHONY: fuzz
