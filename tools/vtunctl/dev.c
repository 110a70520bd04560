// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl set (device parameters) and vtunctl show (everything).
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <string.h>
#include <netlink/attr.h>

#include "cli.h"
#include "json.h"
#include "model.h"
#include "nl.h"
#include "output.h"

struct set_cmd {
	const char *ifname;
	unsigned int seen;		/* bit per set_words entry */
	uint16_t port;
	uint32_t fwmark;
	uint32_t bind_ifindex;
	uint8_t ttl, dscp;
};

static const char *const set_words[] = {
	"listen-port", "fwmark", "bind-dev", "ttl", "dscp", NULL,
};

enum { SETW_PORT, SETW_FWMARK, SETW_BIND, SETW_TTL, SETW_DSCP };

void vt_usage_set(FILE *f)
{
	fputs("Usage: vtunctl set DEV [listen-port PORT] [fwmark MARK] [bind-dev IFNAME|none]\n"
	      "                       [ttl TTL] [dscp DSCP|inherit]\n"
	      "PORT: local UDP port, 0 picks a free one (default 4500).\n"
	      "MARK: firewall mark on outer packets, 0 for none; decimal or 0x hex.\n"
	      "bind-dev: send outer packets only through IFNAME (a device of this\n"
	      "     namespace); none: through any.\n"
	      "TTL: TTL / hop limit of outer packets, 1..255; 0: the route's (default).\n"
	      "DSCP: of outer packets, 0..63; inherit: copy the inner one (default).\n"
	      "     ECN always follows RFC 6040.\n", f);
}

int vt_parse_dscp(const char *s, uint8_t *dscp, struct vt_err *e)
{
	uint64_t v;

	if (!strcmp(s, "inherit")) {
		*dscp = VTUN_DSCP_INHERIT;
		return 0;
	}
	if (vt_parse_num("dscp", s, 0, 63, true, &v, e))
		return -1;
	*dscp = v;
	return 0;
}

void vt_usage_show(FILE *f)
{
	fputs("Usage: vtunctl show [DEV] [-j|--json] [-p|--pretty]\n"
	      "Without DEV, every vtun device in this network namespace.\n", f);
}

int vt_resolve_bind_dev(const char *what, const char *name, uint32_t *ifindex,
			struct vt_err *e)
{
	if (!strcmp(name, "none")) {
		*ifindex = 0;
		return 0;
	}
	if (vt_parse_ifname(name, e))
		return -1;
	*ifindex = if_nametoindex(name);
	if (!*ifindex)
		return vt_seterr(e, "%s %s: no such device", what, name);
	return 0;
}

static int parse_set_value(struct set_cmd *c, int word, const char *val)
{
	struct vt_err e;

	uint16_t ttl;
	int rc;

	switch (word) {
	case SETW_PORT:
		return vt_cli_u16("listen-port", val, 0, UINT16_MAX, &c->port);
	case SETW_FWMARK:
		return vt_cli_u32("fwmark", val, 0, UINT32_MAX, &c->fwmark);
	case SETW_TTL:
		rc = vt_cli_u16("ttl", val, 0, 255, &ttl);
		c->ttl = ttl;
		return rc;
	case SETW_DSCP:
		if (vt_parse_dscp(val, &c->dscp, &e))
			return vt_usage_error("%s", e.msg);
		return 0;
	default:
		if (vt_resolve_bind_dev("bind-dev", val, &c->bind_ifindex, &e))
			return vt_usage_error("%s", e.msg);
		return 0;
	}
}

static int parse_set(struct vt_args *a, struct set_cmd *c)
{
	const char *arg, *val;
	int rc, word;

	rc = vt_args_dev(a, "set", &c->ifname);
	while (!rc && (arg = vt_args_shift(a))) {
		rc = vt_cli_keyword("set option", arg, set_words, &word);
		if (rc)
			return rc;
		if (c->seen & 1U << word)
			return vt_usage_error("set: '%s' given twice",
					      set_words[word]);
		c->seen |= 1U << word;
		rc = vt_args_value(a, set_words[word], &val);
		if (!rc)
			rc = parse_set_value(c, word, val);
	}
	if (!rc && !c->seen)
		rc = vt_usage_error("set: nothing to change (listen-port, fwmark, bind-dev, ttl, dscp)");
	return rc;
}

static int fill_set(struct nl_msg *msg, const void *arg)
{
	const struct set_cmd *c = arg;

	if (c->seen & 1U << SETW_PORT)
		NLA_PUT_U16(msg, VTUN_A_LISTEN_PORT, c->port);
	if (c->seen & 1U << SETW_FWMARK)
		NLA_PUT_U32(msg, VTUN_A_FWMARK, c->fwmark);
	if (c->seen & 1U << SETW_BIND)
		NLA_PUT_U32(msg, VTUN_A_BIND_IFINDEX, c->bind_ifindex);
	if (c->seen & 1U << SETW_TTL)
		NLA_PUT_U8(msg, VTUN_A_OUTER_TTL, c->ttl);
	if (c->seen & 1U << SETW_DSCP)
		NLA_PUT_U8(msg, VTUN_A_OUTER_DSCP, c->dscp);
	return 0;
nla_put_failure:
	return -ENOMEM;
}

int vt_cmd_set(const struct vt_opts *o, struct vt_args *a)
{
	struct set_cmd c = { 0 };
	struct vt_nl_req req = {
		.cmd = VTUN_CMD_DEV_SET,
		.what = "set",
		.fill = fill_set,
		.fill_arg = &c,
	};
	int rc;

	(void)o;
	if (a->argc && vt_is_help(a->argv[0])) {
		vt_usage_set(stdout);
		return VT_EXIT_OK;
	}
	rc = parse_set(a, &c);
	if (rc)
		return rc;
	req.ifname = c.ifname;
	return vt_nl_exec(&req);
}

int vt_dev_from_attrs(struct nlattr **tb, struct vt_dev *dev)
{
	if (!tb[VTUN_A_IFINDEX] || !tb[VTUN_A_IFNAME])
		return -EBADMSG;
	memset(dev, 0, sizeof(*dev));
	dev->ifindex = nla_get_u32(tb[VTUN_A_IFINDEX]);
	snprintf(dev->ifname, sizeof(dev->ifname), "%s",
		 nla_get_string(tb[VTUN_A_IFNAME]));
	if (tb[VTUN_A_LISTEN_PORT]) {
		dev->has_listen_port = true;
		dev->listen_port = nla_get_u16(tb[VTUN_A_LISTEN_PORT]);
	}
	if (tb[VTUN_A_FWMARK]) {
		dev->has_fwmark = true;
		dev->fwmark = nla_get_u32(tb[VTUN_A_FWMARK]);
	}
	if (tb[VTUN_A_BIND_IFINDEX]) {
		dev->has_bind = true;
		dev->bind_ifindex = nla_get_u32(tb[VTUN_A_BIND_IFINDEX]);
		/* named as in this namespace, which is usually the device's */
		if (dev->bind_ifindex && !if_indextoname(dev->bind_ifindex,
							 dev->bind_dev))
			dev->bind_dev[0] = '\0';
	}
	if (tb[VTUN_A_OUTER_TTL]) {
		dev->has_ttl = true;
		dev->ttl = nla_get_u8(tb[VTUN_A_OUTER_TTL]);
	}
	if (tb[VTUN_A_OUTER_DSCP]) {
		dev->has_dscp = true;
		dev->dscp = nla_get_u8(tb[VTUN_A_OUTER_DSCP]);
	}
	if (tb[VTUN_A_N_PEERS] && tb[VTUN_A_N_SAS]) {
		dev->has_counts = true;
		dev->n_peers = nla_get_u32(tb[VTUN_A_N_PEERS]);
		dev->n_sas = nla_get_u32(tb[VTUN_A_N_SAS]);
	}
	return vt_stats_parse(tb[VTUN_A_STATS], &dev->stats);
}

void vt_dev_print(FILE *f, const struct vt_dev *dev)
{
	const struct vt_peer *peers = dev->peers.items;
	size_t i;

	fprintf(f, "%s:", dev->ifname);
	if (dev->has_listen_port)
		fprintf(f, " listen-port %u", dev->listen_port);
	if (dev->has_fwmark)
		fprintf(f, " fwmark 0x%" PRIx32, dev->fwmark);
	if (dev->bind_ifindex && dev->bind_dev[0])
		fprintf(f, " bind-dev %s", dev->bind_dev);
	else if (dev->bind_ifindex)
		fprintf(f, " bind-dev if%" PRIu32, dev->bind_ifindex);
	if (dev->ttl)
		fprintf(f, " ttl %u", dev->ttl);
	if (dev->has_dscp && dev->dscp != VTUN_DSCP_INHERIT)
		fprintf(f, " dscp %u", dev->dscp);
	if (dev->has_counts)
		fprintf(f, " peers %" PRIu32 " sas %" PRIu32, dev->n_peers,
			dev->n_sas);
	fputc('\n', f);
	vt_stats_print(f, "  ", &dev->stats);
	for (i = 0; i < dev->peers.n; i++)
		vt_peer_print(f, dev, &peers[i]);
}

void vt_dev_json(struct json *j, const struct vt_dev *dev)
{
	const struct vt_peer *peers = dev->peers.items;
	size_t i;

	json_obj_open(j);
	json_kv_str(j, "ifname", dev->ifname);
	json_kv_u64(j, "ifindex", dev->ifindex);
	json_kv_opt_u64(j, "listen_port", dev->has_listen_port, dev->listen_port);
	json_kv_opt_u64(j, "fwmark", dev->has_fwmark, dev->fwmark);
	json_kv_opt_str(j, "bind_dev", dev->bind_dev);
	json_kv_opt_u64(j, "bind_ifindex", dev->has_bind, dev->bind_ifindex);
	json_kv_opt_u64(j, "ttl", dev->has_ttl, dev->ttl);
	json_kv_opt_u64(j, "dscp", dev->has_dscp && dev->dscp != VTUN_DSCP_INHERIT,
			dev->dscp);
	if (dev->has_dscp)
		json_kv_bool(j, "dscp_inherit", dev->dscp == VTUN_DSCP_INHERIT);
	else
		json_kv_null(j, "dscp_inherit");
	json_kv_opt_u64(j, "n_peers", dev->has_counts, dev->n_peers);
	json_kv_opt_u64(j, "n_sas", dev->has_counts, dev->n_sas);
	vt_stats_json(j, "stats", &dev->stats);
	json_key(j, "peers");
	json_arr_open(j);
	for (i = 0; i < dev->peers.n; i++)
		vt_peer_json(j, dev, &peers[i]);
	json_arr_close(j);
	json_obj_close(j);
}

/* --- show: collect with dumps, then print --- */

static int on_dev(struct nlattr **tb, void *arg)
{
	struct vt_array *devs = arg;
	struct vt_dev *dev = vt_array_push(devs, sizeof(*dev));

	if (!dev)
		return -ENOMEM;
	if (vt_dev_from_attrs(tb, dev)) {
		devs->n--;
		return -EBADMSG;
	}
	return 0;
}

/* Dumps are per device already; this guards against a confused reply. */
static bool other_dev(struct nlattr **tb, const struct vt_dev *dev)
{
	return tb[VTUN_A_IFINDEX] &&
	       nla_get_u32(tb[VTUN_A_IFINDEX]) != dev->ifindex;
}

static int on_peer(struct nlattr **tb, void *arg)
{
	struct vt_dev *dev = arg;
	struct vt_peer *p;

	if (other_dev(tb, dev))
		return 0;
	p = vt_array_push(&dev->peers, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (vt_peer_from_attrs(tb, p)) {
		dev->peers.n--;
		return -EBADMSG;
	}
	return 0;
}

static int on_route(struct nlattr **tb, void *arg)
{
	struct vt_dev *dev = arg;
	struct vt_route *r;

	if (other_dev(tb, dev))
		return 0;
	r = vt_array_push(&dev->routes, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (vt_route_from_attrs(tb, r)) {
		dev->routes.n--;
		return -EBADMSG;
	}
	return 0;
}

static int on_sa(struct nlattr **tb, void *arg)
{
	struct vt_dev *dev = arg;
	struct vt_sa *sa;

	if (other_dev(tb, dev))
		return 0;
	sa = vt_array_push(&dev->sas, sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	if (vt_sa_from_attrs(tb, sa)) {
		dev->sas.n--;
		return -EBADMSG;
	}
	return 0;
}

static int fetch_devices(struct vt_nl *nl, const char *ifname,
			 struct vt_array *devs)
{
	struct vt_nl_req req = {
		.cmd = VTUN_CMD_DEV_GET,
		.dump = !ifname,
		.what = "show",
		.ifname = ifname,
		.handler = on_dev,
		.handler_arg = devs,
	};
	int err = vt_nl_run(nl, &req);

	if (!err && ifname && devs->n != 1) {
		vt_fail("show %s: the vtun module sent no device", ifname);
		return -EBADMSG;
	}
	return err;
}

static int fetch_objects(struct vt_nl *nl, struct vt_dev *dev)
{
	static const struct {
		uint8_t cmd;
		const char *what;
		vt_nl_handler handler;
	} dumps[] = {
		{ VTUN_CMD_PEER_GET, "show peers", on_peer },
		{ VTUN_CMD_ROUTE_GET, "show routes", on_route },
		{ VTUN_CMD_SA_GET, "show sas", on_sa },
	};
	size_t i;
	int err = 0;

	for (i = 0; !err && i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		struct vt_nl_req req = {
			.cmd = dumps[i].cmd,
			.dump = true,
			.what = dumps[i].what,
			.ifindex = dev->ifindex,
			.handler = dumps[i].handler,
			.handler_arg = dev,
		};

		err = vt_nl_run(nl, &req);
	}
	vt_dev_sort(dev);
	return err;
}

/* Everything `show` prints, collected first; returns an exit code. */
int vt_dev_fetch(const char *ifname, struct vt_array *devs)
{
	struct vt_dev *list;
	struct vt_nl nl;
	size_t i;
	int err;

	err = vt_nl_open(&nl);
	if (err)
		return err;
	err = fetch_devices(&nl, ifname, devs);
	list = devs->items;
	for (i = 0; !err && i < devs->n; i++)
		err = fetch_objects(&nl, &list[i]);
	vt_nl_close(&nl);
	return err ? VT_EXIT_FAIL : VT_EXIT_OK;
}

static void print_all(const struct vt_opts *o, const struct vt_array *devs)
{
	const struct vt_dev *list = devs->items;
	struct json j;
	size_t i;

	if (!o->json) {
		for (i = 0; i < devs->n; i++) {
			if (i)
				putchar('\n');
			vt_dev_print(stdout, &list[i]);
		}
		return;
	}
	json_init(&j, stdout, o->pretty);
	json_arr_open(&j);
	for (i = 0; i < devs->n; i++)
		vt_dev_json(&j, &list[i]);
	json_arr_close(&j);
	json_finish(&j);
}

int vt_cmd_show(const struct vt_opts *global, struct vt_args *a)
{
	struct vt_opts o = *global;
	struct vt_array devs = { 0 };
	const char *ifname = NULL;
	int rc;

	if (a->argc && vt_is_help(a->argv[0])) {
		vt_usage_show(stdout);
		return VT_EXIT_OK;
	}
	rc = vt_args_dev_opts(a, "show", &o, &ifname);
	if (rc)
		return rc;
	rc = vt_dev_fetch(ifname, &devs);
	if (!rc)
		print_all(&o, &devs);
	vt_devs_free(&devs);
	return rc;
}
