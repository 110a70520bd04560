// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit batching: the segments of one GSO packet leave as one UDP GSO
 * packet.
 *
 * A TCP sender hands the device up to 64 KiB at a time. Each segment must
 * become an ESP packet of its own (its own sequence number, IV and ICV),
 * but all of them go to the same peer behind the same outer headers. So
 * they are laid end to end in the page fragments of one skb marked
 * SKB_GSO_UDP_L4, every one but the last of one length: the outer route,
 * netfilter, the qdisc, a veth or a NIC with UDP segmentation offload see
 * one packet instead of dozens, and it is cut into datagrams as late as
 * the kernel can (in the NIC, or in validate_xmit_skb() before a device
 * without the offload), each with its own UDP and IP header.
 *
 * Each segment is encrypted out of place, straight from its fragments
 * into its slot in the batch, so segmenting need not copy the payload into
 * a linear buffer first. Requests may complete later and elsewhere (crypt.c):
 * the batch goes out when the last of them has, which keeps each peer's
 * order, since crypt.c completes a peer's requests in order.
 *
 * The price: the datagrams of a batch carry a UDP checksum (RFC 3948 lets
 * IPv4 ESP-in-UDP go without one, but UDP segmentation always sets it),
 * which costs nothing where the NIC offloads it.
 *
 * Off by default: in our emulated 2-CPU test VM batched TCP ran at 0.7 to
 * 0.85 times the throughput of packets sent one by one (bench/, see
 * Documentation/performance.rst). It is built and tested for hardware
 * where per-packet costs outside the crypto dominate, to be measured there.
 */
#include <linux/moduleparam.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "datapath.h"
#include "device.h"
#include "esp.h"
#include "peer.h"
#include "sa.h"
#include "socket.h"
#include "tx.h"

static bool outer_gso;
module_param(outer_gso, bool, 0644);
MODULE_PARM_DESC(outer_gso,
		 "Send the ESP packets of one GSO packet as one UDP GSO packet (default off)");

/*
 * Limits of one batch: an outer UDP length that fits its 16-bit field
 * behind an IPv6 header, and 32 datagrams. The second matters more: two
 * CPUs transmitting for one peer fill two batches at once, and across a
 * veth each batch is received on its sender's CPU, so the receiver sees
 * the two interleaved. Each batch takes consecutive sequence numbers, so
 * the packets of two racing batches stay within 64 of each other: inside
 * the default replay window, which would otherwise drop them.
 */
#define VTUN_TXB_MAX_SEGS	32
#define VTUN_TXB_MAX_BYTES	(U16_MAX - sizeof(struct ipv6hdr) - \
				 sizeof(struct udphdr))

struct vtun_tx_batch {
	struct sk_buff *out;	/* headroom, then ESP packets in page frags */
	struct vtun_sa *sa;	/* referenced until the batch is sent */
	refcount_t pending;	/* requests in flight, +1 while filling */
	u64 next_seq;		/* of the next ESP packet added */
	unsigned int esp_len;	/* of every ESP packet but the last */
	unsigned int used;	/* bytes of @out that hold ESP packets */
	unsigned int count;	/* ESP packets in @out */
	unsigned int inner_bytes;
	int err;		/* a failed request spoils the whole batch */
	u8 inner_dsfield;
	bool outer_df;
};

bool vtun_tx_batching(void)
{
	return READ_ONCE(outer_gso);
}

/*
 * How many of the segments from @seg on fit in one batch (at least one):
 * UDP GSO wants every datagram but the last of one length.
 */
static unsigned int vtun_txb_plan(const struct sk_buff *seg,
				  unsigned int icv_len)
{
	unsigned int first = vtun_esp_packet_len(seg->len, icv_len);
	unsigned int n = 0, used = 0, len;

	for (; seg && n < VTUN_TXB_MAX_SEGS; seg = seg->next) {
		len = vtun_esp_packet_len(seg->len, icv_len);
		if (n && (len > first || used + len > VTUN_TXB_MAX_BYTES))
			break;
		n++;
		used += len;
		if (len < first)
			break;
	}
	return n;
}

/*
 * Open a batch for the first *@n segments from @seg, holding its own SA
 * reference and *@n sequence numbers (fewer, if the SA runs out).
 */
static struct vtun_tx_batch *vtun_txb_open(struct vtun_dev *vd,
					   struct vtun_sa *sa,
					   const struct sk_buff *seg,
					   unsigned int *n, bool outer_df)
{
	struct vtun_tx_batch *b;

	b = kzalloc(sizeof(*b), GFP_ATOMIC);
	if (!b)
		return NULL;
	b->out = alloc_skb(vd->dev->needed_headroom, GFP_ATOMIC);
	if (!b->out)
		goto err_free;
	/* Not counted here: vtun_tx_one() counts what cannot be sent. */
	if (unlikely(!vtun_sa_usable(sa) || !vtun_sa_get(sa)))
		goto err_free_out;
	if (unlikely(!vtun_sa_next_seqs(sa, n, &b->next_seq))) {
		vtun_sa_put(sa);
		goto err_free_out;
	}
	skb_reserve(b->out, vd->dev->needed_headroom);
	refcount_set(&b->pending, 1);
	b->sa = sa;
	b->esp_len = vtun_esp_packet_len(seg->len, sa->icv_len);
	b->inner_dsfield = vtun_inner_dsfield(seg);
	b->outer_df = outer_df;
	return b;

err_free_out:
	kfree_skb(b->out);
err_free:
	kfree(b);
	return NULL;
}

/* Add whole pages to @out until @len more bytes fit behind those used. */
static int vtun_txb_reserve(struct vtun_tx_batch *b, unsigned int len)
{
	struct sk_buff *out = b->out;
	struct page *page;
	int i;

	while (out->len < b->used + len) {
		i = skb_shinfo(out)->nr_frags;
		if (WARN_ON_ONCE(i >= MAX_SKB_FRAGS))
			return -EMSGSIZE;
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
		if (!page)
			return -ENOMEM;
		skb_fill_page_desc(out, i, page, 0, PAGE_SIZE);
		out->len += PAGE_SIZE;
		out->data_len += PAGE_SIZE;
		out->truesize += PAGE_SIZE;
	}
	return 0;
}

/* Make @out one UDP GSO packet of @b->count datagrams, or a plain one. */
static int vtun_txb_finish(struct vtun_tx_batch *b)
{
	struct sk_buff *out = b->out;
	int ret;

	ret = pskb_trim(out, b->used);
	if (ret)
		return ret;
	/*
	 * The tunnel layer counts device tx bytes from the inner network
	 * header on: skipping one ESP header and IV per packet counts what
	 * a packet sent alone would (see vtun_esp_encrypt()).
	 */
	skb_set_inner_network_header(out, b->count * VTUN_ESP_HEAD_LEN);
	if (b->count < 2)
		return 0;
	skb_shinfo(out)->gso_size = b->esp_len;
	skb_shinfo(out)->gso_type = SKB_GSO_UDP_L4;
	skb_shinfo(out)->gso_segs = b->count;
	/* UDP segmentation wants the checksum pending on the UDP header. */
	out->ip_summed = CHECKSUM_PARTIAL;
	out->csum_start = skb_headroom(out) - sizeof(struct udphdr);
	out->csum_offset = offsetof(struct udphdr, check);
	return 0;
}

/* The tunnel layer counted the batch as one packet: add the others. */
static void vtun_txb_count_dev(struct vtun_dev *vd, unsigned int more)
{
	struct pcpu_sw_netstats *tstats = this_cpu_ptr(vd->dev->tstats);

	u64_stats_update_begin(&tstats->syncp);
	u64_stats_add(&tstats->tx_packets, more);
	u64_stats_update_end(&tstats->syncp);
}

static void vtun_txb_send(struct vtun_tx_batch *b)
{
	struct vtun_sa *sa = b->sa;
	struct vtun_peer *peer = sa->peer;
	struct vtun_dev *vd = peer->vd;
	int err = READ_ONCE(b->err);

	if (!b->count) {
		consume_skb(b->out);
		goto out;
	}
	if (likely(!err))
		err = vtun_txb_finish(b);
	if (unlikely(err)) {
		vtun_count_n(vd, err == -ENOMEM ? VTUN_STAT_TX_NOMEM :
			     VTUN_STAT_TX_ERRORS, b->count);
		DEV_STATS_ADD(vd->dev, tx_errors, b->count);
		kfree_skb(b->out);
		goto out;
	}
	if (likely(!vtun_socket_send(peer, b->out,
				     vtun_tx_outer_dsfield(vd, b->inner_dsfield),
				     b->outer_df))) {
		vtun_txb_count_dev(vd, b->count - 1);
		vtun_sa_count(sa, b->count, b->inner_bytes);
		vtun_peer_count_tx(peer, b->count, b->inner_bytes);
	}
out:
	vtun_sa_put(sa);
	kfree(b);
}

static void vtun_txb_put(struct vtun_tx_batch *b)
{
	if (refcount_dec_and_test(&b->pending))
		vtun_txb_send(b);
}

/* A segment's ESP packet is in place in the batch (or failed to be). */
static void vtun_txb_encrypted(struct sk_buff *seg, int err)
{
	struct vtun_tx_batch *b = VTUN_SKB_CB(seg)->batch;

	if (unlikely(err)) {
		WRITE_ONCE(b->err, err);
		kfree_skb(seg);
	} else {
		consume_skb(seg);
	}
	vtun_txb_put(b);
}

/* Encrypt @seg into the next slot of the batch; consumes it. */
static void vtun_txb_add(struct vtun_dev *vd, struct vtun_tx_batch *b,
			 struct sk_buff *seg, unsigned int esp_len)
{
	u64 seq = b->next_seq++;
	unsigned int off;
	int ret;

	if (unlikely((seg->ip_summed == CHECKSUM_PARTIAL &&
		      skb_checksum_help(seg)) ||
		     (skb_has_frag_list(seg) && skb_linearize(seg)) ||
		     vtun_txb_reserve(b, esp_len))) {
		vtun_count(vd, VTUN_STAT_TX_NOMEM);
		goto drop;
	}

	off = b->used;
	b->used += esp_len;
	b->count++;
	b->inner_bytes += seg->len;

	memset(VTUN_SKB_CB(seg), 0, sizeof(struct vtun_skb_cb));
	VTUN_SKB_CB(seg)->batch = b;
	refcount_inc(&b->pending);
	ret = vtun_esp_encrypt_into(seg, b->out, off, b->sa, seq,
				    vtun_tx_next_header(seg),
				    vtun_txb_encrypted);
	if (ret != -EINPROGRESS)
		vtun_txb_encrypted(seg, ret);
	return;

drop:
	DEV_STATS_INC(vd->dev, tx_dropped);
	kfree_skb(seg);
}

/* Send the first @n segments of @segs one by one; returns the rest. */
static struct sk_buff *vtun_txb_unbatched(struct vtun_dev *vd,
					  struct vtun_sa *sa,
					  struct sk_buff *segs, unsigned int n,
					  bool outer_df)
{
	struct sk_buff *seg;

	while (n-- && segs) {
		seg = segs;
		segs = seg->next;
		skb_mark_not_on_list(seg);
		vtun_tx_one(vd, sa, seg, outer_df);
	}
	return segs;
}

/*
 * Segment a GSO packet and send its segments in as few UDP GSO packets as
 * the limits above allow; consumes it.
 */
void vtun_tx_gso_batched(struct vtun_dev *vd, struct vtun_sa *sa,
			 struct sk_buff *skb, bool outer_df)
{
	struct sk_buff *segs, *seg;
	struct vtun_tx_batch *b;
	unsigned int n, got;

	/* Segments keep referring to the payload's pages: nothing is copied. */
	segs = vtun_tx_segment(vd, skb, NETIF_F_SG | NETIF_F_HIGHDMA);
	while (segs) {
		n = vtun_txb_plan(segs, sa->icv_len);
		got = n;
		b = vtun_txb_open(vd, sa, segs, &got, outer_df);
		if (unlikely(!b)) {
			/* No memory, or no SA: the single path copes or counts. */
			segs = vtun_txb_unbatched(vd, sa, segs, n, outer_df);
			continue;
		}
		while (got--) {
			seg = segs;
			segs = seg->next;
			skb_mark_not_on_list(seg);
			skb_dst_drop(seg);
			vtun_txb_add(vd, b, seg,
				     vtun_esp_packet_len(seg->len, sa->icv_len));
		}
		vtun_txb_put(b);
	}
}
