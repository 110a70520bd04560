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
#include <linux/netlink.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "device.h"
#include "main.h"
#include "peer.h"
#include "replay.h"
#include "sa.h"

static const struct vtun_alg vtun_algs[] = {
	{
		.name		= VTUN_ALG_AES_GCM,
		.salt_len	= 4,
		.n_key_lens	= 3,
		.key_lens	= { 16, 24, 32 },
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
	free_percpu(sa->counters);
	percpu_ref_exit(&sa->ref);
	kfree(sa);
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

static struct vtun_sa *vtun_sa_alloc(const struct vtun_sa_config *cfg,
				     struct netlink_ext_ack *extack)
{
	struct vtun_sa *sa;
	int ret = -ENOMEM;

	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return ERR_PTR(-ENOMEM);

	sa->key = cfg->key;
	sa->alg = cfg->alg;
	sa->icv_len = cfg->icv_len;
	sa->key_bits = (cfg->key_material_len - cfg->alg->salt_len) * 8;
	sa->esn = cfg->esn;
	atomic64_set(&sa->seq_out, cfg->seq);
	spin_lock_init(&sa->replay_lock);
	INIT_WORK(&sa->free_work, vtun_sa_free_work);

	sa->counters = netdev_alloc_pcpu_stats(struct vtun_sa_counters);
	if (!sa->counters)
		goto err_free;
	if (cfg->key.dir == VTUN_DIR_IN) {
		sa->replay = vtun_replay_alloc(cfg->replay_window, cfg->seq,
					       GFP_KERNEL);
		if (!sa->replay)
			goto err_counters;
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
err_counters:
	free_percpu(sa->counters);
err_free:
	kfree(sa);
	return ERR_PTR(ret);
}

int vtun_sa_add(struct vtun_dev *vd, struct vtun_peer *peer,
		const struct vtun_sa_config *cfg,
		struct netlink_ext_ack *extack)
{
	struct vtun_sa *sa;
	int ret;

	lockdep_assert_held(&vd->conf_lock);

	if (!vtun_alg_key_len_ok(cfg->alg, cfg->key_material_len)) {
		NL_SET_ERR_MSG(extack,
			       "Key must be an AES key of 16, 24 or 32 bytes followed by a 4-byte salt");
		return -EINVAL;
	}
	if (rhashtable_lookup_fast(&vd->sa_table, &cfg->key, vtun_sa_params)) {
		NL_SET_ERR_MSG(extack,
			       "An SA with this SPI and direction already exists on the device");
		return -EEXIST;
	}

	sa = vtun_sa_alloc(cfg, extack);
	if (IS_ERR(sa))
		return PTR_ERR(sa);

	ret = rhashtable_insert_fast(&vd->sa_table, &sa->node, vtun_sa_params);
	if (ret) {
		/* Never published: no packet can hold it. */
		vtun_sa_destroy(sa);
		return ret;
	}

	vtun_peer_get(peer);
	sa->peer = peer;
	/* Newest first: the newest outbound SA is the one in use. */
	list_add(&sa->peer_node, &peer->sas);
	if (cfg->key.dir == VTUN_DIR_OUT)
		rcu_assign_pointer(peer->tx_sa, sa);
	vd->n_sas++;
	vtun_dev_config_changed(vd);
	return 0;
}

static struct vtun_sa *vtun_peer_newest_out_sa(struct vtun_peer *peer)
{
	struct vtun_sa *sa;

	list_for_each_entry(sa, &peer->sas, peer_node)
		if (sa->key.dir == VTUN_DIR_OUT)
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

int vtun_sa_del(struct vtun_dev *vd, const struct vtun_sa_key *key,
		struct netlink_ext_ack *extack)
{
	struct vtun_sa *sa;

	lockdep_assert_held(&vd->conf_lock);
	sa = rhashtable_lookup_fast(&vd->sa_table, key, vtun_sa_params);
	if (!sa) {
		NL_SET_ERR_MSG(extack, "No SA with this SPI and direction on the device");
		return -ENOENT;
	}
	vtun_sa_unlink(vd, sa);
	return 0;
}

void vtun_sa_remove_all_of_peer(struct vtun_dev *vd, struct vtun_peer *peer)
{
	struct vtun_sa *sa, *tmp;

	lockdep_assert_held(&vd->conf_lock);
	list_for_each_entry_safe(sa, tmp, &peer->sas, peer_node)
		vtun_sa_unlink(vd, sa);
}

/*
 * Take the next outbound sequence number. Sequence numbers never wrap
 * (RFC 4303 3.3.3): once the space is used up the SA sends nothing more.
 */
bool vtun_sa_next_seq(struct vtun_sa *sa, u64 *seq)
{
	u64 max = sa->esn ? U64_MAX : U32_MAX;
	u64 prev;

	prev = atomic64_fetch_add_unless(&sa->seq_out, 1, (s64)max);
	if (unlikely(prev == max)) {
		atomic64_inc(&sa->seq_exhausted);
		return false;
	}
	*seq = prev + 1;
	return true;
}

void vtun_sa_count(struct vtun_sa *sa, unsigned int bytes)
{
	struct vtun_sa_counters *c = this_cpu_ptr(sa->counters);

	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->packets);
	u64_stats_add(&c->bytes, bytes);
	u64_stats_update_end(&c->syncp);
}

void vtun_sa_read_stats(struct vtun_sa *sa, struct vtun_sa_stats *st)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct vtun_sa_counters *c = per_cpu_ptr(sa->counters, cpu);
		unsigned int start;
		u64 packets, bytes;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			packets = u64_stats_read(&c->packets);
			bytes = u64_stats_read(&c->bytes);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		st->packets += packets;
		st->bytes += bytes;
	}
}
