// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "output.h"

/* "line 12: " while a batch runs its line 12. */
static char context[64];

void vt_set_context(const char *fmt, ...)
{
	va_list ap;

	context[0] = '\0';
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);		/* keep our line after any output so far */
	fprintf(stderr, "vtunctl: %s%s", context, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int vt_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	return VT_EXIT_USAGE;
}

int vt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	return VT_EXIT_FAIL;
}

void vt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void vt_format_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	double v = bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	v /= 1024;
	/* move up while "%.1f" would round to 1024.0 */
	while (v >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

void vt_format_duration(uint64_t msecs, char *buf, size_t len)
{
	uint64_t s = msecs / 1000;

	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m %" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d %" PRIu64 "h", s / 86400,
			 s / 3600 % 24);
}
