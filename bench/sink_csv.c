// SPDX-License-Identifier: GPL-2.0
/*
 * CSV sink: results.csv, one row per cell x repetition x metric (a cell
 * without metrics, e.g. a skipped one, still gets one row with its status
 * and reason). The whole file is rewritten atomically after every cell.
 * Every column is documented in results/README.md.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/atomic_file.h"
#include "bench/csv.h"
#include "bench/sink.h"

static const char *const csv_columns[] = {
	"schema_version", "run_id", "workload", "backend", "driver", "channel",
	"variant", "vm_type", "granularity_bytes", "region_bytes", "vcpus",
	"iterations", "repetition", "warmup", "status", "reason", "metric",
	"count", "min_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "p9999_ns",
	"max_ns", "mean_ns", "stddev_ns", "cv", "conversions", "bytes_converted",
	"eagain_total", "retries_total", "guest_pages_touched", "wall_ns",
	"conversions_per_s", "bytes_per_s", "counters", NULL,
};

static int csv_begin(struct sink *s, const struct run_info *ri)
{
	struct csv_buf *b = calloc(1, sizeof(*b));
	const char *const *c;

	if (!b)
		return -ENOMEM;
	csv_buf_init(b);
	for (c = csv_columns; *c; c++)
		csv_str(b, *c);
	csv_end_row(b);
	s->priv = b;
	return csv_buf_error(b);
}

/* workload-specific counters as "name=value;name=value" (names carry units) */
static void csv_extra(struct csv_buf *b, const struct cell_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		b->err = -ENOMEM;
		return;
	}
	for (i = 0; i < r->nr_extra; i++)
		fprintf(f, "%s%s=%.17g", i ? ";" : "", r->extra[i].name, r->extra[i].value);
	if (fclose(f))
		b->err = -ENOMEM;
	else
		csv_str(b, buf);
	free(buf);
}

static void csv_row(struct csv_buf *b, const struct run_info *ri,
		    const struct cell_result *r, const struct metric *m)
{
	const struct cell_key *k = &r->key;
	struct hist_summary hs;

	csv_u64(b, RESULT_SCHEMA_VERSION);
	csv_str(b, ri->run_id);
	csv_str(b, k->workload);
	csv_str(b, k->backend);
	csv_str(b, k->driver);
	csv_str(b, k->channel);
	csv_str(b, k->variant);
	csv_u64(b, k->vm_type);
	csv_u64(b, k->granularity_bytes);
	csv_u64(b, k->region_bytes);
	csv_u64(b, k->vcpus);
	csv_u64(b, k->iterations);
	csv_i64(b, k->repetition);
	csv_u64(b, k->repetition < 0);
	csv_str(b, cell_status_name(r->status));
	csv_str(b, r->reason);
	if (m) {
		hist_summarize(m->hist, &hs);
		csv_str(b, m->name);
		csv_u64(b, hs.count);
		csv_u64(b, hs.min_ns);
		csv_u64(b, hs.p50_ns);
		csv_u64(b, hs.p90_ns);
		csv_u64(b, hs.p99_ns);
		csv_u64(b, hs.p999_ns);
		csv_u64(b, hs.p9999_ns);
		csv_u64(b, hs.max_ns);
		csv_double(b, hs.mean_ns);
		csv_double(b, hs.stddev_ns);
		csv_double(b, hs.cv);
	} else {
		int i;

		for (i = 0; i < 12; i++)
			csv_str(b, "");
	}
	csv_u64(b, r->ctr.conversions);
	csv_u64(b, r->ctr.bytes_converted);
	csv_u64(b, r->ctr.eagain_total);
	csv_u64(b, r->ctr.retries_total);
	csv_u64(b, r->ctr.guest_pages_touched);
	csv_u64(b, r->ctr.wall_ns);
	csv_double(b, cell_conversions_per_s(r));
	csv_double(b, cell_bytes_per_s(r));
	csv_extra(b, r);
	csv_end_row(b);
}

static int csv_flush(struct sink *s)
{
	struct csv_buf *b = s->priv;
	int r = csv_buf_error(b);

	if (r) {
		snprintf(s->err, sizeof(s->err), "%s: %s", s->path, strerror(-r));
		return r;
	}
	return atomic_write_file(s->path, b->data, b->len, s->err, sizeof(s->err));
}

static int csv_cell(struct sink *s, const struct run_info *ri,
		    const struct cell_result *r)
{
	struct csv_buf *b = s->priv;
	const struct metric *m;

	if (!cell_nr_metrics_recorded(r))
		csv_row(b, ri, r, NULL);
	cell_for_each_metric(r, m)
		csv_row(b, ri, r, m);
	return csv_flush(s);
}

static int csv_end(struct sink *s, const struct run_info *ri)
{
	return csv_flush(s);
}

static void csv_free(void *priv)
{
	if (priv)
		csv_buf_free(priv);
	free(priv);
}

const struct sink_ops sink_csv_ops = {
	.name = "csv", .file_name = "results.csv",
	.begin = csv_begin, .cell = csv_cell, .end = csv_end, .free_priv = csv_free,
};
