#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel compatibility (kmod/compat/, kmod/compat.h, kmod/check-config.sh):
# the probes classify the installed kernel and find what its version must
# have; a kernel without an option vtun needs, or with an API the probes do
# not know, stops the build before anything is compiled, with a message
# that names it; the shims for other kernels compile. All builds happen in
# temporary copies (of the sources and, for a kernel without an option, of
# the headers' configuration). Documentation/packaging.rst.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

KDIR=$(kdir)
if [[ -z $KDIR || ! -d $KDIR ]]; then
	echo "Bail out! no kernel build tree: install linux-headers-amd64 or set KDIR"
	exit 1
fi
KVER=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
SRC=$TEST_TMP/src
echo "# kernel headers $KDIR ($KVER)"

# A copy of the module's sources, as "make install-dkms-src" lists them.
copy_sources() {	# DIR
	make -s -C "$VTUN_REPO" install-dkms-src DESTDIR="$1" DKMS_SRCDIR=/
}

# kbuild DIR LOG [ARG...]: build the module in DIR against KDIR (or $K).
kbuild() {
	local dir=$1 log=$2
	shift 2
	make -C "${K:-$KDIR}" M="$dir" "$@" modules >"$log" 2>&1
}

# ---- check-config.sh ----

test_config_ok() {
	capture "$VTUN_REPO/kmod/check-config.sh" "$KDIR"
	assert_eq 0 "$RC" "exit status (stderr: $ERR)"
	assert_eq "" "$ERR" "stderr"
}

# A configuration without GRO_CELLS and with CRYPTO_GCM off, in a fake tree.
fake_config() {	# DIR
	mkdir -p "$1/include/config"
	grep -vE '^CONFIG_(GRO_CELLS|CRYPTO_GCM)=' "$KDIR/include/config/auto.conf" \
		>"$1/include/config/auto.conf"
}

test_config_missing() {
	fake_config "$TEST_TMP/fake"
	expect_fail "$VTUN_REPO/kmod/check-config.sh" "$TEST_TMP/fake"
	assert_match 'vtun needs CONFIG_GRO_CELLS=y \(' "$ERR"
	assert_match 'vtun needs CONFIG_CRYPTO_GCM=y or m \(' "$ERR"
	assert_match 'lacks 2 option' "$ERR"
}

test_config_none() {
	expect_fail "$VTUN_REPO/kmod/check-config.sh" "$TEST_TMP/nowhere"
	assert_match 'no kernel configuration' "$ERR"
}

test_build_stops_early() {
	[[ -f $KDIR/include/config/auto.conf ]] || fail "no $KDIR/include/config/auto.conf"
	fake_kdir "$TEST_TMP/kdir" CONFIG_GRO_CELLS
	mkdir -p "$TEST_TMP/early"
	copy_sources "$TEST_TMP/early"
	if K=$TEST_TMP/kdir kbuild "$TEST_TMP/early" "$TEST_TMP/early.log"; then
		fail "the build succeeded against a kernel without CONFIG_GRO_CELLS"
	fi
	grep -q 'vtun needs CONFIG_GRO_CELLS=y' "$TEST_TMP/early.log" ||
		fail "$(tail -n 20 "$TEST_TMP/early.log")"$'\n'"no 'vtun needs CONFIG_GRO_CELLS=y' in the build log"
	! grep -q 'CC \[M\]' "$TEST_TMP/early.log" ||
		fail "files were compiled before the check stopped the build"
}

# ---- probes ----

test_probe_installed() {
	local log=$TEST_TMP/probe.log
	mkdir -p "$SRC"
	copy_sources "$SRC"
	kbuild "$SRC" "$log" || fail "$(tail -n 30 "$log")"$'\n'"build failed"
	[[ -f $SRC/kmod/compat-gen.h ]] || fail "no kmod/compat-gen.h"
	[[ -f $SRC/kmod/.compat-gen.log ]] || fail "no kmod/.compat-gen.log"
	grep -q "PROBE" "$log" || fail "no PROBE step in the build log"
}

fact() {	# NAME: 0 or 1 from the generated header
	sed -n "s/^#define VTUN_HAVE_$1 \\([01]\\)\$/\\1/p" "$SRC/kmod/compat-gen.h"
}

# Every group of alternatives has one that holds.
test_probe_groups() {
	local g n any
	for g in "ASM_UNALIGNED_H LINUX_UNALIGNED_H" "CRYPTO_SHA2_H CRYPTO_SHA_H" \
		 "CRYPTO_CB_DATA CRYPTO_CB_REQ" "FROM_TIMER TIMER_CONTAINER_OF" \
		 "GENL_DUMPIT_INFO_ATTRS GENL_DUMPIT_INFO_INFO" \
		 "DEL_TIMER_SYNC TIMER_DELETE_SYNC" "NETIF_F_LLTX NETDEV_LLTX" \
		 SHA256 UDP_TUNNEL_XMIT_12 RTNL_NEWLINK_SRC_NET; do
		any=0
		for n in $g; do
			[[ $(fact "$n") == 1 ]] && any=1
		done
		((any)) || fail "none of $g holds"
	done
}

# What Debian 12's 6.1 kernel has: the probes must find exactly that.
test_probe_6_1() {
	local expect n v
	expect="CRYPTO_CB_DATA=0 CRYPTO_CB_REQ=1 GENL_DUMPIT_INFO_ATTRS=1
		GENL_DUMPIT_INFO_INFO=0 NETDEVICE_TRACKER=1 NETDEV_HOLD=1
		DEV_HOLD_TRACK=0 DEV_GET_TSTATS64=1 NETDEV_LLTX=0 NETIF_F_LLTX=1
		DEL_TIMER_SYNC=1 TIMER_DELETE_SYNC=1 SHA256=1 UDP_TUNNEL_XMIT_12=1
		RTNL_NEWLINK_SRC_NET=1 ASM_UNALIGNED_H=1 LINUX_UNALIGNED_H=0 CRYPTO_SHA2_H=1 NET_GSO_H=0
		GENL_REQ_ATTR_CHECK=1 NL_REQ_ATTR_CHECK=1 NLA_POLICY_MASK=1
		FROM_TIMER=1 TIMER_CONTAINER_OF=0"
	for n in $expect; do
		v=$(fact "${n%=*}")
		assert_eq "${n#*=}" "$v" "VTUN_HAVE_${n%=*}"
	done
}

# What Debian's 6.12 (bookworm-backports, Debian 13) has.
test_probe_6_12() {
	local expect n v
	expect="CRYPTO_CB_DATA=1 CRYPTO_CB_REQ=0 GENL_DUMPIT_INFO_ATTRS=0
		GENL_DUMPIT_INFO_INFO=1 NETDEVICE_TRACKER=1 NETDEV_HOLD=1
		DEV_HOLD_TRACK=0 DEV_GET_TSTATS64=1 NETDEV_LLTX=1 NETIF_F_LLTX=0
		DEL_TIMER_SYNC=1 TIMER_DELETE_SYNC=1 SHA256=1 UDP_TUNNEL_XMIT_12=1
		RTNL_NEWLINK_SRC_NET=1 ASM_UNALIGNED_H=0 LINUX_UNALIGNED_H=1
		CRYPTO_SHA2_H=1 NET_GSO_H=1 GENL_REQ_ATTR_CHECK=1 NL_REQ_ATTR_CHECK=1
		NLA_POLICY_MASK=1 GENL_MCAST_CAP=1 DEV_STATS_INC=1 FROM_TIMER=1
		TIMER_CONTAINER_OF=0"
	for n in $expect; do
		v=$(fact "${n%=*}")
		assert_eq "${n#*=}" "$v" "VTUN_HAVE_${n%=*}"
	done
}

# An API the probes cannot classify stops the build, says which, and
# nothing is compiled. The new API is faked: a header put in front of the
# kernel's (NOSTDINC_FLAGS, kbuild's hook for that) renames the kernel's
# declaration away and declares another form.
unknown_api() {	# NAME HEADER MESSAGE-ERE < FAKE-HEADER
	local dir=$TEST_TMP/$1 log=$TEST_TMP/$1.log
	mkdir -p "$dir/src" "$dir/fake/${2%/*}"
	cat >"$dir/fake/$2"
	copy_sources "$dir/src"
	if kbuild "$dir/src" "$log" NOSTDINC_FLAGS="-nostdinc -I$dir/fake"; then
		fail "the build succeeded with the faked $2"
	fi
	grep -qE "$3" "$log" || fail "$(tail -n 20 "$log")"$'\n'"no /$3/ in the build log"
	grep -q 'cannot classify kernel' "$log" || fail "no 'cannot classify kernel' in the build log"
	! grep -q 'CC \[M\]' "$log" || fail "files were compiled before the probes stopped the build"
}

# 6.16's udp_tunnel_xmit_skb() has a 13th argument.
test_unknown_signature() {
	unknown_api udp net/udp_tunnel.h \
		'unknown kernel API: udp_tunnel_xmit_skb.*none of UDP_TUNNEL_XMIT_12 holds' <<-'EOF'
		#define udp_tunnel_xmit_skb vtun_real_udp_tunnel_xmit_skb
		#include_next <net/udp_tunnel.h>
		#undef udp_tunnel_xmit_skb
		void udp_tunnel_xmit_skb(struct rtable *rt, struct sock *sk,
					 struct sk_buff *skb, __be32 src, __be32 dst,
					 __u8 tos, __u8 ttl, __be16 df, __be16 src_port,
					 __be16 dst_port, bool xnet, bool nocheck,
					 u16 ipcb_flags);
	EOF
}

# A completion callback of a form neither old nor new.
test_unknown_type() {
	unknown_api cb linux/crypto.h \
		'unknown kernel API: crypto_completion_t: none of CRYPTO_CB_DATA CRYPTO_CB_REQ holds' <<-'EOF'
		#define crypto_completion_t vtun_real_crypto_completion_t
		#include_next <linux/crypto.h>
		#undef crypto_completion_t
		typedef void (*crypto_completion_t)(int err);
	EOF
}

# The shims for other kernels compile, with the kernel's own definitions
# hidden and the facts turned around (as far as these headers allow: a
# structure member or a flag the kernel lacks cannot be shimmed, so those
# facts are the installed kernel's, from test_probe_installed).
test_shims_compile() {
	local dir=$TEST_TMP/shims
	mkdir -p "$dir"
	cp "$VTUN_REPO/kmod/compat.h" "$dir/"
	[[ -n $(fact NETDEV_LLTX) ]] || fail "no facts: the probes did not run"
	cat >"$dir/compat-gen.h" <<-EOF
		#define VTUN_HAVE_CRYPTO_CB_DATA 1
		#define VTUN_HAVE_GENL_DUMPIT_INFO_ATTRS $(fact GENL_DUMPIT_INFO_ATTRS)
		#define VTUN_HAVE_NETDEVICE_TRACKER 0
		#define VTUN_HAVE_NETDEV_HOLD 0
		#define VTUN_HAVE_DEV_HOLD_TRACK 0
		#define VTUN_HAVE_DEV_GET_TSTATS64 0
		#define VTUN_HAVE_NETDEV_LLTX $(fact NETDEV_LLTX)
		#define VTUN_HAVE_TIMER_DELETE_SYNC 0
		#define VTUN_HAVE_NET_GSO_H 0
		#define VTUN_HAVE_GENL_REQ_ATTR_CHECK 0
		#define VTUN_HAVE_NL_REQ_ATTR_CHECK 0
		#define VTUN_HAVE_NLA_POLICY_MASK 0
		#define VTUN_HAVE_GENL_MCAST_CAP 0
		#define VTUN_HAVE_DEV_STATS_INC 0
		#define VTUN_HAVE_FROM_TIMER 0
	EOF
	cat >"$dir/shims.c" <<-'EOF'
		// SPDX-License-Identifier: GPL-2.0
		/* Kernel headers first, their versions of the shims hidden. */
		#include <linux/module.h>
		#include <linux/netdevice.h>
		#include <linux/timer.h>
		#include <net/genetlink.h>
		#undef GENL_REQ_ATTR_CHECK
		#undef NL_REQ_ATTR_CHECK
		#undef NLA_POLICY_MASK
		#undef DEV_STATS_INC
		#undef DEV_STATS_ADD
		#undef from_timer
		#define netdev_hold vtun_test_netdev_hold
		#define netdev_put vtun_test_netdev_put
		#define dev_get_tstats64 vtun_test_dev_get_tstats64
		#define timer_container_of(var, t, f) container_of(t, typeof(*var), f)
		#include "compat.h"

		struct vtun_test { struct timer_list t; netdevice_tracker tr; };

		static void vtun_test_done(VTUN_CRYPTO_CB_ARG arg, int err)
		{
			struct vtun_test *x = vtun_crypto_cb_data(arg);

			timer_delete_sync(&x->t);
		}

		static void vtun_test_timer(struct timer_list *t)
		{
			struct vtun_test *x = from_timer(x, t, t);

			vtun_test_done(x, 0);
		}

		static const struct nla_policy vtun_test_policy[2] = {
			[1] = NLA_POLICY_MASK(NLA_U32, 1),
		};
		static const struct genl_multicast_group vtun_test_mcgrps[] = {
			{ .name = "events", VTUN_GENL_MCGRP_FLAGS(GENL_MCAST_CAP_NET_ADMIN) },
		};

		int vtun_test(struct net_device *dev, struct genl_info *info,
			      struct netlink_callback *cb, struct vtun_test *x);
		int vtun_test(struct net_device *dev, struct genl_info *info,
			      struct netlink_callback *cb, struct vtun_test *x)
		{
			struct rtnl_link_stats64 s;

			timer_setup(&x->t, vtun_test_timer, 0);
			netdev_hold(dev, &x->tr, GFP_KERNEL);
			netdev_put(dev, &x->tr);
			dev_get_tstats64(dev, &s);
			DEV_STATS_INC(dev, tx_errors);
			DEV_STATS_ADD(dev, tx_errors, 2);
			vtun_netdev_set_lltx(dev);
			if (GENL_REQ_ATTR_CHECK(info, 1) ||
			    NL_REQ_ATTR_CHECK(info->extack, NULL, info->attrs, 1))
				return -EINVAL;
			return vtun_genl_dumpit_attrs(cb) ? vtun_test_policy[1].type +
			       vtun_test_mcgrps[0].name[0] : 0;
		}
		MODULE_DESCRIPTION("vtun compat shims test");
		MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := shims.o' >"$dir/Kbuild"
	kbuild "$dir" "$TEST_TMP/shims.log" W=1 || fail "$(cat "$TEST_TMP/shims.log")"
	! grep -qiE '(warning|error):' "$TEST_TMP/shims.log" || fail "$(cat "$TEST_TMP/shims.log")"
}

run_test "check-config.sh: Debian's kernel has everything" test_config_ok
run_test "check-config.sh: names each missing option" test_config_missing
run_test "check-config.sh: no configuration" test_config_none
run_test "kbuild: a kernel without an option stops before compiling" test_build_stops_early
run_test "probes classify $KVER" test_probe_installed
run_test "probes: every API group has a form" test_probe_groups
if [[ $KVER == 6.1.* ]]; then
	run_test "probes: what Linux 6.1 has" test_probe_6_1
else
	skip "probes: what Linux 6.1 has" "kernel $KVER"
fi
if [[ $KVER == 6.12.* ]]; then
	run_test "probes: what Linux 6.12 has" test_probe_6_12
else
	skip "probes: what Linux 6.12 has" "kernel $KVER"
fi
run_test "probes: an unknown signature stops the build" test_unknown_signature
run_test "probes: an unknown type stops the build" test_unknown_type
run_test "shims for other kernels compile (W=1)" test_shims_compile
tap_done
