// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->need_comma = false;
	j->after_key = false;
}

void json_finish(struct json *j)
{
	fputc('\n', j->f);
}

static void newline_indent(struct json *j)
{
	unsigned int i;

	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Called before every key and every value. */
static void separate(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma)
		fputc(',', j->f);
	if (j->pretty && j->depth)
		newline_indent(j);
}

static void open_container(struct json *j, char c)
{
	separate(j);
	fputc(c, j->f);
	j->depth++;
	j->need_comma = false;
}

static void close_container(struct json *j, char c)
{
	j->depth--;
	/* need_comma still false: the container is empty, keep it "[]" */
	if (j->pretty && j->need_comma)
		newline_indent(j);
	fputc(c, j->f);
	j->need_comma = true;
}

void json_obj_open(struct json *j)
{
	open_container(j, '{');
}

void json_obj_close(struct json *j)
{
	close_container(j, '}');
}

void json_arr_open(struct json *j)
{
	open_container(j, '[');
}

void json_arr_close(struct json *j)
{
	close_container(j, ']');
}

void json_key(struct json *j, const char *key)
{
	separate(j);
	json_write_string(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	separate(j);
	json_write_string(j->f, s);
	j->need_comma = true;
}

void json_u64(struct json *j, uint64_t v)
{
	separate(j);
	fprintf(j->f, "%" PRIu64, v);
	j->need_comma = true;
}

void json_bool(struct json *j, bool v)
{
	separate(j);
	fputs(v ? "true" : "false", j->f);
	j->need_comma = true;
}

void json_null(struct json *j)
{
	separate(j);
	fputs("null", j->f);
	j->need_comma = true;
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_null(j);
}

void json_kv_opt_u64(struct json *j, const char *key, bool has, uint64_t v)
{
	if (has)
		json_kv_u64(j, key, v);
	else
		json_kv_null(j, key);
}

void json_kv_opt_str(struct json *j, const char *key, const char *s)
{
	if (s && *s)
		json_kv_str(j, key, s);
	else
		json_kv_null(j, key);
}

/*
 * Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	/* a NUL terminator fails this test, so we never read past it */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void write_escape(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':  fputs("\\\"", f); break;
	case '\\': fputs("\\\\", f); break;
	case '\b': fputs("\\b", f); break;
	case '\f': fputs("\\f", f); break;
	case '\n': fputs("\\n", f); break;
	case '\r': fputs("\\r", f); break;
	case '\t': fputs("\\t", f); break;
	default:   fprintf(f, "\\u%04x", c); break;
	}
}

void json_write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		if (*s < 0x20 || *s == 0x7f || *s == '"' || *s == '\\') {
			write_escape(f, *s++);
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
}
