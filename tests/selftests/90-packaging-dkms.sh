#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module DKMS builds is the module that works: build vtun with dkms
# (add, build, install) in temporary DKMS trees, from the sources exactly as
# "make install-dkms-src" and the vtun-dkms package install them, load THAT
# vtun.ko instead of the harness's, and carry pings through a tunnel
# between two namespaces with it. Runs in the test VM (tests/vm/run).
#
# Where the build runs (Documentation/packaging.rst, "Testing"):
#   VTUN_DKMS_BUILD=guest  dkms builds here in the VM (slow under TCG)
#   VTUN_DKMS_BUILD=host   (default) load the vtun.ko that the host check
#                          tests/host/71-dkms.sh built with dkms and left
#                          in .cache/packaging in the tree (the guest sees the
#                          host's file system); it must have been built
#                          from these very sources (same srcversion as the
#                          harness's vtun.ko).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd dkms modinfo

BUILD=${VTUN_DKMS_BUILD:-host}
CACHE=$VTUN_REPO/.cache
KVER=$(uname -r)
VERSION=$(sed -n 's/^#define VTUN_VERSION "\(.*\)"/\1/p' "$VTUN_REPO/kmod/version.h")
TREE=$TEST_TMP/dkms
KO=

# The harness's module (kmod/vtun.ko, installed as extra/vtun.ko).
HARNESS_KO=${VTUN_KO:-/lib/modules/$KVER/extra/vtun.ko}

dkms_() {
	mok_signing_key=$TREE/mok.key mok_certificate=$TREE/mok.pub \
		dkms "$@" --dkmstree "$TREE/var" --sourcetree "$TREE/src" \
		--installtree "$TREE/lib" --no-depmod
}

test_build_in_guest() {
	local start
	mkdir -p "$TREE/var" "$TREE/lib/$KVER"
	make -s -C "$VTUN_REPO" install-dkms-src DESTDIR="$TREE" \
		DKMS_SRCDIR="/src/vtun-$VERSION"
	dkms_ add -m vtun -v "$VERSION"
	start=$SECONDS
	if ! dkms_ build -m vtun -v "$VERSION" -k "$KVER"; then
		cat "$TREE/var/vtun/$VERSION/build/make.log" 2>/dev/null
		fail "dkms build failed"
	fi
	echo "# dkms build in the VM took $((SECONDS - start)) s"
	dkms_ install -m vtun -v "$VERSION" -k "$KVER"
	KO=$(find "$TREE/lib/$KVER" -name 'vtun.ko*' | head -n 1)
	[[ -n $KO ]] || fail "dkms install left no vtun.ko in $TREE/lib/$KVER"
	echo "$KO" >"$TEST_TMP/ko"
}

test_host_built() {
	KO=$CACHE/packaging/dkms/$KVER/vtun.ko
	[[ -f $KO ]] || fail "no $KO"
	echo "$KO" >"$TEST_TMP/ko"
}

ko() {
	cat "$TEST_TMP/ko"
}

test_same_sources() {
	local ours theirs
	ours=$(modinfo -F srcversion "$(ko)")
	theirs=$(modinfo -F srcversion "$HARNESS_KO")
	assert_eq "$theirs" "$ours" \
		"srcversion of $(ko) (stale? tests/host/71-dkms.sh builds it) and of the harness's $HARNESS_KO"
	assert_eq "$KVER" "$(modinfo -F vermagic "$(ko)" | cut -d' ' -f1)" "vermagic"
}

# Load the DKMS-built module in place of the harness's: its dependencies
# with modprobe, itself with insmod (it is not in /lib/modules).
test_load() {
	local dep
	vtun_unload
	for dep in $(modinfo -F depends "$(ko)" | tr ',' ' '); do
		modprobe "$dep"
	done
	insmod "$(ko)"
	vtun_loaded || fail "vtun is not loaded after insmod $(ko)"
	assert_eq "$(modinfo -F srcversion "$(ko)")" "$(cat /sys/module/vtun/srcversion)" \
		"srcversion of the loaded module"
}

A=$(ns_new a) || exit 1
B=$(ns_new b) || exit 1

test_tunnel() {
	site_pair "$A" "$B"
	sa_pair "$A" "$B" "$KEY128_AB" "$KEY128_BA"
	ip netns exec "$A" ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
	ip netns exec "$B" ping -c 3 -i 0.2 -W 2 -I fd02::1 fd01::1
	assert_range 3 "$(vstat "$A" vtun0 rx_packets)" 1000 "rx packets on A"
}

# Leave the harness's module to the scripts after this one.
test_unload() {
	ip netns delete "$A"
	ip netns delete "$B"
	wait_for 30 rmmod vtun
	! vtun_loaded || fail "vtun still loaded"
}

case $BUILD in
guest) run_test "dkms add, build, install in the VM" test_build_in_guest ;;
host)
	[[ -f $CACHE/packaging/dkms/$KVER/vtun.ko ]] ||
		skip_all "no DKMS-built module in .cache/packaging: tests/host/71-dkms.sh builds it (make check)"
	run_test "the host's dkms build of vtun $VERSION for $KVER" test_host_built
	;;
*) echo "Bail out! VTUN_DKMS_BUILD must be guest or host, not $BUILD"; exit 1 ;;
esac
if [[ -s $TEST_TMP/ko ]]; then
	run_test "built from these sources for $KVER" test_same_sources
	run_test "the DKMS-built vtun.ko loads" test_load
	run_test "ping through a tunnel on the DKMS-built module" test_tunnel
	run_test "the DKMS-built module unloads" test_unload
else
	skip "the rest" "no DKMS-built module"
fi
tap_done
