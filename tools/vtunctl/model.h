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
	struct vt_stats stats;
};

struct vt_dev {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	bool has_listen_port, has_fwmark, has_counts;
	uint16_t listen_port;
	uint32_t fwmark;
	uint32_t n_peers, n_sas;
	struct vt_stats stats;
	struct vt_array peers;		/* struct vt_peer, sorted by id */
	struct vt_array routes;		/* struct vt_route, by peer, prefix */
	struct vt_array sas;		/* struct vt_sa, by peer, out first, spi */
};

void vt_dev_free(struct vt_dev *dev);
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
void vt_sa_json(struct json *j, const struct vt_sa *sa);

#endif
