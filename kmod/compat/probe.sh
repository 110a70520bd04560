#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmod/compat/probe.sh OUT CC [CFLAGS...]
#
# Probe the kernel headers vtun is built against for the kernel APIs that
# changed between Linux 5.10 and 6.12, and write OUT (compat-gen.h) with one
# "#define VTUN_HAVE_X 0|1" per fact; kmod/compat.h turns the facts into
# shims. CC and CFLAGS are the compiler and the flags kbuild compiles vtun's
# files with (kmod/Kbuild passes them and runs this in the kernel's build
# directory), so a probe sees exactly what the module will see. Facts come
# from compiling small snippets, never from version numbers: distribution
# kernels backport APIs.
#
# Three kinds of probes:
#   macros, headers  one preprocessor pass (-dM) over the headers
#   compile probes   one snippet each; the fact holds if it compiles
#   baseline probes  what vtun uses that did not change; must compile
# An API that changed is a group of alternatives (its old and new forms).
# When no alternative of a group holds, or a baseline fails, the kernel has
# an API break this script does not know: it says which, shows the first
# compiler errors, and exits 1, which stops the build. The full log is
# .compat-gen.log next to OUT. Documentation/packaging.rst lists the probes.
#
# Kernel build trees need bash (Documentation/process/changes.rst).

set -euo pipefail

if (($# < 2)); then
	echo "usage: $0 OUT CC [CFLAGS...]" >&2
	exit 2
fi
OUT=$1
shift
CC_CMD=("$@")
LOG=$(dirname "$OUT")/.compat-gen.log
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vtun-probe.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Warnings are not facts, only errors fail a probe. Recent kernels' flags
# make these errors already; older ones may not.
ERRORS=(-Werror=implicit-function-declaration -Werror=incompatible-pointer-types
	-Werror=int-conversion -Werror=return-type)

FACTS=()	# every fact, in order, for compat-gen.h
PROBES=()	# compile probes and baselines, for the log

# ---- compile probes ----

# spawn NAME: compile $TMP/NAME.c in the background; NAME.ok marks success.
spawn() {
	PROBES+=("$1")
	(
		if "${CC_CMD[@]}" -fsyntax-only "${ERRORS[@]}" -x c "$TMP/$1.c" \
			>"$TMP/$1.log" 2>&1; then
			: >"$TMP/$1.ok"
		fi
	) </dev/null &
}

# probe NAME < SNIPPET: fact NAME holds if SNIPPET compiles.
probe() {
	cat >"$TMP/$1.c"
	FACTS+=("$1")
	spawn "$1"
}

# baseline NAME < SNIPPET: SNIPPET must compile (checked by classify).
baseline() {
	cat >"$TMP/$1.c"
	spawn "$1"
}

have() {
	[[ -e $TMP/$1.ok ]]
}

# ---- macros and headers: one preprocessor pass ----

# macro NAME MACRO: fact NAME holds if the headers define MACRO.
macro() {
	FACTS+=("$1")
	if grep -qE "^#define $2[ (]" "$TMP/macros"; then
		: >"$TMP/$1.ok"
	fi
}

# header NAME: fact NAME holds if the snippet's __has_include said so.
header() {
	FACTS+=("$1")
	if grep -qE "^#define VTUN_PROBE_$1 1$" "$TMP/macros"; then
		: >"$TMP/$1.ok"
	fi
}

probe_macros() {
	cat >"$TMP/macros.c" <<-'EOF'
		#include <linux/netdevice.h>
		#include <linux/timer.h>
		#include <linux/xarray.h>
		#include <net/genetlink.h>
		#include <net/netlink.h>
		#if __has_include(<asm/unaligned.h>)
		#define VTUN_PROBE_ASM_UNALIGNED_H 1
		#endif
		#if __has_include(<linux/unaligned.h>)
		#define VTUN_PROBE_LINUX_UNALIGNED_H 1
		#endif
		#if __has_include(<crypto/sha2.h>)
		#define VTUN_PROBE_CRYPTO_SHA2_H 1
		#endif
		#if __has_include(<crypto/sha.h>)
		#define VTUN_PROBE_CRYPTO_SHA_H 1
		#endif
		#if __has_include(<net/gso.h>)
		#define VTUN_PROBE_NET_GSO_H 1
		#endif
	EOF
	if ! "${CC_CMD[@]}" -E -dM -x c "$TMP/macros.c" >"$TMP/macros" 2>"$TMP/macros.log"; then
		{
			echo "vtun: cannot preprocess the kernel headers (kmod/compat/probe.sh):"
			head -n 20 "$TMP/macros.log"
		} >&2
		exit 1
	fi

	header ASM_UNALIGNED_H			# gone in 6.12
	header LINUX_UNALIGNED_H		# 6.12
	header CRYPTO_SHA2_H			# 5.11, was crypto/sha.h
	header CRYPTO_SHA_H
	header NET_GSO_H			# 6.5: skb_gso_segment() moved
	macro GENL_REQ_ATTR_CHECK GENL_REQ_ATTR_CHECK	# 6.0
	macro NL_REQ_ATTR_CHECK NL_REQ_ATTR_CHECK	# 6.0
	macro NLA_POLICY_MASK NLA_POLICY_MASK		# after 5.10
	macro GENL_MCAST_CAP GENL_MCAST_CAP_NET_ADMIN	# 6.7, backported
	macro DEV_STATS_INC DEV_STATS_INC		# 6.2, backported
	macro NETIF_F_LLTX NETIF_F_LLTX			# gone in 6.12
	macro FROM_TIMER from_timer			# renamed in 6.16
	macro TIMER_CONTAINER_OF timer_container_of	# 6.16
}

# ---- compile probes ----

probe_apis() {
	# crypto_completion_t: 6.3 passes the request's data pointer, not
	# the request.
	probe CRYPTO_CB_DATA <<-'EOF'
		#include <linux/crypto.h>
		static void vtun_probe_done(void *data, int err) { }
		crypto_completion_t vtun_probe = vtun_probe_done;
	EOF
	probe CRYPTO_CB_REQ <<-'EOF'
		#include <linux/crypto.h>
		static void vtun_probe_done(struct crypto_async_request *req, int err) { }
		crypto_completion_t vtun_probe = vtun_probe_done;
	EOF

	# A dump's parsed attributes: genl_dumpit_info.attrs until 6.5,
	# genl_dumpit_info.info.attrs from 6.6.
	probe GENL_DUMPIT_INFO_ATTRS <<-'EOF'
		#include <net/genetlink.h>
		struct nlattr **vtun_probe(struct netlink_callback *cb);
		struct nlattr **vtun_probe(struct netlink_callback *cb)
		{ return genl_dumpit_info(cb)->attrs; }
	EOF
	probe GENL_DUMPIT_INFO_INFO <<-'EOF'
		#include <net/genetlink.h>
		struct nlattr **vtun_probe(struct netlink_callback *cb);
		struct nlattr **vtun_probe(struct netlink_callback *cb)
		{ return genl_dumpit_info(cb)->info.attrs; }
	EOF

	# Reference tracking of net_device references: the type in 5.17,
	# dev_hold_track() in 5.17, renamed netdev_hold() in 6.0.
	probe NETDEVICE_TRACKER <<-'EOF'
		#include <linux/netdevice.h>
		netdevice_tracker vtun_probe;
	EOF
	probe NETDEV_HOLD <<-'EOF'
		#include <linux/netdevice.h>
		void vtun_probe(struct net_device *dev, netdevice_tracker *t);
		void vtun_probe(struct net_device *dev, netdevice_tracker *t)
		{ netdev_hold(dev, t, GFP_KERNEL); netdev_put(dev, t); }
	EOF
	probe DEV_HOLD_TRACK <<-'EOF'
		#include <linux/netdevice.h>
		void vtun_probe(struct net_device *dev, netdevice_tracker *t);
		void vtun_probe(struct net_device *dev, netdevice_tracker *t)
		{ dev_hold_track(dev, t, GFP_KERNEL); dev_put_track(dev, t); }
	EOF

	# ndo_get_stats64 from dev->tstats: a helper since 5.11.
	probe DEV_GET_TSTATS64 <<-'EOF'
		#include <linux/netdevice.h>
		void (*vtun_probe)(struct net_device *, struct rtnl_link_stats64 *) =
			dev_get_tstats64;
	EOF

	# Lockless transmit: NETIF_F_LLTX became dev->lltx in 6.12.
	probe NETDEV_LLTX <<-'EOF'
		#include <linux/netdevice.h>
		void vtun_probe(struct net_device *dev);
		void vtun_probe(struct net_device *dev) { dev->lltx = true; }
	EOF

	# del_timer_sync() is timer_delete_sync() since 6.2 (backported to
	# 6.1); the old name goes away in 6.16. vtun calls the new name.
	probe DEL_TIMER_SYNC <<-'EOF'
		#include <linux/timer.h>
		int vtun_probe(struct timer_list *t);
		int vtun_probe(struct timer_list *t) { return del_timer_sync(t); }
	EOF
	probe TIMER_DELETE_SYNC <<-'EOF'
		#include <linux/timer.h>
		int vtun_probe(struct timer_list *t);
		int vtun_probe(struct timer_list *t) { return timer_delete_sync(t); }
	EOF

	# The sha256() library function (crypto/sha.h until 5.11).
	probe SHA256 <<-'EOF'
		#include <linux/types.h>
		#if __has_include(<crypto/sha2.h>)
		#include <crypto/sha2.h>
		#else
		#include <crypto/sha.h>
		#endif
		void vtun_probe(const u8 *data, unsigned int len, u8 *out);
		void vtun_probe(const u8 *data, unsigned int len, u8 *out)
		{ sha256(data, len, out); }
	EOF

	# The UDP tunnel transmit helpers with vtun's 12 arguments (5.10 to
	# 6.12; 6.16 adds IP control-block flags).
	probe UDP_TUNNEL_XMIT_12 <<-'EOF'
		#include <net/udp_tunnel.h>
		void vtun_probe4(struct rtable *rt, struct sock *sk, struct sk_buff *skb);
		void vtun_probe4(struct rtable *rt, struct sock *sk, struct sk_buff *skb)
		{
			udp_tunnel_xmit_skb(rt, sk, skb, 0, 0, 0, 64, 0, 0, 0,
					    false, true);
		}
		#if IS_ENABLED(CONFIG_IPV6)
		void vtun_probe6(struct dst_entry *dst, struct sock *sk,
				 struct sk_buff *skb, struct net_device *dev,
				 struct in6_addr *saddr, struct in6_addr *daddr);
		void vtun_probe6(struct dst_entry *dst, struct sock *sk,
				 struct sk_buff *skb, struct net_device *dev,
				 struct in6_addr *saddr, struct in6_addr *daddr)
		{
			udp_tunnel6_xmit_skb(dst, sk, skb, dev, saddr, daddr, 0, 64,
					     0, 0, 0, false);
		}
		#endif
	EOF

	# rtnl_link_ops.newlink with (src_net, dev, tb, data, extack) (4.13
	# to 6.14; 6.15 packs them into struct rtnl_newlink_params).
	probe RTNL_NEWLINK_SRC_NET <<-'EOF'
		#include <net/rtnetlink.h>
		static int vtun_probe_newlink(struct net *src_net, struct net_device *dev,
					      struct nlattr *tb[], struct nlattr *data[],
					      struct netlink_ext_ack *extack)
		{ return 0; }
		struct rtnl_link_ops vtun_probe = { .newlink = vtun_probe_newlink };
	EOF
}

# ---- baselines: what vtun uses that is the same from 5.10 to 6.12 ----

probe_baselines() {
	baseline BASE_NETDEV <<-'EOF'
		#include <linux/netdevice.h>
		#include <linux/if_arp.h>
		#include <net/gro_cells.h>
		#include <net/ip_tunnels.h>
		#include <linux/xarray.h>
		void vtun_probe(struct net_device *dev, struct gro_cells *gc,
				struct sk_buff *skb, struct xarray *xa);
		void vtun_probe(struct net_device *dev, struct gro_cells *gc,
				struct sk_buff *skb, struct xarray *xa)
		{
			unsigned long id;
			void *entry;

			xa_for_each_start(xa, id, entry, 1)
				xa_erase(xa, id);
			dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
			dev->header_ops = &ip_tunnel_header_ops;
			dev->needs_free_netdev = true;
			dev->min_mtu = ETH_MIN_MTU;
			dev->priv_flags |= IFF_NO_QUEUE;
			netif_keep_dst(dev);
			if (gro_cells_init(gc, dev) ||
			    gro_cells_receive(gc, skb) != NET_RX_SUCCESS)
				gro_cells_destroy(gc);
			dev_sw_netstats_rx_add(dev, skb->len);
			(void)ip_tunnel_parse_protocol(skb);
			skb_mark_not_on_list(skb);
			skb_scrub_packet(skb, true);
			free_percpu(dev->tstats);
		}
	EOF
	baseline BASE_UDP_TUNNEL <<-'EOF'
		#include <net/udp_tunnel.h>
		#include <net/dst_cache.h>
		#include <net/ipv6_stubs.h>
		#include <net/route.h>
		static int vtun_probe_rcv(struct sock *sk, struct sk_buff *skb) { return 0; }
		int vtun_probe(struct net *net, struct socket **sockp,
			       struct dst_cache *dc, struct flowi4 *fl4,
			       struct flowi6 *fl6);
		int vtun_probe(struct net *net, struct socket **sockp,
			       struct dst_cache *dc, struct flowi4 *fl4,
			       struct flowi6 *fl6)
		{
			struct udp_tunnel_sock_cfg tcfg = {
				.encap_type = UDP_ENCAP_ESPINUDP,
				.encap_rcv = vtun_probe_rcv,
			};
			struct udp_port_cfg pcfg = { .family = AF_INET6,
						     .bind_ifindex = 1,
						     .ipv6_v6only = 1 };
			struct dst_entry *dst;
			struct rtable *rt;
			int ret = udp_sock_create(net, &pcfg, sockp);

			setup_udp_tunnel_sock(net, *sockp, &tcfg);
			(void)rcu_dereference_sk_user_data((*sockp)->sk);
			if (dst_cache_init(dc, GFP_KERNEL))
				return -ENOMEM;
			rt = dst_cache_get_ip4(dc, &fl4->saddr);
			if (!rt)
				rt = ip_route_output_flow(net, fl4, (*sockp)->sk);
			if (!IS_ERR(rt))
				dst_cache_set_ip4(dc, &rt->dst, fl4->saddr);
		#if IS_ENABLED(CONFIG_IPV6)
			dst = ipv6_stub->ipv6_dst_lookup_flow(net, (*sockp)->sk, fl6, NULL);
			if (!IS_ERR(dst))
				dst_cache_set_ip6(dc, dst, &fl6->saddr);
		#endif
			dst_cache_reset(dc);
			dst_cache_destroy(dc);
			udp_tunnel_sock_release(*sockp);
			return ret;
		}
	EOF
	baseline BASE_SKB <<-'EOF'
		#include <linux/icmp.h>
		#include <linux/icmpv6.h>
		#include <linux/skbuff.h>
		#include <net/icmp.h>
		#include <net/inet_ecn.h>
		#include <net/esp.h>
		#include <net/dst.h>
		int vtun_probe(struct sk_buff *skb, struct scatterlist *sg);
		int vtun_probe(struct sk_buff *skb, struct scatterlist *sg)
		{
			struct sk_buff *trailer;
			int n = skb_cow_data(skb, 16, &trailer);

			(void)pskb_put(skb, trailer, 16);
			n += skb_to_sgvec(skb, sg, 0, skb->len);
			skb_dst_update_pmtu_no_confirm(skb, 1280);
			icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 0);
			icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, 1280);
			n += INET_ECN_decapsulate(skb, 0, 0);
			return n + pskb_network_may_pull(skb, sizeof(struct ip_esp_hdr));
		}
	EOF
	baseline BASE_CRYPTO <<-'EOF'
		#include <crypto/aead.h>
		#include <crypto/algapi.h>
		#include <linux/padata.h>
		static void vtun_probe_par(struct padata_priv *p) { }
		int vtun_probe(struct aead_request *req, u8 *key, struct padata_priv *p);
		int vtun_probe(struct aead_request *req, u8 *key, struct padata_priv *p)
		{
			struct crypto_aead *aead = crypto_alloc_aead("rfc4106(gcm(aes))", 0, 0);
			struct padata_instance *pinst = padata_alloc("vtun");
			struct padata_shell *ps = padata_alloc_shell(pinst);
			int cpu = 0;

			crypto_aead_setkey(aead, key, 20);
			crypto_aead_setauthsize(aead, 16);
			aead_request_set_tfm(req, aead);
			aead_request_set_ad(req, crypto_aead_reqsize(aead) +
					    crypto_aead_alignmask(aead));
			p->parallel = vtun_probe_par;
			p->serial = vtun_probe_par;
			if (!padata_do_parallel(ps, p, &cpu))
				padata_do_serial(p);
			padata_free_shell(ps);
			padata_free(pinst);
			crypto_free_aead(aead);
			return crypto_aead_encrypt(req) + crypto_aead_decrypt(req) +
			       crypto_memneq(key, key, 4);
		}
	EOF
	baseline BASE_GENETLINK <<-'EOF'
		#include <net/genetlink.h>
		static int vtun_probe_doit(struct sk_buff *skb, struct genl_info *info)
		{
			void *hdr;

			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[1], "x");
			hdr = genlmsg_put_reply(skb, info, NULL, 0, 1);
			return hdr && genl_info_net(info) ? 0 : -EMSGSIZE;
		}
		static int vtun_probe_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
		{
			genl_dump_check_consistent(cb, NULL);
			return nla_put_u64_64bit(skb, 1, 0, 2);
		}
		static const struct nla_policy vtun_probe_policy[3] = {
			[1] = NLA_POLICY_MIN(NLA_U32, 256),
			[2] = NLA_POLICY_EXACT_LEN(16),
		};
		static const struct genl_ops vtun_probe_ops[] = {
			{ .cmd = 1, .doit = vtun_probe_doit, .dumpit = vtun_probe_dumpit,
			  .flags = GENL_UNS_ADMIN_PERM },
		};
		static const struct genl_multicast_group vtun_probe_mcgrps[] = {
			{ .name = "events" },
		};
		struct genl_family vtun_probe = {
			.name = "vtun", .maxattr = 2, .policy = vtun_probe_policy,
			.netnsok = true, .ops = vtun_probe_ops, .n_ops = 1,
			.mcgrps = vtun_probe_mcgrps, .n_mcgrps = 1,
		};
		void vtun_probe_send(struct net *net, struct sk_buff *skb);
		void vtun_probe_send(struct net *net, struct sk_buff *skb)
		{
			if (genl_has_listeners(&vtun_probe, net, 0))
				genlmsg_multicast_netns(&vtun_probe, net, skb, 0, 0,
							GFP_KERNEL);
		}
	EOF
}

# ---- classification ----

FAILED=0

# errors NAME: the first compiler errors of probe NAME.
errors() {
	grep -m 6 -E 'error' "$TMP/$1.log" | sed 's/^/    /' || :
}

# one_of WHAT NAME...: at least one alternative must hold.
one_of() {
	local what=$1 n
	shift
	for n in "$@"; do
		have "$n" && return 0
	done
	echo "vtun: unknown kernel API: $what: none of $* holds" >&2
	for n in "$@"; do
		[[ -e $TMP/$n.log ]] || continue
		echo "  $n:" >&2
		errors "$n" >&2
	done
	FAILED=1
}

# must WHAT NAME: NAME must hold (a baseline or a required form).
must() {
	one_of "$@"
}

classify() {
	one_of "asm/unaligned.h or linux/unaligned.h" ASM_UNALIGNED_H LINUX_UNALIGNED_H
	one_of "crypto/sha2.h or crypto/sha.h" CRYPTO_SHA2_H CRYPTO_SHA_H
	one_of "from_timer()" FROM_TIMER TIMER_CONTAINER_OF
	one_of "crypto_completion_t" CRYPTO_CB_DATA CRYPTO_CB_REQ
	one_of "genl_dumpit_info attributes" GENL_DUMPIT_INFO_ATTRS GENL_DUMPIT_INFO_INFO
	one_of "del_timer_sync()" DEL_TIMER_SYNC TIMER_DELETE_SYNC
	one_of "lockless transmit (LLTX)" NETIF_F_LLTX NETDEV_LLTX
	if have NETDEVICE_TRACKER; then
		one_of "netdev_hold() with a tracker" NETDEV_HOLD DEV_HOLD_TRACK
	fi
	must "sha256()" SHA256
	must "udp_tunnel_xmit_skb()/udp_tunnel6_xmit_skb() with 12 arguments" UDP_TUNNEL_XMIT_12
	must "rtnl_link_ops.newlink(src_net, dev, tb, data, extack)" RTNL_NEWLINK_SRC_NET
	must "net_device, gro_cells, tunnel header ops (Linux 5.10 or later?)" BASE_NETDEV
	must "UDP tunnel sockets, dst_cache, IPv6 stub" BASE_UDP_TUNNEL
	must "skb, ICMP and ECN helpers" BASE_SKB
	must "AEAD and padata" BASE_CRYPTO
	must "generic netlink" BASE_GENETLINK
}

# ---- output ----

write_header() {
	local f
	{
		echo "/* SPDX-License-Identifier: GPL-2.0 */"
		echo "/*"
		echo " * Generated by kmod/compat/probe.sh for ${KERNELRELEASE:-this kernel}: do not edit."
		echo " * What the kernel headers have; kmod/compat.h uses it."
		echo " */"
		echo "#ifndef _VTUN_COMPAT_GEN_H"
		echo "#define _VTUN_COMPAT_GEN_H"
		echo
		for f in "${FACTS[@]}"; do
			if have "$f"; then
				echo "#define VTUN_HAVE_$f 1"
			else
				echo "#define VTUN_HAVE_$f 0"
			fi
		done
		echo
		echo "#endif"
	} >"$TMP/out.h"
	# Unchanged facts leave the file (and what was compiled with it) alone.
	cmp -s "$TMP/out.h" "$OUT" || mv -f "$TMP/out.h" "$OUT"
}

write_log() {
	local p
	{
		echo "kmod/compat/probe.sh for ${KERNELRELEASE:-this kernel}"
		echo "compiler: ${CC_CMD[*]}"
		for p in "${PROBES[@]}"; do
			echo
			if have "$p"; then
				echo "== $p: yes"
			else
				echo "== $p: no"
			fi
			sed 's/^/   /' "$TMP/$p.c"
			[[ -s $TMP/$p.log ]] && sed 's/^/ | /' "$TMP/$p.log"
		done
	} >"$LOG" 2>/dev/null || :
}

main() {
	probe_apis
	probe_baselines
	probe_macros
	wait
	write_log
	classify
	if ((FAILED)); then
		echo "vtun: kmod/compat/probe.sh cannot classify kernel ${KERNELRELEASE:-?}." \
			"What it found is above, every probe in $LOG." \
			"Teach kmod/compat/probe.sh and kmod/compat.h the new API" \
			"(Documentation/packaging.rst)." >&2
		exit 1
	fi
	write_header
}

main
