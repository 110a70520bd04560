/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink layer: one generic netlink socket resolved to the "vtun"
 * family, and one call that sends a request, feeds each reply to a handler
 * and waits for the ACK or the end of the dump. Every failure is reported
 * here, on one line, with the kernel's extack message when it gave one.
 */
#ifndef VTUNCTL_NL_H
#define VTUNCTL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/vtun.h>

struct nl_sock;
struct nl_msg;
struct nlattr;
struct nlmsghdr;

struct vt_nl {
	struct nl_sock *sk;
	int family;
	bool shared;		/* the batch's socket: vt_nl_close() keeps it */
};

/* Gets the top-level attributes of one reply; returns 0 or -errno. */
typedef int (*vt_nl_handler)(struct nlattr **tb, void *arg);

struct vt_nl_req {
	uint8_t cmd;
	bool dump;
	const char *what;	/* "peer add": context when there is no extack */
	const char *ifname;	/* the device, by name ... */
	uint32_t ifindex;	/* ... or, if ifname is NULL, by index */
	/* adds the command's own attributes; returns 0 or -ENOMEM */
	int (*fill)(struct nl_msg *msg, const void *arg);
	const void *fill_arg;
	vt_nl_handler handler;	/* NULL: replies are not expected */
	void *handler_arg;
	size_t size;		/* room the request needs, 0: the default */
};

/* Both return 0, or print one line and return VT_EXIT_FAIL. Inside a
 * batch, vt_nl_open() hands out the batch's one socket.
 */
int vt_nl_open(struct vt_nl *nl);
/* The same for any family: lets the unit tests talk to "nlctrl". */
int vt_nl_open_family(struct vt_nl *nl, const char *name);
void vt_nl_close(struct vt_nl *nl);

/* Returns 0, or a negative errno after printing the reason. */
int vt_nl_run(struct vt_nl *nl, const struct vt_nl_req *req);

/* Open, run one request, close: for commands that change one thing.
 * Returns an exit code.
 */
int vt_nl_exec(const struct vt_nl_req *req);

/*
 * A batch (vtunctl -b) runs every command over one socket, opened when
 * the first command needs it. After a failed command it is closed, so the
 * next one starts clean (a failed dump may leave replies unread).
 */
void vt_nl_batch_begin(void);
void vt_nl_batch_reset(void);
void vt_nl_batch_end(void);

/* Join the "events" multicast group of the vtun family: returns 0, or
 * prints one line and returns VT_EXIT_FAIL.
 */
int vt_nl_subscribe(struct vt_nl *nl);

/* Parse a vtun message's top-level attributes: 0 or a libnl error. */
int vt_nl_parse(struct nlmsghdr *nlh, struct nlattr **tb);

#endif
