/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_CONFIG_H
#define _VTUN_CONFIG_H

#include "peer.h"
#include "routes.h"
#include "sa.h"

struct netlink_ext_ack;
struct vtun_dev;

/* One peer of a whole-device configuration (VTUN_CMD_DEV_SETCONF). */
struct vtun_conf_peer {
	u32 id;
	struct vtun_peer_config cfg;
	struct vtun_peer *peer;		/* existing, or created while linking */
	struct vtun_endpoint *ep;	/* prepared for an existing peer */
	bool created;
};

struct vtun_conf_route {
	struct vtun_route_key key;
	unsigned int peer;		/* index into vtun_conf.peers */
	struct vtun_route *existing;
	bool created;
};

struct vtun_conf_sa {
	struct vtun_sa_config cfg;
	unsigned int peer;		/* index into vtun_conf.peers */
	struct vtun_sa *sa;		/* a new SA, NULL if it exists already */
	bool linked;
};

/*
 * The configuration a request asks for, checked against itself already:
 * peer ids, route prefixes and SA (direction, SPI) pairs are unique, and
 * every route and SA names a peer of the configuration.
 */
struct vtun_conf {
	u16 listen_port;
	u32 fwmark;
	u32 bind_ifindex;
	u8 outer_ttl;
	u8 outer_dscp;
	struct vtun_conf_peer *peers;
	unsigned int n_peers;
	struct vtun_conf_route *routes;
	unsigned int n_routes;
	struct vtun_conf_sa *sas;
	unsigned int n_sas;
};

int vtun_conf_replace(struct vtun_dev *vd, struct vtun_conf *conf,
		      struct netlink_ext_ack *extack);

#endif /* _VTUN_CONFIG_H */
