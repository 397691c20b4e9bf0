# The Fly-like test image: Debian 12 with systemd as init and the cloud
# kernel, the packages installed in it (DKMS builds the module there),
# booted under QEMU by tests/image/image.bats in make check.
#
#   make image          build it (cached: .cache/image for the base system,
#                       $(BUILD)/image for the disk with the packages), with
#                       the debs of VERSION installed and those of
#                       IMAGE_NEXT_VERSION ready for the upgrade test
#   make image-check    boot it and run the in-image suite (tests/image/image.bats)
#   make image-shell    boot it for a person: log in on the console as root
#                       (no password) or user; everything is thrown away
#                       at power-off
#
# tests/image/run-image --help tells the rest (memory, timeout, -l live).

IMAGE_NEXT_VERSION ?= $(VERSION)+1

image: userspace
	$(Q)$(MAKE) deb
	$(Q)$(MAKE) deb DEB_VERSION=$(IMAGE_NEXT_VERSION)
	$(Q)tests/image/build-image -d $(BUILD)/deb -V $(VERSION) -n $(IMAGE_NEXT_VERSION)

image-check: deps image
	bats tests/image/image.bats

image-shell: image
	$(Q)tests/image/run-image --shell

DEPS_SETS     += dkms
CHECK_PREREQS += image
LINT_SCRIPTS  += tests/image/build-base tests/image/build-image tests/image/run-image \
	tests/image/in-image-run tests/image/lib.sh

.PHONY: image image-check image-shell
