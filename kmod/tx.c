// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: inner packet -> peer (by inner destination) -> its outbound SA
 * -> GSO segments -> ESP encrypt -> outer UDP packet to the peer.
 * With outer_gso, the segments of a GSO packet leave together: txbatch.c.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/dsfield.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>

#include "datapath.h"
#include "device.h"
#include "esp.h"
#include "peer.h"
#include "routes.h"
#include "sa.h"
#include "socket.h"
#include "tx.h"

/* Is this a well-formed IPv4 or IPv6 packet whose header we can read? */
static bool vtun_tx_inner_ok(struct sk_buff *skb)
{
	__be16 proto = ip_tunnel_parse_protocol(skb);

	if (!proto || proto != skb->protocol)
		return false;
	if (proto == htons(ETH_P_IP))
		return pskb_network_may_pull(skb, sizeof(struct iphdr));
	return pskb_network_may_pull(skb, sizeof(struct ipv6hdr));
}

/* Tell the inner sender its destination cannot be reached through us. */
static void vtun_tx_unreachable(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
}

/*
 * The outer DS field: the DSCP is copied (so QoS works outside) unless
 * one is set; ECN follows RFC 6040 normal mode.
 */
u8 vtun_tx_outer_dsfield(const struct vtun_dev *vd, u8 inner_dsfield)
{
	u8 dscp = READ_ONCE(vd->outer_dscp);
	u8 dsfield = dscp == VTUN_DSCP_INHERIT ? inner_dsfield : dscp << 2;

	return INET_ECN_encapsulate(dsfield, inner_dsfield);
}

/*
 * Take a reference on the SA for a packet, or count why the packet cannot
 * use it: it expired or was deleted under us, and its successor takes over.
 */
bool vtun_tx_get_sa(struct vtun_dev *vd, struct vtun_sa *sa)
{
	if (likely(vtun_sa_usable(sa) && vtun_sa_get(sa)))
		return true;
	if (READ_ONCE(sa->expire_reason) == VTUN_SA_EXPIRE_SEQ_EXHAUSTED) {
		atomic64_inc(&sa->seq_exhausted);
		vtun_count(vd, VTUN_STAT_TX_SEQ_EXHAUSTED);
	} else {
		vtun_count(vd, VTUN_STAT_TX_NO_SA);
	}
	return false;
}

static void vtun_tx_encrypted(struct sk_buff *skb, int err)
{
	struct vtun_skb_cb *cb = VTUN_SKB_CB(skb);
	unsigned int inner_len = cb->inner_len;
	struct vtun_sa *sa = cb->sa;
	struct vtun_peer *peer = sa->peer;
	struct vtun_dev *vd = peer->vd;
	u8 dsfield;

	if (unlikely(err)) {
		vtun_count(vd, err == -ENOMEM ? VTUN_STAT_TX_NOMEM :
			   VTUN_STAT_TX_ERRORS);
		DEV_STATS_INC(vd->dev, tx_errors);
		kfree_skb(skb);
		goto out;
	}

	dsfield = vtun_tx_outer_dsfield(vd, cb->inner_dsfield);
	skb->ip_summed = CHECKSUM_NONE;
	/* The device's own tx counters are kept by the UDP tunnel layer. */
	if (likely(!vtun_socket_send(peer, skb, dsfield, cb->outer_df))) {
		vtun_sa_count(sa, 1, inner_len);
		vtun_peer_count_tx(peer, 1, inner_len);
	}
out:
	vtun_sa_put(sa);
}

/* Encrypt and send one non-GSO packet; consumes it. */
void vtun_tx_one(struct vtun_dev *vd, struct vtun_sa *sa, struct sk_buff *skb,
		 bool outer_df)
{
	struct vtun_skb_cb *cb = VTUN_SKB_CB(skb);
	u64 seq;
	int ret;

	if (unlikely(!vtun_tx_get_sa(vd, sa)))
		goto drop;
	if (unlikely(!vtun_sa_next_seq(sa, &seq))) {
		vtun_count(vd, VTUN_STAT_TX_SEQ_EXHAUSTED);
		vtun_sa_put(sa);
		goto drop;
	}

	memset(cb, 0, sizeof(*cb));
	cb->sa = sa;
	cb->inner_len = skb->len;
	cb->inner_dsfield = vtun_inner_dsfield(skb);
	cb->outer_df = outer_df;
	skb_dst_drop(skb);

	if (unlikely((skb->ip_summed == CHECKSUM_PARTIAL &&
		      skb_checksum_help(skb)) ||
		     skb_cow_head(skb, vd->dev->needed_headroom))) {
		ret = -ENOMEM;
	} else {
		ret = vtun_esp_encrypt(skb, sa, seq, vtun_tx_next_header(skb),
				       vtun_tx_encrypted);
		if (ret == -EINPROGRESS)
			return;
	}
	vtun_tx_encrypted(skb, ret);
	return;

drop:
	DEV_STATS_INC(vd->dev, tx_dropped);
	kfree_skb(skb);
}

/*
 * Software-segment a GSO packet for encryption; consumes it. Returns the
 * list of segments, or NULL (counted) if it could not be segmented.
 */
struct sk_buff *vtun_tx_segment(struct vtun_dev *vd, struct sk_buff *skb,
				netdev_features_t features)
{
	struct sk_buff *segs = skb_gso_segment(skb, features);

	if (IS_ERR_OR_NULL(segs)) {
		vtun_count(vd, VTUN_STAT_TX_ERRORS);
		DEV_STATS_INC(vd->dev, tx_errors);
		kfree_skb(skb);
		return NULL;
	}
	consume_skb(skb);
	return segs;
}

static void vtun_tx_segments(struct vtun_dev *vd, struct vtun_sa *sa,
			     struct sk_buff *skb, bool outer_df)
{
	struct sk_buff *segs, *next;

	if (!skb_is_gso(skb)) {
		vtun_tx_one(vd, sa, skb, outer_df);
		return;
	}
	if (vtun_tx_batching()) {
		vtun_tx_gso_batched(vd, sa, skb, outer_df);
		return;
	}

	segs = vtun_tx_segment(vd, skb, 0);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		vtun_tx_one(vd, sa, skb, outer_df);
	}
}

/*
 * The largest inner packet that reaches the peer in one outer packet:
 * the device MTU, or less once the outer route has told us its path MTU
 * (ICMP from the underlay updates it; see vtun_socket_send()).
 */
static unsigned int vtun_tx_mtu(struct vtun_dev *vd, struct vtun_sa *sa,
				struct vtun_endpoint *ep)
{
	unsigned int outer = READ_ONCE(ep->outer_mtu);
	int hdrs, inner;

	if (!outer)
		return vd->dev->mtu;
	hdrs = (ep->addr.sa_family == AF_INET ? sizeof(struct iphdr) :
		sizeof(struct ipv6hdr)) + sizeof(struct udphdr);
	inner = vtun_esp_max_inner(outer - hdrs, sa->icv_len);
	return clamp_t(int, inner, ETH_MIN_MTU, vd->dev->mtu);
}

static bool vtun_tx_fits(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb_is_gso(skb))
		return skb_gso_validate_network_len(skb, mtu);
	return skb->len <= mtu;
}

/*
 * Must the outer packet go unfragmented (DF)? For IPv4 as its sender
 * asked; IPv6 is never fragmented on the way, except that a tunnel must
 * carry the 1280 bytes IPv6 needs even over a smaller path: then the
 * outer packets of those between path MTU and 1280 bytes are fragmented.
 */
static bool vtun_tx_outer_df(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->protocol == htons(ETH_P_IP))
		return ip_hdr(skb)->frag_off & htons(IP_DF);
	return mtu >= IPV6_MIN_MTU || !vtun_tx_fits(skb, IPV6_MIN_MTU);
}

/* Refuse a packet the path cannot carry, telling its sender the MTU. */
static void vtun_tx_too_big(struct vtun_dev *vd, struct sk_buff *skb,
			    unsigned int mtu)
{
	vtun_count(vd, VTUN_STAT_TX_TOO_BIG);
	/* A local sender learns at once, a distant one from the ICMP error. */
	skb_dst_update_pmtu_no_confirm(skb, mtu);
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	else
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
}

/* An RFC 3948 NAT keepalive: a UDP datagram holding the byte 0xff. */
void vtun_send_keepalive(struct vtun_peer *peer)
{
	struct vtun_dev *vd = peer->vd;
	struct sk_buff *skb;

	skb = alloc_skb(vd->dev->needed_headroom + 1, GFP_ATOMIC);
	if (unlikely(!skb)) {
		vtun_count(vd, VTUN_STAT_TX_NOMEM);
		return;
	}
	skb_reserve(skb, vd->dev->needed_headroom);
	/* The tunnel layer counts device tx bytes from here: one byte. */
	skb_set_inner_network_header(skb, 0);
	skb_put_u8(skb, VTUN_NAT_KEEPALIVE);
	if (!vtun_socket_send(peer, skb, 0, false)) {
		vtun_count(vd, VTUN_STAT_TX_KEEPALIVES);
		WRITE_ONCE(peer->last_tx, jiffies);
	}
}

netdev_tx_t vtun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vtun_dev *vd = netdev_priv(dev);
	struct vtun_endpoint *ep;
	struct vtun_peer *peer;
	enum vtun_stat why;
	struct vtun_sa *sa;
	unsigned int mtu;
	bool outer_df;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		vtun_count(vd, VTUN_STAT_TX_NOMEM);
		DEV_STATS_INC(dev, tx_dropped);
		return NETDEV_TX_OK;
	}

	rcu_read_lock();
	if (unlikely(!vtun_tx_inner_ok(skb))) {
		vtun_count(vd, VTUN_STAT_TX_BAD_INNER);
		goto drop;
	}

	peer = vtun_route_lookup_dst(&vd->routes, skb);
	if (unlikely(!peer)) {
		why = VTUN_STAT_TX_NO_ROUTE;
		goto unreachable;
	}
	sa = rcu_dereference(peer->tx_sa);
	if (unlikely(!sa)) {
		why = VTUN_STAT_TX_NO_SA;
		goto unreachable;
	}
	ep = rcu_dereference(peer->endpoint);
	if (unlikely(!ep)) {
		why = VTUN_STAT_TX_NO_ENDPOINT;
		goto unreachable;
	}

	mtu = vtun_tx_mtu(vd, sa, ep);
	outer_df = vtun_tx_outer_df(skb, mtu);
	if (unlikely(!vtun_tx_fits(skb, mtu))) {
		if (outer_df) {
			vtun_tx_too_big(vd, skb,
					skb->protocol == htons(ETH_P_IPV6) ?
					max_t(unsigned int, mtu, IPV6_MIN_MTU) :
					mtu);
			goto drop;
		}
		/*
		 * Fragmenting the outer packet is fine, but not past what an
		 * IP length field can say: a GSO packet from AF_PACKET may
		 * claim segments of any size.
		 */
		if (unlikely(!vtun_tx_fits(skb, dev->max_mtu))) {
			vtun_count(vd, VTUN_STAT_TX_TOO_BIG);
			goto drop;
		}
	}

	vtun_tx_segments(vd, sa, skb, outer_df);
	rcu_read_unlock();
	return NETDEV_TX_OK;

unreachable:
	vtun_count(vd, why);
	vtun_tx_unreachable(skb);
drop:
	rcu_read_unlock();
	DEV_STATS_INC(dev, tx_errors);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}
