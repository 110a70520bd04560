// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "cli.h"
#include "output.h"
#include "parse.h"

const char *vt_args_shift(struct vt_args *a)
{
	if (a->argc <= 0)
		return NULL;
	a->argc--;
	return *a->argv++;
}

int vt_args_value(struct vt_args *a, const char *kw, const char **val)
{
	*val = vt_args_shift(a);
	if (!*val)
		return vt_usage_error("'%s' needs a value", kw);
	return 0;
}

int vt_args_dev(struct vt_args *a, const char *cmd, const char **ifname)
{
	struct vt_err e;

	*ifname = vt_args_shift(a);
	if (!*ifname)
		return vt_usage_error("%s: missing device name (try 'vtunctl %s help')",
				      cmd, cmd);
	if (vt_parse_ifname(*ifname, &e))
		return vt_usage_error("%s", e.msg);
	return 0;
}

int vt_args_dev_opts(struct vt_args *a, const char *cmd, struct vt_opts *o,
		     const char **ifname)
{
	const char *arg;
	struct vt_err e;

	while ((arg = vt_args_shift(a))) {
		if (!strcmp(arg, "-j") || !strcmp(arg, "--json")) {
			o->json = true;
		} else if (!strcmp(arg, "-p") || !strcmp(arg, "--pretty")) {
			o->json = o->pretty = true;
		} else if (*ifname) {
			return vt_usage_error("%s: unexpected '%.32s'", cmd, arg);
		} else {
			if (vt_parse_ifname(arg, &e))
				return vt_usage_error("%s", e.msg);
			*ifname = arg;
		}
	}
	return 0;
}

bool vt_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "--help");
}

int vt_cli_keyword(const char *what, const char *arg, const char *const *words,
		   int *idx)
{
	struct vt_err e;

	*idx = vt_keyword(what, arg, words, &e);
	if (*idx < 0)
		return vt_usage_error("%s", e.msg);
	return 0;
}

int vt_cli_u64(const char *what, const char *s, uint64_t min, uint64_t max,
	       uint64_t *out)
{
	struct vt_err e;

	if (vt_parse_num(what, s, min, max, true, out, &e))
		return vt_usage_error("%s", e.msg);
	return 0;
}

int vt_cli_u32(const char *what, const char *s, uint32_t min, uint32_t max,
	       uint32_t *out)
{
	uint64_t v;
	int ret = vt_cli_u64(what, s, min, max, &v);

	if (!ret)
		*out = v;
	return ret;
}

int vt_cli_u16(const char *what, const char *s, uint16_t min, uint16_t max,
	       uint16_t *out)
{
	uint64_t v;
	int ret = vt_cli_u64(what, s, min, max, &v);

	if (!ret)
		*out = v;
	return ret;
}
