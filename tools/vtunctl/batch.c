// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl -b FILE [--force]: many commands, one process, one socket.
 * Starting vtunctl costs more than a request (tens of milliseconds in an
 * emulated test VM), so scripts that create thousands of peers batch them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "nl.h"
#include "output.h"

void vt_words_free(struct vt_words *w)
{
	if (w->buf)
		explicit_bzero(w->buf, w->buflen);
	free(w->buf);
	free(w->argv);
	memset(w, 0, sizeof(*w));
}

/* Building words: characters go to buf, each word ends with a NUL. */
struct splitter {
	struct vt_words *w;
	size_t used;
	size_t start;		/* of the word being built */
	bool in_word;
	size_t cap;		/* of w->argv */
};

/* Quotes start a word even when empty: '' is an empty argument. */
static void start_word(struct splitter *s)
{
	if (!s->in_word) {
		s->in_word = true;
		s->start = s->used;
	}
}

static void put_char(struct splitter *s, char c)
{
	start_word(s);
	s->w->buf[s->used++] = c;
}

static int end_word(struct splitter *s)
{
	struct vt_words *w = s->w;

	if (!s->in_word)
		return 0;
	w->buf[s->used++] = '\0';
	s->in_word = false;
	if ((size_t)w->argc + 1 >= s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **argv = reallocarray(w->argv, cap, sizeof(*argv));

		if (!argv)
			return -1;
		w->argv = argv;
		s->cap = cap;
	}
	w->argv[w->argc++] = w->buf + s->start;
	w->argv[w->argc] = NULL;
	return 0;
}

enum { ST_BLANK, ST_WORD, ST_SQUOTE, ST_DQUOTE };

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* One character @p outside quotes; returns the characters it used, 0 at
 * a comment, -1 at a backslash that ends the line.
 */
static int unquoted(struct splitter *s, const char *p, int *state)
{
	switch (*p) {
	case '#':
		if (*state == ST_BLANK)
			return 0;
		break;
	case '\'':
		start_word(s);
		*state = ST_SQUOTE;
		return 1;
	case '"':
		start_word(s);
		*state = ST_DQUOTE;
		return 1;
	case '\\':
		if (!p[1])
			return -1;
		put_char(s, p[1]);
		*state = ST_WORD;
		return 2;
	}
	if (is_blank(*p)) {
		*state = ST_BLANK;
		return end_word(s) ? -2 : 1;
	}
	put_char(s, *p);
	*state = ST_WORD;
	return 1;
}

/* One character @p inside "...": the characters it used, -1 at a
 * backslash that ends the line. Only " \ $ ` can be escaped there.
 */
static int dquoted(struct splitter *s, const char *p, int *state)
{
	if (*p == '"') {
		*state = ST_WORD;
		return 1;
	}
	if (*p != '\\') {
		put_char(s, *p);
		return 1;
	}
	if (!p[1])
		return -1;
	if (!strchr("\"\\$`", p[1])) {
		put_char(s, '\\');
		return 1;
	}
	put_char(s, p[1]);
	return 2;
}

static int split(struct splitter *s, const char *line, struct vt_err *e)
{
	const char *p = line;
	int state = ST_BLANK, n;

	while (*p) {
		if (state == ST_SQUOTE) {
			if (*p == '\'')
				state = ST_WORD;
			else
				put_char(s, *p);
			n = 1;
		} else if (state == ST_DQUOTE) {
			n = dquoted(s, p, &state);
		} else {
			n = unquoted(s, p, &state);
			if (n == 0)
				break;		/* a comment */
		}
		if (n == -1)
			return VT_SPLIT_MORE;
		if (n < 0)
			return vt_seterr(e, "out of memory");
		p += n;
	}
	if (state == ST_SQUOTE || state == ST_DQUOTE)
		return vt_seterr(e, "unterminated %s quote",
				 state == ST_SQUOTE ? "single" : "double");
	return end_word(s) ? vt_seterr(e, "out of memory") : 0;
}

int vt_split_line(const char *line, struct vt_words *w, struct vt_err *e)
{
	struct splitter s = { .w = w };

	memset(w, 0, sizeof(*w));
	/* every word is at most the line, plus one NUL per word */
	w->buflen = 2 * strlen(line) + 2;
	w->buf = malloc(w->buflen);
	if (!w->buf)
		return vt_seterr(e, "out of memory");
	return split(&s, line, e);
}

/* ---- reading the file ---- */

struct batch {
	FILE *f;
	const char *path;
	char *line;		/* getline()'s buffer */
	size_t line_cap;
	char *cmd;		/* the command, continued lines joined */
	size_t cmd_len, cmd_cap;
	unsigned int lineno;	/* of the last line read */
	unsigned int first;	/* of the command's first line */
};

static int append(struct batch *b, const char *s, size_t n)
{
	if (b->cmd_len + n + 1 > b->cmd_cap) {
		size_t cap = 2 * (b->cmd_len + n + 1);
		char *cmd = malloc(cap);

		if (!cmd)
			return -1;
		if (b->cmd) {
			memcpy(cmd, b->cmd, b->cmd_len);
			explicit_bzero(b->cmd, b->cmd_cap);
			free(b->cmd);
		}
		b->cmd = cmd;
		b->cmd_cap = cap;
	}
	memcpy(b->cmd + b->cmd_len, s, n);
	b->cmd_len += n;
	b->cmd[b->cmd_len] = '\0';
	return 0;
}

/* The next physical line, without its newline: 1, 0 at the end, -1. */
static int read_line(struct batch *b)
{
	ssize_t n;

	errno = 0;
	n = getline(&b->line, &b->line_cap, b->f);
	if (n < 0)
		return errno ? -1 : 0;
	b->lineno++;
	if (n && b->line[n - 1] == '\n')
		b->line[--n] = '\0';
	if (strlen(b->line) != (size_t)n) {
		errno = EINVAL;		/* a NUL byte: not a text file */
		return -1;
	}
	if (append(b, b->line, n)) {
		errno = ENOMEM;
		return -1;
	}
	return 1;
}

/*
 * One command, its continued lines joined: 1 with words in @w (maybe
 * none), 0 at the end of the file, -1 on a read error (errno), -2 on a
 * split error (@e).
 */
static int read_command(struct batch *b, struct vt_words *w, struct vt_err *e)
{
	int rc;

	b->cmd_len = 0;
	rc = read_line(b);
	if (rc <= 0)
		return rc;
	b->first = b->lineno;
	while ((rc = vt_split_line(b->cmd, w, e)) == VT_SPLIT_MORE) {
		vt_words_free(w);
		b->cmd[--b->cmd_len] = '\0';	/* the backslash */
		/* at the end of the file, the last backslash escapes nothing */
		if (read_line(b) < 0)
			return -1;
	}
	return rc < 0 ? -2 : 1;
}

/* The next command with words: 1, 0 at the end, or a negated exit code
 * after printing why.
 */
static int next_command(struct batch *b, struct vt_words *w)
{
	struct vt_err e;
	int rc;

	while ((rc = read_command(b, w, &e)) > 0) {
		vt_set_context("line %u: ", b->first);
		if (w->argc)
			return 1;
		vt_words_free(w);
	}
	if (rc == -2) {
		vt_set_context("line %u: ", b->first);
		vt_words_free(w);
		return -vt_fail("%s", e.msg);
	}
	vt_set_context(NULL);
	if (rc < 0)
		return -vt_fail("batch file %s: %s", b->path,
				strerror(errno ? errno : EIO));
	return 0;
}

static void batch_close(struct batch *b)
{
	if (b->line)
		explicit_bzero(b->line, b->line_cap);
	free(b->line);
	if (b->cmd)
		explicit_bzero(b->cmd, b->cmd_cap);
	free(b->cmd);
	if (b->f && b->f != stdin)
		fclose(b->f);
}

static int run_commands(struct batch *b, bool force, const struct vt_opts *o,
			vt_dispatch_fn dispatch)
{
	struct vt_words w;
	struct vt_args args;
	struct vt_opts opts;
	bool failed = false;
	int rc;

	while ((rc = next_command(b, &w)) > 0) {
		opts = *o;
		args.argc = w.argc;
		args.argv = w.argv;
		rc = dispatch(&opts, &args);
		vt_words_free(&w);
		fflush(stdout);
		if (rc == VT_EXIT_OK)
			continue;
		failed = true;
		vt_nl_batch_reset();
		if (!force)
			return VT_EXIT_FAIL;
	}
	if (rc < 0)
		return VT_EXIT_FAIL;
	return failed ? VT_EXIT_FAIL : VT_EXIT_OK;
}

int vt_batch_run(const char *path, bool force, const struct vt_opts *o,
		 vt_dispatch_fn dispatch)
{
	struct batch b = { .path = path };
	int rc;

	b.f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!b.f)
		return vt_usage_error("batch file %s: %s", path, strerror(errno));
	vt_nl_batch_begin();
	rc = run_commands(&b, force, o, dispatch);
	vt_nl_batch_end();
	vt_set_context(NULL);
	batch_close(&b);
	return rc;
}
