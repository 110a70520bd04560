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
 * does: an exact match wins, else a prefix of exactly one word.
 */
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

struct vt_key {
	uint8_t bytes[VT_KEY_MAX];
	size_t len;
};

/* @s holds @n characters of hex, optionally prefixed by 0x. */
int vt_parse_key_hex(const char *s, size_t n, struct vt_key *key,
		     struct vt_err *e);
int vt_read_key_file(const char *path, struct vt_key *key, struct vt_err *e);
/* A command-line KEY: 0x<hex> or @PATH. */
int vt_parse_key(const char *arg, struct vt_key *key, struct vt_err *e);
void vt_key_wipe(struct vt_key *key);

#endif
