/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_DATAPATH_H
#define _VTUN_DATAPATH_H

#include <linux/netdevice.h>

struct sock;
struct vtun_peer;

netdev_tx_t vtun_xmit(struct sk_buff *skb, struct net_device *dev);
void vtun_send_keepalive(struct vtun_peer *peer);
int vtun_udp_encap_rcv(struct sock *sk, struct sk_buff *skb);

#endif /* _VTUN_DATAPATH_H */
