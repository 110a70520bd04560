/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_NETLINK_H
#define _VTUN_NETLINK_H

int vtun_genl_init(void);
void vtun_genl_uninit(void);

#endif /* _VTUN_NETLINK_H */
