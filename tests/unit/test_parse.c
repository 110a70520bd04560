// SPDX-License-Identifier: GPL-2.0
/* Unit tests of tools/vtunctl/parse.c and the formatters in output.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "parse.h"
#include "tap.h"

#define KEY20 "000102030405060708090a0b0c0d0e0f10111213"
#define KEY28 KEY20 "1415161718191a1b"
#define KEY36 KEY28 "1c1d1e1f20212223"

static char tmpdir[] = "/tmp/vtunctl-unit.XXXXXX";

/* ---- numbers ---- */

static void num_ok(const char *s, bool hex, uint64_t want)
{
	struct vt_err e = { "" };
	uint64_t v = 0;
	int rc = vt_parse_num("n", s, 0, UINT64_MAX, hex, &v, &e);

	ok(!rc && v == want, "num '%s' -> %llu", s, (unsigned long long)want);
}

static void num_bad(const char *s, uint64_t min, uint64_t max, bool hex,
		    const char *msg)
{
	struct vt_err e = { "" };
	uint64_t v = 12345;

	ok(vt_parse_num("spi", s, min, max, hex, &v, &e) == -1 && v == 12345,
	   "num '%s' rejected", s);
	has_str(e.msg, msg, "num '%s' message", s);
}

static void test_numbers(void)
{
	num_ok("0", false, 0);
	num_ok("42", false, 42);
	num_ok("010", true, 10);	/* never octal */
	num_ok("0x10", true, 16);
	num_ok("0X1f", true, 31);
	num_ok("0xFFFFFFFF", true, 0xffffffff);
	num_ok("18446744073709551615", false, UINT64_MAX);
	num_ok("0xffffffffffffffff", true, UINT64_MAX);

	num_bad("", 0, 10, true, "expected a decimal or 0x hex number");
	num_bad("-1", 0, 10, true, "expected");
	num_bad("+1", 0, 10, true, "expected");
	num_bad(" 1", 0, 10, true, "expected");
	num_bad("1 ", 0, 10, true, "expected");
	num_bad("1x", 0, 10, true, "expected");
	num_bad("0x", 0, 10, true, "expected");
	num_bad("0x0x10", 0, 100, true, "expected");
	num_bad("0x1g", 0, 100, true, "expected");
	num_bad("0x10", 0, 100, false, "expected a number");
	num_bad("18446744073709551616", 0, UINT64_MAX, false, "out of range");
	num_bad("0x10000000000000000", 0, UINT64_MAX, true, "out of range");
	num_bad("255", 256, UINT32_MAX, true, "'255' out of range (256..4294967295)");
	num_bad("0x100000000", 256, UINT32_MAX, true, "out of range");
	num_bad("65536", 0, 65535, false, "out of range");
}

/* ---- keywords ---- */

static void test_keywords(void)
{
	static const char *const cmds[] = { "show", "set", "sa", "peer", NULL };
	static const char *const dirs[] = { "in", "int", NULL };
	struct vt_err e = { "" };

	ok(vt_keyword("command", "show", cmds, &e) == 0, "keyword exact");
	ok(vt_keyword("command", "sh", cmds, &e) == 0, "keyword unique prefix");
	ok(vt_keyword("command", "sa", cmds, &e) == 2,
	   "keyword exact match wins over longer words");
	ok(vt_keyword("command", "p", cmds, &e) == 3, "keyword one letter");
	ok(vt_keyword("command", "s", cmds, &e) == -1, "keyword ambiguous");
	has_str(e.msg, "ambiguous command 's' (show, set, sa)", "ambiguous lists candidates");
	ok(vt_keyword("command", "shows", cmds, &e) == -1, "keyword longer than word");
	has_str(e.msg, "unknown command 'shows'", "unknown message");
	ok(vt_keyword("command", "", cmds, &e) == -1, "empty keyword");
	ok(vt_keyword("dir", "in", dirs, &e) == 0, "exact beats prefix of other");
	ok(vt_keyword("dir", "i", dirs, &e) == -1, "i is ambiguous");
}

/* Words after VT_KW_LATER take no abbreviation away from earlier ones. */
static void test_keyword_tiers(void)
{
	static const char *const cmds[] = {
		"show", "set", "sa", VT_KW_LATER, "showconf", "setconf", "monitor",
		"mon2", NULL,
	};
	struct vt_err e = { "" };

	ok(vt_keyword("command", "sh", cmds, &e) == 0, "sh is still show");
	ok(vt_keyword("command", "sho", cmds, &e) == 0, "sho is still show");
	ok(vt_keyword("command", "se", cmds, &e) == 1, "se is still set");
	ok(vt_keyword("command", "s", cmds, &e) == -1, "s ambiguous");
	is_str(e.msg, "ambiguous command 's' (show, set, sa)",
	       "ambiguity among the earlier words only");
	ok(vt_keyword("command", "showc", cmds, &e) == 4, "showc is showconf");
	ok(vt_keyword("command", "showconf", cmds, &e) == 4, "showconf exact");
	ok(vt_keyword("command", "setc", cmds, &e) == 5, "setc is setconf");
	ok(vt_keyword("command", "moni", cmds, &e) == 6, "moni is monitor");
	ok(vt_keyword("command", "mo", cmds, &e) == -1, "mo ambiguous among later");
	is_str(e.msg, "ambiguous command 'mo' (monitor, mon2)", "later candidates");
	ok(vt_keyword("command", "", cmds, &e) == -1, "empty word is no separator");
	has_str(e.msg, "unknown command ''", "empty word unknown");
	ok(vt_keyword("command", "x", cmds, &e) == -1, "unknown in both tiers");
}

/* ---- device names ---- */

static void test_ifnames(void)
{
	static const char *const bad[] = {
		"", "0123456789abcdef", "a/b", "a b", "a:b", "a\tb", ".", "..",
	};
	struct vt_err e;
	size_t i;

	ok(!vt_parse_ifname("vtun0", &e), "ifname vtun0");
	ok(!vt_parse_ifname("0123456789abcde", &e), "ifname of 15 characters");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(vt_parse_ifname(bad[i], &e) == -1, "ifname '%s' rejected", bad[i]);
}

/* ---- endpoints ---- */

static void endpoint_ok(const char *s, int family, uint16_t port,
			const char *formatted)
{
	struct vt_endpoint ep;
	struct vt_err e = { "" };
	char buf[VT_ADDR_STRLEN];

	if (!ok(!vt_parse_endpoint(s, &ep, &e), "endpoint '%s'", s)) {
		printf("# %s\n", e.msg);
		return;
	}
	ok(ep.addr.family == family && ep.port == port, "endpoint '%s' fields", s);
	vt_format_endpoint(&ep, buf, sizeof(buf));
	is_str(buf, formatted, "endpoint '%s' formats back", s);
}

static void endpoint_bad(const char *s, const char *msg)
{
	struct vt_endpoint ep;
	struct vt_err e = { "" };

	ok(vt_parse_endpoint(s, &ep, &e) == -1, "endpoint '%s' rejected", s);
	has_str(e.msg, msg, "endpoint '%s' message", s);
}

static void test_endpoints(void)
{
	char longstr[300];

	endpoint_ok("192.0.2.2:4500", AF_INET, 4500, "192.0.2.2:4500");
	endpoint_ok("[2001:db8::1]:4500", AF_INET6, 4500, "[2001:db8::1]:4500");
	endpoint_ok("[2001:DB8:0::1]:1", AF_INET6, 1, "[2001:db8::1]:1");
	endpoint_ok("[::ffff:192.0.2.1]:65535", AF_INET6, 65535,
		    "[::ffff:192.0.2.1]:65535");
	endpoint_ok("10.0.0.1:0x1194", AF_INET, 4500, "10.0.0.1:4500");

	endpoint_bad("192.0.2.2", "expected ADDR:PORT");
	endpoint_bad("192.0.2.2:", "endpoint port");
	endpoint_bad("192.0.2.2:0", "out of range (1..65535)");
	endpoint_bad("192.0.2.2:65536", "out of range");
	endpoint_bad("192.0.2.2:-1", "endpoint port");
	endpoint_bad("192.0.2.2:45 00", "endpoint port");
	endpoint_bad("2001:db8::1:4500", "[ADDR]:PORT");
	endpoint_bad("[2001:db8::1]4500", "expected [IPV6]:PORT");
	endpoint_bad("[2001:db8::1:4500", "expected [IPV6]:PORT");
	endpoint_bad("[192.0.2.2]:4500", "bad IPv6 address");
	endpoint_bad("[]:4500", "bad IPv6 address");
	endpoint_bad("[fe80::1%eth0]:4500", "bad IPv6 address");
	endpoint_bad(":4500", "bad IPv4 address");
	endpoint_bad("1.2.3:4500", "bad IPv4 address");
	endpoint_bad("1.2.3.256:4500", "bad IPv4 address");
	endpoint_bad("vpn.example.org:4500", "bad IPv4 address");
	memset(longstr, '1', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	longstr[250] = ':';
	endpoint_bad(longstr, "bad IPv4 address");
}

/* ---- prefixes ---- */

static void prefix_ok(const char *s, int family, unsigned int len,
		      const char *formatted)
{
	struct vt_prefix p;
	struct vt_err e = { "" };
	char buf[VT_ADDR_STRLEN];

	if (!ok(!vt_parse_prefix(s, &p, &e), "prefix '%s'", s)) {
		printf("# %s\n", e.msg);
		return;
	}
	ok(p.addr.family == family && p.len == len, "prefix '%s' fields", s);
	vt_format_prefix(&p, buf, sizeof(buf));
	is_str(buf, formatted, "prefix '%s' formats back", s);
}

static void prefix_bad(const char *s, const char *msg)
{
	struct vt_prefix p;
	struct vt_err e = { "" };

	ok(vt_parse_prefix(s, &p, &e) == -1, "prefix '%s' rejected", s);
	has_str(e.msg, msg, "prefix '%s' message", s);
}

static void test_prefixes(void)
{
	prefix_ok("10.2.0.0/16", AF_INET, 16, "10.2.0.0/16");
	prefix_ok("0.0.0.0/0", AF_INET, 0, "0.0.0.0/0");
	prefix_ok("10.2.3.4", AF_INET, 32, "10.2.3.4/32");
	prefix_ok("10.2.3.4/32", AF_INET, 32, "10.2.3.4/32");
	prefix_ok("10.0.0.0/31", AF_INET, 31, "10.0.0.0/31");
	prefix_ok("10.2.3.128/25", AF_INET, 25, "10.2.3.128/25");
	prefix_ok("fd00::/64", AF_INET6, 64, "fd00::/64");
	prefix_ok("fd00::1", AF_INET6, 128, "fd00::1/128");
	prefix_ok("::/0", AF_INET6, 0, "::/0");
	prefix_ok("fd00:0:0:2::/63", AF_INET6, 63, "fd00:0:0:2::/63");
	prefix_ok("2001:db8::8000:0/97", AF_INET6, 97, "2001:db8::8000:0/97");

	prefix_bad("10.2.3.4/16", "host bits set (did you mean 10.2.0.0/16?)");
	prefix_bad("10.0.0.1/31", "did you mean 10.0.0.0/31?");
	prefix_bad("0.0.0.1/0", "did you mean 0.0.0.0/0?");
	prefix_bad("10.2.3.129/25", "did you mean 10.2.3.128/25?");
	prefix_bad("fd00::1/64", "did you mean fd00::/64?");
	prefix_bad("fd00:0:0:1::/62", "did you mean fd00::/62?");
	prefix_bad("10.0.0.0/33", "out of range (0..32)");
	prefix_bad("::/129", "out of range (0..128)");
	prefix_bad("10.0.0.0/", "prefix length");
	prefix_bad("10.0.0.0/-1", "prefix length");
	prefix_bad("10.0.0.0/0x8", "prefix length");
	prefix_bad("10.0.0.0/8/8", "prefix length");
	prefix_bad("/8", "expected ADDR[/LEN]");
	prefix_bad("10.0.0/8", "expected ADDR[/LEN]");
	prefix_bad("", "expected ADDR[/LEN]");
	prefix_bad("default", "expected ADDR[/LEN]");
}

/* ---- keys ---- */

static void key_hex_ok(const char *s, size_t len)
{
	struct vt_key k;
	struct vt_err e = { "" };

	memset(&k, 0xaa, sizeof(k));
	if (!ok(!vt_parse_key(s, &k, &e), "key of %zu bytes", len)) {
		printf("# %s\n", e.msg);
		return;
	}
	ok(k.len == len && k.bytes[0] == 0x00 && k.bytes[1] == 0x01 &&
	   k.bytes[len - 1] == len - 1, "key of %zu bytes decoded", len);
	vt_key_wipe(&k);
}

static void key_bad(const char *s, const char *what, const char *msg)
{
	struct vt_key k;
	struct vt_err e = { "" };

	ok(vt_parse_key(s, &k, &e) == -1, "key %s rejected", what);
	has_str(e.msg, msg, "key %s message", what);
}

static void test_key_hex(void)
{
	struct vt_key k;
	struct vt_err e = { "" };
	size_t i;

	key_hex_ok("0x" KEY20, 20);
	key_hex_ok("0x" KEY28, 28);
	key_hex_ok("0X" KEY36, 36);
	ok(!vt_parse_key("0x000102030405060708090A0B0C0D0E0F10111213", &k, &e) &&
	   k.bytes[10] == 0x0a, "upper-case hex");

	key_bad("0x", "empty", "empty key");
	key_bad(KEY20, "without 0x", "key must be 0x<hex> or @FILE");
	key_bad("0x000102030405060708090a0b0c0d0e0f", "of 16 bytes",
		"key is 16 bytes; rfc4106(gcm(aes)) takes 20, 28 or 36");
	key_bad("0x" KEY20 "00", "of 21 bytes", "key is 21 bytes");
	key_bad("0x" KEY20 "0", "of odd length", "odd number of hex digits (41)");
	key_bad("0x00010203040506070809 0a0b0c0d0e0f1011121", "with a space",
		"non-hex character at position 21");
	key_bad("0xSECRET0405060708090a0b0c0d0e0f1011121300", "with non-hex",
		"non-hex character at position 1");
	ok(!strstr(e.msg, "SECRET"), "key material never echoed");
	key_bad("@", "file without name", "key file name missing");

	vt_key_wipe(&k);
	for (i = 0; i < sizeof(k.bytes) && !k.bytes[i]; i++)
		;
	ok(i == sizeof(k.bytes) && k.len == 0, "vt_key_wipe clears the key");
}

static const char *write_file(const char *name, const char *text, size_t len,
			      mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, mode))
		printf("# cannot write %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return path;
}

static void key_file_ok(const char *name, const char *text, size_t len)
{
	const char *path = write_file(name, text, strlen(text), 0600);
	char arg[300];
	struct vt_key k;
	struct vt_err e = { "" };

	snprintf(arg, sizeof(arg), "@%s", path);
	if (!ok(!vt_parse_key(arg, &k, &e), "key file %s", name)) {
		printf("# %s\n", e.msg);
		return;
	}
	ok(k.len == len && k.bytes[len - 1] == len - 1, "key file %s decoded", name);
	vt_key_wipe(&k);
}

static void key_file_bad(const char *name, const char *text, size_t n,
			 mode_t mode, const char *msg)
{
	const char *path = write_file(name, text, n, mode);
	struct vt_key k;
	struct vt_err e = { "" };

	ok(vt_read_key_file(path, &k, &e) == -1, "key file %s rejected", name);
	has_str(e.msg, msg, "key file %s message", name);
	has_str(e.msg, path, "key file %s message names the file", name);
}

#define KF_BAD(name, text, mode, msg) \
	key_file_bad(name, text, sizeof(text) - 1, mode, msg)

static void test_key_files(void)
{
	char big[700];
	char dir[300];
	struct vt_key k;
	struct vt_err e = { "" };

	key_file_ok("plain", KEY20, 20);
	key_file_ok("prefixed-newline", "0x" KEY36 "\n", 36);
	key_file_ok("whitespace", " \t\n0x" KEY28 " \r\n\n", 28);

	KF_BAD("group-readable", "0x" KEY20 "\n", 0640, "accessible by group or others (mode 0640)");
	KF_BAD("world-readable", "0x" KEY20 "\n", 0604, "mode 0604");
	KF_BAD("group-writable", "0x" KEY20 "\n", 0620, "chmod 600");
	KF_BAD("empty", "", 0600, "empty key");
	KF_BAD("blank", " \n\n", 0600, "empty key");
	KF_BAD("odd", KEY20 "1\n", 0600, "odd number of hex digits");
	KF_BAD("short", "0x0001020304050607\n", 0600, "key is 8 bytes");
	KF_BAD("inner-space", "0x0001020304 05060708090a0b0c0d0e0f101112131\n",
	       0600, "non-hex character");
	KF_BAD("two-keys", KEY20 "\n" KEY20 "\n", 0600, "non-hex character");
	KF_BAD("nul", "0x00010203\0" "5060708090a0b0c0d0e0f1011121314\n", 0600,
	       "non-hex character");
	memset(big, ' ', sizeof(big));
	memcpy(big, KEY20, strlen(KEY20));
	key_file_bad("big", big, sizeof(big), 0600, "too large");

	ok(vt_read_key_file("/nonexistent/vtun.key", &k, &e) == -1,
	   "missing key file rejected");
	has_str(e.msg, "key file /nonexistent/vtun.key: No such file or directory",
		"missing key file message");
	snprintf(dir, sizeof(dir), "%s/dir", tmpdir);
	mkdir(dir, 0700);
	ok(vt_read_key_file(dir, &k, &e) == -1, "directory as key file rejected");
	has_str(e.msg, "is a directory", "directory message");
	rmdir(dir);
}

/* The realpath of a key read from a regular file is recorded. */
static void test_key_refs(void)
{
	const char *path = write_file("ref.key", KEY20 "\n", strlen(KEY20) + 1, 0600);
	char link[300], arg[320], want[PATH_MAX];
	struct vt_key k;
	struct vt_err e = { "" };
	int fd[2];

	snprintf(link, sizeof(link), "%s/link.key", tmpdir);
	if (symlink("ref.key", link) || !realpath(path, want)) {
		ok(0, "symlink to a key file: %s", strerror(errno));
		return;
	}
	snprintf(arg, sizeof(arg), "@%s", link);
	ok(!vt_parse_key(arg, &k, &e), "key through a symlink");
	is_str(k.ref, want, "key ref: the file's real path");
	vt_key_wipe(&k);

	ok(!vt_parse_key("0x" KEY20, &k, &e) && !k.ref[0], "no key ref for 0x keys");

	if (pipe(fd)) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	if (write(fd[1], KEY20, strlen(KEY20)) != (ssize_t)strlen(KEY20))
		printf("# short write\n");
	close(fd[1]);
	snprintf(arg, sizeof(arg), "@/proc/self/fd/%d", fd[0]);
	memset(k.ref, 'x', sizeof(k.ref));
	ok(!vt_parse_key(arg, &k, &e) && !k.ref[0], "no key ref for a pipe");
	close(fd[0]);
	vt_key_wipe(&k);
	unlink(link);
}

/* ---- SA lifetimes ---- */

static void limit_bad(struct vt_lifetime *lt, const char *kw, const char *val,
		      const char *msg)
{
	struct vt_err e = { "" };

	ok(vt_parse_limit(kw, val, lt, &e) == -1, "limit %s %s rejected", kw, val);
	has_str(e.msg, msg, "limit %s %s message", kw, val);
}

static void test_limits(void)
{
	struct vt_lifetime lt = { 0 };
	struct vt_err e = { "" };
	char buf[256];

	ok(vt_limit_type("time-soft") == VTUN_LIFETIME_A_SOFT_ADD_SECS &&
	   vt_limit_type("time-use-hard") == VTUN_LIFETIME_A_HARD_USE_SECS &&
	   vt_limit_type("byte-soft") == VTUN_LIFETIME_A_SOFT_BYTES &&
	   vt_limit_type("packet-hard") == VTUN_LIFETIME_A_HARD_PACKETS,
	   "ip xfrm keywords map to their attributes");
	ok(!vt_limit_type("time") && !vt_limit_type("time-s"),
	   "no abbreviated limit keywords");
	ok(vt_limit_name(VTUN_LIFETIME_A_SOFT_USE_SECS) &&
	   !strcmp(vt_limit_name(VTUN_LIFETIME_A_SOFT_USE_SECS), "time-use-soft"),
	   "limit names");
	ok(!vt_limit_name(VTUN_LIFETIME_A_PAD), "PAD has no name");

	ok(!vt_parse_limit("time-soft", "3600", &lt, &e) &&
	   !vt_parse_limit("time-hard", "0xf3c", &lt, &e) &&
	   !vt_parse_limit("byte-hard", "18446744073709551615", &lt, &e) &&
	   !vt_parse_limit("packet-soft", "0", &lt, &e),
	   "limits parse");
	ok(lt.val[VTUN_LIFETIME_A_HARD_ADD_SECS] == 3900 &&
	   lt.val[VTUN_LIFETIME_A_HARD_BYTES] == UINT64_MAX &&
	   (lt.seen & 1U << VTUN_LIFETIME_A_SOFT_PACKETS) &&
	   !(lt.seen & 1U << VTUN_LIFETIME_A_HARD_PACKETS), "limit values and seen bits");
	limit_bad(&lt, "time-soft", "1", "limit time-soft given twice");
	limit_bad(&lt, "time", "1", "unknown limit 'time' (time-soft, time-hard");
	limit_bad(&lt, "packet-hard", "-1", "invalid limit packet-hard '-1'");
	limit_bad(&lt, "packet-hard", "18446744073709551616", "out of range");
	ok(!(lt.seen & 1U << VTUN_LIFETIME_A_HARD_PACKETS),
	   "a refused limit is not recorded");
	ok(!vt_lifetime_check(&lt, &e), "soft <= hard");

	vt_format_limits(&lt, " ", buf, sizeof(buf));
	is_str(buf, "time-soft 3600 time-hard 3900 byte-hard 18446744073709551615",
	       "limits formatted in ip xfrm order, zeros left out");
	vt_format_limits(&lt, ", ", buf, sizeof(buf));
	has_str(buf, "time-soft 3600, time-hard", "separator");

	memset(&lt, 0, sizeof(lt));
	vt_format_limits(&lt, " ", buf, sizeof(buf));
	is_str(buf, "", "no limits");
	ok(!vt_parse_limit("byte-soft", "2000", &lt, &e) &&
	   !vt_parse_limit("byte-hard", "1000", &lt, &e), "byte limits");
	ok(vt_lifetime_check(&lt, &e) == -1, "soft above hard refused");
	is_str(e.msg, "limit byte-soft 2000 exceeds byte-hard 1000", "soft above hard message");
	memset(&lt, 0, sizeof(lt));
	ok(!vt_parse_limit("time-use-soft", "50", &lt, &e) &&
	   !vt_lifetime_check(&lt, &e), "a soft limit without a hard one");
}

/* ---- AEADs ---- */

static void test_aeads(void)
{
	const struct vt_aead *gcm = vt_aead_find(VTUN_ALG_AES_GCM);
	const struct vt_aead *chacha = vt_aead_find(VTUN_ALG_CHACHA20_POLY1305);
	struct vt_err e = { "" };

	ok(gcm && chacha && !vt_aead_find("gcm(aes)") &&
	   !vt_aead_find("rfc4106(gcm(aes)) "), "AEADs by their exact names");
	ok(!vt_aead_check(gcm, 20, 64, &e) && !vt_aead_check(gcm, 28, 96, &e) &&
	   !vt_aead_check(gcm, 36, 128, &e), "AES-GCM: 20, 28, 36 bytes, any ICV");
	ok(vt_aead_check(gcm, 24, 128, &e) == -1, "AES-GCM: 24 bytes refused");
	is_str(e.msg, "key is 24 bytes; rfc4106(gcm(aes)) takes 20 or 28 or 36 (key + 4-byte salt)",
	       "AES-GCM key size message");
	ok(!vt_aead_check(chacha, 36, 128, &e), "ChaCha20-Poly1305: 36 bytes, ICV 128");
	ok(vt_aead_check(chacha, 20, 128, &e) == -1, "ChaCha20-Poly1305: 20 bytes refused");
	is_str(e.msg, "key is 20 bytes; rfc7539esp(chacha20,poly1305) takes 36 (key + 4-byte salt)",
	       "ChaCha20 key size message");
	ok(vt_aead_check(chacha, 36, 96, &e) == -1, "ChaCha20-Poly1305: ICV 96 refused");
	is_str(e.msg, "rfc7539esp(chacha20,poly1305) takes icv bits 128", "ChaCha20 ICV message");
	ok(vt_aead_unknown("aead", "x", &e) == -1, "unknown AEAD");
	is_str(e.msg, "unsupported aead 'x' (vtun supports rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305))",
	       "unknown AEAD message");
}

/* ---- keys: hex and genkey ---- */

static void test_hex_and_genkey(void)
{
	static const uint8_t bytes[] = { 0x00, 0x7f, 0xa5, 0xff };
	char buf[2 * VT_KEY_MAX + 3], other[sizeof(buf)];
	struct vt_key k;
	struct vt_err e = { "" };

	vt_format_hex(bytes, sizeof(bytes), buf);
	is_str(buf, "0x007fa5ff", "hex formatting");
	vt_format_hex(bytes, 0, buf);
	is_str(buf, "0x", "hex of nothing");

	ok(!vt_genkey(16, buf, sizeof(buf)) && strlen(buf) == 42, "genkey aes128: 0x + 40 digits");
	ok(!vt_parse_key(buf, &k, &e) && k.len == 20, "an aes128 key parses back (20 bytes)");
	ok(!vt_genkey(16, other, sizeof(other)) && strcmp(buf, other), "two keys differ");
	ok(!vt_genkey(24, buf, sizeof(buf)) && strlen(buf) == 58 &&
	   !vt_parse_key(buf, &k, &e) && k.len == 28, "genkey aes192: 28 bytes");
	ok(!vt_genkey(32, buf, sizeof(buf)) && strlen(buf) == 74 &&
	   !vt_parse_key(buf, &k, &e) && k.len == 36, "genkey aes256: 36 bytes");
	ok(buf[0] == '0' && buf[1] == 'x' && strspn(buf + 2, "0123456789abcdef") == 72,
	   "lower-case hex");
	ok(vt_genkey(32, buf, 74) == -EINVAL, "genkey refuses a short buffer");
	ok(vt_genkey(40, buf, sizeof(buf)) == -EINVAL, "genkey refuses a bad size");
	vt_key_wipe(&k);
}

/* ---- formatting ---- */

static void bytes_is(uint64_t v, const char *want)
{
	char buf[32];

	vt_format_bytes(v, buf, sizeof(buf));
	is_str(buf, want, "bytes %llu", (unsigned long long)v);
}

static void duration_is(uint64_t ms, const char *want)
{
	char buf[32];

	vt_format_duration(ms, buf, sizeof(buf));
	is_str(buf, want, "duration %llu ms", (unsigned long long)ms);
}

static void test_formatting(void)
{
	bytes_is(0, "0 B");
	bytes_is(1023, "1023 B");
	bytes_is(1024, "1.0 KiB");
	bytes_is(1229, "1.2 KiB");
	bytes_is(1024 * 1024 - 1, "1.0 MiB");
	bytes_is(1536ULL << 20, "1.5 GiB");
	bytes_is(UINT64_MAX, "16.0 EiB");
	duration_is(0, "0s");
	duration_is(3999, "3s");
	duration_is(60000, "1m 0s");
	duration_is(3723000, "1h 2m");
	duration_is(90061000, "1d 1h");
}

static void cleanup_tmpdir(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		printf("# could not remove %s\n", tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	umask(077);
	test_numbers();
	test_keywords();
	test_keyword_tiers();
	test_ifnames();
	test_endpoints();
	test_prefixes();
	test_key_hex();
	test_key_files();
	test_key_refs();
	test_limits();
	test_aeads();
	test_hex_and_genkey();
	test_formatting();
	cleanup_tmpdir();
	return done_testing();
}
