// SPDX-License-Identifier: GPL-2.0
/*
 * Security associations: one direction each, found by (direction, SPI).
 *
 * Packet paths find an SA under RCU and pin it with a per-CPU reference
 * for as long as the crypto layer holds the packet. Deleting an SA
 * unpublishes it and kills that reference; the SA, its transform and its
 * key schedule are freed once the last packet is done with it.
 */
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <linux/netlink.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "device.h"
#include "main.h"
#include "netlink.h"
#include "peer.h"
#include "replay.h"
#include "sa.h"

static const struct vtun_alg vtun_algs[] = {
	{
		.name		= VTUN_ALG_AES_GCM,
		.salt_len	= 4,
		.n_key_lens	= 3,
		.key_lens	= { 16, 24, 32 },
	}, {
		/* For routers without AES instructions (RFC 7634). */
		.name		= VTUN_ALG_CHACHA20_POLY1305,
		.salt_len	= 4,
		.n_key_lens	= 1,
		.key_lens	= { 32 },
	},
};

const struct vtun_alg *vtun_alg_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vtun_algs); i++)
		if (!strcmp(vtun_algs[i].name, name))
			return &vtun_algs[i];
	return NULL;
}

static bool vtun_alg_key_len_ok(const struct vtun_alg *alg, unsigned int len)
{
	int i;

	for (i = 0; i < alg->n_key_lens; i++)
		if (len == alg->key_lens[i] + alg->salt_len)
			return true;
	return false;
}

static const struct rhashtable_params vtun_sa_params = {
	.key_len		= sizeof(struct vtun_sa_key),
	.key_offset		= offsetof(struct vtun_sa, key),
	.head_offset		= offsetof(struct vtun_sa, node),
	.automatic_shrinking	= true,
};

static bool vtun_lifetime_timed(const struct vtun_lifetime *l)
{
	return l->soft_add_secs || l->hard_add_secs || l->soft_use_secs ||
	       l->hard_use_secs;
}

int vtun_sa_table_init(struct vtun_dev *vd)
{
	return rhashtable_init(&vd->sa_table, &vtun_sa_params);
}

/* Every SA has been deleted with its peer by now. */
void vtun_sa_table_destroy(struct vtun_dev *vd)
{
	rhashtable_destroy(&vd->sa_table);
}

struct vtun_sa *vtun_sa_lookup_in(struct vtun_dev *vd, __be32 spi)
{
	struct vtun_sa_key key = { .spi = spi, .dir = VTUN_DIR_IN };

	return rhashtable_lookup(&vd->sa_table, &key, vtun_sa_params);
}

static void vtun_sa_destroy(struct vtun_sa *sa)
{
	/* Freeing the transform wipes its key schedule (kfree_sensitive). */
	crypto_free_aead(sa->aead);
	vtun_replay_free(sa->replay);
	percpu_ref_exit(&sa->ref);
	kfree(sa->key_ref);
	/* The key digest and IV mask go with it. */
	kfree_sensitive(sa);
}

static void vtun_sa_free_work(struct work_struct *work)
{
	struct vtun_sa *sa = container_of(work, struct vtun_sa, free_work);
	struct vtun_peer *peer = sa->peer;

	vtun_sa_destroy(sa);
	vtun_peer_put(peer);
}

/* The last packet using a deleted SA is done; may run in any context. */
static void vtun_sa_release(struct percpu_ref *ref)
{
	struct vtun_sa *sa = container_of(ref, struct vtun_sa, ref);

	queue_work(vtun_wq, &sa->free_work);
}

static struct crypto_aead *vtun_sa_new_aead(const struct vtun_sa_config *cfg,
					    struct netlink_ext_ack *extack)
{
	struct crypto_aead *aead;
	int ret;

	aead = crypto_alloc_aead(cfg->alg->name, 0, 0);
	if (IS_ERR(aead)) {
		NL_SET_ERR_MSG(extack, "AEAD algorithm not available in this kernel");
		return aead;
	}
	ret = crypto_aead_setkey(aead, cfg->key_material, cfg->key_material_len);
	if (ret) {
		NL_SET_ERR_MSG(extack, "Key rejected by the AEAD algorithm");
		goto err;
	}
	ret = crypto_aead_setauthsize(aead, cfg->icv_len);
	if (ret) {
		NL_SET_ERR_MSG(extack, "ICV length not supported by the AEAD algorithm");
		goto err;
	}
	return aead;

err:
	crypto_free_aead(aead);
	return ERR_PTR(ret);
}

/* What an SA keeps to recognise its key: SHA-256 of key and salt. */
void vtun_sa_config_digest(const struct vtun_sa_config *cfg, u8 *digest)
{
	sha256(cfg->key_material, cfg->key_material_len, digest);
}

/*
 * Does an SA on the device already use this key and salt? One key for
 * both directions, or for two SAs at once, would put two streams of
 * sequence numbers, and so of IVs, under one AES-GCM key.
 */
static bool vtun_sa_key_in_use(struct vtun_dev *vd, const u8 *digest)
{
	struct vtun_peer *peer;
	struct vtun_sa *sa;
	unsigned long id;

	lockdep_assert_held(&vd->conf_lock);
	xa_for_each(&vd->peers, id, peer)
		list_for_each_entry(sa, &peer->sas, peer_node)
			if (!crypto_memneq(sa->key_digest, digest,
					   SHA256_DIGEST_SIZE))
				return true;
	return false;
}

/*
 * A new SA, not yet visible to anyone: everything that can fail in adding
 * one happens here. vtun_sa_link() publishes it, vtun_sa_discard() frees
 * it if it never was.
 */
struct vtun_sa *vtun_sa_create(const struct vtun_sa_config *cfg,
			       struct netlink_ext_ack *extack)
{
	struct vtun_sa *sa;
	int ret = -ENOMEM;

	if (!vtun_alg_key_len_ok(cfg->alg, cfg->key_material_len)) {
		NL_SET_ERR_MSG(extack,
			       "Wrong key length: AES-GCM takes 16, 24 or 32 bytes, ChaCha20-Poly1305 32, each followed by a 4-byte salt");
		return ERR_PTR(-EINVAL);
	}

	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return ERR_PTR(-ENOMEM);

	sa->key = cfg->key;
	sa->alg = cfg->alg;
	sa->icv_len = cfg->icv_len;
	sa->key_bits = (cfg->key_material_len - cfg->alg->salt_len) * 8;
	sa->esn = cfg->esn;
	atomic64_set(&sa->seq_out, cfg->seq);
	if (cfg->key.dir == VTUN_DIR_OUT)
		get_random_bytes(&sa->iv_mask, sizeof(sa->iv_mask));
	spin_lock_init(&sa->replay_lock);
	INIT_WORK(&sa->free_work, vtun_sa_free_work);
	sa->lifetime = cfg->lifetime;
	sa->add_time = ktime_get_boottime_seconds();
	vtun_sa_config_digest(cfg, sa->key_digest);
	if (cfg->key_ref) {
		sa->key_ref = kstrdup(cfg->key_ref, GFP_KERNEL);
		if (!sa->key_ref)
			goto err_free;
	}

	if (cfg->key.dir == VTUN_DIR_IN) {
		sa->replay = vtun_replay_alloc(cfg->replay_window, cfg->seq,
					       GFP_KERNEL);
		if (!sa->replay)
			goto err_free;
	}
	ret = percpu_ref_init(&sa->ref, vtun_sa_release, 0, GFP_KERNEL);
	if (ret)
		goto err_replay;

	sa->aead = vtun_sa_new_aead(cfg, extack);
	if (IS_ERR(sa->aead)) {
		ret = PTR_ERR(sa->aead);
		goto err_ref;
	}
	return sa;

err_ref:
	percpu_ref_exit(&sa->ref);
err_replay:
	vtun_replay_free(sa->replay);
err_free:
	kfree(sa->key_ref);
	kfree_sensitive(sa);
	return ERR_PTR(ret);
}

/* Free an SA that vtun_sa_link() never published: no packet can hold it. */
void vtun_sa_discard(struct vtun_sa *sa)
{
	vtun_sa_destroy(sa);
}

static void vtun_sa_expire(struct vtun_sa *sa, enum vtun_sa_expire kind,
			   enum vtun_sa_expire_reason reason);

static u64 vtun_sa_seq_max(const struct vtun_sa *sa)
{
	return sa->esn ? U64_MAX : U32_MAX;
}

/*
 * Make the SA known to the device and its peer: inbound ones start
 * receiving at once. Fails only if the SA table cannot grow. An outbound
 * SA added with its last sequence number already used is born expired:
 * announced and deleted like one that used it up, so that its successor
 * carries the traffic rather than an SA that can send nothing.
 */
int vtun_sa_link(struct vtun_dev *vd, struct vtun_peer *peer,
		 struct vtun_sa *sa)
{
	int ret;

	lockdep_assert_held(&vd->conf_lock);
	ret = rhashtable_insert_fast(&vd->sa_table, &sa->node, vtun_sa_params);
	if (ret)
		return ret;
	vtun_peer_get(peer);
	sa->peer = peer;
	/* Newest first: the newest outbound SA is the one in use. */
	list_add(&sa->peer_node, &peer->sas);
	vd->n_sas++;
	vtun_dev_config_changed(vd);
	if (vtun_lifetime_timed(&sa->lifetime))
		queue_delayed_work(vtun_wq, &vd->expire_work, HZ);
	if (sa->key.dir == VTUN_DIR_OUT &&
	    (u64)atomic64_read(&sa->seq_out) == vtun_sa_seq_max(sa))
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_HARD,
			       VTUN_SA_EXPIRE_SEQ_EXHAUSTED);
	return 0;
}

/* An outbound SA carries its peer's traffic from now on (make-before-break). */
void vtun_sa_activate(struct vtun_sa *sa)
{
	if (sa->key.dir == VTUN_DIR_OUT && vtun_sa_usable(sa))
		rcu_assign_pointer(sa->peer->tx_sa, sa);
}

/* Would @cfg for @peer_id create this very SA? Keys compare by digest. */
bool vtun_sa_matches(const struct vtun_sa *sa, const struct vtun_sa_config *cfg,
		     u32 peer_id)
{
	u8 digest[SHA256_DIGEST_SIZE];
	bool same;

	vtun_sa_config_digest(cfg, digest);
	same = sa->peer->id == peer_id && sa->alg == cfg->alg &&
	       sa->icv_len == cfg->icv_len && sa->esn == cfg->esn &&
	       !crypto_memneq(sa->key_digest, digest, sizeof(digest)) &&
	       !memcmp(&sa->lifetime, &cfg->lifetime, sizeof(sa->lifetime)) &&
	       (!sa->replay || sa->replay->window == cfg->replay_window);
	memzero_explicit(digest, sizeof(digest));
	return same;
}

struct vtun_sa *vtun_sa_add(struct vtun_dev *vd, struct vtun_peer *peer,
			    const struct vtun_sa_config *cfg,
			    struct netlink_ext_ack *extack)
{
	u8 digest[SHA256_DIGEST_SIZE];
	struct vtun_sa *sa;
	bool reused;
	int ret;

	lockdep_assert_held(&vd->conf_lock);
	if (rhashtable_lookup_fast(&vd->sa_table, &cfg->key, vtun_sa_params)) {
		NL_SET_ERR_MSG(extack,
			       "An SA with this SPI and direction already exists on the device");
		return ERR_PTR(-EEXIST);
	}
	vtun_sa_config_digest(cfg, digest);
	reused = vtun_sa_key_in_use(vd, digest);
	memzero_explicit(digest, sizeof(digest));
	if (reused) {
		NL_SET_ERR_MSG(extack,
			       "Another SA on the device has this key and salt: every SA needs a key of its own (one per direction)");
		return ERR_PTR(-EEXIST);
	}

	sa = vtun_sa_create(cfg, extack);
	if (IS_ERR(sa))
		return sa;
	ret = vtun_sa_link(vd, peer, sa);
	if (ret) {
		vtun_sa_discard(sa);
		return ERR_PTR(ret);
	}
	vtun_sa_activate(sa);
	return sa;
}

/* The SA to fall back on: the newest outbound one not expired hard. */
static struct vtun_sa *vtun_peer_newest_out_sa(struct vtun_peer *peer)
{
	struct vtun_sa *sa;

	list_for_each_entry(sa, &peer->sas, peer_node)
		if (sa->key.dir == VTUN_DIR_OUT && vtun_sa_usable(sa))
			return sa;
	return NULL;
}

static void vtun_sa_unlink(struct vtun_dev *vd, struct vtun_sa *sa)
{
	struct vtun_peer *peer = sa->peer;

	rhashtable_remove_fast(&vd->sa_table, &sa->node, vtun_sa_params);
	list_del(&sa->peer_node);
	if (rcu_access_pointer(peer->tx_sa) == sa)
		rcu_assign_pointer(peer->tx_sa, vtun_peer_newest_out_sa(peer));
	vd->n_sas--;
	vtun_dev_config_changed(vd);
	percpu_ref_kill(&sa->ref);
}

struct vtun_sa *vtun_sa_find(struct vtun_dev *vd, const struct vtun_sa_key *key)
{
	lockdep_assert_held(&vd->conf_lock);
	return rhashtable_lookup_fast(&vd->sa_table, key, vtun_sa_params);
}

void vtun_sa_remove(struct vtun_dev *vd, struct vtun_sa *sa)
{
	lockdep_assert_held(&vd->conf_lock);
	vtun_sa_unlink(vd, sa);
}

void vtun_sa_remove_all_of_peer(struct vtun_dev *vd, struct vtun_peer *peer)
{
	struct vtun_sa *sa, *tmp;

	lockdep_assert_held(&vd->conf_lock);
	list_for_each_entry_safe(sa, tmp, &peer->sas, peer_node)
		vtun_sa_unlink(vd, sa);
}

/*
 * The SA reached a limit. A soft one is announced once so that a key
 * exchange daemon rekeys; a hard one takes the SA out of use at once and
 * leaves its deletion (and announcement) to the device's expire work,
 * which may sleep. Callable from any context.
 */
static void vtun_sa_expire(struct vtun_sa *sa, enum vtun_sa_expire kind,
			   enum vtun_sa_expire_reason reason)
{
	struct vtun_dev *vd = sa->peer->vd;

	if (kind == VTUN_SA_EXPIRE_SOFT) {
		if (!test_and_set_bit(VTUN_SA_SOFT_EXPIRED, &sa->expired))
			vtun_nl_notify_sa_expire(sa, kind, reason);
		return;
	}
	if (test_and_set_bit(VTUN_SA_HARD_EXPIRED, &sa->expired))
		return;
	WRITE_ONCE(sa->expire_reason, reason);
	mod_delayed_work(vtun_wq, &vd->expire_work, 0);
}

static void vtun_sa_check_volume(struct vtun_sa *sa, u64 packets, u64 bytes)
{
	const struct vtun_lifetime *l = &sa->lifetime;

	if (l->hard_packets && packets >= l->hard_packets)
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_HARD, VTUN_SA_EXPIRE_PACKETS);
	else if (l->hard_bytes && bytes >= l->hard_bytes)
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_HARD, VTUN_SA_EXPIRE_BYTES);
	else if (l->soft_packets && packets >= l->soft_packets)
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_SOFT, VTUN_SA_EXPIRE_PACKETS);
	else if (l->soft_bytes && bytes >= l->soft_bytes)
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_SOFT, VTUN_SA_EXPIRE_BYTES);
}

static void vtun_sa_check_time(struct vtun_sa *sa, time64_t now)
{
	const struct vtun_lifetime *l = &sa->lifetime;
	time64_t used = atomic64_read(&sa->use_time);
	u64 age = now - sa->add_time, use_age = used ? now - used : 0;

	if (l->hard_add_secs && age >= l->hard_add_secs)
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_HARD, VTUN_SA_EXPIRE_ADD_TIME);
	else if (used && l->hard_use_secs && use_age >= l->hard_use_secs)
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_HARD, VTUN_SA_EXPIRE_USE_TIME);
	else if (l->soft_add_secs && age >= l->soft_add_secs)
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_SOFT, VTUN_SA_EXPIRE_ADD_TIME);
	else if (used && l->soft_use_secs && use_age >= l->soft_use_secs)
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_SOFT, VTUN_SA_EXPIRE_USE_TIME);
}

/*
 * Per device, in process context: delete the SAs that reached a hard
 * limit, and once a second check the time limits while any SA has them.
 */
void vtun_sa_expire_work(struct work_struct *work)
{
	struct vtun_dev *vd = container_of(to_delayed_work(work),
					   struct vtun_dev, expire_work);
	time64_t now = ktime_get_boottime_seconds();
	struct vtun_sa *sa, *tmp;
	struct vtun_peer *peer;
	bool timed = false;
	unsigned long id;

	mutex_lock(&vd->conf_lock);
	xa_for_each(&vd->peers, id, peer) {
		list_for_each_entry_safe(sa, tmp, &peer->sas, peer_node) {
			if (vtun_lifetime_timed(&sa->lifetime))
				vtun_sa_check_time(sa, now);
			if (vtun_sa_usable(sa)) {
				timed |= vtun_lifetime_timed(&sa->lifetime);
				continue;
			}
			vtun_nl_notify_sa_expire(sa, VTUN_SA_EXPIRE_HARD,
						 READ_ONCE(sa->expire_reason));
			vtun_sa_unlink(vd, sa);
		}
	}
	mutex_unlock(&vd->conf_lock);
	if (timed)
		queue_delayed_work(vtun_wq, &vd->expire_work, HZ);
}

/*
 * Take up to *@n consecutive sequence numbers at once, the first in
 * @first; *@n is lowered to what was left. False if none was (the SA
 * already expired hard when it gave out its last one).
 */
bool vtun_sa_next_seqs(struct vtun_sa *sa, unsigned int *n, u64 *first)
{
	u64 max = vtun_sa_seq_max(sa);
	s64 prev = atomic64_read(&sa->seq_out);
	u64 take;

	do {
		if (unlikely((u64)prev == max))
			return false;
		take = min_t(u64, *n, max - (u64)prev);
	} while (!atomic64_try_cmpxchg(&sa->seq_out, &prev, prev + take));

	*n = take;
	*first = (u64)prev + 1;
	if (unlikely((u64)prev + take == max))
		vtun_sa_expire(sa, VTUN_SA_EXPIRE_HARD,
			       VTUN_SA_EXPIRE_SEQ_EXHAUSTED);
	return true;
}

/*
 * Take the next outbound sequence number. Sequence numbers never wrap
 * (RFC 4303 3.3.3): the SA that hands out its last one expires hard.
 */
bool vtun_sa_next_seq(struct vtun_sa *sa, u64 *seq)
{
	unsigned int n = 1;

	if (unlikely(!vtun_sa_next_seqs(sa, &n, seq))) {
		/* Raced with the packet that took the last one. */
		atomic64_inc(&sa->seq_exhausted);
		return false;
	}
	return true;
}

/* Account packets protected by the SA and check its volume limits. */
void vtun_sa_count(struct vtun_sa *sa, unsigned int packets,
		   unsigned int bytes)
{
	u64 total_packets = atomic64_add_return(packets, &sa->packets);
	u64 total = atomic64_add_return(bytes, &sa->bytes);

	if (unlikely(total_packets == packets))
		atomic64_cmpxchg(&sa->use_time, 0, ktime_get_boottime_seconds());
	vtun_sa_check_volume(sa, total_packets, total);
}

/* Seconds from @since (add_time or use_time) to now. */
time64_t vtun_sa_age(const struct vtun_sa *sa, time64_t since)
{
	return ktime_get_boottime_seconds() - since;
}
