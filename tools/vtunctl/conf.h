/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the operator asks for: peers, routes and SAs as a command line or a
 * configuration file describes them, and the nests that carry them to the
 * kernel (the same for PEER_NEW, ROUTE_NEW, SA_NEW and DEV_SETCONF).
 *
 * Configuration files (vtunctl setconf/showconf) are INI files like
 * wg(8)'s; see conf.c and Documentation/vtunctl.8.
 */
#ifndef VTUNCTL_CONF_H
#define VTUNCTL_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "parse.h"

struct nl_msg;

struct vt_peer_cfg {
	uint32_t id;
	bool has_endpoint, has_keepalive;
	struct vt_endpoint endpoint;
	uint16_t keepalive;
	int pin;			/* -1 unchanged, 0 clear, 1 set */
};

struct vt_route_cfg {
	uint32_t peer_id;		/* 0: not given (route del) */
	struct vt_prefix prefix;
};

struct vt_sa_cfg {
	uint32_t peer_id;		/* 0: not given (sa del) */
	const char *alg;		/* a vt_aead name, NULL: AES-GCM */
	uint8_t dir;
	uint32_t spi;
	bool has_aead, esn, has_window, has_seq;
	struct vt_key key;		/* with has_aead; its ref goes along */
	uint16_t icv_bits;
	uint32_t replay_window;
	uint64_t seq;
	struct vt_lifetime lifetime;	/* the limits given (lifetime.seen) */
};

bool vt_valid_icv_bits(unsigned int bits);	/* 64, 96 or 128 */

/* One nest each (VTUN_A_PEER, VTUN_A_ROUTE, VTUN_A_SA): 0 or -ENOMEM. */
int vt_peer_cfg_put(struct nl_msg *msg, const struct vt_peer_cfg *c);
int vt_route_cfg_put(struct nl_msg *msg, const struct vt_route_cfg *c);
int vt_sa_cfg_put(struct nl_msg *msg, const struct vt_sa_cfg *c);

/* ---- configuration files ---- */

struct vt_conf_peer {
	struct vt_peer_cfg cfg;
	unsigned int line;		/* of its [Peer] */
};

struct vt_conf_route {
	struct vt_route_cfg cfg;
	unsigned int line;
};

struct vt_conf_sa {
	struct vt_sa_cfg cfg;
	unsigned int line;		/* of its [SA] */
};

struct vt_conf {
	bool has_listen_port, has_fwmark, has_ttl, has_dscp;
	uint16_t listen_port;
	uint32_t fwmark;
	uint8_t ttl, dscp;
	uint32_t bind_ifindex;		/* 0: none */
	struct vt_array peers;		/* struct vt_conf_peer, file order */
	struct vt_array routes;		/* struct vt_conf_route */
	struct vt_array sas;		/* struct vt_conf_sa, with keys */
};

/*
 * Parse a whole configuration file from @f. @name is used in messages
 * ("NAME:LINE: ..."); relative key paths are taken from @keydir (NULL: the
 * current directory). Everything is checked here, keys read and device
 * names resolved, so a file that parses can be sent as it is. Returns 0,
 * or -1 with the message in @e; either way vt_conf_free() @c.
 */
int vt_conf_parse(FILE *f, const char *name, const char *keydir,
		  struct vt_conf *c, struct vt_err *e);
/* Frees and wipes (keys) everything @c holds. */
void vt_conf_free(struct vt_conf *c);
/* The DEV_SETCONF attributes for @c: device settings, then every peer,
 * route and SA nest, in file order. 0 or -ENOMEM.
 */
int vt_conf_put(struct nl_msg *msg, const struct vt_conf *c);
/* Room the DEV_SETCONF request for @c needs, at most. */
size_t vt_setconf_size(const struct vt_conf *c);

/* A device's running configuration (from `show`'s model) in the same
 * format; Key lines (from the recorded key paths) only with @key_paths.
 */
void vt_conf_print(FILE *f, const struct vt_dev *dev, bool key_paths);

#endif
