#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module builds with W=1 without a single warning, and sparse (C=2,
# every file) has nothing to say. Builds a copy of the sources in a
# temporary directory, so it neither races with nor dirties a build in kmod/.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

KDIR=$(kdir)
if [[ -z $KDIR || ! -d $KDIR ]]; then
	echo "Bail out! no kernel build tree: install linux-headers-amd64 or set KDIR"
	exit 1
fi
echo "# building against $KDIR"

BUILD=$TEST_TMP/build
mkdir -p "$BUILD"
# The sources only, as DKMS gets them: objects or .cmd files from kmod/
# would confuse kbuild.
make -s -C "$VTUN_REPO" install-dkms-src DESTDIR="$BUILD" DKMS_SRCDIR=/ || exit 1

# warnings FILE: the compiler's and modpost's complaints in a build log.
warnings() {
	{ grep -E '(^|[^[:alnum:]_])([Ww]arning|WARNING|[Ee]rror|ERROR):' "$1" || :; } |
		sed "s|$BUILD/||g"
}

kbuild() {	# LOG ARG...
	local log=$1
	shift
	make -C "$KDIR" M="$BUILD" W=1 -j"$(nproc)" "$@" modules >"$log" 2>&1
}

test_build() {
	kbuild "$TEST_TMP/w1.log" || {
		tail -n 30 "$TEST_TMP/w1.log"
		fail "make W=1 failed"
	}
	[[ -f $BUILD/kmod/vtun.ko ]] || fail "no kmod/vtun.ko after the build"
}

test_no_warnings() {
	[[ -f $BUILD/kmod/vtun.ko ]] || fail "the build failed (above)"
	local w
	w=$(warnings "$TEST_TMP/w1.log")
	[[ -z $w ]] || fail "$w"$'\n'"W=1 build warnings (above)"
}

test_sparse() {
	command -v sparse >/dev/null || fail "sparse is not installed (make deps)"
	# C=2 checks every file, built or not; W=1 as above so nothing is
	# rebuilt.
	kbuild "$TEST_TMP/sparse.log" C=2 || {
		tail -n 30 "$TEST_TMP/sparse.log"
		fail "make C=2 failed"
	}
	grep -q '  CHECK ' "$TEST_TMP/sparse.log" || fail "sparse did not run"
	local w
	w=$(warnings "$TEST_TMP/sparse.log")
	[[ -z $w ]] || fail "$w"$'\n'"sparse warnings (above)"
}

run_test "module builds with W=1" test_build
run_test "W=1 build has no warnings" test_no_warnings
run_test "sparse (C=2) has no warnings" test_sparse
tap_done
