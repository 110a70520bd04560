// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl peer add|set|del, and peers in `show`.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>

#include "cli.h"
#include "conf.h"
#include "json.h"
#include "model.h"
#include "nl.h"
#include "output.h"

static const char *const peer_words[] = {
	"id", "endpoint", "keepalive", "pin-endpoint", "no-pin-endpoint", NULL,
};

enum { PW_ID, PW_ENDPOINT, PW_KEEPALIVE, PW_PIN, PW_NO_PIN };

struct peer_cmd {
	const char *name;		/* "peer add", for messages */
	const char *ifname;
	bool has_id;
	struct vt_peer_cfg cfg;
};

void vt_usage_peer(FILE *f)
{
	fputs("Usage: vtunctl peer add DEV id ID [endpoint ADDR:PORT] [keepalive SECONDS] [pin-endpoint]\n"
	      "       vtunctl peer set DEV id ID [endpoint ADDR:PORT] [keepalive SECONDS]\n"
	      "                        [pin-endpoint|no-pin-endpoint]\n"
	      "       vtunctl peer del DEV id ID\n"
	      "ID: 1..4294967295, chosen by the operator. An IPv6 endpoint is [ADDR]:PORT.\n"
	      "keepalive: seconds between NAT keepalives, 0 or off to disable.\n"
	      "pin-endpoint: never follow the peer to a new address (no roaming).\n"
	      "Deleting a peer also deletes its routes and SAs.\n", f);
}

static int parse_keepalive(const char *s, uint16_t *out)
{
	if (!strcmp(s, "off")) {
		*out = 0;
		return 0;
	}
	return vt_cli_u16("keepalive", s, 0, UINT16_MAX, out);
}

static int once(bool *seen, const char *cmd, const char *kw)
{
	if (*seen)
		return vt_usage_error("%s: '%s' given twice", cmd, kw);
	*seen = true;
	return 0;
}

static int parse_one(struct peer_cmd *c, struct vt_args *a, int word)
{
	const char *kw = peer_words[word], *val;
	struct vt_err e;
	int rc;

	switch (word) {
	case PW_ID:
		rc = once(&c->has_id, c->name, kw);
		if (!rc)
			rc = vt_args_value(a, kw, &val);
		return rc ? rc : vt_cli_u32("peer id", val, 1, UINT32_MAX,
					    &c->cfg.id);
	case PW_ENDPOINT:
		rc = once(&c->cfg.has_endpoint, c->name, kw);
		if (!rc)
			rc = vt_args_value(a, kw, &val);
		if (!rc && vt_parse_endpoint(val, &c->cfg.endpoint, &e))
			rc = vt_usage_error("%s", e.msg);
		return rc;
	case PW_KEEPALIVE:
		rc = once(&c->cfg.has_keepalive, c->name, kw);
		if (!rc)
			rc = vt_args_value(a, kw, &val);
		return rc ? rc : parse_keepalive(val, &c->cfg.keepalive);
	default:
		if (c->cfg.pin >= 0)
			return vt_usage_error("%s: pin-endpoint given twice", c->name);
		c->cfg.pin = word == PW_PIN;
		return 0;
	}
}

/* @allowed: bit mask of the peer_words this subcommand takes. */
static int parse_peer(struct vt_args *a, struct peer_cmd *c, unsigned int allowed)
{
	const char *arg;
	int rc, word;

	rc = vt_args_dev(a, c->name, &c->ifname);
	while (!rc && (arg = vt_args_shift(a))) {
		rc = vt_cli_keyword("peer option", arg, peer_words, &word);
		if (rc)
			break;
		if (!(allowed & 1U << word))
			return vt_usage_error("%s: unexpected '%s'", c->name, arg);
		rc = parse_one(c, a, word);
	}
	if (!rc && !c->has_id)
		rc = vt_usage_error("%s: missing 'id ID'", c->name);
	return rc;
}

int vt_peer_cfg_put(struct nl_msg *msg, const struct vt_peer_cfg *c)
{
	const struct vt_addr *addr = &c->endpoint.addr;
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_PEER);

	if (!nest)
		return -ENOMEM;
	NLA_PUT_U32(msg, VTUN_PEER_A_ID, c->id);
	if (c->has_endpoint) {
		NLA_PUT(msg, addr->family == AF_INET ? VTUN_PEER_A_ENDPOINT_ADDR4
						     : VTUN_PEER_A_ENDPOINT_ADDR6,
			vt_addr_len(addr), addr->u.bytes);
		NLA_PUT_U16(msg, VTUN_PEER_A_ENDPOINT_PORT, c->endpoint.port);
	}
	if (c->has_keepalive)
		NLA_PUT_U16(msg, VTUN_PEER_A_KEEPALIVE, c->keepalive);
	if (c->pin >= 0)
		NLA_PUT_U32(msg, VTUN_PEER_A_FLAGS,
			    c->pin ? VTUN_PEER_F_PIN_ENDPOINT : 0);
	nla_nest_end(msg, nest);
	return 0;
nla_put_failure:
	return -ENOMEM;
}

static int fill_peer(struct nl_msg *msg, const void *arg)
{
	const struct peer_cmd *c = arg;

	return vt_peer_cfg_put(msg, &c->cfg);
}

static bool changes_something(const struct vt_peer_cfg *c)
{
	return c->has_endpoint || c->has_keepalive || c->pin >= 0;
}

static int run_peer(struct vt_args *a, const char *name, uint8_t cmd,
		    unsigned int allowed)
{
	struct peer_cmd c = { .name = name, .cfg.pin = -1 };
	struct vt_nl_req req = {
		.cmd = cmd,
		.what = name,
		.fill = fill_peer,
		.fill_arg = &c,
	};
	int rc = parse_peer(a, &c, allowed);

	if (rc)
		return rc;
	if (cmd == VTUN_CMD_PEER_SET && !changes_something(&c.cfg))
		return vt_usage_error("peer set: nothing to change");
	req.ifname = c.ifname;
	return vt_nl_exec(&req);
}

#define PEER_ALL (1U << PW_ID | 1U << PW_ENDPOINT | 1U << PW_KEEPALIVE | \
		  1U << PW_PIN | 1U << PW_NO_PIN)

int vt_cmd_peer(const struct vt_opts *o, struct vt_args *a)
{
	static const char *const subs[] = { "add", "set", "del", "help", NULL };
	const char *arg = vt_args_shift(a);
	int rc, sub;

	(void)o;
	if (!arg)
		return vt_usage_error("peer: missing subcommand (add, set, del)");
	rc = vt_cli_keyword("peer subcommand", arg, subs, &sub);
	if (rc)
		return rc;
	if (sub == 3 || (a->argc && vt_is_help(a->argv[0]))) {
		vt_usage_peer(stdout);
		return VT_EXIT_OK;
	}
	switch (sub) {
	case 0:
		return run_peer(a, "peer add", VTUN_CMD_PEER_NEW, PEER_ALL);
	case 1:
		return run_peer(a, "peer set", VTUN_CMD_PEER_SET, PEER_ALL);
	default:
		return run_peer(a, "peer del", VTUN_CMD_PEER_DEL, 1U << PW_ID);
	}
}

static const struct nla_policy peer_policy[VTUN_PEER_A_MAX + 1] = {
	[VTUN_PEER_A_ID]		= { .type = NLA_U32 },
	[VTUN_PEER_A_ENDPOINT_ADDR4]	= { .minlen = 4, .maxlen = 4 },
	[VTUN_PEER_A_ENDPOINT_ADDR6]	= { .minlen = 16, .maxlen = 16 },
	[VTUN_PEER_A_ENDPOINT_PORT]	= { .type = NLA_U16 },
	[VTUN_PEER_A_KEEPALIVE]		= { .type = NLA_U16 },
	[VTUN_PEER_A_FLAGS]		= { .type = NLA_U32 },
	[VTUN_PEER_A_LAST_RX_MSECS]	= { .type = NLA_U64 },
	[VTUN_PEER_A_STATS]		= { .type = NLA_NESTED },
};

static void endpoint_from_attrs(struct nlattr **pt, struct vt_peer *p)
{
	struct vt_addr *addr = &p->endpoint.addr;
	struct nlattr *a4 = pt[VTUN_PEER_A_ENDPOINT_ADDR4];
	struct nlattr *a6 = pt[VTUN_PEER_A_ENDPOINT_ADDR6];

	if (!a4 && !a6)
		return;
	addr->family = a4 ? AF_INET : AF_INET6;
	memcpy(addr->u.bytes, nla_data(a4 ? a4 : a6), vt_addr_len(addr));
	if (pt[VTUN_PEER_A_ENDPOINT_PORT])
		p->endpoint.port = nla_get_u16(pt[VTUN_PEER_A_ENDPOINT_PORT]);
	p->has_endpoint = true;
}

int vt_peer_from_attrs(struct nlattr **tb, struct vt_peer *p)
{
	struct nlattr *pt[VTUN_PEER_A_MAX + 1];

	if (!tb[VTUN_A_PEER] ||
	    nla_parse_nested(pt, VTUN_PEER_A_MAX, tb[VTUN_A_PEER], peer_policy) < 0 ||
	    !pt[VTUN_PEER_A_ID])
		return -EBADMSG;
	memset(p, 0, sizeof(*p));
	p->id = nla_get_u32(pt[VTUN_PEER_A_ID]);
	endpoint_from_attrs(pt, p);
	if (pt[VTUN_PEER_A_KEEPALIVE])
		p->keepalive = nla_get_u16(pt[VTUN_PEER_A_KEEPALIVE]);
	if (pt[VTUN_PEER_A_FLAGS])
		p->flags = nla_get_u32(pt[VTUN_PEER_A_FLAGS]);
	if (pt[VTUN_PEER_A_LAST_RX_MSECS]) {
		p->has_last_rx = true;
		p->last_rx_msecs = nla_get_u64(pt[VTUN_PEER_A_LAST_RX_MSECS]);
	}
	return vt_stats_parse(pt[VTUN_PEER_A_STATS], &p->stats);
}

static void print_peer_line(FILE *f, const struct vt_peer *p)
{
	char buf[VT_ADDR_STRLEN];

	if (p->has_endpoint)
		vt_format_endpoint(&p->endpoint, buf, sizeof(buf));
	fprintf(f, "  peer %" PRIu32 ": endpoint %s", p->id,
		p->has_endpoint ? buf : "(none)");
	if (p->keepalive)
		fprintf(f, " keepalive %us", p->keepalive);
	else
		fputs(" keepalive off", f);
	if (p->flags & VTUN_PEER_F_PIN_ENDPOINT)
		fputs(" pin-endpoint", f);
	if (p->has_last_rx) {
		vt_format_duration(p->last_rx_msecs, buf, sizeof(buf));
		fprintf(f, ", last rx %s ago\n", buf);
	} else {
		fputs(", last rx never\n", f);
	}
}

void vt_peer_print(FILE *f, const struct vt_dev *dev, const struct vt_peer *p)
{
	const struct vt_route *routes;
	const struct vt_sa *sas;
	size_t n, i;

	print_peer_line(f, p);
	routes = vt_dev_routes_of(dev, p->id, &n);
	vt_routes_print(f, routes, n);
	vt_stats_print(f, "    ", &p->stats);
	sas = vt_dev_sas_of(dev, p->id, &n);
	for (i = 0; i < n; i++)
		vt_sa_print(f, &sas[i]);
}

/* Everything of the peer itself, without its routes and SAs. */
void vt_peer_json_fields(struct json *j, const struct vt_peer *p)
{
	char buf[VT_ADDR_STRLEN];

	json_kv_u64(j, "id", p->id);
	if (p->has_endpoint) {
		vt_format_endpoint(&p->endpoint, buf, sizeof(buf));
		json_kv_str(j, "endpoint", buf);
	} else {
		json_kv_null(j, "endpoint");
	}
	json_kv_u64(j, "keepalive", p->keepalive);
	json_kv_bool(j, "pin_endpoint", p->flags & VTUN_PEER_F_PIN_ENDPOINT);
	json_kv_opt_u64(j, "last_rx_msecs", p->has_last_rx, p->last_rx_msecs);
	vt_stats_json(j, "stats", &p->stats);
}

void vt_peer_json(struct json *j, const struct vt_dev *dev,
		  const struct vt_peer *p)
{
	const struct vt_route *routes;
	const struct vt_sa *sas;
	size_t n, i;

	json_obj_open(j);
	vt_peer_json_fields(j, p);
	routes = vt_dev_routes_of(dev, p->id, &n);
	json_key(j, "routes");
	vt_routes_json(j, routes, n);
	sas = vt_dev_sas_of(dev, p->id, &n);
	json_key(j, "sas");
	json_arr_open(j);
	for (i = 0; i < n; i++)
		vt_sa_json(j, &sas[i]);
	json_arr_close(j);
	json_obj_close(j);
}
