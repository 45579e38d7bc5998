// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench list [workloads|backends|formats|metrics]`
 */
#include <stdio.h>
#include <string.h>

#include "bench/cmd.h"
#include "bench/sink.h"
#include "harness/backend.h"
#include "workloads/workload.h"

static void list_workloads(void)
{
	const struct workload *const *w;
	const struct wl_option *o;

	printf("workloads (gmembench run WORKLOAD; -O KEY=VALUE sets an option):\n");
	for (w = workload_registry; *w; w++) {
		printf("  %-12s %s\n", (*w)->name, (*w)->summary);
		for (o = (*w)->options; o && o->name; o++)
			printf("      -O %s=<%s> (default %s): %s\n", o->name,
			       o->type == WL_OPT_SIZE ? "size" : o->type == WL_OPT_UINT ? "uint" :
			       o->type == WL_OPT_DOUBLE ? "number" : "choice", o->def, o->help);
	}
}

/* histograms, in ns; the CSV's metric column and the JSON's metrics keys */
static void list_metrics(void)
{
	const struct workload *const *w;
	const struct metric_decl *d;
	size_t i;

	printf("metrics (histograms in ns: p50 .. max per row; results/README.md):\n");
	printf("  every workload that converts:\n");
	for (i = 0; i < NR_CORE_METRICS; i++)
		printf("      %-24s %s\n", core_metrics[i].name, core_metrics[i].help);
	for (w = workload_registry; *w; w++) {
		if (!(*w)->metrics || !(*w)->metrics->name)
			continue;
		printf("  %s:\n", (*w)->name);
		for (d = (*w)->metrics; d->name; d++)
			printf("      %-24s %s\n", d->name, d->help ? d->help : "");
	}
}

static void list_backends(void)
{
	size_t i;

	printf("backends (-b; 'gmembench probe' tells which this host offers):\n");
	for (i = 0; conv_backends[i]; i++)
		printf("  %-12s %s\n", conv_backends[i]->name, conv_backends[i]->summary);
}

static void list_formats(void)
{
	size_t i;

	printf("formats (-f):\n");
	for (i = 0; sink_registry[i]; i++)
		printf("  %-12s %s\n", sink_registry[i]->name,
		       sink_registry[i]->file_name ? sink_registry[i]->file_name : "terminal summary");
}

int cmd_list(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";

	if (!strcmp(what, "workloads")) {
		list_workloads();
	} else if (!strcmp(what, "backends")) {
		list_backends();
	} else if (!strcmp(what, "formats")) {
		list_formats();
	} else if (!strcmp(what, "metrics")) {
		list_metrics();
	} else if (!strcmp(what, "all")) {
		list_workloads();
		list_backends();
		list_formats();
		list_metrics();
	} else {
		gmb_err("list: unknown list '%s' (accepted: workloads, backends, formats, metrics, all)", what);
		return EXIT_USAGE;
	}
	return 0;
}
