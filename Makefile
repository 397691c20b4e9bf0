# adaptswap - adaptive swap for small Linux VMs
#
#   make            build user space (dynamic, into build/host)
#   make demo       the same memory spike without and with adaptswap, in a guest
#   make check      install what is missing (apt), build everything, run all tests
#   make deps       only install what is missing
#   make kmod       build adaptswap.ko for each kernel in KERNELS
#   make guest SUITE=path.bats [KERNEL=bookworm]   run one suite in a guest
#   make bench-guest  figures: event latency, grow latency, idle cost, RSS,
#                   sampler rates; the page-cache and OOM suites on every kernel
#   make fuzz       the fuzz suites with their full counts (mk/fuzz.mk)
#   make clean      remove build/ (keeps the download cache)
#   make distclean  remove build/ and the download cache: ADAPTSWAP_CACHE,
#                   by default /var/cache/adaptswap for root (one per
#                   machine, shared by its clones), else .cache/
#
# KERNELS lists Debian suites whose cloud kernels the guests boot; by
#   default all five: bullseye (5.10), bookworm (6.1), bookworm-backports
#   (6.12), trixie (6.12) and sid (7.x).  Headers that need a compiler this
#   machine lacks are built against in a chroot of their suite
#   (tests/vm/toolchain, cached in the download cache's toolchain/).
# IMAGE_SUITES lists the packaged images make check boots (mk/image.mk):
#   trixie by default; "trixie bookworm" for both.
# SHAPES=all runs every guest suite in each of its machine shapes on every
#   kernel (make check runs the 2-vCPU shapes on some kernels only).
# V=1 shows the commands.  PENDING=1 (check, fuzz) also runs the tests
# that wait for an open issue's fix (tests/lib/fuzz.bash).

VERSION  := $(shell cat VERSION)
KERNELS  ?= bullseye bookworm bookworm-backports trixie sid
KERNEL   ?= bookworm
BUILD    ?= $(CURDIR)/build
export ADAPTSWAP_BUILD := $(BUILD)
CC       ?= cc
TEST_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Wshadow \
	       -Wstrict-prototypes -Wmissing-prototypes -Itests/lib \
	       -Iuserspace/lib $(shell pkg-config --cflags libnl-genl-3.0)

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif

all: userspace

# Each area adds its own targets in mk/*.mk.  A fragment may append to
#   DEPS_SETS      the tests/deps.sh sets that make check installs
#   CHECK_PREREQS  targets that make check builds before running the tests
#   LINT_SCRIPTS   shell scripts that make lint runs shellcheck on
DEPS_SETS     := check
CHECK_PREREQS :=
LINT_SCRIPTS  :=
include $(sort $(wildcard mk/*.mk))

deps:
	$(Q)tests/deps.sh $(DEPS_SETS)

userspace:
	$(Q)$(MAKE) -C userspace O=$(BUILD)/host
	$(Q)$(MAKE) -C userspace O=$(BUILD)/static STATIC=1
	$(Q)$(MAKE) tools

# Test tools, static, installed into the guests with the user space.
TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/static/bin/adaptswap-%,$(wildcard tests/tools/*.c))
$(BUILD)/static/bin/adaptswap-%: tests/tools/%.c $(wildcard tests/tools/*.h) userspace/lib/adaptswap.h \
		$(BUILD)/static/lib/libadaptswap.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -O2 -static -o $@ $< $(BUILD)/static/lib/libadaptswap.a \
		-lnl-genl-3 -lnl-3 -lpthread -lm 2>$@.log; rc=$$?; \
		grep -v -e 'statically linked applications' -e 'in function' $@.log >&2; rm -f $@.log; exit $$rc
tools: $(TOOLS)

# --- kernels, module, guest images ------------------------------------
# Each suite's kernel, and its toolchain chroot where its headers need one,
# prepared side by side: mostly downloads and dpkg, so on a fresh clone all
# five took 273 s this way against 586 s one after the other (2 cores,
# other guests running).
kernels:
	$(Q)pids=''; for k in $(KERNELS); do \
		{ tests/vm/kernel.sh $$k && { ! tests/vm/toolchain --needed $$k || \
			tests/vm/toolchain $$k >/dev/null; }; } & pids="$$pids $$!"; \
	done; rc=0; for p in $$pids; do wait $$p || rc=1; done; exit $$rc

kmod: kernels
	$(Q)for k in $(KERNELS); do tests/vm/build-kmod $$k || exit 1; done

initramfs: userspace kmod
	$(Q)for k in $(KERNELS); do tests/vm/build-initramfs $$k || exit 1; done

guest: deps
	$(Q)$(MAKE) initramfs KERNELS=$(KERNEL)
	tests/vm/run-guest -k $(KERNEL) $(SUITE)

# The main job: the same spike without and with adaptswap, in a guest.
demo:
	$(Q)tests/deps.sh demo
	$(Q)$(MAKE) initramfs KERNELS=$(KERNEL)
	$(Q)KERNEL=$(KERNEL) demo/run

# Benchmarks print figures; they never fail on a timing.  The guest suites
# that make check runs on some kernels only run here on all of them.
BENCH_GUEST_SUITES := tests/kmod/pagecache.guest.bats tests/kmod/oom.guest.bats
bench-guest: deps
	$(Q)$(MAKE) initramfs
	$(Q)for k in $(KERNELS); do \
		for s in tests/*/*.bench.bats $(BENCH_GUEST_SUITES); do \
			tests/vm/run-guest -k $$k $$s | grep -E '^(# |not ok)' || exit 1; \
		done; \
	done

# --- unit tests ---------------------------------------------------------
UNIT_TESTS := $(BUILD)/tests/lib_test $(BUILD)/tests/level_test $(BUILD)/tests/config_test \
	      $(BUILD)/tests/policy_test $(BUILD)/tests/swapfile_test $(BUILD)/tests/json_test \
	      $(BUILD)/tests/client_test $(BUILD)/tests/metrics_test
D := userspace/daemon
L := userspace/lib
# the daemon's pure parts use the library's pure part (names, numbers)
NAMES := $(L)/names.c $(L)/adaptswap.h

$(BUILD)/tests/config_test: tests/userspace/config_test.c $(D)/config.c $(D)/conffile.c \
		$(D)/limits.c $(D)/asd.h $(NAMES) tests/lib/tap.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -I$(D) -o $@ tests/userspace/config_test.c $(D)/config.c \
		$(D)/conffile.c $(D)/limits.c $(L)/names.c -lm

$(BUILD)/tests/policy_test: tests/userspace/policy_test.c $(D)/policy.c $(D)/pace.c $(D)/config.c \
		$(D)/conffile.c $(D)/limits.c $(D)/asd.h $(NAMES) tests/lib/tap.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -I$(D) -o $@ tests/userspace/policy_test.c $(D)/policy.c $(D)/pace.c \
		$(D)/config.c $(D)/conffile.c $(D)/limits.c $(L)/names.c -lm

$(BUILD)/tests/metrics_test: tests/userspace/metrics_test.c $(D)/metrics.c $(D)/asd.h \
		$(L)/json.c $(L)/json.h tests/lib/tap.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -I$(D) -I$(L) -o $@ tests/userspace/metrics_test.c $(D)/metrics.c \
		$(L)/json.c

$(BUILD)/tests/swapfile_test: tests/userspace/swapfile_test.c $(D)/swapfile.c $(D)/swaps.c $(D)/safedir.c \
		$(D)/asd.h $(NAMES) tests/lib/tap.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -I$(D) -o $@ tests/userspace/swapfile_test.c $(D)/swapfile.c $(D)/safedir.c \
		$(D)/swaps.c $(L)/names.c

$(BUILD)/tests/level_test: tests/kmod/level_test.c kmod/level.c kmod/level.h kmod/uapi/adaptswap.h tests/lib/tap.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -Ikmod -o $@ tests/kmod/level_test.c kmod/level.c

$(BUILD)/tests/json_test: tests/userspace/json_test.c $(L)/json.c $(L)/json.h tests/lib/tap.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ tests/userspace/json_test.c $(L)/json.c

$(BUILD)/tests/client_test: tests/userspace/client_test.c $(L)/daemon.c $(NAMES) tests/lib/tap.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -pthread -o $@ tests/userspace/client_test.c $(L)/daemon.c

$(BUILD)/tests/lib_test: tests/userspace/lib_test.c userspace | userspace
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ tests/userspace/lib_test.c \
		$(BUILD)/host/lib/libadaptswap.a $$(pkg-config --libs libnl-genl-3.0)

unit: userspace $(UNIT_TESTS)

# --- everything -------------------------------------------------------
lint:
	$(Q)shellcheck -x tests/run-checks tests/deps.sh tests/vm/*.sh tests/vm/run-guest \
		tests/vm/build-initramfs tests/vm/build-kmod tests/vm/toolchain tests/vm/guest-init .ci/run demo/run \
		$(LINT_SCRIPTS)

# CHECK_T0: when make check started, so that tests/run-checks reports the
# preparation's time and counts its budget (CHECK_BUDGET, 80 minutes by
# default, CI allowing 90) from it.  After the user space, the two halves
# of the preparation run side by side, each mostly on one core or the
# network: the kernels, toolchains, modules and guest images, and the
# packages, the packaged image and the kernel source (the debootstraps
# they share are cached under a lock, tests/vm/common.sh).
check:
	$(Q)export CHECK_T0=$$(date +%s); tests/deps.sh $(DEPS_SETS) && $(MAKE) userspace && \
		{ $(MAKE) lint unit initramfs & a=$$!; $(MAKE) $(CHECK_PREREQS) & b=$$!; \
		  ra=0; wait $$a || ra=1; wait $$b || ra=1; [ $$ra -eq 0 ]; } && \
		KERNELS="$(KERNELS)" IMAGE_SUITES="$(IMAGE_SUITES)" SHAPES="$(SHAPES)" PENDING="$(PENDING)" \
		tests/run-checks

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf .cache "$$(bash -c '. tests/vm/common.sh && echo "$$CACHE"')"

.PHONY: tools
.PHONY: demo bench-guest all deps userspace kernels kmod initramfs guest unit lint check clean distclean
