/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_ROUTES_H
#define _VTUN_ROUTES_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>

struct netlink_ext_ack;
struct sk_buff;
struct vtun_peer;

union vtun_addr {
	__be32 v4;
	struct in6_addr v6;
};

/* Hash key of a route: the prefix with its host bits cleared. */
struct vtun_route_key {
	u8 family;
	u8 plen;
	u8 pad[2];
	union vtun_addr addr;
};

struct vtun_route {
	struct rhash_head node;
	struct vtun_route_key key;
	struct vtun_peer *peer;
	struct list_head peer_node;
	struct rcu_head rcu;
	bool conf_keep;		/* scratch mark, see config.c */
};

#define VTUN_PLEN4_MAX	32
#define VTUN_PLEN6_MAX	128

/*
 * Longest-prefix match as one hash table of exact prefixes plus, per
 * family, the set of prefix lengths in use. A lookup probes only the
 * lengths in use, longest first: real configurations use a handful of
 * lengths, so this is a few hash probes, lock-free under RCU, and adding
 * or removing a route is O(1) however many peers there are.
 * Bit (max_len - plen) is set while any route has length plen, so that
 * walking the bitmap upwards visits the longest prefixes first.
 */
struct vtun_route_table {
	struct rhashtable table;
	u32 n_routes;
	u32 count4[VTUN_PLEN4_MAX + 1];
	u32 count6[VTUN_PLEN6_MAX + 1];
	DECLARE_BITMAP(used4, VTUN_PLEN4_MAX + 1);
	DECLARE_BITMAP(used6, VTUN_PLEN6_MAX + 1);
};

int vtun_routes_init(struct vtun_route_table *t);
void vtun_routes_destroy(struct vtun_route_table *t);

int vtun_route_add(struct vtun_route_table *t, struct vtun_peer *peer,
		   const struct vtun_route_key *key,
		   struct netlink_ext_ack *extack);
int vtun_route_del(struct vtun_route_table *t, const struct vtun_route_key *key,
		   struct vtun_peer *only_peer, u32 *peer_id,
		   struct netlink_ext_ack *extack);
void vtun_routes_remove_peer(struct vtun_route_table *t, struct vtun_peer *peer);
struct vtun_route *vtun_route_find(struct vtun_route_table *t,
				   const struct vtun_route_key *key);
void vtun_route_move(struct vtun_route *r, struct vtun_peer *peer);
void vtun_route_remove(struct vtun_route_table *t, struct vtun_route *r);

int vtun_route_key_init(struct vtun_route_key *key, u8 family,
			const void *addr, u8 plen,
			struct netlink_ext_ack *extack);

struct vtun_peer *vtun_route_lookup(struct vtun_route_table *t, u8 family,
				    const void *addr);
struct vtun_peer *vtun_route_lookup_dst(struct vtun_route_table *t,
					const struct sk_buff *skb);
struct vtun_peer *vtun_route_lookup_src(struct vtun_route_table *t,
					const struct sk_buff *skb);

#endif /* _VTUN_ROUTES_H */
