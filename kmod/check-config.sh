#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmod/check-config.sh [KDIR]
#
# Does the kernel configured in KDIR (default: the newest
# /lib/modules/*/build) have what vtun needs? Prints one line per missing
# option, "vtun needs CONFIG_X=y or m (...)", and exits 1; exits 0 and
# prints nothing when everything is there. Run by kmod/Kbuild before it
# compiles anything (so "make", DKMS and the Debian package all stop early
# with these lines) and by DKMS as PRE_BUILD (so the lines reach the
# terminal, not only make.log). POSIX sh: it runs under kbuild's
# CONFIG_SHELL. See Documentation/packaging.rst.

set -eu

kdir=${1:-}
if [ -z "$kdir" ]; then
	kdir=$(find /lib/modules -mindepth 2 -maxdepth 2 -name build 2>/dev/null | sort -V | tail -n 1)
fi

# The configuration: include/config/auto.conf is what kbuild itself reads
# (every built or headers-only tree has it); .config is the fallback.
conf=
for f in "$kdir/include/config/auto.conf" "$kdir/.config"; do
	if [ -r "$f" ]; then
		conf=$f
		break
	fi
done
if [ -z "$conf" ]; then
	echo "vtun: no kernel configuration in '$kdir' (include/config/auto.conf or .config):" \
		"install the kernel's headers (linux-headers-amd64) or set KDIR" >&2
	exit 1
fi

missing=0

# value CONFIG_X: "y", "m" or "" (not set).
value() {
	sed -n "s/^$1=\\([ym]\\)\$/\\1/p" "$conf"
}

# need CONFIG_X y|ym WHY: report unless the option has one of the values.
need() {
	v=$(value "$1")
	case "$v" in
	y) return 0 ;;
	m) [ "$2" = ym ] && return 0 ;;
	esac
	if [ "$2" = ym ]; then
		want="y or m"
	else
		want="y"
	fi
	echo "vtun needs $1=$want (${v:+it is $v, }$3)" >&2
	missing=$((missing + 1))
}

need CONFIG_MODULES y "loadable modules"
need CONFIG_INET y "IPv4 networking"
need CONFIG_NET_UDP_TUNNEL ym "UDP encapsulation sockets; selected by CONFIG_VXLAN, CONFIG_WIREGUARD, ..."
need CONFIG_GRO_CELLS y "receive path; selected by CONFIG_VXLAN, CONFIG_WIREGUARD, ..."
need CONFIG_DST_CACHE y "per-peer route cache; selected by CONFIG_VXLAN, CONFIG_WIREGUARD, ..."
need CONFIG_PADATA y "parallel crypto in order; selected by CONFIG_CRYPTO_PCRYPT, needs CONFIG_SMP"
need CONFIG_CRYPTO_AEAD ym "the AEAD API"
need CONFIG_CRYPTO_GCM ym "rfc4106(gcm(aes)), the ESP cipher"
need CONFIG_CRYPTO_LIB_SHA256 ym "sha256() for key digests; selected by CONFIG_CRYPTO_SHA256"

if [ "$missing" -gt 0 ]; then
	echo "vtun: the kernel in '$kdir' lacks $missing option(s) vtun needs (from $conf);" \
		"rebuild it with them, or use a kernel that has them" >&2
	exit 1
fi
exit 0
