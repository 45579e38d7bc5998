// SPDX-License-Identifier: GPL-2.0
/*
 * "tap" sink: TAP 13 with kselftest conventions on stdout, one test point
 * per cell and repetition: ok / not ok (error, timeout, interrupted) /
 * ok # SKIP reason. The plan comes last (allowed by TAP) because the
 * number of cells is known only at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/parse.h"
#include "bench/sink.h"

struct tap {
	unsigned int n, pass, fail, skip;
};

static int tap_begin(struct sink *s, const struct run_info *ri)
{
	s->priv = calloc(1, sizeof(struct tap));
	if (!s->priv)
		return -ENOMEM;
	fprintf(s->out ? s->out : stdout, "TAP version 13\n");
	return 0;
}

static int tap_cell(struct sink *s, const struct run_info *ri,
		    const struct cell_result *r)
{
	FILE *f = s->out ? s->out : stdout;
	const struct cell_key *k = &r->key;
	struct tap *t = s->priv;
	const struct hist *h;
	char g[16];

	format_size(k->granularity_bytes, g, sizeof(g));
	t->n++;
	switch (r->status) {
	case CELL_OK:
		t->pass++;
		fprintf(f, "ok %u - %s %s/%s G=%s %s rep %d\n", t->n, k->workload, k->backend,
			k->driver, g, k->variant, k->repetition);
		h = cell_metric_get(r, MET_CONVERT_NS);
		if (h)
			fprintf(f, "# %s p50 %llu p99 %llu count %llu\n",
				core_metrics[MET_CONVERT_NS].name,
				(unsigned long long)hist_percentile(h, 50),
				(unsigned long long)hist_percentile(h, 99),
				(unsigned long long)h->count);
		break;
	case CELL_SKIPPED:
		t->skip++;
		fprintf(f, "ok %u %s %s/%s G=%s # SKIP %s\n", t->n, k->workload, k->backend,
			k->driver, g, r->reason);
		break;
	default:
		t->fail++;
		fprintf(f, "not ok %u - %s %s/%s G=%s %s rep %d\n# %s: %s\n", t->n, k->workload,
			k->backend, k->driver, g, k->variant, k->repetition,
			cell_status_name(r->status), r->reason);
		break;
	}
	fflush(f);
	return 0;
}

static int tap_end(struct sink *s, const struct run_info *ri)
{
	FILE *f = s->out ? s->out : stdout;
	struct tap *t = s->priv;

	fprintf(f, "1..%u\n# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
		t->n, t->pass, t->fail, t->skip);
	return 0;
}

/* priv is one allocation: the default free_priv releases it */
const struct sink_ops sink_tap_ops = {
	.name = "tap",
	.begin = tap_begin, .cell = tap_cell, .end = tap_end,
};
