/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_NETLINK_H
#define _VTUN_NETLINK_H

#include "uapi/linux/vtun.h"

struct vtun_peer;
struct vtun_sa;

int vtun_genl_init(void);
void vtun_genl_uninit(void);

void vtun_nl_notify_endpoint(struct vtun_peer *peer);
void vtun_nl_notify_sa_expire(struct vtun_sa *sa, enum vtun_sa_expire kind,
			      enum vtun_sa_expire_reason reason);

#endif /* _VTUN_NETLINK_H */
