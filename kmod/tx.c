// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: inner packet -> peer (by inner destination) -> its outbound SA
 * -> GSO segments -> ESP encrypt -> outer UDP packet to the peer.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/dsfield.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>

#include "datapath.h"
#include "device.h"
#include "esp.h"
#include "peer.h"
#include "routes.h"
#include "sa.h"
#include "socket.h"

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

static u8 vtun_inner_dsfield(const struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return ipv4_get_dsfield(ip_hdr(skb));
	return ipv6_get_dsfield(ipv6_hdr(skb));
}

/* Tell the inner sender its destination cannot be reached through us. */
static void vtun_tx_unreachable(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
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

	/* RFC 6040 normal mode; the DSCP is copied so QoS works outside. */
	dsfield = INET_ECN_encapsulate(cb->inner_dsfield, cb->inner_dsfield);
	skb->ip_summed = CHECKSUM_NONE;
	/* The device's own tx counters are kept by the UDP tunnel layer. */
	if (likely(!vtun_socket_send(peer, skb, dsfield))) {
		vtun_sa_count(sa, inner_len);
		vtun_peer_count_tx(peer, inner_len);
	}
out:
	vtun_sa_put(sa);
}

/* Encrypt and send one non-GSO packet; consumes it. */
static void vtun_tx_one(struct vtun_dev *vd, struct vtun_sa *sa,
			struct sk_buff *skb)
{
	struct vtun_skb_cb *cb = VTUN_SKB_CB(skb);
	u8 next_header;
	u64 seq;
	int ret;

	if (unlikely(!vtun_sa_usable(sa) || !vtun_sa_get(sa))) {
		/* Expired or deleted under us; its successor takes over. */
		vtun_count(vd, READ_ONCE(sa->expire_reason) ==
			   VTUN_SA_EXPIRE_SEQ_EXHAUSTED ?
			   VTUN_STAT_TX_SEQ_EXHAUSTED : VTUN_STAT_TX_NO_SA);
		goto drop;
	}
	if (unlikely(!vtun_sa_next_seq(sa, &seq))) {
		vtun_count(vd, VTUN_STAT_TX_SEQ_EXHAUSTED);
		vtun_sa_put(sa);
		goto drop;
	}

	memset(cb, 0, sizeof(*cb));
	cb->sa = sa;
	cb->inner_len = skb->len;
	cb->inner_dsfield = vtun_inner_dsfield(skb);
	next_header = skb->protocol == htons(ETH_P_IP) ? VTUN_NEXTHDR_IPV4 :
							 VTUN_NEXTHDR_IPV6;
	skb_dst_drop(skb);

	if (unlikely((skb->ip_summed == CHECKSUM_PARTIAL &&
		      skb_checksum_help(skb)) ||
		     skb_cow_head(skb, vd->dev->needed_headroom))) {
		ret = -ENOMEM;
	} else {
		ret = vtun_esp_encrypt(skb, sa, seq, next_header,
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

static void vtun_tx_segments(struct vtun_dev *vd, struct vtun_sa *sa,
			     struct sk_buff *skb)
{
	struct sk_buff *segs, *next;

	if (!skb_is_gso(skb)) {
		vtun_tx_one(vd, sa, skb);
		return;
	}

	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		vtun_count(vd, VTUN_STAT_TX_ERRORS);
		DEV_STATS_INC(vd->dev, tx_errors);
		kfree_skb(skb);
		return;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		vtun_tx_one(vd, sa, skb);
	}
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
	skb_put_u8(skb, VTUN_NAT_KEEPALIVE);
	if (!vtun_socket_send(peer, skb, 0)) {
		vtun_count(vd, VTUN_STAT_TX_KEEPALIVES);
		WRITE_ONCE(peer->last_tx, jiffies);
	}
}

netdev_tx_t vtun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vtun_dev *vd = netdev_priv(dev);
	enum vtun_stat why;
	struct vtun_peer *peer;
	struct vtun_sa *sa;

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
	if (unlikely(!rcu_access_pointer(peer->endpoint))) {
		why = VTUN_STAT_TX_NO_ENDPOINT;
		goto unreachable;
	}

	vtun_tx_segments(vd, sa, skb);
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
