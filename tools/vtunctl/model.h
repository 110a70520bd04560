/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `vtunctl show` learns from the kernel: devices, and for each its
 * peers, routes and SAs, decoded from netlink replies. Printing works on
 * this model only, so the text and JSON forms always agree.
 */
#ifndef VTUNCTL_MODEL_H
#define VTUNCTL_MODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "stats.h"

struct nlattr;
struct json;

/* A growable array of fixed-size items. */
struct vt_array {
	void *items;
	size_t n, cap;
};

void *vt_array_push(struct vt_array *a, size_t size);	/* zeroed slot */
void vt_array_free(struct vt_array *a);

struct vt_peer {
	uint32_t id;
	bool has_endpoint;
	struct vt_endpoint endpoint;
	uint16_t keepalive;
	uint32_t flags;
	bool has_last_rx;
	uint64_t last_rx_msecs;
	struct vt_stats stats;
};

struct vt_route {
	uint32_t peer_id;
	struct vt_prefix prefix;
};

#define VT_ALG_MAX 64

struct vt_sa {
	uint32_t peer_id;
	uint8_t dir;
	uint32_t spi;
	char alg[VT_ALG_MAX];
	uint16_t icv_bits, key_bits;
	uint32_t flags;
	bool has_replay_window;
	uint32_t replay_window;
	bool has_seq;
	uint64_t seq;
	bool active;
	bool has_lifetime, has_add_secs, has_use_secs;
	struct vt_lifetime lifetime;	/* the limits, 0 for none */
	uint64_t add_secs, use_secs;	/* since added, since first used */
	uint8_t expire;			/* enum vtun_sa_expire */
	uint8_t expire_reason;		/* enum vtun_sa_expire_reason */
	char key_ref[VT_KEY_REF_MAX + 1];	/* "" when not recorded */
	struct vt_stats stats;
};

struct vt_dev {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	bool has_listen_port, has_fwmark, has_counts, has_bind;
	bool has_ttl, has_dscp;
	uint8_t ttl;			/* outer TTL, 0: the route's */
	uint8_t dscp;			/* outer DSCP, or VTUN_DSCP_INHERIT */
	uint16_t listen_port;
	uint32_t fwmark;
	uint32_t bind_ifindex;		/* 0: any */
	char bind_dev[IF_NAMESIZE];	/* its name here, "" if unknown */
	uint32_t n_peers, n_sas;
	struct vt_stats stats;
	struct vt_array peers;		/* struct vt_peer, sorted by id */
	struct vt_array routes;		/* struct vt_route, by peer, prefix */
	struct vt_array sas;		/* struct vt_sa, by peer, out first, spi */
};

void vt_dev_free(struct vt_dev *dev);
/* Frees an array of struct vt_dev and what each holds. */
void vt_devs_free(struct vt_array *devs);
/* What `show` collects: the device @ifname, or all if NULL, with their
 * peers, routes and SAs, sorted. Returns an exit code; vt_devs_free()
 * @devs either way.
 */
int vt_dev_fetch(const char *ifname, struct vt_array *devs);
/* bind-dev IFNAME|none: the device's index in this namespace, or 0;
 * @what names the setting in messages.
 */
int vt_resolve_bind_dev(const char *what, const char *name, uint32_t *ifindex,
			struct vt_err *e);
/* dscp DSCP|inherit: 0..63, or VTUN_DSCP_INHERIT. */
int vt_parse_dscp(const char *s, uint8_t *dscp, struct vt_err *e);
void vt_dev_sort(struct vt_dev *dev);
/* The routes or SAs of one peer: a run in the sorted arrays. */
const struct vt_route *vt_dev_routes_of(const struct vt_dev *dev,
					uint32_t peer_id, size_t *count);
const struct vt_sa *vt_dev_sas_of(const struct vt_dev *dev, uint32_t peer_id,
				  size_t *count);

/* Decode one reply (top-level attributes) into the model: 0 or -EBADMSG. */
int vt_dev_from_attrs(struct nlattr **tb, struct vt_dev *dev);
int vt_peer_from_attrs(struct nlattr **tb, struct vt_peer *peer);
int vt_route_from_attrs(struct nlattr **tb, struct vt_route *route);
int vt_sa_from_attrs(struct nlattr **tb, struct vt_sa *sa);

void vt_dev_print(FILE *f, const struct vt_dev *dev);
void vt_dev_json(struct json *j, const struct vt_dev *dev);
void vt_peer_print(FILE *f, const struct vt_dev *dev, const struct vt_peer *peer);
void vt_peer_json(struct json *j, const struct vt_dev *dev,
		  const struct vt_peer *peer);
void vt_routes_print(FILE *f, const struct vt_route *routes, size_t n);
void vt_routes_json(struct json *j, const struct vt_route *routes, size_t n);
void vt_sa_print(FILE *f, const struct vt_sa *sa);
/* The parameters after the SPI: "rfc4106(gcm(aes)) 128-bit icv 128 ..." */
void vt_sa_print_params(FILE *f, const struct vt_sa *sa);
void vt_sa_json(struct json *j, const struct vt_sa *sa);
/* The members of vt_sa_json()'s object, for objects that add their own. */
void vt_sa_json_fields(struct json *j, const struct vt_sa *sa);
void vt_peer_json_fields(struct json *j, const struct vt_peer *peer);
void vt_route_json(struct json *j, const struct vt_route *route);

const char *vt_dir_name(uint8_t dir);		/* "in", "out", "?" */
const char *vt_expire_name(uint8_t expire);	/* "soft", "hard", NULL */
const char *vt_expire_reason_name(uint8_t reason);	/* "packets", NULL */

#endif
