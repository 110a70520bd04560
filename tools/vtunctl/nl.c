// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"
#include "output.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define VT_EXTACK_MAX 256

/* Replies are checked here once; nests are checked where they are read. */
static const struct nla_policy vt_top_policy[VTUN_A_MAX + 1] = {
	[VTUN_A_IFINDEX]	= { .type = NLA_U32 },
	[VTUN_A_IFNAME]		= { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[VTUN_A_LISTEN_PORT]	= { .type = NLA_U16 },
	[VTUN_A_FWMARK]		= { .type = NLA_U32 },
	[VTUN_A_N_PEERS]	= { .type = NLA_U32 },
	[VTUN_A_N_SAS]		= { .type = NLA_U32 },
	[VTUN_A_STATS]		= { .type = NLA_NESTED },
	[VTUN_A_PEER]		= { .type = NLA_NESTED },
	[VTUN_A_ROUTE]		= { .type = NLA_NESTED },
	[VTUN_A_SA]		= { .type = NLA_NESTED },
	[VTUN_A_BIND_IFINDEX]	= { .type = NLA_U32 },
	[VTUN_A_OUTER_TTL]	= { .type = NLA_U8 },
	[VTUN_A_OUTER_DSCP]	= { .type = NLA_U8 },
};

static const struct nla_policy vt_extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]		= { .type = NLA_STRING },
	[NLMSGERR_ATTR_OFFS]		= { .type = NLA_U32 },
	[NLMSGERR_ATTR_MISS_TYPE]	= { .type = NLA_U32 },
	[NLMSGERR_ATTR_MISS_NEST]	= { .type = NLA_U32 },
};

/* State of one request while its replies come in. */
struct vt_talk {
	const struct vt_nl_req *req;
	struct nl_msg *msg;		/* the request, to decode extack offsets */
	int err;			/* 0 or a negative errno */
	bool done;			/* ACK, error or end of dump seen */
	bool interrupted;		/* the dump raced with a change */
	char extack[VT_EXTACK_MAX];
};

int vt_nl_parse(struct nlmsghdr *nlh, struct nlattr **tb)
{
	return genlmsg_parse(nlh, 0, tb, VTUN_A_MAX, vt_top_policy);
}

int vt_nl_open_family(struct vt_nl *nl, const char *name)
{
	int one = 1, err;

	nl->shared = false;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return vt_fail("out of memory");
	err = genl_connect(nl->sk);
	if (err < 0) {
		vt_fail("cannot open a generic netlink socket: %s", nl_geterror(err));
		goto fail;
	}
	/*
	 * Extended ACKs carry the kernel's reason for a refusal. Capped ACKs
	 * stop the kernel from echoing our request back: it may hold a key.
	 * Both are best effort; without them we still get the errno.
	 */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* Resolving by name makes the kernel load the module on demand. */
	nl->family = genl_ctrl_resolve(nl->sk, name);
	if (nl->family == -NLE_OBJ_NOTFOUND && !strcmp(name, VTUN_GENL_NAME)) {
		vt_fail("vtun module not loaded (modprobe vtun)");
		goto fail;
	}
	if (nl->family < 0) {
		vt_fail("cannot look up generic netlink family %s: %s", name,
			nl_geterror(nl->family));
		goto fail;
	}
	/* Requests ask for an ACK themselves, dumps end with NLMSG_DONE. */
	nl_socket_disable_auto_ack(nl->sk);
	return 0;
fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return VT_EXIT_FAIL;
}

/* The batch's socket: in_batch while a batch runs, open once needed. */
static struct {
	bool in_batch;
	struct vt_nl nl;
} batch;

int vt_nl_open(struct vt_nl *nl)
{
	int err;

	if (!batch.in_batch)
		return vt_nl_open_family(nl, VTUN_GENL_NAME);
	if (!batch.nl.sk) {
		err = vt_nl_open_family(&batch.nl, VTUN_GENL_NAME);
		if (err)
			return err;
	}
	*nl = batch.nl;
	nl->shared = true;
	return 0;
}

void vt_nl_close(struct vt_nl *nl)
{
	if (!nl->shared)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

void vt_nl_batch_begin(void)
{
	batch.in_batch = true;
}

void vt_nl_batch_reset(void)
{
	nl_socket_free(batch.nl.sk);	/* NULL is fine */
	batch.nl.sk = NULL;
}

void vt_nl_batch_end(void)
{
	vt_nl_batch_reset();
	batch.in_batch = false;
}

int vt_nl_subscribe(struct vt_nl *nl)
{
	int grp, err;

	grp = genl_ctrl_resolve_grp(nl->sk, VTUN_GENL_NAME, VTUN_MCGRP_EVENTS);
	if (grp == -NLE_OBJ_NOTFOUND)
		return vt_fail("the loaded vtun module sends no events (no \"%s\" group)",
			       VTUN_MCGRP_EVENTS);
	if (grp < 0)
		return vt_fail("cannot look up the vtun events group: %s",
			       nl_geterror(grp));
	err = nl_socket_add_membership(nl->sk, grp);
	if (err == -NLE_PERM)
		return vt_fail("cannot listen to vtun events: %s (CAP_NET_ADMIN required)",
			       strerror(EPERM));
	if (err < 0)
		return vt_fail("cannot listen to vtun events: %s", nl_geterror(err));
	return 0;
}

/* Requests may hold key material: wipe every one before freeing it. */
static void msg_free(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	explicit_bzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

static struct nl_msg *build(const struct vt_nl *nl, const struct vt_nl_req *req)
{
	struct nl_msg *msg = req->size ? nlmsg_alloc_size(req->size)
				       : nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 req->dump ? NLM_F_DUMP : NLM_F_ACK, req->cmd,
			 VTUN_GENL_VERSION))
		goto fail;
	if (req->ifname) {
		if (nla_put_string(msg, VTUN_A_IFNAME, req->ifname) < 0)
			goto fail;
	} else if (req->ifindex) {
		if (nla_put_u32(msg, VTUN_A_IFINDEX, req->ifindex) < 0)
			goto fail;
	}
	if (req->fill && req->fill(msg, req->fill_arg) < 0)
		goto fail;
	return msg;
fail:
	msg_free(msg);
	return NULL;
}

/* Name the attribute the kernel pointed at when it gave no message. */
static void describe_offset(struct vt_talk *t, uint32_t offs)
{
	struct nlmsghdr *req = nlmsg_hdr(t->msg);
	const struct nlattr *nla;

	if (offs < NLMSG_HDRLEN || offs + NLA_HDRLEN > req->nlmsg_len) {
		snprintf(t->extack, sizeof(t->extack), "invalid attribute");
		return;
	}
	nla = (const struct nlattr *)((const char *)req + offs);
	snprintf(t->extack, sizeof(t->extack), "invalid attribute (type %u)",
		 nla->nla_type & NLA_TYPE_MASK);
}

static void copy_message(char *dst, size_t size, const char *src)
{
	char *p;

	snprintf(dst, size, "%s", src);
	for (p = dst; *p; p++)		/* one line, whatever the kernel says */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* The extack TLVs start @off bytes into @nlh (an ERROR or DONE message). */
static void parse_extack(struct vt_talk *t, struct nlmsghdr *nlh, size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, vt_extack_policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		copy_message(t->extack, sizeof(t->extack),
			     nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	else if (tb[NLMSGERR_ATTR_MISS_TYPE])
		snprintf(t->extack, sizeof(t->extack),
			 "missing attribute (type %u%s)",
			 nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]),
			 tb[NLMSGERR_ATTR_MISS_NEST] ? " in a nest" : "");
	else if (tb[NLMSGERR_ATTR_OFFS])
		describe_offset(t, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
}

/* Where the TLVs of an NLMSG_ERROR begin: after the (maybe capped) echo. */
static size_t error_tlv_offset(const struct nlmsghdr *nlh,
			       const struct nlmsgerr *e)
{
	size_t payload = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN)
		payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
	return NLMSG_HDRLEN + NLMSG_ALIGN(payload);
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us the payload; the header sits right before it */
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct vt_talk *t = arg;

	(void)who;
	t->err = e->error < 0 ? e->error : -EPROTO;
	parse_extack(t, nlh, error_tlv_offset(nlh, e));
	t->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct vt_talk *t = arg;

	/* A successful ACK may still carry a warning from the kernel. */
	parse_extack(t, nlh, error_tlv_offset(nlh, nlmsg_data(nlh)));
	if (t->extack[0])
		vt_warn("%s", t->extack);
	t->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's result: 0 or a negative errno. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct vt_talk *t = arg;
	int result = 0;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(result))
		memcpy(&result, nlmsg_data(nlh), sizeof(result));
	if (result < 0) {
		t->err = result;
		parse_extack(t, nlh, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(result)));
	}
	t->done = true;
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct vt_talk *t = arg;

	(void)msg;
	t->interrupted = true;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VTUN_A_MAX + 1];
	struct vt_talk *t = arg;
	int err;

	if (!t->req->handler)
		return NL_OK;
	err = vt_nl_parse(nlmsg_hdr(msg), tb) < 0 ? -EBADMSG
						   : t->req->handler(tb, t->req->handler_arg);
	if (!err)
		return NL_OK;
	/* Stop here; the socket is not reused after a failed request. */
	t->err = err;
	t->done = true;
	return NL_STOP;
}

static struct nl_cb *talk_callbacks(struct vt_talk *t)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, t);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, t);
	return cb;
}

static void report(const struct vt_talk *t)
{
	const struct vt_nl_req *req = t->req;
	const char *dev = req->ifname ? req->ifname : "";
	const char *sp = req->ifname ? " " : "";
	int e = -t->err;

	/* Only we know which name the operator typed: say it, extack or not. */
	if (e == ENODEV && req->ifname) {
		if (if_nametoindex(req->ifname))
			vt_fail("%s: not a vtun device", req->ifname);
		else
			vt_fail("%s: no such device", req->ifname);
		return;
	}
	if (t->extack[0]) {
		vt_fail("%s: %s", t->extack, strerror(e));
		return;
	}
	switch (e) {
	case EPERM:
		vt_fail("%s%s%s: %s (CAP_NET_ADMIN required)", req->what, sp,
			dev, strerror(e));
		return;
	case EOPNOTSUPP:
		vt_fail("%s: not supported by the loaded vtun module", req->what);
		return;
	case EBADMSG:
		vt_fail("%s%s%s: unexpected reply from the vtun module",
			req->what, sp, dev);
		return;
	}
	vt_fail("%s%s%s: %s", req->what, sp, dev, strerror(e));
}

/*
 * The kernel refuses a request larger than the socket's send buffer
 * (EMSGSIZE): make room for a big one (DEV_SETCONF of thousands of
 * peers). SO_SNDBUFFORCE passes net.core.wmem_max but needs CAP_NET_ADMIN,
 * which changing the configuration needs anyway; SO_SNDBUF is capped.
 */
static void make_room(struct vt_nl *nl, size_t len)
{
	int fd = nl_socket_get_fd(nl->sk), size = 0;
	socklen_t sl = sizeof(size);

	if (len > INT_MAX / 2 - 65536)
		return;
	if (!getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &sl) &&
	    (size_t)size >= len + 4096)
		return;
	/* the kernel doubles the value for its bookkeeping */
	size = len + 65536;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static int talk(struct vt_nl *nl, struct vt_talk *t)
{
	struct nl_cb *cb = talk_callbacks(t);
	size_t len = nlmsg_hdr(t->msg)->nlmsg_len;
	int err;

	if (!cb) {
		vt_fail("out of memory");
		return -ENOMEM;
	}
	if (len > 16384)
		make_room(nl, len);
	err = nl_send_auto(nl->sk, t->msg);
	if (err == -NLE_MSGSIZE) {
		nl_cb_put(cb);
		vt_fail("%s: request of %zu bytes too large for the netlink socket (raise net.core.wmem_max, or run as root)",
			t->req->what, len);
		return -EMSGSIZE;
	}
	while (err >= 0 && !t->done)
		err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (t->err) {
		report(t);
		return t->err;
	}
	if (err < 0 && !t->done) {
		vt_fail("%s: netlink: %s", t->req->what, nl_geterror(err));
		return -EIO;
	}
	if (t->interrupted)
		vt_warn("%s: configuration changed during the dump; output may be inconsistent",
			t->req->what);
	return 0;
}

int vt_nl_run(struct vt_nl *nl, const struct vt_nl_req *req)
{
	struct vt_talk t = { .req = req };
	int err;

	t.msg = build(nl, req);
	if (!t.msg) {
		vt_fail("%s: cannot build the request", req->what);
		return -ENOMEM;
	}
	err = talk(nl, &t);
	msg_free(t.msg);
	return err;
}

int vt_nl_exec(const struct vt_nl_req *req)
{
	struct vt_nl nl;
	int err;

	err = vt_nl_open(&nl);
	if (err)
		return err;
	err = vt_nl_run(&nl, req);
	vt_nl_close(&nl);
	return err ? VT_EXIT_FAIL : VT_EXIT_OK;
}
