#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make install" and "make uninstall" into a temporary DESTDIR: exactly the
# files expected, with the right modes, for PREFIX=/usr and the default
# /usr/local; installing twice is harmless; uninstalling removes every file
# but keeps /etc/vtun when it holds a configuration; the systemd unit
# verifies. Nothing outside DESTDIR is touched: the module goes in as a
# file (MODULE_INSTALL=kmod; dkms is tests/host/71-dkms.sh's).
# Documentation/packaging.rst.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

KDIR=$(kdir)
[[ -n $KDIR && -d $KDIR ]] || { echo "Bail out! no kernel build tree"; exit 1; }
KVER=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
VERSION=$(sed -n 's/^#define VTUN_VERSION "\(.*\)"/\1/p' "$VTUN_REPO/kmod/version.h")
ROOT=$TEST_TMP/root

# make_ TARGET [VAR=VALUE...]: the top-level Makefile, output kept.
make_() {
	make -C "$VTUN_REPO" KDIR="$KDIR" "$@" >>"$TEST_TMP/make.log" 2>&1 ||
		fail "$(tail -n 30 "$TEST_TMP/make.log")"$'\n'"make $* failed"
}

# listing DIR: "MODE TYPE PATH" of everything under DIR, sorted.
listing() {
	(cd "$1" && find . -mindepth 1 \( -type f -o -type l \) -printf '%m %y %P\n' | LC_ALL=C sort -k3)
}

expected_usr() {
	cat <<-EOF
		644 f lib/modules/$KVER/updates/vtun.ko
		644 f lib/systemd/system/vtun@.service
		755 f usr/sbin/vtun-quick
		755 f usr/sbin/vtunctl
		644 f usr/share/bash-completion/completions/vtunctl
		644 f usr/share/doc/vtun/examples/vtun0.conf
		644 f usr/share/man/man8/vtun-quick.8
		644 f usr/share/man/man8/vtunctl.8
	EOF
}

test_install_usr() {
	make_ install DESTDIR="$ROOT" PREFIX=/usr MODULE_INSTALL=kmod \
		SYSTEMDUNITDIR=/lib/systemd/system
	assert_eq "$(expected_usr)" "$(listing "$ROOT")" "installed files"
	assert_eq 700 "$(stat -c %a "$ROOT/etc/vtun")" "mode of /etc/vtun"
	assert_eq "$KVER" "$(modinfo -F vermagic "$ROOT/lib/modules/$KVER/updates/vtun.ko" | cut -d' ' -f1)" \
		"vermagic of the installed module"
	assert_eq "$VERSION" "$(modinfo -F version "$ROOT/lib/modules/$KVER/updates/vtun.ko")" \
		"version of the installed module"
}

test_unit() {
	local unit=$ROOT/lib/systemd/system/vtun@.service
	grep -qx 'ExecStart=/usr/sbin/vtun-quick up %i' "$unit" || fail "ExecStart: $(grep ExecStart "$unit")"
	grep -qx 'ExecStop=/usr/sbin/vtun-quick down %i' "$unit" || fail "ExecStop: $(grep ExecStop "$unit")"
	! grep -q '@[A-Z]*@' "$unit" || fail "unsubstituted: $(grep '@[A-Z]*@' "$unit")"
	"$ROOT/usr/sbin/vtunctl" --version | grep -q "$VERSION" || fail "vtunctl --version"
}

# systemd-analyze checks the unit and that ExecStart's program exists: the
# unit as installed, with SBINDIR pointing at this tree's vtun-quick.
test_unit_verifies() {
	local dir=$TEST_TMP/unit
	command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed (make deps)"
	mkdir -p "$dir"
	sed -e "s|@SBINDIR@|$VTUN_REPO/tools/systemd|g" -e 's|@SYSCONFDIR@|/etc|g' \
		"$VTUN_REPO/tools/systemd/vtun@.service.in" >"$dir/vtun@.service"
	capture systemd-analyze verify --man=no "$dir/vtun@.service"
	assert_eq 0 "$RC" "systemd-analyze verify exit status ($OUT $ERR)"
	assert_eq "" "$OUT$ERR" "systemd-analyze verify output"
}

test_install_again() {
	make_ install DESTDIR="$ROOT" PREFIX=/usr MODULE_INSTALL=kmod \
		SYSTEMDUNITDIR=/lib/systemd/system
	assert_eq "$(expected_usr)" "$(listing "$ROOT")" "installed files after installing twice"
}

test_uninstall() {
	make_ uninstall DESTDIR="$ROOT" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
	assert_eq "" "$(listing "$ROOT")" "files left after make uninstall"
	[[ ! -e $ROOT/etc/vtun ]] || fail "empty /etc/vtun was not removed"
}

test_uninstall_keeps_config() {
	make_ install DESTDIR="$ROOT" PREFIX=/usr MODULE_INSTALL=none \
		SYSTEMDUNITDIR=/lib/systemd/system
	echo "[Device]" >"$ROOT/etc/vtun/vtun0.conf"
	make_ uninstall DESTDIR="$ROOT" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
	assert_eq "644 f etc/vtun/vtun0.conf" "$(listing "$ROOT")" "files left after make uninstall"
	rm -rf "$ROOT"
}

test_install_local() {
	local root=$TEST_TMP/local
	make_ install DESTDIR="$root" MODULE_INSTALL=none
	assert_eq "$(cat <<-EOF
		644 f usr/local/lib/systemd/system/vtun@.service
		755 f usr/local/sbin/vtun-quick
		755 f usr/local/sbin/vtunctl
		644 f usr/local/share/bash-completion/completions/vtunctl
		644 f usr/local/share/doc/vtun/examples/vtun0.conf
		644 f usr/local/share/man/man8/vtun-quick.8
		644 f usr/local/share/man/man8/vtunctl.8
	EOF
	)" "$(listing "$root")" "installed files (PREFIX=/usr/local)"
	grep -qx 'ExecStart=/usr/local/sbin/vtun-quick up %i' "$root/usr/local/lib/systemd/system/vtun@.service" ||
		fail "ExecStart for PREFIX=/usr/local"
	make_ uninstall DESTDIR="$root"
	assert_eq "" "$(listing "$root")" "files left after make uninstall (PREFIX=/usr/local)"
}

# The DKMS sources: what dkms.conf's build needs, nothing generated.
test_dkms_sources() {
	local root=$TEST_TMP/dkms-src list
	make_ install-module MODULE_INSTALL=dkms DESTDIR="$root"
	list=$(listing "$root")
	assert_match "644 f usr/src/vtun-$VERSION/dkms.conf" "$list"
	assert_match "755 f usr/src/vtun-$VERSION/kmod/check-config.sh" "$list"
	assert_match "755 f usr/src/vtun-$VERSION/kmod/compat/probe.sh" "$list"
	assert_match "644 f usr/src/vtun-$VERSION/kmod/uapi/linux/vtun.h" "$list"
	assert_no_match '\.(o|ko|cmd|mod)( |$)|compat-gen|vtun\.mod\.c' "$list" "generated files"
	assert_eq "" "$(listing "$root" | grep -v " usr/src/vtun-$VERSION/")" "files outside usr/src/vtun-$VERSION"
}

# Without DESTDIR, "make install" hands the module to DKMS for KDIR's
# kernel, and "make uninstall" takes it back: with a stand-in for dkms that
# logs what it is asked, and every other path in the temporary directory.
test_dkms_commands() {
	local root=$TEST_TMP/sys log=$TEST_TMP/dkms.log
	local -a vars=(KVER="$KVER" DKMS="$TEST_TMP/dkms" PREFIX="$root/usr"
		       SYSCONFDIR="$root/etc" DKMS_SRCDIR="$root/usr/src/vtun-$VERSION")
	cat >"$TEST_TMP/dkms" <<-EOF
		#!/bin/sh
		echo "dkms \$*" >>"$log"
		[ "\$1" != status ] || [ ! -e "$TEST_TMP/dkms.added" ] || echo "vtun/$VERSION: added"
		[ "\$1" != add ] || : >"$TEST_TMP/dkms.added"
	EOF
	chmod +x "$TEST_TMP/dkms"
	make_ install-module "${vars[@]}"
	assert_eq "$(cat <<-EOF
		dkms status -m vtun -v $VERSION
		dkms add -m vtun -v $VERSION
		dkms build -m vtun -v $VERSION -k $KVER
		dkms install -m vtun -v $VERSION -k $KVER
	EOF
	)" "$(cat "$log")" "what make install asked dkms"
	[[ -f $root/usr/src/vtun-$VERSION/dkms.conf ]] || fail "no sources in DKMS_SRCDIR"
	: >"$log"
	make_ install-module "${vars[@]}"
	assert_match "^dkms status -m vtun -v $VERSION"$'\n'"dkms remove -m vtun -v $VERSION --all"$'\n'"dkms add " \
		"$(cat "$log")" "make install again: the old registration goes first"
	: >"$log"
	make_ uninstall "${vars[@]}" KVER=none
	assert_eq "$(cat <<-EOF
		dkms status -m vtun -v $VERSION
		dkms remove -m vtun -v $VERSION --all
	EOF
	)" "$(cat "$log")" "what make uninstall asked dkms"
	assert_eq "" "$(listing "$root")" "files left after make uninstall"
}

run_test "make install DESTDIR PREFIX=/usr: the files" test_install_usr
run_test "the installed unit runs the installed vtun-quick" test_unit
run_test "systemd-analyze verify vtun@.service" test_unit_verifies
run_test "make install again: the same files" test_install_again
run_test "make uninstall removes them all" test_uninstall
run_test "make uninstall keeps /etc/vtun with a configuration" test_uninstall_keeps_config
run_test "make install DESTDIR, PREFIX=/usr/local" test_install_local
run_test "make install MODULE_INSTALL=dkms DESTDIR: the DKMS sources" test_dkms_sources
run_test "make install/uninstall without DESTDIR: dkms add, build, install, remove" test_dkms_commands
tap_done
