// SPDX-License-Identifier: GPL-2.0
/*
 * vtun: a route-based ESP-in-UDP tunnel device.
 *
 * Module entry points. The pieces, one file each: device.c (net_device and
 * rtnl link), peer.c, routes.c, sa.c (with lifetimes), replay.c, esp.c
 * (framing and the AEAD request), crypt.c (where requests run: inline or
 * spread over CPUs in order), tx.c, rx.c, socket.c (UDP sockets, outer
 * routing), netlink.c (the generic netlink API described by
 * Documentation/netlink/specs/vtun.yaml) and config.c (DEV_SETCONF).
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "crypt.h"
#include "device.h"
#include "main.h"
#include "netlink.h"
#include "version.h"

struct workqueue_struct *vtun_wq;

static int __init vtun_init(void)
{
	int ret;

	vtun_wq = alloc_workqueue("vtun", 0, 0);
	if (!vtun_wq)
		return -ENOMEM;
	ret = vtun_crypt_init();
	if (ret)
		goto err_wq;
	ret = vtun_device_init();
	if (ret)
		goto err_crypt;
	ret = vtun_genl_init();
	if (ret)
		goto err_device;

	pr_info("vtun " VTUN_VERSION " loaded\n");
	return 0;

err_device:
	vtun_device_uninit();
err_crypt:
	vtun_crypt_uninit();
err_wq:
	destroy_workqueue(vtun_wq);
	return ret;
}

/*
 * Devices are gone once vtun_device_uninit() returns (unregistering waits
 * for every packet in flight to release them); what remains are RCU
 * callbacks and work items that ran their last reference down.
 */
static void __exit vtun_exit(void)
{
	vtun_genl_uninit();
	vtun_device_uninit();
	rcu_barrier();
	vtun_crypt_uninit();
	destroy_workqueue(vtun_wq);
}

module_init(vtun_init);
module_exit(vtun_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Route-based ESP-in-UDP (RFC 4303/3948) tunnel device");
MODULE_AUTHOR("The vtun authors");
MODULE_VERSION(VTUN_VERSION);
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(VTUN_GENL_NAME);
