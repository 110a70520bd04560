// SPDX-License-Identifier: GPL-2.0
/*
 * vtun: a route-based ESP-in-UDP tunnel device.
 *
 * Module entry points. The pieces, one file each: device.c (net_device and
 * rtnl link), peer.c, routes.c, sa.c, replay.c, esp.c (framing and AEAD),
 * tx.c, rx.c, socket.c (UDP sockets, outer routing) and netlink.c (the
 * generic netlink API described by Documentation/netlink/specs/vtun.yaml).
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "netlink.h"
#include "sa.h"
#include "version.h"

static int __init vtun_init(void)
{
	int ret;

	ret = vtun_sa_init();
	if (ret)
		return ret;
	ret = vtun_device_init();
	if (ret)
		goto err_sa;
	ret = vtun_genl_init();
	if (ret)
		goto err_device;

	pr_info("vtun " VTUN_VERSION " loaded\n");
	return 0;

err_device:
	vtun_device_uninit();
err_sa:
	vtun_sa_uninit();
	return ret;
}

static void __exit vtun_exit(void)
{
	vtun_genl_uninit();
	vtun_device_uninit();
	vtun_sa_uninit();
}

module_init(vtun_init);
module_exit(vtun_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Route-based ESP-in-UDP (RFC 4303/3948) tunnel device");
MODULE_AUTHOR("The vtun authors");
MODULE_VERSION(VTUN_VERSION);
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(VTUN_GENL_NAME);
