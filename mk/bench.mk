# make bench: adaptswap against no swap, a static swapfile and swapspace
# (bench/run; results in build/bench/<UTC time>/, build/bench/latest).
#   make bench [KERNEL=bookworm] [BENCH_OUT=dir] [BENCH_ARGS="--repeats 5 ..."]
# make check runs a smoke of the harness (tests/bench/bench.bats), which
# needs the bench packages.
DEPS_SETS    += bench
LINT_SCRIPTS += bench/run

bench:
	$(Q)tests/deps.sh bench
	$(Q)$(MAKE) initramfs KERNELS=$(KERNEL)
	$(Q)BENCH_OUT="$(BENCH_OUT)" bench/run -k $(KERNEL) $(BENCH_ARGS)

.PHONY: bench
