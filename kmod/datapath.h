/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_DATAPATH_H
#define _VTUN_DATAPATH_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <net/dsfield.h>

struct sock;
struct vtun_peer;

netdev_tx_t vtun_xmit(struct sk_buff *skb, struct net_device *dev);
void vtun_send_keepalive(struct vtun_peer *peer);
int vtun_udp_encap_rcv(struct sock *sk, struct sk_buff *skb);

/* The DS field of the inner IPv4 or IPv6 packet at the network header. */
static inline u8 vtun_inner_dsfield(const struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return ipv4_get_dsfield(ip_hdr(skb));
	return ipv6_get_dsfield(ipv6_hdr(skb));
}

#endif /* _VTUN_DATAPATH_H */
