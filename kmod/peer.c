// SPDX-License-Identifier: GPL-2.0
/*
 * Peers: lifetime, endpoint and roaming, per-peer counters.
 *
 * A peer is found by packet paths under RCU (through a route or an SA) and
 * kept alive by references from the device's peer table and from each of
 * its SAs; it is freed one grace period after the last one goes.
 */
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/udp.h>

#include "datapath.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "routes.h"
#include "sa.h"

static struct vtun_endpoint *vtun_endpoint_new(const struct sockaddr *addr,
					       gfp_t gfp)
{
	struct vtun_endpoint *ep;

	ep = kzalloc(sizeof(*ep), gfp);
	if (!ep)
		return NULL;
	if (dst_cache_init(&ep->dst_cache, gfp)) {
		kfree(ep);
		return NULL;
	}
	if (addr->sa_family == AF_INET)
		ep->addr4 = *(const struct sockaddr_in *)addr;
	else
		ep->addr6 = *(const struct sockaddr_in6 *)addr;
	return ep;
}

static void vtun_endpoint_free(struct vtun_endpoint *ep)
{
	if (!ep)
		return;
	dst_cache_destroy(&ep->dst_cache);
	kfree(ep);
}

static void vtun_endpoint_free_rcu(struct rcu_head *rcu)
{
	vtun_endpoint_free(container_of(rcu, struct vtun_endpoint, rcu));
}

/* The same remote address and port, whatever our own address. */
static bool vtun_endpoint_same_remote(const struct vtun_endpoint *a,
				      const struct vtun_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	return a->addr6.sin6_port == b->addr6.sin6_port &&
	       ipv6_addr_equal(&a->addr6.sin6_addr, &b->addr6.sin6_addr) &&
	       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id;
}

static bool vtun_endpoint_eq(const struct vtun_endpoint *a,
			     const struct vtun_endpoint *b)
{
	if (!vtun_endpoint_same_remote(a, b))
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->src4 == b->src4;
	return ipv6_addr_equal(&a->src6, &b->src6);
}

/* Publish @ep (may be NULL) as the peer's endpoint; the old one is freed. */
static void vtun_peer_swap_endpoint(struct vtun_peer *peer,
				    struct vtun_endpoint *ep)
{
	struct vtun_endpoint *old;

	spin_lock_bh(&peer->endpoint_lock);
	old = rcu_replace_pointer(peer->endpoint, ep,
				  lockdep_is_held(&peer->endpoint_lock));
	spin_unlock_bh(&peer->endpoint_lock);
	if (old)
		call_rcu(&old->rcu, vtun_endpoint_free_rcu);
}

/*
 * Follow an authenticated, non-replayed packet to the address it came
 * from (NAT rebinding, a roaming client), and remember which of our
 * addresses it was sent to, so replies leave from that one.
 */
void vtun_peer_roam(struct vtun_peer *peer, const struct sk_buff *skb)
{
	struct vtun_endpoint seen = {}, *cur, *ep;
	const struct udphdr *uh = udp_hdr(skb);
	unsigned long now = jiffies;
	bool moved;

	/* Written at most once per tick, not per packet: no shared line. */
	if (READ_ONCE(peer->last_rx) != now)
		WRITE_ONCE(peer->last_rx, now);

	if (ip_hdr(skb)->version == 4) {
		seen.addr4.sin_family = AF_INET;
		seen.addr4.sin_port = uh->source;
		seen.addr4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		seen.src4 = ip_hdr(skb)->daddr;
	} else {
		seen.addr6.sin6_family = AF_INET6;
		seen.addr6.sin6_port = uh->source;
		seen.addr6.sin6_addr = ipv6_hdr(skb)->saddr;
		seen.addr6.sin6_scope_id =
			ipv6_iface_scope_id(&ipv6_hdr(skb)->saddr, skb->skb_iif);
		seen.src6 = ipv6_hdr(skb)->daddr;
	}

	rcu_read_lock();
	cur = rcu_dereference(peer->endpoint);
	if (cur && (vtun_endpoint_eq(cur, &seen) ||
		    (READ_ONCE(peer->flags) & VTUN_PEER_F_PIN_ENDPOINT))) {
		rcu_read_unlock();
		return;
	}
	rcu_read_unlock();

	ep = vtun_endpoint_new(&seen.addr, GFP_ATOMIC);
	if (!ep)
		return;
	if (seen.addr.sa_family == AF_INET)
		ep->src4 = seen.src4;
	else
		ep->src6 = seen.src6;

	spin_lock_bh(&peer->endpoint_lock);
	cur = rcu_dereference_protected(peer->endpoint,
					lockdep_is_held(&peer->endpoint_lock));
	if (cur && vtun_endpoint_eq(cur, ep)) {
		/* Another CPU got here first. */
		spin_unlock_bh(&peer->endpoint_lock);
		vtun_endpoint_free(ep);
		return;
	}
	/*
	 * Only our own address changed (the first packet of a configured
	 * peer tells us which one it talks to): same path, same MTU, and
	 * nothing to announce.
	 */
	moved = !cur || !vtun_endpoint_same_remote(cur, ep);
	if (!moved)
		ep->outer_mtu = READ_ONCE(cur->outer_mtu);
	rcu_assign_pointer(peer->endpoint, ep);
	spin_unlock_bh(&peer->endpoint_lock);
	if (cur)
		call_rcu(&cur->rcu, vtun_endpoint_free_rcu);
	if (!moved)
		return;
	net_dbg_ratelimited("%s: peer %u endpoint now %pISpc\n",
			    peer->vd->dev->name, peer->id, &ep->addr);
	vtun_nl_notify_endpoint(peer);
}

/*
 * RFC 3948 2.3: while we send nothing else to the peer, send a one-byte
 * keepalive every keepalive_secs so that NAT mappings on the way stay.
 */
static void vtun_peer_keepalive_expired(struct timer_list *t)
{
	struct vtun_peer *peer = from_timer(peer, t, keepalive_timer);
	unsigned long interval = READ_ONCE(peer->keepalive_secs) * HZ;
	unsigned long due;

	if (!interval || READ_ONCE(peer->dead) || !netif_running(peer->vd->dev))
		return;
	due = READ_ONCE(peer->last_tx) + interval;
	if (!time_before(jiffies, due)) {
		vtun_send_keepalive(peer);
		due = jiffies + interval;
	}
	mod_timer(&peer->keepalive_timer, due);
}

/* (Re)start keepalives after a configuration change or the device going up. */
void vtun_peer_keepalive_start(struct vtun_peer *peer)
{
	lockdep_assert_held(&peer->vd->conf_lock);
	if (!peer->keepalive_secs || peer->dead || !netif_running(peer->vd->dev))
		return;
	/* The first one goes out at once: it opens the NAT mapping. */
	mod_timer(&peer->keepalive_timer, jiffies);
}

static void vtun_peer_free_rcu(struct rcu_head *rcu)
{
	struct vtun_peer *peer = container_of(rcu, struct vtun_peer, rcu);

	vtun_endpoint_free(rcu_dereference_protected(peer->endpoint, 1));
	free_percpu(peer->counters);
	netdev_put(peer->vd->dev, &peer->dev_tracker);
	kfree(peer);
}

static void vtun_peer_release(struct kref *ref)
{
	struct vtun_peer *peer = container_of(ref, struct vtun_peer, ref);

	call_rcu(&peer->rcu, vtun_peer_free_rcu);
}

void vtun_peer_put(struct vtun_peer *peer)
{
	kref_put(&peer->ref, vtun_peer_release);
}

struct vtun_peer *vtun_peer_find(struct vtun_dev *vd, u32 id)
{
	lockdep_assert_held(&vd->conf_lock);
	return xa_load(&vd->peers, id);
}

/*
 * Allocate whatever @cfg needs before anything changes, so that applying
 * it with vtun_peer_commit() cannot fail half-way.
 */
int vtun_peer_prepare(const struct vtun_peer_config *cfg,
		      struct vtun_endpoint **ep)
{
	*ep = NULL;
	if (!cfg->set_endpoint)
		return 0;
	*ep = vtun_endpoint_new((const struct sockaddr *)&cfg->endpoint,
				GFP_KERNEL);
	return *ep ? 0 : -ENOMEM;
}

/* Free what vtun_peer_prepare() allocated when it will not be committed. */
void vtun_peer_unprepare(struct vtun_endpoint *ep)
{
	vtun_endpoint_free(ep);
}

static void vtun_peer_apply(struct vtun_peer *peer,
			    const struct vtun_peer_config *cfg,
			    struct vtun_endpoint *ep)
{
	if (cfg->set_endpoint)
		vtun_peer_swap_endpoint(peer, ep);
	if (cfg->set_keepalive)
		WRITE_ONCE(peer->keepalive_secs, cfg->keepalive_secs);
	if (cfg->set_flags)
		WRITE_ONCE(peer->flags, cfg->flags);
}

struct vtun_peer *vtun_peer_create(struct vtun_dev *vd, u32 id,
				   const struct vtun_peer_config *cfg,
				   struct netlink_ext_ack *extack)
{
	struct vtun_endpoint *ep;
	struct vtun_peer *peer;
	int ret;

	lockdep_assert_held(&vd->conf_lock);
	if (xa_load(&vd->peers, id)) {
		NL_SET_ERR_MSG(extack, "A peer with this id already exists on the device");
		return ERR_PTR(-EEXIST);
	}

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	peer->counters = netdev_alloc_pcpu_stats(struct vtun_peer_counters);
	if (!peer->counters) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = vtun_peer_prepare(cfg, &ep);
	if (ret)
		goto err_counters;

	peer->vd = vd;
	peer->id = id;
	kref_init(&peer->ref);
	INIT_LIST_HEAD(&peer->sas);
	INIT_LIST_HEAD(&peer->routes);
	spin_lock_init(&peer->endpoint_lock);
	timer_setup(&peer->keepalive_timer, vtun_peer_keepalive_expired, 0);

	ret = xa_insert(&vd->peers, id, peer, GFP_KERNEL);
	if (ret)
		goto err_endpoint;

	vtun_peer_apply(peer, cfg, ep);
	netdev_hold(vd->dev, &peer->dev_tracker, GFP_KERNEL);
	vd->n_peers++;
	vtun_dev_config_changed(vd);
	vtun_peer_keepalive_start(peer);
	return peer;

err_endpoint:
	vtun_endpoint_free(ep);
err_counters:
	free_percpu(peer->counters);
err_free:
	kfree(peer);
	return ERR_PTR(ret);
}

void vtun_peer_commit(struct vtun_peer *peer, const struct vtun_peer_config *cfg,
		      struct vtun_endpoint *ep)
{
	lockdep_assert_held(&peer->vd->conf_lock);
	vtun_peer_apply(peer, cfg, ep);
	vtun_dev_config_changed(peer->vd);
	if (cfg->set_keepalive || cfg->set_endpoint)
		vtun_peer_keepalive_start(peer);
}

int vtun_peer_update(struct vtun_peer *peer, const struct vtun_peer_config *cfg,
		     struct netlink_ext_ack *extack)
{
	struct vtun_endpoint *ep;
	int ret;

	ret = vtun_peer_prepare(cfg, &ep);
	if (ret)
		return ret;
	vtun_peer_commit(peer, cfg, ep);
	return 0;
}

/* The outer routes depend on the fwmark and underlay: find them again. */
void vtun_peers_reset_outer_routes(struct vtun_dev *vd)
{
	struct vtun_endpoint *ep;
	struct vtun_peer *peer;
	unsigned long id;

	rcu_read_lock();
	xa_for_each(&vd->peers, id, peer) {
		ep = rcu_dereference(peer->endpoint);
		if (ep)
			dst_cache_reset(&ep->dst_cache);
	}
	rcu_read_unlock();
}

/* Remove the peer with its routes and SAs, as one step for readers. */
void vtun_peer_remove(struct vtun_peer *peer)
{
	struct vtun_dev *vd = peer->vd;

	lockdep_assert_held(&vd->conf_lock);
	WRITE_ONCE(peer->dead, true);
	timer_delete_sync(&peer->keepalive_timer);
	vtun_routes_remove_peer(&vd->routes, peer);
	vtun_sa_remove_all_of_peer(vd, peer);
	xa_erase(&vd->peers, peer->id);
	vd->n_peers--;
	vtun_dev_config_changed(vd);
	vtun_peer_put(peer);
}

void vtun_peer_remove_all(struct vtun_dev *vd)
{
	struct vtun_peer *peer;
	unsigned long id;

	xa_for_each(&vd->peers, id, peer)
		vtun_peer_remove(peer);
}

void vtun_peer_count_rx(struct vtun_peer *peer, unsigned int bytes)
{
	struct vtun_peer_counters *c = this_cpu_ptr(peer->counters);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->rx_packets);
	u64_stats_add(&c->rx_bytes, bytes);
	u64_stats_update_end(&c->syncp);
}

void vtun_peer_count_tx(struct vtun_peer *peer, unsigned int packets,
			unsigned int bytes)
{
	struct vtun_peer_counters *c = this_cpu_ptr(peer->counters);
	unsigned long now = jiffies;

	u64_stats_update_begin(&c->syncp);
	u64_stats_add(&c->tx_packets, packets);
	u64_stats_add(&c->tx_bytes, bytes);
	u64_stats_update_end(&c->syncp);
	if (READ_ONCE(peer->last_tx) != now)
		WRITE_ONCE(peer->last_tx, now);
}

void vtun_peer_read_counters(struct vtun_peer *peer, u64 *rx_packets,
			     u64 *rx_bytes, u64 *tx_packets, u64 *tx_bytes)
{
	int cpu;

	*rx_packets = *rx_bytes = *tx_packets = *tx_bytes = 0;
	for_each_possible_cpu(cpu) {
		const struct vtun_peer_counters *c = per_cpu_ptr(peer->counters, cpu);
		u64 rp, rb, tp, tb;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			rp = u64_stats_read(&c->rx_packets);
			rb = u64_stats_read(&c->rx_bytes);
			tp = u64_stats_read(&c->tx_packets);
			tb = u64_stats_read(&c->tx_bytes);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		*rx_packets += rp;
		*rx_bytes += rb;
		*tx_packets += tp;
		*tx_bytes += tb;
	}
}
