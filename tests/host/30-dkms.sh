#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf is right: its version is the module's, and "dkms add" and
# "dkms build" work against the installed kernel headers. Everything
# happens in a temporary DKMS tree: nothing lands in /var/lib/dkms or
# /usr/src, and no module gets installed.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_cmd dkms

CONF=$VTUN_REPO/dkms.conf
VERSION=$(sed -n 's/^#define VTUN_VERSION "\(.*\)"/\1/p' "$VTUN_REPO/kmod/version.h")
SRC=$TEST_TMP/src
TREE=$TEST_TMP/dkms

# The kernel to build for: the one whose build tree kdir() picks.
KDIR=$(kdir)
KVER=
if [[ $KDIR == /lib/modules/*/build ]]; then
	KVER=${KDIR#/lib/modules/}
	KVER=${KVER%/build}
fi

dkms_() {
	# Signing keys: by default dkms makes one in /var/lib/dkms; keep it
	# in the temporary tree instead.
	mok_signing_key=$TREE/mok.key mok_certificate=$TREE/mok.pub \
		dkms "$@" --dkmstree "$TREE" --sourcetree "$SRC"
}

test_version() {
	local conf_version
	[[ -n $VERSION ]] || fail "no VTUN_VERSION in kmod/version.h"
	conf_version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$CONF")
	assert_eq "$VERSION" "$conf_version" "dkms.conf PACKAGE_VERSION (kmod/version.h has $VERSION)"
	assert_match '^PACKAGE_NAME="?vtun"?$' "$(grep '^PACKAGE_NAME=' "$CONF")" "PACKAGE_NAME"
}

test_add() {
	local dst=$SRC/vtun-$VERSION
	mkdir -p "$dst" "$TREE"
	# What "dkms add ." would copy, less what is not needed to build.
	(cd "$VTUN_REPO" && find dkms.conf Makefile Kbuild kmod -type f \
		! -name '*.o' ! -name '*.ko' ! -name '*.mod*' ! -name '.*' \
		! -name modules.order ! -name Module.symvers -print0 |
		cpio -0pdm --quiet "$dst")
	dkms_ add -m vtun -v "$VERSION"
	[[ -L $TREE/vtun/$VERSION/source ]] || fail "dkms add did not register vtun/$VERSION"
}

test_build() {
	[[ -n $KVER ]] || fail "no kernel with a /lib/modules/KVER/build tree"
	if ! dkms_ build -m vtun -v "$VERSION" -k "$KVER"; then
		cat "$TREE/vtun/$VERSION/build/make.log" 2>/dev/null
		fail "dkms build failed"
	fi
	local ko
	ko=$(find "$TREE/vtun/$VERSION/$KVER" -name 'vtun.ko*' | head -n 1)
	[[ -n $ko ]] || fail "dkms build left no vtun.ko"
	assert_eq "$KVER" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "vermagic of $ko"
}

# The listing of /var/lib/dkms, to show nothing was added there.
var_lib_dkms() {
	find /var/lib/dkms -mindepth 1 2>/dev/null | LC_ALL=C sort
}

BEFORE=$(var_lib_dkms)
test_no_leak() {
	assert_eq "$BEFORE" "$(var_lib_dkms)" "contents of /var/lib/dkms"
	[[ ! -e /usr/src/vtun-$VERSION ]] || echo "note: /usr/src/vtun-$VERSION exists (not made by this test)"
}

run_test "dkms.conf version is kmod/version.h's ($VERSION)" test_version
run_test "dkms add" test_add
run_test "dkms build for ${KVER:-the installed kernel}" test_build
run_test "dkms leaves /var/lib/dkms alone" test_no_leak
tap_done
