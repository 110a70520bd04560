// SPDX-License-Identifier: GPL-2.0
/* Unit tests of tools/vtunctl/json.c: escaping and document structure. */
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "tap.h"

/* Output of json_write_string(@in), as a malloc'd string. */
static char *escape(const char *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_write_string(f, in);
	fclose(f);
	return buf;
}

static void escapes_to(const char *in, const char *want, const char *name)
{
	char *got = escape(in);

	is_str(got, want, "escape %s", name);
	free(got);
}

static void test_escaping(void)
{
	escapes_to("", "\"\"", "empty string");
	escapes_to("vtun0", "\"vtun0\"", "plain ASCII");
	escapes_to("a\"b\\c/d", "\"a\\\"b\\\\c/d\"", "quote and backslash");
	escapes_to("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"", "short escapes");
	escapes_to("\x01\x1f", "\"\\u0001\\u001f\"", "other control characters");
	escapes_to("x\x7fy", "\"x\\u007fy\"", "DEL");
	escapes_to("caf\xc3\xa9", "\"caf\xc3\xa9\"", "2-byte UTF-8 kept");
	escapes_to("\xe2\x82\xac", "\"\xe2\x82\xac\"", "3-byte UTF-8 kept");
	escapes_to("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"", "4-byte UTF-8 kept");
	escapes_to("a\x80z", "\"a\\ufffdz\"", "stray continuation byte");
	escapes_to("a\xc3", "\"a\\ufffd\"", "truncated sequence at the end");
	escapes_to("\xc3(", "\"\\ufffd(\"", "bad continuation");
	escapes_to("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong 2-byte");
	escapes_to("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"", "overlong 3-byte");
	escapes_to("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "UTF-16 surrogate");
	escapes_to("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
		   "above U+10FFFF");
	escapes_to("\xff", "\"\\ufffd\"", "0xff");
}

typedef void (*writer_fn)(struct json *j);

static char *render(writer_fn fn, bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	if (!f)
		return NULL;
	json_init(&j, f, pretty);
	fn(&j);
	json_finish(&j);
	fclose(f);
	return buf;
}

static void doc_nested(struct json *j)
{
	json_arr_open(j);
	json_obj_open(j);
	json_kv_str(j, "ifname", "vtun0");
	json_kv_u64(j, "ifindex", 7);
	json_kv_u64(j, "big", UINT64_MAX);
	json_kv_bool(j, "up", true);
	json_kv_bool(j, "down", false);
	json_kv_null(j, "endpoint");
	json_key(j, "stats");
	json_obj_open(j);
	json_obj_close(j);
	json_key(j, "routes");
	json_arr_open(j);
	json_str(j, "10.2.0.0/16");
	json_str(j, "fd00::/64");
	json_arr_close(j);
	json_key(j, "peers");
	json_arr_open(j);
	json_arr_close(j);
	json_obj_close(j);
	json_obj_open(j);
	json_obj_close(j);
	json_arr_close(j);
}

static void doc_empty(struct json *j)
{
	json_arr_open(j);
	json_arr_close(j);
}

static void rendered_as(writer_fn fn, bool pretty, const char *want,
			const char *name)
{
	char *got = render(fn, pretty);

	is_str(got, want, "%s", name);
	free(got);
}

static void test_documents(void)
{
	rendered_as(doc_empty, false, "[]\n", "empty array");
	rendered_as(doc_empty, true, "[]\n", "empty array, pretty");
	rendered_as(doc_nested, false,
		    "[{\"ifname\":\"vtun0\",\"ifindex\":7,"
		    "\"big\":18446744073709551615,\"up\":true,\"down\":false,"
		    "\"endpoint\":null,\"stats\":{},"
		    "\"routes\":[\"10.2.0.0/16\",\"fd00::/64\"],\"peers\":[]},{}]\n",
		    "nested document, compact");
	rendered_as(doc_nested, true,
		    "[\n"
		    "  {\n"
		    "    \"ifname\": \"vtun0\",\n"
		    "    \"ifindex\": 7,\n"
		    "    \"big\": 18446744073709551615,\n"
		    "    \"up\": true,\n"
		    "    \"down\": false,\n"
		    "    \"endpoint\": null,\n"
		    "    \"stats\": {},\n"
		    "    \"routes\": [\n"
		    "      \"10.2.0.0/16\",\n"
		    "      \"fd00::/64\"\n"
		    "    ],\n"
		    "    \"peers\": []\n"
		    "  },\n"
		    "  {}\n"
		    "]\n",
		    "nested document, pretty");
}

int main(void)
{
	test_escaping();
	test_documents();
	return done_testing();
}
