// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tools/vtunctl/nl.c against the running kernel, without the
 * vtun module: the generic netlink controller ("nlctrl") answers requests,
 * refuses bad ones with extended ACKs and ends dumps like vtun does, so the
 * request/ACK/dump/extack paths are exercised on any host.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "nl.h"
#include "output.h"
#include "tap.h"

/* ---- stderr capture: vt_nl_* report failures there ---- */

static FILE *capture_file;
static int saved_stderr = -1;
static char captured[4096];

static void capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_stderr = dup(2);
	if (!capture_file || saved_stderr < 0 || dup2(fileno(capture_file), 2) < 0) {
		printf("Bail out! cannot capture stderr\n");
		exit(1);
	}
}

static const char *capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(capture_file);
	n = fread(captured, 1, sizeof(captured) - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	return captured;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- requests to nlctrl ---- */

struct name_arg {
	int attr;
	const void *data;
	int len;
};

static int fill_attr(struct nl_msg *msg, const void *arg)
{
	const struct name_arg *a = arg;

	return nla_put(msg, a->attr, a->len, a->data);
}

static int count_replies(struct nlattr **tb, void *arg)
{
	(void)tb;
	++*(int *)arg;
	return 0;
}

static int fail_handler(struct nlattr **tb, void *arg)
{
	(void)tb;
	++*(int *)arg;
	return -ENOMEM;
}

static int getfamily(struct vt_nl *nl, const struct name_arg *attr, bool dump,
		     vt_nl_handler handler, int *replies)
{
	struct vt_nl_req req = {
		.cmd = CTRL_CMD_GETFAMILY,
		.dump = dump,
		.what = "getfamily",
		.fill = attr ? fill_attr : NULL,
		.fill_arg = attr,
		.handler = handler,
		.handler_arg = replies,
	};

	*replies = 0;
	return vt_nl_run(nl, &req);
}

static void test_do_with_reply(struct vt_nl *nl)
{
	const struct name_arg name = { CTRL_ATTR_FAMILY_NAME, "nlctrl", 7 };
	const char *err;
	int n, rc;

	capture_begin();
	rc = getfamily(nl, &name, false, count_replies, &n);
	err = capture_end();
	ok(rc == 0 && n == 1, "request: one reply, then the ACK (rc %d, %d replies)", rc, n);
	is_str(err, "", "request: nothing on stderr");
}

static void test_error_without_extack(struct vt_nl *nl)
{
	const struct name_arg name = { CTRL_ATTR_FAMILY_NAME, "vtun-no-such", 13 };
	const char *err;
	int n, rc;

	capture_begin();
	rc = getfamily(nl, &name, false, count_replies, &n);
	err = capture_end();
	ok(rc == -ENOENT && n == 0, "unknown family: -ENOENT (rc %d)", rc);
	ok(!strncmp(err, "vtunctl: ", 9) && strstr(err, "No such file or directory") &&
	   count_lines(err) == 1, "unknown family: one line with strerror");
	printf("# stderr: %s", err);
}

static void test_error_with_extack(struct vt_nl *nl)
{
	/* CTRL_ATTR_FAMILY_ID is a u16: one byte fails policy validation */
	const struct name_arg id = { CTRL_ATTR_FAMILY_ID, "x", 1 };
	const char *err;
	int n, rc;

	capture_begin();
	rc = getfamily(nl, &id, false, count_replies, &n);
	err = capture_end();
	ok(rc < 0 && n == 0, "malformed request refused (rc %d)", rc);
	/* "attribute" comes from the kernel's extack text; our fallback for
	 * a bare errno would be "getfamily: <strerror>".
	 */
	ok(!strncmp(err, "vtunctl: ", 9) && strstr(err, "ttribute") &&
	   !strstr(err, "getfamily") && count_lines(err) == 1,
	   "extack message reported on one line");
	printf("# stderr: %s", err);
}

static void test_unknown_command(struct vt_nl *nl)
{
	struct vt_nl_req req = { .cmd = 250, .what = "frobnicate" };
	const char *err;
	int rc;

	capture_begin();
	rc = vt_nl_run(nl, &req);
	err = capture_end();
	ok(rc == -EOPNOTSUPP, "unknown command: -EOPNOTSUPP (rc %d)", rc);
	is_str(err, "vtunctl: frobnicate: not supported by the loaded vtun module\n",
	       "unknown command message");
}

static void test_dump(struct vt_nl *nl)
{
	const char *err;
	int n, rc;

	capture_begin();
	rc = getfamily(nl, NULL, true, count_replies, &n);
	err = capture_end();
	ok(rc == 0 && n >= 1, "dump: %d replies, ended by NLMSG_DONE (rc %d)", n, rc);
	is_str(err, "", "dump: nothing on stderr");
}

static void test_handler_failure(void)
{
	struct vt_nl nl;
	const char *err;
	int n, rc;

	/* a fresh socket: a failed request leaves the rest of a dump unread */
	if (vt_nl_open_family(&nl, "nlctrl")) {
		ok(0, "reopen nlctrl");
		return;
	}
	capture_begin();
	rc = getfamily(&nl, NULL, true, fail_handler, &n);
	err = capture_end();
	vt_nl_close(&nl);
	ok(rc == -ENOMEM && n == 1, "handler error stops the dump (rc %d, %d calls)", rc, n);
	is_str(err, "vtunctl: getfamily: Cannot allocate memory\n",
	       "handler error message");
}

static void test_missing_family(void)
{
	struct vt_nl nl;
	const char *err;
	int rc;

	capture_begin();
	rc = vt_nl_open(&nl);
	err = capture_end();
	if (!rc) {
		vt_nl_close(&nl);
		printf("ok %d - vtun family absent # SKIP the vtun module is loaded\n",
		       ++tap_count);
		return;
	}
	ok(rc == VT_EXIT_FAIL, "vt_nl_open without the module fails");
	is_str(err, "vtunctl: vtun module not loaded (modprobe vtun)\n",
	       "module-not-loaded message");
	capture_begin();
	rc = vt_nl_open_family(&nl, "vtun-no-such");
	err = capture_end();
	ok(rc == VT_EXIT_FAIL && strstr(err, "family vtun-no-such") &&
	   count_lines(err) == 1, "other missing family: one line");
}

int main(void)
{
	struct vt_nl nl;

	capture_begin();
	if (vt_nl_open_family(&nl, "nlctrl")) {
		printf("1..0 # SKIP no generic netlink here: %s", capture_end());
		return 0;
	}
	capture_end();
	test_do_with_reply(&nl);
	test_error_without_extack(&nl);
	test_error_with_extack(&nl);
	test_unknown_command(&nl);
	test_dump(&nl);
	vt_nl_close(&nl);
	test_handler_failure();
	test_missing_family();
	return done_testing();
}
