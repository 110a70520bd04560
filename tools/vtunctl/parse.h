/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure parsers and formatters for vtunctl: no netlink, no output. Every
 * parser returns 0 on success or -1 with a one-line message in struct
 * vt_err, so the same code is unit-tested on the host (tests/unit).
 */
#ifndef VTUNCTL_PARSE_H
#define VTUNCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/vtun.h>

#define VT_ERR_MAX 256

struct vt_err {
	char msg[VT_ERR_MAX];
};

int vt_seterr(struct vt_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Numbers: decimal, or hexadecimal with 0x when @hex_ok; no sign, no
 * spaces, no octal surprises ("010" is ten).
 */
int vt_parse_num(const char *what, const char *s, uint64_t min, uint64_t max,
		 bool hex_ok, uint64_t *out, struct vt_err *e);

/* Unique-prefix keyword lookup over a NULL-terminated list, as iproute2
 * does: an exact match wins, else a prefix of exactly one word. An empty
 * string in the list (VT_KW_LATER) starts words added later: they match
 * in full or by a prefix that none of the earlier words has, so that the
 * abbreviations already in use ("sh" for show) keep their meaning.
 */
#define VT_KW_LATER ""
int vt_keyword(const char *what, const char *arg, const char *const *words,
	       struct vt_err *e);

/* Device names as the kernel accepts them (dev_valid_name()). */
int vt_parse_ifname(const char *s, struct vt_err *e);

struct vt_addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr in;
		struct in6_addr in6;
		uint8_t bytes[16];
	} u;
};

struct vt_endpoint {
	struct vt_addr addr;
	uint16_t port;
};

struct vt_prefix {
	struct vt_addr addr;
	uint8_t len;
};

/* "[" INET6_ADDRSTRLEN "]:65535" plus NUL, and "/128" for prefixes */
#define VT_ADDR_STRLEN 64

size_t vt_addr_len(const struct vt_addr *a);
int vt_parse_addr(const char *s, struct vt_addr *a);
int vt_parse_endpoint(const char *s, struct vt_endpoint *ep, struct vt_err *e);
int vt_parse_prefix(const char *s, struct vt_prefix *p, struct vt_err *e);
void vt_format_addr(const struct vt_addr *a, char *buf, size_t len);
void vt_format_endpoint(const struct vt_endpoint *ep, char *buf, size_t len);
void vt_format_prefix(const struct vt_prefix *p, char *buf, size_t len);

/* AES-GCM for ESP (RFC 4106): 16/24/32-byte key followed by a 4-byte salt. */
#define VT_SALT_LEN 4
#define VT_KEY_MAX (32 + VT_SALT_LEN)

/* VTUN_SA_A_KEY_REF: up to 255 bytes */
#define VT_KEY_REF_MAX 255

struct vt_key {
	uint8_t bytes[VT_KEY_MAX];
	size_t len;
	/* the absolute path of a key read from a regular file, else "" */
	char ref[VT_KEY_REF_MAX + 1];
};

/* @s holds @n characters of hex, optionally prefixed by 0x. */
int vt_parse_key_hex(const char *s, size_t n, struct vt_key *key,
		     struct vt_err *e);
int vt_read_key_file(const char *path, struct vt_key *key, struct vt_err *e);
/* A command-line KEY: 0x<hex> or @PATH. */
int vt_parse_key(const char *arg, struct vt_key *key, struct vt_err *e);
void vt_key_wipe(struct vt_key *key);

/*
 * The AEADs, by their crypto API names as ip xfrm takes them: AES-GCM
 * (RFC 4106, 16/24/32-byte keys, ICV 64/96/128 bits) and ChaCha20-Poly1305
 * (RFC 7634, 32-byte key, ICV 128 bits), each key followed by a 4-byte salt.
 */
struct vt_aead {
	const char *name;
	uint8_t key_lens[3];		/* key bytes without salt, 0: none */
	uint16_t icv_min;		/* the ICV bits it takes: 64, 96, 128 */
};

const struct vt_aead *vt_aead_find(const char *name);
/* "unsupported aead 'NAME' (vtun supports ...)" */
int vt_aead_unknown(const char *what, const char *name, struct vt_err *e);
/* The key (with salt) and ICV fit @a; checks sizes only. */
int vt_aead_check(const struct vt_aead *a, size_t key_len, unsigned int icv_bits,
		  struct vt_err *e);

/* A random key of @key_bytes (16, 24, 32) and its salt as "0x<hex>" in
 * @out (2 * (key_bytes + 4) + 3 bytes): 0 or -errno.
 */
int vt_genkey(size_t key_bytes, char *out, size_t outlen);

/* "0x" and the hex of @len bytes into @buf, which holds 2 * @len + 3. */
void vt_format_hex(const uint8_t *bytes, size_t len, char *buf);

/*
 * SA lifetimes with the keywords of `ip xfrm state ... limit`: time-soft,
 * time-hard, time-use-soft, time-use-hard, byte-soft, byte-hard,
 * packet-soft, packet-hard. 0 means no limit, as in the kernel.
 */
struct vt_lifetime {
	unsigned int seen;			/* bit per VTUN_LIFETIME_A_* */
	uint64_t val[VTUN_LIFETIME_A_MAX + 1];
};

/* The attribute of limit keyword @kw (no abbreviation): 0 if none. */
int vt_limit_type(const char *kw);
/* "time-soft" for VTUN_LIFETIME_A_SOFT_ADD_SECS; NULL for no limit type. */
const char *vt_limit_name(unsigned int type);
/* One "limit KEYWORD VALUE"; a keyword given twice is an error. */
int vt_parse_limit(const char *kw, const char *val, struct vt_lifetime *lt,
		   struct vt_err *e);
/* Every soft limit at most its hard one (when that is set). */
int vt_lifetime_check(const struct vt_lifetime *lt, struct vt_err *e);
/* The nonzero limits, "time-soft 3600<sep>time-hard 3900", in ip xfrm
 * order; "" when there is none.
 */
void vt_format_limits(const struct vt_lifetime *lt, const char *sep,
		      char *buf, size_t len);

#endif
