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
#include "json.h"
#include "model.h"
#include "nl.h"
#include "output.h"

/* RFC 4303 2.1: SPIs 1..255 are reserved by IANA, 0 is never sent. */
#define VT_SPI_MIN 256

static const char *const sa_words[] = {
	"peer", "dir", "spi", "aead", "esn", "replay-window", "seq", NULL,
};

enum { SW_PEER, SW_DIR, SW_SPI, SW_AEAD, SW_ESN, SW_WINDOW, SW_SEQ };

#define SA_ADD_WORDS 0x7fU
#define SA_DEL_WORDS (1U << SW_DIR | 1U << SW_SPI)

struct sa_cmd {
	const char *name;
	const char *ifname;
	unsigned int seen;		/* bit per sa_words entry */
	uint32_t peer_id;
	uint8_t dir;
	uint32_t spi;
	struct vt_key key;
	uint16_t icv_bits;
	uint32_t replay_window;
	uint64_t seq;
};

void vt_usage_sa(FILE *f)
{
	fputs("Usage: vtunctl sa add DEV peer ID dir out|in spi SPI aead 'rfc4106(gcm(aes))' KEY ICVBITS\n"
	      "                      [esn] [replay-window N] [seq N]\n"
	      "       vtunctl sa del DEV dir out|in spi SPI\n"
	      "SPI: 256..0xffffffff, decimal or 0x hex.\n"
	      "KEY: 0x<hex of key||salt>: 20, 28 or 36 bytes (AES-128/192/256 + 4-byte salt),\n"
	      "     or @FILE holding that hex (mode 0600 or stricter), to keep keys off argv.\n"
	      "ICVBITS: 64, 96 or 128. replay-window (inbound only): 0..4096.\n"
	      "seq: out, the last sequence number sent; in, the highest one received.\n", f);
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
	struct vt_err e;
	int rc;

	rc = vt_args_value(a, "aead", &name);
	if (!rc)
		rc = vt_args_value(a, "aead NAME", &key);
	if (!rc)
		rc = vt_args_value(a, "aead NAME KEY", &icv);
	if (rc)
		return rc;
	if (strcmp(name, VTUN_ALG_AES_GCM))
		return vt_usage_error("unsupported aead '%.64s' (vtun supports %s)",
				      name, VTUN_ALG_AES_GCM);
	if (vt_parse_key(key, &c->key, &e))
		return vt_usage_error("%s", e.msg);
	rc = vt_cli_u16("icv bits", icv, 64, 128, &c->icv_bits);
	if (!rc && c->icv_bits != 64 && c->icv_bits != 96 && c->icv_bits != 128)
		rc = vt_usage_error("icv bits must be 64, 96 or 128");
	return rc;
}

static int parse_one(struct sa_cmd *c, struct vt_args *a, int word)
{
	const char *val;
	int rc;

	if (word == SW_AEAD)
		return parse_aead(a, c);
	if (word == SW_ESN)
		return 0;
	rc = vt_args_value(a, sa_words[word], &val);
	if (rc)
		return rc;
	switch (word) {
	case SW_PEER:
		return vt_cli_u32("peer id", val, 1, UINT32_MAX, &c->peer_id);
	case SW_DIR:
		return parse_dir(val, &c->dir);
	case SW_SPI:
		return vt_cli_u32("spi", val, VT_SPI_MIN, UINT32_MAX, &c->spi);
	case SW_WINDOW:
		return vt_cli_u32("replay-window", val, 0,
				  VTUN_REPLAY_WINDOW_MAX, &c->replay_window);
	default:
		return vt_cli_u64("seq", val, 0, UINT64_MAX, &c->seq);
	}
}

static bool seen(const struct sa_cmd *c, int word)
{
	return c->seen & 1U << word;
}

static int check_complete(const struct sa_cmd *c, unsigned int required)
{
	int w;

	for (w = 0; sa_words[w]; w++)
		if ((required & 1U << w) && !seen(c, w))
			return vt_usage_error("%s: missing '%s'", c->name,
					      sa_words[w]);
	if (seen(c, SW_WINDOW) && c->dir != VTUN_DIR_IN)
		return vt_usage_error("%s: replay-window applies to inbound SAs only",
				      c->name);
	if (seen(c, SW_SEQ) && !seen(c, SW_ESN) && c->seq > UINT32_MAX)
		return vt_usage_error("%s: seq beyond 32 bits needs esn", c->name);
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
		if (seen(c, word))
			return vt_usage_error("%s: '%s' given twice", c->name,
					      sa_words[word]);
		c->seen |= 1U << word;
		rc = parse_one(c, a, word);
	}
	return rc ? rc : check_complete(c, required);
}

static int fill_sa(struct nl_msg *msg, const void *arg)
{
	const struct sa_cmd *c = arg;
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_SA);

	if (!nest)
		return -ENOMEM;
	NLA_PUT_U8(msg, VTUN_SA_A_DIR, c->dir);
	NLA_PUT_U32(msg, VTUN_SA_A_SPI, c->spi);
	if (seen(c, SW_PEER))
		NLA_PUT_U32(msg, VTUN_SA_A_PEER_ID, c->peer_id);
	if (seen(c, SW_AEAD)) {
		NLA_PUT_STRING(msg, VTUN_SA_A_ALG, VTUN_ALG_AES_GCM);
		NLA_PUT(msg, VTUN_SA_A_KEY, c->key.len, c->key.bytes);
		NLA_PUT_U16(msg, VTUN_SA_A_ICV_BITS, c->icv_bits);
		NLA_PUT_U32(msg, VTUN_SA_A_FLAGS,
			    seen(c, SW_ESN) ? VTUN_SA_F_ESN : 0);
	}
	if (seen(c, SW_WINDOW))
		NLA_PUT_U32(msg, VTUN_SA_A_REPLAY_WINDOW, c->replay_window);
	if (seen(c, SW_SEQ))
		NLA_PUT_U64(msg, VTUN_SA_A_SEQ, c->seq);
	nla_nest_end(msg, nest);
	return 0;
nla_put_failure:
	return -ENOMEM;
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
	vt_key_wipe(&c.key);
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
};

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
	return vt_stats_parse(st[VTUN_SA_A_STATS], &sa->stats);
}

static const char *dir_name(uint8_t dir)
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

void vt_sa_print(FILE *f, const struct vt_sa *sa)
{
	fprintf(f, "    sa %-3s spi 0x%08" PRIx32 " %s %u-bit icv %u",
		dir_name(sa->dir), sa->spi, sa->alg[0] ? sa->alg : "?",
		sa->key_bits, sa->icv_bits);
	if (sa->flags & VTUN_SA_F_ESN)
		fputs(" esn", f);
	if (sa->has_replay_window && sa->dir == VTUN_DIR_IN)
		fprintf(f, " window %" PRIu32, sa->replay_window);
	if (sa->has_seq)
		fprintf(f, " seq %" PRIu64, sa->seq);
	if (sa->active)
		fputs(" [active]", f);
	fputc('\n', f);
	vt_stats_print(f, "      ", &sa->stats);
}

void vt_sa_json(struct json *j, const struct vt_sa *sa)
{
	json_obj_open(j);
	json_kv_u64(j, "spi", sa->spi);
	json_kv_str(j, "dir", dir_name(sa->dir));
	json_kv_str(j, "alg", sa->alg);
	json_kv_u64(j, "key_bits", sa->key_bits);
	json_kv_u64(j, "icv_bits", sa->icv_bits);
	json_kv_bool(j, "esn", sa->flags & VTUN_SA_F_ESN);
	if (sa->has_replay_window)
		json_kv_u64(j, "replay_window", sa->replay_window);
	else
		json_kv_null(j, "replay_window");
	if (sa->has_seq)
		json_kv_u64(j, "seq", sa->seq);
	else
		json_kv_null(j, "seq");
	json_kv_bool(j, "active", sa->active);
	vt_stats_json(j, "stats", &sa->stats);
	json_obj_close(j);
}
