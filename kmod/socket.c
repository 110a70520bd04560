// SPDX-License-Identifier: GPL-2.0
/*
 * The device's UDP sockets and the outer half of transmit: route the ESP
 * packet to the peer's endpoint and hand it to the UDP tunnel layer.
 *
 * The sockets live in the namespace the device was created in, even after
 * the device moves: the underlay stays where the operator built it.
 */
#include <linux/net.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "datapath.h"
#include "device.h"
#include "peer.h"
#include "socket.h"

static void vtun_sock_release(struct sock *sk)
{
	if (sk)
		udp_tunnel_sock_release(sk->sk_socket);
}

static int vtun_sock_create(struct vtun_dev *vd, struct net *net, int family,
			    u16 port, struct socket **sockp)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= vd,
		.encap_type	= UDP_ENCAP_ESPINUDP,
		.encap_rcv	= vtun_udp_encap_rcv,
	};
	struct udp_port_cfg pcfg = {
		.family		= family,
		.local_udp_port	= htons(port),
		.bind_ifindex	= vd->bind_ifindex,
	};
	int ret;

	if (family == AF_INET) {
		pcfg.local_ip.s_addr = htonl(INADDR_ANY);
	} else {
		pcfg.local_ip6 = in6addr_any;
		pcfg.ipv6_v6only = 1;
		pcfg.use_udp6_tx_checksums = 1;
		pcfg.use_udp6_rx_checksums = 1;
	}

	ret = udp_sock_create(net, &pcfg, sockp);
	if (ret)
		return ret;
	/* Transmit runs in softirq context and must never block on memory. */
	(*sockp)->sk->sk_allocation = GFP_ATOMIC;
	/* ICMP errors update the path MTU of the route the mark selects. */
	(*sockp)->sk->sk_mark = vd->fwmark;
	(*sockp)->sk->sk_sndbuf = INT_MAX;
	setup_udp_tunnel_sock(net, *sockp, &tcfg);
	return 0;
}

static void vtun_socket_swap(struct vtun_dev *vd, struct sock *new4,
			     struct sock *new6)
{
	struct sock *old4, *old6;

	lockdep_assert_held(&vd->conf_lock);
	old4 = rcu_dereference_protected(vd->sock4,
					 lockdep_is_held(&vd->conf_lock));
	old6 = rcu_dereference_protected(vd->sock6,
					 lockdep_is_held(&vd->conf_lock));
	rcu_assign_pointer(vd->sock4, new4);
	rcu_assign_pointer(vd->sock6, new6);
	vd->bound_port = new4 ? ntohs(inet_sk(new4)->inet_sport) : 0;
	/* Receivers look the device up through the socket: let them finish. */
	synchronize_net();
	vtun_sock_release(old4);
	vtun_sock_release(old6);
}

/*
 * Open (or move to another port) the IPv4 and, where IPv6 is enabled, the
 * IPv6 socket. Either both new sockets replace the old ones or nothing
 * changes. Port 0 picks a free port that is free in both families.
 */
int vtun_socket_open(struct vtun_dev *vd, u16 port)
{
	struct socket *new4 = NULL, *new6 = NULL;
	int retries = 0;
	struct net *net;
	int ret;

	lockdep_assert_held(&vd->conf_lock);
	rcu_read_lock();
	net = rcu_dereference(vd->creating_net);
	net = net ? maybe_get_net(net) : NULL;
	rcu_read_unlock();
	if (!net)
		return -ENONET;

retry:
	ret = vtun_sock_create(vd, net, AF_INET, port, &new4);
	if (ret)
		goto out;

	if (IS_ENABLED(CONFIG_IPV6) && ipv6_mod_enabled()) {
		u16 port4 = ntohs(inet_sk(new4->sk)->inet_sport);

		ret = vtun_sock_create(vd, net, AF_INET6, port4, &new6);
		if (ret) {
			udp_tunnel_sock_release(new4);
			new4 = NULL;
			if (ret == -EADDRINUSE && !port && retries++ < 100)
				goto retry;
			goto out;
		}
	}

	vtun_socket_swap(vd, new4->sk, new6 ? new6->sk : NULL);
out:
	put_net(net);
	return ret;
}

void vtun_socket_close(struct vtun_dev *vd)
{
	vtun_socket_swap(vd, NULL, NULL);
}

/*
 * Outer packets carry the device's fwmark, and so must its sockets: the
 * kernel routes with the socket's mark when an ICMP error updates the
 * path MTU, and with fwmark policy routing (wg-quick's recipe) an
 * unmarked lookup finds the tunnel itself, not the underlay.
 */
void vtun_socket_set_mark(struct vtun_dev *vd, u32 fwmark)
{
	struct sock *sk;

	lockdep_assert_held(&vd->conf_lock);
	WRITE_ONCE(vd->fwmark, fwmark);
	sk = rcu_dereference_protected(vd->sock4, lockdep_is_held(&vd->conf_lock));
	if (sk)
		WRITE_ONCE(sk->sk_mark, fwmark);
	sk = rcu_dereference_protected(vd->sock6, lockdep_is_held(&vd->conf_lock));
	if (sk)
		WRITE_ONCE(sk->sk_mark, fwmark);
	vtun_peers_reset_outer_routes(vd);
}

/*
 * Move to another port or underlay device. If the device is up the new
 * sockets replace the old ones or, on failure, nothing changes.
 */
/* Does the underlay device exist where the sockets live? */
static int vtun_socket_check_bind(struct vtun_dev *vd, u32 ifindex)
{
	struct net_device *dev = NULL;
	struct net *net;

	if (!ifindex)
		return 0;
	rcu_read_lock();
	net = rcu_dereference(vd->creating_net);
	if (net)
		dev = dev_get_by_index_rcu(net, ifindex);
	rcu_read_unlock();
	return net ? (dev ? 0 : -ENODEV) : -ENONET;
}

int vtun_socket_rebind(struct vtun_dev *vd, u16 port, u32 bind_ifindex)
{
	u32 old_bind = vd->bind_ifindex;
	int ret;

	lockdep_assert_held(&vd->conf_lock);
	if (port == vd->listen_port && bind_ifindex == vd->bind_ifindex)
		return 0;
	ret = vtun_socket_check_bind(vd, bind_ifindex);
	if (ret)
		return ret;
	WRITE_ONCE(vd->bind_ifindex, bind_ifindex);
	if (netif_running(vd->dev)) {
		ret = vtun_socket_open(vd, port);
		/*
		 * Same port, other device: our own socket holds the port.
		 * Let it go first, and take it back if the new one fails.
		 */
		if (ret == -EADDRINUSE && port && port == vd->bound_port) {
			vtun_socket_close(vd);
			ret = vtun_socket_open(vd, port);
			if (ret) {
				WRITE_ONCE(vd->bind_ifindex, old_bind);
				vtun_socket_open(vd, port);
			}
		}
	}
	if (ret) {
		WRITE_ONCE(vd->bind_ifindex, old_bind);
		return ret;
	}
	vd->listen_port = port;
	vtun_peers_reset_outer_routes(vd);
	return 0;
}

static bool vtun_outer_dev_loops(struct vtun_dev *vd, struct dst_entry *dst)
{
	if (likely(dst->dev != vd->dev))
		return false;
	vtun_count(vd, VTUN_STAT_TX_LOOP);
	net_warn_ratelimited("%s: outer route to peer points into the tunnel itself, dropping\n",
			     vd->dev->name);
	return true;
}

static void vtun_note_outer_mtu(struct vtun_endpoint *ep, struct dst_entry *dst)
{
	unsigned int mtu = dst_mtu(dst);

	if (READ_ONCE(ep->outer_mtu) != mtu)
		WRITE_ONCE(ep->outer_mtu, mtu);
}

static int vtun_send4(struct vtun_dev *vd, struct sock *sk,
		      struct vtun_endpoint *ep, struct sk_buff *skb, u8 dsfield,
		      bool df)
{
	struct flowi4 fl = {
		.saddr		= ep->src4,
		.daddr		= ep->addr4.sin_addr.s_addr,
		.fl4_dport	= ep->addr4.sin_port,
		.fl4_sport	= inet_sk(sk)->inet_sport,
		.flowi4_mark	= READ_ONCE(vd->fwmark),
		.flowi4_oif	= READ_ONCE(vd->bind_ifindex),
		.flowi4_proto	= IPPROTO_UDP,
	};
	struct rtable *rt;

	rt = dst_cache_get_ip4(&ep->dst_cache, &fl.saddr);
	if (!rt) {
		rt = ip_route_output_flow(sock_net(sk), &fl, sk);
		/* The address we learnt to send from may have gone away. */
		if (IS_ERR(rt) && fl.saddr) {
			fl.saddr = 0;
			rt = ip_route_output_flow(sock_net(sk), &fl, sk);
		}
		if (IS_ERR(rt)) {
			vtun_count(vd, VTUN_STAT_TX_OUTER_ROUTE);
			return PTR_ERR(rt);
		}
		if (vtun_outer_dev_loops(vd, &rt->dst)) {
			ip_rt_put(rt);
			return -ELOOP;
		}
		dst_cache_set_ip4(&ep->dst_cache, &rt->dst, fl.saddr);
	}

	vtun_note_outer_mtu(ep, &rt->dst);
	/*
	 * skb_scrub_packet() in the tunnel layer undoes ignore_df, so a DF
	 * packet over the route's MTU would be dropped without a word to
	 * the inner sender. The check in vtun_xmit() used an older MTU:
	 * fragment this one; the next is refused with the MTU just noted.
	 */
	if (df && !skb_is_gso(skb) &&
	    skb->len + sizeof(struct iphdr) + sizeof(struct udphdr) >
	    dst_mtu(&rt->dst))
		df = false;
	/*
	 * RFC 3948 3.1.1: the UDP checksum of IPv4 ESP-in-UDP is zero, but
	 * UDP segmentation of a batch (txbatch.c) always fills it in.
	 */
	udp_tunnel_xmit_skb(rt, sk, skb, fl.saddr, fl.daddr, dsfield,
			    READ_ONCE(vd->outer_ttl) ?: ip4_dst_hoplimit(&rt->dst),
			    df ? htons(IP_DF) : 0, fl.fl4_sport, fl.fl4_dport,
			    false, !skb_is_gso(skb));
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static int vtun_send6(struct vtun_dev *vd, struct sock *sk,
		      struct vtun_endpoint *ep, struct sk_buff *skb, u8 dsfield)
{
	struct flowi6 fl = {
		.saddr		= ep->src6,
		.daddr		= ep->addr6.sin6_addr,
		.fl6_dport	= ep->addr6.sin6_port,
		.fl6_sport	= inet_sk(sk)->inet_sport,
		.flowi6_mark	= READ_ONCE(vd->fwmark),
		.flowi6_oif	= READ_ONCE(vd->bind_ifindex) ?:
				  ep->addr6.sin6_scope_id,
		.flowi6_proto	= IPPROTO_UDP,
	};
	struct dst_entry *dst;

	dst = dst_cache_get_ip6(&ep->dst_cache, &fl.saddr);
	if (!dst) {
		if (!ipv6_addr_any(&fl.saddr) &&
		    !ipv6_chk_addr(sock_net(sk), &fl.saddr, NULL, 0))
			fl.saddr = in6addr_any;
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl,
						      NULL);
		if (IS_ERR(dst)) {
			vtun_count(vd, VTUN_STAT_TX_OUTER_ROUTE);
			return PTR_ERR(dst);
		}
		if (vtun_outer_dev_loops(vd, dst)) {
			dst_release(dst);
			return -ELOOP;
		}
		dst_cache_set_ip6(&ep->dst_cache, dst, &fl.saddr);
	}

	vtun_note_outer_mtu(ep, dst);
	udp_tunnel6_xmit_skb(dst, sk, skb, vd->dev, &fl.saddr, &fl.daddr,
			     dsfield, READ_ONCE(vd->outer_ttl) ?: ip6_dst_hoplimit(dst), 0,
			     fl.fl6_sport, fl.fl6_dport, false);
	return 0;
}
#endif

/*
 * The UDP tunnel layer returns nothing, but counts each packet the IP
 * layer took in this CPU's device tx counters, and a drop in tx_dropped
 * or tx_errors. With BH off nothing else transmits on this CPU meanwhile.
 */
static u64 vtun_tunnel_tx_packets(struct net_device *dev)
{
	return u64_stats_read(&this_cpu_ptr(dev->tstats)->tx_packets);
}

/*
 * Send one finished ESP packet, or a UDP GSO batch of them, to the peer.
 * Consumes the skb whatever happens. Returns 0 only if the IP layer took
 * it; failures here are counted here, those further down by the tunnel
 * layer, and successes by the caller.
 */
int vtun_socket_send(struct vtun_peer *peer, struct sk_buff *skb, u8 dsfield,
		     bool df)
{
	struct vtun_dev *vd = peer->vd;
	struct vtun_endpoint *ep;
	struct sock *sk = NULL;
	int ret = -EAFNOSUPPORT;
	u64 sent;

	skb_mark_not_on_list(skb);
	skb->dev = vd->dev;
	skb->mark = READ_ONCE(vd->fwmark);
	/*
	 * What does not fit the route is fragmented here, not refused: the
	 * transmit path already sent ICMP errors for what must not be.
	 */
	skb->ignore_df = 1;

	rcu_read_lock_bh();
	ep = rcu_dereference_bh(peer->endpoint);
	if (unlikely(!ep)) {
		vtun_count(vd, VTUN_STAT_TX_NO_ENDPOINT);
		ret = -EDESTADDRREQ;
		goto drop;
	}
	if (ep->addr.sa_family == AF_INET)
		sk = rcu_dereference_bh(vd->sock4);
	else if (ep->addr.sa_family == AF_INET6)
		sk = rcu_dereference_bh(vd->sock6);
	if (unlikely(!sk)) {
		vtun_count(vd, VTUN_STAT_TX_ERRORS);
		ret = -ENETDOWN;
		goto drop;
	}

	sent = vtun_tunnel_tx_packets(vd->dev);
	if (ep->addr.sa_family == AF_INET)
		ret = vtun_send4(vd, sk, ep, skb, dsfield, df);
#if IS_ENABLED(CONFIG_IPV6)
	else
		ret = vtun_send6(vd, sk, ep, skb, dsfield);
#endif
	if (unlikely(ret))
		goto drop;
	/* Dropped further down (netfilter, qdisc, no neighbour): counted there. */
	if (unlikely(vtun_tunnel_tx_packets(vd->dev) == sent))
		ret = -ENOBUFS;
	rcu_read_unlock_bh();
	return ret;

drop:
	rcu_read_unlock_bh();
	DEV_STATS_INC(vd->dev, tx_errors);
	kfree_skb(skb);
	return ret;
}
