/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_SA_H
#define _VTUN_SA_H

#include <crypto/sha2.h>
#include <linux/percpu-refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
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

/* SA lifetime limits, RFC 4301 4.4.2.1; 0 = none. */
struct vtun_lifetime {
	u64 soft_bytes;
	u64 hard_bytes;
	u64 soft_packets;
	u64 hard_packets;
	u64 soft_add_secs;
	u64 hard_add_secs;
	u64 soft_use_secs;
	u64 hard_use_secs;
};

/* Bits of vtun_sa.expired */
enum {
	VTUN_SA_SOFT_EXPIRED,	/* soft limit announced */
	VTUN_SA_HARD_EXPIRED,	/* no longer used; being deleted */
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
 * @iv_mask: outbound: the IV is the sequence number XOR this value, drawn
 *	at random for each SA, so that an SA added again with the same key
 *	(every reboot with a key file) never repeats an IV under that key
 * @packets: packets protected so far (inner packets)
 * @bytes: their bytes; with @seq_out or @replay_lock, these are written
 *	per packet anyway, so exact lifetimes cost no extra shared line
 * @replay_lock: inbound: protects @replay
 * @replay: inbound: anti-replay window
 * @lifetime: limits, fixed at creation
 * @add_time: boot-time seconds when the SA was added
 * @use_time: boot-time seconds of its first packet, 0 before
 * @expired: VTUN_SA_SOFT_EXPIRED, VTUN_SA_HARD_EXPIRED
 * @expire_reason: why the SA expired (enum vtun_sa_expire_reason)
 * @key_ref: where userspace says the key came from, or NULL
 * @key_digest: SHA-256 of key and salt, to tell whether a configuration
 *	asks for this same SA again without keeping the key itself
 * @conf_keep: scratch mark of a configuration replacement, under conf_lock
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
	u64 iv_mask;
	atomic64_t packets;
	atomic64_t bytes;
	spinlock_t replay_lock;	/* see above */
	struct vtun_replay *replay;
	struct vtun_lifetime lifetime;
	time64_t add_time;
	atomic64_t use_time;
	unsigned long expired;
	u8 expire_reason;
	const char *key_ref;
	u8 key_digest[SHA256_DIGEST_SIZE];
	bool conf_keep;
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
	const char *key_ref;
	u8 icv_len;
	bool esn;
	u32 replay_window;
	u64 seq;
	struct vtun_lifetime lifetime;
};

const struct vtun_alg *vtun_alg_find(const char *name);

int vtun_sa_table_init(struct vtun_dev *vd);
void vtun_sa_table_destroy(struct vtun_dev *vd);

void vtun_sa_config_digest(const struct vtun_sa_config *cfg, u8 *digest);
struct vtun_sa *vtun_sa_add(struct vtun_dev *vd, struct vtun_peer *peer,
			    const struct vtun_sa_config *cfg,
			    struct netlink_ext_ack *extack);
struct vtun_sa *vtun_sa_create(const struct vtun_sa_config *cfg,
			       struct netlink_ext_ack *extack);
void vtun_sa_discard(struct vtun_sa *sa);
int vtun_sa_link(struct vtun_dev *vd, struct vtun_peer *peer,
		 struct vtun_sa *sa);
void vtun_sa_activate(struct vtun_sa *sa);
bool vtun_sa_matches(const struct vtun_sa *sa, const struct vtun_sa_config *cfg,
		     u32 peer_id);
struct vtun_sa *vtun_sa_find(struct vtun_dev *vd, const struct vtun_sa_key *key);
void vtun_sa_remove(struct vtun_dev *vd, struct vtun_sa *sa);
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

/* Is the SA still to be used for new packets? */
static inline bool vtun_sa_usable(const struct vtun_sa *sa)
{
	return !test_bit(VTUN_SA_HARD_EXPIRED, &sa->expired);
}

/* The explicit IV of the packet with sequence number @seq (RFC 4106 3.1). */
static inline u64 vtun_sa_iv(const struct vtun_sa *sa, u64 seq)
{
	return seq ^ sa->iv_mask;
}

bool vtun_sa_next_seq(struct vtun_sa *sa, u64 *seq);
bool vtun_sa_next_seqs(struct vtun_sa *sa, unsigned int *n, u64 *first);
void vtun_sa_count(struct vtun_sa *sa, unsigned int packets,
		   unsigned int bytes);
time64_t vtun_sa_age(const struct vtun_sa *sa, time64_t since);

void vtun_sa_expire_work(struct work_struct *work);

#endif /* _VTUN_SA_H */
