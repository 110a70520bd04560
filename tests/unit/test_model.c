// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of reply decoding and of `show` output: replies are built the
 * way the module sends them (same uapi header), decoded into the model and
 * printed as text and JSON.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "json.h"
#include "model.h"
#include "nl.h"
#include "tap.h"

#define FAKE_FAMILY 0x20

/* ---- building replies ---- */

static struct nl_msg *reply(uint8_t cmd, uint32_t ifindex)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, FAKE_FAMILY, 0, 0, cmd,
				 VTUN_GENL_VERSION)) {
		printf("Bail out! cannot build a message\n");
		exit(1);
	}
	if (ifindex)
		nla_put_u32(msg, VTUN_A_IFINDEX, ifindex);
	return msg;
}

/* Counters as type/value pairs, ending with type 0. */
static void put_stats(struct nl_msg *msg, int attr, const uint64_t *pairs)
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	for (; pairs[0]; pairs += 2)
		nla_put_u64(msg, pairs[0], pairs[1]);
	nla_nest_end(msg, nest);
}

/* Decode @msg's top level into @tb; frees @msg's ownership to the caller. */
static int decode(struct nl_msg *msg, struct nlattr **tb)
{
	return vt_nl_parse(nlmsg_hdr(msg), tb);
}

static struct nl_msg *dev_reply(void)
{
	static const uint64_t stats[] = {
		VTUN_STAT_RX_PACKETS, 10, VTUN_STAT_RX_BYTES, 1229,
		VTUN_STAT_TX_PACKETS, 12, VTUN_STAT_TX_BYTES, 1536,
		VTUN_STAT_RX_KEEPALIVES, 0, VTUN_STAT_RX_NON_ESP, 2,
		VTUN_STAT_RX_NO_SA, 3, VTUN_STAT_RX_REPLAY, 1,
		VTUN_STAT_TX_NO_ROUTE, 0, 0,
	};
	struct nl_msg *msg = reply(VTUN_CMD_DEV_GET, 7);

	nla_put_string(msg, VTUN_A_IFNAME, "vtun0");
	nla_put_u16(msg, VTUN_A_LISTEN_PORT, 4500);
	nla_put_u32(msg, VTUN_A_FWMARK, 0x10);
	nla_put_u32(msg, VTUN_A_BIND_IFINDEX, 1);	/* lo, in any namespace */
	nla_put_u8(msg, VTUN_A_OUTER_TTL, 33);
	nla_put_u8(msg, VTUN_A_OUTER_DSCP, 10);
	nla_put_u32(msg, VTUN_A_N_PEERS, 2);
	nla_put_u32(msg, VTUN_A_N_SAS, 3);
	put_stats(msg, VTUN_A_STATS, stats);
	return msg;
}

struct peer_spec {
	uint32_t id;
	const char *addr;		/* NULL: endpoint unknown */
	uint16_t port, keepalive;
	uint32_t flags;
	int64_t last_rx;		/* -1: never */
};

static struct nl_msg *peer_reply(const struct peer_spec *p)
{
	static const uint64_t stats[] = {
		VTUN_STAT_RX_PACKETS, 5, VTUN_STAT_RX_BYTES, 600,
		VTUN_STAT_TX_PACKETS, 6, VTUN_STAT_TX_BYTES, 700, 0,
	};
	struct nl_msg *msg = reply(VTUN_CMD_PEER_GET, 7);
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_PEER);
	struct vt_addr a;

	nla_put_u32(msg, VTUN_PEER_A_ID, p->id);
	if (p->addr && !vt_parse_addr(p->addr, &a)) {
		nla_put(msg, a.family == AF_INET ? VTUN_PEER_A_ENDPOINT_ADDR4
						 : VTUN_PEER_A_ENDPOINT_ADDR6,
			vt_addr_len(&a), a.u.bytes);
		nla_put_u16(msg, VTUN_PEER_A_ENDPOINT_PORT, p->port);
	}
	nla_put_u16(msg, VTUN_PEER_A_KEEPALIVE, p->keepalive);
	nla_put_u32(msg, VTUN_PEER_A_FLAGS, p->flags);
	if (p->last_rx >= 0)
		nla_put_u64(msg, VTUN_PEER_A_LAST_RX_MSECS, p->last_rx);
	put_stats(msg, VTUN_PEER_A_STATS, stats);
	nla_nest_end(msg, nest);
	return msg;
}

static struct nl_msg *route_reply(uint32_t peer, const char *addr, uint8_t len)
{
	struct nl_msg *msg = reply(VTUN_CMD_ROUTE_GET, 7);
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_ROUTE);
	struct vt_addr a;

	vt_parse_addr(addr, &a);
	nla_put_u32(msg, VTUN_ROUTE_A_PEER_ID, peer);
	nla_put_u16(msg, VTUN_ROUTE_A_FAMILY, a.family);
	nla_put(msg, VTUN_ROUTE_A_ADDR, vt_addr_len(&a), a.u.bytes);
	nla_put_u8(msg, VTUN_ROUTE_A_PREFIXLEN, len);
	nla_nest_end(msg, nest);
	return msg;
}

struct sa_spec {
	uint32_t peer, spi;
	uint8_t dir;
	uint32_t flags;
	uint64_t seq;
	bool active;
	/* what older modules do not send: */
	bool times;			/* ADD_SECS, and USE_SECS unless -1 */
	uint64_t add_secs;
	int64_t use_secs;
	bool limits;			/* time-soft 3600 time-hard 3900 packet-hard 1000 */
	uint8_t expire;
	const char *key_ref;
};

static void put_limits(struct nl_msg *msg)
{
	struct nlattr *nest = nla_nest_start(msg, VTUN_SA_A_LIFETIME);
	int t;

	for (t = VTUN_LIFETIME_A_SOFT_BYTES; t <= VTUN_LIFETIME_A_MAX; t++)
		nla_put_u64(msg, t, t == VTUN_LIFETIME_A_SOFT_ADD_SECS ? 3600 :
				    t == VTUN_LIFETIME_A_HARD_ADD_SECS ? 3900 :
				    t == VTUN_LIFETIME_A_HARD_PACKETS ? 1000 : 0);
	nla_nest_end(msg, nest);
}

static struct nl_msg *sa_reply(const struct sa_spec *s)
{
	static const uint64_t in_stats[] = {
		VTUN_STAT_RX_PACKETS, 40, VTUN_STAT_RX_BYTES, 4000,
		VTUN_STAT_RX_REPLAY, 1, VTUN_STAT_RX_AUTH_FAIL, 0, 0,
	};
	static const uint64_t out_stats[] = {
		VTUN_STAT_TX_PACKETS, 42, VTUN_STAT_TX_BYTES, 4200, 0,
	};
	struct nl_msg *msg = reply(VTUN_CMD_SA_GET, 7);
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_SA);

	nla_put_u32(msg, VTUN_SA_A_PEER_ID, s->peer);
	nla_put_u8(msg, VTUN_SA_A_DIR, s->dir);
	nla_put_u32(msg, VTUN_SA_A_SPI, s->spi);
	nla_put_string(msg, VTUN_SA_A_ALG, VTUN_ALG_AES_GCM);
	nla_put_u16(msg, VTUN_SA_A_ICV_BITS, 128);
	nla_put_u16(msg, VTUN_SA_A_KEY_BITS, 128);
	nla_put_u32(msg, VTUN_SA_A_FLAGS, s->flags);
	if (s->dir == VTUN_DIR_IN)
		nla_put_u32(msg, VTUN_SA_A_REPLAY_WINDOW, 64);
	nla_put_u64(msg, VTUN_SA_A_SEQ, s->seq);
	if (s->active)
		nla_put_flag(msg, VTUN_SA_A_ACTIVE);
	if (s->key_ref)
		nla_put_string(msg, VTUN_SA_A_KEY_REF, s->key_ref);
	if (s->limits)
		put_limits(msg);
	if (s->times)
		nla_put_u64(msg, VTUN_SA_A_ADD_SECS, s->add_secs);
	if (s->times && s->use_secs >= 0)
		nla_put_u64(msg, VTUN_SA_A_USE_SECS, s->use_secs);
	if (s->expire)
		nla_put_u8(msg, VTUN_SA_A_EXPIRE, s->expire);
	put_stats(msg, VTUN_SA_A_STATS,
		  s->dir == VTUN_DIR_IN ? in_stats : out_stats);
	nla_nest_end(msg, nest);
	return msg;
}

/* ---- counters ---- */

static void test_stat_names(void)
{
	bool named = true, unique = true, kebab = true;
	unsigned int t, u;
	const char *p;

	ok(!vt_stat_name(VTUN_STAT_UNSPEC) && !vt_stat_name(VTUN_STAT_PAD),
	   "UNSPEC and PAD have no name");
	ok(!vt_stat_name(VTUN_STAT_MAX + 1), "no name past VTUN_STAT_MAX");
	for (t = VTUN_STAT_RX_PACKETS; t <= VTUN_STAT_MAX; t++) {
		if (!vt_stat_name(t)) {
			named = false;
			printf("# counter %u has no name\n", t);
			continue;
		}
		for (p = vt_stat_name(t); *p; p++)
			if (!islower((unsigned char)*p) && *p != '-')
				kebab = false;
		for (u = VTUN_STAT_RX_PACKETS; u < t; u++)
			if (vt_stat_name(u) && !strcmp(vt_stat_name(u), vt_stat_name(t)))
				unique = false;
	}
	ok(named, "every counter of enum vtun_stat has a name");
	ok(unique, "counter names are unique");
	ok(kebab, "counter names are lower-case-with-dashes");
	is_str(vt_stat_name(VTUN_STAT_RX_NO_SA), "rx-no-sa", "rx-no-sa");
	ok(vt_stat_kind(VTUN_STAT_RX_AUTH_FAIL) == VT_STAT_DROP &&
	   vt_stat_kind(VTUN_STAT_TX_BYTES) == VT_STAT_TRAFFIC &&
	   vt_stat_kind(VTUN_STAT_RX_KEEPALIVES) == VT_STAT_EVENT,
	   "counter kinds");
}

static void test_stats_parse(void)
{
	struct nl_msg *msg = reply(VTUN_CMD_DEV_GET, 0);
	struct nlattr *tb[VTUN_A_MAX + 1];
	struct nlattr *nest;
	struct vt_stats st;

	nest = nla_nest_start(msg, VTUN_A_STATS);
	nla_put_u64(msg, VTUN_STAT_RX_NO_SA, 3);
	nla_put_u64(msg, VTUN_STAT_MAX + 5, 99);	/* from a newer module */
	nla_put(msg, VTUN_STAT_PAD, 0, NULL);
	nla_nest_end(msg, nest);
	ok(!decode(msg, tb) && !vt_stats_parse(tb[VTUN_A_STATS], &st) &&
	   st.present && st.has[VTUN_STAT_RX_NO_SA] && st.val[VTUN_STAT_RX_NO_SA] == 3 &&
	   !st.has[VTUN_STAT_RX_REPLAY], "stats nest decoded, unknown counters skipped");
	nlmsg_free(msg);

	ok(!vt_stats_parse(NULL, &st) && !st.present, "absent stats nest");

	msg = reply(VTUN_CMD_DEV_GET, 0);
	nest = nla_nest_start(msg, VTUN_A_STATS);
	nla_put_u32(msg, VTUN_STAT_RX_NO_SA, 3);
	nla_nest_end(msg, nest);
	ok(!decode(msg, tb) && vt_stats_parse(tb[VTUN_A_STATS], &st) == -EBADMSG,
	   "counter of the wrong size rejected");
	nlmsg_free(msg);
}

/* ---- decoding each object ---- */

/* The JSON of @dev contains @want. */
static void json_device_is(const struct vt_dev *dev, const char *want,
			   const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *f = open_memstream(&buf, &len);

	json_init(&j, f, false);
	vt_dev_json(&j, dev);
	fclose(f);
	has_str(buf, want, "%s", what);
	free(buf);
}

static void test_decode_dev(void)
{
	struct nlattr *tb[VTUN_A_MAX + 1];
	struct nl_msg *msg = dev_reply();
	struct vt_dev dev;

	ok(!decode(msg, tb) && !vt_dev_from_attrs(tb, &dev), "device decoded");
	ok(dev.ifindex == 7 && !strcmp(dev.ifname, "vtun0") &&
	   dev.has_listen_port && dev.listen_port == 4500 && dev.fwmark == 0x10 &&
	   dev.has_bind && dev.bind_ifindex == 1 && !strcmp(dev.bind_dev, "lo") &&
	   dev.has_ttl && dev.ttl == 33 && dev.has_dscp && dev.dscp == 10 &&
	   dev.has_counts && dev.n_peers == 2 && dev.n_sas == 3 &&
	   dev.stats.val[VTUN_STAT_RX_NO_SA] == 3, "device fields");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_DEV_GET, 7);
	ok(!decode(msg, tb) && vt_dev_from_attrs(tb, &dev) == -EBADMSG,
	   "device without a name rejected");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_DEV_GET, 7);
	nla_put_string(msg, VTUN_A_IFNAME, "vtun0");
	nla_put_u32(msg, VTUN_A_BIND_IFINDEX, 0x7ffffff0);
	ok(!decode(msg, tb) && !vt_dev_from_attrs(tb, &dev) && dev.has_bind &&
	   dev.bind_ifindex == 0x7ffffff0 && !dev.bind_dev[0],
	   "bound to a device unknown here: no name");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_DEV_GET, 7);
	nla_put_string(msg, VTUN_A_IFNAME, "vtun0");
	ok(!decode(msg, tb) && !vt_dev_from_attrs(tb, &dev) && !dev.has_bind &&
	   !dev.bind_ifindex && !dev.has_ttl && !dev.has_dscp,
	   "no BIND_IFINDEX, OUTER_TTL, OUTER_DSCP from an older module");
	json_device_is(&dev, "\"bind_dev\":null,\"bind_ifindex\":null,\"ttl\":null,"
		       "\"dscp\":null,\"dscp_inherit\":null", "their JSON: null");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_DEV_GET, 7);
	nla_put_string(msg, VTUN_A_IFNAME, "vtun0");
	nla_put_u8(msg, VTUN_A_OUTER_TTL, 0);
	nla_put_u8(msg, VTUN_A_OUTER_DSCP, VTUN_DSCP_INHERIT);
	ok(!decode(msg, tb) && !vt_dev_from_attrs(tb, &dev), "defaults decoded");
	json_device_is(&dev, "\"ttl\":0,\"dscp\":null,\"dscp_inherit\":true",
		       "default TTL and DSCP in JSON");
	nlmsg_free(msg);
}

static void test_decode_peer(void)
{
	const struct peer_spec v6 = { 3, "2001:db8::2", 4501, 25, 1, 61000 };
	const struct peer_spec none = { 4, NULL, 0, 0, 0, -1 };
	struct nlattr *tb[VTUN_A_MAX + 1];
	struct nl_msg *msg = peer_reply(&v6);
	struct vt_peer p;
	char buf[VT_ADDR_STRLEN];

	ok(!decode(msg, tb) && !vt_peer_from_attrs(tb, &p), "IPv6 peer decoded");
	vt_format_endpoint(&p.endpoint, buf, sizeof(buf));
	ok(p.id == 3 && p.has_endpoint && !strcmp(buf, "[2001:db8::2]:4501") &&
	   p.keepalive == 25 && p.flags == VTUN_PEER_F_PIN_ENDPOINT &&
	   p.has_last_rx && p.last_rx_msecs == 61000 &&
	   p.stats.val[VTUN_STAT_TX_BYTES] == 700, "IPv6 peer fields");
	nlmsg_free(msg);

	msg = peer_reply(&none);
	ok(!decode(msg, tb) && !vt_peer_from_attrs(tb, &p) && p.id == 4 &&
	   !p.has_endpoint && !p.has_last_rx, "peer without endpoint or rx");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_PEER_GET, 7);
	ok(!decode(msg, tb) && vt_peer_from_attrs(tb, &p) == -EBADMSG,
	   "reply without a peer nest rejected");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_PEER_GET, 7);
	nla_nest_end(msg, nla_nest_start(msg, VTUN_A_PEER));
	ok(!decode(msg, tb) && vt_peer_from_attrs(tb, &p) == -EBADMSG,
	   "peer without an id rejected");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_PEER_GET, 7);
	{
		struct nlattr *nest = nla_nest_start(msg, VTUN_A_PEER);

		nla_put_u32(msg, VTUN_PEER_A_ID, 1);
		nla_put(msg, VTUN_PEER_A_ENDPOINT_ADDR4, 5, "12345");
		nla_nest_end(msg, nest);
	}
	ok(!decode(msg, tb) && vt_peer_from_attrs(tb, &p) == -EBADMSG,
	   "IPv4 endpoint of 5 bytes rejected");
	nlmsg_free(msg);
}

static void test_decode_route(void)
{
	struct nlattr *tb[VTUN_A_MAX + 1];
	struct nl_msg *msg = route_reply(1, "fd02::", 64);
	struct vt_route r;
	char buf[VT_ADDR_STRLEN];
	struct nlattr *nest;

	ok(!decode(msg, tb) && !vt_route_from_attrs(tb, &r), "route decoded");
	vt_format_prefix(&r.prefix, buf, sizeof(buf));
	is_str(buf, "fd02::/64", "route prefix");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_ROUTE_GET, 7);
	nest = nla_nest_start(msg, VTUN_A_ROUTE);
	nla_put_u32(msg, VTUN_ROUTE_A_PEER_ID, 1);
	nla_put_u16(msg, VTUN_ROUTE_A_FAMILY, AF_INET);
	nla_put(msg, VTUN_ROUTE_A_ADDR, 16, "0123456789abcdef");
	nla_put_u8(msg, VTUN_ROUTE_A_PREFIXLEN, 8);
	nla_nest_end(msg, nest);
	ok(!decode(msg, tb) && vt_route_from_attrs(tb, &r) == -EBADMSG,
	   "IPv4 route with a 16-byte address rejected");
	nlmsg_free(msg);

	msg = route_reply(1, "10.0.0.0", 33);
	ok(!decode(msg, tb) && vt_route_from_attrs(tb, &r) == -EBADMSG,
	   "IPv4 route /33 rejected");
	nlmsg_free(msg);
}

static void test_decode_sa(void)
{
	const struct sa_spec in = {
		.peer = 1, .spi = 0x200, .dir = VTUN_DIR_IN, .seq = 40,
	};
	const struct sa_spec lived = {
		.peer = 1, .spi = 0x201, .dir = VTUN_DIR_IN, .times = true,
		.add_secs = 65, .use_secs = -1, .limits = true,
		.expire = VTUN_SA_EXPIRE_SOFT, .key_ref = "/k/a b",
	};
	struct nlattr *tb[VTUN_A_MAX + 1];
	struct nl_msg *msg = sa_reply(&in);
	struct vt_sa sa;
	struct nlattr *nest;

	ok(!decode(msg, tb) && !vt_sa_from_attrs(tb, &sa), "SA decoded");
	ok(sa.peer_id == 1 && sa.spi == 0x200 && sa.dir == VTUN_DIR_IN &&
	   !strcmp(sa.alg, VTUN_ALG_AES_GCM) && sa.icv_bits == 128 &&
	   sa.key_bits == 128 && sa.has_replay_window && sa.replay_window == 64 &&
	   sa.has_seq && sa.seq == 40 && !sa.active &&
	   sa.stats.val[VTUN_STAT_RX_REPLAY] == 1, "SA fields");
	nlmsg_free(msg);

	ok(!sa.has_lifetime && !sa.has_add_secs && !sa.has_use_secs &&
	   !sa.expire && !sa.key_ref[0], "no lifetime fields from an older module");

	msg = sa_reply(&lived);
	ok(!decode(msg, tb) && !vt_sa_from_attrs(tb, &sa), "SA with lifetimes decoded");
	ok(sa.has_lifetime && sa.lifetime.val[VTUN_LIFETIME_A_HARD_ADD_SECS] == 3900 &&
	   sa.lifetime.val[VTUN_LIFETIME_A_HARD_PACKETS] == 1000 &&
	   sa.lifetime.val[VTUN_LIFETIME_A_SOFT_BYTES] == 0 &&
	   sa.has_add_secs && sa.add_secs == 65 && !sa.has_use_secs &&
	   sa.expire == VTUN_SA_EXPIRE_SOFT && !strcmp(sa.key_ref, "/k/a b"),
	   "lifetime, times, expire and key ref");
	nlmsg_free(msg);

	msg = reply(VTUN_CMD_SA_GET, 7);
	nest = nla_nest_start(msg, VTUN_A_SA);
	nla_put_u32(msg, VTUN_SA_A_PEER_ID, 1);
	nla_put_u8(msg, VTUN_SA_A_DIR, VTUN_DIR_OUT);
	nla_nest_end(msg, nest);
	ok(!decode(msg, tb) && vt_sa_from_attrs(tb, &sa) == -EBADMSG,
	   "SA without an SPI rejected");
	nlmsg_free(msg);
}

/* ---- a whole device, printed ---- */

static int peer_from(struct nlattr **tb, void *slot)
{
	return vt_peer_from_attrs(tb, slot);
}

static int route_from(struct nlattr **tb, void *slot)
{
	return vt_route_from_attrs(tb, slot);
}

static int sa_from(struct nlattr **tb, void *slot)
{
	return vt_sa_from_attrs(tb, slot);
}

static void add(struct nl_msg *msg, struct vt_array *arr, size_t size,
		int (*from)(struct nlattr **, void *))
{
	struct nlattr *tb[VTUN_A_MAX + 1];
	void *slot = vt_array_push(arr, size);

	if (!slot || decode(msg, tb) || from(tb, slot))
		printf("Bail out! cannot decode a reply\n");
	nlmsg_free(msg);
}

#define ADD(dev, field, type, decoder, msg) \
	add(msg, &(dev)->field, sizeof(type), decoder)

static void build_device(struct vt_dev *dev)
{
	const struct peer_spec p2 = { 2, "2001:db8::2", 4500, 25, 1, 3723000 };
	const struct peer_spec p1 = { 1, "192.0.2.2", 4500, 0, 0, 3000 };
	const struct peer_spec p3 = { 3, NULL, 0, 0, 0, -1 };
	const struct sa_spec sas[] = {
		{ .peer = 1, .spi = 0x200, .dir = VTUN_DIR_IN, .flags = VTUN_SA_F_ESN,
		  .seq = 40, .times = true, .add_secs = 65, .use_secs = -1 },
		{ .peer = 1, .spi = 0x100, .dir = VTUN_DIR_OUT, .flags = VTUN_SA_F_ESN,
		  .seq = 42, .active = true, .times = true, .add_secs = 65,
		  .use_secs = 3, .limits = true, .expire = VTUN_SA_EXPIRE_SOFT,
		  .key_ref = "/etc/vtun/ab.key" },
		/* from an older module: no lifetime fields */
		{ .peer = 2, .spi = 0x300, .dir = VTUN_DIR_OUT, .seq = 7 },
		{ .peer = 99, .spi = 0x999, .dir = VTUN_DIR_OUT, .seq = 7 },	/* orphan */
	};
	struct nlattr *tb[VTUN_A_MAX + 1];
	struct nl_msg *msg = dev_reply();
	size_t i;

	if (decode(msg, tb) || vt_dev_from_attrs(tb, dev))
		printf("Bail out! cannot decode the device\n");
	nlmsg_free(msg);
	ADD(dev, peers, struct vt_peer, peer_from, peer_reply(&p2));
	ADD(dev, peers, struct vt_peer, peer_from, peer_reply(&p3));
	ADD(dev, peers, struct vt_peer, peer_from, peer_reply(&p1));
	ADD(dev, routes, struct vt_route, route_from, route_reply(1, "fd02::", 64));
	ADD(dev, routes, struct vt_route, route_from, route_reply(2, "0.0.0.0", 0));
	ADD(dev, routes, struct vt_route, route_from, route_reply(1, "10.2.0.0", 16));
	ADD(dev, routes, struct vt_route, route_from, route_reply(99, "10.99.0.0", 16));
	ADD(dev, routes, struct vt_route, route_from, route_reply(1, "10.1.0.0", 16));
	for (i = 0; i < sizeof(sas) / sizeof(sas[0]); i++)
		ADD(dev, sas, struct vt_sa, sa_from, sa_reply(&sas[i]));
	vt_dev_sort(dev);
}

static const char want_text[] =
	"vtun0: listen-port 4500 fwmark 0x10 bind-dev lo ttl 33 dscp 10 peers 2 sas 3\n"
	"  rx 10 packets 1.2 KiB  tx 12 packets 1.5 KiB  rx-non-esp 2\n"
	"  drops: rx-no-sa 3 rx-replay 1\n"
	"  peer 1: endpoint 192.0.2.2:4500 keepalive off, last rx 3s ago\n"
	"    routes: 10.1.0.0/16 10.2.0.0/16 fd02::/64\n"
	"    rx 5 packets 600 B  tx 6 packets 700 B\n"
	"    sa out spi 0x00000100 rfc4106(gcm(aes)) 128-bit icv 128 esn seq 42 [active]\n"
	"      add 1m 5s ago, used 3s ago, limit time-soft 3600 time-hard 3900 packet-hard 1000, expire soft\n"
	"      tx 42 packets 4.1 KiB\n"
	"    sa in  spi 0x00000200 rfc4106(gcm(aes)) 128-bit icv 128 esn window 64 seq 40\n"
	"      add 1m 5s ago, never used\n"
	"      rx 40 packets 3.9 KiB\n"
	"      drops: rx-replay 1\n"
	"  peer 2: endpoint [2001:db8::2]:4500 keepalive 25s pin-endpoint, last rx 1h 2m ago\n"
	"    routes: 0.0.0.0/0\n"
	"    rx 5 packets 600 B  tx 6 packets 700 B\n"
	"    sa out spi 0x00000300 rfc4106(gcm(aes)) 128-bit icv 128 seq 7\n"
	"      tx 42 packets 4.1 KiB\n"
	"  peer 3: endpoint (none) keepalive off, last rx never\n"
	"    rx 5 packets 600 B  tx 6 packets 700 B\n";

#define PEER_STATS "\"stats\":{\"rx_packets\":5,\"rx_bytes\":600,\"tx_packets\":6,\"tx_bytes\":700}"
#define OUT_STATS "\"stats\":{\"tx_packets\":42,\"tx_bytes\":4200}"

static const char want_json[] =
	"[{\"ifname\":\"vtun0\",\"ifindex\":7,\"listen_port\":4500,\"fwmark\":16,"
	"\"bind_dev\":\"lo\",\"bind_ifindex\":1,\"ttl\":33,\"dscp\":10,\"dscp_inherit\":false,"
	"\"n_peers\":2,\"n_sas\":3,"
	"\"stats\":{\"rx_packets\":10,\"rx_bytes\":1229,\"tx_packets\":12,"
	"\"tx_bytes\":1536,\"rx_keepalives\":0,\"rx_non_esp\":2,\"rx_no_sa\":3,"
	"\"rx_replay\":1,\"tx_no_route\":0},"
	"\"peers\":["
	"{\"id\":1,\"endpoint\":\"192.0.2.2:4500\",\"keepalive\":0,"
	"\"pin_endpoint\":false,\"last_rx_msecs\":3000," PEER_STATS ","
	"\"routes\":[\"10.1.0.0/16\",\"10.2.0.0/16\",\"fd02::/64\"],"
	"\"sas\":["
	"{\"spi\":256,\"dir\":\"out\",\"alg\":\"rfc4106(gcm(aes))\",\"key_bits\":128,"
	"\"icv_bits\":128,\"esn\":true,\"replay_window\":null,\"seq\":42,"
	"\"active\":true,\"lifetime\":{\"soft_bytes\":0,\"hard_bytes\":0,"
	"\"soft_packets\":0,\"hard_packets\":1000,\"soft_add_secs\":3600,"
	"\"hard_add_secs\":3900,\"soft_use_secs\":0,\"hard_use_secs\":0},"
	"\"add_secs\":65,\"use_secs\":3,\"expire\":\"soft\","
	"\"key_ref\":\"/etc/vtun/ab.key\"," OUT_STATS "},"
	"{\"spi\":512,\"dir\":\"in\",\"alg\":\"rfc4106(gcm(aes))\",\"key_bits\":128,"
	"\"icv_bits\":128,\"esn\":true,\"replay_window\":64,\"seq\":40,"
	"\"active\":false,\"lifetime\":null,\"add_secs\":65,\"use_secs\":null,"
	"\"expire\":null,\"key_ref\":null,\"stats\":{\"rx_packets\":40,\"rx_bytes\":4000,"
	"\"rx_replay\":1,\"rx_auth_fail\":0}}]},"
	"{\"id\":2,\"endpoint\":\"[2001:db8::2]:4500\",\"keepalive\":25,"
	"\"pin_endpoint\":true,\"last_rx_msecs\":3723000," PEER_STATS ","
	"\"routes\":[\"0.0.0.0/0\"],"
	"\"sas\":[{\"spi\":768,\"dir\":\"out\",\"alg\":\"rfc4106(gcm(aes))\","
	"\"key_bits\":128,\"icv_bits\":128,\"esn\":false,\"replay_window\":null,"
	"\"seq\":7,\"active\":false,\"lifetime\":null,\"add_secs\":null,"
	"\"use_secs\":null,\"expire\":null,\"key_ref\":null," OUT_STATS "}]},"
	"{\"id\":3,\"endpoint\":null,\"keepalive\":0,\"pin_endpoint\":false,"
	"\"last_rx_msecs\":null," PEER_STATS ",\"routes\":[],\"sas\":[]}]}]\n";

static void test_show_output(void)
{
	struct vt_dev dev;
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&dev, 0, sizeof(dev));
	build_device(&dev);

	f = open_memstream(&buf, &len);
	vt_dev_print(f, &dev);
	fclose(f);
	is_str(buf, want_text, "show text output");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init(&j, f, false);
	json_arr_open(&j);
	vt_dev_json(&j, &dev);
	json_arr_close(&j);
	json_finish(&j);
	fclose(f);
	is_str(buf, want_json, "show JSON output");
	free(buf);

	vt_dev_free(&dev);
}

static void test_runs(void)
{
	struct vt_dev dev;
	size_t n;

	memset(&dev, 0, sizeof(dev));
	build_device(&dev);
	ok(vt_dev_routes_of(&dev, 1, &n) && n == 3, "peer 1 has three routes");
	ok(vt_dev_routes_of(&dev, 99, &n) && n == 1, "orphan route found by its id");
	ok(!vt_dev_routes_of(&dev, 3, &n) && n == 0, "peer 3 has no routes");
	ok(!vt_dev_routes_of(&dev, 100, &n) && n == 0, "id past the end");
	ok(!vt_dev_sas_of(&dev, 0, &n) && n == 0, "id before the start");
	vt_dev_free(&dev);
}

int main(void)
{
	test_stat_names();
	test_stats_parse();
	test_decode_dev();
	test_decode_peer();
	test_decode_route();
	test_decode_sa();
	test_runs();
	test_show_output();
	return done_testing();
}
