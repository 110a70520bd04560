/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_SOCKET_H
#define _VTUN_SOCKET_H

#include <linux/types.h>

struct sk_buff;
struct vtun_dev;
struct vtun_peer;

int vtun_socket_open(struct vtun_dev *vd, u16 port);
void vtun_socket_close(struct vtun_dev *vd);
void vtun_socket_set_mark(struct vtun_dev *vd, u32 fwmark);
int vtun_socket_rebind(struct vtun_dev *vd, u16 port, u32 bind_ifindex);
int vtun_socket_send(struct vtun_peer *peer, struct sk_buff *skb, u8 dsfield,
		     bool df);

#endif /* _VTUN_SOCKET_H */
