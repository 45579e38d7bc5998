// SPDX-License-Identifier: GPL-2.0
/*
 * "simple" sink, as perf bench -f simple: one number per measured cell and
 * repetition on stdout, the p50 of convert_ns in ns (0 when the cell has no
 * conversions), nothing else. Skipped/failed cells print nothing. For
 * scripts that want a single figure: `gmembench run ... -f simple -g 4K`.
 */
#include <inttypes.h>
#include <stdio.h>

#include "bench/sink.h"

static int simple_begin(struct sink *s, const struct run_info *ri)
{
	return 0;
}

static int simple_cell(struct sink *s, const struct run_info *ri,
		       const struct cell_result *r)
{
	const struct hist *h = cell_metric_get(r, MET_CONVERT_NS);

	if (r->status != CELL_OK || r->key.repetition < 0)
		return 0;
	fprintf(s->out ? s->out : stdout, "%" PRIu64 "\n", h ? hist_percentile(h, 50) : 0);
	return 0;
}

static int simple_end(struct sink *s, const struct run_info *ri)
{
	fflush(s->out ? s->out : stdout);
	return 0;
}

const struct sink_ops sink_simple_ops = {
	.name = "simple",
	.begin = simple_begin, .cell = simple_cell, .end = simple_end,
};
