// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <netlink/attr.h>

#include "json.h"
#include "output.h"
#include "stats.h"

struct vt_stat_info {
	const char *name;
	enum vt_stat_kind kind;
};

/*
 * The one place counters are named. A new counter in the uapi header is
 * one line here; tests/unit checks that none is left without a name.
 * JSON uses the same names with '_' for '-'.
 */
static const struct vt_stat_info vt_stat_table[VTUN_STAT_MAX + 1] = {
	[VTUN_STAT_RX_PACKETS]		= { "rx-packets",	 VT_STAT_TRAFFIC },
	[VTUN_STAT_RX_BYTES]		= { "rx-bytes",		 VT_STAT_TRAFFIC },
	[VTUN_STAT_TX_PACKETS]		= { "tx-packets",	 VT_STAT_TRAFFIC },
	[VTUN_STAT_TX_BYTES]		= { "tx-bytes",		 VT_STAT_TRAFFIC },
	[VTUN_STAT_RX_KEEPALIVES]	= { "rx-keepalives",	 VT_STAT_EVENT },
	[VTUN_STAT_RX_NON_ESP]		= { "rx-non-esp",	 VT_STAT_EVENT },
	[VTUN_STAT_RX_MALFORMED]	= { "rx-malformed",	 VT_STAT_DROP },
	[VTUN_STAT_RX_NO_SA]		= { "rx-no-sa",		 VT_STAT_DROP },
	[VTUN_STAT_RX_REPLAY]		= { "rx-replay",	 VT_STAT_DROP },
	[VTUN_STAT_RX_AUTH_FAIL]	= { "rx-auth-fail",	 VT_STAT_DROP },
	[VTUN_STAT_RX_DUMMY]		= { "rx-dummy",		 VT_STAT_DROP },
	[VTUN_STAT_RX_BAD_INNER]	= { "rx-bad-inner",	 VT_STAT_DROP },
	[VTUN_STAT_RX_BAD_SOURCE]	= { "rx-bad-source",	 VT_STAT_DROP },
	[VTUN_STAT_RX_CRYPTO_ERRORS]	= { "rx-crypto-errors",	 VT_STAT_DROP },
	[VTUN_STAT_RX_NOMEM]		= { "rx-nomem",		 VT_STAT_DROP },
	[VTUN_STAT_TX_BAD_INNER]	= { "tx-bad-inner",	 VT_STAT_DROP },
	[VTUN_STAT_TX_NO_ROUTE]		= { "tx-no-route",	 VT_STAT_DROP },
	[VTUN_STAT_TX_NO_SA]		= { "tx-no-sa",		 VT_STAT_DROP },
	[VTUN_STAT_TX_NO_ENDPOINT]	= { "tx-no-endpoint",	 VT_STAT_DROP },
	[VTUN_STAT_TX_SEQ_EXHAUSTED]	= { "tx-seq-exhausted",	 VT_STAT_DROP },
	[VTUN_STAT_TX_OUTER_ROUTE]	= { "tx-outer-route",	 VT_STAT_DROP },
	[VTUN_STAT_TX_LOOP]		= { "tx-loop",		 VT_STAT_DROP },
	[VTUN_STAT_TX_NOMEM]		= { "tx-nomem",		 VT_STAT_DROP },
	[VTUN_STAT_TX_ERRORS]		= { "tx-errors",	 VT_STAT_DROP },
	[VTUN_STAT_TX_KEEPALIVES]	= { "tx-keepalives",	 VT_STAT_EVENT },
	[VTUN_STAT_TX_TOO_BIG]		= { "tx-too-big",	 VT_STAT_DROP },
	[VTUN_STAT_RX_ECN_DROP]		= { "rx-ecn-drop",	 VT_STAT_DROP },
	[VTUN_STAT_RX_BACKLOG]		= { "rx-backlog",	 VT_STAT_DROP },
};

const char *vt_stat_name(unsigned int type)
{
	return type <= VTUN_STAT_MAX ? vt_stat_table[type].name : NULL;
}

enum vt_stat_kind vt_stat_kind(unsigned int type)
{
	return type <= VTUN_STAT_MAX ? vt_stat_table[type].kind : VT_STAT_DROP;
}

/* Counters newer than this vtunctl are skipped: they have no name yet. */
int vt_stats_parse(const struct nlattr *nest, struct vt_stats *st)
{
	struct nlattr *a;
	int rem;

	memset(st, 0, sizeof(*st));
	if (!nest)
		return 0;
	st->present = true;
	nla_for_each_nested(a, nest, rem) {
		unsigned int type = nla_type(a);

		if (!vt_stat_name(type))
			continue;
		if (nla_len(a) != sizeof(uint64_t))
			return -EBADMSG;
		st->has[type] = true;
		st->val[type] = nla_get_u64(a);
	}
	return 0;
}

static void print_traffic(FILE *f, const struct vt_stats *st, int pkts,
			  int bytes, const char *dir, bool *first)
{
	char buf[32];

	if (!st->has[pkts] && !st->has[bytes])
		return;
	fprintf(f, "%s%s", *first ? "" : "  ", dir);
	if (st->has[pkts])
		fprintf(f, " %" PRIu64 " packets", st->val[pkts]);
	if (st->has[bytes]) {
		vt_format_bytes(st->val[bytes], buf, sizeof(buf));
		fprintf(f, " %s", buf);
	}
	*first = false;
}

static bool shown(const struct vt_stats *st, unsigned int t,
		  enum vt_stat_kind kind)
{
	if (!st->has[t] || !vt_stat_name(t) || vt_stat_kind(t) != kind)
		return false;
	/* traffic is shown even at zero; events and drops only when nonzero */
	return kind == VT_STAT_TRAFFIC || st->val[t];
}

static bool any_shown(const struct vt_stats *st, enum vt_stat_kind kind)
{
	unsigned int t;

	for (t = 0; t <= VTUN_STAT_MAX; t++)
		if (shown(st, t, kind))
			return true;
	return false;
}

/* "name value" pairs of @kind, @sep between them. */
static void print_kind(FILE *f, const struct vt_stats *st,
		       enum vt_stat_kind kind, const char *sep, bool *first)
{
	unsigned int t;

	for (t = 0; t <= VTUN_STAT_MAX; t++) {
		if (!shown(st, t, kind))
			continue;
		fprintf(f, "%s%s %" PRIu64, *first ? "" : sep, vt_stat_name(t),
			st->val[t]);
		*first = false;
	}
}

void vt_stats_print(FILE *f, const char *indent, const struct vt_stats *st)
{
	bool first = true;

	if (any_shown(st, VT_STAT_TRAFFIC) || any_shown(st, VT_STAT_EVENT)) {
		fputs(indent, f);
		print_traffic(f, st, VTUN_STAT_RX_PACKETS, VTUN_STAT_RX_BYTES,
			      "rx", &first);
		print_traffic(f, st, VTUN_STAT_TX_PACKETS, VTUN_STAT_TX_BYTES,
			      "tx", &first);
		print_kind(f, st, VT_STAT_EVENT, "  ", &first);
		fputc('\n', f);
	}
	if (any_shown(st, VT_STAT_DROP)) {
		first = true;
		fprintf(f, "%sdrops: ", indent);
		print_kind(f, st, VT_STAT_DROP, " ", &first);
		fputc('\n', f);
	}
}

void vt_stats_json(struct json *j, const char *key, const struct vt_stats *st)
{
	char name[64];
	unsigned int t;
	char *p;

	json_key(j, key);
	if (!st->present) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	for (t = 0; t <= VTUN_STAT_MAX; t++) {
		if (!st->has[t] || !vt_stat_name(t))
			continue;
		snprintf(name, sizeof(name), "%s", vt_stat_name(t));
		for (p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		json_kv_u64(j, name, st->val[t]);
	}
	json_obj_close(j);
}
