// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl: configure vtun ESP-in-UDP tunnel devices over generic netlink.
 *
 * vtunctl [OPTIONS] COMMAND ...   -- see usage_main(), README.md and
 * Documentation/vtunctl.8.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "output.h"
#include "parse.h"

#ifndef VTUNCTL_VERSION
#define VTUNCTL_VERSION "unknown"
#endif

static void usage_main(FILE *f)
{
	static void (*const sections[])(FILE *f) = {
		vt_usage_show, vt_usage_set, vt_usage_peer, vt_usage_route,
		vt_usage_sa, vt_usage_monitor, vt_usage_setconf,
		vt_usage_showconf, vt_usage_genkey,
	};
	size_t i;

	fputs("Usage: vtunctl [OPTIONS] COMMAND [ARGS...]\n"
	      "       vtunctl [OPTIONS] -b|--batch FILE [--force]\n"
	      "Options: -j|--json  -p|--pretty  -h|--help  -V|--version\n"
	      "Commands:\n"
	      "  show [DEV]                                  devices, peers, routes, SAs, counters\n"
	      "  set DEV [listen-port PORT] [fwmark MARK] [bind-dev IFNAME|none] [ttl TTL]\n"
	      "          [dscp DSCP|inherit]\n"
	      "  peer add|set|del DEV id ID ...\n"
	      "  route add|del DEV PREFIX [peer ID]\n"
	      "  sa add|del DEV ...\n"
	      "  monitor [DEV]                               print events as they happen\n"
	      "  setconf DEV FILE                            apply a whole configuration file\n"
	      "  showconf DEV [--key-paths]                  print the configuration as a file\n"
	      "  genkey [aes128|aes192|aes256|chacha20]      a fresh random key||salt\n"
	      "  help, or COMMAND help\n", f);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		fputc('\n', f);
		sections[i](f);
	}
	fputs("\nBatch: -b FILE runs one command per line (\"-\": standard input) over one\n"
	      "netlink socket; # comments, quotes as in a shell. It stops at the first\n"
	      "command that fails (exit 1), or with --force runs them all (exit 1 if any\n"
	      "failed).\n"
	      "Keywords may be abbreviated to a unique prefix: vtunctl sh, peer a.\n"
	      "Exit status: 0 success, 1 the request failed, 2 usage error.\n"
	      "See vtunctl(8).\n", f);
}

static int cmd_help(const struct vt_opts *o, struct vt_args *a)
{
	(void)o;
	(void)a;
	usage_main(stdout);
	return VT_EXIT_OK;
}

/*
 * Commands after VT_KW_LATER came later: they do not take abbreviations
 * away from the earlier ones ("sh" is still show, not showconf).
 */
static const struct {
	const char *name;
	int (*run)(const struct vt_opts *o, struct vt_args *a);
} commands[] = {
	{ "show",	vt_cmd_show },
	{ "set",	vt_cmd_set },
	{ "peer",	vt_cmd_peer },
	{ "route",	vt_cmd_route },
	{ "sa",		vt_cmd_sa },
	{ "help",	cmd_help },
	{ VT_KW_LATER,	NULL },
	{ "monitor",	vt_cmd_monitor },
	{ "setconf",	vt_cmd_setconf },
	{ "showconf",	vt_cmd_showconf },
	{ "genkey",	vt_cmd_genkey },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int dispatch(const struct vt_opts *o, struct vt_args *a)
{
	const char *names[N_COMMANDS + 1];
	const char *arg = vt_args_shift(a);
	size_t i;
	int rc, idx;

	if (!arg)
		return vt_usage_error("no command given (try 'vtunctl help')");
	for (i = 0; i < N_COMMANDS; i++)
		names[i] = commands[i].name;
	names[N_COMMANDS] = NULL;
	rc = vt_cli_keyword("command", arg, names, &idx);
	if (rc)
		return rc;
	return commands[idx].run(o, a);
}

struct main_opts {
	struct vt_opts o;
	const char *batch;	/* -b FILE */
	bool force;
};

/* Returns -1 to go on, or an exit code. */
static int parse_options(int argc, char **argv, struct main_opts *m)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "pretty",	no_argument,		NULL, 'p' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "batch",	required_argument,	NULL, 'b' },
		{ "force",	no_argument,		NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;	/* we print our own one-line message */
	/* '+': stop at the command, its arguments are not ours */
	while ((c = getopt_long(argc, argv, "+:jphVb:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			m->o.json = true;
			break;
		case 'p':
			m->o.json = m->o.pretty = true;
			break;
		case 'h':
			usage_main(stdout);
			return VT_EXIT_OK;
		case 'V':
			printf("vtunctl %s\n", VTUNCTL_VERSION);
			return VT_EXIT_OK;
		case 'b':
			m->batch = optarg;
			break;
		case 'f':
			m->force = true;
			break;
		case ':':
			return vt_usage_error("option '%s' needs a value",
					      argv[optind - 1]);
		default:
			if (optopt)
				return vt_usage_error("unknown option '-%c' (try 'vtunctl help')",
						      optopt);
			return vt_usage_error("unknown option '%s' (try 'vtunctl help')",
					      argv[optind - 1]);
		}
	}
	return -1;
}

/* Output that never reached its destination is a failure too. */
static int finish_stdout(int rc)
{
	if (fflush(stdout) || ferror(stdout)) {
		int err = errno;

		if (rc == VT_EXIT_OK)
			rc = vt_fail("write error: %s", strerror(err));
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct main_opts m = { 0 };
	struct vt_args args;
	int rc;

	rc = parse_options(argc, argv, &m);
	if (rc >= 0)
		return finish_stdout(rc);
	args.argc = argc - optind;
	args.argv = argv + optind;
	if (m.force && !m.batch)
		rc = vt_usage_error("--force goes with --batch");
	else if (m.batch && args.argc)
		rc = vt_usage_error("unexpected '%.32s': the commands of --batch come from its file",
				    args.argv[0]);
	else if (m.batch)
		rc = vt_batch_run(m.batch, m.force, &m.o, dispatch);
	else
		rc = dispatch(&m.o, &args);
	return finish_stdout(rc);
}
