// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "vtun": the configuration API.
 *
 * Each request is validated whole by policy and by the checks here before
 * anything changes, so a failed request leaves no partial configuration.
 * Every operation needs CAP_NET_ADMIN in the namespace of the device
 * (which is the namespace of the requesting socket). Keys are write-only.
 */
#include <linux/crypto.h>
#include <linux/jiffies.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/netlink.h>

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

static int vtun_nl_put_stat(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_u64_64bit(skb, type, value, VTUN_STAT_PAD);
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

static void vtun_nl_reset_outer_routes(struct vtun_dev *vd)
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

static int vtun_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct vtun_dev *vd;
	int ret = 0;

	rtnl_lock();
	vd = vtun_nl_dev(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(vd)) {
		rtnl_unlock();
		return PTR_ERR(vd);
	}
	mutex_lock(&vd->conf_lock);

	/* The one step that can fail goes first. */
	if (attrs[VTUN_A_LISTEN_PORT]) {
		u16 port = nla_get_u16(attrs[VTUN_A_LISTEN_PORT]);

		if (port != vd->listen_port && netif_running(vd->dev)) {
			ret = vtun_socket_open(vd, port);
			if (ret) {
				NL_SET_ERR_MSG_ATTR(info->extack,
						    attrs[VTUN_A_LISTEN_PORT],
						    "Cannot bind the UDP port (in use?)");
				goto out;
			}
		}
		vd->listen_port = port;
	}
	if (attrs[VTUN_A_FWMARK]) {
		vd->fwmark = nla_get_u32(attrs[VTUN_A_FWMARK]);
		/* The mark selects the outer routes: find them again. */
		vtun_nl_reset_outer_routes(vd);
	}
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

/* Parse the VTUN_A_PEER nest that a peer request must carry. */
static int vtun_nl_peer_attrs(struct genl_info *info, struct nlattr **tb)
{
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VTUN_A_PEER))
		return -EINVAL;
	ret = vtun_nl_parse_nest(tb, VTUN_PEER_A_MAX, info->attrs[VTUN_A_PEER],
				 vtun_peer_policy, info->extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[VTUN_A_PEER], tb,
			      VTUN_PEER_A_ID))
		return -EINVAL;
	return 0;
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
	struct vtun_peer *peer;
	struct vtun_dev *vd;
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
	mutex_lock(&vd->conf_lock);
	if (op == VTUN_PEER_OP_NEW) {
		peer = vtun_peer_create(vd, id, &cfg, info->extack);
		ret = PTR_ERR_OR_ZERO(peer);
		goto out;
	}
	peer = vtun_nl_find_peer(vd, id, tb[VTUN_PEER_A_ID], info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}
	if (op == VTUN_PEER_OP_SET)
		ret = vtun_peer_update(peer, &cfg, info->extack);
	else
		vtun_peer_remove(peer);
out:
	mutex_unlock(&vd->conf_lock);
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
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vtun_nl_dump d = { .skb = skb, .cb = cb, .cmd = cmd };
	struct vtun_peer *peer;
	unsigned long id;
	int ret = 0;

	d.vd = vtun_nl_dev(sock_net(skb->sk), info->attrs, cb->extack);
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

static int vtun_nl_route_attrs(struct genl_info *info, struct nlattr **tb,
			       struct vtun_route_key *key)
{
	struct nlattr *nest = info->attrs[VTUN_A_ROUTE];
	struct netlink_ext_ack *extack = info->extack;
	unsigned int alen;
	u16 family;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VTUN_A_ROUTE))
		return -EINVAL;
	ret = vtun_nl_parse_nest(tb, VTUN_ROUTE_A_MAX, nest, vtun_route_policy,
				 extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_ROUTE_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_ROUTE_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, VTUN_ROUTE_A_PREFIXLEN))
		return -EINVAL;

	family = nla_get_u16(tb[VTUN_ROUTE_A_FAMILY]);
	alen = family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
	if ((family == AF_INET || family == AF_INET6) &&
	    nla_len(tb[VTUN_ROUTE_A_ADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VTUN_ROUTE_A_ADDR],
				    "Address length does not match the family");
		return -EINVAL;
	}
	return vtun_route_key_init(key, family, nla_data(tb[VTUN_ROUTE_A_ADDR]),
				   nla_get_u8(tb[VTUN_ROUTE_A_PREFIXLEN]),
				   extack);
}

static int vtun_nl_route_change(struct genl_info *info, bool add)
{
	struct nlattr *tb[VTUN_ROUTE_A_MAX + 1];
	struct vtun_peer *peer = NULL;
	struct vtun_route_key key;
	struct vtun_dev *vd;
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
	mutex_lock(&vd->conf_lock);
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
		ret = vtun_route_del(&vd->routes, &key, peer, info->extack);
	if (!ret)
		vtun_dev_config_changed(vd);
out:
	mutex_unlock(&vd->conf_lock);
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
	struct nlattr *nest = nla_nest_start(skb, VTUN_A_ROUTE);
	unsigned int alen = r->key.family == AF_INET ? sizeof(struct in_addr) :
						       sizeof(struct in6_addr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VTUN_ROUTE_A_PEER_ID, r->peer->id) ||
	    nla_put_u16(skb, VTUN_ROUTE_A_FAMILY, r->key.family) ||
	    nla_put(skb, VTUN_ROUTE_A_ADDR, alen, &r->key.addr) ||
	    nla_put_u8(skb, VTUN_ROUTE_A_PREFIXLEN, r->key.plen)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
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

static int vtun_nl_sa_attrs(struct genl_info *info, struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[VTUN_A_SA];
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VTUN_A_SA))
		return -EINVAL;
	ret = vtun_nl_parse_nest(tb, VTUN_SA_A_MAX, nest, vtun_sa_policy,
				 info->extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, VTUN_SA_A_DIR) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, VTUN_SA_A_SPI))
		return -EINVAL;
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
				    "Unsupported AEAD algorithm (use " VTUN_ALG_AES_GCM ")");
		return -EOPNOTSUPP;
	}
	cfg->key_material = nla_data(tb[VTUN_SA_A_KEY]);
	cfg->key_material_len = nla_len(tb[VTUN_SA_A_KEY]);

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
	return 0;
}

static int vtun_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VTUN_SA_A_MAX + 1];
	struct vtun_sa_config cfg;
	struct vtun_peer *peer;
	struct vtun_dev *vd;
	int ret;

	ret = vtun_nl_sa_attrs(info, tb);
	if (ret)
		return ret;
	ret = vtun_nl_sa_config(tb, &cfg, info->extack);
	if (ret)
		goto out_wipe;

	vd = vtun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(vd)) {
		ret = PTR_ERR(vd);
		goto out_wipe;
	}
	mutex_lock(&vd->conf_lock);
	peer = vtun_nl_find_peer(vd, nla_get_u32(tb[VTUN_SA_A_PEER_ID]),
				 tb[VTUN_SA_A_PEER_ID], info->extack);
	ret = peer ? vtun_sa_add(vd, peer, &cfg, info->extack) : -ENOENT;
	mutex_unlock(&vd->conf_lock);
	vtun_nl_dev_put(vd);
out_wipe:
	/* The transform has its own copy: leave none in the request. */
	if (tb[VTUN_SA_A_KEY])
		memzero_explicit(nla_data(tb[VTUN_SA_A_KEY]),
				 nla_len(tb[VTUN_SA_A_KEY]));
	return ret;
}

static int vtun_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VTUN_SA_A_MAX + 1];
	struct vtun_sa_key key;
	struct vtun_dev *vd;
	int ret;

	ret = vtun_nl_sa_attrs(info, tb);
	if (ret)
		return ret;
	vtun_nl_sa_key(tb, &key);

	vd = vtun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(vd))
		return PTR_ERR(vd);
	mutex_lock(&vd->conf_lock);
	ret = vtun_sa_del(vd, &key, info->extack);
	mutex_unlock(&vd->conf_lock);
	vtun_nl_dev_put(vd);
	return ret;
}

static int vtun_nl_put_sa_stats(struct sk_buff *skb, struct vtun_sa *sa)
{
	struct vtun_sa_stats st;
	struct nlattr *nest;
	int ret;

	vtun_sa_read_stats(sa, &st);
	nest = nla_nest_start(skb, VTUN_SA_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (sa->key.dir == VTUN_DIR_IN)
		ret = vtun_nl_put_stat(skb, VTUN_STAT_RX_PACKETS, st.packets) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_RX_BYTES, st.bytes) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_RX_REPLAY,
				       atomic64_read(&sa->replay_drops)) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_RX_AUTH_FAIL,
				       atomic64_read(&sa->auth_fails));
	else
		ret = vtun_nl_put_stat(skb, VTUN_STAT_TX_PACKETS, st.packets) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_TX_BYTES, st.bytes) ||
		      vtun_nl_put_stat(skb, VTUN_STAT_TX_SEQ_EXHAUSTED,
				       atomic64_read(&sa->seq_exhausted));
	if (ret) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
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
	    vtun_nl_put_sa_stats(skb, sa)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
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

/* ---- family ---- */

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
	}, {
		.cmd	= VTUN_CMD_SA_DEL,
		.doit	= vtun_nl_sa_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VTUN_CMD_SA_GET,
		.dumpit	= vtun_nl_sa_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group vtun_mcgrps[] = {
	{ .name = VTUN_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family vtun_genl_family __ro_after_init = {
	.name		= VTUN_GENL_NAME,
	.version	= VTUN_GENL_VERSION,
	.maxattr	= VTUN_A_MAX,
	.policy		= vtun_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
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
