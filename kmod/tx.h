/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_TX_H
#define _VTUN_TX_H

#include <linux/netdev_features.h>
#include <linux/skbuff.h>

#include "esp.h"

struct vtun_dev;
struct vtun_sa;

/* ESP's name for what the inner packet is. */
static inline u8 vtun_tx_next_header(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IP) ? VTUN_NEXTHDR_IPV4 :
						  VTUN_NEXTHDR_IPV6;
}

u8 vtun_tx_outer_dsfield(const struct vtun_dev *vd, u8 inner_dsfield);
bool vtun_tx_get_sa(struct vtun_dev *vd, struct vtun_sa *sa);
struct sk_buff *vtun_tx_segment(struct vtun_dev *vd, struct sk_buff *skb,
				netdev_features_t features);
void vtun_tx_one(struct vtun_dev *vd, struct vtun_sa *sa, struct sk_buff *skb,
		 bool outer_df);

/* txbatch.c */
bool vtun_tx_batching(void);
void vtun_tx_gso_batched(struct vtun_dev *vd, struct vtun_sa *sa,
			 struct sk_buff *skb, bool outer_df);

#endif /* _VTUN_TX_H */
