// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of event decoding and printing (vtunctl monitor): events are
 * built as the module sends them, from the same uapi header, and each is
 * checked as a line of text and as a JSON object.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "json.h"
#include "monitor.h"
#include "tap.h"

#define FAKE_FAMILY 0x20

static struct nl_msg *event(uint8_t cmd, const char *ifname)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, FAKE_FAMILY, 0, 0, cmd,
				 VTUN_GENL_VERSION)) {
		printf("Bail out! cannot build a message\n");
		exit(1);
	}
	nla_put_u32(msg, VTUN_A_IFINDEX, 7);
	if (ifname)
		nla_put_string(msg, VTUN_A_IFNAME, ifname);
	return msg;
}

static void put_endpoint4(struct nl_msg *msg, const char *addr, uint16_t port)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	nla_put(msg, VTUN_PEER_A_ENDPOINT_ADDR4, sizeof(a), &a);
	nla_put_u16(msg, VTUN_PEER_A_ENDPOINT_PORT, port);
}

static struct nl_msg *peer_event(uint8_t cmd)
{
	struct nl_msg *msg = event(cmd, "vtun0");
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_PEER);
	struct nlattr *stats;

	nla_put_u32(msg, VTUN_PEER_A_ID, 1);
	put_endpoint4(msg, "192.0.2.2", 4500);
	nla_put_u16(msg, VTUN_PEER_A_KEEPALIVE, cmd == VTUN_CMD_PEER_NEW ? 25 : 0);
	nla_put_u32(msg, VTUN_PEER_A_FLAGS,
		    cmd == VTUN_CMD_PEER_SET ? VTUN_PEER_F_PIN_ENDPOINT : 0);
	stats = nla_nest_start(msg, VTUN_PEER_A_STATS);
	nla_put_u64(msg, VTUN_STAT_RX_PACKETS, 3);
	nla_nest_end(msg, stats);
	nla_nest_end(msg, nest);
	return msg;
}

static struct nl_msg *route_event(uint8_t cmd)
{
	struct nl_msg *msg = event(cmd, "vtun0");
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_ROUTE);
	struct in6_addr a;

	inet_pton(AF_INET6, "fd02::", &a);
	nla_put_u32(msg, VTUN_ROUTE_A_PEER_ID, 1);
	nla_put_u16(msg, VTUN_ROUTE_A_FAMILY, AF_INET6);
	nla_put(msg, VTUN_ROUTE_A_ADDR, sizeof(a), &a);
	nla_put_u8(msg, VTUN_ROUTE_A_PREFIXLEN, 64);
	nla_nest_end(msg, nest);
	return msg;
}

static struct nl_msg *sa_event(uint8_t cmd)
{
	struct nl_msg *msg = event(cmd, "vtun0");
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_SA);
	struct nlattr *lt, *stats;

	nla_put_u32(msg, VTUN_SA_A_PEER_ID, 1);
	nla_put_u8(msg, VTUN_SA_A_DIR, VTUN_DIR_OUT);
	nla_put_u32(msg, VTUN_SA_A_SPI, 0x1000);
	nla_put_string(msg, VTUN_SA_A_ALG, VTUN_ALG_AES_GCM);
	nla_put_u16(msg, VTUN_SA_A_ICV_BITS, 128);
	nla_put_u16(msg, VTUN_SA_A_KEY_BITS, 256);
	nla_put_u32(msg, VTUN_SA_A_FLAGS, VTUN_SA_F_ESN);
	nla_put_u64(msg, VTUN_SA_A_SEQ, 0);
	nla_put_string(msg, VTUN_SA_A_KEY_REF, "/etc/vtun/b.out");
	lt = nla_nest_start(msg, VTUN_SA_A_LIFETIME);
	for (int t = VTUN_LIFETIME_A_SOFT_BYTES; t <= VTUN_LIFETIME_A_MAX; t++)
		nla_put_u64(msg, t, t == VTUN_LIFETIME_A_SOFT_PACKETS ? 5 :
				    t == VTUN_LIFETIME_A_HARD_PACKETS ? 10 : 0);
	nla_nest_end(msg, lt);
	nla_put_u64(msg, VTUN_SA_A_ADD_SECS, 0);
	stats = nla_nest_start(msg, VTUN_SA_A_STATS);
	nla_put_u64(msg, VTUN_STAT_TX_PACKETS, 0);
	nla_nest_end(msg, stats);
	nla_nest_end(msg, nest);
	return msg;
}

static struct nl_msg *endpoint_event(void)
{
	struct nl_msg *msg = event(VTUN_CMD_PEER_ENDPOINT_NTF, "vtun0");
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_PEER);

	nla_put_u32(msg, VTUN_PEER_A_ID, 1);
	put_endpoint4(msg, "192.0.2.100", 30012);
	nla_nest_end(msg, nest);
	return msg;
}

static struct nl_msg *expire_event(uint8_t kind, uint8_t reason)
{
	struct nl_msg *msg = event(VTUN_CMD_SA_EXPIRE_NTF, "vtun0");
	struct nlattr *nest = nla_nest_start(msg, VTUN_A_SA);
	struct nlattr *stats;

	nla_put_u32(msg, VTUN_SA_A_PEER_ID, 1);
	nla_put_u8(msg, VTUN_SA_A_DIR, VTUN_DIR_OUT);
	nla_put_u32(msg, VTUN_SA_A_SPI, 0x1000);
	nla_put_u8(msg, VTUN_SA_A_EXPIRE, kind);
	nla_put_u8(msg, VTUN_SA_A_EXPIRE_REASON, reason);
	stats = nla_nest_start(msg, VTUN_SA_A_STATS);
	nla_put_u64(msg, VTUN_STAT_TX_PACKETS, 10);
	nla_put_u64(msg, VTUN_STAT_TX_BYTES, 840);
	nla_nest_end(msg, stats);
	nla_nest_end(msg, nest);
	return msg;
}

/* Decode @msg (freed) and check its text line and JSON object. */
static void event_is(struct nl_msg *msg, const char *text, const char *json)
{
	int n = strcspn(text, "\n");	/* test names are one line */
	struct vt_event ev;
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	rc = vt_event_decode(nlmsg_hdr(msg), &ev);
	nlmsg_free(msg);
	if (!ok(rc == 0, "decode: %.*s", n, text))
		return;
	f = open_memstream(&buf, &len);
	vt_event_print(f, &ev);
	fclose(f);
	is_str(buf, text, "text: %.*s", n, text);
	free(buf);

	if (!json)
		return;
	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init(&j, f, false);
	vt_event_json(&j, &ev);
	json_finish(&j);
	fclose(f);
	is_str(buf, json, "JSON: %.*s", n, text);
	free(buf);
}

#define PEER_JSON(ka, pin) \
	"{\"id\":1,\"endpoint\":\"192.0.2.2:4500\",\"keepalive\":" ka \
	",\"pin_endpoint\":" pin ",\"last_rx_msecs\":null,\"stats\":{\"rx_packets\":3}}"

static void test_config_events(void)
{
	event_is(peer_event(VTUN_CMD_PEER_NEW),
		 "vtun0: peer add 1 endpoint 192.0.2.2:4500 keepalive 25s\n",
		 "{\"event\":\"peer_add\",\"ifname\":\"vtun0\",\"ifindex\":7,\"peer\":"
		 PEER_JSON("25", "false") "}\n");
	event_is(peer_event(VTUN_CMD_PEER_SET),
		 "vtun0: peer set 1 endpoint 192.0.2.2:4500 keepalive off pin-endpoint\n",
		 "{\"event\":\"peer_set\",\"ifname\":\"vtun0\",\"ifindex\":7,\"peer\":"
		 PEER_JSON("0", "true") "}\n");
	event_is(peer_event(VTUN_CMD_PEER_DEL),
		 "vtun0: peer del 1\n",
		 "{\"event\":\"peer_del\",\"ifname\":\"vtun0\",\"ifindex\":7,\"peer\":"
		 PEER_JSON("0", "false") "}\n");
	event_is(route_event(VTUN_CMD_ROUTE_NEW),
		 "vtun0: route add fd02::/64 peer 1\n",
		 "{\"event\":\"route_add\",\"ifname\":\"vtun0\",\"ifindex\":7,"
		 "\"route\":{\"peer_id\":1,\"prefix\":\"fd02::/64\"}}\n");
	event_is(route_event(VTUN_CMD_ROUTE_DEL),
		 "vtun0: route del fd02::/64 peer 1\n",
		 "{\"event\":\"route_del\",\"ifname\":\"vtun0\",\"ifindex\":7,"
		 "\"route\":{\"peer_id\":1,\"prefix\":\"fd02::/64\"}}\n");
	event_is(sa_event(VTUN_CMD_SA_NEW),
		 "vtun0: sa add spi 0x00001000 dir out peer 1 rfc4106(gcm(aes)) 256-bit "
		 "icv 128 esn seq 0 limit packet-soft 5 packet-hard 10\n",
		 "{\"event\":\"sa_add\",\"ifname\":\"vtun0\",\"ifindex\":7,\"sa\":{"
		 "\"peer_id\":1,\"spi\":4096,\"dir\":\"out\",\"alg\":\"rfc4106(gcm(aes))\","
		 "\"key_bits\":256,\"icv_bits\":128,\"esn\":true,\"replay_window\":null,"
		 "\"seq\":0,\"active\":false,\"lifetime\":{\"soft_bytes\":0,\"hard_bytes\":0,"
		 "\"soft_packets\":5,\"hard_packets\":10,\"soft_add_secs\":0,"
		 "\"hard_add_secs\":0,\"soft_use_secs\":0,\"hard_use_secs\":0},"
		 "\"add_secs\":0,\"use_secs\":null,\"expire\":null,"
		 "\"key_ref\":\"/etc/vtun/b.out\",\"stats\":{\"tx_packets\":0}}}\n");
	event_is(sa_event(VTUN_CMD_SA_DEL),
		 "vtun0: sa del spi 0x00001000 dir out peer 1\n",
		 NULL);
}

static void test_kernel_events(void)
{
	event_is(endpoint_event(),
		 "vtun0: peer 1 endpoint 192.0.2.100:30012\n",
		 "{\"event\":\"peer_endpoint\",\"ifname\":\"vtun0\",\"ifindex\":7,"
		 "\"peer\":{\"id\":1,\"endpoint\":\"192.0.2.100:30012\"}}\n");
	event_is(expire_event(VTUN_SA_EXPIRE_SOFT, VTUN_SA_EXPIRE_PACKETS),
		 "vtun0: sa expire soft (packets) spi 0x00001000 dir out peer 1\n",
		 "{\"event\":\"sa_expire\",\"ifname\":\"vtun0\",\"ifindex\":7,\"sa\":{"
		 "\"peer_id\":1,\"spi\":4096,\"dir\":\"out\",\"expire\":\"soft\","
		 "\"reason\":\"packets\",\"stats\":{\"tx_packets\":10,\"tx_bytes\":840}}}\n");
	event_is(expire_event(VTUN_SA_EXPIRE_HARD, VTUN_SA_EXPIRE_SEQ_EXHAUSTED),
		 "vtun0: sa expire hard (seq-exhausted) spi 0x00001000 dir out peer 1\n",
		 "{\"event\":\"sa_expire\",\"ifname\":\"vtun0\",\"ifindex\":7,\"sa\":{"
		 "\"peer_id\":1,\"spi\":4096,\"dir\":\"out\",\"expire\":\"hard\","
		 "\"reason\":\"seq_exhausted\",\"stats\":{\"tx_packets\":10,\"tx_bytes\":840}}}\n");
	event_is(expire_event(VTUN_SA_EXPIRE_HARD, VTUN_SA_EXPIRE_ADD_TIME),
		 "vtun0: sa expire hard (add-time) spi 0x00001000 dir out peer 1\n", NULL);
	event_is(expire_event(VTUN_SA_EXPIRE_SOFT, VTUN_SA_EXPIRE_USE_TIME),
		 "vtun0: sa expire soft (use-time) spi 0x00001000 dir out peer 1\n", NULL);
	event_is(expire_event(VTUN_SA_EXPIRE_SOFT, VTUN_SA_EXPIRE_BYTES),
		 "vtun0: sa expire soft (bytes) spi 0x00001000 dir out peer 1\n", NULL);
	/* values from a newer module */
	event_is(expire_event(9, 99),
		 "vtun0: sa expire ? (?) spi 0x00001000 dir out peer 1\n",
		 "{\"event\":\"sa_expire\",\"ifname\":\"vtun0\",\"ifindex\":7,\"sa\":{"
		 "\"peer_id\":1,\"spi\":4096,\"dir\":\"out\",\"expire\":null,"
		 "\"reason\":null,\"stats\":{\"tx_packets\":10,\"tx_bytes\":840}}}\n");
	event_is(event(VTUN_CMD_DEV_SETCONF, "vtun0"),
		 "vtun0: setconf\n",
		 "{\"event\":\"setconf\",\"ifname\":\"vtun0\",\"ifindex\":7}\n");
	event_is(event(200, "vtun0"),
		 "vtun0: event 200\n",
		 "{\"event\":\"unknown\",\"ifname\":\"vtun0\",\"ifindex\":7,\"cmd\":200}\n");
	event_is(event(200, NULL),
		 "if7: event 200\n",
		 "{\"event\":\"unknown\",\"ifname\":null,\"ifindex\":7,\"cmd\":200}\n");
}

static void malformed(struct nl_msg *msg, const char *what)
{
	struct vt_event ev;

	ok(vt_event_decode(nlmsg_hdr(msg), &ev) == -EBADMSG, "%s: -EBADMSG", what);
	nlmsg_free(msg);
}

static void test_malformed(void)
{
	struct nl_msg *msg;
	struct nlattr *nest, *lt;

	msg = nlmsg_alloc();
	nlmsg_put(msg, 0, 0, FAKE_FAMILY, 0, 0);
	malformed(msg, "no generic netlink header");

	msg = nlmsg_alloc();
	genlmsg_put(msg, 0, 0, FAKE_FAMILY, 0, 0, VTUN_CMD_PEER_NEW, 1);
	malformed(msg, "no device");

	malformed(event(VTUN_CMD_PEER_NEW, "vtun0"), "peer event without a peer");
	malformed(event(VTUN_CMD_SA_EXPIRE_NTF, "vtun0"), "expiry without an SA");

	msg = event(VTUN_CMD_ROUTE_NEW, "vtun0");
	nest = nla_nest_start(msg, VTUN_A_ROUTE);
	nla_put_u32(msg, VTUN_ROUTE_A_PEER_ID, 1);
	nla_nest_end(msg, nest);
	malformed(msg, "route without a prefix");

	msg = event(VTUN_CMD_SA_EXPIRE_NTF, "vtun0");
	nest = nla_nest_start(msg, VTUN_A_SA);
	nla_put_u32(msg, VTUN_SA_A_PEER_ID, 1);
	nla_put_u8(msg, VTUN_SA_A_DIR, VTUN_DIR_OUT);
	nla_put_u8(msg, VTUN_SA_A_EXPIRE, VTUN_SA_EXPIRE_HARD);
	nla_nest_end(msg, nest);
	malformed(msg, "expiry without an SPI");

	msg = event(VTUN_CMD_SA_NEW, "vtun0");
	nest = nla_nest_start(msg, VTUN_A_SA);
	nla_put_u32(msg, VTUN_SA_A_PEER_ID, 1);
	nla_put_u8(msg, VTUN_SA_A_DIR, VTUN_DIR_OUT);
	nla_put_u32(msg, VTUN_SA_A_SPI, 0x1000);
	lt = nla_nest_start(msg, VTUN_SA_A_LIFETIME);
	nla_put_u32(msg, VTUN_LIFETIME_A_HARD_BYTES, 1);	/* u64 expected */
	nla_nest_end(msg, lt);
	nla_nest_end(msg, nest);
	malformed(msg, "a limit of the wrong size");

	msg = event(VTUN_CMD_SA_NEW, "vtun0");
	nest = nla_nest_start(msg, VTUN_A_SA);
	nla_put_u32(msg, VTUN_SA_A_PEER_ID, 1);
	nla_put_u8(msg, VTUN_SA_A_DIR, VTUN_DIR_OUT);
	nla_put_u32(msg, VTUN_SA_A_SPI, 0x1000);
	nla_put(msg, VTUN_SA_A_KEY_REF, 3, "abc");	/* no NUL */
	nla_nest_end(msg, nest);
	malformed(msg, "key ref without its NUL");
}

int main(void)
{
	test_config_events();
	test_kernel_events();
	test_malformed();
	return done_testing();
}
