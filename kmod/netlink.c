// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "vtun": the configuration API.
 *
 * Each request is validated whole by policy and by the checks here before
 * anything changes, so a failed request leaves no partial configuration.
 * Every operation needs CAP_NET_ADMIN in the namespace of the device
 * (which is the namespace of the requesting socket). Keys are write-only.
 */
#include <crypto/sha2.h>
#include <linux/crypto.h>
#include <linux/jiffies.h>
#include <linux/rtnetlink.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "config.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "replay.h"
#include "routes.h"
#include "sa.h"
#include "socket.h"

static struct genl_family vtun_genl_family;

static const struct nla_policy vtun_peer_policy[VTUN_PEER_A_MAX + 1] = {
	[VTUN_PEER_A_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[VTUN_PEER_A_ENDPOINT_ADDR4]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VTUN_PEER_A_ENDPOINT_ADDR6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VTUN_PEER_A_ENDPOINT_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[VTUN_PEER_A_KEEPALIVE]		= { .type = NLA_U16 },
	[VTUN_PEER_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, VTUN_PEER_F_PIN_ENDPOINT),
	[VTUN_PEER_A_LAST_RX_MSECS]	= { .type = NLA_REJECT },
	[VTUN_PEER_A_STATS]		= { .type = NLA_REJECT },
};

static const struct nla_policy vtun_route_policy[VTUN_ROUTE_A_MAX + 1] = {
	[VTUN_ROUTE_A_PEER_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[VTUN_ROUTE_A_FAMILY]		= { .type = NLA_U16 },
	[VTUN_ROUTE_A_ADDR]		= { .type = NLA_BINARY,
					    .len = sizeof(struct in6_addr) },
	[VTUN_ROUTE_A_PREFIXLEN]	= NLA_POLICY_MAX(NLA_U8, VTUN_PLEN6_MAX),
};

static const struct nla_policy vtun_lifetime_policy[VTUN_LIFETIME_A_MAX + 1] = {
	[VTUN_LIFETIME_A_SOFT_BYTES]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_HARD_BYTES]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_SOFT_PACKETS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_HARD_PACKETS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_SOFT_ADD_SECS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_HARD_ADD_SECS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_SOFT_USE_SECS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_HARD_USE_SECS]	= { .type = NLA_U64 },
};

static const struct nla_policy vtun_sa_policy[VTUN_SA_A_MAX + 1] = {
	[VTUN_SA_A_PEER_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[VTUN_SA_A_DIR]			= NLA_POLICY_RANGE(NLA_U8, VTUN_DIR_IN, VTUN_DIR_OUT),
	/* SPIs 1-255 are reserved by IANA, 0 is never sent (RFC 4303 2.1). */
	[VTUN_SA_A_SPI]			= NLA_POLICY_MIN(NLA_U32, 256),
	[VTUN_SA_A_ALG]			= { .type = NLA_NUL_STRING,
					    .len = CRYPTO_MAX_ALG_NAME - 1 },
	[VTUN_SA_A_KEY]			= { .type = NLA_BINARY, .len = 64 },
	[VTUN_SA_A_ICV_BITS]		= { .type = NLA_U16 },
	[VTUN_SA_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, VTUN_SA_F_ESN),
	[VTUN_SA_A_REPLAY_WINDOW]	= NLA_POLICY_MAX(NLA_U32, VTUN_REPLAY_WINDOW_MAX),
	[VTUN_SA_A_SEQ]			= { .type = NLA_U64 },
	[VTUN_SA_A_KEY_BITS]		= { .type = NLA_REJECT },
	[VTUN_SA_A_STATS]		= { .type = NLA_REJECT },
	[VTUN_SA_A_ACTIVE]		= { .type = NLA_REJECT },
	[VTUN_SA_A_LIFETIME]		= NLA_POLICY_NESTED(vtun_lifetime_policy),
	[VTUN_SA_A_ADD_SECS]		= { .type = NLA_REJECT },
	[VTUN_SA_A_USE_SECS]		= { .type = NLA_REJECT },
	[VTUN_SA_A_EXPIRE]		= { .type = NLA_REJECT },
	[VTUN_SA_A_EXPIRE_REASON]	= { .type = NLA_REJECT },
	[VTUN_SA_A_KEY_REF]		= { .type = NLA_NUL_STRING, .len = 255 },
};

static const struct nla_policy vtun_policy[VTUN_A_MAX + 1] = {
	[VTUN_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[VTUN_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[VTUN_A_LISTEN_PORT]	= { .type = NLA_U16 },
	[VTUN_A_FWMARK]		= { .type = NLA_U32 },
	[VTUN_A_N_PEERS]	= { .type = NLA_REJECT },
	[VTUN_A_N_SAS]		= { .type = NLA_REJECT },
	[VTUN_A_STATS]		= { .type = NLA_REJECT },
	[VTUN_A_PEER]		= NLA_POLICY_NESTED(vtun_peer_policy),
	[VTUN_A_ROUTE]		= NLA_POLICY_NESTED(vtun_route_policy),
	[VTUN_A_SA]		= NLA_POLICY_NESTED(vtun_sa_policy),
	[VTUN_A_BIND_IFINDEX]	= { .type = NLA_U32 },
	[VTUN_A_OUTER_TTL]	= { .type = NLA_U8 },
	[VTUN_A_OUTER_DSCP]	= { .type = NLA_U8 },
};

/*
 * The device a request names, held (dev_put() it), looked up in the
 * requester's namespace: the permission check was made for that one.
 */
static struct vtun_dev *vtun_nl_dev(struct net *net, struct nlattr **attrs,
				    struct netlink_ext_ack *extack)
{
	struct vtun_dev *vd;

	if (attrs[VTUN_A_IFINDEX]) {
		vd = vtun_dev_get_by_index(net, nla_get_u32(attrs[VTUN_A_IFINDEX]));
		if (vd && attrs[VTUN_A_IFNAME] &&
		    nla_strcmp(attrs[VTUN_A_IFNAME], vd->dev->name)) {
			dev_put(vd->dev);
			NL_SET_ERR_MSG_ATTR(extack, attrs[VTUN_A_IFNAME],
					    "Interface name and index name different devices");
			return ERR_PTR(-EINVAL);
		}
	} else if (attrs[VTUN_A_IFNAME]) {
		vd = vtun_dev_get_by_name(net, nla_data(attrs[VTUN_A_IFNAME]));
	} else {
		NL_SET_ERR_MSG(extack, "Request names no device (VTUN_A_IFNAME or VTUN_A_IFINDEX)");
		return ERR_PTR(-EINVAL);
	}
	if (!vd) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[VTUN_A_IFINDEX] ?: attrs[VTUN_A_IFNAME],
				    "No vtun device with this name or index");
		return ERR_PTR(-ENODEV);
	}
	return vd;
}

static void vtun_nl_dev_put(struct vtun_dev *vd)
{
	dev_put(vd->dev);
}

/*
 * Take the device's configuration lock for a change. Requests that run
 * without RTNL may have found the device just before it unregistered:
 * once vtun_dev_uninit() has emptied it, nothing may be added again.
 */
static int vtun_nl_lock_dev(struct vtun_dev *vd, struct netlink_ext_ack *extack)
{
	mutex_lock(&vd->conf_lock);
	if (likely(!vd->dead))
		return 0;
	mutex_unlock(&vd->conf_lock);
	NL_SET_ERR_MSG(extack, "The device is being deleted");
	return -ENODEV;
}

static int vtun_nl_put_stat(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_u64_64bit(skb, type, value, VTUN_STAT_PAD);
}

/* ---- events ---- */

/*
 * Start an event for the device's namespace, or return NULL when nobody
 * listens (or memory is short: events are best effort, like rtnetlink's).
 */
static struct sk_buff *vtun_nl_event_new(struct vtun_dev *vd, u8 cmd,
					 void **hdr, gfp_t gfp)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&vtun_genl_family, dev_net(vd->dev), 0))
		return NULL;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &vtun_genl_family, 0, cmd);
	if (!*hdr || nla_put_u32(skb, VTUN_A_IFINDEX, vd->dev->ifindex) ||
	    nla_put_string(skb, VTUN_A_IFNAME, vd->dev->name)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void vtun_nl_event_send(struct vtun_dev *vd, struct sk_buff *skb,
			       void *hdr, gfp_t gfp)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&vtun_genl_family, dev_net(vd->dev), skb, 0, 0,
				gfp);
}

/* ---- device ---- */

static int vtun_nl_put_dev_stats(struct sk_buff *skb, struct vtun_dev *vd)
{
	u64 counters[__VTUN_STAT_MAX];
	struct rtnl_link_stats64 st;
	struct nlattr *nest;
	int i;

	vtun_dev_read_counters(vd, counters);
	dev_get_tstats64(vd->dev, &st);
	counters[VTUN_STAT_RX_PACKETS] = st.rx_packets;
	counters[VTUN_STAT_RX_BYTES] = st.rx_bytes;
	counters[VTUN_STAT_TX_PACKETS] = st.tx_packets;
	counters[VTUN_STAT_TX_BYTES] = st.tx_bytes;

	nest = nla_nest_start(skb, VTUN_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = VTUN_STAT_RX_PACKETS; i < __VTUN_STAT_MAX; i++)
		if (vtun_nl_put_stat(skb, i, counters[i]))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int vtun_nl_fill_dev(struct sk_buff *skb, struct vtun_dev *vd)
{
	u16 port;
	int ret;

	mutex_lock(&vd->conf_lock);
	port = vd->bound_port ?: vd->listen_port;
	ret = -EMSGSIZE;
	if (nla_put_u32(skb, VTUN_A_IFINDEX, vd->dev->ifindex) ||
	    nla_put_string(skb, VTUN_A_IFNAME, vd->dev->name) ||
	    nla_put_u16(skb, VTUN_A_LISTEN_PORT, port) ||
	    nla_put_u32(skb, VTUN_A_FWMARK, vd->fwmark) ||
	    nla_put_u32(skb, VTUN_A_BIND_IFINDEX, vd->bind_ifindex) ||
	    nla_put_u8(skb, VTUN_A_OUTER_TTL, vd->outer_ttl) ||
	    nla_put_u8(skb, VTUN_A_OUTER_DSCP, vd->outer_dscp) ||
	    nla_put_u32(skb, VTUN_A_N_PEERS, vd->n_peers) ||
	    nla_put_u32(skb, VTUN_A_N_SAS, vd->n_sas))
		goto out;
	ret = vtun_nl_put_dev_stats(skb, vd);
out:
	mutex_unlock(&vd->conf_lock);
	return ret;
}

static int vtun_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vtun_dev *vd;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	vd = vtun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(vd))
		return PTR_ERR(vd);

	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &vtun_genl_family, 0, VTUN_CMD_DEV_GET);
	if (!hdr)
		goto err_free;
	ret = vtun_nl_fill_dev(msg, vd);
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	goto out;

err_free:
	nlmsg_free(msg);
out:
	vtun_nl_dev_put(vd);
	return ret;
}

static void *vtun_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			      u8 cmd)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &vtun_genl_family,
				NLM_F_MULTI, cmd);

	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

/* Every vtun device of the namespace; cb->args[0] counts those sent. */
static int vtun_nl_dev_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	long idx = 0, start = cb->args[0];
	struct net_device *dev;
	void *hdr;

	rtnl_lock();
	cb->seq = net->dev_base_seq;
	for_each_netdev(net, dev) {
		if (!vtun_is_vtun_dev(dev) || idx++ < start)
			continue;
		hdr = vtun_nl_dump_hdr(skb, cb, VTUN_CMD_DEV_GET);
		if (!hdr || vtun_nl_fill_dev(skb, netdev_priv(dev))) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			idx--;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rtnl_unlock();
	cb->args[0] = idx;
	return skb->len;
}

static int vtun_nl_outer_dscp(struct nlattr *attr, u8 *dscp,
			      struct netlink_ext_ack *extack)
{
	*dscp = attr ? nla_get_u8(attr) : VTUN_DSCP_INHERIT;
	if (*dscp > 63 && *dscp != VTUN_DSCP_INHERIT) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "DSCP must be 0..63, or 255 to copy the inner one");
		return -EINVAL;
	}
	return 0;
}

/*
 * May the requester change what acts on the sockets in the namespace the
 * device was created in? Its UDP port, fwmark and underlay device stay
 * there even after the device moves into a container, so CAP_NET_ADMIN
 * where the request comes from is not enough: a container's root could
 * mark host packets past the host's policy routing and firewall.
 */
static bool vtun_nl_birth_ns_capable(const struct sk_buff *skb, struct vtun_dev *vd)
{
	struct net *net;
	bool ok;

	rcu_read_lock();
	net = rcu_dereference(vd->creating_net);
	ok = net && netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN);
	rcu_read_unlock();
	return ok;
}

/* Refuse a change of listen port, fwmark or underlay device unless allowed. */
static int vtun_nl_check_birth_settings(const struct sk_buff *skb,
					struct vtun_dev *vd, u16 port,
					u32 fwmark, u32 bind_ifindex,
					struct netlink_ext_ack *extack)
{
	if (port == vd->listen_port && fwmark == vd->fwmark &&
	    bind_ifindex == vd->bind_ifindex)
		return 0;
	if (vtun_nl_birth_ns_capable(skb, vd))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "Changing listen-port, fwmark or bind-dev needs CAP_NET_ADMIN in the namespace the device was created in");
	return -EPERM;
}

/* Move the sockets to another port or underlay device, or nothing. */
static int vtun_nl_rebind(struct vtun_dev *vd, u16 port, u32 bind,
			  struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	int ret = vtun_socket_rebind(vd, port, bind);

	if (ret == -ENONET)
		NL_SET_ERR_MSG(extack,
			       "The namespace the device was created in is gone: it has no underlay");
	else if (ret == -ENODEV)
		NL_SET_ERR_MSG_ATTR(extack, attrs[VTUN_A_BIND_IFINDEX],
				    "No such underlay device in the namespace the tunnel was created in");
	else if (ret)
		NL_SET_ERR_MSG_ATTR(extack, attrs[VTUN_A_LISTEN_PORT],
				    "Cannot bind the UDP port (in use?)");
	return ret;
}

static int vtun_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct vtun_dev *vd;
	u8 dscp = 0;
	int ret = 0;

	rtnl_lock();
	vd = vtun_nl_dev(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(vd)) {
		rtnl_unlock();
		return PTR_ERR(vd);
	}
	mutex_lock(&vd->conf_lock);

	ret = vtun_nl_check_birth_settings(skb, vd,
					   attrs[VTUN_A_LISTEN_PORT] ?
					   nla_get_u16(attrs[VTUN_A_LISTEN_PORT]) :
					   vd->listen_port,
					   attrs[VTUN_A_FWMARK] ?
					   nla_get_u32(attrs[VTUN_A_FWMARK]) :
					   vd->fwmark,
					   attrs[VTUN_A_BIND_IFINDEX] ?
					   nla_get_u32(attrs[VTUN_A_BIND_IFINDEX]) :
					   vd->bind_ifindex, info->extack);
	if (ret)
		goto out;
	if (attrs[VTUN_A_OUTER_DSCP]) {
		ret = vtun_nl_outer_dscp(attrs[VTUN_A_OUTER_DSCP], &dscp,
					 info->extack);
		if (ret)
			goto out;
	}
	/* The one step that can fail goes first. */
	if (attrs[VTUN_A_LISTEN_PORT] || attrs[VTUN_A_BIND_IFINDEX]) {
		u16 port = attrs[VTUN_A_LISTEN_PORT] ?
			nla_get_u16(attrs[VTUN_A_LISTEN_PORT]) : vd->listen_port;
		u32 bind = attrs[VTUN_A_BIND_IFINDEX] ?
			nla_get_u32(attrs[VTUN_A_BIND_IFINDEX]) : vd->bind_ifindex;

		ret = vtun_nl_rebind(vd, port, bind, attrs, info->extack);
		if (ret)
			goto out;
	}
	if (attrs[VTUN_A_OUTER_TTL])
		WRITE_ONCE(vd->outer_ttl, nla_get_u8(attrs[VTUN_A_OUTER_TTL]));
	if (attrs[VTUN_A_OUTER_DSCP])
		WRITE_ONCE(vd->outer_dscp, dscp);
	if (attrs[VTUN_A_FWMARK])
		vtun_socket_set_mark(vd, nla_get_u32(attrs[VTUN_A_FWMARK]));
	vtun_dev_config_changed(vd);
out:
	mutex_unlock(&vd->conf_lock);
	rtnl_unlock();
	vtun_nl_dev_put(vd);
	return ret;
}

/* ---- peers ---- */

static int vtun_nl_parse_nest(struct nlattr **tb, int maxtype,
			      struct nlattr *nest,
			      const struct nla_policy *policy,
			      struct netlink_ext_ack *extack)
{
	return nla_parse_nested(tb, maxtype, nest, policy, extack);
}

static int vtun_nl_peer_config(struct nlattr **tb, struct vtun_peer_config *cfg,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *a4 = tb[VTUN_PEER_A_ENDPOINT_ADDR4];
	struct nlattr *a6 = tb[VTUN_PEER_A_ENDPOINT_ADDR6];
	struct nlattr *port = tb[VTUN_PEER_A_ENDPOINT_PORT];

	memset(cfg, 0, sizeof(*cfg));
	if (a4 && a6) {
		NL_SET_ERR_MSG_ATTR(extack, a6, "Endpoint is either IPv4 or IPv6, not both");
		return -EINVAL;
	}
	if ((a4 || a6) != !!port) {
		NL_SET_ERR_MSG_ATTR(extack, port ?: a4 ?: a6,
				    "Endpoint needs both an address and a port");
		return -EINVAL;
	}
	if (a4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&cfg->endpoint;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(nla_get_u16(port));
		sin->sin_addr.s_addr = nla_get_in_addr(a4);
		cfg->set_endpoint = true;
	} else if (a6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&cfg->endpoint;

		if (!IS_ENABLED(CONFIG_IPV6)) {
			NL_SET_ERR_MSG_ATTR(extack, a6, "IPv6 is not available");
			return -EAFNOSUPPORT;
		}
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(nla_get_u16(port));
		sin6->sin6_addr = nla_get_in6_addr(a6);
		cfg->set_endpoint = true;
	}
	if (tb[VTUN_PEER_A_KEEPALIVE]) {
		cfg->set_keepalive = true;
		cfg->keepalive_secs = nla_get_u16(tb[VTUN_PEER_A_KEEPALIVE]);
	}
	if (tb[VTUN_PEER_A_FLAGS]) {
		cfg->set_flags = true;
		cfg->flags = nla_get_u32(tb[VTUN_PEER_A_FLAGS]);
	}
	return 0;
}

static int vtun_nl_put_endpoint(struct sk_buff *skb, struct vtun_peer *peer)
{
	struct vtun_endpoint *ep;
	int ret = 0;

	rcu_read_lock();
	ep = rcu_dereference(peer->endpoint);
	if (!ep)
		goto out;
	if (ep->addr.sa_family == AF_INET)
		ret = nla_put_in_addr(skb, VTUN_PEER_A_ENDPOINT_ADDR4,
				      ep->addr4.sin_addr.s_addr) ||
		      nla_put_u16(skb, VTUN_PEER_A_ENDPOINT_PORT,
				  ntohs(ep->addr4.sin_port));
	else
		ret = nla_put_in6_addr(skb, VTUN_PEER_A_ENDPOINT_ADDR6,
				       &ep->addr6.sin6_addr) ||
		      nla_put_u16(skb, VTUN_PEER_A_ENDPOINT_PORT,
				  ntohs(ep->addr6.sin6_port));
out:
	rcu_read_unlock();
	return ret ? -EMSGSIZE : 0;
}

static int vtun_nl_put_peer(struct sk_buff *skb, struct vtun_peer *peer)
{
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
	unsigned long last_rx = READ_ONCE(peer->last_rx);
	struct nlattr *nest, *stats;

	nest = nla_nest_start(skb, VTUN_A_PEER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VTUN_PEER_A_ID, peer->id) ||
	    vtun_nl_put_endpoint(skb, peer) ||
	    nla_put_u16(skb, VTUN_PEER_A_KEEPALIVE, READ_ONCE(peer->keepalive_secs)) ||
	    nla_put_u32(skb, VTUN_PEER_A_FLAGS, READ_ONCE(peer->flags)))
		goto cancel;
	if (last_rx &&
	    nla_put_u64_64bit(skb, VTUN_PEER_A_LAST_RX_MSECS,
			      jiffies_to_msecs(jiffies - last_rx), VTUN_PEER_A_PAD))
		goto cancel;

	vtun_peer_read_counters(peer, &rx_packets, &rx_bytes, &tx_packets,
				&tx_bytes);
	stats = nla_nest_start(skb, VTUN_PEER_A_STATS);
	if (!stats ||
	    vtun_nl_put_stat(skb, VTUN_STAT_RX_PACKETS, rx_packets) ||
	    vtun_nl_put_stat(skb, VTUN_STAT_RX_BYTES, rx_bytes) ||
	    vtun_nl_put_stat(skb, VTUN_STAT_TX_PACKETS, tx_packets) ||
	    vtun_nl_put_stat(skb, VTUN_STAT_TX_BYTES, tx_bytes))
		goto cancel;
	nla_nest_end(skb, stats);
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int vtun_nl_peer_parse(struct nlattr *nest, struct nlattr **tb,
			      struct netlink_ext_ack *extack)
{
	int ret;

	ret = vtun_nl_parse_nest(tb, VTUN_PEER_A_MAX, nest, vtun_peer_policy,
				 extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_PEER_A_ID))
		return -EINVAL;
	return 0;
}

/* Parse the VTUN_A_PEER nest that a peer request must carry. */
static int vtun_nl_peer_attrs(struct genl_info *info, struct nlattr **tb)
{
	if (GENL_REQ_ATTR_CHECK(info, VTUN_A_PEER))
		return -EINVAL;
	return vtun_nl_peer_parse(info->attrs[VTUN_A_PEER], tb, info->extack);
}

static struct vtun_peer *vtun_nl_find_peer(struct vtun_dev *vd, u32 id,
					   struct nlattr *attr,
					   struct netlink_ext_ack *extack)
{
	struct vtun_peer *peer = vtun_peer_find(vd, id);

	if (!peer)
		NL_SET_ERR_MSG_ATTR(extack, attr, "No peer with this id on the device");
	return peer;
}

enum vtun_nl_peer_op { VTUN_PEER_OP_NEW, VTUN_PEER_OP_SET, VTUN_PEER_OP_DEL };

static int vtun_nl_peer_change(struct genl_info *info, enum vtun_nl_peer_op op)
{
	struct nlattr *tb[VTUN_PEER_A_MAX + 1];
	struct vtun_peer_config cfg;
	struct sk_buff *event = NULL;
	struct vtun_peer *peer;
	struct vtun_dev *vd;
	void *hdr;
	u32 id;
	int ret;

	ret = vtun_nl_peer_attrs(info, tb);
	if (ret)
		return ret;
	ret = vtun_nl_peer_config(tb, &cfg, info->extack);
	if (ret)
		return ret;
	id = nla_get_u32(tb[VTUN_PEER_A_ID]);

	vd = vtun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(vd))
		return PTR_ERR(vd);
	ret = vtun_nl_lock_dev(vd, info->extack);
	if (ret)
		goto out_put;
	if (op == VTUN_PEER_OP_NEW) {
		peer = vtun_peer_create(vd, id, &cfg, info->extack);
		ret = PTR_ERR_OR_ZERO(peer);
	} else {
		peer = vtun_nl_find_peer(vd, id, tb[VTUN_PEER_A_ID], info->extack);
		ret = peer ? 0 : -ENOENT;
		if (peer && op == VTUN_PEER_OP_SET)
			ret = vtun_peer_update(peer, &cfg, info->extack);
	}
	if (!ret) {
		/* A deleted peer is announced as it was. */
		event = vtun_nl_event_new(vd, info->genlhdr->cmd, &hdr, GFP_KERNEL);
		if (event && vtun_nl_put_peer(event, peer)) {
			nlmsg_free(event);
			event = NULL;
		}
		if (op == VTUN_PEER_OP_DEL)
			vtun_peer_remove(peer);
	}
	mutex_unlock(&vd->conf_lock);
	if (event)
		vtun_nl_event_send(vd, event, hdr, GFP_KERNEL);
out_put:
	vtun_nl_dev_put(vd);
	return ret;
}

static int vtun_nl_peer_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return vtun_nl_peer_change(info, VTUN_PEER_OP_NEW);
}

static int vtun_nl_peer_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return vtun_nl_peer_change(info, VTUN_PEER_OP_SET);
}

static int vtun_nl_peer_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return vtun_nl_peer_change(info, VTUN_PEER_OP_DEL);
}

/*
 * Per-device dumps walk the peers in id order and, for routes and SAs,
 * each peer's list: cb->args[0] is the next peer id, cb->args[1] the
 * index within that peer's list. A concurrent change makes the dump end
 * with NLM_F_DUMP_INTR rather than silently skip or repeat objects.
 */
struct vtun_nl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct vtun_dev *vd;
	u8 cmd;
};

/* Begin one message of a per-device dump: header plus the device index. */
static void *vtun_nl_dump_begin(struct vtun_nl_dump *d)
{
	void *hdr = vtun_nl_dump_hdr(d->skb, d->cb, d->cmd);

	if (hdr && nla_put_u32(d->skb, VTUN_A_IFINDEX, d->vd->dev->ifindex)) {
		genlmsg_cancel(d->skb, hdr);
		return NULL;
	}
	return hdr;
}

/* Puts the messages for one peer; -EMSGSIZE once the skb is full. */
typedef int (*vtun_nl_dump_peer_t)(struct vtun_nl_dump *d,
				   struct vtun_peer *peer);

static int vtun_nl_dump_peers(struct sk_buff *skb, struct netlink_callback *cb,
			      u8 cmd, vtun_nl_dump_peer_t dump_peer)
{
	struct vtun_nl_dump d = { .skb = skb, .cb = cb, .cmd = cmd };
	struct vtun_peer *peer;
	unsigned long id;
	int ret = 0;

	d.vd = vtun_nl_dev(sock_net(skb->sk), vtun_genl_dumpit_attrs(cb),
			   cb->extack);
	if (IS_ERR(d.vd))
		return PTR_ERR(d.vd);

	mutex_lock(&d.vd->conf_lock);
	cb->seq = d.vd->generation;
	xa_for_each_start(&d.vd->peers, id, peer, cb->args[0]) {
		ret = dump_peer(&d, peer);
		if (ret)
			break;
		cb->args[0] = id + 1;
		cb->args[1] = 0;
	}
	mutex_unlock(&d.vd->conf_lock);
	vtun_nl_dev_put(d.vd);
	/* A full skb ends this part of the dump; the rest follows. */
	if (ret && ret != -EMSGSIZE)
		return ret;
	return skb->len;
}

static int vtun_nl_dump_one_peer(struct vtun_nl_dump *d, struct vtun_peer *peer)
{
	void *hdr = vtun_nl_dump_begin(d);

	if (!hdr)
		return -EMSGSIZE;
	if (vtun_nl_put_peer(d->skb, peer)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int vtun_nl_peer_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	return vtun_nl_dump_peers(skb, cb, VTUN_CMD_PEER_GET,
				  vtun_nl_dump_one_peer);
}

/* ---- routes ---- */

static int vtun_nl_route_parse(struct nlattr *nest, struct nlattr **tb,
			       struct vtun_route_key *key,
			       struct netlink_ext_ack *extack)
{
	unsigned int alen;
	u16 family;
	int ret;

	ret = vtun_nl_parse_nest(tb, VTUN_ROUTE_A_MAX, nest, vtun_route_policy,
				 extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_ROUTE_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_ROUTE_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_ROUTE_A_PREFIXLEN))
		return -EINVAL;

	/* All 16 bits: vtun_route_key_init() takes the family as a u8. */
	family = nla_get_u16(tb[VTUN_ROUTE_A_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_ROUTE_A_FAMILY],
				    "Route family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	alen = family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
	if (nla_len(tb[VTUN_ROUTE_A_ADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_ROUTE_A_ADDR],
				    "Address length does not match the family");
		return -EINVAL;
	}
	return vtun_route_key_init(key, family, nla_data(tb[VTUN_ROUTE_A_ADDR]),
				   nla_get_u8(tb[VTUN_ROUTE_A_PREFIXLEN]),
				   extack);
}

static int vtun_nl_route_attrs(struct genl_info *info, struct nlattr **tb,
			       struct vtun_route_key *key)
{
	if (GENL_REQ_ATTR_CHECK(info, VTUN_A_ROUTE))
		return -EINVAL;
	return vtun_nl_route_parse(info->attrs[VTUN_A_ROUTE], tb, key,
				   info->extack);
}

static int vtun_nl_put_route_key(struct sk_buff *skb,
				 const struct vtun_route_key *key, u32 peer_id)
{
	unsigned int alen = key->family == AF_INET ? sizeof(struct in_addr) :
						     sizeof(struct in6_addr);
	struct nlattr *nest = nla_nest_start(skb, VTUN_A_ROUTE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VTUN_ROUTE_A_PEER_ID, peer_id) ||
	    nla_put_u16(skb, VTUN_ROUTE_A_FAMILY, key->family) ||
	    nla_put(skb, VTUN_ROUTE_A_ADDR, alen, &key->addr) ||
	    nla_put_u8(skb, VTUN_ROUTE_A_PREFIXLEN, key->plen)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static void vtun_nl_notify_route(struct vtun_dev *vd, u8 cmd,
				 const struct vtun_route_key *key, u32 peer_id)
{
	struct sk_buff *event;
	void *hdr;

	event = vtun_nl_event_new(vd, cmd, &hdr, GFP_KERNEL);
	if (!event)
		return;
	if (vtun_nl_put_route_key(event, key, peer_id)) {
		nlmsg_free(event);
		return;
	}
	vtun_nl_event_send(vd, event, hdr, GFP_KERNEL);
}

static int vtun_nl_route_change(struct genl_info *info, bool add)
{
	struct nlattr *tb[VTUN_ROUTE_A_MAX + 1];
	struct vtun_peer *peer = NULL;
	struct vtun_route_key key;
	struct vtun_dev *vd;
	u32 peer_id = 0;
	int ret;

	ret = vtun_nl_route_attrs(info, tb, &key);
	if (ret)
		return ret;
	if (add && NL_REQ_ATTR_CHECK(info->extack, info->attrs[VTUN_A_ROUTE],
				     tb, VTUN_ROUTE_A_PEER_ID))
		return -EINVAL;

	vd = vtun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(vd))
		return PTR_ERR(vd);
	ret = vtun_nl_lock_dev(vd, info->extack);
	if (ret)
		goto out_put;
	if (tb[VTUN_ROUTE_A_PEER_ID]) {
		peer = vtun_nl_find_peer(vd, nla_get_u32(tb[VTUN_ROUTE_A_PEER_ID]),
					 tb[VTUN_ROUTE_A_PEER_ID], info->extack);
		if (!peer) {
			ret = -ENOENT;
			goto out;
		}
	}
	if (add)
		ret = vtun_route_add(&vd->routes, peer, &key, info->extack);
	else
		ret = vtun_route_del(&vd->routes, &key, peer, &peer_id,
				     info->extack);
	if (!ret) {
		vtun_dev_config_changed(vd);
		if (add)
			peer_id = peer->id;
	}
out:
	mutex_unlock(&vd->conf_lock);
	if (!ret)
		vtun_nl_notify_route(vd, info->genlhdr->cmd, &key, peer_id);
out_put:
	vtun_nl_dev_put(vd);
	return ret;
}

static int vtun_nl_route_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return vtun_nl_route_change(info, true);
}

static int vtun_nl_route_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return vtun_nl_route_change(info, false);
}

static int vtun_nl_put_route(struct sk_buff *skb, const struct vtun_route *r)
{
	return vtun_nl_put_route_key(skb, &r->key, r->peer->id);
}

static int vtun_nl_dump_peer_routes(struct vtun_nl_dump *d,
				    struct vtun_peer *peer)
{
	long idx = 0, start = d->cb->args[1];
	struct vtun_route *r;
	void *hdr;

	list_for_each_entry(r, &peer->routes, peer_node) {
		if (idx++ < start)
			continue;
		hdr = vtun_nl_dump_begin(d);
		if (!hdr)
			return -EMSGSIZE;
		if (vtun_nl_put_route(d->skb, r)) {
			genlmsg_cancel(d->skb, hdr);
			return -EMSGSIZE;
		}
		genlmsg_end(d->skb, hdr);
		d->cb->args[1] = idx;
	}
	return 0;
}

static int vtun_nl_route_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	return vtun_nl_dump_peers(skb, cb, VTUN_CMD_ROUTE_GET,
				  vtun_nl_dump_peer_routes);
}

/* ---- security associations ---- */

static int vtun_nl_sa_key(struct nlattr **tb, struct vtun_sa_key *key)
{
	key->spi = htonl(nla_get_u32(tb[VTUN_SA_A_SPI]));
	key->dir = nla_get_u8(tb[VTUN_SA_A_DIR]);
	return 0;
}

static int vtun_nl_sa_parse(struct nlattr *nest, struct nlattr **tb,
			    struct netlink_ext_ack *extack)
{
	int ret;

	ret = vtun_nl_parse_nest(tb, VTUN_SA_A_MAX, nest, vtun_sa_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_SA_A_DIR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_SA_A_SPI))
		return -EINVAL;
	return 0;
}

static int vtun_nl_sa_attrs(struct genl_info *info, struct nlattr **tb)
{
	if (GENL_REQ_ATTR_CHECK(info, VTUN_A_SA))
		return -EINVAL;
	return vtun_nl_sa_parse(info->attrs[VTUN_A_SA], tb, info->extack);
}

/* Where each lifetime attribute lives in struct vtun_lifetime. */
static const unsigned int vtun_lifetime_offsets[VTUN_LIFETIME_A_MAX + 1] = {
	[VTUN_LIFETIME_A_SOFT_BYTES]	= offsetof(struct vtun_lifetime, soft_bytes),
	[VTUN_LIFETIME_A_HARD_BYTES]	= offsetof(struct vtun_lifetime, hard_bytes),
	[VTUN_LIFETIME_A_SOFT_PACKETS]	= offsetof(struct vtun_lifetime, soft_packets),
	[VTUN_LIFETIME_A_HARD_PACKETS]	= offsetof(struct vtun_lifetime, hard_packets),
	[VTUN_LIFETIME_A_SOFT_ADD_SECS]	= offsetof(struct vtun_lifetime, soft_add_secs),
	[VTUN_LIFETIME_A_HARD_ADD_SECS]	= offsetof(struct vtun_lifetime, hard_add_secs),
	[VTUN_LIFETIME_A_SOFT_USE_SECS]	= offsetof(struct vtun_lifetime, soft_use_secs),
	[VTUN_LIFETIME_A_HARD_USE_SECS]	= offsetof(struct vtun_lifetime, hard_use_secs),
};

#define vtun_lifetime_field(l, type) \
	((u64 *)((u8 *)(l) + vtun_lifetime_offsets[type]))

static int vtun_nl_lifetime(struct nlattr *nest, struct vtun_lifetime *l,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VTUN_LIFETIME_A_MAX + 1];
	int ret, i;

	memset(l, 0, sizeof(*l));
	if (!nest)
		return 0;
	ret = nla_parse_nested(tb, VTUN_LIFETIME_A_MAX, nest,
			       vtun_lifetime_policy, extack);
	if (ret)
		return ret;
	for (i = VTUN_LIFETIME_A_SOFT_BYTES; i <= VTUN_LIFETIME_A_MAX; i++)
		if (tb[i])
			*vtun_lifetime_field(l, i) = nla_get_u64(tb[i]);
	if ((l->hard_bytes && l->soft_bytes > l->hard_bytes) ||
	    (l->hard_packets && l->soft_packets > l->hard_packets) ||
	    (l->hard_add_secs && l->soft_add_secs > l->hard_add_secs) ||
	    (l->hard_use_secs && l->soft_use_secs > l->hard_use_secs)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "A soft lifetime must not exceed its hard lifetime");
		return -EINVAL;
	}
	return 0;
}

/* Everything about a new SA that can be checked without the device. */
static int vtun_nl_sa_config(struct nlattr **tb, struct vtun_sa_config *cfg,
			     struct netlink_ext_ack *extack)
{
	u16 icv_bits;
	u32 flags;

	if (!tb[VTUN_SA_A_PEER_ID]) {
		NL_SET_ERR_MSG(extack, "SA needs a peer id");
		return -EINVAL;
	}
	if (!tb[VTUN_SA_A_ALG] || !tb[VTUN_SA_A_KEY] || !tb[VTUN_SA_A_ICV_BITS]) {
		NL_SET_ERR_MSG(extack, "SA needs an AEAD algorithm, a key and an ICV length");
		return -EINVAL;
	}

	memset(cfg, 0, sizeof(*cfg));
	vtun_nl_sa_key(tb, &cfg->key);
	cfg->alg = vtun_alg_find(nla_data(tb[VTUN_SA_A_ALG]));
	if (!cfg->alg) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_SA_A_ALG],
				    "Unsupported AEAD algorithm (use rfc4106(gcm(aes)) or rfc7539esp(chacha20,poly1305))");
		return -EOPNOTSUPP;
	}
	cfg->key_material = nla_data(tb[VTUN_SA_A_KEY]);
	cfg->key_material_len = nla_len(tb[VTUN_SA_A_KEY]);
	cfg->key_ref = tb[VTUN_SA_A_KEY_REF] ? nla_data(tb[VTUN_SA_A_KEY_REF]) : NULL;

	icv_bits = nla_get_u16(tb[VTUN_SA_A_ICV_BITS]);
	if (icv_bits != 64 && icv_bits != 96 && icv_bits != 128) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_SA_A_ICV_BITS],
				    "ICV length must be 64, 96 or 128 bits");
		return -EINVAL;
	}
	cfg->icv_len = icv_bits / 8;

	flags = tb[VTUN_SA_A_FLAGS] ? nla_get_u32(tb[VTUN_SA_A_FLAGS]) : 0;
	cfg->esn = flags & VTUN_SA_F_ESN;

	if (tb[VTUN_SA_A_REPLAY_WINDOW] && cfg->key.dir == VTUN_DIR_OUT) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_SA_A_REPLAY_WINDOW],
				    "A replay window applies to inbound SAs only");
		return -EINVAL;
	}
	cfg->replay_window = tb[VTUN_SA_A_REPLAY_WINDOW] ?
		nla_get_u32(tb[VTUN_SA_A_REPLAY_WINDOW]) :
		VTUN_REPLAY_WINDOW_DEFAULT;
	if (cfg->esn && cfg->key.dir == VTUN_DIR_IN && !cfg->replay_window) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_SA_A_REPLAY_WINDOW],
				    "Extended sequence numbers need a replay window");
		return -EINVAL;
	}

	cfg->seq = tb[VTUN_SA_A_SEQ] ? nla_get_u64(tb[VTUN_SA_A_SEQ]) : 0;
	if (!cfg->esn && cfg->seq > U32_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_SA_A_SEQ],
				    "Sequence number beyond 32 bits needs ESN");
		return -EINVAL;
	}
	return vtun_nl_lifetime(tb[VTUN_SA_A_LIFETIME], &cfg->lifetime, extack);
}

static int vtun_nl_put_sa_stats(struct sk_buff *skb, struct vtun_sa *sa)
{
	u64 packets = atomic64_read(&sa->packets);
	u64 bytes = atomic64_read(&sa->bytes);
	struct nlattr *nest;
	int ret;

	nest = nla_nest_start(skb, VTUN_SA_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (sa->key.dir == VTUN_DIR_IN)
		ret = vtun_nl_put_stat(skb, VTUN_STAT_RX_PACKETS, packets) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_RX_BYTES, bytes) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_RX_REPLAY,
				       atomic64_read(&sa->replay_drops)) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_RX_AUTH_FAIL,
				       atomic64_read(&sa->auth_fails));
	else
		ret = vtun_nl_put_stat(skb, VTUN_STAT_TX_PACKETS, packets) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_TX_BYTES, bytes) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_TX_SEQ_EXHAUSTED,
				       atomic64_read(&sa->seq_exhausted));
	if (ret) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int vtun_nl_put_lifetime(struct sk_buff *skb, const struct vtun_lifetime *l)
{
	static const struct vtun_lifetime none;
	struct nlattr *nest;
	int i;

	if (!memcmp(l, &none, sizeof(none)))
		return 0;
	nest = nla_nest_start(skb, VTUN_SA_A_LIFETIME);
	if (!nest)
		return -EMSGSIZE;
	for (i = VTUN_LIFETIME_A_SOFT_BYTES; i <= VTUN_LIFETIME_A_MAX; i++)
		if (nla_put_u64_64bit(skb, i, *vtun_lifetime_field(l, i),
				      VTUN_LIFETIME_A_PAD))
			return -EMSGSIZE; /* the caller cancels the outer nest */
	nla_nest_end(skb, nest);
	return 0;
}

static int vtun_nl_put_sa_times(struct sk_buff *skb, struct vtun_sa *sa)
{
	time64_t used = atomic64_read(&sa->use_time);

	if (nla_put_u64_64bit(skb, VTUN_SA_A_ADD_SECS,
			      vtun_sa_age(sa, sa->add_time), VTUN_SA_A_PAD) ||
	    (used && nla_put_u64_64bit(skb, VTUN_SA_A_USE_SECS,
				       vtun_sa_age(sa, used), VTUN_SA_A_PAD)) ||
	    (test_bit(VTUN_SA_SOFT_EXPIRED, &sa->expired) &&
	     nla_put_u8(skb, VTUN_SA_A_EXPIRE, VTUN_SA_EXPIRE_SOFT)))
		return -EMSGSIZE;
	return 0;
}

static u64 vtun_sa_seq_now(struct vtun_sa *sa)
{
	u64 seq;

	if (sa->key.dir == VTUN_DIR_OUT)
		return atomic64_read(&sa->seq_out);
	spin_lock_bh(&sa->replay_lock);
	seq = sa->replay->top;
	spin_unlock_bh(&sa->replay_lock);
	return seq;
}

static int vtun_nl_put_sa(struct sk_buff *skb, struct vtun_sa *sa)
{
	bool active = rcu_access_pointer(sa->peer->tx_sa) == sa;
	struct nlattr *nest = nla_nest_start(skb, VTUN_A_SA);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VTUN_SA_A_PEER_ID, sa->peer->id) ||
	    nla_put_u8(skb, VTUN_SA_A_DIR, sa->key.dir) ||
	    nla_put_u32(skb, VTUN_SA_A_SPI, ntohl(sa->key.spi)) ||
	    nla_put_string(skb, VTUN_SA_A_ALG, sa->alg->name) ||
	    nla_put_u16(skb, VTUN_SA_A_ICV_BITS, sa->icv_len * 8) ||
	    nla_put_u16(skb, VTUN_SA_A_KEY_BITS, sa->key_bits) ||
	    nla_put_u32(skb, VTUN_SA_A_FLAGS, sa->esn ? VTUN_SA_F_ESN : 0) ||
	    (sa->replay &&
	     nla_put_u32(skb, VTUN_SA_A_REPLAY_WINDOW, sa->replay->window)) ||
	    nla_put_u64_64bit(skb, VTUN_SA_A_SEQ, vtun_sa_seq_now(sa),
			      VTUN_SA_A_PAD) ||
	    (active && nla_put_flag(skb, VTUN_SA_A_ACTIVE)) ||
	    (sa->key_ref && nla_put_string(skb, VTUN_SA_A_KEY_REF, sa->key_ref)) ||
	    vtun_nl_put_lifetime(skb, &sa->lifetime) ||
	    vtun_nl_put_sa_times(skb, sa) ||
	    vtun_nl_put_sa_stats(skb, sa)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static void vtun_nl_notify_sa(struct vtun_dev *vd, u8 cmd, struct vtun_sa *sa)
{
	struct sk_buff *event;
	void *hdr;

	event = vtun_nl_event_new(vd, cmd, &hdr, GFP_KERNEL);
	if (!event)
		return;
	if (vtun_nl_put_sa(event, sa)) {
		nlmsg_free(event);
		return;
	}
	vtun_nl_event_send(vd, event, hdr, GFP_KERNEL);
}

/* An SA reached a lifetime limit; may run in softirq context. */
void vtun_nl_notify_sa_expire(struct vtun_sa *sa, enum vtun_sa_expire kind,
			      enum vtun_sa_expire_reason reason)
{
	struct vtun_dev *vd = sa->peer->vd;
	struct nlattr *nest;
	struct sk_buff *event;
	void *hdr;

	event = vtun_nl_event_new(vd, VTUN_CMD_SA_EXPIRE_NTF, &hdr, GFP_ATOMIC);
	if (!event)
		return;
	nest = nla_nest_start(event, VTUN_A_SA);
	if (!nest ||
	    nla_put_u32(event, VTUN_SA_A_PEER_ID, sa->peer->id) ||
	    nla_put_u8(event, VTUN_SA_A_DIR, sa->key.dir) ||
	    nla_put_u32(event, VTUN_SA_A_SPI, ntohl(sa->key.spi)) ||
	    nla_put_u8(event, VTUN_SA_A_EXPIRE, kind) ||
	    nla_put_u8(event, VTUN_SA_A_EXPIRE_REASON, reason) ||
	    vtun_nl_put_sa_stats(event, sa)) {
		nlmsg_free(event);
		return;
	}
	nla_nest_end(event, nest);
	vtun_nl_event_send(vd, event, hdr, GFP_ATOMIC);
}

/* Roaming moved a peer; runs in softirq context. */
void vtun_nl_notify_endpoint(struct vtun_peer *peer)
{
	struct vtun_dev *vd = peer->vd;
	struct sk_buff *event;
	struct nlattr *nest;
	void *hdr;

	event = vtun_nl_event_new(vd, VTUN_CMD_PEER_ENDPOINT_NTF, &hdr, GFP_ATOMIC);
	if (!event)
		return;
	nest = nla_nest_start(event, VTUN_A_PEER);
	if (!nest || nla_put_u32(event, VTUN_PEER_A_ID, peer->id) ||
	    vtun_nl_put_endpoint(event, peer)) {
		nlmsg_free(event);
		return;
	}
	nla_nest_end(event, nest);
	vtun_nl_event_send(vd, event, hdr, GFP_ATOMIC);
}

/*
 * The transforms have their own copies: leave no key in the request
 * (SA_NEW and DEV_SETCONF, whether they succeed or not; a failed request
 * comes back in the error ACK unless the socket set NETLINK_CAP_ACK).
 * Every SA nest goes whole, and so does whatever does not parse as
 * attributes, since a key may hide in it too.
 */
static void vtun_nl_wipe_keys(struct genl_info *info)
{
	const struct genlmsghdr *genlhdr = info->genlhdr;
	struct nlattr *a = genlmsg_data(genlhdr);
	int rem = genlmsg_len(genlhdr);

	for (; nla_ok(a, rem); a = nla_next(a, &rem))
		if (nla_type(a) == VTUN_A_SA)
			memzero_explicit(nla_data(a), nla_len(a));
	if (rem > 0)
		memzero_explicit(a, rem);
}

/*
 * Requests that carry keys are validated here rather than by genetlink:
 * a request its policy refused would never reach a handler, and would
 * go back in the error ACK and be freed with the key in it. genetlink
 * parses them with vtun_keyed_request_policy, which accepts anything;
 * this is the strict validation with the family's policy, whose verdict
 * and extack message are the same as genetlink's would have been.
 */
static int vtun_nl_validate_keyed(struct genl_info *info)
{
	struct nlattr *tb[VTUN_A_MAX + 1];

	return genlmsg_parse(info->nlhdr, &vtun_genl_family, tb, VTUN_A_MAX,
			     vtun_policy, info->extack);
}

static int vtun_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VTUN_SA_A_MAX + 1];
	struct vtun_sa_config cfg;
	struct vtun_peer *peer;
	struct vtun_dev *vd;
	struct vtun_sa *sa;
	int ret;

	ret = vtun_nl_validate_keyed(info);
	if (ret)
		goto out_wipe;
	ret = vtun_nl_sa_attrs(info, tb);
	if (ret)
		goto out_wipe;
	ret = vtun_nl_sa_config(tb, &cfg, info->extack);
	if (ret)
		goto out_wipe;

	vd = vtun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(vd)) {
		ret = PTR_ERR(vd);
		goto out_wipe;
	}
	ret = vtun_nl_lock_dev(vd, info->extack);
	if (ret)
		goto out_put;
	peer = vtun_nl_find_peer(vd, nla_get_u32(tb[VTUN_SA_A_PEER_ID]),
				 tb[VTUN_SA_A_PEER_ID], info->extack);
	sa = peer ? vtun_sa_add(vd, peer, &cfg, info->extack) : ERR_PTR(-ENOENT);
	ret = PTR_ERR_OR_ZERO(sa);
	if (!ret)
		vtun_nl_notify_sa(vd, VTUN_CMD_SA_NEW, sa);
	mutex_unlock(&vd->conf_lock);
out_put:
	vtun_nl_dev_put(vd);
out_wipe:
	vtun_nl_wipe_keys(info);
	return ret;
}

static int vtun_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VTUN_SA_A_MAX + 1];
	struct vtun_sa_key key;
	struct vtun_dev *vd;
	struct vtun_sa *sa;
	int ret;

	ret = vtun_nl_sa_attrs(info, tb);
	if (ret)
		return ret;
	vtun_nl_sa_key(tb, &key);

	vd = vtun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(vd))
		return PTR_ERR(vd);
	ret = vtun_nl_lock_dev(vd, info->extack);
	if (ret)
		goto out_put;
	sa = vtun_sa_find(vd, &key);
	if (sa) {
		vtun_nl_notify_sa(vd, VTUN_CMD_SA_DEL, sa);
		vtun_sa_remove(vd, sa);
	} else {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VTUN_SA_A_SPI],
				    "No SA with this SPI and direction on the device");
		ret = -ENOENT;
	}
	mutex_unlock(&vd->conf_lock);
out_put:
	vtun_nl_dev_put(vd);
	return ret;
}

static int vtun_nl_dump_peer_sas(struct vtun_nl_dump *d, struct vtun_peer *peer)
{
	long idx = 0, start = d->cb->args[1];
	struct vtun_sa *sa;
	void *hdr;

	list_for_each_entry(sa, &peer->sas, peer_node) {
		if (idx++ < start)
			continue;
		hdr = vtun_nl_dump_begin(d);
		if (!hdr)
			return -EMSGSIZE;
		if (vtun_nl_put_sa(d->skb, sa)) {
			genlmsg_cancel(d->skb, hdr);
			return -EMSGSIZE;
		}
		genlmsg_end(d->skb, hdr);
		d->cb->args[1] = idx;
	}
	return 0;
}

static int vtun_nl_sa_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	return vtun_nl_dump_peers(skb, cb, VTUN_CMD_SA_GET,
				  vtun_nl_dump_peer_sas);
}

/* ---- whole configuration ---- */

static void vtun_conf_free(struct vtun_conf *conf)
{
	kvfree(conf->peers);
	kvfree(conf->routes);
	kvfree(conf->sas);
}

static int vtun_nl_conf_alloc(struct genl_info *info, struct vtun_conf *conf)
{
	const struct genlmsghdr *genlhdr = info->genlhdr;
	unsigned int n[__VTUN_A_MAX] = {};
	struct nlattr *a;
	int rem;

	/* Strict validation already refused types above VTUN_A_MAX. */
	nla_for_each_attr(a, genlmsg_data(genlhdr), genlmsg_len(genlhdr), rem)
		if (nla_type(a) < ARRAY_SIZE(n))
			n[nla_type(a)]++;
	conf->peers = kvcalloc(n[VTUN_A_PEER], sizeof(*conf->peers), GFP_KERNEL);
	conf->routes = kvcalloc(n[VTUN_A_ROUTE], sizeof(*conf->routes), GFP_KERNEL);
	conf->sas = kvcalloc(n[VTUN_A_SA], sizeof(*conf->sas), GFP_KERNEL);
	if ((n[VTUN_A_PEER] && !conf->peers) ||
	    (n[VTUN_A_ROUTE] && !conf->routes) || (n[VTUN_A_SA] && !conf->sas))
		return -ENOMEM;
	return 0;
}

/* Index in conf->peers of the peer a route or SA names, via @ids. */
static int vtun_nl_conf_peer(struct xarray *ids, struct nlattr *attr,
			     unsigned int *idx, struct netlink_ext_ack *extack)
{
	void *entry = attr ? xa_load(ids, nla_get_u32(attr)) : NULL;

	if (!entry) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "Route or SA names a peer the configuration does not have");
		return -EINVAL;
	}
	*idx = xa_to_value(entry);
	return 0;
}

static int vtun_nl_conf_add_peer(struct vtun_conf *conf, struct xarray *ids,
				 struct nlattr *nest,
				 struct netlink_ext_ack *extack)
{
	struct vtun_conf_peer *p = &conf->peers[conf->n_peers];
	struct nlattr *tb[VTUN_PEER_A_MAX + 1];
	int ret;

	ret = vtun_nl_peer_parse(nest, tb, extack);
	if (ret)
		return ret;
	ret = vtun_nl_peer_config(tb, &p->cfg, extack);
	if (ret)
		return ret;
	/* A whole configuration: what is not given is the default, except
	 * the endpoint, which a peer may have taught us by roaming.
	 */
	p->cfg.set_keepalive = true;
	p->cfg.set_flags = true;
	p->id = nla_get_u32(tb[VTUN_PEER_A_ID]);
	ret = xa_insert(ids, p->id, xa_mk_value(conf->n_peers), GFP_KERNEL);
	if (ret == -EBUSY) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_PEER_A_ID],
				    "The configuration has this peer id twice");
		ret = -EINVAL;
	}
	if (!ret)
		conf->n_peers++;
	return ret;
}

static int vtun_nl_conf_add_route(struct vtun_conf *conf, struct xarray *ids,
				  struct nlattr *nest,
				  struct netlink_ext_ack *extack)
{
	struct vtun_conf_route *r = &conf->routes[conf->n_routes];
	struct nlattr *tb[VTUN_ROUTE_A_MAX + 1];
	int ret;

	ret = vtun_nl_route_parse(nest, tb, &r->key, extack);
	if (ret)
		return ret;
	ret = vtun_nl_conf_peer(ids, tb[VTUN_ROUTE_A_PEER_ID], &r->peer, extack);
	if (!ret)
		conf->n_routes++;
	return ret;
}

static int vtun_nl_conf_add_sa(struct vtun_conf *conf, struct xarray *ids,
			       struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	struct vtun_conf_sa *c = &conf->sas[conf->n_sas];
	struct nlattr *tb[VTUN_SA_A_MAX + 1];
	int ret;

	ret = vtun_nl_sa_parse(nest, tb, extack);
	if (ret)
		return ret;
	ret = vtun_nl_sa_config(tb, &c->cfg, extack);
	if (ret)
		return ret;
	ret = vtun_nl_conf_peer(ids, tb[VTUN_SA_A_PEER_ID], &c->peer, extack);
	if (!ret)
		conf->n_sas++;
	return ret;
}

static int vtun_route_key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct vtun_conf_route *)a)->key,
		      &((const struct vtun_conf_route *)b)->key,
		      sizeof(struct vtun_route_key));
}

static int vtun_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int vtun_digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SHA256_DIGEST_SIZE);
}

/*
 * No two SAs of the configuration may share a key and salt: the device
 * ends up with exactly these SAs, so this is all vtun_sa_add() checks.
 */
static int vtun_nl_conf_keys_unique(struct vtun_conf *conf,
				    struct netlink_ext_ack *extack)
{
	u8 (*digests)[SHA256_DIGEST_SIZE];
	unsigned int i;
	int ret = 0;

	if (conf->n_sas < 2)
		return 0;
	digests = kvmalloc_array(conf->n_sas, sizeof(*digests), GFP_KERNEL);
	if (!digests)
		return -ENOMEM;
	for (i = 0; i < conf->n_sas; i++)
		vtun_sa_config_digest(&conf->sas[i].cfg, digests[i]);
	sort(digests, conf->n_sas, sizeof(*digests), vtun_digest_cmp, NULL);
	for (i = 1; i < conf->n_sas; i++) {
		if (!vtun_digest_cmp(digests[i - 1], digests[i])) {
			NL_SET_ERR_MSG(extack,
				       "The configuration uses one key and salt for two SAs: every SA needs a key of its own (one per direction)");
			ret = -EINVAL;
			break;
		}
	}
	memzero_explicit(digests, conf->n_sas * sizeof(*digests));
	kvfree(digests);
	return ret;
}

/*
 * Route prefixes, SA (direction, SPI) pairs and SA keys must each be
 * unique.
 */
static int vtun_nl_conf_unique(struct vtun_conf *conf,
			       struct netlink_ext_ack *extack)
{
	unsigned int i;
	u64 *keys;

	sort(conf->routes, conf->n_routes, sizeof(*conf->routes),
	     vtun_route_key_cmp, NULL);
	for (i = 1; i < conf->n_routes; i++) {
		if (!vtun_route_key_cmp(&conf->routes[i - 1], &conf->routes[i])) {
			NL_SET_ERR_MSG(extack, "The configuration has a route prefix twice");
			return -EINVAL;
		}
	}

	keys = kvmalloc_array(conf->n_sas, sizeof(*keys), GFP_KERNEL);
	if (!keys && conf->n_sas)
		return -ENOMEM;
	for (i = 0; i < conf->n_sas; i++)
		keys[i] = (u64)conf->sas[i].cfg.key.dir << 32 |
			  ntohl(conf->sas[i].cfg.key.spi);
	sort(keys, conf->n_sas, sizeof(*keys), vtun_u64_cmp, NULL);
	for (i = 1; i < conf->n_sas; i++) {
		if (keys[i - 1] == keys[i]) {
			NL_SET_ERR_MSG(extack,
				       "The configuration has an SA with the same SPI and direction twice");
			kvfree(keys);
			return -EINVAL;
		}
	}
	kvfree(keys);
	return vtun_nl_conf_keys_unique(conf, extack);
}

/*
 * Read the whole request into @conf: peers first, since routes and SAs
 * name them, whatever order the attributes come in.
 */
static int vtun_nl_conf_parse(struct genl_info *info, struct vtun_conf *conf)
{
	const struct genlmsghdr *genlhdr = info->genlhdr;
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct xarray ids;
	struct nlattr *a;
	int rem, ret;

	ret = vtun_nl_conf_alloc(info, conf);
	if (ret)
		return ret;
	conf->listen_port = attrs[VTUN_A_LISTEN_PORT] ?
		nla_get_u16(attrs[VTUN_A_LISTEN_PORT]) : VTUN_DEFAULT_PORT;
	conf->fwmark = attrs[VTUN_A_FWMARK] ? nla_get_u32(attrs[VTUN_A_FWMARK]) : 0;
	conf->bind_ifindex = attrs[VTUN_A_BIND_IFINDEX] ?
		nla_get_u32(attrs[VTUN_A_BIND_IFINDEX]) : 0;
	conf->outer_ttl = attrs[VTUN_A_OUTER_TTL] ?
		nla_get_u8(attrs[VTUN_A_OUTER_TTL]) : 0;
	ret = vtun_nl_outer_dscp(attrs[VTUN_A_OUTER_DSCP], &conf->outer_dscp,
				 extack);
	if (ret)
		return ret;

	xa_init(&ids);
	nla_for_each_attr(a, genlmsg_data(genlhdr), genlmsg_len(genlhdr), rem) {
		if (nla_type(a) == VTUN_A_PEER) {
			ret = vtun_nl_conf_add_peer(conf, &ids, a, extack);
			if (ret)
				goto out;
		}
	}
	nla_for_each_attr(a, genlmsg_data(genlhdr), genlmsg_len(genlhdr), rem) {
		if (nla_type(a) == VTUN_A_ROUTE)
			ret = vtun_nl_conf_add_route(conf, &ids, a, extack);
		else if (nla_type(a) == VTUN_A_SA)
			ret = vtun_nl_conf_add_sa(conf, &ids, a, extack);
		if (ret)
			goto out;
	}
	ret = vtun_nl_conf_unique(conf, extack);
out:
	xa_destroy(&ids);
	return ret;
}

static int vtun_nl_dev_setconf_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vtun_conf conf = {};
	struct sk_buff *event = NULL;
	struct vtun_dev *vd;
	void *hdr;
	int ret;

	ret = vtun_nl_validate_keyed(info);
	if (ret)
		goto out;
	ret = vtun_nl_conf_parse(info, &conf);
	if (ret)
		goto out;

	rtnl_lock();
	vd = vtun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(vd)) {
		rtnl_unlock();
		ret = PTR_ERR(vd);
		goto out;
	}
	mutex_lock(&vd->conf_lock);
	ret = vtun_nl_check_birth_settings(skb, vd, conf.listen_port,
					   conf.fwmark, conf.bind_ifindex,
					   info->extack);
	if (!ret)
		ret = vtun_conf_replace(vd, &conf, info->extack);
	mutex_unlock(&vd->conf_lock);
	rtnl_unlock();
	if (!ret)
		event = vtun_nl_event_new(vd, VTUN_CMD_DEV_SETCONF, &hdr, GFP_KERNEL);
	if (event)
		vtun_nl_event_send(vd, event, hdr, GFP_KERNEL);
	vtun_nl_dev_put(vd);
out:
	vtun_nl_wipe_keys(info);
	vtun_conf_free(&conf);
	return ret;
}

/* ---- family ---- */

/* See vtun_nl_validate_keyed(): liberal parsing, no checks at all. */
static const struct nla_policy vtun_keyed_request_policy[VTUN_A_MAX + 1] = {};

static const struct genl_ops vtun_genl_ops[] = {
	{
		.cmd	= VTUN_CMD_DEV_GET,
		.doit	= vtun_nl_dev_get_doit,
		.dumpit	= vtun_nl_dev_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_DEV_SET,
		.doit	= vtun_nl_dev_set_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_PEER_NEW,
		.doit	= vtun_nl_peer_new_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_PEER_SET,
		.doit	= vtun_nl_peer_set_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_PEER_DEL,
		.doit	= vtun_nl_peer_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_PEER_GET,
		.dumpit	= vtun_nl_peer_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_ROUTE_NEW,
		.doit	= vtun_nl_route_new_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_ROUTE_DEL,
		.doit	= vtun_nl_route_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_ROUTE_GET,
		.dumpit	= vtun_nl_route_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_SA_NEW,
		.doit	= vtun_nl_sa_new_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
		.policy	= vtun_keyed_request_policy,
		.maxattr = VTUN_A_MAX,
		.validate = GENL_DONT_VALIDATE_STRICT,
	}, {
		.cmd	= VTUN_CMD_SA_DEL,
		.doit	= vtun_nl_sa_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_SA_GET,
		.dumpit	= vtun_nl_sa_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_DEV_SETCONF,
		.doit	= vtun_nl_dev_setconf_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
		.policy	= vtun_keyed_request_policy,
		.maxattr = VTUN_A_MAX,
		.validate = GENL_DONT_VALIDATE_STRICT,
	},
};

static const struct genl_multicast_group vtun_mcgrps[] = {
	{ .name = VTUN_MCGRP_EVENTS,
	  VTUN_GENL_MCGRP_FLAGS(GENL_MCAST_CAP_NET_ADMIN) },
};

static struct genl_family vtun_genl_family __ro_after_init = {
	.name		= VTUN_GENL_NAME,
	.version	= VTUN_GENL_VERSION,
	.maxattr	= VTUN_A_MAX,
	.policy		= vtun_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	/*
	 * genetlink takes per-op validation flags only from operations it
	 * treats as older than this; SA_NEW and DEV_SETCONF need them (see
	 * vtun_nl_validate_keyed()). What it gives up, for every op, is the
	 * check that genlmsghdr.reserved and unknown nlmsg_flags are zero.
	 */
	.resv_start_op	= __VTUN_CMD_MAX,
	.ops		= vtun_genl_ops,
	.n_ops		= ARRAY_SIZE(vtun_genl_ops),
	.mcgrps		= vtun_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vtun_mcgrps),
};

int __init vtun_genl_init(void)
{
	return genl_register_family(&vtun_genl_family);
}

void vtun_genl_uninit(void)
{
	genl_unregister_family(&vtun_genl_family);
}
