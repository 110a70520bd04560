// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl sa add|del: security associations. The "aead NAME KEY ICVBITS"
 * part reads exactly like `ip xfrm state ... aead`, so one key works in
 * both. Keys are wiped as soon as the request is sent and never shown.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <netlink/attr.h>

#include "cli.h"
#include "conf.h"
#include "json.h"
#include "model.h"
#include "nl.h"
#include "output.h"

/* RFC 4303 2.1: SPIs 1..255 are reserved by IANA, 0 is never sent. */
#define VT_SPI_MIN 256

static const char *const sa_words[] = {
	"peer", "dir", "spi", "aead", "esn", "replay-window", "seq", "limit",
	NULL,
};

enum { SW_PEER, SW_DIR, SW_SPI, SW_AEAD, SW_ESN, SW_WINDOW, SW_SEQ, SW_LIMIT };

#define SA_ADD_WORDS 0xffU
#define SA_DEL_WORDS (1U << SW_DIR | 1U << SW_SPI)

struct sa_cmd {
	const char *name;
	const char *ifname;
	unsigned int seen;		/* bit per sa_words entry */
	struct vt_sa_cfg cfg;
};

void vt_usage_sa(FILE *f)
{
	fputs("Usage: vtunctl sa add DEV peer ID dir out|in spi SPI aead AEAD KEY ICVBITS\n"
	      "                      [esn] [replay-window N] [seq N] [limit LIMIT N]...\n"
	      "       vtunctl sa del DEV dir out|in spi SPI\n"
	      "SPI: 256..0xffffffff, decimal or 0x hex.\n"
	      "AEAD: 'rfc4106(gcm(aes))' (AES-GCM), or 'rfc7539esp(chacha20,poly1305)'\n"
	      "     (ChaCha20-Poly1305, RFC 7634, for CPUs without AES instructions).\n"
	      "KEY: 0x<hex of key||salt>: 20, 28 or 36 bytes (AES-128/192/256 + 4-byte salt;\n"
	      "     ChaCha20: 36), or @FILE holding that hex (mode 0600 or stricter), to keep\n"
	      "     keys off argv; the file's path is recorded for `showconf --key-paths`.\n"
	      "ICVBITS: 64, 96 or 128 (ChaCha20: 128). replay-window (inbound only): 0..4096.\n"
	      "seq: out, the last sequence number sent; in, the highest one received.\n"
	      "LIMIT (as ip xfrm): time-soft, time-hard, time-use-soft, time-use-hard (seconds),\n"
	      "     byte-soft, byte-hard, packet-soft, packet-hard; each once, soft <= hard.\n"
	      "     A soft limit announces an expire event (vtunctl monitor), a hard one\n"
	      "     deletes the SA.\n", f);
}

static int parse_dir(const char *s, uint8_t *dir)
{
	static const char *const dirs[] = { "in", "out", NULL };
	int rc, idx;

	rc = vt_cli_keyword("direction", s, dirs, &idx);
	if (!rc)
		*dir = idx ? VTUN_DIR_OUT : VTUN_DIR_IN;
	return rc;
}

/* aead NAME KEY ICVBITS */
static int parse_aead(struct vt_args *a, struct sa_cmd *c)
{
	const char *name, *key, *icv;
	const struct vt_aead *aead;
	struct vt_err e;
	int rc;

	rc = vt_args_value(a, "aead", &name);
	if (!rc)
		rc = vt_args_value(a, "aead NAME", &key);
	if (!rc)
		rc = vt_args_value(a, "aead NAME KEY", &icv);
	if (rc)
		return rc;
	aead = vt_aead_find(name);
	if (!aead) {
		vt_aead_unknown("aead", name, &e);
		return vt_usage_error("%s", e.msg);
	}
	c->cfg.alg = aead->name;
	if (vt_parse_key(key, &c->cfg.key, &e))
		return vt_usage_error("%s", e.msg);
	rc = vt_cli_u16("icv bits", icv, 64, 128, &c->cfg.icv_bits);
	if (!rc && !vt_valid_icv_bits(c->cfg.icv_bits))
		rc = vt_usage_error("icv bits must be 64, 96 or 128");
	if (!rc && vt_aead_check(aead, c->cfg.key.len, c->cfg.icv_bits, &e))
		rc = vt_usage_error("%s", e.msg);
	return rc;
}

bool vt_valid_icv_bits(unsigned int bits)
{
	return bits == 64 || bits == 96 || bits == 128;
}

/* limit KEYWORD VALUE; "limit" itself may come several times. */
static int parse_limit(struct vt_args *a, struct sa_cmd *c)
{
	const char *kw, *val;
	struct vt_err e;
	int rc;

	rc = vt_args_value(a, "limit", &kw);
	if (!rc)
		rc = vt_args_value(a, "limit KEYWORD", &val);
	if (!rc && vt_parse_limit(kw, val, &c->cfg.lifetime, &e))
		rc = vt_usage_error("%s", e.msg);
	return rc;
}

static int parse_one(struct sa_cmd *c, struct vt_args *a, int word)
{
	const char *val;
	int rc;

	if (word == SW_AEAD)
		return parse_aead(a, c);
	if (word == SW_LIMIT)
		return parse_limit(a, c);
	if (word == SW_ESN)
		return 0;
	rc = vt_args_value(a, sa_words[word], &val);
	if (rc)
		return rc;
	switch (word) {
	case SW_PEER:
		return vt_cli_u32("peer id", val, 1, UINT32_MAX, &c->cfg.peer_id);
	case SW_DIR:
		return parse_dir(val, &c->cfg.dir);
	case SW_SPI:
		return vt_cli_u32("spi", val, VT_SPI_MIN, UINT32_MAX, &c->cfg.spi);
	case SW_WINDOW:
		return vt_cli_u32("replay-window", val, 0,
				  VTUN_REPLAY_WINDOW_MAX, &c->cfg.replay_window);
	default:
		return vt_cli_u64("seq", val, 0, UINT64_MAX, &c->cfg.seq);
	}
}

static bool seen(const struct sa_cmd *c, int word)
{
	return c->seen & 1U << word;
}

static int check_complete(struct sa_cmd *c, unsigned int required)
{
	struct vt_err e;
	int w;

	for (w = 0; sa_words[w]; w++)
		if ((required & 1U << w) && !seen(c, w))
			return vt_usage_error("%s: missing '%s'", c->name,
					      sa_words[w]);
	if (seen(c, SW_WINDOW) && c->cfg.dir != VTUN_DIR_IN)
		return vt_usage_error("%s: replay-window applies to inbound SAs only",
				      c->name);
	if (seen(c, SW_SEQ) && !seen(c, SW_ESN) && c->cfg.seq > UINT32_MAX)
		return vt_usage_error("%s: seq beyond 32 bits needs esn", c->name);
	if (vt_lifetime_check(&c->cfg.lifetime, &e))
		return vt_usage_error("%s: %s", c->name, e.msg);
	c->cfg.has_aead = seen(c, SW_AEAD);
	c->cfg.esn = seen(c, SW_ESN);
	c->cfg.has_window = seen(c, SW_WINDOW);
	c->cfg.has_seq = seen(c, SW_SEQ);
	return 0;
}

static int parse_sa(struct vt_args *a, struct sa_cmd *c, unsigned int allowed,
		    unsigned int required)
{
	const char *arg;
	int rc, word;

	rc = vt_args_dev(a, c->name, &c->ifname);
	while (!rc && (arg = vt_args_shift(a))) {
		rc = vt_cli_keyword("sa option", arg, sa_words, &word);
		if (rc)
			break;
		if (!(allowed & 1U << word))
			return vt_usage_error("%s: unexpected '%s'", c->name, arg);
		if (seen(c, word) && word != SW_LIMIT)
			return vt_usage_error("%s: '%s' given twice", c->name,
					      sa_words[word]);
		c->seen |= 1U << word;
		rc = parse_one(c, a, word);
	}
	return rc ? rc : check_complete(c, required);
}

static int put_lifetime(struct nl_msg *msg, const struct vt_lifetime *lt)
{
	struct nlattr *nest;
	unsigned int t;

	if (!lt->seen)
		return 0;
	nest = nla_nest_start(msg, VTUN_SA_A_LIFETIME);
	if (!nest)
		return -ENOMEM;
	for (t = 0; t <= VTUN_LIFETIME_A_MAX; t++)
		if ((lt->seen & 1U << t) && nla_put_u64(msg, t, lt->val[t]) < 0)
			return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

int vt_sa_cfg_put(struct nl_msg *msg, const struct vt_sa_cfg *c)
{
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_SA);

	if (!nest)
		return -ENOMEM;
	NLA_PUT_U8(msg, VTUN_SA_A_DIR, c->dir);
	NLA_PUT_U32(msg, VTUN_SA_A_SPI, c->spi);
	if (c->peer_id)
		NLA_PUT_U32(msg, VTUN_SA_A_PEER_ID, c->peer_id);
	if (c->has_aead) {
		NLA_PUT_STRING(msg, VTUN_SA_A_ALG, c->alg ? c->alg : VTUN_ALG_AES_GCM);
		NLA_PUT(msg, VTUN_SA_A_KEY, c->key.len, c->key.bytes);
		NLA_PUT_U16(msg, VTUN_SA_A_ICV_BITS, c->icv_bits);
		NLA_PUT_U32(msg, VTUN_SA_A_FLAGS, c->esn ? VTUN_SA_F_ESN : 0);
		if (c->key.ref[0])
			NLA_PUT_STRING(msg, VTUN_SA_A_KEY_REF, c->key.ref);
	}
	if (c->has_window)
		NLA_PUT_U32(msg, VTUN_SA_A_REPLAY_WINDOW, c->replay_window);
	if (c->has_seq)
		NLA_PUT_U64(msg, VTUN_SA_A_SEQ, c->seq);
	if (put_lifetime(msg, &c->lifetime))
		goto nla_put_failure;
	nla_nest_end(msg, nest);
	return 0;
nla_put_failure:
	return -ENOMEM;
}

static int fill_sa(struct nl_msg *msg, const void *arg)
{
	const struct sa_cmd *c = arg;

	return vt_sa_cfg_put(msg, &c->cfg);
}

static int run_sa(struct vt_args *a, const char *name, uint8_t cmd,
		  unsigned int allowed, unsigned int required)
{
	struct sa_cmd c = { .name = name };
	struct vt_nl_req req = {
		.cmd = cmd,
		.what = name,
		.fill = fill_sa,
		.fill_arg = &c,
	};
	int rc = parse_sa(a, &c, allowed, required);

	if (!rc) {
		req.ifname = c.ifname;
		rc = vt_nl_exec(&req);
	}
	vt_key_wipe(&c.cfg.key);
	return rc;
}

int vt_cmd_sa(const struct vt_opts *o, struct vt_args *a)
{
	static const char *const subs[] = { "add", "del", "help", NULL };
	const unsigned int add_required = 1U << SW_PEER | 1U << SW_DIR |
					  1U << SW_SPI | 1U << SW_AEAD;
	const char *arg = vt_args_shift(a);
	int rc, sub;

	(void)o;
	if (!arg)
		return vt_usage_error("sa: missing subcommand (add, del)");
	rc = vt_cli_keyword("sa subcommand", arg, subs, &sub);
	if (rc)
		return rc;
	if (sub == 2 || (a->argc && vt_is_help(a->argv[0]))) {
		vt_usage_sa(stdout);
		return VT_EXIT_OK;
	}
	if (sub == 0)
		return run_sa(a, "sa add", VTUN_CMD_SA_NEW, SA_ADD_WORDS,
			      add_required);
	return run_sa(a, "sa del", VTUN_CMD_SA_DEL, SA_DEL_WORDS, SA_DEL_WORDS);
}

static const struct nla_policy sa_policy[VTUN_SA_A_MAX + 1] = {
	[VTUN_SA_A_PEER_ID]		= { .type = NLA_U32 },
	[VTUN_SA_A_DIR]			= { .type = NLA_U8 },
	[VTUN_SA_A_SPI]			= { .type = NLA_U32 },
	[VTUN_SA_A_ALG]			= { .type = NLA_STRING, .maxlen = VT_ALG_MAX },
	[VTUN_SA_A_ICV_BITS]		= { .type = NLA_U16 },
	[VTUN_SA_A_FLAGS]		= { .type = NLA_U32 },
	[VTUN_SA_A_REPLAY_WINDOW]	= { .type = NLA_U32 },
	[VTUN_SA_A_SEQ]			= { .type = NLA_U64 },
	[VTUN_SA_A_KEY_BITS]		= { .type = NLA_U16 },
	[VTUN_SA_A_STATS]		= { .type = NLA_NESTED },
	[VTUN_SA_A_ACTIVE]		= { .type = NLA_FLAG },
	[VTUN_SA_A_LIFETIME]		= { .type = NLA_NESTED },
	[VTUN_SA_A_ADD_SECS]		= { .type = NLA_U64 },
	[VTUN_SA_A_USE_SECS]		= { .type = NLA_U64 },
	[VTUN_SA_A_EXPIRE]		= { .type = NLA_U8 },
	[VTUN_SA_A_EXPIRE_REASON]	= { .type = NLA_U8 },
	[VTUN_SA_A_KEY_REF]		= { .type = NLA_STRING,
					    .maxlen = VT_KEY_REF_MAX + 1 },
};

static const struct nla_policy lifetime_policy[VTUN_LIFETIME_A_MAX + 1] = {
	[VTUN_LIFETIME_A_SOFT_BYTES]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_HARD_BYTES]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_SOFT_PACKETS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_HARD_PACKETS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_SOFT_ADD_SECS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_HARD_ADD_SECS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_SOFT_USE_SECS]	= { .type = NLA_U64 },
	[VTUN_LIFETIME_A_HARD_USE_SECS]	= { .type = NLA_U64 },
};

static int lifetime_from_attrs(struct nlattr *nest, struct vt_sa *sa)
{
	struct nlattr *lt[VTUN_LIFETIME_A_MAX + 1];
	unsigned int t;

	if (!nest)
		return 0;
	if (nla_parse_nested(lt, VTUN_LIFETIME_A_MAX, nest, lifetime_policy) < 0)
		return -EBADMSG;
	sa->has_lifetime = true;
	for (t = VTUN_LIFETIME_A_SOFT_BYTES; t <= VTUN_LIFETIME_A_MAX; t++) {
		if (!lt[t])
			continue;
		sa->lifetime.seen |= 1U << t;
		sa->lifetime.val[t] = nla_get_u64(lt[t]);
	}
	return 0;
}

static void sa_times_from_attrs(struct nlattr **st, struct vt_sa *sa)
{
	if (st[VTUN_SA_A_ADD_SECS]) {
		sa->has_add_secs = true;
		sa->add_secs = nla_get_u64(st[VTUN_SA_A_ADD_SECS]);
	}
	if (st[VTUN_SA_A_USE_SECS]) {
		sa->has_use_secs = true;
		sa->use_secs = nla_get_u64(st[VTUN_SA_A_USE_SECS]);
	}
	if (st[VTUN_SA_A_EXPIRE])
		sa->expire = nla_get_u8(st[VTUN_SA_A_EXPIRE]);
	if (st[VTUN_SA_A_EXPIRE_REASON])
		sa->expire_reason = nla_get_u8(st[VTUN_SA_A_EXPIRE_REASON]);
}

static void sa_optional_attrs(struct nlattr **st, struct vt_sa *sa)
{
	if (st[VTUN_SA_A_ALG])
		snprintf(sa->alg, sizeof(sa->alg), "%s",
			 nla_get_string(st[VTUN_SA_A_ALG]));
	if (st[VTUN_SA_A_ICV_BITS])
		sa->icv_bits = nla_get_u16(st[VTUN_SA_A_ICV_BITS]);
	if (st[VTUN_SA_A_KEY_BITS])
		sa->key_bits = nla_get_u16(st[VTUN_SA_A_KEY_BITS]);
	if (st[VTUN_SA_A_FLAGS])
		sa->flags = nla_get_u32(st[VTUN_SA_A_FLAGS]);
	if (st[VTUN_SA_A_REPLAY_WINDOW]) {
		sa->has_replay_window = true;
		sa->replay_window = nla_get_u32(st[VTUN_SA_A_REPLAY_WINDOW]);
	}
	if (st[VTUN_SA_A_SEQ]) {
		sa->has_seq = true;
		sa->seq = nla_get_u64(st[VTUN_SA_A_SEQ]);
	}
	sa->active = nla_get_flag(st[VTUN_SA_A_ACTIVE]);
	if (st[VTUN_SA_A_KEY_REF])
		snprintf(sa->key_ref, sizeof(sa->key_ref), "%s",
			 nla_get_string(st[VTUN_SA_A_KEY_REF]));
	sa_times_from_attrs(st, sa);
}

int vt_sa_from_attrs(struct nlattr **tb, struct vt_sa *sa)
{
	struct nlattr *st[VTUN_SA_A_MAX + 1];

	if (!tb[VTUN_A_SA] ||
	    nla_parse_nested(st, VTUN_SA_A_MAX, tb[VTUN_A_SA], sa_policy) < 0 ||
	    !st[VTUN_SA_A_PEER_ID] || !st[VTUN_SA_A_DIR] || !st[VTUN_SA_A_SPI])
		return -EBADMSG;
	memset(sa, 0, sizeof(*sa));
	sa->peer_id = nla_get_u32(st[VTUN_SA_A_PEER_ID]);
	sa->dir = nla_get_u8(st[VTUN_SA_A_DIR]);
	sa->spi = nla_get_u32(st[VTUN_SA_A_SPI]);
	sa_optional_attrs(st, sa);
	if (lifetime_from_attrs(st[VTUN_SA_A_LIFETIME], sa))
		return -EBADMSG;
	return vt_stats_parse(st[VTUN_SA_A_STATS], &sa->stats);
}

const char *vt_dir_name(uint8_t dir)
{
	switch (dir) {
	case VTUN_DIR_IN:
		return "in";
	case VTUN_DIR_OUT:
		return "out";
	default:
		return "?";
	}
}

const char *vt_expire_name(uint8_t expire)
{
	switch (expire) {
	case VTUN_SA_EXPIRE_SOFT:
		return "soft";
	case VTUN_SA_EXPIRE_HARD:
		return "hard";
	default:
		return NULL;
	}
}

/* As in text; JSON writes '_' for '-'. */
const char *vt_expire_reason_name(uint8_t reason)
{
	switch (reason) {
	case VTUN_SA_EXPIRE_BYTES:
		return "bytes";
	case VTUN_SA_EXPIRE_PACKETS:
		return "packets";
	case VTUN_SA_EXPIRE_ADD_TIME:
		return "add-time";
	case VTUN_SA_EXPIRE_USE_TIME:
		return "use-time";
	case VTUN_SA_EXPIRE_SEQ_EXHAUSTED:
		return "seq-exhausted";
	default:
		return NULL;
	}
}

/* "rfc4106(gcm(aes)) 128-bit icv 128 esn window 64 seq 42" */
void vt_sa_print_params(FILE *f, const struct vt_sa *sa)
{
	fprintf(f, "%s %u-bit icv %u", sa->alg[0] ? sa->alg : "?",
		sa->key_bits, sa->icv_bits);
	if (sa->flags & VTUN_SA_F_ESN)
		fputs(" esn", f);
	if (sa->has_replay_window && sa->dir == VTUN_DIR_IN)
		fprintf(f, " window %" PRIu32, sa->replay_window);
	if (sa->has_seq)
		fprintf(f, " seq %" PRIu64, sa->seq);
}

/* "add 1m 5s ago, used 3s ago, limit packet-soft 5 packet-hard 10, expire soft" */
static void print_lifetime_line(FILE *f, const struct vt_sa *sa)
{
	char limits[256], buf[32];
	const char *sep = "";

	vt_format_limits(&sa->lifetime, " ", limits, sizeof(limits));
	if (!sa->has_add_secs && !limits[0] && !sa->expire)
		return;
	fputs("      ", f);
	if (sa->has_add_secs) {
		vt_format_duration(sa->add_secs * 1000, buf, sizeof(buf));
		fprintf(f, "add %s ago, ", buf);
		if (sa->has_use_secs) {
			vt_format_duration(sa->use_secs * 1000, buf, sizeof(buf));
			fprintf(f, "used %s ago", buf);
		} else {
			fputs("never used", f);
		}
		sep = ", ";
	}
	if (limits[0]) {
		fprintf(f, "%slimit %s", sep, limits);
		sep = ", ";
	}
	if (vt_expire_name(sa->expire))
		fprintf(f, "%sexpire %s", sep, vt_expire_name(sa->expire));
	fputc('\n', f);
}

void vt_sa_print(FILE *f, const struct vt_sa *sa)
{
	fprintf(f, "    sa %-3s spi 0x%08" PRIx32 " ", vt_dir_name(sa->dir), sa->spi);
	vt_sa_print_params(f, sa);
	if (sa->active)
		fputs(" [active]", f);
	fputc('\n', f);
	print_lifetime_line(f, sa);
	vt_stats_print(f, "      ", &sa->stats);
}

/* Every limit, 0 for none, or null when the SA has none. */
static void lifetime_json(struct json *j, const struct vt_sa *sa)
{
	static const struct {
		const char *key;
		unsigned int type;
	} keys[] = {
		{ "soft_bytes",		VTUN_LIFETIME_A_SOFT_BYTES },
		{ "hard_bytes",		VTUN_LIFETIME_A_HARD_BYTES },
		{ "soft_packets",	VTUN_LIFETIME_A_SOFT_PACKETS },
		{ "hard_packets",	VTUN_LIFETIME_A_HARD_PACKETS },
		{ "soft_add_secs",	VTUN_LIFETIME_A_SOFT_ADD_SECS },
		{ "hard_add_secs",	VTUN_LIFETIME_A_HARD_ADD_SECS },
		{ "soft_use_secs",	VTUN_LIFETIME_A_SOFT_USE_SECS },
		{ "hard_use_secs",	VTUN_LIFETIME_A_HARD_USE_SECS },
	};
	size_t i;

	json_key(j, "lifetime");
	if (!sa->has_lifetime) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_kv_u64(j, keys[i].key, sa->lifetime.val[keys[i].type]);
	json_obj_close(j);
}

void vt_sa_json_fields(struct json *j, const struct vt_sa *sa)
{
	json_kv_u64(j, "spi", sa->spi);
	json_kv_str(j, "dir", vt_dir_name(sa->dir));
	json_kv_str(j, "alg", sa->alg);
	json_kv_u64(j, "key_bits", sa->key_bits);
	json_kv_u64(j, "icv_bits", sa->icv_bits);
	json_kv_bool(j, "esn", sa->flags & VTUN_SA_F_ESN);
	json_kv_opt_u64(j, "replay_window", sa->has_replay_window,
			sa->replay_window);
	json_kv_opt_u64(j, "seq", sa->has_seq, sa->seq);
	json_kv_bool(j, "active", sa->active);
	lifetime_json(j, sa);
	json_kv_opt_u64(j, "add_secs", sa->has_add_secs, sa->add_secs);
	json_kv_opt_u64(j, "use_secs", sa->has_use_secs, sa->use_secs);
	json_kv_opt_str(j, "expire", vt_expire_name(sa->expire));
	json_kv_opt_str(j, "key_ref", sa->key_ref);
	vt_stats_json(j, "stats", &sa->stats);
}

void vt_sa_json(struct json *j, const struct vt_sa *sa)
{
	json_obj_open(j);
	vt_sa_json_fields(j, sa);
	json_obj_close(j);
}
