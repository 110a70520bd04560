/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walking the command line, iproute2 style. Every helper that can fail
 * prints one line and returns VT_EXIT_USAGE, so callers just propagate a
 * nonzero result.
 */
#ifndef VTUNCTL_CLI_H
#define VTUNCTL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vt_opts {
	bool json;
	bool pretty;
};

struct vt_args {
	int argc;
	char **argv;
};

/* The next argument, consumed; NULL when none is left. */
const char *vt_args_shift(struct vt_args *a);
/* The value after keyword @kw. */
int vt_args_value(struct vt_args *a, const char *kw, const char **val);
/* The DEV argument (validated) that commands take first. */
int vt_args_dev(struct vt_args *a, const char *cmd, const char **ifname);

/* [DEV] [-j|--json] [-p|--pretty] in any order, as show and monitor take. */
int vt_args_dev_opts(struct vt_args *a, const char *cmd, struct vt_opts *o,
		     const char **ifname);

bool vt_is_help(const char *arg);

int vt_cli_keyword(const char *what, const char *arg, const char *const *words,
		   int *idx);
int vt_cli_u64(const char *what, const char *s, uint64_t min, uint64_t max,
	       uint64_t *out);
int vt_cli_u32(const char *what, const char *s, uint32_t min, uint32_t max,
	       uint32_t *out);
int vt_cli_u16(const char *what, const char *s, uint16_t min, uint16_t max,
	       uint16_t *out);

/* Commands: each returns an exit code (see output.h). */
int vt_cmd_show(const struct vt_opts *o, struct vt_args *a);
int vt_cmd_set(const struct vt_opts *o, struct vt_args *a);
int vt_cmd_peer(const struct vt_opts *o, struct vt_args *a);
int vt_cmd_route(const struct vt_opts *o, struct vt_args *a);
int vt_cmd_sa(const struct vt_opts *o, struct vt_args *a);
int vt_cmd_monitor(const struct vt_opts *o, struct vt_args *a);
int vt_cmd_setconf(const struct vt_opts *o, struct vt_args *a);
int vt_cmd_showconf(const struct vt_opts *o, struct vt_args *a);
int vt_cmd_genkey(const struct vt_opts *o, struct vt_args *a);

void vt_usage_show(FILE *f);
void vt_usage_set(FILE *f);
void vt_usage_peer(FILE *f);
void vt_usage_route(FILE *f);
void vt_usage_sa(FILE *f);
void vt_usage_monitor(FILE *f);
void vt_usage_setconf(FILE *f);
void vt_usage_showconf(FILE *f);
void vt_usage_genkey(FILE *f);

#endif
