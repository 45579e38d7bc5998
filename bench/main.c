// SPDX-License-Identifier: GPL-2.0
/*
 * gmembench: guest_memfd private/shared conversion benchmark.
 */
#include <stdio.h>
#include <string.h>

#include "bench/cmd.h"
#include "bench/compare.h"
#include "bench/verify.h"

struct subcmd {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);
};

static int cmd_compare(int argc, char **argv)
{
	return compare_main(argc, argv, stdout, stderr);
}

static const struct subcmd subcmds[] = {
	{ "verify", "TAP conformance check of this kernel's guest_memfd behaviour", cmd_verify },
	{ "probe", "what this host's kernel offers: backends, channel, counters", cmd_probe },
	{ "list", "workloads, backends, output formats and metrics", cmd_list },
	{ "run", "run a workload: gmembench run WORKLOAD [options]", cmd_run },
	{ "compare", "compare two result sets: gmembench compare BASE CAND", cmd_compare },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct subcmd *c;

	fprintf(f, "usage: gmembench <command> [options]\n\ncommands:\n");
	for (c = subcmds; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\n'gmembench <command> -h' for the command's options.\n");
}

int main(int argc, char **argv)
{
	const struct subcmd *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("gmembench %s (%s)\n", GMB_VERSION, GMB_GIT_SHA);
		return 0;
	}
	for (c = subcmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	gmb_err("unknown command '%s' (accepted: probe, list, run, compare, verify)", argv[1]);
	return EXIT_USAGE;
}
