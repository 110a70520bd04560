/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events of the vtun family (vtunctl monitor): configuration changes the
 * kernel re-announces (setconf: the device only), endpoint changes
 * (roaming) and SA expiry, decoded
 * from their netlink messages and printed one line each.
 */
#ifndef VTUNCTL_MONITOR_H
#define VTUNCTL_MONITOR_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

struct nlmsghdr;
struct json;

struct vt_event {
	uint8_t cmd;			/* enum vtun_cmd */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	struct vt_peer peer;		/* PEER_NEW/SET/DEL, PEER_ENDPOINT_NTF */
	struct vt_route route;		/* ROUTE_NEW/DEL */
	struct vt_sa sa;		/* SA_NEW/DEL, SA_EXPIRE_NTF */
};

/* Decode one event of the family: 0, or -EBADMSG. Commands this vtunctl
 * does not know decode to their number only.
 */
int vt_event_decode(struct nlmsghdr *nlh, struct vt_event *ev);

/* "vtun0: peer add 1 endpoint 192.0.2.2:4500 keepalive off", newline. */
void vt_event_print(FILE *f, const struct vt_event *ev);
/* {"event": "peer_add", "ifname": "vtun0", "ifindex": 7, "peer": {...}} */
void vt_event_json(struct json *j, const struct vt_event *ev);

#endif
