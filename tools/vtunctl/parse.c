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
#include <limits.h>
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
			    const char *const *words, int from, int to)
{
	size_t used = 0, arglen = strlen(arg);
	int i;

	buf[0] = '\0';
	for (i = from; i < to && used < len; i++) {
		if (strncmp(words[i], arg, arglen))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", words[i]);
	}
}

/* The word of words[from, to) that @arg abbreviates: its index, -1 if
 * none, -2 if several do.
 */
static int prefix_match(const char *arg, const char *const *words, int from,
			int to)
{
	size_t arglen = strlen(arg);
	int found = -1, i;

	for (i = from; i < to; i++) {
		if (strncmp(words[i], arg, arglen))
			continue;
		if (found >= 0)
			return -2;
		found = i;
	}
	return found;
}

int vt_keyword(const char *what, const char *arg, const char *const *words,
	       struct vt_err *e)
{
	int n, later = -1, from = 0, to, found = -1;
	char cands[128];

	for (n = 0; words[n]; n++) {
		if (!*words[n]) {		/* VT_KW_LATER */
			if (later < 0)
				later = n;
			continue;
		}
		if (!strcmp(words[n], arg))
			return n;
	}
	to = later < 0 ? n : later;
	if (*arg) {
		found = prefix_match(arg, words, from, to);
		if (found == -1 && later >= 0) {
			from = later + 1;
			to = n;
			found = prefix_match(arg, words, from, to);
		}
	}
	if (found == -2) {
		list_candidates(cands, sizeof(cands), arg, words, from, to);
		return vt_seterr(e, "ambiguous %s '%.32s' (%s)", what, arg, cands);
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

static const struct vt_aead vt_aeads[] = {
	{ VTUN_ALG_AES_GCM,		{ 16, 24, 32 },	64 },
	{ VTUN_ALG_CHACHA20_POLY1305,	{ 32 },		128 },
};

#define VT_N_AEADS (sizeof(vt_aeads) / sizeof(vt_aeads[0]))

const struct vt_aead *vt_aead_find(const char *name)
{
	size_t i;

	for (i = 0; i < VT_N_AEADS; i++)
		if (!strcmp(vt_aeads[i].name, name))
			return &vt_aeads[i];
	return NULL;
}

int vt_aead_unknown(const char *what, const char *name, struct vt_err *e)
{
	return vt_seterr(e, "unsupported %s '%.64s' (vtun supports %s, %s)", what,
			 name, VTUN_ALG_AES_GCM, VTUN_ALG_CHACHA20_POLY1305);
}

int vt_aead_check(const struct vt_aead *a, size_t key_len, unsigned int icv_bits,
		  struct vt_err *e)
{
	char sizes[32] = "";
	size_t i, used = 0;

	for (i = 0; i < sizeof(a->key_lens) && a->key_lens[i]; i++) {
		if (key_len == (size_t)a->key_lens[i] + VT_SALT_LEN)
			break;
		used += snprintf(sizes + used, sizeof(sizes) - used, "%s%u",
				 used ? " or " : "", a->key_lens[i] + VT_SALT_LEN);
	}
	if (i == sizeof(a->key_lens) || !a->key_lens[i])
		return vt_seterr(e, "key is %zu bytes; %s takes %s (key + 4-byte salt)",
				 key_len, a->name, sizes);
	if (icv_bits < a->icv_min)
		return vt_seterr(e, "%s takes icv bits %s128", a->name,
				 a->icv_min == 64 ? "64, 96 or " : "");
	return 0;
}

void vt_format_hex(const uint8_t *bytes, size_t len, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	*buf++ = '0';
	*buf++ = 'x';
	for (i = 0; i < len; i++) {
		*buf++ = digits[bytes[i] >> 4];
		*buf++ = digits[bytes[i] & 0xf];
	}
	*buf = '\0';
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

/*
 * Remember where a key came from (VTUN_SA_A_KEY_REF), so that a running
 * configuration can be printed back without its keys: the absolute path of
 * the regular file we read, checked to be that same file. Anything else (a
 * pipe, /dev/stdin) or a path too long to record is simply not recorded.
 */
static void record_key_ref(const char *path, int fd, struct vt_key *key)
{
	char resolved[PATH_MAX];
	struct stat st, rst;

	key->ref[0] = '\0';
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !realpath(path, resolved))
		return;
	if (stat(resolved, &rst) || rst.st_dev != st.st_dev ||
	    rst.st_ino != st.st_ino || strlen(resolved) > VT_KEY_REF_MAX)
		return;
	memcpy(key->ref, resolved, strlen(resolved) + 1);
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
	if (!ret && len > VT_KEY_FILE_MAX)
		ret = vt_seterr(e, "key file %s: too large for a key", path);
	if (!ret)
		ret = parse_key_text(path, buf, len, key, e);
	if (!ret)
		record_key_ref(path, fd, key);
	close(fd);
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
	key->ref[0] = '\0';
	return vt_parse_key_hex(arg, strlen(arg), key, e);
}

/* ---- SA lifetimes ---- */

/* The keywords of ip xfrm, in its order. */
static const struct {
	const char *name;
	unsigned int type;
} vt_limits[] = {
	{ "time-soft",		VTUN_LIFETIME_A_SOFT_ADD_SECS },
	{ "time-hard",		VTUN_LIFETIME_A_HARD_ADD_SECS },
	{ "time-use-soft",	VTUN_LIFETIME_A_SOFT_USE_SECS },
	{ "time-use-hard",	VTUN_LIFETIME_A_HARD_USE_SECS },
	{ "byte-soft",		VTUN_LIFETIME_A_SOFT_BYTES },
	{ "byte-hard",		VTUN_LIFETIME_A_HARD_BYTES },
	{ "packet-soft",	VTUN_LIFETIME_A_SOFT_PACKETS },
	{ "packet-hard",	VTUN_LIFETIME_A_HARD_PACKETS },
};

#define VT_N_LIMITS (sizeof(vt_limits) / sizeof(vt_limits[0]))

/* Soft and hard limits of one kind. */
static const unsigned int vt_limit_pairs[][2] = {
	{ VTUN_LIFETIME_A_SOFT_ADD_SECS, VTUN_LIFETIME_A_HARD_ADD_SECS },
	{ VTUN_LIFETIME_A_SOFT_USE_SECS, VTUN_LIFETIME_A_HARD_USE_SECS },
	{ VTUN_LIFETIME_A_SOFT_BYTES, VTUN_LIFETIME_A_HARD_BYTES },
	{ VTUN_LIFETIME_A_SOFT_PACKETS, VTUN_LIFETIME_A_HARD_PACKETS },
};

int vt_limit_type(const char *kw)
{
	size_t i;

	for (i = 0; i < VT_N_LIMITS; i++)
		if (!strcmp(vt_limits[i].name, kw))
			return vt_limits[i].type;
	return 0;
}

const char *vt_limit_name(unsigned int type)
{
	size_t i;

	for (i = 0; i < VT_N_LIMITS; i++)
		if (vt_limits[i].type == type)
			return vt_limits[i].name;
	return NULL;
}

int vt_parse_limit(const char *kw, const char *val, struct vt_lifetime *lt,
		   struct vt_err *e)
{
	int type = vt_limit_type(kw);
	char what[32];
	uint64_t v;

	if (!type)
		return vt_seterr(e, "unknown limit '%.32s' (time-soft, time-hard, time-use-soft, time-use-hard, byte-soft, byte-hard, packet-soft, packet-hard)",
				 kw);
	if (lt->seen & 1U << type)
		return vt_seterr(e, "limit %s given twice", kw);
	snprintf(what, sizeof(what), "limit %s", kw);
	if (vt_parse_num(what, val, 0, UINT64_MAX, true, &v, e))
		return -1;
	lt->seen |= 1U << type;
	lt->val[type] = v;
	return 0;
}

int vt_lifetime_check(const struct vt_lifetime *lt, struct vt_err *e)
{
	size_t i;

	for (i = 0; i < sizeof(vt_limit_pairs) / sizeof(vt_limit_pairs[0]); i++) {
		unsigned int soft = vt_limit_pairs[i][0];
		unsigned int hard = vt_limit_pairs[i][1];

		if (lt->val[hard] && lt->val[soft] > lt->val[hard])
			return vt_seterr(e, "limit %s %llu exceeds %s %llu",
					 vt_limit_name(soft),
					 (unsigned long long)lt->val[soft],
					 vt_limit_name(hard),
					 (unsigned long long)lt->val[hard]);
	}
	return 0;
}

void vt_format_limits(const struct vt_lifetime *lt, const char *sep,
		      char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < VT_N_LIMITS && used < len; i++) {
		uint64_t v = lt->val[vt_limits[i].type];

		if (!v)
			continue;
		used += snprintf(buf + used, len - used, "%s%s %llu",
				 used ? sep : "", vt_limits[i].name,
				 (unsigned long long)v);
	}
}
