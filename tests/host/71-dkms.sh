#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf names the module's version (kmod/version.h), rebuilds it for new
# kernels (AUTOINSTALL) and only for 5.10 or later; the DKMS life cycle of
# vtun against the installed kernel headers: add,
# build, install, uninstall, remove, from the sources as "make
# install-dkms-src" (and so the vtun-dkms package) installs them. All of
# it in temporary trees (--dkmstree, --sourcetree, --installtree,
# --no-depmod, signing keys): /var/lib/dkms, /usr/src and /lib/modules are
# untouched. A kernel without an option vtun needs is refused by the
# PRE_BUILD check on the terminal, before anything is compiled.
#
# The module built here is left in .cache/packaging/dkms/KVER/ (in the tree: the
# guest sees it at the same path whatever HOME is) for the
# VM test tests/selftests/90-packaging-dkms.sh, which loads it and carries
# traffic with it (building in the emulated VM takes minutes more:
# Documentation/packaging.rst).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_cmd dkms modinfo

KDIR=$(kdir)
[[ -n $KDIR && -d $KDIR ]] || { echo "Bail out! no kernel build tree"; exit 1; }
KVER=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
VERSION=$(sed -n 's/^#define VTUN_VERSION "\(.*\)"/\1/p' "$VTUN_REPO/kmod/version.h")
CACHE=$VTUN_REPO/.cache	# shared with the VM tests (.gitignore)
TREE=$TEST_TMP/dkms
# DKMS compresses the module as the kernel's are (6.12's config asks for
# xz: vtun.ko.xz); the VM test gets it uncompressed.
INSTALLED=$TREE/lib/$KVER/updates/dkms/vtun.ko
installed() {
	local f
	for f in "$INSTALLED" "$INSTALLED".xz "$INSTALLED".zst "$INSTALLED".gz; do
		[[ -e $f ]] && { echo "$f"; return; }
	done
}

# dkms_ ARG...: dkms with every tree in TREE, no depmod, keys in TREE.
dkms_() {
	mok_signing_key=$TREE/mok.key mok_certificate=$TREE/mok.pub \
		dkms "$@" --dkmstree "$TREE/var" --sourcetree "$TREE/src" \
		--installtree "$TREE/lib" --no-depmod
}

status() {
	dkms_ status -m vtun -v "$VERSION" -k "$KVER" 2>/dev/null
}

# conf_value KEY: KEY's value in dkms.conf, quotes removed.
conf_value() {
	sed -n 's/^'"$1"'="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$VTUN_REPO/dkms.conf"
}

test_conf() {
	local k re
	[[ -n $VERSION ]] || fail "no VTUN_VERSION in kmod/version.h"
	assert_eq vtun "$(conf_value PACKAGE_NAME)" "PACKAGE_NAME"
	assert_eq "$VERSION" "$(conf_value PACKAGE_VERSION)" "PACKAGE_VERSION (kmod/version.h has $VERSION)"
	assert_eq yes "$(conf_value AUTOINSTALL)" "AUTOINSTALL"
	re=$(conf_value BUILD_EXCLUSIVE_KERNEL)
	for k in 5.10.0-32-amd64 5.15.0-1 6.1.0-56-amd64 6.6.63 6.12.9+bpo-amd64 7.0.0 10.1.0; do
		[[ $k =~ $re ]] || fail "BUILD_EXCLUSIVE_KERNEL $re excludes $k"
	done
	for k in 4.19.0-27-amd64 5.4.0-1 5.9.16 3.16.0; do
		[[ ! $k =~ $re ]] || fail "BUILD_EXCLUSIVE_KERNEL $re admits $k"
	done
}

test_add() {
	mkdir -p "$TREE/var" "$TREE/lib/$KVER"
	make -s -C "$VTUN_REPO" install-dkms-src DESTDIR="$TREE" DKMS_SRCDIR="/src/vtun-$VERSION"
	dkms_ add -m vtun -v "$VERSION"
	assert_match "^vtun/$VERSION: added" "$(dkms_ status -m vtun -v "$VERSION")" "dkms status"
}

test_build() {
	local start=$SECONDS
	if ! dkms_ build -m vtun -v "$VERSION" -k "$KVER" --kernelsourcedir "$KDIR" \
		>"$TEST_TMP/build.out" 2>&1; then
		cat "$TEST_TMP/build.out" "$TREE/var/vtun/$VERSION/build/make.log" 2>/dev/null
		fail "dkms build failed"
	fi
	echo "# dkms build: $((SECONDS - start)) s"
	assert_match "^vtun/$VERSION, $(re_quote "$KVER"), [^:]*: built" "$(status)" "dkms status"
}

test_install() {
	dkms_ install -m vtun -v "$VERSION" -k "$KVER"
	local ko
	ko=$(installed)
	[[ -f $ko ]] || fail "no $INSTALLED (nor compressed)"
	assert_eq "$KVER" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "vermagic"
	assert_eq "$VERSION" "$(modinfo -F version "$ko")" "module version"
	assert_match "^vtun/$VERSION, $(re_quote "$KVER"), [^:]*: installed" "$(status)" "dkms status"
}

# For the VM test: the module, and what it was built from.
test_keep_for_vm() {
	local dir=$CACHE/packaging/dkms/$KVER
	mkdir -p "$dir"
	local ko
	ko=$(installed)
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -qdc "$ko" ;;
	*.gz) gzip -dc "$ko" ;;
	*) cat "$ko" ;;
	esac >"$dir/vtun.ko.tmp" || fail "cannot copy $ko"
	mv "$dir/vtun.ko.tmp" "$dir/vtun.ko"
}

test_uninstall() {
	dkms_ uninstall -m vtun -v "$VERSION" -k "$KVER"
	[[ -z $(installed) ]] || fail "$(installed) is still there"
	assert_match "^vtun/$VERSION, $(re_quote "$KVER"), [^:]*: built" "$(status)" "dkms status"
}

test_remove() {
	dkms_ remove -m vtun -v "$VERSION" --all
	assert_eq "" "$(dkms_ status -m vtun -v "$VERSION")" "dkms status"
	[[ ! -e $TREE/var/vtun/$VERSION ]] || fail "$TREE/var/vtun/$VERSION is still there"
}

test_missing_option() {
	fake_kdir "$TEST_TMP/kdir" CONFIG_PADATA
	test_add
	if dkms_ build -m vtun -v "$VERSION" -k "$KVER" --kernelsourcedir "$TEST_TMP/kdir" \
		>"$TEST_TMP/bad.out" 2>&1; then
		fail "dkms build succeeded without CONFIG_PADATA"
	fi
	grep -q 'vtun needs CONFIG_PADATA=y' "$TEST_TMP/bad.out" ||
		fail "$(cat "$TEST_TMP/bad.out")"$'\n'"dkms did not say 'vtun needs CONFIG_PADATA=y'"
	! grep -q 'CC \[M\]' "$TREE/var/vtun/$VERSION/build/make.log" ||
		fail "files were compiled before the check stopped the build"
	dkms_ remove -m vtun -v "$VERSION" --all >/dev/null
}

# The system's DKMS state, to show that nothing changed there.
system_state() {
	{
		find /var/lib/dkms -mindepth 1 2>/dev/null
		find "/lib/modules/$KVER" -path '*vtun*' 2>/dev/null
		stat -c '%n %Y' "/lib/modules/$KVER/modules.dep" 2>/dev/null
		ls -d /usr/src/vtun-* 2>/dev/null
	} | LC_ALL=C sort
}

BEFORE=$(system_state)
test_system_untouched() {
	assert_eq "$BEFORE" "$(system_state)" "/var/lib/dkms, /lib/modules/$KVER, /usr/src"
}

run_test "dkms.conf: name, version $VERSION, AUTOINSTALL, kernels 5.10+" test_conf
run_test "dkms add (make install-dkms-src sources)" test_add
run_test "dkms build for $KVER" test_build
run_test "dkms install (temporary install tree)" test_install
run_test "keep the DKMS-built module for the VM test" test_keep_for_vm
run_test "dkms uninstall" test_uninstall
run_test "dkms remove" test_remove
run_test "dkms build without CONFIG_PADATA says so" test_missing_option
run_test "the system's DKMS, modules and /usr/src are untouched" test_system_untouched
tap_done
