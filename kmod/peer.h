/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_PEER_H
#define _VTUN_PEER_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/u64_stats_sync.h>
#include <net/dst_cache.h>

struct netlink_ext_ack;
struct sk_buff;
struct vtun_dev;
struct vtun_sa;

/*
 * Where a peer is reached. Immutable once published: a new address (from
 * configuration or roaming) is a new object swapped in with RCU, so the
 * transmit path needs no lock, and the cached outer route can never belong
 * to a previous address.
 */
struct vtun_endpoint {
	union {
		struct sockaddr addr;
		struct sockaddr_in addr4;
		struct sockaddr_in6 addr6;
	};
	union {
		__be32 src4;
		struct in6_addr src6;
	};			/* local address to send from; 0 = any */
	struct dst_cache dst_cache;
	unsigned int outer_mtu;	/* path MTU of the last outer route, 0 = unknown */
	struct rcu_head rcu;
};

struct vtun_peer_counters {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	struct u64_stats_sync syncp;
};

/**
 * struct vtun_peer - a remote gateway or host
 * @vd: the device this peer belongs to
 * @id: operator-chosen identifier, unique per device
 * @ref: one reference for the device's peer table, one per SA
 * @rcu: frees the peer after readers that found it through a route are done
 * @sas: all SAs of this peer, under the device's conf_lock
 * @routes: all routes to this peer, under the device's conf_lock
 * @tx_sa: the outbound SA in use, published with RCU
 * @endpoint: where to send, published with RCU; NULL until known
 * @endpoint_lock: serialises endpoint changes (roaming happens on any CPU)
 * @keepalive_secs: send a NAT keepalive after this long without sending
 * @flags: enum vtun_peer_flags
 * @last_rx: jiffies of the last authenticated packet, 0 if none
 * @last_tx: jiffies of the last packet sent
 * @keepalive_timer: sends NAT keepalives while nothing else is sent
 * @counters: per-CPU traffic counters
 * @dev_tracker: tracks our reference on the net_device
 * @dead: removed from the device; no new SAs or timers
 * @conf_keep: scratch mark of a configuration replacement, under conf_lock
 */
struct vtun_peer {
	struct vtun_dev *vd;
	u32 id;
	struct kref ref;
	struct rcu_head rcu;
	struct list_head sas;
	struct list_head routes;
	struct vtun_sa __rcu *tx_sa;
	struct vtun_endpoint __rcu *endpoint;
	spinlock_t endpoint_lock;	/* see above */
	u16 keepalive_secs;
	u32 flags;
	unsigned long last_rx;
	unsigned long last_tx;
	struct timer_list keepalive_timer;
	struct vtun_peer_counters __percpu *counters;
	netdevice_tracker dev_tracker;
	bool dead;
	bool conf_keep;
};

/* What a netlink request asks to set on a peer; absent fields stay. */
struct vtun_peer_config {
	bool set_endpoint;
	struct sockaddr_storage endpoint;
	bool set_keepalive;
	u16 keepalive_secs;
	bool set_flags;
	u32 flags;
};

struct vtun_peer *vtun_peer_create(struct vtun_dev *vd, u32 id,
				   const struct vtun_peer_config *cfg,
				   struct netlink_ext_ack *extack);
int vtun_peer_update(struct vtun_peer *peer, const struct vtun_peer_config *cfg,
		     struct netlink_ext_ack *extack);
int vtun_peer_prepare(const struct vtun_peer_config *cfg,
		      struct vtun_endpoint **ep);
void vtun_peer_unprepare(struct vtun_endpoint *ep);
void vtun_peer_commit(struct vtun_peer *peer, const struct vtun_peer_config *cfg,
		      struct vtun_endpoint *ep);
void vtun_peers_reset_outer_routes(struct vtun_dev *vd);
void vtun_peer_remove(struct vtun_peer *peer);
void vtun_peer_remove_all(struct vtun_dev *vd);
struct vtun_peer *vtun_peer_find(struct vtun_dev *vd, u32 id);

static inline void vtun_peer_get(struct vtun_peer *peer)
{
	kref_get(&peer->ref);
}

void vtun_peer_put(struct vtun_peer *peer);

void vtun_peer_roam(struct vtun_peer *peer, const struct sk_buff *skb);
void vtun_peer_keepalive_start(struct vtun_peer *peer);
void vtun_peer_count_rx(struct vtun_peer *peer, unsigned int bytes);
void vtun_peer_count_tx(struct vtun_peer *peer, unsigned int packets,
			unsigned int bytes);
void vtun_peer_read_counters(struct vtun_peer *peer, u64 *rx_packets,
			     u64 *rx_bytes, u64 *tx_packets, u64 *tx_bytes);

#endif /* _VTUN_PEER_H */
