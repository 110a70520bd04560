/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_ESP_H
#define _VTUN_ESP_H

#include <linux/skbuff.h>

struct vtun_sa;
struct vtun_tx_batch;

/* RFC 4303 framing constants. */
#define VTUN_ESP_HDR_LEN	8	/* SPI and low 32 bits of sequence */
#define VTUN_ESP_IV_LEN		8	/* explicit IV, RFC 4106 section 3.1 */
#define VTUN_ESP_TRAILER_LEN	2	/* pad length and next header */
#define VTUN_ESP_ALIGN		4	/* payload is padded to 32 bits */
#define VTUN_ESP_ICV_MAX	16

#define VTUN_NEXTHDR_IPV4	4
#define VTUN_NEXTHDR_IPV6	41
#define VTUN_NEXTHDR_DUMMY	59	/* RFC 4303 2.6: traffic flow padding */

/* RFC 3948 UDP encapsulation. */
#define VTUN_NAT_KEEPALIVE	0xff
#define VTUN_NON_ESP_MARKER_LEN	4

/* Worst-case bytes ESP adds in front of and behind the inner packet. */
#define VTUN_ESP_HEAD_LEN	(VTUN_ESP_HDR_LEN + VTUN_ESP_IV_LEN)
#define VTUN_ESP_TAIL_MAX	(VTUN_ESP_ALIGN - 1 + VTUN_ESP_TRAILER_LEN + \
				 VTUN_ESP_ICV_MAX)

/*
 * The longest inner packet that fits in @room bytes of ESP (header, IV,
 * padded payload, trailer and ICV).
 */
static inline int vtun_esp_max_inner(int room, unsigned int icv_len)
{
	return round_down(room - VTUN_ESP_HEAD_LEN - (int)icv_len,
			  VTUN_ESP_ALIGN) - VTUN_ESP_TRAILER_LEN;
}

/* Bytes of ESP payload (inner packet, padding, trailer) for @inner_len. */
static inline unsigned int vtun_esp_payload_len(unsigned int inner_len)
{
	return ALIGN(inner_len + VTUN_ESP_TRAILER_LEN, VTUN_ESP_ALIGN);
}

/* Length of the whole ESP packet that carries @inner_len bytes. */
static inline unsigned int vtun_esp_packet_len(unsigned int inner_len,
					       unsigned int icv_len)
{
	return VTUN_ESP_HEAD_LEN + vtun_esp_payload_len(inner_len) + icv_len;
}

/*
 * Called when a packet's crypto is done, from the caller's context if the
 * transform completed at once, else from the crypto layer's completion.
 */
typedef void (*vtun_esp_done_t)(struct sk_buff *skb, int err);

/* Per-packet state, in skb->cb while the packet is ours. */
struct vtun_skb_cb {
	struct vtun_sa *sa;
	vtun_esp_done_t done;
	struct vtun_tx_batch *batch;	/* the batch an encrypted segment joins */
	u64 seq;
	unsigned int inner_len;
	u8 inner_dsfield;
	bool outer_df;		/* IPv4 outer: forbid fragmentation on the way */
	bool xnet;		/* received in another namespace than the device's */
};

#define VTUN_SKB_CB(skb) ((struct vtun_skb_cb *)(skb)->cb)

int vtun_esp_encrypt(struct sk_buff *skb, struct vtun_sa *sa, u64 seq,
		     u8 next_header, vtun_esp_done_t done);
int vtun_esp_encrypt_into(struct sk_buff *skb, struct sk_buff *out,
			  unsigned int off, struct vtun_sa *sa, u64 seq,
			  u8 next_header, vtun_esp_done_t done);
int vtun_esp_decrypt(struct sk_buff *skb, struct vtun_sa *sa, u64 seq,
		     vtun_esp_done_t done);
int vtun_esp_strip(struct sk_buff *skb, struct vtun_sa *sa, u8 *next_header);

#endif /* _VTUN_ESP_H */
