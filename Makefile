# SPDX-License-Identifier: GPL-2.0
#
# make            build kmod/vtun.ko and tools/vtunctl/vtunctl
# make check      build, host-side tests, then every selftest in one VM boot
# make check-debug  every selftest on a debug kernel (KASAN, kmemleak, lockdep)
# make demo       the README's main job: two offices and a remote worker behind NAT (VM)
# make deps       install the Debian packages the project needs (root)
# make install    module (DKMS if there is dkms), vtunctl, vtun-quick, the
#                 systemd unit, /etc/vtun; DESTDIR, PREFIX (/usr/local)
# make uninstall  the same files again (never configurations or keys)
# make deb        Debian packages vtun-dkms and vtunctl into $(DEB_OUT)

VERSION := $(shell sed -n 's/^\#define VTUN_VERSION "\(.*\)"/\1/p' kmod/version.h)

# The kernel to build against: the running kernel's build tree if it has
# one, else the one linux-headers-amd64 depends on (Debian 12's 6.1, even
# with 6.12 from bookworm-backports installed beside it), else the newest
# installed /lib/modules/*/build (our hosts run a kernel without modules
# and test in a VM booting the Debian kernel). tools/kernels decides;
# "make check" also tests the other kernel lines it lists.
TOPDIR := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
ifeq ($(origin KDIR),undefined)
KDIR := $(shell bash $(TOPDIR)tools/kernels kdir)
endif

.PHONY: all module vtunctl fuzz check check-host check-vm check-debug demo deps bench clean
.PHONY: install uninstall install-module install-module-dkms \
	install-module-kmod install-module-none install-dkms-src \
	install-vtunctl install-systemd install-etc deb

all: module vtunctl

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

vtunctl:
	$(MAKE) -C tools/vtunctl

# The packet fuzzer the selftests run in the VM (tests/fuzz; libcrypto).
fuzz:
	$(MAKE) -C tests/fuzz

# Tests and demo (README.md). Scripts are run through bash so that a tree
# without exec bits works too. tests/run builds first and counts a failed
# build as a failed test: "make check" always ends with "N passed, N failed".
check:
	KDIR="$(KDIR)" bash tests/run

check-host:
	KDIR="$(KDIR)" bash tests/host/run

check-vm: all fuzz
	bash tests/vm/run

# Every selftest on a debug kernel: KASAN, UBSAN, kmemleak, lockdep, ...
# (Documentation/hardening.rst). The kernel is built once (~85 min) and
# cached; vtun.ko for it is built in .cache/check-debug, not kmod/.
check-debug: vtunctl fuzz
	bash tests/debug-kernel/run

demo: all
	bash tests/vm/run tests/demo/demo.sh

deps:
	bash .ci/deps

# vtun against XFRM, WireGuard and veth in one VM boot (~10-17 min);
# BENCH_ARGS="--label NAME" keeps the results under that name.
bench: all
	bash bench/run $(BENCH_ARGS)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/vtunctl clean
	$(MAKE) -C tests/fuzz clean
	rm -rf .cache/check-debug

# ---- install, uninstall, deb (Documentation/packaging.rst) ----
#
# MODULE_INSTALL: how "make install" installs the module.
#   dkms  the sources into $(DKMS_SRCDIR), then, unless DESTDIR is set,
#         dkms add, build and install for $(KVER): rebuilt for new kernels
#   kmod  kmod/vtun.ko into /lib/modules/$(KVER)/updates, then depmod
#         unless DESTDIR is set
#   none  no module
#   auto  (default) dkms if there is a dkms command and no DESTDIR, else kmod
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/vtun
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),$(or $(shell pkg-config \
	--variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system),$(PREFIX)/lib/systemd/system)
DKMS_SRCDIR ?= /usr/src/vtun-$(VERSION)
INSTALL ?= install
DEPMOD ?= depmod
DKMS ?= dkms
MODULE_INSTALL ?= auto
# The kernel release of KDIR (Debian's headers name it only in utsrelease.h).
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
DEB_OUT ?= $(or $(VTUN_CACHE),$(HOME)/.cache/vtun)/deb

# Sub-makes run elsewhere: DESTDIR must be absolute.
destdir = $(if $(DESTDIR),$(abspath $(DESTDIR)))
have_dkms = $(shell PATH="$$PATH:/usr/sbin:/sbin" command -v $(DKMS) 2>/dev/null)
module_install = $(if $(filter auto,$(MODULE_INSTALL)),$(if $(DESTDIR),kmod,$(if $(have_dkms),dkms,kmod)),$(MODULE_INSTALL))

# What DKMS builds from: Kbuild, dkms.conf and kmod/ less build products.
DKMS_FILES = Kbuild dkms.conf kmod/Kbuild kmod/check-config.sh kmod/compat/probe.sh \
	$(filter-out kmod/vtun.mod.c,$(wildcard kmod/*.c)) \
	$(filter-out kmod/compat-gen.h,$(wildcard kmod/*.h)) \
	$(wildcard kmod/uapi/linux/*.h kmod/compat/include/*/*.h)

install: install-module install-vtunctl install-systemd install-etc

install-module: install-module-$(module_install)

install-module-none:

install-module-kmod: module
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of KDIR=$(KDIR): set KVER" >&2; exit 1; }
	$(INSTALL) -D -m 0644 kmod/vtun.ko $(destdir)/lib/modules/$(KVER)/updates/vtun.ko
	$(if $(DESTDIR),,$(DEPMOD) -a $(KVER))

install-dkms-src:
	$(INSTALL) -d $(destdir)$(DKMS_SRCDIR)
	for f in $(DKMS_FILES); do \
		mode=0644; test -x "$$f" && mode=0755; \
		$(INSTALL) -D -m $$mode "$$f" "$(destdir)$(DKMS_SRCDIR)/$$f" || exit; \
	done

# Idempotent: a version DKMS already has is removed first (its sources may
# have changed), then added, built and installed again.
install-module-dkms: install-dkms-src
ifeq ($(DESTDIR),)
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of KDIR=$(KDIR): set KVER" >&2; exit 1; }
	if [ -n "$$($(DKMS) status -m vtun -v $(VERSION))" ]; then \
		$(DKMS) remove -m vtun -v $(VERSION) --all; fi
	$(DKMS) add -m vtun -v $(VERSION)
	$(DKMS) build -m vtun -v $(VERSION) -k $(KVER)
	$(DKMS) install -m vtun -v $(VERSION) -k $(KVER)
else
	@echo "DESTDIR is set: sources installed, dkms not run (dkms install vtun/$(VERSION) on the target)"
endif

install-vtunctl:
	$(MAKE) -C tools/vtunctl install DESTDIR=$(destdir) PREFIX=$(PREFIX) \
		SBINDIR=$(SBINDIR) MANDIR=$(MANDIR) BASHCOMPDIR=$(BASHCOMPDIR)

install-systemd:
	$(INSTALL) -d $(destdir)$(SBINDIR) $(destdir)$(MANDIR)/man8 $(destdir)$(SYSTEMDUNITDIR)
	$(INSTALL) -m 0755 tools/systemd/vtun-quick $(destdir)$(SBINDIR)/vtun-quick
	$(INSTALL) -m 0644 tools/systemd/vtun-quick.8 $(destdir)$(MANDIR)/man8/vtun-quick.8
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		tools/systemd/vtun@.service.in >$(destdir)$(SYSTEMDUNITDIR)/vtun@.service
	chmod 0644 $(destdir)$(SYSTEMDUNITDIR)/vtun@.service

# /etc/vtun is root's alone: configurations name key files in it.
install-etc:
	$(INSTALL) -d -m 0700 $(destdir)$(SYSCONFDIR)/vtun
	$(INSTALL) -D -m 0644 tools/systemd/vtun0.conf.example $(destdir)$(DOCDIR)/examples/vtun0.conf

uninstall:
ifeq ($(DESTDIR),)
	if [ -n "$(have_dkms)" ] && [ -n "$$($(DKMS) status -m vtun -v $(VERSION))" ]; then \
		$(DKMS) remove -m vtun -v $(VERSION) --all; fi
endif
	rm -rf $(destdir)$(DKMS_SRCDIR)
	if [ -n "$(KVER)" ] && [ -e $(destdir)/lib/modules/$(KVER)/updates/vtun.ko ]; then \
		rm -f $(destdir)/lib/modules/$(KVER)/updates/vtun.ko; \
		$(if $(DESTDIR),:,$(DEPMOD) -a $(KVER)); fi
	rm -f $(destdir)$(SBINDIR)/vtunctl $(destdir)$(MANDIR)/man8/vtunctl.8 \
		$(destdir)$(BASHCOMPDIR)/vtunctl \
		$(destdir)$(SBINDIR)/vtun-quick $(destdir)$(MANDIR)/man8/vtun-quick.8 \
		$(destdir)$(SYSTEMDUNITDIR)/vtun@.service \
		$(destdir)$(DOCDIR)/examples/vtun0.conf
	-rmdir $(destdir)$(DOCDIR)/examples $(destdir)$(DOCDIR) 2>/dev/null
	@if [ -d $(destdir)$(SYSCONFDIR)/vtun ]; then \
		rmdir $(destdir)$(SYSCONFDIR)/vtun 2>/dev/null || \
		echo "kept $(destdir)$(SYSCONFDIR)/vtun: it holds configurations or keys"; fi

# Packages are built in a copy of the tree (git's files, tracked or not,
# less what .gitignore ignores), so that the checkout stays clean.
deb: SHELL := /bin/bash
deb:
	@command -v dpkg-buildpackage >/dev/null || \
		{ echo "dpkg-buildpackage missing: make deps (dpkg-dev debhelper dh-dkms)" >&2; exit 1; }
	set -eo pipefail; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	src=$$tmp/vtun-$(VERSION); mkdir -p "$$src" $(DEB_OUT); \
	if git rev-parse --git-dir >/dev/null 2>&1; then \
		git ls-files -z -c -o --exclude-standard | \
		while IFS= read -r -d '' f; do [ -e "$$f" ] && printf '%s\0' "$$f"; done; \
	else \
		find . -path ./.git -prune -o -type f ! -name '*.o' ! -name '*.ko' -print0; \
	fi | cpio -0pdm --quiet "$$src"; \
	start=$$SECONDS; \
	if ! (cd "$$src" && dpkg-buildpackage -us -uc -b) >$$tmp/build.log 2>&1; then \
		tail -n 40 $$tmp/build.log; echo "dpkg-buildpackage failed" >&2; exit 1; fi; \
	rm -f $(DEB_OUT)/vtun-dkms_* $(DEB_OUT)/vtunctl_* $(DEB_OUT)/vtun_*; \
	mv $$tmp/*.deb $$tmp/*.buildinfo $$tmp/*.changes $(DEB_OUT)/; \
	cp $$tmp/build.log $(DEB_OUT)/vtun_$(VERSION)_build.log; \
	echo "built in $$((SECONDS - start)) s:"; ls -1 $(DEB_OUT)/*.deb
