// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl setconf DEV FILE: a whole configuration in one DEV_SETCONF
 * request, which the kernel applies entirely or not at all.
 * vtunctl showconf DEV [--key-paths]: the running one, in the same format.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "cli.h"
#include "conf.h"
#include "nl.h"
#include "output.h"

/* Upper bounds of one nest's size in the request. */
#define VT_PEER_NEST_MAX	128
#define VT_ROUTE_NEST_MAX	64
#define VT_SA_NEST_MAX		(256 + NLA_HDRLEN + VT_KEY_REF_MAX + 1)

void vt_usage_setconf(FILE *f)
{
	fputs("Usage: vtunctl setconf DEV FILE\n"
	      "Replaces DEV's whole configuration with FILE's (\"-\": standard input) in\n"
	      "one request: the kernel applies all of it or, on any error, none. What\n"
	      "exists and is asked for again stays as it is (SAs keep their sequence\n"
	      "numbers), what is missing is created, what the file omits is deleted.\n"
	      "FILE (see vtunctl(8)):\n"
	      "  [Device]  ListenPort = 4500, FwMark = 0x51, BindDevice = eth0, Ttl = 64,\n"
	      "            Dscp = inherit (all optional)\n"
	      "  [Peer]    Id = 1, Endpoint = 192.0.2.2:4500, Keepalive = 25,\n"
	      "            PinEndpoint = no, Route = 10.2.0.0/16, fd02::/64\n"
	      "  [SA]      (of the [Peer] above) Dir = out, Spi = 0x1000,\n"
	      "            Aead = rfc4106(gcm(aes)), Key = @/etc/vtun/b.out, IcvBits = 128,\n"
	      "            Esn = no, ReplayWindow = 64, Limit = time-soft 3600, time-hard 3900\n"
	      "Keys only as Key = @PATH (relative to FILE's directory), with the rules of\n"
	      "key files. FILE is checked whole before anything is sent.\n", f);
}

void vt_usage_showconf(FILE *f)
{
	fputs("Usage: vtunctl showconf DEV [--key-paths]\n"
	      "Prints DEV's running configuration in the format of setconf. Key lines only\n"
	      "with --key-paths: Key = @PATH, the file each SA's key was read from (or\n"
	      "\"# key not recorded\"); the kernel never returns keys.\n", f);
}

struct setconf_cmd {
	const char *ifname;
	const char *file;
	struct vt_conf conf;
};

int vt_conf_put(struct nl_msg *msg, const struct vt_conf *c)
{
	const struct vt_conf_peer *peers = c->peers.items;
	const struct vt_conf_route *routes = c->routes.items;
	const struct vt_conf_sa *sas = c->sas.items;
	size_t i;

	if (c->has_listen_port)
		NLA_PUT_U16(msg, VTUN_A_LISTEN_PORT, c->listen_port);
	if (c->has_fwmark)
		NLA_PUT_U32(msg, VTUN_A_FWMARK, c->fwmark);
	if (c->bind_ifindex)
		NLA_PUT_U32(msg, VTUN_A_BIND_IFINDEX, c->bind_ifindex);
	if (c->has_ttl)
		NLA_PUT_U8(msg, VTUN_A_OUTER_TTL, c->ttl);
	if (c->has_dscp)
		NLA_PUT_U8(msg, VTUN_A_OUTER_DSCP, c->dscp);
	for (i = 0; i < c->peers.n; i++)
		if (vt_peer_cfg_put(msg, &peers[i].cfg))
			return -ENOMEM;
	for (i = 0; i < c->routes.n; i++)
		if (vt_route_cfg_put(msg, &routes[i].cfg))
			return -ENOMEM;
	for (i = 0; i < c->sas.n; i++)
		if (vt_sa_cfg_put(msg, &sas[i].cfg))
			return -ENOMEM;
	return 0;
nla_put_failure:
	return -ENOMEM;
}

static int fill_setconf(struct nl_msg *msg, const void *arg)
{
	return vt_conf_put(msg, &((const struct setconf_cmd *)arg)->conf);
}

size_t vt_setconf_size(const struct vt_conf *c)
{
	return 4096 + c->peers.n * VT_PEER_NEST_MAX +
	       c->routes.n * VT_ROUTE_NEST_MAX + c->sas.n * VT_SA_NEST_MAX;
}

/* Parse FILE ("-": stdin); keys relative to its directory. */
static int read_conf(struct setconf_cmd *c)
{
	char *copy = NULL;
	struct vt_err e;
	FILE *f;
	int rc;

	if (!strcmp(c->file, "-")) {
		f = stdin;
	} else {
		f = fopen(c->file, "re");
		if (!f)
			return vt_usage_error("%s: %s", c->file, strerror(errno));
		copy = strdup(c->file);
		if (!copy) {
			fclose(f);
			return vt_fail("out of memory");
		}
	}
	rc = vt_conf_parse(f, f == stdin ? "<stdin>" : c->file,
			   copy ? dirname(copy) : NULL, &c->conf, &e);
	if (f != stdin)
		fclose(f);
	free(copy);
	return rc ? vt_usage_error("%s", e.msg) : 0;
}

int vt_cmd_setconf(const struct vt_opts *o, struct vt_args *a)
{
	struct setconf_cmd c = { 0 };
	struct vt_nl_req req = {
		.cmd = VTUN_CMD_DEV_SETCONF,
		.what = "setconf",
		.fill = fill_setconf,
		.fill_arg = &c,
	};
	int rc;

	(void)o;
	if (a->argc && vt_is_help(a->argv[0])) {
		vt_usage_setconf(stdout);
		return VT_EXIT_OK;
	}
	rc = vt_args_dev(a, "setconf", &c.ifname);
	c.file = vt_args_shift(a);
	if (!rc && !c.file)
		rc = vt_usage_error("setconf: missing FILE (try 'vtunctl setconf help')");
	if (!rc && a->argc)
		rc = vt_usage_error("setconf: unexpected '%.32s'", a->argv[0]);
	if (!rc)
		rc = read_conf(&c);
	if (!rc) {
		req.ifname = c.ifname;
		req.size = vt_setconf_size(&c.conf);
		rc = vt_nl_exec(&req);
	}
	vt_conf_free(&c.conf);
	return rc;
}

int vt_cmd_showconf(const struct vt_opts *o, struct vt_args *a)
{
	struct vt_array devs = { 0 };
	const char *ifname, *arg;
	bool key_paths = false;
	int rc;

	(void)o;
	if (a->argc && vt_is_help(a->argv[0])) {
		vt_usage_showconf(stdout);
		return VT_EXIT_OK;
	}
	rc = vt_args_dev(a, "showconf", &ifname);
	while (!rc && (arg = vt_args_shift(a))) {
		if (strcmp(arg, "--key-paths") || key_paths)
			return vt_usage_error("showconf: unexpected '%.32s'", arg);
		key_paths = true;
	}
	if (rc)
		return rc;
	rc = vt_dev_fetch(ifname, &devs);
	if (!rc)
		vt_conf_print(stdout, devs.items, key_paths);
	vt_devs_free(&devs);
	return rc;
}
