// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl route add|del: which inner prefixes go to which peer. The same
 * table checks the inner source of what a peer sends us.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>

#include "cli.h"
#include "conf.h"
#include "json.h"
#include "model.h"
#include "nl.h"
#include "output.h"

struct route_cmd {
	const char *name;
	const char *ifname;
	struct vt_route_cfg cfg;	/* cfg.peer_id 0: 'peer' not given */
};

void vt_usage_route(FILE *f)
{
	fputs("Usage: vtunctl route add DEV PREFIX peer ID\n"
	      "       vtunctl route del DEV PREFIX [peer ID]\n"
	      "PREFIX: 10.2.0.0/16, 0.0.0.0/0, fd00::/64; a bare address is a /32 or /128.\n"
	      "Host bits must be zero.\n", f);
}

static int parse_route(struct vt_args *a, struct route_cmd *c)
{
	static const char *const words[] = { "peer", NULL };
	const char *arg, *val;
	struct vt_err e;
	int rc, word;

	rc = vt_args_dev(a, c->name, &c->ifname);
	if (rc)
		return rc;
	arg = vt_args_shift(a);
	if (!arg)
		return vt_usage_error("%s: missing PREFIX", c->name);
	if (vt_parse_prefix(arg, &c->cfg.prefix, &e))
		return vt_usage_error("%s", e.msg);
	while ((arg = vt_args_shift(a))) {
		rc = vt_cli_keyword("route option", arg, words, &word);
		if (!rc && c->cfg.peer_id)
			rc = vt_usage_error("%s: 'peer' given twice", c->name);
		if (!rc)
			rc = vt_args_value(a, "peer", &val);
		if (!rc)
			rc = vt_cli_u32("peer id", val, 1, UINT32_MAX,
					&c->cfg.peer_id);
		if (rc)
			return rc;
	}
	return 0;
}

int vt_route_cfg_put(struct nl_msg *msg, const struct vt_route_cfg *c)
{
	const struct vt_addr *addr = &c->prefix.addr;
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_ROUTE);

	if (!nest)
		return -ENOMEM;
	if (c->peer_id)
		NLA_PUT_U32(msg, VTUN_ROUTE_A_PEER_ID, c->peer_id);
	NLA_PUT_U16(msg, VTUN_ROUTE_A_FAMILY, addr->family);
	NLA_PUT(msg, VTUN_ROUTE_A_ADDR, vt_addr_len(addr), addr->u.bytes);
	NLA_PUT_U8(msg, VTUN_ROUTE_A_PREFIXLEN, c->prefix.len);
	nla_nest_end(msg, nest);
	return 0;
nla_put_failure:
	return -ENOMEM;
}

static int fill_route(struct nl_msg *msg, const void *arg)
{
	const struct route_cmd *c = arg;

	return vt_route_cfg_put(msg, &c->cfg);
}

static int run_route(struct vt_args *a, const char *name, uint8_t cmd)
{
	struct route_cmd c = { .name = name };
	struct vt_nl_req req = {
		.cmd = cmd,
		.what = name,
		.fill = fill_route,
		.fill_arg = &c,
	};
	int rc = parse_route(a, &c);

	if (rc)
		return rc;
	if (cmd == VTUN_CMD_ROUTE_NEW && !c.cfg.peer_id)
		return vt_usage_error("%s: missing 'peer ID'", name);
	req.ifname = c.ifname;
	return vt_nl_exec(&req);
}

int vt_cmd_route(const struct vt_opts *o, struct vt_args *a)
{
	static const char *const subs[] = { "add", "del", "help", NULL };
	const char *arg = vt_args_shift(a);
	int rc, sub;

	(void)o;
	if (!arg)
		return vt_usage_error("route: missing subcommand (add, del)");
	rc = vt_cli_keyword("route subcommand", arg, subs, &sub);
	if (rc)
		return rc;
	if (sub == 2 || (a->argc && vt_is_help(a->argv[0]))) {
		vt_usage_route(stdout);
		return VT_EXIT_OK;
	}
	if (sub == 0)
		return run_route(a, "route add", VTUN_CMD_ROUTE_NEW);
	return run_route(a, "route del", VTUN_CMD_ROUTE_DEL);
}

static const struct nla_policy route_policy[VTUN_ROUTE_A_MAX + 1] = {
	[VTUN_ROUTE_A_PEER_ID]		= { .type = NLA_U32 },
	[VTUN_ROUTE_A_FAMILY]		= { .type = NLA_U16 },
	[VTUN_ROUTE_A_ADDR]		= { .minlen = 4, .maxlen = 16 },
	[VTUN_ROUTE_A_PREFIXLEN]	= { .type = NLA_U8 },
};

int vt_route_from_attrs(struct nlattr **tb, struct vt_route *r)
{
	struct nlattr *rt[VTUN_ROUTE_A_MAX + 1];
	struct vt_addr *addr = &r->prefix.addr;

	if (!tb[VTUN_A_ROUTE] ||
	    nla_parse_nested(rt, VTUN_ROUTE_A_MAX, tb[VTUN_A_ROUTE], route_policy) < 0 ||
	    !rt[VTUN_ROUTE_A_PEER_ID] || !rt[VTUN_ROUTE_A_FAMILY] ||
	    !rt[VTUN_ROUTE_A_ADDR] || !rt[VTUN_ROUTE_A_PREFIXLEN])
		return -EBADMSG;
	memset(r, 0, sizeof(*r));
	r->peer_id = nla_get_u32(rt[VTUN_ROUTE_A_PEER_ID]);
	addr->family = nla_get_u16(rt[VTUN_ROUTE_A_FAMILY]);
	r->prefix.len = nla_get_u8(rt[VTUN_ROUTE_A_PREFIXLEN]);
	if ((addr->family != AF_INET && addr->family != AF_INET6) ||
	    (size_t)nla_len(rt[VTUN_ROUTE_A_ADDR]) != vt_addr_len(addr) ||
	    r->prefix.len > 8 * vt_addr_len(addr))
		return -EBADMSG;
	memcpy(addr->u.bytes, nla_data(rt[VTUN_ROUTE_A_ADDR]), vt_addr_len(addr));
	return 0;
}

void vt_routes_print(FILE *f, const struct vt_route *routes, size_t n)
{
	char buf[VT_ADDR_STRLEN];
	size_t i;

	if (!n)
		return;
	fputs("    routes:", f);
	for (i = 0; i < n; i++) {
		vt_format_prefix(&routes[i].prefix, buf, sizeof(buf));
		fprintf(f, " %s", buf);
	}
	fputc('\n', f);
}

void vt_routes_json(struct json *j, const struct vt_route *routes, size_t n)
{
	char buf[VT_ADDR_STRLEN];
	size_t i;

	json_arr_open(j);
	for (i = 0; i < n; i++) {
		vt_format_prefix(&routes[i].prefix, buf, sizeof(buf));
		json_str(j, buf);
	}
	json_arr_close(j);
}

/* One route on its own (events): {"peer_id": 1, "prefix": "10.2.0.0/16"} */
void vt_route_json(struct json *j, const struct vt_route *r)
{
	char buf[VT_ADDR_STRLEN];

	vt_format_prefix(&r->prefix, buf, sizeof(buf));
	json_obj_open(j);
	json_kv_u64(j, "peer_id", r->peer_id);
	json_kv_str(j, "prefix", buf);
	json_obj_close(j);
}
