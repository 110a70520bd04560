// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl monitor [DEV] [-j]: listen to the family's "events" multicast
 * group and print each event as it comes, one line (or one JSON object)
 * each, flushed at once so that scripts can follow along.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "cli.h"
#include "json.h"
#include "monitor.h"
#include "nl.h"
#include "output.h"

/* Events are small (a page at most); a datagram never holds more. */
#define VT_EVENT_BUF	65536
/* Room for bursts (a setconf of many peers) before events are lost. */
#define VT_EVENT_RCVBUF	(4 << 20)

void vt_usage_monitor(FILE *f)
{
	fputs("Usage: vtunctl monitor [DEV] [-j|--json] [-p|--pretty]\n"
	      "Prints every event of the vtun devices in this namespace (of DEV only, by\n"
	      "name) as it happens, one line each, or one JSON object per line with -j:\n"
	      "peers, routes and SAs added, changed or deleted, a peer's endpoint moving\n"
	      "(roaming), SAs reaching a soft or hard lifetime, a whole configuration\n"
	      "replaced by setconf (dump it again). Runs until interrupted\n"
	      "(SIGINT, SIGTERM: exit 0). Needs CAP_NET_ADMIN.\n", f);
}

/* ---- decoding ---- */

static const struct {
	uint8_t cmd;
	const char *text;	/* "peer add" */
	const char *json;	/* "peer_add" */
} vt_event_names[] = {
	{ VTUN_CMD_PEER_NEW,		"peer add",	"peer_add" },
	{ VTUN_CMD_PEER_SET,		"peer set",	"peer_set" },
	{ VTUN_CMD_PEER_DEL,		"peer del",	"peer_del" },
	{ VTUN_CMD_ROUTE_NEW,		"route add",	"route_add" },
	{ VTUN_CMD_ROUTE_DEL,		"route del",	"route_del" },
	{ VTUN_CMD_SA_NEW,		"sa add",	"sa_add" },
	{ VTUN_CMD_SA_DEL,		"sa del",	"sa_del" },
	{ VTUN_CMD_PEER_ENDPOINT_NTF,	"peer endpoint", "peer_endpoint" },
	{ VTUN_CMD_SA_EXPIRE_NTF,	"sa expire",	"sa_expire" },
	{ VTUN_CMD_DEV_SETCONF,		"setconf",	"setconf" },
};

#define N_EVENTS (sizeof(vt_event_names) / sizeof(vt_event_names[0]))

static int event_index(uint8_t cmd)
{
	size_t i;

	for (i = 0; i < N_EVENTS; i++)
		if (vt_event_names[i].cmd == cmd)
			return i;
	return -1;
}

int vt_event_decode(struct nlmsghdr *nlh, struct vt_event *ev)
{
	struct nlattr *tb[VTUN_A_MAX + 1];
	struct genlmsghdr *g;

	memset(ev, 0, sizeof(*ev));
	if (!genlmsg_valid_hdr(nlh, 0) || vt_nl_parse(nlh, tb) < 0 ||
	    !tb[VTUN_A_IFINDEX])
		return -EBADMSG;
	g = nlmsg_data(nlh);
	ev->cmd = g->cmd;
	ev->ifindex = nla_get_u32(tb[VTUN_A_IFINDEX]);
	if (tb[VTUN_A_IFNAME])
		snprintf(ev->ifname, sizeof(ev->ifname), "%s",
			 nla_get_string(tb[VTUN_A_IFNAME]));
	switch (ev->cmd) {
	case VTUN_CMD_PEER_NEW:
	case VTUN_CMD_PEER_SET:
	case VTUN_CMD_PEER_DEL:
	case VTUN_CMD_PEER_ENDPOINT_NTF:
		return vt_peer_from_attrs(tb, &ev->peer);
	case VTUN_CMD_ROUTE_NEW:
	case VTUN_CMD_ROUTE_DEL:
		return vt_route_from_attrs(tb, &ev->route);
	case VTUN_CMD_SA_NEW:
	case VTUN_CMD_SA_DEL:
	case VTUN_CMD_SA_EXPIRE_NTF:
		return vt_sa_from_attrs(tb, &ev->sa);
	default:
		return 0;
	}
}

/* ---- text ---- */

static void print_endpoint(FILE *f, const struct vt_peer *p)
{
	char buf[VT_ADDR_STRLEN];

	if (p->has_endpoint)
		vt_format_endpoint(&p->endpoint, buf, sizeof(buf));
	fprintf(f, " endpoint %s", p->has_endpoint ? buf : "(none)");
}

static void print_peer(FILE *f, const struct vt_event *ev)
{
	const struct vt_peer *p = &ev->peer;

	if (ev->cmd == VTUN_CMD_PEER_ENDPOINT_NTF) {
		fprintf(f, "peer %" PRIu32, p->id);
		print_endpoint(f, p);
		return;
	}
	fprintf(f, "%s %" PRIu32, vt_event_names[event_index(ev->cmd)].text,
		p->id);
	if (ev->cmd == VTUN_CMD_PEER_DEL)
		return;
	print_endpoint(f, p);
	if (p->keepalive)
		fprintf(f, " keepalive %us", p->keepalive);
	else
		fputs(" keepalive off", f);
	if (p->flags & VTUN_PEER_F_PIN_ENDPOINT)
		fputs(" pin-endpoint", f);
}

static void print_route(FILE *f, const struct vt_event *ev)
{
	char buf[VT_ADDR_STRLEN];

	vt_format_prefix(&ev->route.prefix, buf, sizeof(buf));
	fprintf(f, "%s %s peer %" PRIu32,
		vt_event_names[event_index(ev->cmd)].text, buf,
		ev->route.peer_id);
}

static void print_sa_id(FILE *f, const struct vt_sa *sa)
{
	fprintf(f, " spi 0x%08" PRIx32 " dir %s peer %" PRIu32, sa->spi,
		vt_dir_name(sa->dir), sa->peer_id);
}

static void print_sa(FILE *f, const struct vt_event *ev)
{
	const struct vt_sa *sa = &ev->sa;
	const char *kind, *reason;
	char limits[256];

	if (ev->cmd == VTUN_CMD_SA_EXPIRE_NTF) {
		kind = vt_expire_name(sa->expire);
		reason = vt_expire_reason_name(sa->expire_reason);
		fprintf(f, "sa expire %s (%s)", kind ? kind : "?",
			reason ? reason : "?");
		print_sa_id(f, sa);
		return;
	}
	fputs(vt_event_names[event_index(ev->cmd)].text, f);
	print_sa_id(f, sa);
	if (ev->cmd == VTUN_CMD_SA_DEL)
		return;
	fputc(' ', f);
	vt_sa_print_params(f, sa);
	vt_format_limits(&sa->lifetime, " ", limits, sizeof(limits));
	if (limits[0])
		fprintf(f, " limit %s", limits);
}

void vt_event_print(FILE *f, const struct vt_event *ev)
{
	if (ev->ifname[0])
		fprintf(f, "%s: ", ev->ifname);
	else
		fprintf(f, "if%" PRIu32 ": ", ev->ifindex);
	switch (ev->cmd) {
	case VTUN_CMD_PEER_NEW:
	case VTUN_CMD_PEER_SET:
	case VTUN_CMD_PEER_DEL:
	case VTUN_CMD_PEER_ENDPOINT_NTF:
		print_peer(f, ev);
		break;
	case VTUN_CMD_ROUTE_NEW:
	case VTUN_CMD_ROUTE_DEL:
		print_route(f, ev);
		break;
	case VTUN_CMD_SA_NEW:
	case VTUN_CMD_SA_DEL:
	case VTUN_CMD_SA_EXPIRE_NTF:
		print_sa(f, ev);
		break;
	case VTUN_CMD_DEV_SETCONF:
		fputs("setconf", f);	/* the whole configuration was replaced */
		break;
	default:
		fprintf(f, "event %u", ev->cmd);
		break;
	}
	fputc('\n', f);
}

/* ---- JSON ---- */

/* "add-time" in text is "add_time" in JSON. */
static void json_kv_name(struct json *j, const char *key, const char *name)
{
	char buf[32], *p;

	if (!name) {
		json_kv_null(j, key);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", name);
	for (p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
	json_kv_str(j, key, buf);
}

static void expire_json(struct json *j, const struct vt_sa *sa)
{
	json_key(j, "sa");
	json_obj_open(j);
	json_kv_u64(j, "peer_id", sa->peer_id);
	json_kv_u64(j, "spi", sa->spi);
	json_kv_str(j, "dir", vt_dir_name(sa->dir));
	json_kv_name(j, "expire", vt_expire_name(sa->expire));
	json_kv_name(j, "reason", vt_expire_reason_name(sa->expire_reason));
	vt_stats_json(j, "stats", &sa->stats);
	json_obj_close(j);
}

static void endpoint_json(struct json *j, const struct vt_peer *p)
{
	char buf[VT_ADDR_STRLEN];

	json_key(j, "peer");
	json_obj_open(j);
	json_kv_u64(j, "id", p->id);
	if (p->has_endpoint) {
		vt_format_endpoint(&p->endpoint, buf, sizeof(buf));
		json_kv_str(j, "endpoint", buf);
	} else {
		json_kv_null(j, "endpoint");
	}
	json_obj_close(j);
}

static void object_json(struct json *j, const struct vt_event *ev)
{
	switch (ev->cmd) {
	case VTUN_CMD_PEER_NEW:
	case VTUN_CMD_PEER_SET:
	case VTUN_CMD_PEER_DEL:
		json_key(j, "peer");
		json_obj_open(j);
		vt_peer_json_fields(j, &ev->peer);
		json_obj_close(j);
		break;
	case VTUN_CMD_ROUTE_NEW:
	case VTUN_CMD_ROUTE_DEL:
		json_key(j, "route");
		vt_route_json(j, &ev->route);
		break;
	case VTUN_CMD_SA_NEW:
	case VTUN_CMD_SA_DEL:
		json_key(j, "sa");
		json_obj_open(j);
		json_kv_u64(j, "peer_id", ev->sa.peer_id);
		vt_sa_json_fields(j, &ev->sa);
		json_obj_close(j);
		break;
	case VTUN_CMD_PEER_ENDPOINT_NTF:
		endpoint_json(j, &ev->peer);
		break;
	case VTUN_CMD_SA_EXPIRE_NTF:
		expire_json(j, &ev->sa);
		break;
	case VTUN_CMD_DEV_SETCONF:
		break;
	default:
		json_kv_u64(j, "cmd", ev->cmd);
		break;
	}
}

void vt_event_json(struct json *j, const struct vt_event *ev)
{
	int idx = event_index(ev->cmd);

	json_obj_open(j);
	json_kv_str(j, "event", idx >= 0 ? vt_event_names[idx].json : "unknown");
	json_kv_opt_str(j, "ifname", ev->ifname);
	json_kv_u64(j, "ifindex", ev->ifindex);
	object_json(j, ev);
	json_obj_close(j);
}

/* ---- listening ---- */

struct monitor {
	struct vt_opts o;
	const char *ifname;	/* only this device's events, or NULL */
	int family;
	char *buf;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int show_event(struct monitor *m, struct nlmsghdr *nlh)
{
	struct vt_event ev;
	struct json j;

	if (vt_event_decode(nlh, &ev)) {
		vt_warn("monitor: malformed event (command %u) skipped",
			genlmsg_valid_hdr(nlh, 0) ?
			((struct genlmsghdr *)nlmsg_data(nlh))->cmd : 0);
		return 0;
	}
	if (m->ifname && strcmp(ev.ifname, m->ifname))
		return 0;
	if (m->o.json) {
		json_init(&j, stdout, m->o.pretty);
		vt_event_json(&j, &ev);
		json_finish(&j);
	} else {
		vt_event_print(stdout, &ev);
	}
	if (fflush(stdout) || ferror(stdout))
		return vt_fail("write error: %s", strerror(errno));
	return 0;
}

/* One datagram of @len bytes from the kernel: each message in it. */
static int show_datagram(struct monitor *m, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	int rem = len, rc;

	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		if (nlh->nlmsg_type != m->family)
			continue;	/* NLMSG_NOOP, or not ours */
		rc = show_event(m, nlh);
		if (rc)
			return rc;
	}
	return 0;
}

/* Everything queued on the socket: 0, or an exit code. */
static int drain(struct monitor *m, int fd)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = m->buf, .iov_len = VT_EVENT_BUF };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;
	int rc;

	for (;;) {
		mh.msg_namelen = sizeof(from);
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0 && errno == ENOBUFS) {
			vt_warn("monitor: events were lost (receive buffer overrun)");
			continue;
		}
		if (n < 0)
			return vt_fail("monitor: netlink: %s", strerror(errno));
		if (from.nl_pid != 0)
			continue;	/* only the kernel speaks here */
		if (mh.msg_flags & MSG_TRUNC) {
			vt_warn("monitor: oversized event skipped");
			continue;
		}
		rc = show_datagram(m, n);
		if (rc)
			return rc;
	}
}

static void set_signals(void (*handler)(int), sigset_t *orig)
{
	struct sigaction sa = { .sa_handler = handler };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (handler != SIG_DFL)		/* handled only inside ppoll() */
		sigprocmask(SIG_BLOCK, &block, orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (handler == SIG_DFL)
		sigprocmask(SIG_SETMASK, orig, NULL);
}

static int listen_loop(struct monitor *m, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	sigset_t orig;
	int rc = 0;

	stop = 0;
	set_signals(on_signal, &orig);
	while (!rc && !stop) {
		/* signals are unblocked only while waiting: none is missed */
		if (ppoll(&p, 1, NULL, &orig) < 0) {
			if (errno != EINTR)
				rc = vt_fail("monitor: poll: %s", strerror(errno));
			continue;
		}
		rc = drain(m, fd);
	}
	set_signals(SIG_DFL, &orig);
	return rc;
}

static void grow_rcvbuf(int fd)
{
	int size = VT_EVENT_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

int vt_cmd_monitor(const struct vt_opts *o, struct vt_args *a)
{
	struct monitor m = { .o = *o };
	struct vt_nl nl;
	int rc;

	if (a->argc && vt_is_help(a->argv[0])) {
		vt_usage_monitor(stdout);
		return VT_EXIT_OK;
	}
	rc = vt_args_dev_opts(a, "monitor", &m.o, &m.ifname);
	if (rc)
		return rc;
	m.buf = malloc(VT_EVENT_BUF);
	if (!m.buf)
		return vt_fail("out of memory");
	/* never a batch's socket: events must not mix with its replies */
	rc = vt_nl_open_family(&nl, VTUN_GENL_NAME);
	if (!rc) {
		rc = vt_nl_subscribe(&nl);
		m.family = nl.family;
		grow_rcvbuf(nl_socket_get_fd(nl.sk));
		if (!rc)
			rc = listen_loop(&m, nl_socket_get_fd(nl.sk));
		vt_nl_close(&nl);
	}
	free(m.buf);
	return rc;
}
