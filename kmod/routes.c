// SPDX-License-Identifier: GPL-2.0
/*
 * Inner prefix to peer table: decides which peer an outgoing packet goes
 * to (longest match on the destination) and whether a decrypted packet's
 * source belongs to the peer that sent it. See struct vtun_route_table.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netlink.h>
#include <linux/rhashtable.h>
#include <linux/skbuff.h>
#include <net/ipv6.h>

#include "peer.h"
#include "routes.h"

static const struct rhashtable_params vtun_route_params = {
	.key_len		= sizeof(struct vtun_route_key),
	.key_offset		= offsetof(struct vtun_route, key),
	.head_offset		= offsetof(struct vtun_route, node),
	.automatic_shrinking	= true,
};

int vtun_routes_init(struct vtun_route_table *t)
{
	memset(t, 0, sizeof(*t));
	return rhashtable_init(&t->table, &vtun_route_params);
}

/* Routes are all gone with their peers by the time the device is freed. */
void vtun_routes_destroy(struct vtun_route_table *t)
{
	rhashtable_destroy(&t->table);
}

static void vtun_addr_mask(u8 family, union vtun_addr *dst,
			   const void *src, u8 plen)
{
	memset(dst, 0, sizeof(*dst));
	if (family == AF_INET) {
		__be32 a;

		memcpy(&a, src, sizeof(a));
		dst->v4 = plen ? a & htonl(~0U << (32 - plen)) : 0;
	} else {
		ipv6_addr_prefix(&dst->v6, src, plen);
	}
}

/* Validate a prefix from userspace and turn it into a table key. */
int vtun_route_key_init(struct vtun_route_key *key, u8 family,
			const void *addr, u8 plen,
			struct netlink_ext_ack *extack)
{
	unsigned int alen = family == AF_INET ? 4 : 16;

	memset(key, 0, sizeof(*key));
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG(extack, "Route family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (plen > alen * 8) {
		NL_SET_ERR_MSG(extack, "Prefix length too long for the address family");
		return -EINVAL;
	}
	key->family = family;
	key->plen = plen;
	vtun_addr_mask(family, &key->addr, addr, plen);
	if (memcmp(&key->addr, addr, alen)) {
		NL_SET_ERR_MSG(extack, "Prefix has host bits set beyond its length");
		return -EINVAL;
	}
	return 0;
}

static void vtun_plen_use(struct vtun_route_table *t, u8 family, u8 plen,
			  bool add)
{
	unsigned long *used = family == AF_INET ? t->used4 : t->used6;
	u32 *count = family == AF_INET ? t->count4 : t->count6;
	u8 max = family == AF_INET ? VTUN_PLEN4_MAX : VTUN_PLEN6_MAX;

	if (add) {
		if (!count[plen]++)
			set_bit(max - plen, used);
		t->n_routes++;
	} else {
		if (!--count[plen])
			clear_bit(max - plen, used);
		t->n_routes--;
	}
}

int vtun_route_add(struct vtun_route_table *t, struct vtun_peer *peer,
		   const struct vtun_route_key *key,
		   struct netlink_ext_ack *extack)
{
	struct vtun_route *r, *old;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->key = *key;
	r->peer = peer;

	old = rhashtable_lookup_get_insert_fast(&t->table, &r->node,
						vtun_route_params);
	if (old) {
		kfree(r);
		if (IS_ERR(old))
			return PTR_ERR(old);
		if (old->peer == peer)
			NL_SET_ERR_MSG(extack, "Route already exists for this peer");
		else
			NL_SET_ERR_MSG(extack, "Prefix is already routed to another peer");
		return -EEXIST;
	}
	list_add_tail(&r->peer_node, &peer->routes);
	vtun_plen_use(t, key->family, key->plen, true);
	return 0;
}

static void vtun_route_unlink(struct vtun_route_table *t, struct vtun_route *r)
{
	rhashtable_remove_fast(&t->table, &r->node, vtun_route_params);
	list_del(&r->peer_node);
	vtun_plen_use(t, r->key.family, r->key.plen, false);
	kfree_rcu(r, rcu);
}

struct vtun_route *vtun_route_find(struct vtun_route_table *t,
				   const struct vtun_route_key *key)
{
	return rhashtable_lookup_fast(&t->table, key, vtun_route_params);
}

/* Give the prefix to another peer: lookups see the old or the new one. */
void vtun_route_move(struct vtun_route *r, struct vtun_peer *peer)
{
	WRITE_ONCE(r->peer, peer);
	list_move_tail(&r->peer_node, &peer->routes);
}

void vtun_route_remove(struct vtun_route_table *t, struct vtun_route *r)
{
	vtun_route_unlink(t, r);
}

int vtun_route_del(struct vtun_route_table *t, const struct vtun_route_key *key,
		   struct vtun_peer *only_peer, u32 *peer_id,
		   struct netlink_ext_ack *extack)
{
	struct vtun_route *r;

	r = rhashtable_lookup_fast(&t->table, key, vtun_route_params);
	if (!r) {
		NL_SET_ERR_MSG(extack, "No such route on the device");
		return -ENOENT;
	}
	if (only_peer && r->peer != only_peer) {
		NL_SET_ERR_MSG(extack, "Prefix is routed to another peer");
		return -ENOENT;
	}
	*peer_id = r->peer->id;
	vtun_route_unlink(t, r);
	return 0;
}

void vtun_routes_remove_peer(struct vtun_route_table *t, struct vtun_peer *peer)
{
	struct vtun_route *r, *tmp;

	list_for_each_entry_safe(r, tmp, &peer->routes, peer_node)
		vtun_route_unlink(t, r);
}

/* Longest-prefix match; caller holds rcu_read_lock(). */
struct vtun_peer *vtun_route_lookup(struct vtun_route_table *t, u8 family,
				    const void *addr)
{
	const unsigned long *used = family == AF_INET ? t->used4 : t->used6;
	u8 max = family == AF_INET ? VTUN_PLEN4_MAX : VTUN_PLEN6_MAX;
	struct vtun_route_key key = { .family = family };
	struct vtun_route *r;
	unsigned int bit;

	for_each_set_bit(bit, used, max + 1) {
		key.plen = max - bit;
		vtun_addr_mask(family, &key.addr, addr, key.plen);
		r = rhashtable_lookup(&t->table, &key, vtun_route_params);
		if (r)
			return READ_ONCE(r->peer);
	}
	return NULL;
}

/* The network header of @skb is a validated IPv4 or IPv6 header. */
static struct vtun_peer *vtun_route_lookup_skb(struct vtun_route_table *t,
					       const struct sk_buff *skb,
					       bool dst)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *ip = ip_hdr(skb);

		return vtun_route_lookup(t, AF_INET, dst ? &ip->daddr : &ip->saddr);
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6 = ipv6_hdr(skb);

		return vtun_route_lookup(t, AF_INET6,
					 dst ? &ip6->daddr : &ip6->saddr);
	}
	return NULL;
}

struct vtun_peer *vtun_route_lookup_dst(struct vtun_route_table *t,
					const struct sk_buff *skb)
{
	return vtun_route_lookup_skb(t, skb, true);
}

struct vtun_peer *vtun_route_lookup_src(struct vtun_route_table *t,
					const struct sk_buff *skb)
{
	return vtun_route_lookup_skb(t, skb, false);
}
