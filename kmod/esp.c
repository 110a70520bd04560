// SPDX-License-Identifier: GPL-2.0
/*
 * ESP framing (RFC 4303) and the AEAD requests that protect it, AES-GCM
 * as specified for ESP by RFC 4106:
 *
 *   SPI | seq (low 32) | IV (8) | ciphertext of
 *        [ inner packet | padding 1, 2, 3… | pad length | next header ] | ICV
 *
 * The IV is the 64-bit sequence number XOR a random mask drawn for each
 * SA (as the kernel's seqiv does): unique within the SA, and unrelated to
 * the IVs of an earlier SA with the same key. Receivers never interpret
 * it, so any ESP peer accepts it. The associated data
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
 * [struct vtun_esp_tmp][request][scatterlists][IV][AAD][trailer].
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
	unsigned int tail_off;
	unsigned int size;
};

static struct vtun_esp_tmp *vtun_esp_tmp_alloc(struct crypto_aead *aead,
					       int nsg,
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
	l->tail_off = l->aad_off + VTUN_ESP_AAD_MAX;
	l->size = l->tail_off + VTUN_ESP_ALIGN - 1 + VTUN_ESP_TRAILER_LEN;
	return kmalloc(l->size, GFP_ATOMIC);
}

#define vtun_esp_tmp_at(tmp, off)	((void *)((u8 *)(tmp) + (off)))

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

/* Hand the request to crypt.c; frees @tmp unless it completes later. */
static int vtun_esp_submit(struct vtun_esp_tmp *tmp, struct aead_request *req,
			   struct sk_buff *skb, struct vtun_sa *sa, bool encrypt,
			   vtun_esp_done_t done)
{
	int ret;

	tmp->skb = skb;
	VTUN_SKB_CB(skb)->done = done;
	/* Each peer's packets keep their order, in both directions. */
	ret = vtun_crypt_submit(&tmp->job, req, encrypt,
				encrypt ? VTUN_CRYPT_TX : VTUN_CRYPT_RX,
				sa->peer->id, vtun_esp_job_done);
	if (ret != -EINPROGRESS)
		kfree(tmp);
	return ret;
}

/*
 * Build and submit the in-place request covering [AAD][IV | payload | ICV]
 * where the part after the AAD starts @offset bytes into the skb. Returns
 * what the crypto layer returns: 0, -EINPROGRESS, or an error.
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

	tmp = vtun_esp_tmp_alloc(aead, nfrags + 1, &l);
	if (!tmp)
		return -ENOMEM;
	req = vtun_esp_tmp_at(tmp, l.req_off);
	sg = vtun_esp_tmp_at(tmp, l.sg_off);
	iv = vtun_esp_tmp_at(tmp, l.iv_off);
	aad = vtun_esp_tmp_at(tmp, l.aad_off);

	aadlen = vtun_esp_build_aad(aad, sa->key.spi, seq, sa->esn);
	skb_copy_bits(skb, VTUN_ESP_HDR_LEN, iv, VTUN_ESP_IV_LEN);

	/* Decryption's cryptlen includes the ICV; encryption writes it after. */
	sg_init_table(sg, nfrags + 1);
	sg_set_buf(sg, aad, aadlen);
	ret = skb_to_sgvec(skb, sg + 1, VTUN_ESP_HDR_LEN, VTUN_ESP_IV_LEN +
			   cryptlen + (encrypt ? sa->icv_len : 0));
	if (unlikely(ret < 0)) {
		kfree(tmp);
		return ret;
	}

	aead_request_set_tfm(req, aead);
	aead_request_set_crypt(req, sg, sg, cryptlen, iv);
	/* RFC 4106 and 7634 transforms take the IV as the tail of the AAD. */
	aead_request_set_ad(req, aadlen + VTUN_ESP_IV_LEN);
	return vtun_esp_submit(tmp, req, skb, sa, encrypt, done);
}

/* RFC 4303 2.4: default padding is 1, 2, 3, ... then its length. */
static void vtun_esp_fill_trailer(u8 *tail, unsigned int padlen,
				  u8 next_header)
{
	unsigned int i;

	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = next_header;
}

/*
 * Encrypt the inner packet @skb into a whole ESP packet written at @off
 * in @out, whose bytes there live in page fragments (txbatch.c builds
 * it). @skb itself is only read: reading its fragments and writing the
 * ciphertext in one pass saves linearising it first. @done is called
 * with @skb, which the caller keeps until then.
 */
int vtun_esp_encrypt_into(struct sk_buff *skb, struct sk_buff *out,
			  unsigned int off, struct vtun_sa *sa, u64 seq,
			  u8 next_header, vtun_esp_done_t done)
{
	unsigned int plen = vtun_esp_payload_len(skb->len);
	unsigned int padlen = plen - skb->len - VTUN_ESP_TRAILER_LEN;
	struct crypto_aead *aead = sa->aead;
	struct scatterlist *src, *dst;
	struct vtun_esp_tmp_layout l;
	struct vtun_esp_tmp *tmp;
	struct aead_request *req;
	int nsrc, ndst, n, ret;
	unsigned int aadlen;
	u8 *iv, *aad, *tail;
	struct {
		__be32 spi;
		__be32 seq;
		__be64 iv;
	} __packed head;

	if (WARN_ON_ONCE(skb_has_frag_list(skb)))
		return -EINVAL;
	/* [AAD][IV][head][frags…][trailer] -> [AAD][IV, ciphertext, ICV] */
	nsrc = 3 + skb_shinfo(skb)->nr_frags + 1;
	ndst = 1 + DIV_ROUND_UP(VTUN_ESP_IV_LEN + plen + sa->icv_len,
				PAGE_SIZE) + 1;
	tmp = vtun_esp_tmp_alloc(aead, nsrc + ndst, &l);
	if (!tmp)
		return -ENOMEM;
	req = vtun_esp_tmp_at(tmp, l.req_off);
	src = vtun_esp_tmp_at(tmp, l.sg_off);
	dst = src + nsrc;
	iv = vtun_esp_tmp_at(tmp, l.iv_off);
	aad = vtun_esp_tmp_at(tmp, l.aad_off);
	tail = vtun_esp_tmp_at(tmp, l.tail_off);

	aadlen = vtun_esp_build_aad(aad, sa->key.spi, seq, sa->esn);
	put_unaligned_be64(vtun_sa_iv(sa, seq), iv);
	vtun_esp_fill_trailer(tail, padlen, next_header);
	head.spi = sa->key.spi;
	head.seq = htonl(lower_32_bits(seq));
	head.iv = cpu_to_be64(vtun_sa_iv(sa, seq));
	ret = skb_store_bits(out, off, &head, sizeof(head));
	if (unlikely(ret))
		goto out_free;

	/*
	 * The AAD is only read, so both lists may point at one copy; the IV
	 * slot in the source is skipped too (the transform takes req->iv).
	 */
	sg_init_table(src, nsrc);
	sg_set_buf(src, aad, aadlen);
	sg_set_buf(src + 1, iv, VTUN_ESP_IV_LEN);
	n = skb_to_sgvec_nomark(skb, src + 2, 0, skb->len);
	if (unlikely(n < 0)) {
		ret = n;
		goto out_free;
	}
	sg_set_buf(src + 2 + n, tail, padlen + VTUN_ESP_TRAILER_LEN);
	sg_mark_end(src + 2 + n);

	sg_init_table(dst, ndst);
	sg_set_buf(dst, aad, aadlen);
	ret = skb_to_sgvec(out, dst + 1, off + VTUN_ESP_HDR_LEN,
			   VTUN_ESP_IV_LEN + plen + sa->icv_len);
	if (unlikely(ret < 0))
		goto out_free;

	aead_request_set_tfm(req, aead);
	aead_request_set_crypt(req, src, dst, plen, iv);
	aead_request_set_ad(req, aadlen + VTUN_ESP_IV_LEN);
	return vtun_esp_submit(tmp, req, skb, sa, true, done);

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
	unsigned int plen, padlen, tailen;
	struct ip_esp_hdr *esph;
	struct sk_buff *trailer;
	int nfrags;
	u8 *tail;

	plen = vtun_esp_payload_len(skb->len);
	padlen = plen - skb->len - VTUN_ESP_TRAILER_LEN;
	tailen = padlen + VTUN_ESP_TRAILER_LEN + sa->icv_len;

	nfrags = skb_cow_data(skb, tailen, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;

	tail = pskb_put(skb, trailer, tailen);
	vtun_esp_fill_trailer(tail, padlen, next_header);

	/* The tunnel layer counts device tx bytes from here, as for GRE. */
	skb_set_inner_network_header(skb, 0);
	esph = skb_push(skb, VTUN_ESP_HEAD_LEN);
	esph->spi = sa->key.spi;
	esph->seq_no = htonl(lower_32_bits(seq));
	put_unaligned_be64(vtun_sa_iv(sa, seq), esph->enc_data);

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

	/*
	 * Most NICs, and UDP GSO cut up on receive, hand us page fragments.
	 * They are ours to write unless the skb is a clone or its pages are
	 * shared (page cache, splice): only then copy the packet first.
	 */
	if (!skb_cloned(skb) && !skb_has_frag_list(skb) &&
	    !skb_has_shared_frag(skb)) {
		nfrags = skb_shinfo(skb)->nr_frags + 1;
	} else {
		nfrags = skb_cow_data(skb, 0, &trailer);
		if (unlikely(nfrags < 0))
			return nfrags;
	}
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
