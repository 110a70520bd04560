// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for everything an operator types: numbers, keywords, device
 * names, addresses, endpoints, prefixes and keys. Nothing here talks to the
 * kernel or prints, so tests/unit exercises it directly.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"

/* A key file holds at most 0x + 72 hex digits and some whitespace. */
#define VT_KEY_FILE_MAX 512

int vt_seterr(struct vt_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool has_hex_prefix(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* Check the digits ourselves: strtoull() would also take a sign, leading
 * spaces and a second "0x", none of which an operator means.
 */
static bool all_digits(const char *s, int base)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (base == 16 ? !isxdigit((unsigned char)*s)
			       : !isdigit((unsigned char)*s))
			return false;
	}
	return true;
}

int vt_parse_num(const char *what, const char *s, uint64_t min, uint64_t max,
		 bool hex_ok, uint64_t *out, struct vt_err *e)
{
	const char *digits = s;
	unsigned long long v;
	int base = 10;
	char *end;

	if (hex_ok && has_hex_prefix(s)) {
		digits = s + 2;
		base = 16;
	}
	if (!all_digits(digits, base))
		return vt_seterr(e, "invalid %s '%.64s': expected a %snumber",
				 what, s, hex_ok ? "decimal or 0x hex " : "");
	errno = 0;
	v = strtoull(digits, &end, base);
	if (*end)
		return vt_seterr(e, "invalid %s '%.64s'", what, s);
	if (errno == ERANGE || v < min || v > max)
		return vt_seterr(e, "%s '%.64s' out of range (%llu..%llu)",
				 what, s, (unsigned long long)min,
				 (unsigned long long)max);
	*out = v;
	return 0;
}

static void list_candidates(char *buf, size_t len, const char *arg,
			    const char *const *words)
{
	size_t used = 0, arglen = strlen(arg);

	buf[0] = '\0';
	for (; *words && used < len; words++) {
		if (strncmp(*words, arg, arglen))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", *words);
	}
}

int vt_keyword(const char *what, const char *arg, const char *const *words,
	       struct vt_err *e)
{
	size_t arglen = strlen(arg);
	int found = -1, i;
	char cands[128];

	for (i = 0; words[i]; i++)
		if (!strcmp(words[i], arg))
			return i;
	for (i = 0; arglen && words[i]; i++) {
		if (strncmp(words[i], arg, arglen))
			continue;
		if (found >= 0) {
			list_candidates(cands, sizeof(cands), arg, words);
			return vt_seterr(e, "ambiguous %s '%.32s' (%s)", what,
					 arg, cands);
		}
		found = i;
	}
	if (found < 0)
		return vt_seterr(e, "unknown %s '%.32s'", what, arg);
	return found;
}

int vt_parse_ifname(const char *s, struct vt_err *e)
{
	const char *p;

	if (!*s)
		return vt_seterr(e, "empty device name");
	if (strnlen(s, IFNAMSIZ) >= IFNAMSIZ)
		return vt_seterr(e, "device name '%.32s' too long (max %d characters)",
				 s, IFNAMSIZ - 1);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return vt_seterr(e, "invalid device name '%s'", s);
	for (p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return vt_seterr(e, "invalid device name '%s'", s);
	return 0;
}

size_t vt_addr_len(const struct vt_addr *a)
{
	return a->family == AF_INET ? sizeof(a->u.in) : sizeof(a->u.in6);
}

int vt_parse_addr(const char *s, struct vt_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.in) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->u.in6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

/* Copy [s, s + n) into @buf as a C string and parse it as an address. */
static int parse_addr_n(const char *s, size_t n, struct vt_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return vt_parse_addr(buf, a);
}

int vt_parse_endpoint(const char *s, struct vt_endpoint *ep, struct vt_err *e)
{
	const char *host = s, *colon, *close;
	int want = AF_INET;
	uint64_t port;
	size_t hlen;

	if (s[0] == '[') {
		close = strchr(s, ']');
		if (!close || close[1] != ':')
			return vt_seterr(e, "invalid endpoint '%.64s': expected [IPV6]:PORT", s);
		host = s + 1;
		hlen = close - host;
		colon = close + 1;
		want = AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return vt_seterr(e, "invalid endpoint '%.64s': expected ADDR:PORT", s);
		if (memchr(s, ':', colon - s))
			return vt_seterr(e, "invalid endpoint '%.64s': write IPv6 endpoints as [ADDR]:PORT", s);
		hlen = colon - s;
	}
	if (parse_addr_n(host, hlen, &ep->addr) || ep->addr.family != want)
		return vt_seterr(e, "invalid endpoint '%.64s': bad %s address", s,
				 want == AF_INET ? "IPv4" : "IPv6");
	if (vt_parse_num("endpoint port", colon + 1, 1, 65535, true, &port, e))
		return -1;
	ep->port = port;
	return 0;
}

/* Zero the host bits of @a beyond @len; true if any were set. */
static bool clear_host_bits(struct vt_addr *a, unsigned int len)
{
	size_t i, n = vt_addr_len(a);
	bool dirty = false;

	for (i = 0; i < n; i++) {
		unsigned int bits = len > 8 * i ? len - 8 * i : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		if (a->u.bytes[i] & ~mask)
			dirty = true;
		a->u.bytes[i] &= mask;
	}
	return dirty;
}

int vt_parse_prefix(const char *s, struct vt_prefix *p, struct vt_err *e)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct vt_prefix net;
	char buf[VT_ADDR_STRLEN];
	unsigned int max;
	uint64_t len;

	if (parse_addr_n(s, alen, &p->addr))
		return vt_seterr(e, "invalid prefix '%.64s': expected ADDR[/LEN]", s);
	max = p->addr.family == AF_INET ? 32 : 128;
	len = max;
	if (slash && vt_parse_num("prefix length", slash + 1, 0, max, false,
				  &len, e))
		return -1;
	p->len = len;
	/* Refuse rather than normalise 10.2.3.4/16, like iproute2: the
	 * operator may have meant a /32 or mistyped the length.
	 */
	net = *p;
	if (clear_host_bits(&net.addr, net.len)) {
		vt_format_prefix(&net, buf, sizeof(buf));
		return vt_seterr(e, "invalid prefix '%.64s': host bits set (did you mean %s?)",
				 s, buf);
	}
	return 0;
}

void vt_format_addr(const struct vt_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, &a->u, buf, len))
		snprintf(buf, len, "?");
}

void vt_format_endpoint(const struct vt_endpoint *ep, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	vt_format_addr(&ep->addr, addr, sizeof(addr));
	if (ep->addr.family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", addr, ep->port);
	else
		snprintf(buf, len, "%s:%u", addr, ep->port);
}

void vt_format_prefix(const struct vt_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	vt_format_addr(&p->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, p->len);
}

void vt_key_wipe(struct vt_key *key)
{
	explicit_bzero(key, sizeof(*key));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool valid_key_size(size_t bytes)
{
	return bytes == 16 + VT_SALT_LEN || bytes == 24 + VT_SALT_LEN ||
	       bytes == 32 + VT_SALT_LEN;
}

/* Key material is never echoed in messages: only positions and sizes. */
int vt_parse_key_hex(const char *s, size_t n, struct vt_key *key,
		     struct vt_err *e)
{
	size_t i;

	if (n >= 2 && has_hex_prefix(s)) {
		s += 2;
		n -= 2;
	}
	if (!n)
		return vt_seterr(e, "empty key");
	for (i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return vt_seterr(e, "key has a non-hex character at position %zu",
					 i + 1);
	if (n % 2)
		return vt_seterr(e, "key has an odd number of hex digits (%zu)", n);
	if (!valid_key_size(n / 2))
		return vt_seterr(e, "key is %zu bytes; rfc4106(gcm(aes)) takes 20, 28 or 36 (AES-128/192/256 key + 4-byte salt)",
				 n / 2);
	for (i = 0; i < n; i += 2)
		key->bytes[i / 2] = hexval(s[i]) << 4 | hexval(s[i + 1]);
	key->len = n / 2;
	return 0;
}

static int read_all(int fd, char *buf, size_t size, size_t *len)
{
	ssize_t r;

	*len = 0;
	for (;;) {
		r = read(fd, buf + *len, size - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : 0;
		*len += r;
		if (*len == size)
			return 0;
	}
}

/* Like ssh with private keys: a key others can read is already leaked, and
 * one others can write may be theirs. Refusing makes the operator fix the
 * file instead of scrolling past a warning.
 */
static int check_key_file_mode(const char *path, int fd, struct vt_err *e)
{
	struct stat st;

	if (fstat(fd, &st))
		return vt_seterr(e, "key file %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return vt_seterr(e, "key file %s: is a directory", path);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return vt_seterr(e, "key file %s is accessible by group or others (mode %04o); chmod 600 it",
				 path, (unsigned int)(st.st_mode & 07777));
	return 0;
}

static int parse_key_text(const char *path, char *buf, size_t len,
			  struct vt_key *key, struct vt_err *e)
{
	size_t start = 0;

	while (start < len && isspace((unsigned char)buf[start]))
		start++;
	while (len > start && isspace((unsigned char)buf[len - 1]))
		len--;
	if (vt_parse_key_hex(buf + start, len - start, key, e)) {
		char msg[VT_ERR_MAX];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		return vt_seterr(e, "key file %s: %s", path, msg);
	}
	return 0;
}

int vt_read_key_file(const char *path, struct vt_key *key, struct vt_err *e)
{
	char buf[VT_KEY_FILE_MAX + 1];
	size_t len;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return vt_seterr(e, "key file %s: %s", path, strerror(errno));
	ret = check_key_file_mode(path, fd, e);
	if (!ret && read_all(fd, buf, sizeof(buf), &len))
		ret = vt_seterr(e, "key file %s: %s", path, strerror(errno));
	close(fd);
	if (!ret && len > VT_KEY_FILE_MAX)
		ret = vt_seterr(e, "key file %s: too large for a key", path);
	if (!ret)
		ret = parse_key_text(path, buf, len, key, e);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int vt_parse_key(const char *arg, struct vt_key *key, struct vt_err *e)
{
	if (arg[0] == '@') {
		if (!arg[1])
			return vt_seterr(e, "key file name missing after '@'");
		return vt_read_key_file(arg + 1, key, e);
	}
	/* ip xfrm reads a KEY without 0x as a literal string; insist on the
	 * prefix so a key means the same thing to both tools.
	 */
	if (!has_hex_prefix(arg))
		return vt_seterr(e, "key must be 0x<hex> or @FILE");
	return vt_parse_key_hex(arg, strlen(arg), key, e);
}
