/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP for C unit tests: ok(cond, "name", ...) prints one test point,
 * done_testing() prints the plan and returns the exit status.
 */
#ifndef VTUN_TAP_H
#define VTUN_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 4, 5)))
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("# failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Strings equal; on failure show both. */
#define is_str(got, want, ...)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (!ok(g_ && !strcmp(g_, w_), __VA_ARGS__))		\
			printf("#   got:  '%s'\n#   want: '%s'\n",	\
			       g_ ? g_ : "(null)", w_);			\
	} while (0)

/* @haystack contains @needle. */
#define has_str(haystack, needle, ...)					\
	do {								\
		const char *h_ = (haystack), *n_ = (needle);		\
		if (!ok(h_ && strstr(h_, n_), __VA_ARGS__))		\
			printf("#   '%s' lacks '%s'\n", h_ ? h_ : "(null)", n_); \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
