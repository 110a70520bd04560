#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages: "make deb" builds vtun-dkms and vtunctl with
# dpkg-buildpackage in a copy of the tree (the checkout stays as it was)
# into .cache/packaging/deb in the tree; lintian finds no error; versions agree; the
# packages hold what they must; the module builds with dkms from the
# vtun-dkms package's own /usr/src tree (temporary DKMS trees).
#
# That build is left as a DKMS tarball in .cache/packaging/deb for the VM test
# tests/selftests/92-packaging-deb.sh, which installs both packages with
# dpkg in the VM: the package's postinst then loads the tarball (its
# documented prebuilt-module path) instead of compiling under emulation,
# which takes minutes more; with it the module indexes depmod makes with
# and without that module (Documentation/packaging.rst).

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
require_cmd dpkg-buildpackage dpkg-deb dkms depmod

KDIR=$(kdir)
[[ -n $KDIR && -d $KDIR ]] || { echo "Bail out! no kernel build tree"; exit 1; }
KVER=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
VERSION=$(sed -n 's/^#define VTUN_VERSION "\(.*\)"/\1/p' "$VTUN_REPO/kmod/version.h")
ARCH=$(dpkg --print-architecture)
DEB_DIR=$VTUN_REPO/.cache/packaging/deb	# shared with the VM tests (.gitignore)
DKMS_DEB=$DEB_DIR/vtun-dkms_${VERSION}_all.deb
CTL_DEB=$DEB_DIR/vtunctl_${VERSION}_$ARCH.deb
TARBALL=$DEB_DIR/vtun-$VERSION.dkms.tar.gz
TREE=$TEST_TMP/dkms

# The checkout, to show the build left it alone.
checkout_state() {
	git -C "$VTUN_REPO" status --porcelain --ignored -- debian tools 2>/dev/null
}

test_versions() {
	local changelog conf
	changelog=$(dpkg-parsechangelog -l "$VTUN_REPO/debian/changelog" -S Version)
	conf=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$VTUN_REPO/dkms.conf")
	assert_eq "$VERSION" "$changelog" "debian/changelog version (kmod/version.h has $VERSION)"
	assert_eq "$VERSION" "$conf" "dkms.conf PACKAGE_VERSION"
}

BEFORE=$(checkout_state)
test_build() {
	local start=$SECONDS
	rm -f "$DKMS_DEB" "$CTL_DEB" "$TARBALL" "$DEB_DIR/vtun-dkms.sha256"
	make -s -C "$VTUN_REPO" deb DEB_OUT="$DEB_DIR" >"$TEST_TMP/deb.log" 2>&1 ||
		fail "$(tail -n 40 "$TEST_TMP/deb.log")"$'\n'"make deb failed"
	echo "# make deb: $((SECONDS - start)) s"
	[[ -f $DKMS_DEB ]] || fail "no $DKMS_DEB"
	[[ -f $CTL_DEB ]] || fail "no $CTL_DEB"
}

test_checkout_clean() {
	assert_eq "$BEFORE" "$(checkout_state)" "git status of debian/ and tools/"
}

test_lintian() {
	command -v lintian >/dev/null || fail "lintian is not installed (make deps)"
	local start=$SECONDS changes
	changes=("$DEB_DIR"/vtun_"${VERSION}"_*.changes)
	[[ -f ${changes[0]} ]] || fail "no .changes file in $DEB_DIR"
	capture lintian --fail-on error --display-level '>=warning' "${changes[0]}"
	echo "# lintian: $((SECONDS - start)) s"
	[[ -z $OUT ]] || echo "$OUT" | grep -v 'root privileges' | sed 's/^/# /'
	assert_eq 0 "$RC" "lintian exit status: $OUT $ERR"
	assert_no_match '(^|'$'\n'')E: ' "$OUT" "lintian errors"
}

# contents DEB: "MODE PATH" of each entry.
contents() {
	dpkg-deb -c "$1" | awk '{ sub("^\\.", "", $6); print $1, $6 }'
}

test_dkms_package() {
	local c
	c=$(contents "$DKMS_DEB")
	assert_match "-rw-r--r-- /usr/src/vtun-$VERSION/dkms.conf" "$c"
	assert_match "-rwxr-xr-x /usr/src/vtun-$VERSION/kmod/check-config.sh" "$c"
	assert_match "-rwxr-xr-x /usr/src/vtun-$VERSION/kmod/compat/probe.sh" "$c"
	assert_match "-rw-r--r-- /usr/src/vtun-$VERSION/kmod/compat.h" "$c"
	assert_no_match '\.(o|ko|cmd)$|compat-gen' "$c" "build products in the package"
	assert_match '^dkms' "$(dpkg-deb -f "$DKMS_DEB" Depends)" "Depends"
	assert_eq all "$(dpkg-deb -f "$DKMS_DEB" Architecture)" "Architecture"
	dpkg-deb -I "$DKMS_DEB" postinst | grep -q common.postinst || fail "postinst does not run DKMS"
}

test_vtunctl_package() {
	local c
	c=$(contents "$CTL_DEB")
	assert_match "-rwxr-xr-x /usr/sbin/vtunctl" "$c"
	assert_match "-rwxr-xr-x /usr/sbin/vtun-quick" "$c"
	assert_match "-rw-r--r-- /lib/systemd/system/vtun@.service" "$c"
	assert_match "/usr/share/man/man8/vtunctl.8.gz" "$c"
	assert_match "/usr/share/man/man8/vtun-quick.8.gz" "$c"
	assert_match "/usr/share/bash-completion/completions/vtunctl" "$c"
	assert_match "drwx------ /etc/vtun/" "$c"
	assert_match 'iproute2' "$(dpkg-deb -f "$CTL_DEB" Depends)" "Depends"
	assert_match 'libnl-genl-3' "$(dpkg-deb -f "$CTL_DEB" Depends)" "Depends"
	dpkg-deb --fsys-tarfile "$CTL_DEB" | tar -xO ./lib/systemd/system/vtun@.service |
		grep -qx 'ExecStart=/usr/sbin/vtun-quick up %i' || fail "the unit's ExecStart"
}

# The package's sources are what "make install-dkms-src" installs.
test_same_sources() {
	mkdir -p "$TEST_TMP/pkg" "$TEST_TMP/make"
	dpkg-deb -x "$DKMS_DEB" "$TEST_TMP/pkg"
	make -s -C "$VTUN_REPO" install-dkms-src DESTDIR="$TEST_TMP/make"
	diff -r "$TEST_TMP/make/usr/src" "$TEST_TMP/pkg/usr/src"
}

dkms_() {
	mok_signing_key=$TREE/mok.key mok_certificate=$TREE/mok.pub \
		dkms "$@" --dkmstree "$TREE/var" --sourcetree "$TEST_TMP/pkg/usr/src" \
		--installtree "$TREE/lib" --no-depmod
}

# What the package's postinst would build here: for the VM, as a tarball.
test_dkms_from_package() {
	local start=$SECONDS
	mkdir -p "$TREE/var" "$TREE/lib/$KVER"
	dkms_ add -m vtun -v "$VERSION" >/dev/null
	if ! dkms_ build -m vtun -v "$VERSION" -k "$KVER" >"$TEST_TMP/build.out" 2>&1; then
		cat "$TEST_TMP/build.out" "$TREE/var/vtun/$VERSION/build/make.log" 2>/dev/null
		fail "dkms build from the package's sources failed"
	fi
	echo "# dkms build from the package: $((SECONDS - start)) s"
	dkms_ mktarball -m vtun -v "$VERSION" -k "$KVER" --archive "$TEST_TMP/vtun.dkms.tar.gz" >/dev/null
	cp "$TEST_TMP/vtun.dkms.tar.gz" "$TARBALL"
	# The module indexes for the VM test's stand-in for depmod.
	local ko
	ko=$TREE/var/vtun/$VERSION/$KVER/$(uname -m)/module/vtun.ko
	[[ -f $ko ]] || fail "no $ko"
	rm -rf "$DEB_DIR/depmod"
	depmod_index "$DEB_DIR/depmod/installed" "$ko"
	depmod_index "$DEB_DIR/depmod/removed" ""
	sha256sum <"$ko" | cut -d' ' -f1 >"$DEB_DIR/depmod/installed.sha256"
	# Which package the tarball belongs to.
	sha256sum "$DKMS_DEB" | cut -d' ' -f1 >"$DEB_DIR/vtun-dkms.sha256"
}

# depmod_index OUT [KO]: the modules.* files "depmod -a KVER" writes for
# the installed kernel's modules with no vtun.ko, or with KO where DKMS
# installs it (updates/dkms/vtun.ko). depmod over every module takes 2
# minutes in the emulated VM, 3 s here; tests/selftests/92-packaging-deb.sh
# uses these when the tree there is exactly that (like host_depmod in
# tests/vm/run for the harness's module).
depmod_index() {
	local out=$1 ko=$2 tmp=$TEST_TMP/depmod tree entry
	rm -rf "$tmp"
	tree=$tmp/lib/modules/$KVER
	mkdir -p "$tree"
	for entry in "/lib/modules/$KVER"/*; do
		case ${entry##*/} in
		build|source|modules.*.bin|modules.dep|modules.alias|modules.symbols|modules.devname|modules.softdep) ;;
		modules.*) cp "$entry" "$tree/" ;;
		*) [[ ! -d $entry ]] || cp -rs "$entry" "$tree/" ;;
		esac
	done
	find "$tree" -name 'vtun.ko*' -delete
	[[ -z $ko ]] || install -D -m 0644 "$ko" "$tree/updates/dkms/vtun.ko"
	depmod -b "$tmp" "$KVER" || fail "depmod -b $tmp $KVER failed"
	mkdir -p "$out"
	cp "$tree"/modules.* "$out/"
	rm -rf "$tmp"
}

test_vtunctl_runs() {
	mkdir -p "$TEST_TMP/ctl"
	dpkg-deb -x "$CTL_DEB" "$TEST_TMP/ctl"
	assert_match "$VERSION" "$("$TEST_TMP/ctl/usr/sbin/vtunctl" --version)" "vtunctl --version"
	"$TEST_TMP/ctl/usr/sbin/vtun-quick" --help 2>&1 | grep -q 'Usage: vtun-quick' ||
		fail "vtun-quick --help"
}

run_test "versions agree: kmod/version.h, debian/changelog, dkms.conf" test_versions
run_test "make deb (dpkg-buildpackage -us -uc -b, out of tree)" test_build
if [[ -f $DKMS_DEB && -f $CTL_DEB ]]; then
	run_test "the checkout is left as it was" test_checkout_clean
	run_test "lintian --fail-on error" test_lintian
	run_test "vtun-dkms: sources, dkms.conf, DKMS postinst" test_dkms_package
	run_test "vtunctl: tools, unit, man pages, completion, /etc/vtun" test_vtunctl_package
	run_test "vtun-dkms holds what make install-dkms-src installs" test_same_sources
	run_test "dkms builds the module from the package for $KVER" test_dkms_from_package
	run_test "the packaged vtunctl and vtun-quick run" test_vtunctl_runs
else
	skip "the packages" "not built"
fi
tap_done
