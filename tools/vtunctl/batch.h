/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtunctl -b FILE: one vtunctl command per line, all over one netlink
 * socket. Lines are split into words like a shell would (quotes,
 * backslashes, # comments), without any expansion.
 */
#ifndef VTUNCTL_BATCH_H
#define VTUNCTL_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "parse.h"

struct vt_words {
	int argc;
	char **argv;		/* argc words, then NULL */
	char *buf;		/* the words' characters */
	size_t buflen;
};

/* vt_split_line(): the line ends in a backslash and continues on the next. */
#define VT_SPLIT_MORE 1

/*
 * Split @line (without its newline) into @w: blanks separate words; '...'
 * keeps every character as it is; in "..." a backslash escapes " \ $ and `
 * only; elsewhere a backslash escapes any character; # at the start of a
 * word comments out the rest of the line. Returns 0 (no words for a blank
 * or comment line), VT_SPLIT_MORE, or -1 with a message in @e. Free @w
 * with vt_words_free() in every case.
 */
int vt_split_line(const char *line, struct vt_words *w, struct vt_err *e);
/* Wipes (a line may hold a key) and frees. */
void vt_words_free(struct vt_words *w);

typedef int (*vt_dispatch_fn)(const struct vt_opts *o, struct vt_args *a);

/*
 * Run every command of @path ("-": standard input) through @dispatch.
 * Stops at the first one that fails, unless @force. Errors read
 * "vtunctl: line N: ...". Returns VT_EXIT_OK, VT_EXIT_FAIL if a command
 * failed, or VT_EXIT_USAGE if the file cannot be read.
 */
int vt_batch_run(const char *path, bool force, const struct vt_opts *o,
		 vt_dispatch_fn dispatch);

#endif
