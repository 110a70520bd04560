// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: UDP datagram on the device's socket -> NAT keepalive, non-ESP
 * marker or ESP -> inbound SA by SPI -> replay pre-check -> decrypt ->
 * replay advance -> roaming -> trailer and inner packet checks -> the
 * inner source must be routed to the same peer -> deliver on the device.
 *
 * Everything here is hostile input: each check comes before the read it
 * protects, and each way to fail has its own counter.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/udp.h>

#include "datapath.h"
#include "device.h"
#include "esp.h"
#include "peer.h"
#include "replay.h"
#include "routes.h"
#include "sa.h"

static void vtun_rx_drop(struct vtun_dev *vd, struct sk_buff *skb,
			 enum vtun_stat why)
{
	vtun_count(vd, why);
	/* Dummy packets (RFC 4303 2.6) are legitimate: no error. */
	if (why == VTUN_STAT_RX_DUMMY) {
		consume_skb(skb);
		return;
	}
	if (why == VTUN_STAT_RX_NOMEM)
		DEV_STATS_INC(vd->dev, rx_dropped);
	else
		DEV_STATS_INC(vd->dev, rx_errors);
	kfree_skb(skb);
}

/* Leave skb->network_header at a sane inner IPv4/IPv6 packet, or fail. */
static bool vtun_rx_inner_ok(struct sk_buff *skb, u8 next_header)
{
	unsigned int len;

	skb_reset_network_header(skb);
	if (next_header == VTUN_NEXTHDR_IPV4) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		len = ntohs(iph->tot_len);
		if (iph->version != 4 || iph->ihl < 5 || len < iph->ihl * 4)
			return false;
		skb->protocol = htons(ETH_P_IP);
	} else if (next_header == VTUN_NEXTHDR_IPV6) {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return false;
		ip6h = ipv6_hdr(skb);
		/* A zero payload length would be a jumbogram: not over ESP. */
		len = ntohs(ip6h->payload_len) + sizeof(*ip6h);
		if (ip6h->version != 6 || !ip6h->payload_len)
			return false;
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		return false;
	}
	/* Anything after the inner packet is TFC padding (RFC 4303 2.7). */
	return len <= skb->len && !pskb_trim(skb, len);
}

static u8 vtun_outer_dsfield(const struct sk_buff *skb)
{
	if (ip_hdr(skb)->version == 4)
		return ipv4_get_dsfield(ip_hdr(skb));
	return ipv6_get_dsfield(ipv6_hdr(skb));
}

/*
 * The ICV verified and the sequence number was fresh: finish the packet.
 * Returns the reason to drop it, or 0 once it was handed to the stack.
 */
static enum vtun_stat vtun_rx_deliver(struct vtun_sa *sa, struct sk_buff *skb)
{
	struct vtun_peer *peer = sa->peer;
	struct vtun_dev *vd = peer->vd;
	u8 outer_ds, next_header;
	unsigned int len;
	int ret;

	/* Outer headers are still in front of the payload: read them now. */
	outer_ds = vtun_outer_dsfield(skb);
	vtun_peer_roam(peer, skb);

	ret = vtun_esp_strip(skb, sa, &next_header);
	if (ret)
		return ret == -ENOMEM ? VTUN_STAT_RX_NOMEM : VTUN_STAT_RX_MALFORMED;
	if (next_header == VTUN_NEXTHDR_DUMMY)
		return VTUN_STAT_RX_DUMMY;
	if (!vtun_rx_inner_ok(skb, next_header))
		return VTUN_STAT_RX_BAD_INNER;
	if (vtun_route_lookup_src(&vd->routes, skb) != peer)
		return VTUN_STAT_RX_BAD_SOURCE;
	/* RFC 6040: CE on the outside of a Not-ECT packet cannot be passed on. */
	if (INET_ECN_decapsulate(skb, outer_ds, vtun_inner_dsfield(skb)) > 1)
		return VTUN_STAT_RX_ECN_DROP;

	skb_scrub_packet(skb, VTUN_SKB_CB(skb)->xnet);
	/*
	 * The hash, queue and mark were the outer packet's, one flow per
	 * peer: RPS, fq_codel and TX queue selection must see each inner
	 * flow as its own, and marks set on the outside stay there.
	 */
	skb_clear_hash(skb);
	skb_set_queue_mapping(skb, 0);
	skb->mark = 0;
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	/* The AEAD proved the inner packet is what the peer sent. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;

	len = skb->len;
	if (gro_cells_receive(&vd->gro_cells, skb) != NET_RX_SUCCESS) {
		/* Freed, and counted as rx_dropped, by gro_cells. */
		vtun_count(vd, VTUN_STAT_RX_BACKLOG);
		return 0;
	}
	vtun_sa_count(sa, 1, len);
	vtun_peer_count_rx(peer, len);
	dev_sw_netstats_rx_add(vd->dev, len);
	return 0;
}

static void vtun_rx_decrypted(struct sk_buff *skb, int err)
{
	struct vtun_skb_cb *cb = VTUN_SKB_CB(skb);
	struct vtun_sa *sa = cb->sa;
	struct vtun_dev *vd = sa->peer->vd;
	enum vtun_stat why;
	bool fresh;

	if (unlikely(err)) {
		if (err == -EBADMSG) {
			atomic64_inc(&sa->auth_fails);
			why = VTUN_STAT_RX_AUTH_FAIL;
		} else {
			why = err == -ENOMEM ? VTUN_STAT_RX_NOMEM :
					       VTUN_STAT_RX_CRYPTO_ERRORS;
		}
		goto drop;
	}

	spin_lock_bh(&sa->replay_lock);
	fresh = vtun_replay_advance(sa->replay, cb->seq);
	spin_unlock_bh(&sa->replay_lock);
	if (unlikely(!fresh)) {
		atomic64_inc(&sa->replay_drops);
		why = VTUN_STAT_RX_REPLAY;
		goto drop;
	}

	rcu_read_lock();
	why = vtun_rx_deliver(sa, skb);
	rcu_read_unlock();
	if (likely(!why))
		goto out;
drop:
	vtun_rx_drop(vd, skb, why);
out:
	vtun_sa_put(sa);
}

/* Reconstruct the sequence number and reject it early if already seen. */
static bool vtun_rx_seq(struct vtun_sa *sa, __be32 seq_lo, u64 *seq)
{
	bool ok;

	spin_lock_bh(&sa->replay_lock);
	*seq = vtun_replay_infer_seq(sa->replay, ntohl(seq_lo), sa->esn);
	ok = vtun_replay_check(sa->replay, *seq);
	spin_unlock_bh(&sa->replay_lock);
	return ok;
}

static enum vtun_stat vtun_rx_esp(struct vtun_dev *vd, struct sk_buff *skb)
{
	struct vtun_skb_cb *cb = VTUN_SKB_CB(skb);
	const struct ip_esp_hdr *esph;
	struct vtun_sa *sa;
	u64 seq;
	int ret;

	if (!pskb_may_pull(skb, VTUN_ESP_HEAD_LEN))
		return VTUN_STAT_RX_MALFORMED;
	esph = (const struct ip_esp_hdr *)skb->data;

	sa = vtun_sa_lookup_in(vd, esph->spi);
	if (!sa || !vtun_sa_usable(sa) || !vtun_sa_get(sa))
		return VTUN_STAT_RX_NO_SA;
	if (skb->len < VTUN_ESP_HEAD_LEN + VTUN_ESP_TRAILER_LEN + sa->icv_len) {
		vtun_sa_put(sa);
		return VTUN_STAT_RX_MALFORMED;
	}
	if (!vtun_rx_seq(sa, esph->seq_no, &seq)) {
		atomic64_inc(&sa->replay_drops);
		vtun_sa_put(sa);
		return VTUN_STAT_RX_REPLAY;
	}

	memset(cb, 0, sizeof(*cb));
	cb->sa = sa;
	cb->seq = seq;
	/*
	 * Decryption may finish later, elsewhere: keep nothing that points to
	 * the underlay device, which may be gone by then.
	 */
	cb->xnet = !net_eq(dev_net(skb->dev), dev_net(vd->dev));
	skb->dev = vd->dev;
	skb_dst_drop(skb);
	ret = vtun_esp_decrypt(skb, sa, seq, vtun_rx_decrypted);
	if (ret != -EINPROGRESS)
		vtun_rx_decrypted(skb, ret);
	return 0;
}

/*
 * Classify the UDP payload (RFC 3948 2.2): a lone 0xff is a NAT keepalive,
 * four zero bytes mark IKE, anything else is ESP (SPIs are never zero).
 */
static enum vtun_stat vtun_rx_udp(struct vtun_dev *vd, struct sk_buff *skb)
{
	unsigned int len;
	const u8 *data;

	if (skb->len < sizeof(struct udphdr))
		return VTUN_STAT_RX_MALFORMED;
	len = skb->len - sizeof(struct udphdr);
	if (!pskb_may_pull(skb, sizeof(struct udphdr) +
			   min_t(unsigned int, len, VTUN_NON_ESP_MARKER_LEN)))
		return VTUN_STAT_RX_MALFORMED;
	data = skb->data + sizeof(struct udphdr);

	if (len == 1 && data[0] == VTUN_NAT_KEEPALIVE) {
		vtun_count(vd, VTUN_STAT_RX_KEEPALIVES);
		consume_skb(skb);
		return 0;
	}
	if (len >= VTUN_NON_ESP_MARKER_LEN && !memchr_inv(data, 0, VTUN_NON_ESP_MARKER_LEN))
		return VTUN_STAT_RX_NON_ESP;
	if (len < VTUN_ESP_HEAD_LEN)
		return VTUN_STAT_RX_MALFORMED;

	__skb_pull(skb, sizeof(struct udphdr));
	return vtun_rx_esp(vd, skb);
}

/*
 * encap_rcv hook of the device's UDP sockets: the UDP layer verified the
 * checksum and trimmed the skb to the UDP length; skb->data is the UDP
 * header. Always consumes the skb.
 */
int vtun_udp_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct vtun_dev *vd = rcu_dereference_sk_user_data(sk);
	enum vtun_stat why;

	if (unlikely(!vd)) {
		kfree_skb(skb);
		return 0;
	}
	/* Segments of a GRO'd datagram come still linked to the next one. */
	skb_mark_not_on_list(skb);
	why = vtun_rx_udp(vd, skb);
	if (why)
		vtun_rx_drop(vd, skb, why);
	return 0;
}
