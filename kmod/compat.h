/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel compatibility: what vtun needs from Linux 5.10 to 6.12 where the
 * kernel's API differs between versions. kmod/Kbuild includes this file
 * before every source file (-include), after kmod/compat/probe.sh has
 * written compat-gen.h with the facts about the kernel being built for
 * (VTUN_HAVE_*). The facts come from compiling snippets against that
 * kernel's headers, not from its version number, so backports are seen.
 *
 * Three kinds of shims:
 *  - the kernel lacks a newer helper: define it here under its kernel name
 *    (netdev_hold, dev_get_tstats64, DEV_STATS_INC, GENL_REQ_ATTR_CHECK, ...),
 *    so callers need not change;
 *  - a signature or field changed: a vtun_ helper or macro that callers use
 *    instead (vtun_crypto_cb_data, vtun_genl_dumpit_attrs,
 *    vtun_netdev_set_lltx, VTUN_GENL_MCGRP_FLAGS);
 *  - a header moved: compat/include/ holds stand-ins that the compiler
 *    only finds when the kernel has no header of that name (-idirafter).
 * Documentation/packaging.rst lists every probe and shim.
 */
#ifndef _VTUN_COMPAT_H
#define _VTUN_COMPAT_H

#include "compat-gen.h"

#include <linux/crypto.h>
#include <linux/netdevice.h>
#include <linux/timer.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#if VTUN_HAVE_NET_GSO_H
#include <net/gso.h>	/* 6.5: skb_gso_segment() left netdevice.h */
#endif

/* ---- crypto: completion callbacks (6.3) ---- */

/*
 * An AEAD completion callback's first parameter, and the request data
 * (aead_request_set_callback()'s last argument) from it:
 *	static void done(VTUN_CRYPTO_CB_ARG arg, int err)
 *	{
 *		struct vtun_crypt_job *job = vtun_crypto_cb_data(arg);
 */
#if VTUN_HAVE_CRYPTO_CB_DATA
#define VTUN_CRYPTO_CB_ARG		void *
#define vtun_crypto_cb_data(arg)	(arg)
#else
#define VTUN_CRYPTO_CB_ARG		struct crypto_async_request *
#define vtun_crypto_cb_data(arg)	((arg)->data)
#endif

/* ---- generic netlink ---- */

/* The attributes a dump request was parsed into (6.6: in info.attrs). */
static inline struct nlattr **vtun_genl_dumpit_attrs(struct netlink_callback *cb)
{
#if VTUN_HAVE_GENL_DUMPIT_INFO_ATTRS
	return genl_dumpit_info(cb)->attrs;
#else
	return genl_dumpit_info(cb)->info.attrs;
#endif
}

/*
 * Multicast group flags (GENL_MCAST_CAP_NET_ADMIN: 6.7, backported to the
 * stable kernels). Without them every user may listen to the group:
 *	{ .name = "events", VTUN_GENL_MCGRP_FLAGS(GENL_MCAST_CAP_NET_ADMIN) },
 */
#if VTUN_HAVE_GENL_MCAST_CAP
#define VTUN_GENL_MCGRP_FLAGS(f)	.flags = (f)
#else
#define VTUN_GENL_MCGRP_FLAGS(f)
#endif

/* 6.0: required attributes, reported in the extended ACK. */
#if !VTUN_HAVE_GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) ({				\
	struct genl_info *__info = (info);				\
	bool __missing = !__info->attrs[attr];				\
									\
	if (__missing)							\
		NL_SET_ERR_MSG(__info->extack, "Missing required attribute"); \
	__missing;							\
})
#endif

#if !VTUN_HAVE_NL_REQ_ATTR_CHECK
#define NL_REQ_ATTR_CHECK(extack, nest, tb, type) ({			\
	bool __missing = !(tb)[type];					\
									\
	if (__missing)							\
		NL_SET_ERR_MSG_ATTR(extack, nest,			\
				    "Missing required attribute");	\
	__missing;							\
})
#endif

/*
 * After 5.10: a flags attribute with unknown bits is refused. vtun's masks
 * are all low bits (2^n - 1), for which a maximum is the same check.
 */
#if !VTUN_HAVE_NLA_POLICY_MASK
#define NLA_POLICY_MASK(tp, mask)	NLA_POLICY_MAX(tp, mask)
#endif

/* ---- net_device ---- */

/* 5.17/6.0: tracked references to a net_device. */
#if !VTUN_HAVE_NETDEVICE_TRACKER
struct vtun_netdevice_tracker {};
#define netdevice_tracker	struct vtun_netdevice_tracker
#endif

/* The tracker is void * here only because checkpatch cannot parse the macro. */
#if !VTUN_HAVE_NETDEV_HOLD
static inline void netdev_hold(struct net_device *dev, void *tracker, gfp_t gfp)
{
#if VTUN_HAVE_DEV_HOLD_TRACK
	dev_hold_track(dev, tracker, gfp);
#else
	dev_hold(dev);
#endif
}

static inline void netdev_put(struct net_device *dev, void *tracker)
{
#if VTUN_HAVE_DEV_HOLD_TRACK
	dev_put_track(dev, tracker);
#else
	dev_put(dev);
#endif
}
#endif

/* 5.11: ndo_get_stats64 for devices counting in dev->tstats. */
#if !VTUN_HAVE_DEV_GET_TSTATS64
static inline void dev_get_tstats64(struct net_device *dev,
				    struct rtnl_link_stats64 *s)
{
	netdev_stats_to_stats64(s, &dev->stats);
	dev_fetch_sw_netstats(s, dev->tstats);
}
#endif

/*
 * 6.2, backported to stable kernels: race-free dev->stats counters
 * (DEV_STATS_INC and DEV_STATS_ADD came together).
 */
#if !VTUN_HAVE_DEV_STATS_INC
#define DEV_STATS_INC(dev, field)	\
	atomic_long_inc((atomic_long_t *)&(dev)->stats.field)
#define DEV_STATS_ADD(dev, field, n)	\
	atomic_long_add(n, (atomic_long_t *)&(dev)->stats.field)
#endif

/* 6.12: lockless transmit is dev->lltx, no longer NETIF_F_LLTX. */
static inline void vtun_netdev_set_lltx(struct net_device *dev)
{
#if VTUN_HAVE_NETDEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* ---- timers ---- */

#if !VTUN_HAVE_FROM_TIMER
#define from_timer(var, timer, field)	timer_container_of(var, timer, field)
#endif

/*
 * del_timer_sync() is timer_delete_sync() since 6.2 (backported to 6.1 and
 * other stable kernels); the old name is deprecated, and gone in 6.16.
 */
#if !VTUN_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(timer)	del_timer_sync(timer)
#endif

#endif /* _VTUN_COMPAT_H */
