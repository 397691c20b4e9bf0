# The Fly-like test images: Debian with systemd as init and the cloud
# kernel, the packages installed in it (DKMS builds the module there with
# the suite's own compiler), booted under QEMU by tests/image/image.bats in
# make check.  One image per suite in IMAGE_SUITES: trixie (Debian 13, the
# default, on its 6.12 kernel) and bookworm (Debian 12, 6.1); make check
# runs the image suite on each (bookworm only when asked for: it does not
# fit in make check's time with trixie's, see README.md).
#
#   make image          build them (cached: image/SUITE of the download cache for the base
#                       system, $(BUILD)/image/SUITE for the disk with the
#                       packages), with the debs of VERSION installed and
#                       those of IMAGE_NEXT_VERSION ready for the upgrade test
#   make image-check    boot each and run the in-image suite (tests/image/image.bats)
#   make image-shell    boot the first of IMAGE_SUITES for a person: log in on
#                       the console as root (no password) or user; everything
#                       is thrown away at power-off
#
#   make check IMAGE_SUITES="trixie bookworm"     both images
#
# tests/image/run-image --help tells the rest (memory, timeout, -l live).

IMAGE_SUITES ?= trixie
IMAGE_NEXT_VERSION ?= $(VERSION)+1

image: userspace
	$(Q)$(MAKE) deb
	$(Q)$(MAKE) deb DEB_VERSION=$(IMAGE_NEXT_VERSION)
	$(Q)for s in $(IMAGE_SUITES); do \
		tests/image/build-image -s $$s -d $(BUILD)/deb -V $(VERSION) -n $(IMAGE_NEXT_VERSION) || exit 1; \
	done

image-check: deps image
	$(Q)for s in $(IMAGE_SUITES); do IMAGE_SUITE=$$s bats tests/image/image.bats || exit 1; done

image-shell: image
	$(Q)tests/image/run-image -s $(firstword $(IMAGE_SUITES)) --shell

DEPS_SETS     += dkms
CHECK_PREREQS += image
LINT_SCRIPTS  += tests/image/build-base tests/image/build-image tests/image/run-image \
	tests/image/in-image-run

.PHONY: image image-check image-shell
