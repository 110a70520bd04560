// SPDX-License-Identifier: GPL-2.0
/*
 * ESP framing (RFC 4303) and the AEAD requests that protect it, AES-GCM
 * as specified for ESP by RFC 4106:
 *
 *   SPI | seq (low 32) | IV (8) | ciphertext of
 *        [ inner packet | padding 1, 2, 3… | pad length | next header ] | ICV
 *
 * The IV is the 64-bit sequence number, unique per key. The associated data
 * is SPI ‖ seq, or SPI ‖ seq_hi ‖ seq_lo with extended sequence numbers
 * (RFC 4304): seq_hi is authenticated but never sent. Building the AAD in a
 * separate buffer in front of the packet's scatterlist gives one layout for
 * both cases and leaves the packet untouched.
 *
 * Encryption and decryption work in place; crypt.c decides where they run
 * and whether they complete at once or later, see vtun_esp_done_t.
 */
#include <crypto/aead.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <net/esp.h>
#include <asm/unaligned.h>

#include "crypt.h"
#include "esp.h"
#include "peer.h"
#include "sa.h"

#define VTUN_ESP_AAD_MAX	12

/*
 * One allocation per packet holds everything an AEAD request needs, since
 * an asynchronous or parallel request outlives the caller's stack:
 * [struct vtun_esp_tmp][request][scatterlist][IV][AAD].
 */
struct vtun_esp_tmp {
	struct vtun_crypt_job job;
	struct sk_buff *skb;
};

struct vtun_esp_tmp_layout {
	unsigned int req_off;
	unsigned int sg_off;
	unsigned int iv_off;
	unsigned int aad_off;
	unsigned int size;
};

static void vtun_esp_tmp_layout(struct crypto_aead *aead, int nsg,
				struct vtun_esp_tmp_layout *l)
{
	unsigned int len;

	l->req_off = ALIGN(sizeof(struct vtun_esp_tmp),
			   __alignof__(struct aead_request));
	len = l->req_off + sizeof(struct aead_request) + crypto_aead_reqsize(aead);
	l->sg_off = ALIGN(len, __alignof__(struct scatterlist));
	len = l->sg_off + nsg * sizeof(struct scatterlist);
	l->iv_off = ALIGN(len, crypto_aead_alignmask(aead) + 1);
	l->aad_off = l->iv_off + VTUN_ESP_IV_LEN;
	l->size = l->aad_off + VTUN_ESP_AAD_MAX;
}

/* A request that did not complete at once has: hand the packet back. */
static void vtun_esp_job_done(struct vtun_crypt_job *job, int err)
{
	struct vtun_esp_tmp *tmp = container_of(job, struct vtun_esp_tmp, job);
	struct sk_buff *skb = tmp->skb;

	kfree(tmp);
	VTUN_SKB_CB(skb)->done(skb, err);
}

static unsigned int vtun_esp_build_aad(u8 *aad, __be32 spi, u64 seq, bool esn)
{
	unsigned int len = 0;

	memcpy(aad, &spi, sizeof(spi));
	len += sizeof(spi);
	if (esn) {
		put_unaligned_be32(upper_32_bits(seq), aad + len);
		len += sizeof(u32);
	}
	put_unaligned_be32(lower_32_bits(seq), aad + len);
	return len + sizeof(u32);
}

/*
 * Build and submit the request covering [AAD][IV | payload | ICV] where the
 * part after the AAD starts @offset bytes into the skb. Returns what the
 * crypto layer returns: 0, -EINPROGRESS, or an error.
 */
static int vtun_esp_crypt(struct sk_buff *skb, struct vtun_sa *sa, u64 seq,
			  int nfrags, unsigned int cryptlen, bool encrypt,
			  vtun_esp_done_t done)
{
	struct crypto_aead *aead = sa->aead;
	struct vtun_esp_tmp_layout l;
	struct vtun_esp_tmp *tmp;
	struct aead_request *req;
	struct scatterlist *sg;
	unsigned int aadlen;
	u8 *iv, *aad;
	int ret;

	vtun_esp_tmp_layout(aead, nfrags + 1, &l);
	tmp = kmalloc(l.size, GFP_ATOMIC);
	if (!tmp)
		return -ENOMEM;
	tmp->skb = skb;
	req = (struct aead_request *)((u8 *)tmp + l.req_off);
	sg = (struct scatterlist *)((u8 *)tmp + l.sg_off);
	iv = (u8 *)tmp + l.iv_off;
	aad = (u8 *)tmp + l.aad_off;

	aadlen = vtun_esp_build_aad(aad, sa->key.spi, seq, sa->esn);
	skb_copy_bits(skb, VTUN_ESP_HDR_LEN, iv, VTUN_ESP_IV_LEN);

	/* Decryption's cryptlen includes the ICV; encryption writes it after. */
	sg_init_table(sg, nfrags + 1);
	sg_set_buf(sg, aad, aadlen);
	ret = skb_to_sgvec(skb, sg + 1, VTUN_ESP_HDR_LEN, VTUN_ESP_IV_LEN +
			   cryptlen + (encrypt ? sa->icv_len : 0));
	if (unlikely(ret < 0))
		goto out_free;

	aead_request_set_tfm(req, aead);
	aead_request_set_crypt(req, sg, sg, cryptlen, iv);
	/* RFC 4106 and 7634 transforms take the IV as the tail of the AAD. */
	aead_request_set_ad(req, aadlen + VTUN_ESP_IV_LEN);

	VTUN_SKB_CB(skb)->done = done;
	/* Each peer's packets keep their order, in both directions. */
	ret = vtun_crypt_submit(&tmp->job, req, encrypt,
				encrypt ? VTUN_CRYPT_TX : VTUN_CRYPT_RX,
				sa->peer->id, vtun_esp_job_done);
	if (ret == -EINPROGRESS)
		return ret;
out_free:
	kfree(tmp);
	return ret;
}

/*
 * Turn the inner packet at skb->data into an ESP payload and encrypt it.
 * The caller made room in front for the ESP header and resolved any
 * pending checksum.
 */
int vtun_esp_encrypt(struct sk_buff *skb, struct vtun_sa *sa, u64 seq,
		     u8 next_header, vtun_esp_done_t done)
{
	unsigned int plen, padlen, tailen, i;
	struct ip_esp_hdr *esph;
	struct sk_buff *trailer;
	int nfrags;
	u8 *tail;

	plen = ALIGN(skb->len + VTUN_ESP_TRAILER_LEN, VTUN_ESP_ALIGN);
	padlen = plen - skb->len - VTUN_ESP_TRAILER_LEN;
	tailen = padlen + VTUN_ESP_TRAILER_LEN + sa->icv_len;

	nfrags = skb_cow_data(skb, tailen, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;

	/* RFC 4303 2.4: default padding is 1, 2, 3, … */
	tail = pskb_put(skb, trailer, tailen);
	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = next_header;

	/* The tunnel layer counts device tx bytes from here, as for GRE. */
	skb_set_inner_network_header(skb, 0);
	esph = skb_push(skb, VTUN_ESP_HEAD_LEN);
	esph->spi = sa->key.spi;
	esph->seq_no = htonl(lower_32_bits(seq));
	put_unaligned_be64(seq, esph->enc_data);

	return vtun_esp_crypt(skb, sa, seq, nfrags, plen, true, done);
}

/*
 * Authenticate and decrypt in place the ESP packet at skb->data, whose
 * sequence number was reconstructed as @seq. The caller checked that
 * header, IV and ICV fit.
 */
int vtun_esp_decrypt(struct sk_buff *skb, struct vtun_sa *sa, u64 seq,
		     vtun_esp_done_t done)
{
	struct sk_buff *trailer;
	int nfrags;

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;
	return vtun_esp_crypt(skb, sa, seq, nfrags,
			      skb->len - VTUN_ESP_HEAD_LEN, false, done);
}

/*
 * After decryption: check the trailer, remove it with the ICV and the
 * header, and leave skb->data at the inner packet.
 */
int vtun_esp_strip(struct sk_buff *skb, struct vtun_sa *sa, u8 *next_header)
{
	u8 trailer[VTUN_ESP_TRAILER_LEN];
	u8 pad[U8_MAX];
	int plen, padlen, i;

	plen = skb->len - VTUN_ESP_HEAD_LEN - sa->icv_len;
	if (plen < VTUN_ESP_TRAILER_LEN)
		return -EINVAL;
	if (skb_copy_bits(skb, VTUN_ESP_HEAD_LEN + plen - VTUN_ESP_TRAILER_LEN,
			  trailer, sizeof(trailer)))
		return -EINVAL;
	padlen = trailer[0];
	if (padlen + VTUN_ESP_TRAILER_LEN > plen)
		return -EINVAL;

	/* RFC 4303 2.4: the receiver SHOULD inspect the padding. */
	if (padlen) {
		if (skb_copy_bits(skb, VTUN_ESP_HEAD_LEN + plen -
				  VTUN_ESP_TRAILER_LEN - padlen, pad, padlen))
			return -EINVAL;
		for (i = 0; i < padlen; i++)
			if (pad[i] != i + 1)
				return -EINVAL;
	}

	if (pskb_trim(skb, VTUN_ESP_HEAD_LEN + plen - VTUN_ESP_TRAILER_LEN -
		      padlen) || !pskb_may_pull(skb, VTUN_ESP_HEAD_LEN))
		return -ENOMEM;
	__skb_pull(skb, VTUN_ESP_HEAD_LEN);
	*next_header = trailer[1];
	return 0;
}
