# make bench: adaptswap against no swap, a static swapfile, swapspace and
# zram, on 256 MiB / 1 vCPU, 1 GiB / 2 vCPUs and 2 GiB / 2 vCPUs guests
# (bench/run; results in build/bench/<UTC time>/, build/bench/latest).
# It boots two guests at a time: on a shared machine, `gslot -a make bench`.
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
