/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal streaming JSON writer: objects, arrays, strings, unsigned
 * integers, booleans and null; optional pretty printing. Commas and
 * indentation are tracked here so callers only say what to write.
 */
#ifndef VTUNCTL_JSON_H
#define VTUNCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	bool pretty;
	unsigned int depth;
	bool need_comma;	/* the current container already has a member */
	bool after_key;		/* a key was written, its value comes next */
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_finish(struct json *j);	/* final newline */

void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key(struct json *j, const char *key);

void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Shorthands for "key": value. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_null(struct json *j, const char *key);
/* "key": v if @has, else null; "key": "s" unless @s is NULL or "". */
void json_kv_opt_u64(struct json *j, const char *key, bool has, uint64_t v);
void json_kv_opt_str(struct json *j, const char *key, const char *s);

/* A JSON string literal with quotes. Control characters are escaped and
 * invalid UTF-8 becomes U+FFFD so the output always parses.
 */
void json_write_string(FILE *f, const char *s);

#endif
