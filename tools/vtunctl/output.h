/* SPDX-License-Identifier: GPL-2.0 */
/* Error reporting and human-readable formatting shared by all commands. */
#ifndef VTUNCTL_OUTPUT_H
#define VTUNCTL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Exit codes: 0 success; 1 the request failed (kernel refused it, module
 * missing, netlink or I/O error); 2 vtunctl refused the command line before
 * sending anything (syntax, bad value, unusable key file).
 */
#define VT_EXIT_OK	0
#define VT_EXIT_FAIL	1
#define VT_EXIT_USAGE	2

/* Print "vtunctl: MESSAGE" on one line to stderr and return the exit code. */
int vt_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Text put after "vtunctl: " on every such line from now on ("line 3: "
 * in a batch); NULL for none.
 */
void vt_set_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "512 B", "1.2 KiB", "3.4 GiB" */
void vt_format_bytes(uint64_t bytes, char *buf, size_t len);
/* "3s", "2m 5s", "1h 2m", "3d 4h" */
void vt_format_duration(uint64_t msecs, char *buf, size_t len);

#endif
