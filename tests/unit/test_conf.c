// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of configuration files (tools/vtunctl/conf.c): parsing and
 * every kind of error, the DEV_SETCONF request built from a parsed file,
 * and showconf's printing, read back by the parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "conf.h"
#include "nl.h"
#include "tap.h"

#define KEY20 "0x000102030405060708090a0b0c0d0e0f10111213"
#define KEY36 KEY20 "1415161718191a1b1c1d1e1f20212223"

static char tmpdir[] = "/tmp/vtunctl-conf.XXXXXX";
static char *realdir;		/* tmpdir, links resolved */

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || chmod(path, mode)) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

/* Parse @text as file "t.conf", keys relative to the temporary directory. */
static int parse(const char *text, struct vt_conf *c, struct vt_err *e)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	if (!f) {
		printf("Bail out! fmemopen\n");
		exit(1);
	}
	rc = vt_conf_parse(f, "t.conf", tmpdir, c, e);
	fclose(f);
	return rc;
}

static const char full[] =
	"# a gateway\n"
	"[Device]\n"
	"ListenPort = 4501\n"
	"FwMark = 0x51        # optional\n"
	"BindDevice = lo\n"
	"Ttl = 33\n"
	"Dscp = 10\n"
	"[Peer]\n"
	"Id = 1\n"
	"Endpoint = 192.0.2.2:4500\n"
	"Keepalive = 25\n"
	"PinEndpoint = yes\n"
	"Route = 10.2.0.0/16, fd02::/64\n"
	"Route=10.3.0.0/16\n"
	"[SA]\n"
	"Dir = out\n"
	"Spi = 0x1000\n"
	"Aead = rfc4106(gcm(aes))\n"
	"Key = @a.key\n"
	"IcvBits = 96\n"
	"Esn = yes\n"
	"Limit = time-soft 3600, time-hard 3900\n"
	"Limit = packet-soft 5\n"
	"  [ sa ]  \n"
	"  dir=IN\n"
	"\tSPI = 8192\t\n"
	"KEY = @b.key\n"
	"Aead = rfc7539esp(chacha20,poly1305)\n"
	"ReplayWindow = 128\n"
	"[Peer]\n"
	"Id = 2\n"
	"Endpoint = [2001:db8::2]:4500\n"
	"Keepalive = off\n";

static void test_full(void)
{
	const struct vt_conf_peer *peers;
	const struct vt_conf_route *routes;
	const struct vt_conf_sa *sas;
	struct vt_conf c;
	struct vt_err e = { "" };
	char buf[VT_ADDR_STRLEN], want[PATH_MAX];

	if (!ok(!parse(full, &c, &e), "full configuration parses")) {
		printf("# %s\n", e.msg);
		vt_conf_free(&c);
		return;
	}
	peers = c.peers.items;
	routes = c.routes.items;
	sas = c.sas.items;
	ok(c.has_listen_port && c.listen_port == 4501 && c.has_fwmark &&
	   c.fwmark == 0x51 && c.bind_ifindex == 1 && c.has_ttl && c.ttl == 33 &&
	   c.has_dscp && c.dscp == 10, "[Device]");
	ok(c.peers.n == 2 && c.routes.n == 3 && c.sas.n == 2, "2 peers, 3 routes, 2 SAs");
	vt_format_endpoint(&peers[0].cfg.endpoint, buf, sizeof(buf));
	ok(peers[0].cfg.id == 1 && peers[0].cfg.has_endpoint &&
	   !strcmp(buf, "192.0.2.2:4500") && peers[0].cfg.has_keepalive &&
	   peers[0].cfg.keepalive == 25 && peers[0].cfg.pin == 1 &&
	   peers[0].line == 8, "peer 1");
	ok(peers[1].cfg.id == 2 && peers[1].cfg.endpoint.addr.family == AF_INET6 &&
	   peers[1].cfg.has_keepalive && peers[1].cfg.keepalive == 0 &&
	   peers[1].cfg.pin == -1, "peer 2: keepalive off, pin not given");
	vt_format_prefix(&routes[1].cfg.prefix, buf, sizeof(buf));
	ok(routes[0].cfg.peer_id == 1 && routes[2].cfg.peer_id == 1 &&
	   !strcmp(buf, "fd02::/64") && routes[2].line == 14, "routes of peer 1");
	snprintf(want, sizeof(want), "%s/a.key", realdir);
	ok(sas[0].cfg.peer_id == 1 && sas[0].cfg.dir == VTUN_DIR_OUT &&
	   sas[0].cfg.spi == 0x1000 && sas[0].cfg.has_aead &&
	   sas[0].cfg.key.len == 20 && sas[0].cfg.icv_bits == 96 && sas[0].cfg.esn &&
	   !sas[0].cfg.has_window && !sas[0].cfg.has_seq, "SA out");
	is_str(sas[0].cfg.key.ref, want, "SA out: key path recorded, relative to the file");
	ok(sas[0].cfg.lifetime.val[VTUN_LIFETIME_A_SOFT_ADD_SECS] == 3600 &&
	   sas[0].cfg.lifetime.val[VTUN_LIFETIME_A_HARD_ADD_SECS] == 3900 &&
	   sas[0].cfg.lifetime.val[VTUN_LIFETIME_A_SOFT_PACKETS] == 5 &&
	   sas[0].cfg.lifetime.seen == (1U << VTUN_LIFETIME_A_SOFT_ADD_SECS |
					1U << VTUN_LIFETIME_A_HARD_ADD_SECS |
					1U << VTUN_LIFETIME_A_SOFT_PACKETS), "SA out: limits");
	ok(!strcmp(sas[0].cfg.alg, VTUN_ALG_AES_GCM) &&
	   !strcmp(sas[1].cfg.alg, VTUN_ALG_CHACHA20_POLY1305), "Aead");
	ok(sas[1].cfg.dir == VTUN_DIR_IN && sas[1].cfg.spi == 8192 &&
	   sas[1].cfg.key.len == 36 && sas[1].cfg.icv_bits == 128 &&
	   !sas[1].cfg.esn && sas[1].cfg.has_window && sas[1].cfg.replay_window == 128 &&
	   !sas[1].cfg.lifetime.seen && sas[1].line == 24,
	   "SA in: defaults (IcvBits 128, no ESN), case-insensitive names");
	vt_conf_free(&c);
	ok(!c.sas.items && !c.sas.n, "freed");
}

static void test_minimal(void)
{
	struct vt_conf c;
	struct vt_err e = { "" };

	ok(!parse("", &c, &e) && !c.has_listen_port && !c.peers.n, "empty file");
	vt_conf_free(&c);
	ok(!parse("# nothing\n\n   \n[Device]\n", &c, &e) && !c.has_listen_port &&
	   !c.has_fwmark && !c.bind_ifindex && !c.has_ttl && !c.has_dscp,
	   "empty [Device]");
	vt_conf_free(&c);
	ok(!parse("[Device]\nDscp = inherit\nTtl = 0", &c, &e) && c.has_dscp &&
	   c.dscp == VTUN_DSCP_INHERIT && c.has_ttl && !c.ttl, "Dscp inherit, Ttl 0");
	vt_conf_free(&c);
	ok(!parse("[Peer]\nId=7\n[Device]\nBindDevice = none\n[Peer]\nId=8", &c, &e) &&
	   c.peers.n == 2 && !c.bind_ifindex, "[Device] anywhere; last line without newline");
	vt_conf_free(&c);
}

struct bad_case {
	const char *text;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "Id = 1\n", "t.conf:1: Id outside a section ([Device], [Peer] or [SA])" },
	{ "[Peer\n", "t.conf:1: expected [Section], got '[Peer'" },
	{ "[Peers]\n", "t.conf:1: unknown section [Peers] ([Device], [Peer] or [SA])" },
	{ "[Device]\n[Device]\n", "t.conf:2: [Device] given twice (first at line 1)" },
	{ "[Device]\nListenPort\n", "t.conf:2: expected 'Key = Value' or [Section], got 'ListenPort'" },
	{ "[Device]\n= 4500\n", "t.conf:2: a value without a key" },
	{ "[Device]\nListenPort =\n", "t.conf:2: ListenPort without a value" },
	{ "[Device]\nListenPort = 65536\n", "t.conf:2: ListenPort '65536' out of range (0..65535)" },
	{ "[Device]\nListenPort = 1\nListenPort = 2\n", "t.conf:3: ListenPort given twice in this [Device]" },
	{ "[Device]\nFwMark = -1\n", "t.conf:2: invalid FwMark '-1'" },
	{ "[Device]\nBindDevice = nosuch0\n", "t.conf:2: BindDevice nosuch0: no such device" },
	{ "[Device]\nId = 1\n", "t.conf:2: Id belongs in [Peer], not in [Device]" },
	{ "[Device]\nTtl = 256\n", "t.conf:2: Ttl '256' out of range (0..255)" },
	{ "[Device]\nDscp = 64\n", "t.conf:2: dscp '64' out of range (0..63)" },
	{ "[Device]\nDscp = copy\n", "t.conf:2: invalid dscp 'copy'" },
	{ "[Device]\nMtu = 1400\n", "t.conf:2: unknown key 'Mtu'" },
	{ "[Peer]\n", "t.conf:1: [Peer] without an Id" },
	{ "[Peer]\nEndpoint = 1.2.3.4:5\n[Peer]\nId = 2\n", "t.conf:1: [Peer] without an Id" },
	{ "[Peer]\nId = 0\n", "t.conf:2: peer id '0' out of range (1..4294967295)" },
	{ "[Peer]\nId = 1\nEndpoint = 2001:db8::1:4500\n", "t.conf:3: invalid endpoint '2001:db8::1:4500': write IPv6 endpoints as [ADDR]:PORT" },
	{ "[Peer]\nId = 1\nKeepalive = 70000\n", "t.conf:3: Keepalive '70000' out of range" },
	{ "[Peer]\nId = 1\nPinEndpoint = maybe\n", "t.conf:3: PinEndpoint must be yes or no, not 'maybe'" },
	{ "[Peer]\nId = 1\nRoute = 10.2.3.4/16\n", "t.conf:3: invalid prefix '10.2.3.4/16': host bits set (did you mean 10.2.0.0/16?)" },
	{ "[Peer]\nId = 1\nRoute = 10.0.0.0/8, ,10.1.0.0/16\n", "t.conf:3: Route: empty item in the list" },
	{ "[Peer]\nId = 1\nSpi = 256\n", "t.conf:3: Spi belongs in [SA], not in [Peer]" },
	{ "[SA]\nDir = out\n", "t.conf:1: [SA] must follow the [Peer] it belongs to" },
	{ "[Peer]\nId = 1\n[Device]\n[SA]\n", "t.conf:4: [SA] must follow the [Peer] it belongs to" },
	{ "[Peer]\nId = 1\n[SA]\nDir = out\nSpi = 256\n", "t.conf:3: [SA] without Key" },
	{ "[Peer]\nId = 1\n[SA]\nSpi = 256\nKey = @a.key\n", "t.conf:3: [SA] without Dir" },
	{ "[Peer]\nId = 1\n[SA]\nDir = sideways\n", "t.conf:4: Dir must be in or out, not 'sideways'" },
	{ "[Peer]\nId = 1\n[SA]\nSpi = 255\n", "t.conf:4: spi '255' out of range (256..4294967295)" },
	{ "[Peer]\nId = 1\n[SA]\nAead = gcm(aes)\n",
	  "t.conf:4: unsupported Aead 'gcm(aes)' (vtun supports rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305))" },
	{ "[Peer]\nId = 1\n[SA]\nDir = in\nSpi = 256\nKey = @a.key\nAead = rfc7539esp(chacha20,poly1305)\n",
	  "t.conf:3: [SA] key is 20 bytes; rfc7539esp(chacha20,poly1305) takes 36 (key + 4-byte salt)" },
	{ "[Peer]\nId = 1\n[SA]\nDir = in\nSpi = 256\nKey = @b.key\nIcvBits = 96\nAead = rfc7539esp(chacha20,poly1305)\n",
	  "t.conf:3: [SA] rfc7539esp(chacha20,poly1305) takes icv bits 128" },
	{ "[Peer]\nId = 1\n[SA]\nKey = " KEY20 "\n", "t.conf:4: Key must be @PATH, a key file: keys never go in the configuration itself" },
	{ "[Peer]\nId = 1\n[SA]\nKey = @\n", "t.conf:4: Key must be @PATH" },
	{ "[Peer]\nId = 1\n[SA]\nKey = @none.key\n", "t.conf:4: key file " },
	{ "[Peer]\nId = 1\n[SA]\nKey = @open.key\n", "is accessible by group or others (mode 0644); chmod 600 it" },
	{ "[Peer]\nId = 1\n[SA]\nKey = @short.key\n", "t.conf:4: key file " },
	{ "[Peer]\nId = 1\n[SA]\nIcvBits = 100\n", "t.conf:4: IcvBits must be 64, 96 or 128" },
	{ "[Peer]\nId = 1\n[SA]\nEsn = 1\n", "t.conf:4: Esn must be yes or no, not '1'" },
	{ "[Peer]\nId = 1\n[SA]\nReplayWindow = 4097\n", "t.conf:4: ReplayWindow '4097' out of range (0..4096)" },
	{ "[Peer]\nId = 1\n[SA]\nDir = out\nSpi = 256\nKey = @a.key\nReplayWindow = 64\n",
	  "t.conf:3: ReplayWindow applies to inbound SAs only" },
	{ "[Peer]\nId = 1\n[SA]\nLimit = time-soft\n", "t.conf:4: Limit: expected 'KEYWORD VALUE' items, as time-soft 3600" },
	{ "[Peer]\nId = 1\n[SA]\nLimit = time-soft 1 2\n", "t.conf:4: Limit: expected 'KEYWORD VALUE' items" },
	{ "[Peer]\nId = 1\n[SA]\nLimit = time 1\n", "t.conf:4: unknown limit 'time'" },
	{ "[Peer]\nId = 1\n[SA]\nLimit = time-soft 1, time-soft 2\n", "t.conf:4: limit time-soft given twice" },
	{ "[Peer]\nId = 1\n[SA]\nLimit = packet-hard 10\nLimit = packet-soft 20\n",
	  "t.conf:5: limit packet-soft 20 exceeds packet-hard 10" },
	{ "[Peer]\nId = 1\n[Peer]\nId = 2\n[Peer]\nId = 1\n", "t.conf:5: peer 1 already given at line 1" },
	{ "[Peer]\nId = 1\nRoute = 10.0.0.0/8\n[Peer]\nId = 2\nRoute = fd00::/8, 10.0.0.0/8\n",
	  "t.conf:6: route 10.0.0.0/8 already given at line 3" },
	{ "[Peer]\nId = 1\n[SA]\nDir = out\nSpi = 256\nKey = @a.key\n"
	  "[Peer]\nId = 2\n[SA]\nDir = out\nSpi = 0x100\nKey = @a.key\n",
	  "t.conf:9: SA dir out spi 0x00000100 already given at line 3" },
	{ "[Peer]\nId = 1\n[SA]\nDir = out\nSpi = 256\nKey = @a.key\n"
	  "[SA]\nDir = in\nSpi = 256\nKey = @a.key\n", NULL },	/* no error */
};

static void test_errors(void)
{
	struct vt_conf c;
	struct vt_err e;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		int rc;

		strcpy(e.msg, "");
		rc = parse(b->text, &c, &e);
		vt_conf_free(&c);
		if (!b->msg) {
			ok(rc == 0, "case %zu parses (%s)", i, e.msg);
			continue;
		}
		if (!ok(rc == -1, "case %zu refused", i))
			continue;
		has_str(e.msg, b->msg, "case %zu message", i);
	}
	ok(parse("[Peer]\nId = 1\0\n", &c, &e) == 0, "a NUL in memory ends the string");
	vt_conf_free(&c);
}

/* A NUL byte inside the file: not a text file. */
static void test_nul_byte(void)
{
	static const char text[] = "[Peer]\nId = 1\0junk\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct vt_conf c;
	struct vt_err e = { "" };

	ok(vt_conf_parse(f, "n.conf", NULL, &c, &e) == -1, "NUL byte refused");
	is_str(e.msg, "n.conf:2: NUL byte: not a text file", "NUL byte message");
	vt_conf_free(&c);
	fclose(f);
}

/* ---- the DEV_SETCONF request ---- */

static struct nlattr *nest_attr(struct nlattr *nest, int type)
{
	return nla_find(nla_data(nest), nla_len(nest), type);
}

static void test_request(void)
{
	struct nlattr *tb[VTUN_A_MAX + 1], *a;
	struct vt_conf c;
	struct vt_err e = { "" };
	struct nl_msg *msg;
	struct nlmsghdr *nlh;
	char order[64] = "", want[PATH_MAX];
	size_t n = 0;
	int rem, peers = 0, routes = 0, sas = 0;

	if (parse(full, &c, &e)) {
		ok(0, "parse for the request: %s", e.msg);
		vt_conf_free(&c);
		return;
	}
	msg = nlmsg_alloc_size(vt_setconf_size(&c));
	ok(msg && genlmsg_put(msg, 0, 0, 0x20, 0, 0, VTUN_CMD_DEV_SETCONF,
			      VTUN_GENL_VERSION) && !vt_conf_put(msg, &c),
	   "request built");
	nlh = nlmsg_hdr(msg);
	ok(nlh->nlmsg_len <= vt_setconf_size(&c), "within the size computed (%u bytes)",
	   nlh->nlmsg_len);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (n < sizeof(order) - 1)
			order[n++] = "?.inlfccsPRABTD"[nla_type(a) <= VTUN_A_OUTER_DSCP ?
						     nla_type(a) : 0];
		memset(tb, 0, sizeof(tb));
		tb[nla_type(a)] = a;
		if (nla_type(a) == VTUN_A_PEER) {
			struct vt_peer p;

			peers += !vt_peer_from_attrs(tb, &p) &&
				 p.id == (uint32_t)peers + 1 &&
				 (peers || (p.keepalive == 25 &&
					    p.flags == VTUN_PEER_F_PIN_ENDPOINT));
		} else if (nla_type(a) == VTUN_A_ROUTE) {
			struct vt_route r;

			routes += !vt_route_from_attrs(tb, &r) && r.peer_id == 1;
		} else if (nla_type(a) == VTUN_A_SA) {
			struct vt_sa sa;
			struct nlattr *key = nest_attr(a, VTUN_SA_A_KEY);

			snprintf(want, sizeof(want), "%s/%s", realdir,
				 sas ? "b.key" : "a.key");
			sas += !vt_sa_from_attrs(tb, &sa) && sa.peer_id == 1 &&
			       key && nla_len(key) == (sas ? 36 : 20) &&
			       !strcmp(sa.key_ref, want) &&
			       !strcmp(sa.alg, sas ? VTUN_ALG_CHACHA20_POLY1305
						   : VTUN_ALG_AES_GCM) &&
			       sa.has_lifetime == !sas;
		}
	}
	order[n] = '\0';
	is_str(order, "lfBTDPPRRRAA", "attributes: device, then peers, routes, SAs");
	ok(peers == 2 && routes == 3 && sas == 2, "nests decode (%d peers, %d routes, %d SAs)",
	   peers, routes, sas);
	ok(vt_nl_parse(nlh, tb) == 0 && nla_get_u16(tb[VTUN_A_LISTEN_PORT]) == 4501 &&
	   nla_get_u32(tb[VTUN_A_FWMARK]) == 0x51 &&
	   nla_get_u32(tb[VTUN_A_BIND_IFINDEX]) == 1 &&
	   nla_get_u8(tb[VTUN_A_OUTER_TTL]) == 33 &&
	   nla_get_u8(tb[VTUN_A_OUTER_DSCP]) == 10, "device attributes");
	explicit_bzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
	vt_conf_free(&c);
}

/* Thousands of peers fit one request: the size bound holds. */
static void test_big_request(void)
{
	char *text = NULL, key[PATH_MAX];
	size_t len = 0;
	struct vt_conf c;
	struct vt_err e = { "" };
	struct nl_msg *msg;
	FILE *f = open_memstream(&text, &len);
	int i;

	snprintf(key, sizeof(key), "%s/b.key", tmpdir);
	for (i = 1; i <= 2000; i++) {
		fprintf(f, "[Peer]\nId = %d\nEndpoint = [2001:db8::%x]:4500\nKeepalive = 25\n"
			"PinEndpoint = yes\nRoute = fd%02x:%x::/64, 10.%d.%d.0/24\n",
			i, i, i >> 8, i & 255, i >> 8, i & 255);
		if (i <= 20)
			fprintf(f, "[SA]\nDir = in\nSpi = %d\nKey = @%s\nReplayWindow = 64\n"
				"Limit = time-soft 1, time-hard 2, time-use-soft 3, time-use-hard 4, "
				"byte-soft 5, byte-hard 6, packet-soft 7, packet-hard 8\n",
				1000 + i, key);
	}
	fclose(f);
	ok(!parse(text, &c, &e), "2000 peers, 4000 routes, 20 SAs parse (%s)", e.msg);
	msg = nlmsg_alloc_size(vt_setconf_size(&c));
	ok(msg && genlmsg_put(msg, 0, 0, 0x20, 0, 0, VTUN_CMD_DEV_SETCONF,
			      VTUN_GENL_VERSION) && !vt_conf_put(msg, &c),
	   "request of %u bytes fits the %zu computed", msg ? nlmsg_hdr(msg)->nlmsg_len : 0,
	   vt_setconf_size(&c));
	nlmsg_free(msg);
	vt_conf_free(&c);
	free(text);
}

/* ---- showconf ---- */

static void build_dev(struct vt_dev *dev)
{
	struct vt_peer *p;
	struct vt_route *r;
	struct vt_sa *sa;

	memset(dev, 0, sizeof(*dev));
	strcpy(dev->ifname, "vtun0");
	dev->has_listen_port = true;
	dev->listen_port = 4500;
	dev->fwmark = 0x51;
	dev->bind_ifindex = 1;
	strcpy(dev->bind_dev, "lo");
	dev->ttl = 64;
	dev->has_dscp = true;
	dev->dscp = 46;

	p = vt_array_push(&dev->peers, sizeof(*p));
	p->id = 1;
	vt_parse_endpoint("192.0.2.2:4500", &p->endpoint, &(struct vt_err){ "" });
	p->has_endpoint = true;
	p->keepalive = 25;
	p->flags = VTUN_PEER_F_PIN_ENDPOINT;
	p = vt_array_push(&dev->peers, sizeof(*p));
	p->id = 2;

	r = vt_array_push(&dev->routes, sizeof(*r));
	r->peer_id = 1;
	vt_parse_prefix("fd02::/64", &r->prefix, &(struct vt_err){ "" });
	r = vt_array_push(&dev->routes, sizeof(*r));
	r->peer_id = 1;
	vt_parse_prefix("10.2.0.0/16", &r->prefix, &(struct vt_err){ "" });

	sa = vt_array_push(&dev->sas, sizeof(*sa));
	sa->peer_id = 1;
	sa->dir = VTUN_DIR_IN;
	sa->spi = 0x2000;
	strcpy(sa->alg, VTUN_ALG_AES_GCM);
	sa->icv_bits = 128;
	sa->has_replay_window = true;
	sa->replay_window = 64;
	snprintf(sa->key_ref, sizeof(sa->key_ref), "%s/b.key", realdir);
	sa = vt_array_push(&dev->sas, sizeof(*sa));
	sa->peer_id = 1;
	sa->dir = VTUN_DIR_OUT;
	sa->spi = 0x1000;
	strcpy(sa->alg, VTUN_ALG_AES_GCM);
	sa->icv_bits = 96;
	sa->flags = VTUN_SA_F_ESN;
	sa->has_lifetime = true;
	sa->lifetime.val[VTUN_LIFETIME_A_SOFT_ADD_SECS] = 3600;
	sa->lifetime.val[VTUN_LIFETIME_A_HARD_ADD_SECS] = 3900;
	sa = vt_array_push(&dev->sas, sizeof(*sa));
	sa->peer_id = 2;
	sa->dir = VTUN_DIR_OUT;
	sa->spi = 0x3000;
	sa->icv_bits = 64;
	vt_dev_sort(dev);
}

static const char want_conf[] =
	"[Device]\n"
	"ListenPort = 4500\n"
	"FwMark = 0x51\n"
	"BindDevice = lo\n"
	"Ttl = 64\n"
	"Dscp = 46\n"
	"\n[Peer]\n"
	"Id = 1\n"
	"Endpoint = 192.0.2.2:4500\n"
	"Keepalive = 25\n"
	"PinEndpoint = yes\n"
	"Route = 10.2.0.0/16, fd02::/64\n"
	"\n[SA]\n"
	"Dir = out\n"
	"Spi = 0x00001000\n"
	"Aead = rfc4106(gcm(aes))\n"
	"%s"
	"IcvBits = 96\n"
	"Esn = yes\n"
	"Limit = time-soft 3600, time-hard 3900\n"
	"\n[SA]\n"
	"Dir = in\n"
	"Spi = 0x00002000\n"
	"Aead = rfc4106(gcm(aes))\n"
	"%s"
	"IcvBits = 128\n"
	"ReplayWindow = 64\n"
	"\n[Peer]\n"
	"Id = 2\n"
	"\n[SA]\n"
	"Dir = out\n"
	"Spi = 0x00003000\n"
	"Aead = rfc4106(gcm(aes))\n"
	"%s"
	"IcvBits = 64\n";

static char *print_conf(const struct vt_dev *dev, bool key_paths)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vt_conf_print(f, dev, key_paths);
	fclose(f);
	return buf;
}

static void test_showconf(void)
{
	char want[8192], keyline[PATH_MAX + 16];
	struct vt_dev dev;
	struct vt_conf c;
	struct vt_err e = { "" };
	char *text;

	build_dev(&dev);
	text = print_conf(&dev, false);
	snprintf(want, sizeof(want), want_conf, "", "", "");
	is_str(text, want, "showconf without key paths");
	ok(parse(text, &c, &e) == -1 && strstr(e.msg, "[SA] without Key"),
	   "... which cannot be applied: no keys");
	vt_conf_free(&c);
	free(text);

	text = print_conf(&dev, true);
	snprintf(keyline, sizeof(keyline), "Key = @%s/b.key\n", realdir);
	snprintf(want, sizeof(want), want_conf, "# key not recorded\n", keyline,
		 "# key not recorded\n");
	is_str(text, want, "showconf --key-paths");
	free(text);

	/* all keys recorded: the output parses back to the same thing */
	snprintf(((struct vt_sa *)dev.sas.items)[0].key_ref, VT_KEY_REF_MAX + 1,
		 "%s/a.key", realdir);
	snprintf(((struct vt_sa *)dev.sas.items)[2].key_ref, VT_KEY_REF_MAX + 1,
		 "%s/b.key", realdir);
	text = print_conf(&dev, true);
	if (ok(!parse(text, &c, &e), "showconf --key-paths parses back (%s)", e.msg)) {
		const struct vt_conf_sa *sas = c.sas.items;

		ok(c.listen_port == 4500 && c.fwmark == 0x51 && c.bind_ifindex == 1 &&
		   c.ttl == 64 && c.dscp == 46 &&
		   c.peers.n == 2 && c.routes.n == 2 && c.sas.n == 3 &&
		   sas[0].cfg.icv_bits == 96 && sas[0].cfg.esn &&
		   sas[0].cfg.lifetime.val[VTUN_LIFETIME_A_HARD_ADD_SECS] == 3900 &&
		   sas[1].cfg.replay_window == 64 && sas[2].cfg.peer_id == 2,
		   "round trip: the same configuration");
	}
	vt_conf_free(&c);
	free(text);
	vt_dev_free(&dev);
}

static void cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		printf("# could not remove %s\n", tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir) || !(realdir = realpath(tmpdir, NULL))) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	write_file("a.key", KEY20 "\n", 0600);
	write_file("b.key", KEY36 "\n", 0400);
	write_file("open.key", KEY20 "\n", 0644);
	write_file("short.key", "0x0102\n", 0600);
	test_full();
	test_minimal();
	test_errors();
	test_nul_byte();
	test_request();
	test_big_request();
	test_showconf();
	cleanup();
	free(realdir);
	return done_testing();
}
