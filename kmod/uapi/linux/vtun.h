/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * vtun: route-based ESP-in-UDP tunnel device.
 *
 * This header is the one contract between the vtun module and userspace
 * (vtunctl, key-exchange daemons). Attribute numbers never change; new ones
 * are only ever appended. Documentation/netlink/specs/vtun.yaml describes
 * the same family in the kernel's YAML format.
 *
 * Conventions:
 *  - every request names its device with VTUN_A_IFINDEX or VTUN_A_IFNAME;
 *  - integers are host byte order, addresses are network byte order;
 *  - keys are write-only: no reply or event ever carries VTUN_SA_A_KEY.
 *
 * VTUN_CMD_DEV_SETCONF replaces a device's whole configuration in one
 * step, or fails and changes nothing. The request holds LISTEN_PORT,
 * FWMARK, BIND_IFINDEX, OUTER_TTL and OUTER_DSCP (absent: the defaults
 * 4500, 0, 0, 0 and VTUN_DSCP_INHERIT) and any number of VTUN_A_PEER,
 * VTUN_A_ROUTE and VTUN_A_SA nests, as for the NEW commands. What exists
 * and is asked for again stays untouched (an SA is named by direction and
 * SPI and keeps its sequence numbers and window; asking for one with other
 * parameters or another key is an error: rekey with a new SPI; its SEQ
 * and KEY_REF are left as they are), what is missing is created, what is
 * not asked for is deleted. A peer's KEEPALIVE and FLAGS default to 0; a
 * peer given without endpoint keeps the one it has (learnt by roaming,
 * say). New outbound SAs become active in the order given.
 *
 * Events go to the VTUN_MCGRP_EVENTS multicast group of the device's
 * namespace (listening needs CAP_NET_ADMIN): every successful PEER_NEW,
 * PEER_SET, PEER_DEL, ROUTE_NEW, ROUTE_DEL, SA_NEW and SA_DEL is announced
 * with the same command and the object as a dump shows it, a successful
 * DEV_SETCONF with just the device (dump it again), and the kernel itself
 * reports endpoint changes (roaming) and SA expiry.
 */
#ifndef _UAPI_LINUX_VTUN_H
#define _UAPI_LINUX_VTUN_H

#define VTUN_GENL_NAME		"vtun"
#define VTUN_GENL_VERSION	1
#define VTUN_MCGRP_EVENTS	"events"

/* UDP encapsulation of ESP, RFC 3948. */
#define VTUN_DEFAULT_PORT	4500

#define VTUN_REPLAY_WINDOW_DEFAULT	64
#define VTUN_REPLAY_WINDOW_MAX		4096

/* AEADs, by their kernel crypto API names (as in ip xfrm). */
#define VTUN_ALG_AES_GCM	"rfc4106(gcm(aes))"		/* RFC 4106 */
#define VTUN_ALG_CHACHA20_POLY1305 "rfc7539esp(chacha20,poly1305)" /* RFC 7634 */

/* VTUN_A_OUTER_DSCP: copy the inner packet's DSCP (the default). */
#define VTUN_DSCP_INHERIT	0xff

enum vtun_cmd {
	VTUN_CMD_UNSPEC,
	VTUN_CMD_DEV_GET,	/* do: one device; dump: all in the netns */
	VTUN_CMD_DEV_SET,
	VTUN_CMD_PEER_NEW,
	VTUN_CMD_PEER_SET,
	VTUN_CMD_PEER_DEL,	/* also removes the peer's routes and SAs */
	VTUN_CMD_PEER_GET,	/* dump */
	VTUN_CMD_ROUTE_NEW,
	VTUN_CMD_ROUTE_DEL,
	VTUN_CMD_ROUTE_GET,	/* dump */
	VTUN_CMD_SA_NEW,
	VTUN_CMD_SA_DEL,
	VTUN_CMD_SA_GET,	/* dump */
	VTUN_CMD_PEER_ENDPOINT_NTF,	/* event: a peer's endpoint changed */
	VTUN_CMD_SA_EXPIRE_NTF,		/* event: an SA reached a lifetime */
	VTUN_CMD_DEV_SETCONF,		/* the whole configuration, see below */

	__VTUN_CMD_MAX
};

#define VTUN_CMD_MAX (__VTUN_CMD_MAX - 1)

/* Top-level attributes of every command. */
enum vtun_a {
	VTUN_A_UNSPEC,
	VTUN_A_PAD,
	VTUN_A_IFINDEX,		/* u32 */
	VTUN_A_IFNAME,		/* string */
	VTUN_A_LISTEN_PORT,	/* u16; 0 picks a free port */
	VTUN_A_FWMARK,		/* u32, set on outer packets; 0 = none */
	VTUN_A_N_PEERS,		/* u32, read-only */
	VTUN_A_N_SAS,		/* u32, read-only */
	VTUN_A_STATS,		/* nest of VTUN_STAT_*: device counters */
	VTUN_A_PEER,		/* nest of VTUN_PEER_A_* */
	VTUN_A_ROUTE,		/* nest of VTUN_ROUTE_A_* */
	VTUN_A_SA,		/* nest of VTUN_SA_A_* */
	VTUN_A_BIND_IFINDEX,	/* u32: send outer packets only through this
				 * device of the namespace the vtun device was
				 * created in; 0 = any
				 */
	VTUN_A_OUTER_TTL,	/* u8: TTL / hop limit of outer packets;
				 * 0 = the route's default (normally 64)
				 */
	VTUN_A_OUTER_DSCP,	/* u8: DSCP of outer packets, 0..63, or
				 * VTUN_DSCP_INHERIT (default) to copy the
				 * inner one; ECN always follows RFC 6040
				 */

	__VTUN_A_MAX
};

#define VTUN_A_MAX (__VTUN_A_MAX - 1)

enum vtun_peer_flags {
	/* Do not follow authenticated packets to a new address (no roaming). */
	VTUN_PEER_F_PIN_ENDPOINT = 1U << 0,
};

enum vtun_peer_a {
	VTUN_PEER_A_UNSPEC,
	VTUN_PEER_A_PAD,
	VTUN_PEER_A_ID,			/* u32, chosen by the operator, != 0 */
	VTUN_PEER_A_ENDPOINT_ADDR4,	/* 4 bytes */
	VTUN_PEER_A_ENDPOINT_ADDR6,	/* 16 bytes */
	VTUN_PEER_A_ENDPOINT_PORT,	/* u16 */
	VTUN_PEER_A_KEEPALIVE,		/* u16 seconds; 0 = off */
	VTUN_PEER_A_FLAGS,		/* u32, enum vtun_peer_flags; on SET,
					 * replaces all flags
					 */
	VTUN_PEER_A_LAST_RX_MSECS,	/* u64 ms since the last authenticated
					 * packet; absent if none yet
					 */
	VTUN_PEER_A_STATS,		/* nest of VTUN_STAT_* */

	__VTUN_PEER_A_MAX
};

#define VTUN_PEER_A_MAX (__VTUN_PEER_A_MAX - 1)

enum vtun_route_a {
	VTUN_ROUTE_A_UNSPEC,
	VTUN_ROUTE_A_PEER_ID,		/* u32 */
	VTUN_ROUTE_A_FAMILY,		/* u16, AF_INET or AF_INET6 */
	VTUN_ROUTE_A_ADDR,		/* 4 or 16 bytes, host bits zero */
	VTUN_ROUTE_A_PREFIXLEN,		/* u8 */

	__VTUN_ROUTE_A_MAX
};

#define VTUN_ROUTE_A_MAX (__VTUN_ROUTE_A_MAX - 1)

enum vtun_sa_dir {
	VTUN_DIR_IN = 1,
	VTUN_DIR_OUT = 2,
};

enum vtun_sa_flags {
	VTUN_SA_F_ESN = 1U << 0,	/* 64-bit sequence numbers, RFC 4304 */
};

enum vtun_sa_a {
	VTUN_SA_A_UNSPEC,
	VTUN_SA_A_PAD,
	VTUN_SA_A_PEER_ID,		/* u32 */
	VTUN_SA_A_DIR,			/* u8, enum vtun_sa_dir */
	VTUN_SA_A_SPI,			/* u32, >= 256 */
	VTUN_SA_A_ALG,			/* string, e.g. VTUN_ALG_AES_GCM */
	VTUN_SA_A_KEY,			/* binary key || 4-byte salt; write-only */
	VTUN_SA_A_ICV_BITS,		/* u16: 64, 96 or 128 */
	VTUN_SA_A_FLAGS,		/* u32, enum vtun_sa_flags */
	VTUN_SA_A_REPLAY_WINDOW,	/* u32, inbound only, 0..4096 */
	VTUN_SA_A_SEQ,			/* u64: out, last sequence number sent
					 * (first packet uses SEQ + 1);
					 * in, highest authenticated one
					 */
	VTUN_SA_A_KEY_BITS,		/* u16, read-only: cipher key size */
	VTUN_SA_A_STATS,		/* nest of VTUN_STAT_* */
	VTUN_SA_A_ACTIVE,		/* flag, read-only: the outbound SA that
					 * carries the peer's traffic now
					 */
	VTUN_SA_A_LIFETIME,		/* nest of VTUN_LIFETIME_A_*: limits */
	VTUN_SA_A_ADD_SECS,		/* u64, read-only: seconds since added */
	VTUN_SA_A_USE_SECS,		/* u64, read-only: seconds since first
					 * used; absent if never used
					 */
	VTUN_SA_A_EXPIRE,		/* u8, read-only, enum vtun_sa_expire:
					 * the limit reached (dump: soft only,
					 * since hard ones are deleted; event:
					 * either)
					 */
	VTUN_SA_A_EXPIRE_REASON,	/* u8, read-only (events), enum
					 * vtun_sa_expire_reason
					 */
	VTUN_SA_A_KEY_REF,		/* string, up to 255 bytes: where the
					 * key came from (a file path), kept
					 * and shown so that a configuration
					 * can be printed back without keys
					 */

	__VTUN_SA_A_MAX
};

#define VTUN_SA_A_MAX (__VTUN_SA_A_MAX - 1)

enum vtun_sa_expire {
	VTUN_SA_EXPIRE_NONE,
	VTUN_SA_EXPIRE_SOFT,	/* time to rekey: a new SA should be added */
	VTUN_SA_EXPIRE_HARD,	/* the SA is no longer used and was deleted */
};

enum vtun_sa_expire_reason {
	VTUN_SA_EXPIRE_BYTES = 1,
	VTUN_SA_EXPIRE_PACKETS,
	VTUN_SA_EXPIRE_ADD_TIME,	/* seconds since the SA was added */
	VTUN_SA_EXPIRE_USE_TIME,	/* seconds since its first packet */
	VTUN_SA_EXPIRE_SEQ_EXHAUSTED,	/* outbound sequence space used up */
};

/*
 * SA lifetimes (RFC 4301 4.4.2.1), all u64, 0 or absent = no limit. Bytes
 * and packets count inner packets. A soft limit announces VTUN_SA_EXPIRE_SOFT
 * once; a hard one deletes the SA and announces VTUN_SA_EXPIRE_HARD.
 */
enum vtun_lifetime_a {
	VTUN_LIFETIME_A_UNSPEC,
	VTUN_LIFETIME_A_PAD,
	VTUN_LIFETIME_A_SOFT_BYTES,
	VTUN_LIFETIME_A_HARD_BYTES,
	VTUN_LIFETIME_A_SOFT_PACKETS,
	VTUN_LIFETIME_A_HARD_PACKETS,
	VTUN_LIFETIME_A_SOFT_ADD_SECS,
	VTUN_LIFETIME_A_HARD_ADD_SECS,
	VTUN_LIFETIME_A_SOFT_USE_SECS,
	VTUN_LIFETIME_A_HARD_USE_SECS,

	__VTUN_LIFETIME_A_MAX
};

#define VTUN_LIFETIME_A_MAX (__VTUN_LIFETIME_A_MAX - 1)

/*
 * Counters, all u64. One attribute set serves the device, peer and SA nests;
 * each nest carries the counters that make sense for it. Every way a packet
 * can be dropped has its own counter.
 *
 * Packet and byte counts of peers and SAs are inner packets and their bytes.
 * Those of the device are its net_device statistics (ip -s link), where, as
 * for every IP tunnel, transmitted bytes include the ESP trailer and ICV.
 */
enum vtun_stat {
	VTUN_STAT_UNSPEC,
	VTUN_STAT_PAD,
	VTUN_STAT_RX_PACKETS,		/* inner packets delivered */
	VTUN_STAT_RX_BYTES,
	VTUN_STAT_TX_PACKETS,		/* inner packets sent, encrypted */
	VTUN_STAT_TX_BYTES,
	VTUN_STAT_RX_KEEPALIVES,	/* RFC 3948 NAT keepalives consumed */
	VTUN_STAT_RX_NON_ESP,		/* IKE (non-ESP marker) datagrams */
	VTUN_STAT_RX_MALFORMED,		/* too short, bad lengths or padding */
	VTUN_STAT_RX_NO_SA,		/* unknown SPI */
	VTUN_STAT_RX_REPLAY,		/* replayed or too old */
	VTUN_STAT_RX_AUTH_FAIL,		/* ICV did not verify */
	VTUN_STAT_RX_DUMMY,		/* next header 59, RFC 4303 2.6 */
	VTUN_STAT_RX_BAD_INNER,		/* not IPv4/IPv6 or inconsistent */
	VTUN_STAT_RX_BAD_SOURCE,	/* inner source not routed to peer */
	VTUN_STAT_RX_CRYPTO_ERRORS,	/* crypto failures other than auth */
	VTUN_STAT_RX_NOMEM,
	VTUN_STAT_TX_BAD_INNER,		/* not an IPv4/IPv6 packet */
	VTUN_STAT_TX_NO_ROUTE,		/* no vtun route for the inner dst */
	VTUN_STAT_TX_NO_SA,		/* peer has no outbound SA */
	VTUN_STAT_TX_NO_ENDPOINT,	/* peer address not known yet */
	VTUN_STAT_TX_SEQ_EXHAUSTED,	/* sequence space used up */
	VTUN_STAT_TX_OUTER_ROUTE,	/* no route to the peer's endpoint */
	VTUN_STAT_TX_LOOP,		/* outer route points into the tunnel */
	VTUN_STAT_TX_NOMEM,
	VTUN_STAT_TX_ERRORS,		/* crypto or other transmit errors */
	VTUN_STAT_TX_KEEPALIVES,	/* RFC 3948 NAT keepalives sent */
	VTUN_STAT_TX_TOO_BIG,		/* larger than the path allows; the
					 * sender got an ICMP error
					 */
	VTUN_STAT_RX_ECN_DROP,		/* CE outside, not ECN-capable inside
					 * (RFC 6040 4.2)
					 */
	VTUN_STAT_RX_BACKLOG,		/* decrypted, but the device's receive
					 * queue on that CPU was full
					 */

	__VTUN_STAT_MAX
};

#define VTUN_STAT_MAX (__VTUN_STAT_MAX - 1)

#endif /* _UAPI_LINUX_VTUN_H */
