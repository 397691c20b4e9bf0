# Grafting adaptswap into a kernel source tree (scripts/graft-kernel), and
# the tree tests/kmod/graft.bats checks it against: Debian's
# linux-source-6.1 (bookworm), downloaded, unpacked, configured like the
# bookworm cloud kernel and modules_prepare'd once into
# linux-source/VERSION/src of the download cache (ADAPTSWAP_CACHE, see
# tests/vm/common.sh; a warm run only checks the stamp).
#
#   make linux-source    prepare that tree

DEPS_SETS     += graft
CHECK_PREREQS += linux-source
LINT_SCRIPTS  += scripts/graft-kernel tests/kmod/linux-source.sh

linux-source:
	$(Q)tests/kmod/linux-source.sh >/dev/null

.PHONY: linux-source
