#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages on a fresh machine: dpkg -i vtun-dkms and vtunctl in
# the VM (its root is a throwaway overlay), the package's DKMS postinst
# installs the module into /lib/modules/KVER/updates/dkms, modprobe loads
# that one, two gateways come up from /etc/vtun with the installed
# vtun-quick exactly as the installed vtun@.service runs it, traffic flows,
# they go down, and dpkg --purge removes it all again. Runs in the test VM
# (tests/vm/run) after tests/host/72-deb.sh built the packages.
#
# Compiling the module under emulation takes many minutes, so the postinst
# gets it prebuilt: tests/host/72-deb.sh built it on the host with dkms
# from this very vtun-dkms package and left a DKMS tarball, which the
# postinst loads from /usr/share/vtun-dkms/ (dkms' common.postinst does
# that for any DKMS package) instead of building. depmod over all of the
# kernel's modules takes two minutes here, and DKMS runs it on install and
# on removal: a stand-in for depmod first in PATH installs the index the
# host's depmod made for exactly the module tree DKMS left (checked: no
# vtun.ko, or the host-built one in updates/dkms), and runs the real depmod
# for anything else. Everything else is the packages' own doing.
# Documentation/packaging.rst.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/topo.sh
. "$(dirname "$0")/../topo.sh"
require_root
require_cmd dpkg dkms

if [[ -z ${VTUN_IN_VM:-} ]]; then
	echo "Bail out! this script installs packages: run it in the test VM (tests/vm/run)"
	exit 1
fi

KVER=$(uname -r)
VERSION=$(sed -n 's/^#define VTUN_VERSION "\(.*\)"/\1/p' "$VTUN_REPO/kmod/version.h")
ARCH=$(dpkg --print-architecture)
DEB_DIR=$VTUN_REPO/.cache/packaging/deb
DKMS_DEB=$DEB_DIR/vtun-dkms_${VERSION}_all.deb
CTL_DEB=$DEB_DIR/vtunctl_${VERSION}_$ARCH.deb
TARBALL=$DEB_DIR/vtun-$VERSION.dkms.tar.gz
PREBUILT=/usr/share/vtun-dkms/vtun-$VERSION.dkms.tar.gz
UNIT=/lib/systemd/system/vtun@.service
MODDIR=/lib/modules/$KVER
export DEBIAN_FRONTEND=noninteractive

DEPMOD_DIR=$DEB_DIR/depmod
[[ -f $DKMS_DEB && -f $CTL_DEB && -f $TARBALL && -f $DEPMOD_DIR/installed.sha256 ]] ||
	skip_all "no packages in $DEB_DIR: tests/host/72-deb.sh builds them (make check)"

A=$(ns_new a) || exit 1
B=$(ns_new b) || exit 1

# A fresh machine has no vtun.ko: put the harness's (and its module index)
# aside, and back for the scripts after this one.
HARNESS_KO=$MODDIR/extra/vtun.ko
mkdir -p "$TEST_TMP/index"
cp -p "$MODDIR"/modules.* "$TEST_TMP/index/"
[[ ! -e $HARNESS_KO ]] || mv "$HARNESS_KO" "$TEST_TMP/index/"
restore() {
	rm -rf /usr/share/vtun-dkms /etc/vtun "$MODDIR/updates/dkms"
	cp -p "$TEST_TMP/index"/modules.* "$MODDIR/"
	[[ ! -e $TEST_TMP/index/vtun.ko ]] || mv "$TEST_TMP/index/vtun.ko" "$HARNESS_KO"
}
on_exit restore

# The stand-in for depmod (see the top), and what it was asked.
mkdir -p "$TEST_TMP/bin"
cat >"$TEST_TMP/bin/depmod" <<EOF
#!/bin/bash
# A stand-in for depmod: tests/selftests/92-packaging-deb.sh.
real() {
	echo "real depmod \$*" >>"$TEST_TMP/depmod.log"
	exec /sbin/depmod "\$@"
}
[[ "\$*" == "-a $KVER" || "\$*" == "-a $KVER -F /boot/System.map-$KVER" ]] || real "\$@"
kos=\$(cd "$MODDIR" && find . -name 'vtun.ko*' | sort | tr '\n' ' ')
case "\$kos" in
"") index=removed ;;
"./updates/dkms/vtun.ko ")
	[[ \$(sha256sum <"$MODDIR/updates/dkms/vtun.ko") == "\$(cat "$DEPMOD_DIR/installed.sha256")  -" ]] ||
		real "\$@"
	index=installed
	;;
*) real "\$@" ;;
esac
cp "$DEPMOD_DIR/\$index"/modules.* "$MODDIR/"
echo "depmod \$* (the host's index: \$index)" >>"$TEST_TMP/depmod.log"
EOF
chmod +x "$TEST_TMP/bin/depmod"
: >"$TEST_TMP/depmod.log"

# depmod_calls: what depmod was asked since the last call.
depmod_calls() {
	cat "$TEST_TMP/depmod.log"
	: >"$TEST_TMP/depmod.log"
}

# timed NAME CMD...: run CMD, note its seconds for the summary at the end.
timed() {
	local name=$1 start=$SECONDS rc=0
	shift
	"$@" || rc=$?
	echo "$name: $((SECONDS - start)) s" >>"$TEST_TMP/times"
	return "$rc"
}

# depmod_calls_for KVER: DKMS's depmod calls for the booted kernel (it
# also builds for every other kernel installed, 6.12 beside 6.1).
depmod_calls_for() {
	depmod_calls | grep -F -- "depmod -a $1" | grep -v '^real ' | head -n 1
}

test_packages() {
	assert_eq "$(cat "$DEB_DIR/vtun-dkms.sha256")" "$(sha256sum <"$DKMS_DEB" | cut -d' ' -f1)" \
		"the package the DKMS tarball was built from (stale? tests/host/72-deb.sh builds both)"
	! dpkg-query -W vtun-dkms vtunctl >/dev/null 2>&1 || fail "already installed"
}

test_install() {
	vtun_unload
	install -D -m 0644 "$TARBALL" "$PREBUILT"
	timed "dpkg -i" env PATH="$TEST_TMP/bin:$PATH" dpkg -i "$DKMS_DEB" "$CTL_DEB" \
		>"$TEST_TMP/dpkg.log" 2>&1 ||
		fail "$(cat "$TEST_TMP/dpkg.log")"$'\n'"dpkg -i failed"
	cat "$TEST_TMP/dpkg.log"
	assert_match "^depmod -a $(re_quote "$KVER")( -F /boot/System.map-$(re_quote "$KVER"))? \\(the host's index: installed\\)\$" \
		"$(depmod_calls_for "$KVER")" "what DKMS asked depmod"
	assert_eq "install ok installed" "$(dpkg-query -W -f '${Status}' vtun-dkms)" "vtun-dkms"
	assert_eq "install ok installed" "$(dpkg-query -W -f '${Status}' vtunctl)" "vtunctl"
	assert_match "^vtun/$VERSION, $(re_quote "$KVER"), [^:]*: installed" \
		"$(dkms status -m vtun -v "$VERSION" -k "$KVER")" "dkms status"
}

test_modprobe() {
	local ko
	ko=$(modinfo -n vtun)
	assert_eq "$MODDIR/updates/dkms/vtun.ko" "$ko" "the module modprobe finds"
	modprobe vtun
	assert_eq "$(modinfo -F srcversion "$ko")" "$(cat /sys/module/vtun/srcversion)" \
		"srcversion of the loaded module"
}

# /etc/vtun/NAME.conf for one gateway, keys in /etc/vtun/keys.
gateway() {	# NAME ADDRESS ENDPOINT ROUTE KEY_OUT KEY_IN SPI_OUT SPI_IN
	install -d -m 0700 /etc/vtun/keys
	(umask 077
	 echo "$5" >"/etc/vtun/keys/$1.out"
	 echo "$6" >"/etc/vtun/keys/$1.in")
	cat >"/etc/vtun/$1.conf" <<-EOF
		[Interface]
		Address = $2
		[Peer]
		Id = 1
		Endpoint = $3
		Route = $4
		[SA]
		Dir = out
		Spi = $7
		Key = @keys/$1.out
		[SA]
		Dir = in
		Spi = $8
		Key = @keys/$1.in
	EOF
}

# unit NS Exec... INSTANCE: the installed unit's command line, run in NS
# with the installed tools only.
unit() {
	local line
	line=$(sed -n "s|^$2=||p" "$UNIT" | sed "s|%i|$3|g")
	[[ -n $line ]] || fail "no $2= in $UNIT"
	# shellcheck disable=SC2086 # split as systemd does
	ip netns exec "$1" env -u VTUNCTL $line
}

test_tunnel() {
	internet "$A" "$B"
	gateway gwa 10.1.0.1/24 192.0.2.2:4500 10.2.0.0/16 "$KEY128_AB" "$KEY128_BA" "$SPI_AB" "$SPI_BA"
	gateway gwb 10.2.0.1/24 192.0.2.1:4500 10.1.0.0/16 "$KEY128_BA" "$KEY128_AB" "$SPI_BA" "$SPI_AB"
	timed "ExecStart (2 gateways)" unit "$A" ExecStart gwa
	unit "$B" ExecStart gwb
	ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.2.0.1
	assert_range 3 "$(ip netns exec "$B" /usr/sbin/vtunctl show gwb -j | jq '.[0].stats.rx_packets')" \
		1000 "packets received by gwb"
	unit "$A" ExecStop gwa
	unit "$B" ExecStop gwb
	assert_eq "" "$(ip -n "$A" -o link show type vtun)" "vtun devices left in A"
}

test_purge() {
	local f
	rm -rf /etc/vtun/keys /etc/vtun/*.conf
	vtun_unload
	timed "dpkg --purge" env PATH="$TEST_TMP/bin:$PATH" dpkg --purge vtunctl vtun-dkms \
		>"$TEST_TMP/purge.log" 2>&1 ||
		fail "$(cat "$TEST_TMP/purge.log")"$'\n'"dpkg --purge failed"
	assert_match "^depmod -a $(re_quote "$KVER")( -F /boot/System.map-$(re_quote "$KVER"))? \\(the host's index: removed\\)\$" \
		"$(depmod_calls_for "$KVER")" "what DKMS asked depmod"
	assert_eq "" "$(modinfo -n vtun 2>/dev/null)" "the module modprobe finds"
	for f in /usr/sbin/vtunctl /usr/sbin/vtun-quick "$UNIT" /etc/vtun \
		 "/usr/src/vtun-$VERSION" "$MODDIR/updates/dkms/vtun.ko" "/var/lib/dkms/vtun"; do
		[[ ! -e $f ]] || fail "$f is still there after dpkg --purge"
	done
}

run_test "the packages and their prebuilt module are there" test_packages
run_test "dpkg -i vtun-dkms vtunctl" test_install
run_test "modprobe loads the module DKMS installed" test_modprobe
run_test "vtun@ gateways from /etc/vtun with the installed tools" test_tunnel
run_test "dpkg --purge removes everything" test_purge
sed 's/^/# time, /' "$TEST_TMP/times" 2>/dev/null
tap_done
