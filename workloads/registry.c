// SPDX-License-Identifier: GPL-2.0
/*
 * The workload table: adding a workload is one file plus one row here.
 */
#include <string.h>

#include "harness/table.h"
#include "workloads/workload.h"

extern const struct workload wl_granularity;
extern const struct workload wl_layouts;
extern const struct workload wl_contention;
extern const struct workload wl_bounce;
extern const struct workload wl_pinned;
extern const struct workload wl_invalidation;
extern const struct workload wl_footprint;

const struct workload *const workload_registry[] = {
	&wl_granularity,
	&wl_layouts,
	&wl_pinned,
	&wl_invalidation,
	&wl_contention,
	&wl_bounce,
	&wl_footprint,
	NULL,
};

const struct workload *workload_find(const char *name)
{
	return table_find(workload_registry, name);
}

const char *wl_opt_str(const struct run_cfg *cfg, const struct workload *wl,
		       const char *name)
{
	const struct wl_option *o;
	unsigned int i;

	for (i = 0; i < cfg->nr_wl_opts; i++)
		if (!strcmp(cfg->wl_opts[i].key, name))
			return cfg->wl_opts[i].val;
	for (o = wl->options; o && o->name; o++)
		if (!strcmp(o->name, name))
			return o->def;
	return NULL;
}
