// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration files for vtunctl setconf/showconf: INI like wg(8).
 *
 *	[Device]		ListenPort, FwMark, BindDevice, Ttl, Dscp
 *	[Peer]			Id, Endpoint, Keepalive, PinEndpoint, Route...
 *	[SA]			Dir, Spi, Aead, Key, IcvBits, Esn,
 *				ReplayWindow, Limit...; of the [Peer] above
 *
 * Section and key names are case-insensitive, '#' starts a comment, blanks
 * around names and values do not matter. Keys never appear in the file
 * itself: Key = @PATH names a key file (relative to the configuration
 * file's directory). The whole file is parsed, checked and its keys read
 * before anything is sent, and every error names FILE:LINE.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

enum section { SEC_NONE, SEC_DEVICE, SEC_PEER, SEC_SA };

static const char *const section_names[] = {
	[SEC_DEVICE] = "Device", [SEC_PEER] = "Peer", [SEC_SA] = "SA",
};

enum conf_key {
	K_LISTEN_PORT, K_FWMARK, K_BIND_DEVICE, K_TTL, K_DSCP,
	K_ID, K_ENDPOINT, K_KEEPALIVE, K_PIN_ENDPOINT, K_ROUTE,
	K_DIR, K_SPI, K_AEAD, K_KEY, K_ICV_BITS, K_ESN, K_REPLAY_WINDOW,
	K_LIMIT,
	N_KEYS
};

static const struct {
	const char *name;
	enum section section;
	bool repeatable;
} conf_keys[N_KEYS] = {
	[K_LISTEN_PORT]		= { "ListenPort",	SEC_DEVICE },
	[K_FWMARK]		= { "FwMark",		SEC_DEVICE },
	[K_BIND_DEVICE]		= { "BindDevice",	SEC_DEVICE },
	[K_TTL]			= { "Ttl",		SEC_DEVICE },
	[K_DSCP]		= { "Dscp",		SEC_DEVICE },
	[K_ID]			= { "Id",		SEC_PEER },
	[K_ENDPOINT]		= { "Endpoint",		SEC_PEER },
	[K_KEEPALIVE]		= { "Keepalive",	SEC_PEER },
	[K_PIN_ENDPOINT]	= { "PinEndpoint",	SEC_PEER },
	[K_ROUTE]		= { "Route",		SEC_PEER, true },
	[K_DIR]			= { "Dir",		SEC_SA },
	[K_SPI]			= { "Spi",		SEC_SA },
	[K_AEAD]		= { "Aead",		SEC_SA },
	[K_KEY]			= { "Key",		SEC_SA },
	[K_ICV_BITS]		= { "IcvBits",		SEC_SA },
	[K_ESN]			= { "Esn",		SEC_SA },
	[K_REPLAY_WINDOW]	= { "ReplayWindow",	SEC_SA },
	[K_LIMIT]		= { "Limit",		SEC_SA, true },
};

struct parser {
	const char *name;		/* the file, for messages */
	const char *keydir;		/* relative key paths start here */
	struct vt_conf *c;
	struct vt_err *e;
	unsigned int lineno;
	enum section section;
	unsigned int section_line;
	unsigned int seen;		/* keys given in this section */
	unsigned int device_line;	/* of [Device], 0 if none yet */
	bool in_peer;			/* a [Peer] is open for [SA]s */
	size_t routes_from;		/* the current peer's first route */
};

/* "NAME:LINE: message" */
__attribute__((format(printf, 3, 4)))
static int perr_at(struct parser *p, unsigned int line, const char *fmt, ...)
{
	char msg[VT_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vt_seterr(p->e, "%s:%u: %s", p->name, line, msg);
}

#define perr(p, ...) perr_at(p, (p)->lineno, __VA_ARGS__)

/* A message a parse.c parser left in p->e, located. */
static int located(struct parser *p)
{
	char msg[VT_ERR_MAX];

	snprintf(msg, sizeof(msg), "%s", p->e->msg);
	return perr(p, "%s", msg);
}

static struct vt_conf_peer *cur_peer(struct parser *p)
{
	struct vt_conf_peer *peers = p->c->peers.items;

	return &peers[p->c->peers.n - 1];
}

static struct vt_conf_sa *cur_sa(struct parser *p)
{
	struct vt_conf_sa *sas = p->c->sas.items;

	return &sas[p->c->sas.n - 1];
}

static bool has(const struct parser *p, enum conf_key k)
{
	return p->seen & 1U << k;
}

/* ---- values ---- */

static int num(struct parser *p, const char *what, const char *val,
	       uint64_t min, uint64_t max, uint64_t *out)
{
	return vt_parse_num(what, val, min, max, true, out, p->e) ? located(p) : 0;
}

static int boolean(struct parser *p, const char *key, const char *val,
		   bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", NULL };
	static const char *const no[] = { "no", "false", "off", NULL };
	int i;

	for (i = 0; yes[i]; i++) {
		if (!strcasecmp(val, yes[i]) || !strcasecmp(val, no[i])) {
			*out = !strcasecmp(val, yes[i]);
			return 0;
		}
	}
	return perr(p, "%s must be yes or no, not '%.32s'", key, val);
}

/* "a, b ,c": each item trimmed into @fn; empty items are errors. */
static int each_item(struct parser *p, const char *key, char *val,
		     int (*fn)(struct parser *p, char *item))
{
	char *item, *end, *next;
	int rc;

	for (item = val; item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*item)
			return perr(p, "%s: empty item in the list", key);
		rc = fn(p, item);
		if (rc)
			return rc;
	}
	return 0;
}

static int route_item(struct parser *p, char *item)
{
	struct vt_conf_route *r = vt_array_push(&p->c->routes, sizeof(*r));

	if (!r)
		return perr(p, "out of memory");
	r->line = p->lineno;
	if (vt_parse_prefix(item, &r->cfg.prefix, p->e)) {
		p->c->routes.n--;
		return located(p);
	}
	return 0;
}

/* "time-soft 3600" */
static int limit_item(struct parser *p, char *item)
{
	char *kw = item, *val = item + strcspn(item, " \t"), *extra;

	if (*val)
		*val++ = '\0';
	val += strspn(val, " \t");
	extra = val + strcspn(val, " \t");
	if (!*val || *extra)
		return perr(p, "Limit: expected 'KEYWORD VALUE' items, as time-soft 3600");
	if (vt_parse_limit(kw, val, &cur_sa(p)->cfg.lifetime, p->e))
		return located(p);
	return 0;
}

static int key_file(struct parser *p, const char *val, struct vt_key *key)
{
	char path[4096];

	if (val[0] != '@' || !val[1])
		return perr(p, "Key must be @PATH, a key file: keys never go in the configuration itself");
	val++;
	if (val[0] != '/' && p->keydir && strcmp(p->keydir, ".")) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", p->keydir, val) >=
		    sizeof(path))
			return perr(p, "Key: path too long");
		val = path;
	}
	return vt_read_key_file(val, key, p->e) ? located(p) : 0;
}

static int device_value(struct parser *p, enum conf_key k, const char *val)
{
	struct vt_conf *c = p->c;
	uint64_t v;

	switch (k) {
	case K_LISTEN_PORT:
		c->has_listen_port = true;
		if (num(p, "ListenPort", val, 0, UINT16_MAX, &v))
			return -1;
		c->listen_port = v;
		return 0;
	case K_FWMARK:
		c->has_fwmark = true;
		if (num(p, "FwMark", val, 0, UINT32_MAX, &v))
			return -1;
		c->fwmark = v;
		return 0;
	case K_TTL:
		c->has_ttl = true;
		if (num(p, "Ttl", val, 0, 255, &v))
			return -1;
		c->ttl = v;
		return 0;
	case K_DSCP:
		c->has_dscp = true;
		return vt_parse_dscp(val, &c->dscp, p->e) ? located(p) : 0;
	default:
		return vt_resolve_bind_dev("BindDevice", val, &c->bind_ifindex,
					   p->e) ? located(p) : 0;
	}
}

static int peer_value(struct parser *p, enum conf_key k, char *val)
{
	struct vt_peer_cfg *peer = &cur_peer(p)->cfg;
	bool pin;
	uint64_t v;

	switch (k) {
	case K_ID:
		if (num(p, "peer id", val, 1, UINT32_MAX, &v))
			return -1;
		peer->id = v;
		return 0;
	case K_ENDPOINT:
		peer->has_endpoint = true;
		return vt_parse_endpoint(val, &peer->endpoint, p->e) ?
			located(p) : 0;
	case K_KEEPALIVE:
		peer->has_keepalive = true;
		if (!strcasecmp(val, "off"))
			v = 0;
		else if (num(p, "Keepalive", val, 0, UINT16_MAX, &v))
			return -1;
		peer->keepalive = v;
		return 0;
	case K_PIN_ENDPOINT:
		if (boolean(p, "PinEndpoint", val, &pin))
			return -1;
		peer->pin = pin;
		return 0;
	default:
		return each_item(p, "Route", val, route_item);
	}
}

static int sa_dir(struct parser *p, const char *val, uint8_t *dir)
{
	if (!strcasecmp(val, "in"))
		*dir = VTUN_DIR_IN;
	else if (!strcasecmp(val, "out"))
		*dir = VTUN_DIR_OUT;
	else
		return perr(p, "Dir must be in or out, not '%.32s'", val);
	return 0;
}

static int sa_value(struct parser *p, enum conf_key k, char *val)
{
	struct vt_sa_cfg *sa = &cur_sa(p)->cfg;
	uint64_t v;

	switch (k) {
	case K_DIR:
		return sa_dir(p, val, &sa->dir);
	case K_SPI:
		if (num(p, "spi", val, 256, UINT32_MAX, &v))
			return -1;
		sa->spi = v;
		return 0;
	case K_AEAD:
		if (!vt_aead_find(val)) {
			vt_aead_unknown("Aead", val, p->e);
			return located(p);
		}
		sa->alg = vt_aead_find(val)->name;
		return 0;
	case K_KEY:
		return key_file(p, val, &sa->key);
	case K_ICV_BITS:
		if (num(p, "IcvBits", val, 64, 128, &v))
			return -1;
		if (!vt_valid_icv_bits(v))
			return perr(p, "IcvBits must be 64, 96 or 128");
		sa->icv_bits = v;
		return 0;
	case K_ESN:
		return boolean(p, "Esn", val, &sa->esn);
	case K_REPLAY_WINDOW:
		sa->has_window = true;
		if (num(p, "ReplayWindow", val, 0, VTUN_REPLAY_WINDOW_MAX, &v))
			return -1;
		sa->replay_window = v;
		return 0;
	default:
		if (each_item(p, "Limit", val, limit_item))
			return -1;
		/* soft above hard: name the line that made it so */
		return vt_lifetime_check(&sa->lifetime, p->e) ? located(p) : 0;
	}
}

/* ---- sections ---- */

static int close_peer(struct parser *p)
{
	struct vt_conf_route *routes = p->c->routes.items;
	struct vt_conf_peer *peer = cur_peer(p);
	size_t i;

	if (!has(p, K_ID))
		return perr_at(p, p->section_line, "[Peer] without an Id");
	for (i = p->routes_from; i < p->c->routes.n; i++)
		routes[i].cfg.peer_id = peer->cfg.id;
	return 0;
}

static int close_sa(struct parser *p)
{
	struct vt_sa_cfg *sa = &cur_sa(p)->cfg;
	static const enum conf_key required[] = { K_DIR, K_SPI, K_KEY };
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!has(p, required[i]))
			return perr_at(p, p->section_line, "[SA] without %s",
				       conf_keys[required[i]].name);
	if (sa->has_window && sa->dir != VTUN_DIR_IN)
		return perr_at(p, p->section_line,
			       "ReplayWindow applies to inbound SAs only");
	sa->peer_id = cur_peer(p)->cfg.id;
	sa->has_aead = true;
	if (!has(p, K_ICV_BITS))
		sa->icv_bits = 128;
	if (!sa->alg)
		sa->alg = VTUN_ALG_AES_GCM;
	if (vt_aead_check(vt_aead_find(sa->alg), sa->key.len, sa->icv_bits, p->e))
		return perr_at(p, p->section_line, "[SA] %s", p->e->msg);
	return 0;
}

static int close_section(struct parser *p)
{
	switch (p->section) {
	case SEC_PEER:
		return close_peer(p);
	case SEC_SA:
		return close_sa(p);
	default:
		return 0;
	}
}

static int open_section(struct parser *p, enum section sec)
{
	void *obj = NULL;

	if (sec == SEC_DEVICE && p->device_line)
		return perr(p, "[Device] given twice (first at line %u)",
			    p->device_line);
	if (sec == SEC_SA && !p->in_peer)
		return perr(p, "[SA] must follow the [Peer] it belongs to");
	if (sec == SEC_DEVICE) {
		p->device_line = p->lineno;
		p->in_peer = false;
	} else if (sec == SEC_PEER) {
		obj = vt_array_push(&p->c->peers, sizeof(struct vt_conf_peer));
		if (obj) {
			((struct vt_conf_peer *)obj)->line = p->lineno;
			((struct vt_conf_peer *)obj)->cfg.pin = -1;
		}
		p->routes_from = p->c->routes.n;
		p->in_peer = true;
	} else {
		obj = vt_array_push(&p->c->sas, sizeof(struct vt_conf_sa));
		if (obj)
			((struct vt_conf_sa *)obj)->line = p->lineno;
	}
	if (sec != SEC_DEVICE && !obj)
		return perr(p, "out of memory");
	p->section = sec;
	p->section_line = p->lineno;
	p->seen = 0;
	return 0;
}

/* "[Peer]" */
static int header(struct parser *p, char *s)
{
	size_t len = strlen(s);
	enum section sec;

	if (s[len - 1] != ']')
		return perr(p, "expected [Section], got '%.64s'", s);
	s[len - 1] = '\0';
	s++;
	s += strspn(s, " \t");
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	for (sec = SEC_DEVICE; sec <= SEC_SA; sec++)
		if (!strcasecmp(s, section_names[sec]))
			break;
	if (sec > SEC_SA)
		return perr(p, "unknown section [%.32s] ([Device], [Peer] or [SA])", s);
	if (close_section(p))
		return -1;
	return open_section(p, sec);
}

static int find_key(struct parser *p, const char *name, enum conf_key *k)
{
	for (*k = 0; *k < N_KEYS; (*k)++)
		if (!strcasecmp(conf_keys[*k].name, name))
			break;
	if (*k == N_KEYS)
		return perr(p, "unknown key '%.32s'", name);
	if (p->section == SEC_NONE)
		return perr(p, "%s outside a section ([Device], [Peer] or [SA])",
			    conf_keys[*k].name);
	if (conf_keys[*k].section != p->section)
		return perr(p, "%s belongs in [%s], not in [%s]",
			    conf_keys[*k].name,
			    section_names[conf_keys[*k].section],
			    section_names[p->section]);
	if (has(p, *k) && !conf_keys[*k].repeatable)
		return perr(p, "%s given twice in this [%s]",
			    conf_keys[*k].name, section_names[p->section]);
	p->seen |= 1U << *k;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t\r");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* "Key = Value" */
static int assignment(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *name, *val;
	enum conf_key k;

	if (!eq)
		return perr(p, "expected 'Key = Value' or [Section], got '%.64s'", s);
	*eq = '\0';
	name = trim(s);
	val = trim(eq + 1);
	if (!*name)
		return perr(p, "a value without a key");
	if (find_key(p, name, &k))
		return -1;
	if (!*val)
		return perr(p, "%s without a value", conf_keys[k].name);
	switch (p->section) {
	case SEC_DEVICE:
		return device_value(p, k, val);
	case SEC_PEER:
		return peer_value(p, k, val);
	default:
		return sa_value(p, k, val);
	}
}

static int parse_line(struct parser *p, char *line)
{
	char *s;

	line[strcspn(line, "#")] = '\0';
	s = trim(line);
	if (!*s)
		return 0;
	if (*s == '[')
		return header(p, s);
	return assignment(p, s);
}

/* ---- the whole file ---- */

static int cmp_peer_id(const void *a, const void *b)
{
	const struct vt_conf_peer *x = *(const struct vt_conf_peer *const *)a;
	const struct vt_conf_peer *y = *(const struct vt_conf_peer *const *)b;

	if (x->cfg.id != y->cfg.id)
		return x->cfg.id < y->cfg.id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_route(const void *a, const void *b)
{
	const struct vt_conf_route *x = *(const struct vt_conf_route *const *)a;
	const struct vt_conf_route *y = *(const struct vt_conf_route *const *)b;
	const struct vt_prefix *px = &x->cfg.prefix, *py = &y->cfg.prefix;
	int c = px->addr.family - py->addr.family;

	if (!c)
		c = memcmp(px->addr.u.bytes, py->addr.u.bytes,
			   vt_addr_len(&px->addr));
	if (!c)
		c = (int)px->len - (int)py->len;
	if (!c)
		c = x->line < y->line ? -1 : x->line > y->line;
	return c;
}

static int cmp_sa(const void *a, const void *b)
{
	const struct vt_conf_sa *x = *(const struct vt_conf_sa *const *)a;
	const struct vt_conf_sa *y = *(const struct vt_conf_sa *const *)b;

	if (x->cfg.dir != y->cfg.dir)
		return x->cfg.dir < y->cfg.dir ? -1 : 1;
	if (x->cfg.spi != y->cfg.spi)
		return x->cfg.spi < y->cfg.spi ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Pointers to the @n items of @arr, sorted by @cmp; NULL if none. */
static const void **sorted(const struct vt_array *arr, size_t size,
			   int (*cmp)(const void *a, const void *b))
{
	const void **v;
	size_t i;

	if (!arr->n)
		return NULL;
	v = calloc(arr->n, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < arr->n; i++)
		v[i] = (const char *)arr->items + i * size;
	qsort(v, arr->n, sizeof(*v), cmp);
	return v;
}

/* Two sorted neighbours equal in what is compared before the line. */
static bool same_peer(const void *a, const void *b)
{
	return ((const struct vt_conf_peer *)a)->cfg.id ==
	       ((const struct vt_conf_peer *)b)->cfg.id;
}

static bool same_route(const void *a, const void *b)
{
	const struct vt_prefix *x = &((const struct vt_conf_route *)a)->cfg.prefix;
	const struct vt_prefix *y = &((const struct vt_conf_route *)b)->cfg.prefix;

	return x->addr.family == y->addr.family && x->len == y->len &&
	       !memcmp(x->addr.u.bytes, y->addr.u.bytes, vt_addr_len(&x->addr));
}

static bool same_sa(const void *a, const void *b)
{
	const struct vt_sa_cfg *x = &((const struct vt_conf_sa *)a)->cfg;
	const struct vt_sa_cfg *y = &((const struct vt_conf_sa *)b)->cfg;

	return x->dir == y->dir && x->spi == y->spi;
}

static void describe(char *buf, size_t len, int what, const void *item)
{
	const struct vt_conf_sa *sa = item;

	if (what == 0) {
		snprintf(buf, len, "peer %" PRIu32,
			 ((const struct vt_conf_peer *)item)->cfg.id);
	} else if (what == 1) {
		char pfx[VT_ADDR_STRLEN];

		vt_format_prefix(&((const struct vt_conf_route *)item)->cfg.prefix,
				 pfx, sizeof(pfx));
		snprintf(buf, len, "route %s", pfx);
	} else {
		snprintf(buf, len, "SA dir %s spi 0x%08" PRIx32,
			 sa->cfg.dir == VTUN_DIR_IN ? "in" : "out", sa->cfg.spi);
	}
}

/* The line of @item: every conf item type keeps one. */
static unsigned int item_line(int what, const void *item)
{
	if (what == 0)
		return ((const struct vt_conf_peer *)item)->line;
	if (what == 1)
		return ((const struct vt_conf_route *)item)->line;
	return ((const struct vt_conf_sa *)item)->line;
}

/* Peers, routes and SAs each appear once; the earliest repeat is named. */
static int check_unique(struct parser *p)
{
	static const struct {
		size_t size;
		int (*cmp)(const void *a, const void *b);
		bool (*same)(const void *a, const void *b);
	} kinds[] = {
		{ sizeof(struct vt_conf_peer), cmp_peer_id, same_peer },
		{ sizeof(struct vt_conf_route), cmp_route, same_route },
		{ sizeof(struct vt_conf_sa), cmp_sa, same_sa },
	};
	const struct vt_array *arrs[] = { &p->c->peers, &p->c->routes, &p->c->sas };
	const void *dup = NULL, *first = NULL;
	char what[80];
	const void **v;
	size_t k, i;

	for (k = 0; k < 3; k++) {
		v = sorted(arrs[k], kinds[k].size, kinds[k].cmp);
		if (!v && arrs[k]->n)
			return vt_seterr(p->e, "out of memory");
		for (i = 1; i < arrs[k]->n; i++) {
			if (!kinds[k].same(v[i - 1], v[i]))
				continue;
			if (!dup || item_line(k, v[i]) < item_line(k, dup)) {
				dup = v[i];
				first = v[i - 1];
			}
		}
		free(v);
		if (dup) {
			describe(what, sizeof(what), k, dup);
			return perr_at(p, item_line(k, dup),
				       "%s already given at line %u", what,
				       item_line(k, first));
		}
	}
	return 0;
}

int vt_conf_parse(FILE *f, const char *name, const char *keydir,
		  struct vt_conf *c, struct vt_err *e)
{
	struct parser p = { .name = name, .keydir = keydir, .c = c, .e = e };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	while (!rc && (n = getline(&line, &cap, f)) >= 0) {
		p.lineno++;
		if (memchr(line, '\0', n))
			rc = perr(&p, "NUL byte: not a text file");
		else
			rc = parse_line(&p, line);
	}
	if (!rc && ferror(f))
		rc = vt_seterr(e, "%s: %s", name, strerror(errno ? errno : EIO));
	if (!rc)
		rc = close_section(&p);
	if (!rc)
		rc = check_unique(&p);
	free(line);
	return rc ? -1 : 0;
}

void vt_conf_free(struct vt_conf *c)
{
	struct vt_conf_sa *sas = c->sas.items;
	size_t i;

	for (i = 0; i < c->sas.n; i++)
		vt_key_wipe(&sas[i].cfg.key);
	vt_array_free(&c->peers);
	vt_array_free(&c->routes);
	vt_array_free(&c->sas);
}

/* ---- printing a running configuration ---- */

static void print_device(FILE *f, const struct vt_dev *dev)
{
	fputs("[Device]\n", f);
	if (dev->has_listen_port)
		fprintf(f, "ListenPort = %u\n", dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "FwMark = 0x%" PRIx32 "\n", dev->fwmark);
	if (dev->bind_ifindex && dev->bind_dev[0])
		fprintf(f, "BindDevice = %s\n", dev->bind_dev);
	else if (dev->bind_ifindex)
		fprintf(f, "# BindDevice: ifindex %" PRIu32 ", not a device of this namespace\n",
			dev->bind_ifindex);
	if (dev->ttl)
		fprintf(f, "Ttl = %u\n", dev->ttl);
	if (dev->has_dscp && dev->dscp != VTUN_DSCP_INHERIT)
		fprintf(f, "Dscp = %u\n", dev->dscp);
}

static void print_routes(FILE *f, const struct vt_route *routes, size_t n)
{
	char buf[VT_ADDR_STRLEN];
	size_t i;

	if (!n)
		return;
	fputs("Route = ", f);
	for (i = 0; i < n; i++) {
		vt_format_prefix(&routes[i].prefix, buf, sizeof(buf));
		fprintf(f, "%s%s", i ? ", " : "", buf);
	}
	fputc('\n', f);
}

static void print_sa(FILE *f, const struct vt_sa *sa, bool key_paths)
{
	char limits[256];

	fprintf(f, "\n[SA]\nDir = %s\nSpi = 0x%08" PRIx32 "\nAead = %s\n",
		vt_dir_name(sa->dir), sa->spi, sa->alg[0] ? sa->alg : VTUN_ALG_AES_GCM);
	if (key_paths && sa->key_ref[0])
		fprintf(f, "Key = @%s\n", sa->key_ref);
	else if (key_paths)
		fputs("# key not recorded\n", f);
	fprintf(f, "IcvBits = %u\n", sa->icv_bits);
	if (sa->flags & VTUN_SA_F_ESN)
		fputs("Esn = yes\n", f);
	if (sa->dir == VTUN_DIR_IN && sa->has_replay_window)
		fprintf(f, "ReplayWindow = %" PRIu32 "\n", sa->replay_window);
	vt_format_limits(&sa->lifetime, ", ", limits, sizeof(limits));
	if (limits[0])
		fprintf(f, "Limit = %s\n", limits);
}

static void print_peer(FILE *f, const struct vt_dev *dev,
		       const struct vt_peer *p, bool key_paths)
{
	char buf[VT_ADDR_STRLEN];
	const struct vt_route *routes;
	const struct vt_sa *sas;
	size_t n, i;

	fprintf(f, "\n[Peer]\nId = %" PRIu32 "\n", p->id);
	if (p->has_endpoint) {
		vt_format_endpoint(&p->endpoint, buf, sizeof(buf));
		fprintf(f, "Endpoint = %s\n", buf);
	}
	if (p->keepalive)
		fprintf(f, "Keepalive = %u\n", p->keepalive);
	if (p->flags & VTUN_PEER_F_PIN_ENDPOINT)
		fputs("PinEndpoint = yes\n", f);
	routes = vt_dev_routes_of(dev, p->id, &n);
	print_routes(f, routes, n);
	sas = vt_dev_sas_of(dev, p->id, &n);
	for (i = 0; i < n; i++)
		print_sa(f, &sas[i], key_paths);
}

void vt_conf_print(FILE *f, const struct vt_dev *dev, bool key_paths)
{
	const struct vt_peer *peers = dev->peers.items;
	size_t i;

	print_device(f, dev);
	for (i = 0; i < dev->peers.n; i++)
		print_peer(f, dev, &peers[i], key_paths);
}
