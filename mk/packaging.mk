# Packaging: DKMS and the Debian packages (adaptswap, adaptswap-dkms).
#
#   make dkms-install     copy the module sources to $(DKMS_SOURCETREE)/adaptswap-$(VERSION)
#                         and dkms add, build, install them
#   make dkms-uninstall   dkms remove --all, and delete those sources
#     DKMS_KERNEL=KVER DKMS_KERNELSOURCEDIR=DIR: another kernel's headers
#     DKMS_TREE DKMS_SOURCETREE DKMS_INSTALLTREE: dkms's trees (defaults
#     /var/lib/dkms /usr/src /lib/modules); the tests point them elsewhere
#     (DKMS_INSTALLTREE/KVER must exist; no depmod outside /lib/modules)
#   make deb [DEB_VERSION=x.y.z]
#                         $(BUILD)/deb/adaptswap_V_$(DEB_ARCH).deb and adaptswap-dkms_V_all.deb,
#                         V = DEB_VERSION (default: VERSION, which debian/changelog repeats),
#                         built by dpkg-buildpackage from the source package of the tree
#                         ($(BUILD)/deb/adaptswap_$(VERSION).dsc); no rebuild when nothing
#                         changed.  debian/build-deb tells the rest; dpkg-buildpackage -us -uc -b
#                         in the tree works too (the packages land in ..).

DKMS_TREE        ?= /var/lib/dkms
DKMS_SOURCETREE  ?= /usr/src
DKMS_INSTALLTREE ?= /lib/modules
DKMS_KERNEL      ?=
DKMS_KERNELSOURCEDIR ?=
# depmod works on /lib/modules only: none for another install tree
DKMS_TREES := --dkmstree $(DKMS_TREE) --sourcetree $(DKMS_SOURCETREE) --installtree $(DKMS_INSTALLTREE) \
	      $(if $(filter-out /lib/modules /lib/modules/,$(DKMS_INSTALLTREE)),--no-depmod)
DKMS_KOPTS := $(if $(DKMS_KERNEL),-k $(DKMS_KERNEL)) \
	      $(if $(DKMS_KERNELSOURCEDIR),--kernelsourcedir $(DKMS_KERNELSOURCEDIR))
DKMS_MV    := -m adaptswap -v $(VERSION)

dkms-install:
	$(Q)command -v dkms >/dev/null || { echo "dkms-install: needs dkms (tests/deps.sh dkms)" >&2; exit 2; }
	$(Q)if [ -n "$$(dkms status $(DKMS_MV) $(DKMS_TREES) 2>/dev/null)" ]; then \
		dkms remove $(DKMS_MV) --all $(DKMS_TREES) >/dev/null; fi
	$(Q)rm -rf $(DKMS_SOURCETREE)/adaptswap-$(VERSION)
	$(Q)dkms/copy-sources --conf $(DKMS_SOURCETREE)/adaptswap-$(VERSION)
	$(Q)dkms add $(DKMS_MV) $(DKMS_TREES)
	$(Q)dkms build $(DKMS_MV) $(DKMS_TREES) $(DKMS_KOPTS)
	$(Q)dkms install $(DKMS_MV) $(DKMS_TREES) $(DKMS_KOPTS)

dkms-uninstall:
	$(Q)command -v dkms >/dev/null || { echo "dkms-uninstall: needs dkms (tests/deps.sh dkms)" >&2; exit 2; }
	$(Q)if [ -n "$$(dkms status $(DKMS_MV) $(DKMS_TREES) 2>/dev/null)" ]; then \
		dkms remove $(DKMS_MV) --all $(DKMS_TREES); fi
	$(Q)rm -rf $(DKMS_SOURCETREE)/adaptswap-$(VERSION)

DEB_VERSION ?= $(VERSION)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)

deb:
	$(Q)debian/build-deb $(BUILD)/deb '$(DEB_VERSION)'

DEPS_SETS     += dkms
CHECK_PREREQS += deb
LINT_SCRIPTS  += dkms/copy-sources debian/build-deb debian/adaptswap.prerm \
	debian/adaptswap.postrm debian/adaptswap-dkms.postinst debian/adaptswap-dkms.prerm \
	userspace/completion/adaptswapctl

.PHONY: dkms-install dkms-uninstall deb
