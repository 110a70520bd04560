/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_DEVICE_H
#define _VTUN_DEVICE_H

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rhashtable-types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/gro_cells.h>

#include "uapi/linux/vtun.h"
#include "routes.h"

/* Per-CPU device counters, indexed by enum vtun_stat. */
struct vtun_dev_counters {
	u64_stats_t c[__VTUN_STAT_MAX];
	struct u64_stats_sync syncp;
};

/**
 * struct vtun_dev - private state of one vtun net_device
 * @dev: the net_device this state belongs to
 * @creating_net: namespace the device was created in: its UDP sockets live
 *	there even after the device moves to another namespace; NULL once
 *	that namespace is gone
 * @dev_list: entry in the module's list of devices, under RTNL
 * @conf_lock: serialises every configuration change; packet paths never
 *	take it
 * @dead: set under @conf_lock when the device unregisters: a request that
 *	found the device just before (without RTNL) must then change nothing,
 *	or a peer it adds would hold the device forever
 * @sock4: UDP socket for IPv4 outer packets, published with RCU
 * @sock6: UDP socket for IPv6 outer packets, published with RCU
 * @listen_port: configured UDP port (0 picks a free one)
 * @bound_port: port the open sockets are bound to, 0 while closed
 * @fwmark: mark set on outer packets and used for their route lookup
 * @bind_ifindex: underlay device outer packets must use, 0 for any
 * @outer_ttl: TTL/hop limit of outer packets, 0 for the route's default
 * @outer_dscp: DSCP of outer packets, or VTUN_DSCP_INHERIT
 * @peers: peers by operator-chosen id, under @conf_lock (RCU readable)
 * @n_peers: number of peers
 * @n_sas: number of security associations, both directions
 * @routes: inner prefix to peer table
 * @sa_table: SAs keyed by direction and SPI
 * @expire_work: deletes SAs past a hard limit, checks time limits
 * @gro_cells: delivery of decrypted packets to the stack
 * @counters: per-CPU drop and traffic counters
 * @generation: bumped on every configuration change, so that multi-part
 *	netlink dumps can tell userspace they were interrupted
 */
struct vtun_dev {
	struct net_device *dev;
	struct net __rcu *creating_net;
	struct list_head dev_list;
	struct mutex conf_lock;		/* see above */
	bool dead;
	struct sock __rcu *sock4;
	struct sock __rcu *sock6;
	u16 listen_port;
	u16 bound_port;
	u32 fwmark;
	u32 bind_ifindex;
	u8 outer_ttl;
	u8 outer_dscp;
	struct xarray peers;
	u32 n_peers;
	u32 n_sas;
	struct vtun_route_table routes;
	struct rhashtable sa_table;
	struct delayed_work expire_work;
	struct gro_cells gro_cells;
	struct vtun_dev_counters __percpu *counters;
	u32 generation;
};

extern struct rtnl_link_ops vtun_link_ops;

int vtun_device_init(void);
void vtun_device_uninit(void);

struct vtun_dev *vtun_dev_get_by_index(struct net *net, int ifindex);
struct vtun_dev *vtun_dev_get_by_name(struct net *net, const char *name);
bool vtun_is_vtun_dev(const struct net_device *dev);

/* Count @n events; callable from any context with BH disabled. */
static inline void vtun_count_n(struct vtun_dev *vd, enum vtun_stat stat,
				unsigned int n)
{
	struct vtun_dev_counters *c = this_cpu_ptr(vd->counters);

	u64_stats_update_begin(&c->syncp);
	u64_stats_add(&c->c[stat], n);
	u64_stats_update_end(&c->syncp);
}

static inline void vtun_count(struct vtun_dev *vd, enum vtun_stat stat)
{
	vtun_count_n(vd, stat, 1);
}

void vtun_dev_read_counters(struct vtun_dev *vd, u64 out[__VTUN_STAT_MAX]);

static inline void vtun_dev_config_changed(struct vtun_dev *vd)
{
	lockdep_assert_held(&vd->conf_lock);
	vd->generation++;
}

#endif /* _VTUN_DEVICE_H */
