// SPDX-License-Identifier: GPL-2.0
/*
 * The vtun net_device: rtnl link kind "vtun", device lifetime, counters.
 */
#include <linux/if_arp.h>
#include <net/addrconf.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <net/ip_tunnels.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "datapath.h"
#include "device.h"
#include "esp.h"
#include "peer.h"
#include "sa.h"
#include "socket.h"

/* All vtun devices of all namespaces, under RTNL. */
static LIST_HEAD(vtun_dev_list);

/* What goes in front of the inner packet, at worst: IPv6, UDP, ESP, IV. */
#define VTUN_OUTER_HEAD_MAX	(sizeof(struct ipv6hdr) + sizeof(struct udphdr) + \
				 VTUN_ESP_HEAD_LEN)

/*
 * Default MTU: a 1500-byte path with an IPv6 outer header, the larger of
 * the two, and the worst-case ESP tail; rounded down so that inner packet
 * plus trailer stays 4-byte aligned without extra padding.
 */
#define VTUN_OVERHEAD_V6	(sizeof(struct ipv6hdr) + sizeof(struct udphdr) + \
				 VTUN_ESP_HEAD_LEN + VTUN_ESP_TRAILER_LEN + \
				 VTUN_ESP_ICV_MAX)
#define VTUN_DEFAULT_MTU	(round_down(ETH_DATA_LEN - VTUN_OVERHEAD_V6 + \
					    VTUN_ESP_TRAILER_LEN, VTUN_ESP_ALIGN) - \
				 VTUN_ESP_TRAILER_LEN)
/* The outer IPv4 total length field limits the inner packet. */
#define VTUN_MAX_MTU		(round_down(IP_MAX_MTU - sizeof(struct iphdr) - \
					    sizeof(struct udphdr) - \
					    VTUN_ESP_HEAD_LEN - VTUN_ESP_ICV_MAX, \
					    VTUN_ESP_ALIGN) - VTUN_ESP_TRAILER_LEN)

bool vtun_is_vtun_dev(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &vtun_link_ops;
}

static struct vtun_dev *vtun_dev_checked(struct net_device *dev)
{
	if (!dev)
		return NULL;
	if (!vtun_is_vtun_dev(dev)) {
		dev_put(dev);
		return NULL;
	}
	return netdev_priv(dev);
}

/* Returns the device with a reference held (dev_put() it), or NULL. */
struct vtun_dev *vtun_dev_get_by_index(struct net *net, int ifindex)
{
	return vtun_dev_checked(dev_get_by_index(net, ifindex));
}

struct vtun_dev *vtun_dev_get_by_name(struct net *net, const char *name)
{
	return vtun_dev_checked(dev_get_by_name(net, name));
}

void vtun_dev_read_counters(struct vtun_dev *vd, u64 out[__VTUN_STAT_MAX])
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __VTUN_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct vtun_dev_counters *c = per_cpu_ptr(vd->counters, cpu);
		u64 snap[__VTUN_STAT_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			for (i = 0; i < __VTUN_STAT_MAX; i++)
				snap[i] = u64_stats_read(&c->c[i]);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		for (i = 0; i < __VTUN_STAT_MAX; i++)
			out[i] += snap[i];
	}
}

static int vtun_open(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct vtun_dev *vd = netdev_priv(dev);
	struct vtun_peer *peer;
	unsigned long id;
	int ret;

	/*
	 * No IPv6 link-local address of our own making: there is no link to
	 * solicit routers on, and its router solicitations and MLD reports
	 * would only show up as tx_no_route. Operators who run a routing
	 * protocol over the tunnel add the address they want.
	 */
	if (idev)
		idev->cnf.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE;

	mutex_lock(&vd->conf_lock);
	ret = vtun_socket_open(vd, vd->listen_port);
	if (!ret)
		xa_for_each(&vd->peers, id, peer)
			vtun_peer_keepalive_start(peer);
	mutex_unlock(&vd->conf_lock);
	return ret;
}

static int vtun_stop(struct net_device *dev)
{
	struct vtun_dev *vd = netdev_priv(dev);

	mutex_lock(&vd->conf_lock);
	vtun_socket_close(vd);
	mutex_unlock(&vd->conf_lock);
	return 0;
}

static int vtun_dev_init(struct net_device *dev)
{
	struct vtun_dev *vd = netdev_priv(dev);
	int ret;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;

	vd->counters = netdev_alloc_pcpu_stats(struct vtun_dev_counters);
	if (!vd->counters) {
		ret = -ENOMEM;
		goto err_free_tstats;
	}

	ret = gro_cells_init(&vd->gro_cells, dev);
	if (ret)
		goto err_free_counters;
	return 0;

err_free_counters:
	free_percpu(vd->counters);
	vd->counters = NULL;
err_free_tstats:
	free_percpu(dev->tstats);
	dev->tstats = NULL;
	return ret;
}

/*
 * Unregistering: drop every peer now, because peers hold references on the
 * device and unregistration waits for those. Packets still in the crypto
 * layer keep their SA, peer and device alive until they complete.
 */
static void vtun_dev_uninit(struct net_device *dev)
{
	struct vtun_dev *vd = netdev_priv(dev);

	cancel_delayed_work_sync(&vd->expire_work);
	mutex_lock(&vd->conf_lock);
	vd->dead = true;
	vtun_socket_close(vd);
	vtun_peer_remove_all(vd);
	mutex_unlock(&vd->conf_lock);
	gro_cells_destroy(&vd->gro_cells);
}

static const struct net_device_ops vtun_netdev_ops = {
	.ndo_init		= vtun_dev_init,
	.ndo_uninit		= vtun_dev_uninit,
	.ndo_open		= vtun_open,
	.ndo_stop		= vtun_stop,
	.ndo_start_xmit		= vtun_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

/* Runs once the last reference to the device is gone. */
static void vtun_dev_destruct(struct net_device *dev)
{
	struct vtun_dev *vd = netdev_priv(dev);

	rtnl_lock();
	list_del(&vd->dev_list);
	rtnl_unlock();

	/* Packets that were in flight at unregistering may have queued it. */
	cancel_delayed_work_sync(&vd->expire_work);
	vtun_sa_table_destroy(vd);
	vtun_routes_destroy(&vd->routes);
	xa_destroy(&vd->peers);
	mutex_destroy(&vd->conf_lock);
	free_percpu(vd->counters);
	free_percpu(dev->tstats);
}

static const struct device_type vtun_device_type = { .name = KBUILD_MODNAME };

static void vtun_setup(struct net_device *dev)
{
	struct vtun_dev *vd = netdev_priv(dev);
	const netdev_features_t features = NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
		NETIF_F_SG | NETIF_F_GSO | NETIF_F_GSO_SOFTWARE |
		NETIF_F_HIGHDMA;

	dev->netdev_ops = &vtun_netdev_ops;
	dev->header_ops = &ip_tunnel_header_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = LL_MAX_HEADER + VTUN_OUTER_HEAD_MAX;
	dev->needed_tailroom = VTUN_ESP_TAIL_MAX;
	dev->mtu = VTUN_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = VTUN_MAX_MTU;
	dev->features |= features;
	vtun_netdev_set_lltx(dev);
	dev->hw_features |= features;
	dev->hw_enc_features |= features;
	dev->needs_free_netdev = true;
	SET_NETDEV_DEVTYPE(dev, &vtun_device_type);
	/* Keep the inner route on the skb: ICMP errors to the sender need it. */
	netif_keep_dst(dev);

	memset(vd, 0, sizeof(*vd));
	vd->dev = dev;
}

static int vtun_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct vtun_dev *vd = netdev_priv(dev);
	int ret;

	rcu_assign_pointer(vd->creating_net, src_net);
	mutex_init(&vd->conf_lock);
	xa_init(&vd->peers);
	INIT_DELAYED_WORK(&vd->expire_work, vtun_sa_expire_work);
	vd->listen_port = VTUN_DEFAULT_PORT;
	vd->outer_dscp = VTUN_DSCP_INHERIT;

	ret = vtun_routes_init(&vd->routes);
	if (ret)
		goto err;
	ret = vtun_sa_table_init(vd);
	if (ret)
		goto err_routes;

	ret = register_netdevice(dev);
	if (ret)
		goto err_counters;

	list_add(&vd->dev_list, &vtun_dev_list);
	/* Set only now: register_netdevice() must not run it on failure. */
	dev->priv_destructor = vtun_dev_destruct;
	return 0;

err_counters:
	/* ndo_init may have run; the destructor is not set yet. */
	free_percpu(vd->counters);
	free_percpu(dev->tstats);
	vtun_sa_table_destroy(vd);
err_routes:
	vtun_routes_destroy(&vd->routes);
err:
	mutex_destroy(&vd->conf_lock);
	return ret;
}

struct rtnl_link_ops vtun_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct vtun_dev),
	.setup		= vtun_setup,
	.newlink	= vtun_newlink,
};

/*
 * The namespace a device was created in is going away while the device
 * itself lives on elsewhere: close its sockets there, like WireGuard.
 */
static void vtun_netns_pre_exit(struct net *net)
{
	struct vtun_dev *vd;

	rtnl_lock();
	list_for_each_entry(vd, &vtun_dev_list, dev_list) {
		if (rcu_access_pointer(vd->creating_net) != net)
			continue;
		netif_carrier_off(vd->dev);
		mutex_lock(&vd->conf_lock);
		rcu_assign_pointer(vd->creating_net, NULL);
		vtun_socket_close(vd);
		mutex_unlock(&vd->conf_lock);
	}
	rtnl_unlock();
}

static struct pernet_operations vtun_pernet_ops = {
	.pre_exit = vtun_netns_pre_exit,
};

int __init vtun_device_init(void)
{
	int ret;

	ret = register_pernet_device(&vtun_pernet_ops);
	if (ret)
		return ret;
	ret = rtnl_link_register(&vtun_link_ops);
	if (ret)
		unregister_pernet_device(&vtun_pernet_ops);
	return ret;
}

void vtun_device_uninit(void)
{
	rtnl_link_unregister(&vtun_link_ops);
	unregister_pernet_device(&vtun_pernet_ops);
}
