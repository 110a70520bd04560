// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the batch line splitter (tools/vtunctl/batch.c). */
#include <stdlib.h>

#include "batch.h"
#include "tap.h"

/* @line splits into the words of @want, "|"-separated ("" for none). */
static void split_is(const char *line, const char *want)
{
	struct vt_words w;
	struct vt_err e = { "" };
	char got[512] = "";
	size_t used = 0;
	int i, rc;

	rc = vt_split_line(line, &w, &e);
	for (i = 0; rc == 0 && i < w.argc && used < sizeof(got); i++)
		used += snprintf(got + used, sizeof(got) - used, "%s%s",
				 i ? "|" : "", w.argv[i]);
	if (!ok(rc == 0 && (!w.argc || !w.argv[w.argc]), "split [%s]", line))
		printf("# rc %d: %s\n", rc, e.msg);
	else
		is_str(got, want, "split [%s] words", line);
	vt_words_free(&w);
}

static void split_more(const char *line)
{
	struct vt_words w;
	struct vt_err e = { "" };

	ok(vt_split_line(line, &w, &e) == VT_SPLIT_MORE, "[%s] continues", line);
	vt_words_free(&w);
}

static void split_bad(const char *line, const char *msg)
{
	struct vt_words w;
	struct vt_err e = { "" };

	ok(vt_split_line(line, &w, &e) == -1, "[%s] refused", line);
	is_str(e.msg, msg, "[%s] message", line);
	vt_words_free(&w);
}

static void test_words(void)
{
	split_is("peer add vtun0 id 1", "peer|add|vtun0|id|1");
	split_is("  \tpeer   add\t\tvtun0  ", "peer|add|vtun0");
	split_is("show\r", "show");
	split_is("", "");
	split_is("   ", "");
	split_is("# a comment", "");
	split_is("   # indented comment", "");
	split_is("show vtun0 # the device", "show|vtun0");
	split_is("show a#b", "show|a#b");
	split_is("show '#x' \"#y\" \\#z", "show|#x|#y|#z");
}

static void test_quotes(void)
{
	split_is("sa add vtun0 aead 'rfc4106(gcm(aes))' 0x00 128",
		 "sa|add|vtun0|aead|rfc4106(gcm(aes))|0x00|128");
	split_is("aead \"rfc4106(gcm(aes))\"", "aead|rfc4106(gcm(aes))");
	split_is("a 'b c' d", "a|b c|d");
	split_is("a'b'\"c\"d", "abcd");
	split_is("x '' y", "x||y");
	split_is("x \"\"", "x|");
	split_is("'a\\b' \"c\\d\"", "a\\b|c\\d");
	split_is("\"a\\\"b\\\\c\\$d\\`e\"", "a\"b\\c$d`e");
	split_is("\"it's\" 'say \"hi\"'", "it's|say \"hi\"");
	split_is("a\\ b \\'c", "a b|'c");
	split_is("$HOME ~ *", "$HOME|~|*");
}

static void test_continuation(void)
{
	split_more("peer add vtun0 \\");
	split_more("peer add vtun0\\");
	split_more("peer \"add vtun0 \\");
	split_is("peer add vtun0 \\\\", "peer|add|vtun0|\\");
	split_is("'a\\'", "a\\");
	split_bad("'a\\", "unterminated single quote");
	split_bad("say 'hello", "unterminated single quote");
	split_bad("say \"hello", "unterminated double quote");
}

/* Many words: argv grows past its first allocation. */
static void test_many_words(void)
{
	char line[4000] = "";
	struct vt_words w;
	struct vt_err e;
	size_t used = 0;
	int i;

	for (i = 0; i < 500; i++)
		used += snprintf(line + used, sizeof(line) - used, "w%d ", i);
	ok(!vt_split_line(line, &w, &e) && w.argc == 500 &&
	   !strcmp(w.argv[499], "w499") && !w.argv[500], "500 words");
	vt_words_free(&w);
	ok(!w.argv && !w.buf && !w.argc, "freed words are empty");
	vt_words_free(&w);	/* twice is fine */
}

int main(void)
{
	test_words();
	test_quotes();
	test_continuation();
	test_many_words();
	return done_testing();
}
