# SPDX-License-Identifier: GPL-2.0
#
# make            build kmod/vtun.ko and tools/vtunctl/vtunctl
# make check      build, host-side tests, then every selftest in one VM boot
# make demo       the README's main job: two sites talking through vtun (VM)
# make deps       install the Debian packages the project needs (root)

VERSION := $(shell sed -n 's/^\#define VTUN_VERSION "\(.*\)"/\1/p' kmod/version.h)

# The kernel to build against: the running kernel's build tree if it has
# one, else the newest installed /lib/modules/*/build (our hosts run a
# kernel without modules and test in a VM booting the Debian kernel).
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	  if [ -d $$d ]; then echo $$d; \
	  else ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1; fi)

.PHONY: all module vtunctl check check-host check-vm demo deps clean

all: module vtunctl

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

vtunctl:
	$(MAKE) -C tools/vtunctl

# Tests and demo (README.md). Scripts are run through bash so that a tree
# without exec bits works too. tests/run builds first and counts a failed
# build as a failed test: "make check" always ends with "N passed, N failed".
check:
	KDIR="$(KDIR)" bash tests/run

check-host:
	KDIR="$(KDIR)" bash tests/host/run

check-vm: all
	bash tests/vm/run

demo: all
	bash tests/vm/run tests/demo/demo.sh

deps:
	bash .ci/deps

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/vtunctl clean
