/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_SA_H
#define _VTUN_SA_H

#include <linux/percpu-refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "uapi/linux/vtun.h"

struct crypto_aead;
struct netlink_ext_ack;
struct vtun_dev;
struct vtun_peer;
struct vtun_replay;

/* Lookup key of an SA: inbound SPIs are what the network names. */
struct vtun_sa_key {
	__be32 spi;
	u32 dir;
};

struct vtun_sa_counters {
	u64_stats_t packets;
	u64_stats_t bytes;
	struct u64_stats_sync syncp;
};

/**
 * struct vtun_sa - one direction of a security association
 * @node: entry in the device's SA table
 * @key: direction and SPI
 * @peer_node: entry in the peer's SA list, under the device's conf_lock
 * @peer: the peer this SA protects traffic for (holds a reference)
 * @ref: taken by every packet in flight, so an SA deleted while the crypto
 *	layer still works on one of its packets lives until that completes
 * @free_work: frees the SA in process context once @ref drops to zero
 * @aead: the transform, keyed once at creation; its key schedule is wiped
 *	by the crypto API when the transform is freed
 * @alg: static descriptor of the algorithm
 * @icv_len: integrity check value length in bytes
 * @key_bits: cipher key size, for display
 * @esn: 64-bit extended sequence numbers (RFC 4304)
 * @seq_out: outbound: last sequence number used
 * @replay_lock: inbound: protects @replay
 * @replay: inbound: anti-replay window
 * @counters: per-CPU packet and byte counters
 * @replay_drops: inbound: packets rejected as replayed or too old
 * @auth_fails: inbound: packets whose ICV did not verify
 * @seq_exhausted: outbound: packets not sent because the sequence space
 *	is used up
 */
struct vtun_sa {
	struct rhash_head node;
	struct vtun_sa_key key;
	struct list_head peer_node;
	struct vtun_peer *peer;
	struct percpu_ref ref;
	struct work_struct free_work;
	struct crypto_aead *aead;
	const struct vtun_alg *alg;
	u8 icv_len;
	u16 key_bits;
	bool esn;
	atomic64_t seq_out;
	spinlock_t replay_lock;	/* see above */
	struct vtun_replay *replay;
	struct vtun_sa_counters __percpu *counters;
	atomic64_t replay_drops;
	atomic64_t auth_fails;
	atomic64_t seq_exhausted;
};

/* An AEAD the module accepts, by its crypto API name. */
struct vtun_alg {
	const char *name;
	u8 salt_len;
	u8 n_key_lens;
	u8 key_lens[3];		/* cipher key bytes, without salt */
};

/* Parameters of a new SA, validated by netlink. */
struct vtun_sa_config {
	struct vtun_sa_key key;
	const struct vtun_alg *alg;
	const u8 *key_material;	/* key || salt */
	unsigned int key_material_len;
	u8 icv_len;
	bool esn;
	u32 replay_window;
	u64 seq;
};

const struct vtun_alg *vtun_alg_find(const char *name);

int vtun_sa_table_init(struct vtun_dev *vd);
void vtun_sa_table_destroy(struct vtun_dev *vd);

int vtun_sa_add(struct vtun_dev *vd, struct vtun_peer *peer,
		const struct vtun_sa_config *cfg,
		struct netlink_ext_ack *extack);
int vtun_sa_del(struct vtun_dev *vd, const struct vtun_sa_key *key,
		struct netlink_ext_ack *extack);
void vtun_sa_remove_all_of_peer(struct vtun_dev *vd, struct vtun_peer *peer);

struct vtun_sa *vtun_sa_lookup_in(struct vtun_dev *vd, __be32 spi);

/* Packet paths: hold an SA for the life of one packet. */
static inline bool vtun_sa_get(struct vtun_sa *sa)
{
	return percpu_ref_tryget_live(&sa->ref);
}

static inline void vtun_sa_put(struct vtun_sa *sa)
{
	percpu_ref_put(&sa->ref);
}

bool vtun_sa_next_seq(struct vtun_sa *sa, u64 *seq);
void vtun_sa_count(struct vtun_sa *sa, unsigned int bytes);

struct vtun_sa_stats {
	u64 packets;
	u64 bytes;
};

void vtun_sa_read_stats(struct vtun_sa *sa, struct vtun_sa_stats *st);

#endif /* _VTUN_SA_H */
