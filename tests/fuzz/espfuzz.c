// SPDX-License-Identifier: GPL-2.0
/*
 * espfuzz: hostile ESP-in-UDP traffic for a live vtun SA, with a tally of
 * what each datagram must do to the receiver's counters.
 *
 * An ESP implementation of its own (RFC 4303, RFC 4106 AES-GCM, RFC 7634
 * ChaCha20-Poly1305, RFC 4304 ESN, RFC 3948 UDP encapsulation) on
 * OpenSSL's libcrypto, independent of vtun, fast enough to send a million
 * datagrams through a TCG guest. Every datagram is built together with
 * the one counter of the receiving vtun device it must move (rx_packets,
 * rx_malformed, rx_no_sa, rx_replay, rx_auth_fail, ...): the classifier
 * below follows RFC 3948 2.2 and RFC 4303 3.4 and vtun's documented
 * order of checks (kmod/rx.c: keepalive, non-ESP marker, length, SPI,
 * length with ICV, replay window, ICV, trailer, inner packet, inner
 * source, ECN), and keeps its own model of each SA's replay window.
 *
 * Phases, one per run, so that the receiver's window state is known:
 *   sealed   every datagram carries a valid ICV and a fresh sequence
 *            number: inner packets good and bad, bad padding, dummy
 *            packets, spoofed sources, ECN, huge datagrams; each one
 *            advances the window (or, for seq 0, is a replay)
 *   corrupt  nothing authenticates, so the window stands still:
 *            truncations at every length, flipped bits in every field,
 *            wrong SPIs, replays and too-old sequence numbers,
 *            keepalive and IKE-marker variants, random garbage, tiny
 *            and maximum-size datagrams
 * The caller waits for the receiver to finish between runs (its counters
 * stop moving) and compares them with the tally this prints. The window
 * model is kept in a state file between runs.
 *
 *   espfuzz --phase sealed|corrupt --count N --seed S --state FILE
 *           --src4 A --dst4 B [--src6 A --dst6 B] [--sport P] [--dport P]
 *           --sa SPEC [--sa SPEC...] [--other-spi SPI...]
 *           [--inner4 SRC,DST] [--inner6 SRC,DST] [--bad-src4 ADDR]
 *           [--bad-src6 ADDR]
 *   SPEC: spi=N,alg=gcm|chacha,key=HEX(key||salt),icv=BITS[,esn]
 *         [,window=N][,seq=N]   (seq: the SA's initial SEQ, i.e. top)
 *
 * Prints "total N", "send_errors N", "dev COUNTER N" for each device
 * counter and "sa SPI COUNTER N" (SPI in decimal) for the per-SA ones;
 * exits 0, or 1 on a local error. $ESPFUZZ_TRACE=FILE appends one line
 * per datagram sent: length, first bytes, expected counter.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_SAS		8
#define MAX_OTHER	32
#define MAX_DGRAM	65535
#define BATCH		32
#define ESP_HEAD	16	/* SPI, seq, IV */
#define UDP4_MAX	65507	/* 65535 - IPv4 - UDP header */
#define UDP6_MAX	65527	/* 65535 - UDP header */

/* The receiver's counters, as vtunctl show -j names them. */
enum verdict {
	V_PACKETS,	/* delivered */
	V_KEEPALIVES,
	V_NON_ESP,
	V_MALFORMED,
	V_NO_SA,
	V_REPLAY,
	V_AUTH_FAIL,
	V_DUMMY,
	V_BAD_INNER,
	V_BAD_SOURCE,
	V_ECN_DROP,
	V_MAX
};

static const char *const verdict_name[V_MAX] = {
	"rx_packets", "rx_keepalives", "rx_non_esp", "rx_malformed",
	"rx_no_sa", "rx_replay", "rx_auth_fail", "rx_dummy", "rx_bad_inner",
	"rx_bad_source", "rx_ecn_drop",
};

enum alg { ALG_GCM, ALG_CHACHA };

/* Our model of the receiver's replay window (RFC 4303 3.4.3). */
struct window {
	uint64_t top;
	uint32_t size;		/* 0: no replay protection */
	uint32_t ring;		/* bits in @bits, a power of two >= size */
	uint64_t *bits;
};

struct sa {
	uint32_t spi;
	enum alg alg;
	uint8_t key[32];
	int keylen;
	uint8_t salt[4];
	int icv;		/* bytes */
	bool esn;
	struct window win;
	uint64_t fresh;		/* next sequence number never sent sealed */
	EVP_CIPHER_CTX *ctx;
	uint64_t tally[V_MAX];
};

struct opts {
	const char *phase, *state;
	long count;
	unsigned long seed;
	struct sockaddr_storage src4, dst4, src6, dst6;
	bool have6;
	uint16_t sport, dport;
	uint8_t in4_src[4], in4_dst[4], bad4[4];
	uint8_t in6_src[16], in6_dst[16], bad6[16];
};

static struct sa sas[MAX_SAS];
static int n_sas;
static uint32_t others[MAX_OTHER];	/* inbound SPIs of other SAs */
static int n_others;
static uint64_t dev_tally[V_MAX];
static uint64_t total, send_errors;
static struct opts o;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("espfuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- randomness: xorshift64*, reproducible from --seed ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static void rnd_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* ---- replay window model ---- */

static bool win_bit(const struct window *w, uint64_t seq)
{
	uint64_t b = seq & (w->ring - 1);

	return w->bits[b / 64] >> (b % 64) & 1;
}

static bool win_check(const struct window *w, uint64_t seq)
{
	if (!seq)
		return false;
	if (!w->size || seq > w->top)
		return true;
	if (w->top - seq >= w->size)
		return false;
	return !win_bit(w, seq);
}

/*
 * An SA created with sequence number top has received top and the window
 * below it: none of those is new (RFC 4303 3.4.3 with the SA's state
 * starting there).
 */
static void win_seen_below_top(struct window *w)
{
	uint64_t s, b;

	if (!w->size || !w->top)
		return;
	for (s = w->top >= w->size ? w->top - w->size + 1 : 1; s <= w->top; s++) {
		b = s & (w->ring - 1);
		w->bits[b / 64] |= 1ULL << (b % 64);
	}
}

static bool win_advance(struct window *w, uint64_t seq)
{
	uint64_t s, b;

	if (!win_check(w, seq))
		return false;
	if (seq > w->top) {
		if (seq - w->top >= w->ring) {
			memset(w->bits, 0, w->ring / 8);
		} else {
			for (s = w->top + 1; s <= seq; s++) {
				b = s & (w->ring - 1);
				w->bits[b / 64] &= ~(1ULL << (b % 64));
			}
		}
		w->top = seq;
	}
	if (w->size) {
		b = seq & (w->ring - 1);
		w->bits[b / 64] |= 1ULL << (b % 64);
	}
	return true;
}

/*
 * RFC 4303 Appendix A2.2: the receiver's guess of the full sequence
 * number from its low 32 bits. 0 when the guess falls before the start.
 */
static uint64_t win_infer(const struct window *w, uint32_t lo, bool esn)
{
	uint32_t tl = (uint32_t)w->top, th = (uint32_t)(w->top >> 32);
	uint32_t size = w->size ? w->size : 1;
	uint32_t bottom = tl - size + 1;

	if (!esn)
		return lo;
	if (tl >= size - 1) {
		if (lo < bottom)
			th++;
	} else if (lo >= bottom) {
		if (!th)
			return 0;
		th--;
	}
	return (uint64_t)th << 32 | lo;
}

/* ---- AEAD ---- */

static void sa_init_crypto(struct sa *sa)
{
	const EVP_CIPHER *c;

	if (sa->alg == ALG_CHACHA)
		c = EVP_chacha20_poly1305();
	else
		c = sa->keylen == 16 ? EVP_aes_128_gcm() :
		    sa->keylen == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
	sa->ctx = EVP_CIPHER_CTX_new();
	if (!sa->ctx || !EVP_EncryptInit_ex(sa->ctx, c, NULL, NULL, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(sa->ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) ||
	    !EVP_EncryptInit_ex(sa->ctx, NULL, NULL, sa->key, NULL))
		die("cannot set up the cipher for SPI %#x", sa->spi);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * Seal @plain (inner packet, padding, pad length, next header) into
 * @out as SPI | seq | IV | ciphertext | ICV. Returns the ESP length.
 */
static size_t esp_seal(struct sa *sa, uint64_t seq, const uint8_t *plain,
		       size_t plen, uint8_t *out)
{
	uint8_t nonce[12], aad[12], tag[16];
	size_t aadlen = 8;
	int n;

	put32(out, sa->spi);
	put32(out + 4, (uint32_t)seq);
	put32(out + 8, (uint32_t)(seq >> 32));	/* IV: any unique value */
	put32(out + 12, (uint32_t)seq);
	memcpy(nonce, sa->salt, 4);
	memcpy(nonce + 4, out + 8, 8);
	put32(aad, sa->spi);
	if (sa->esn) {
		put32(aad + 4, (uint32_t)(seq >> 32));
		put32(aad + 8, (uint32_t)seq);
		aadlen = 12;
	} else {
		put32(aad + 4, (uint32_t)seq);
	}
	if (!EVP_EncryptInit_ex(sa->ctx, NULL, NULL, NULL, nonce) ||
	    !EVP_EncryptUpdate(sa->ctx, NULL, &n, aad, (int)aadlen) ||
	    !EVP_EncryptUpdate(sa->ctx, out + ESP_HEAD, &n, plain, (int)plen) ||
	    !EVP_EncryptFinal_ex(sa->ctx, out + ESP_HEAD + n, &n) ||
	    !EVP_CIPHER_CTX_ctrl(sa->ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag))
		die("encryption failed");
	memcpy(out + ESP_HEAD + plen, tag, sa->icv);
	return ESP_HEAD + plen + sa->icv;
}

/* ---- inner packets ---- */

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * An ICMP echo reply: the receiving stack consumes it without answering,
 * so delivered packets cause no traffic back. Returns its length.
 */
static size_t inner4(uint8_t *p, const uint8_t *src, size_t payload, uint8_t tos)
{
	size_t len = 20 + 8 + payload;
	uint16_t c;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[1] = tos;
	p[2] = len >> 8;
	p[3] = len;
	p[6] = 0x40;	/* DF */
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, o.in4_dst, 4);
	c = csum(p, 20, 0);
	p[10] = c >> 8;
	p[11] = c;
	p[20] = 0;	/* echo reply */
	rnd_fill(p + 24, 4 + payload);
	c = csum(p + 20, 8 + payload, 0);
	p[22] = c >> 8;
	p[23] = c;
	return len;
}

static size_t inner6(uint8_t *p, const uint8_t *src, size_t payload, uint8_t tc)
{
	size_t plen = 8 + payload;
	uint32_t sum = 0;
	uint16_t c;
	int i;

	memset(p, 0, 48);
	p[0] = 0x60 | tc >> 4;
	p[1] = (uint8_t)(tc << 4);
	p[4] = plen >> 8;
	p[5] = plen;
	p[6] = 58;	/* ICMPv6 */
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, o.in6_dst, 16);
	p[40] = 129;	/* echo reply */
	rnd_fill(p + 44, 4 + payload);
	for (i = 8; i < 40; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	sum += (uint32_t)plen + 58;
	c = csum(p + 40, plen, sum);
	p[42] = c >> 8;
	p[43] = c;
	return 40 + plen;
}

/* ---- classification: what the receiver must do with a datagram ---- */

static struct sa *own_sa(uint32_t spi)
{
	int i;

	for (i = 0; i < n_sas; i++)
		if (sas[i].spi == spi)
			return &sas[i];
	return NULL;
}

static bool other_spi(uint32_t spi)
{
	int i;

	for (i = 0; i < n_others; i++)
		if (others[i] == spi)
			return true;
	return false;
}

/*
 * A datagram that does not authenticate (or is not ESP at all): what
 * happens before the ICV check decides. *sa_out: the SA it is counted
 * on, if any. Returns V_MAX when the datagram would reach an SA whose
 * state we do not know (another peer's): the caller makes another one.
 */
static enum verdict classify_unsealed(const uint8_t *p, size_t len,
				      struct sa **sa_out)
{
	static const uint8_t zero[4];
	struct sa *sa;
	uint64_t seq;

	*sa_out = NULL;
	if (len == 1 && p[0] == 0xff)
		return V_KEEPALIVES;
	if (len >= 4 && !memcmp(p, zero, 4))
		return V_NON_ESP;
	if (len < ESP_HEAD)
		return V_MALFORMED;
	sa = own_sa(get32(p));
	if (!sa)
		return other_spi(get32(p)) ? V_MAX : V_NO_SA;
	*sa_out = sa;
	if (len < (size_t)ESP_HEAD + 2 + sa->icv)
		return V_MALFORMED;
	seq = win_infer(&sa->win, get32(p + 4), sa->esn);
	if (!win_check(&sa->win, seq))
		return V_REPLAY;
	return V_AUTH_FAIL;
}

/* ---- sending ---- */

struct dgram {
	uint8_t *buf;
	size_t len;
	int sock;
	enum verdict v;
	struct sa *sa;
};

static struct dgram batch[BATCH];
static int n_batch;
static int sock4, sock6, sock4_ce, sock6_ce;

static int open_sock(struct sockaddr_storage *src, struct sockaddr_storage *dst,
		     uint16_t sport, int tos)
{
	int fam = src->ss_family, s, one = 1, big = 4 << 20;
	socklen_t alen = fam == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);

	s = socket(fam, SOCK_DGRAM, 0);
	if (s < 0)
		die("socket: %s", strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (fam == AF_INET) {
		((struct sockaddr_in *)src)->sin_port = htons(sport);
		((struct sockaddr_in *)dst)->sin_port = htons(o.dport);
		if (tos && setsockopt(s, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)))
			die("IP_TOS: %s", strerror(errno));
	} else {
		((struct sockaddr_in6 *)src)->sin6_port = htons(sport);
		((struct sockaddr_in6 *)dst)->sin6_port = htons(o.dport);
		if (tos && setsockopt(s, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)))
			die("IPV6_TCLASS: %s", strerror(errno));
	}
	if (bind(s, (struct sockaddr *)src, alen))
		die("bind: %s", strerror(errno));
	if (connect(s, (struct sockaddr *)dst, alen))
		die("connect: %s", strerror(errno));
	return s;
}

static FILE *trace;	/* $ESPFUZZ_TRACE: one line per datagram sent */

static void account(struct dgram *d)
{
	size_t i;

	if (trace) {
		fprintf(trace, "%zu ", d->len);
		for (i = 0; i < d->len && i < 24; i++)
			fprintf(trace, "%02x", d->buf[i]);
		fprintf(trace, " %s\n", verdict_name[d->v]);
	}
	total++;
	dev_tally[d->v]++;
	if (d->sa)
		d->sa->tally[d->v]++;
}

/* Send what is queued for one socket, in order; tally what left. */
static void flush_sock(int sock)
{
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct dgram *q[BATCH];
	int i, n = 0, sent = 0, r;

	for (i = 0; i < n_batch; i++) {
		if (batch[i].sock != sock)
			continue;
		q[n] = &batch[i];
		iov[n].iov_base = batch[i].buf;
		iov[n].iov_len = batch[i].len;
		memset(&msg[n], 0, sizeof(msg[n]));
		msg[n].msg_hdr.msg_iov = &iov[n];
		msg[n].msg_hdr.msg_iovlen = 1;
		n++;
	}
	while (sent < n) {
		r = sendmmsg(sock, msg + sent, n - sent, 0);
		if (r < 0) {
			if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN)
				continue;
			/* This one never left (e.g. ICMP error on the socket). */
			if (send_errors++ < 5)
				fprintf(stderr, "espfuzz: send (%zu bytes): %s\n",
					q[sent]->len, strerror(errno));
			sent++;
			continue;
		}
		for (i = 0; i < r; i++)
			account(q[sent + i]);
		sent += r;
	}
}

/*
 * Datagrams go out in the order they were made except that each socket's
 * share of a batch goes in one call: no verdict here depends on the order
 * of datagrams within a batch.
 */
static void flush(void)
{
	flush_sock(sock4);
	if (o.have6)
		flush_sock(sock6);
	flush_sock(sock4_ce);
	if (o.have6)
		flush_sock(sock6_ce);
	n_batch = 0;
}

/* The next datagram to fill: a buffer with room for the largest one. */
static struct dgram *next_dgram(void)
{
	struct dgram *d;

	if (n_batch == BATCH)
		flush();
	d = &batch[n_batch];
	if (!d->buf) {
		d->buf = malloc(MAX_DGRAM);
		if (!d->buf)
			die("out of memory");
	}
	d->sa = NULL;
	return d;
}

static void queue(struct dgram *d, bool v6, bool ce)
{
	size_t max = v6 ? UDP6_MAX : UDP4_MAX;

	if (d->len > max)
		die("internal: datagram of %zu bytes", d->len);
	d->sock = v6 ? (ce ? sock6_ce : sock6) : (ce ? sock4_ce : sock4);
	n_batch++;
}

static bool pick_v6(void)
{
	return o.have6 && (rnd() & 1);
}

/* ---- the sealed phase ---- */

enum sealed_kind {
	S_VALID4, S_VALID6, S_TFC, S_MAXPAD, S_ECN_OK, S_ECN_DROP, S_DUMMY,
	S_BAD_PAD, S_BAD_PADLEN, S_NH_OTHER, S_NH_MISMATCH, S_V4_SHORT,
	S_V4_TOTLEN_LONG, S_V4_TOTLEN_SHORT, S_V4_IHL, S_VERSION, S_V6_SHORT,
	S_V6_PLEN0, S_V6_PLEN_LONG, S_EMPTY, S_BAD_SRC4, S_BAD_SRC6,
	S_SEQ_ZERO, S_HUGE, S_WRONG_KEY,
	S_KINDS
};

/* Relative frequencies; huge datagrams are rare (they are slow). */
static const unsigned int sealed_weight[S_KINDS] = {
	[S_VALID4] = 20, [S_VALID6] = 10, [S_TFC] = 4, [S_MAXPAD] = 2,
	[S_ECN_OK] = 2, [S_ECN_DROP] = 3, [S_DUMMY] = 3, [S_BAD_PAD] = 4,
	[S_BAD_PADLEN] = 4, [S_NH_OTHER] = 4, [S_NH_MISMATCH] = 3,
	[S_V4_SHORT] = 3, [S_V4_TOTLEN_LONG] = 3, [S_V4_TOTLEN_SHORT] = 3,
	[S_V4_IHL] = 3, [S_VERSION] = 3, [S_V6_SHORT] = 3, [S_V6_PLEN0] = 2,
	[S_V6_PLEN_LONG] = 3, [S_EMPTY] = 2, [S_BAD_SRC4] = 3,
	[S_BAD_SRC6] = 2, [S_SEQ_ZERO] = 2, [S_WRONG_KEY] = 3,
	/* S_HUGE: 1 in ~2000 */
};

static enum sealed_kind pick_kind(void)
{
	unsigned int sum = 0, r, k;

	if (!rnd_below(2000))
		return S_HUGE;
	for (k = 0; k < S_KINDS; k++)
		sum += sealed_weight[k];
	r = rnd_below(sum);
	for (k = 0; k < S_KINDS; k++) {
		if (r < sealed_weight[k])
			return k;
		r -= sealed_weight[k];
	}
	return S_VALID4;
}

/*
 * Payload sizes: mostly small (the count of datagrams is what a run
 * buys, and emulated crypto costs per byte), sometimes up to a full
 * Ethernet frame.
 */
static size_t rnd_size(size_t max)
{
	return rnd_below(8) ? rnd_below(max < 128 ? max : 128) : rnd_below(max);
}

static uint8_t plain[MAX_DGRAM];

/* Padding 1, 2, 3... to a 4-byte boundary (or @pad bytes), trailer. */
static size_t add_trailer(size_t len, int pad, uint8_t nh)
{
	int i;

	if (pad < 0)
		pad = (int)((4 - (len + 2) % 4) % 4);
	for (i = 0; i < pad; i++)
		plain[len + i] = (uint8_t)(i + 1);
	len += pad;
	plain[len++] = (uint8_t)pad;
	plain[len++] = nh;
	return len;
}

static void sealed_one(void)
{
	struct sa *sa = &sas[rnd_below(n_sas)];
	enum sealed_kind k = pick_kind();
	bool v6 = pick_v6(), ce = false;
	struct dgram *d = next_dgram();
	size_t len = 0, payload = rnd_size(200), max;
	enum verdict v = V_PACKETS;
	uint8_t nh = 4, tmpkey[32];
	uint64_t seq;
	int pad = -1;

	switch (k) {
	case S_VALID4:
		len = inner4(plain, o.in4_src, rnd_size(1400), 0);
		break;
	case S_VALID6:
		len = inner6(plain, o.in6_src, rnd_size(1400), 0);
		nh = 41;
		break;
	case S_TFC:
		len = inner4(plain, o.in4_src, payload, 0);
		max = 1 + rnd_below(64);
		memset(plain + len, 0, max);	/* after tot_len: TFC padding */
		len += max;
		break;
	case S_MAXPAD:
		len = inner4(plain, o.in4_src, payload, 0);
		pad = 255;
		break;
	case S_ECN_OK:		/* CE outside, ECT(0) inside: delivered */
		len = inner4(plain, o.in4_src, payload, 2);
		ce = true;
		break;
	case S_ECN_DROP:	/* CE outside, Not-ECT inside (RFC 6040) */
		len = inner4(plain, o.in4_src, payload, 0);
		ce = true;
		v = V_ECN_DROP;
		break;
	case S_DUMMY:
		len = rnd_below(100);
		rnd_fill(plain, len);
		nh = 59;
		v = V_DUMMY;
		break;
	case S_BAD_PAD:
		len = inner4(plain, o.in4_src, payload, 0);
		pad = 1 + (int)rnd_below(255);
		len = add_trailer(len, pad, nh);
		plain[len - 3 - rnd_below(pad)] ^= 1 + rnd_below(255);
		v = V_MALFORMED;
		goto seal;
	case S_BAD_PADLEN:	/* pad length beyond the payload */
		len = rnd_below(40);
		rnd_fill(plain, len);
		/* more padding than there is payload in front of it */
		plain[len] = (uint8_t)(len + 1 + rnd_below(255 - len));
		plain[len + 1] = nh;
		len += 2;
		v = V_MALFORMED;
		goto seal;
	case S_NH_OTHER:
		len = inner4(plain, o.in4_src, payload, 0);
		do
			nh = (uint8_t)rnd();
		while (nh == 4 || nh == 41 || nh == 59);
		v = V_BAD_INNER;
		break;
	case S_NH_MISMATCH:
		if (rnd() & 1) {
			len = inner6(plain, o.in6_src, payload, 0);
			nh = 4;
		} else {
			len = inner4(plain, o.in4_src, payload, 0);
			nh = 41;
		}
		v = V_BAD_INNER;
		break;
	case S_V4_SHORT:
		len = rnd_below(20);
		inner4(plain, o.in4_src, 0, 0);
		v = V_BAD_INNER;
		break;
	case S_V4_TOTLEN_LONG:
		len = inner4(plain, o.in4_src, payload, 0);
		max = len + 1 + rnd_below(65535 - len);
		plain[2] = max >> 8;
		plain[3] = max;
		v = V_BAD_INNER;
		break;
	case S_V4_TOTLEN_SHORT:	/* shorter than its own header */
		len = inner4(plain, o.in4_src, payload, 0);
		plain[2] = 0;
		plain[3] = rnd_below(20);
		v = V_BAD_INNER;
		break;
	case S_V4_IHL:
		len = inner4(plain, o.in4_src, payload, 0);
		plain[0] = 0x40 | rnd_below(5);
		v = V_BAD_INNER;
		break;
	case S_VERSION:
		if (rnd() & 1) {
			len = inner4(plain, o.in4_src, payload, 0);
		} else {
			len = inner6(plain, o.in6_src, payload, 0);
			nh = 41;
		}
		do
			plain[0] = (plain[0] & 0x0f) | (uint8_t)(rnd_below(16) << 4);
		while (plain[0] >> 4 == (nh == 4 ? 4 : 6));
		v = V_BAD_INNER;
		break;
	case S_V6_SHORT:
		len = rnd_below(40);
		inner6(plain, o.in6_src, 0, 0);
		nh = 41;
		v = V_BAD_INNER;
		break;
	case S_V6_PLEN0:
		len = inner6(plain, o.in6_src, payload, 0);
		plain[4] = plain[5] = 0;
		nh = 41;
		v = V_BAD_INNER;
		break;
	case S_V6_PLEN_LONG:
		len = inner6(plain, o.in6_src, payload, 0);
		max = len - 40 + 1 + rnd_below(65535 - (len - 40));
		plain[4] = max >> 8;
		plain[5] = max;
		nh = 41;
		v = V_BAD_INNER;
		break;
	case S_EMPTY:
		len = 0;
		nh = rnd() & 1 ? 4 : 41;
		v = V_BAD_INNER;
		break;
	case S_BAD_SRC4:
		len = inner4(plain, o.bad4, payload, 0);
		v = V_BAD_SOURCE;
		break;
	case S_BAD_SRC6:
		len = inner6(plain, o.bad6, payload, 0);
		nh = 41;
		v = V_BAD_SOURCE;
		break;
	case S_SEQ_ZERO:
		/*
		 * Sequence number 0 is never valid. With ESN the receiver
		 * would read it as 2^32 * n for the window it has at that
		 * moment, which we cannot know: non-ESN SAs only.
		 */
		if (sa->esn) {
			k = S_VALID4;
			len = inner4(plain, o.in4_src, payload, 0);
			break;
		}
		len = inner4(plain, o.in4_src, payload, 0);
		v = V_REPLAY;
		break;
	case S_HUGE:		/* the largest datagram the outer family allows */
		/* inner + trailer fill the room exactly, no padding */
		max = (((v6 ? UDP6_MAX : UDP4_MAX) - ESP_HEAD - sa->icv) & ~3UL) - 2;
		len = inner4(plain, o.in4_src, max - 28, 0);
		break;
	case S_WRONG_KEY:
		len = inner4(plain, o.in4_src, payload, 0);
		v = V_AUTH_FAIL;
		break;
	case S_KINDS:
		break;
	}
	len = add_trailer(len, pad, nh);
seal:
	seq = k == S_SEQ_ZERO ? 0 : sa->fresh++;
	if (k == S_WRONG_KEY) {
		memcpy(tmpkey, sa->key, sa->keylen);
		sa->key[rnd_below(sa->keylen)] ^= 0x80;
		EVP_EncryptInit_ex(sa->ctx, NULL, NULL, sa->key, NULL);
	}
	d->len = esp_seal(sa, seq, plain, len, d->buf);
	if (k == S_WRONG_KEY) {
		memcpy(sa->key, tmpkey, sa->keylen);
		EVP_EncryptInit_ex(sa->ctx, NULL, NULL, sa->key, NULL);
	}
	/* Authenticated and fresh: the window moves, whatever comes next. */
	if (v != V_AUTH_FAIL && v != V_REPLAY && !win_advance(&sa->win, seq))
		die("internal: fresh sequence number %llu refused by the model",
		    (unsigned long long)seq);
	if (v == V_AUTH_FAIL && !win_check(&sa->win, seq))
		v = V_REPLAY;
	d->v = v;
	d->sa = sa;
	queue(d, v6, ce);
}

/* ---- the corrupt phase ---- */

enum corrupt_kind {
	C_TRUNC, C_FLIP_SPI, C_FLIP_SEQ, C_FLIP_IV, C_FLIP_CT, C_FLIP_ICV,
	C_SCRAMBLE, C_APPEND, C_REPLAY, C_TOO_OLD, C_UNKNOWN_SPI,
	C_KEEPALIVE, C_IKE, C_TINY, C_GARBAGE, C_HUGE_GARBAGE,
	C_KINDS
};

static const unsigned int corrupt_weight[C_KINDS] = {
	[C_TRUNC] = 12, [C_FLIP_SPI] = 6, [C_FLIP_SEQ] = 6, [C_FLIP_IV] = 6,
	[C_FLIP_CT] = 8, [C_FLIP_ICV] = 6, [C_SCRAMBLE] = 4, [C_APPEND] = 3,
	[C_REPLAY] = 6, [C_TOO_OLD] = 5, [C_UNKNOWN_SPI] = 8,
	[C_KEEPALIVE] = 8, [C_IKE] = 8, [C_TINY] = 10, [C_GARBAGE] = 10,
	/* C_HUGE_GARBAGE: 1 in ~2000 */
};

/* One sealed, valid datagram per SA, never sent as it is. */
static uint8_t base_pkt[MAX_SAS][2048];
static size_t base_len[MAX_SAS];

static void make_bases(void)
{
	size_t len;
	int i;

	for (i = 0; i < n_sas; i++) {
		len = inner4(plain, o.in4_src, 20 + rnd_below(100), 0);
		len = add_trailer(len, -1, 4);
		/* A fresh number that no sealed datagram will have used. */
		base_len[i] = esp_seal(&sas[i], sas[i].fresh + 1000000, plain,
				       len, base_pkt[i]);
	}
}

static enum corrupt_kind pick_corrupt(void)
{
	unsigned int sum = 0, r, k;

	if (!rnd_below(2000))
		return C_HUGE_GARBAGE;
	for (k = 0; k < C_KINDS; k++)
		sum += corrupt_weight[k];
	r = rnd_below(sum);
	for (k = 0; k < C_KINDS; k++) {
		if (r < corrupt_weight[k])
			return k;
		r -= corrupt_weight[k];
	}
	return C_TINY;
}

/*
 * A sealed datagram on @sa with sequence number @seq, which the window
 * must refuse (it stands still in this phase): a replay or too old.
 */
static size_t resealed(struct sa *sa, uint64_t seq, uint8_t *out)
{
	size_t len = inner4(plain, o.in4_src, rnd_below(100), 0);

	if (win_infer(&sa->win, (uint32_t)seq, sa->esn) == seq &&
	    win_check(&sa->win, seq))
		die("internal: replay of %llu would be accepted",
		    (unsigned long long)seq);
	len = add_trailer(len, -1, 4);
	return esp_seal(sa, seq, plain, len, out);
}

/* A sequence number the window has seen, if any (0 if none). */
static uint64_t seen_seq(struct sa *sa)
{
	struct window *w = &sa->win;
	uint64_t s;
	uint32_t i, span = w->size;

	if (!w->size || !w->top)
		return 0;
	if (span > w->top)
		span = (uint32_t)w->top;
	for (i = 0; i < 16; i++) {
		s = w->top - rnd_below(span);
		if (s && !win_check(w, s))
			return s;
	}
	return 0;
}

static void corrupt_one(void)
{
	int si = (int)rnd_below(n_sas);
	struct sa *sa = &sas[si];
	enum corrupt_kind k = pick_corrupt();
	struct dgram *d = next_dgram();
	bool v6 = pick_v6();
	uint8_t *p = d->buf;
	size_t len = base_len[si], n;
	uint64_t seq;
	enum verdict v;

	memcpy(p, base_pkt[si], len);
	switch (k) {
	case C_TRUNC:
		len = rnd_below(len);
		break;
	case C_FLIP_SPI:
		p[rnd_below(4)] ^= 1 << rnd_below(8);
		break;
	case C_FLIP_SEQ:
		p[4 + rnd_below(4)] ^= 1 << rnd_below(8);
		break;
	case C_FLIP_IV:
		p[8 + rnd_below(8)] ^= 1 << rnd_below(8);
		break;
	case C_FLIP_CT:
		p[ESP_HEAD + rnd_below(len - ESP_HEAD - sa->icv)] ^= 1 << rnd_below(8);
		break;
	case C_FLIP_ICV:
		p[len - 1 - rnd_below(sa->icv)] ^= 1 << rnd_below(8);
		break;
	case C_SCRAMBLE:	/* change random bytes after the SPI */
		for (n = 1 + rnd_below(8); n; n--)
			p[4 + rnd_below(len - 4)] ^= 1 + rnd_below(255);
		break;
	case C_APPEND:		/* trailing junk: the ICV is now elsewhere */
		n = 1 + rnd_below(64);
		rnd_fill(p + len, n);
		len += n;
		break;
	case C_REPLAY:		/* valid ICV, already seen */
		seq = seen_seq(sa);
		if (!seq)
			seq = 0;	/* nothing seen yet: seq 0 is refused too */
		len = resealed(sa, seq, p);
		break;
	case C_TOO_OLD:		/* valid ICV, below the window */
		if (sa->win.size && sa->win.top > sa->win.size + 1 && !sa->esn)
			seq = sa->win.top - sa->win.size - rnd_below(sa->win.top - sa->win.size);
		else
			seq = 0;
		len = resealed(sa, seq, p);
		break;
	case C_UNKNOWN_SPI:
		do
			put32(p, (uint32_t)rnd());
		while (own_sa(get32(p)) || other_spi(get32(p)));
		break;
	case C_KEEPALIVE:
		len = 1 + (rnd_below(4) ? 0 : rnd_below(20));
		rnd_fill(p, len);
		p[0] = rnd_below(3) ? 0xff : (uint8_t)rnd();
		break;
	case C_IKE:
		len = rnd_below(3) ? 4 + rnd_below(300) : rnd_below(8);
		rnd_fill(p, len);
		memset(p, 0, len < 4 ? len : 4);
		if (!rnd_below(4) && len >= 4)
			p[rnd_below(4)] = 1;	/* almost a marker */
		break;
	case C_TINY:
		len = rnd_below(ESP_HEAD + 2 + 17);
		rnd_fill(p, len);
		if (len >= 4 && (rnd() & 1))	/* on one of our SPIs */
			put32(p, sa->spi);
		break;
	case C_GARBAGE:
		len = rnd_size(1500);
		rnd_fill(p, len);
		if (len >= 4 && rnd_below(3))
			put32(p, sa->spi);
		break;
	case C_HUGE_GARBAGE:
		len = v6 ? UDP6_MAX : UDP4_MAX;
		if (rnd() & 1)
			len -= rnd_below(2000);
		rnd_fill(p, len);
		put32(p, sa->spi);
		break;
	case C_KINDS:
		break;
	}
	d->len = len;
	v = classify_unsealed(p, len, &d->sa);
	if (v == V_MAX) {		/* another peer's SA: make another one */
		d->sa = NULL;
		return;
	}
	d->v = v;
	queue(d, v6, false);
}

/* Every truncation of every SA's base datagram, once per corrupt run. */
static void truncations(void)
{
	struct dgram *d;
	size_t n;
	int i;

	for (i = 0; i < n_sas; i++) {
		for (n = 0; n < base_len[i]; n++) {
			d = next_dgram();
			memcpy(d->buf, base_pkt[i], n);
			d->len = n;
			d->v = classify_unsealed(d->buf, n, &d->sa);
			if (d->v == V_MAX)
				continue;
			queue(d, pick_v6(), false);
		}
	}
}

/* ---- state between runs ---- */

static void state_load(void)
{
	FILE *f = fopen(o.state, "r");
	unsigned long long top, fresh, w;
	unsigned int spi;
	struct sa *sa;
	uint32_t i;

	if (!f)
		return;		/* first run: SAs as configured */
	while (fscanf(f, "sa %x %llu %llu", &spi, &top, &fresh) == 3) {
		sa = own_sa(spi);
		if (!sa)
			die("state file names SPI %#x, not given with --sa", spi);
		sa->win.top = top;
		sa->fresh = fresh;
		for (i = 0; i < sa->win.ring / 64; i++) {
			if (fscanf(f, " %llx", &w) != 1)
				die("state file %s is truncated", o.state);
			sa->win.bits[i] = w;
		}
		if (fscanf(f, " ") < 0)
			break;
	}
	fclose(f);
}

static void state_save(void)
{
	FILE *f = fopen(o.state, "w");
	uint32_t i;
	int s;

	if (!f)
		die("cannot write %s: %s", o.state, strerror(errno));
	for (s = 0; s < n_sas; s++) {
		fprintf(f, "sa %x %llu %llu", sas[s].spi,
			(unsigned long long)sas[s].win.top,
			(unsigned long long)sas[s].fresh);
		for (i = 0; i < sas[s].win.ring / 64; i++)
			fprintf(f, " %llx", (unsigned long long)sas[s].win.bits[i]);
		fputc('\n', f);
	}
	if (fclose(f))
		die("cannot write %s", o.state);
}

/* ---- options ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void parse_sa(char *spec)
{
	struct sa *sa;
	uint8_t km[36];
	char *tok, *save = NULL, *v;
	int kmlen = 0, i;
	uint64_t seq = 0;

	if (n_sas == MAX_SAS)
		die("too many --sa");
	sa = &sas[n_sas++];
	memset(sa, 0, sizeof(*sa));
	sa->win.size = 64;
	sa->icv = 16;
	for (tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		v = strchr(tok, '=');
		if (v)
			*v++ = '\0';
		if (!strcmp(tok, "spi") && v) {
			sa->spi = (uint32_t)strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "alg") && v) {
			sa->alg = !strcmp(v, "chacha") ? ALG_CHACHA : ALG_GCM;
		} else if (!strcmp(tok, "key") && v) {
			if (!strncmp(v, "0x", 2))
				v += 2;
			for (kmlen = 0; v[0] && v[1] && kmlen < 36; v += 2) {
				if (hexval(v[0]) < 0 || hexval(v[1]) < 0)
					die("bad key hex");
				km[kmlen++] = (uint8_t)(hexval(v[0]) << 4 | hexval(v[1]));
			}
		} else if (!strcmp(tok, "icv") && v) {
			sa->icv = atoi(v) / 8;
		} else if (!strcmp(tok, "esn")) {
			sa->esn = true;
		} else if (!strcmp(tok, "window") && v) {
			sa->win.size = (uint32_t)strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "seq") && v) {
			seq = strtoull(v, NULL, 0);
		} else {
			die("bad --sa item '%s'", tok);
		}
	}
	if (!sa->spi || (kmlen != 20 && kmlen != 28 && kmlen != 36) ||
	    (sa->icv != 8 && sa->icv != 12 && sa->icv != 16))
		die("--sa needs spi, key (key||salt, 20/28/36 bytes) and icv 64/96/128");
	sa->keylen = kmlen - 4;
	memcpy(sa->key, km, sa->keylen);
	memcpy(sa->salt, km + sa->keylen, 4);
	for (sa->win.ring = 64; sa->win.ring < sa->win.size; sa->win.ring *= 2)
		;
	sa->win.bits = calloc(sa->win.ring / 64, 8);
	if (!sa->win.bits)
		die("out of memory");
	sa->win.top = seq;
	win_seen_below_top(&sa->win);
	sa->fresh = seq + 1;
	for (i = 0; i < V_MAX; i++)
		sa->tally[i] = 0;
	sa_init_crypto(sa);
}

static void parse_addr(const char *s, struct sockaddr_storage *ss, int fam)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = fam;
	if (inet_pton(fam, s, fam == AF_INET ?
		      (void *)&((struct sockaddr_in *)ss)->sin_addr :
		      (void *)&((struct sockaddr_in6 *)ss)->sin6_addr) != 1)
		die("bad address %s", s);
}

static void parse_pair(char *s, int fam, uint8_t *src, uint8_t *dst)
{
	char *comma = strchr(s, ',');

	if (!comma)
		die("expected SRC,DST: %s", s);
	*comma = '\0';
	if (inet_pton(fam, s, src) != 1 || inet_pton(fam, comma + 1, dst) != 1)
		die("bad address in %s", s);
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "phase", 1, NULL, 'p' }, { "count", 1, NULL, 'n' },
		{ "seed", 1, NULL, 'S' }, { "state", 1, NULL, 'f' },
		{ "src4", 1, NULL, '1' }, { "dst4", 1, NULL, '2' },
		{ "src6", 1, NULL, '3' }, { "dst6", 1, NULL, '4' },
		{ "sport", 1, NULL, 's' }, { "dport", 1, NULL, 'd' },
		{ "sa", 1, NULL, 'a' }, { "other-spi", 1, NULL, 'o' },
		{ "inner4", 1, NULL, '5' }, { "inner6", 1, NULL, '6' },
		{ "bad-src4", 1, NULL, '7' }, { "bad-src6", 1, NULL, '8' },
		{ NULL, 0, NULL, 0 },
	};
	bool s4 = false, d4 = false, s6 = false, d6 = false;
	int c;

	o.sport = 4501;
	o.dport = 4500;
	o.seed = 1;
	inet_pton(AF_INET, "10.3.0.2", o.in4_src);
	inet_pton(AF_INET, "10.2.0.1", o.in4_dst);
	inet_pton(AF_INET, "10.9.9.9", o.bad4);
	inet_pton(AF_INET6, "fd03::2", o.in6_src);
	inet_pton(AF_INET6, "fd02::1", o.in6_dst);
	inet_pton(AF_INET6, "fd09::9", o.bad6);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o.phase = optarg; break;
		case 'n': o.count = strtol(optarg, NULL, 0); break;
		case 'S': o.seed = strtoul(optarg, NULL, 0); break;
		case 'f': o.state = optarg; break;
		case '1': parse_addr(optarg, &o.src4, AF_INET); s4 = true; break;
		case '2': parse_addr(optarg, &o.dst4, AF_INET); d4 = true; break;
		case '3': parse_addr(optarg, &o.src6, AF_INET6); s6 = true; break;
		case '4': parse_addr(optarg, &o.dst6, AF_INET6); d6 = true; break;
		case 's': o.sport = (uint16_t)atoi(optarg); break;
		case 'd': o.dport = (uint16_t)atoi(optarg); break;
		case 'a': parse_sa(optarg); break;
		case 'o':
			if (n_others == MAX_OTHER)
				die("too many --other-spi");
			others[n_others++] = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case '5': parse_pair(optarg, AF_INET, o.in4_src, o.in4_dst); break;
		case '6': parse_pair(optarg, AF_INET6, o.in6_src, o.in6_dst); break;
		case '7':
			if (inet_pton(AF_INET, optarg, o.bad4) != 1)
				die("bad --bad-src4");
			break;
		case '8':
			if (inet_pton(AF_INET6, optarg, o.bad6) != 1)
				die("bad --bad-src6");
			break;
		default:
			die("see the comment at the top of tests/fuzz/espfuzz.c");
		}
	}
	if (!o.phase || (strcmp(o.phase, "sealed") && strcmp(o.phase, "corrupt")))
		die("--phase sealed|corrupt is needed");
	if (!o.state || !n_sas || !s4 || !d4 || o.count < 0)
		die("--state, --sa, --src4 and --dst4 are needed");
	if (s6 != d6)
		die("--src6 and --dst6 go together");
	o.have6 = s6;
	rng_state = o.seed * 0x9E3779B97F4A7C15ULL + 1;
}

int main(int argc, char **argv)
{
	long i;
	int s, v;

	parse(argc, argv);
	if (getenv("ESPFUZZ_TRACE")) {
		trace = fopen(getenv("ESPFUZZ_TRACE"), "a");
		if (!trace)
			die("cannot open $ESPFUZZ_TRACE");
	}
	state_load();
	sock4 = open_sock(&o.src4, &o.dst4, o.sport, 0);
	sock4_ce = open_sock(&o.src4, &o.dst4, o.sport + 1, 3);
	if (o.have6) {
		sock6 = open_sock(&o.src6, &o.dst6, o.sport, 0);
		sock6_ce = open_sock(&o.src6, &o.dst6, o.sport + 1, 3);
	}

	if (!strcmp(o.phase, "sealed")) {
		for (i = 0; i < o.count; i++)
			sealed_one();
	} else {
		make_bases();
		truncations();
		for (i = 0; total + n_batch < (uint64_t)o.count; i++)
			corrupt_one();
	}
	flush();
	state_save();

	printf("total %llu\n", (unsigned long long)total);
	printf("send_errors %llu\n", (unsigned long long)send_errors);
	for (v = 0; v < V_MAX; v++)
		printf("dev %s %llu\n", verdict_name[v],
		       (unsigned long long)dev_tally[v]);
	for (s = 0; s < n_sas; s++)
		for (v = 0; v < V_MAX; v++)
			if (v == V_PACKETS || v == V_REPLAY || v == V_AUTH_FAIL)
				printf("sa %u %s %llu\n", sas[s].spi,
				       verdict_name[v],
				       (unsigned long long)sas[s].tally[v]);
	return 0;
}
