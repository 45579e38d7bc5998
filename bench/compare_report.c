// SPDX-License-Identifier: GPL-2.0
/*
 * Output of `gmembench compare`: the report as an aligned text table or a
 * markdown table, with mmtests' markers ('*' after a delta whose interval
 * excludes 1, '!' before a regressed row), the cells that failed, were
 * skipped or are missing in cand, the cells found on one side only,
 * geometric means of the ratios, notes on what the statistics could not
 * use, and a summary line; and the comparison as CSV, one row per compared
 * statistic plus one per unhealthy cell, for scripts.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/atomic_file.h"
#include "bench/compare_internal.h"
#include "bench/csv.h"
#include "bench/stats.h"

/*
 * Exact binary suffix when there is one: "4K", "2M"; else the text as is.
 * Not format_size() from bench/parse.h: this one takes the CSV text (what
 * strtoull accepts, e.g. " 4096" or "+4096") and also knows P and E, so
 * the cell names would change for such values.
 */
static void cmp_fmt_bytes(const char *txt, char *buf, size_t len)
{
	static const char sfx[] = "KMGTPE";
	unsigned long long v;
	char *end;
	int i = -1;

	errno = 0;
	v = strtoull(txt, &end, 10);
	if (!*txt || *end || errno || !v) {
		snprintf(buf, len, "%s", txt);
		return;
	}
	while (i < 5 && !(v & 1023)) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", v);
	else
		snprintf(buf, len, "%llu%c", v, sfx[i]);
}

/*
 * "workload/backend/driver/channel/variant/g4K/r2M/v1[/metric]": short
 * enough for a terminal, exact enough to find the cell again.
 */
char *compare_cell_name(const struct cmp_cell *c)
{
	char g[32], r[32], *name;
	int ret;

	cmp_fmt_bytes(c->f[CMP_K_GRANULARITY], g, sizeof(g));
	cmp_fmt_bytes(c->f[CMP_K_REGION], r, sizeof(r));
	ret = asprintf(&name, "%s/%s/%s/%s/%s/g%s/r%s/v%s%s%s",
		       c->f[CMP_K_WORKLOAD], c->f[CMP_K_BACKEND],
		       c->f[CMP_K_DRIVER], c->f[CMP_K_CHANNEL],
		       c->f[CMP_K_VARIANT], g, r, c->f[CMP_K_VCPUS],
		       c->per_metric ? "/" : "",
		       c->per_metric ? c->f[CMP_K_METRIC] : "");
	return ret < 0 ? NULL : name;
}

static void cmp_fmt_value(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 100.0)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

static void cmp_fmt_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.0001)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
}

enum {
	CMP_COL_CELL,
	CMP_COL_STAT,
	CMP_COL_BASE,
	CMP_COL_CAND,
	CMP_COL_DELTA,
	CMP_COL_RATIO,
	CMP_COL_CI,
	CMP_COL_P,
	CMP_COL_FROM,
	CMP_COL_VERDICT,
	CMP_NR_COLS,
};

static const char *const cmp_col_titles[CMP_NR_COLS] = {
	"cell", "stat", "base", "cand", "delta%", "ratio", "ci", "p(U)",
	"from", "verdict",
};

static const char *const cmp_from_names[] = {
	[CMP_FROM_BINS] = "bins",
	[CMP_FROM_REPS] = "reps",
};

/* markdown needs '|' (cell separator), '*' and '\' escaped; '_' is safe */
static void cmp_md_put(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '*' || *s == '\\' || *s == '`')
			fputc('\\', out);
		fputc(*s, out);
	}
}

/*
 * Free text (a cell's reason may hold newlines) on one line: control
 * characters become spaces; markdown escaped as in the table.
 */
static void cmp_put_text(FILE *out, const char *s, int markdown)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fputc(' ', out);
		else if (markdown && strchr("|*\\`", c))
			fprintf(out, "\\%c", c);
		else
			fputc(c, out);
	}
}

static int cmp_fill_cells(const struct cmp_row *row, int markdown,
			  char *cells[CMP_NR_COLS])
{
	char v[64], *name = compare_cell_name(row->cell);
	int reg = row->verdict == CMP_REGRESSION, k;

	if (!name)
		return -ENOMEM;
	/* text pads with a space where a marker could be, to keep alignment */
	if (asprintf(&cells[CMP_COL_CELL], "%s%s",
		     reg ? "!" : markdown ? "" : " ", name) < 0)
		cells[CMP_COL_CELL] = NULL;
	free(name);
	cells[CMP_COL_STAT] = strdup(compare_stat_defs[row->stat].name);
	cmp_fmt_value(row->base_val, v, sizeof(v));
	cells[CMP_COL_BASE] = strdup(v);
	cmp_fmt_value(row->cand_val, v, sizeof(v));
	cells[CMP_COL_CAND] = strdup(v);
	if (asprintf(&cells[CMP_COL_DELTA], "%+.1f%%%s", row->delta_pct,
		     row->significant ? "*" : markdown ? "" : " ") < 0)
		cells[CMP_COL_DELTA] = NULL;
	if (asprintf(&cells[CMP_COL_RATIO], "%.3f", row->ratio) < 0)
		cells[CMP_COL_RATIO] = NULL;
	if (asprintf(&cells[CMP_COL_CI], "%.3f..%.3f", row->ci_lo,
		     row->ci_hi) < 0)
		cells[CMP_COL_CI] = NULL;
	cmp_fmt_p(row->p, v, sizeof(v));
	cells[CMP_COL_P] = strdup(v);
	cells[CMP_COL_FROM] = strdup(cmp_from_names[row->from]);
	if (asprintf(&cells[CMP_COL_VERDICT], "%s%s",
		     compare_verdict_names[row->verdict],
		     row->effect_only && row->verdict != CMP_SAME ?
		     " (n<2)" : "") < 0)
		cells[CMP_COL_VERDICT] = NULL;
	for (k = 0; k < CMP_NR_COLS; k++)
		if (!cells[k])
			return -ENOMEM;
	return 0;
}

static void cmp_free_grid(char **grid, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(grid[i]);
	free(grid);
}

static int cmp_print_table(const struct cmp_result *res, int markdown,
			   FILE *out)
{
	size_t nr = res->nr_rows, i, w[CMP_NR_COLS] = { 0 };
	char **grid = calloc((nr + 1) * CMP_NR_COLS, sizeof(*grid));
	int k, ret = 0;

	if (!grid)
		return -ENOMEM;
	for (k = 0; k < CMP_NR_COLS; k++) {
		grid[k] = strdup(cmp_col_titles[k]);
		if (!grid[k])
			ret = -ENOMEM;
	}
	for (i = 0; i < nr && !ret; i++)
		ret = cmp_fill_cells(&res->rows[i], markdown,
				     &grid[(i + 1) * CMP_NR_COLS]);
	if (ret)
		goto out;

	if (markdown) {
		for (i = 0; i <= nr; i++) {
			for (k = 0; k < CMP_NR_COLS; k++) {
				fputs("| ", out);
				cmp_md_put(out, grid[i * CMP_NR_COLS + k]);
				fputc(' ', out);
			}
			fputs("|\n", out);
			if (!i)
				fputs("|:--|:--|--:|--:|--:|--:|--:|--:|:--|:--|\n",
				      out);
		}
		goto out;
	}

	for (i = 0; i <= nr; i++)
		for (k = 0; k < CMP_NR_COLS; k++) {
			size_t l = strlen(grid[i * CMP_NR_COLS + k]);

			if (l > w[k])
				w[k] = l;
		}
	for (i = 0; i <= nr; i++) {
		for (k = 0; k < CMP_NR_COLS; k++) {
			const char *s = grid[i * CMP_NR_COLS + k];
			int left = k == CMP_COL_CELL || k == CMP_COL_STAT ||
				   k == CMP_COL_VERDICT;

			if (k == CMP_NR_COLS - 1)
				fprintf(out, "%s\n", s);
			else if (left)
				fprintf(out, "%-*s  ", (int)w[k], s);
			else
				fprintf(out, "%*s  ", (int)w[k], s);
		}
	}
out:
	cmp_free_grid(grid, (nr + 1) * CMP_NR_COLS);
	return ret;
}

/*
 * Metric cells of one side only. Base's are listed when cand ran the cell
 * without that metric (a cell cand failed or lacks is in the status list
 * already); cand's whenever they are new.
 */
static int cmp_print_only(const struct cmp_side *s, int is_base, int markdown,
			  FILE *out)
{
	size_t i;

	for (i = 0; i < s->nr_cells; i++) {
		const struct cmp_cell *c = &s->cells[i];
		char *name;

		if (c->matched || !c->per_metric || !c->nr_reps ||
		    (is_base && !c->gone))
			continue;
		name = compare_cell_name(c);
		if (!name)
			return -ENOMEM;
		fprintf(out, "%sonly in %s: ", markdown ? "- " : "", s->label);
		cmp_put_text(out, name, markdown);
		fputc('\n', out);
		free(name);
	}
	return 0;
}

/* cells of base that cand failed, skipped or lacks, one line each */
static int cmp_print_status(const struct cmp_result *res, int markdown,
			    FILE *out)
{
	size_t i;

	for (i = 0; i < res->nr_st; i++) {
		const struct cmp_status *st = &res->st[i];
		char *name = compare_cell_name(st->cell);

		if (!name)
			return -ENOMEM;
		fprintf(out, "%s%s%s in cand: ", markdown ? "- " : "",
			st->health == CMP_FAILED ? "!" : "",
			st->health == CMP_FAILED_BOTH ? "failed" :
			compare_health_names[st->health]);
		cmp_put_text(out, name, markdown);
		if (*st->status) {
			fputs(" (", out);
			cmp_put_text(out, st->status, markdown);
			if (*st->reason)
				fputs(": ", out);
			cmp_put_text(out, st->reason, markdown);
			fputc(')', out);
		}
		if (st->health == CMP_FAILED_BOTH)
			fputs(", failed in base too", out);
		else if (st->health == CMP_FAILED)
			fputs(", ok in base: regression", out);
		fputc('\n', out);
		free(name);
	}
	return 0;
}

static int cmp_print_geomeans(const struct cmp_result *res, int markdown,
			      FILE *out)
{
	double *r = malloc((res->nr_rows + 1) * sizeof(*r));
	size_t i, n;
	int stat;

	if (!r)
		return -ENOMEM;
	for (stat = 0; stat < COMPARE_NR_STATS; stat++) {
		double g;

		n = 0;
		for (i = 0; i < res->nr_rows; i++) {
			double q = res->rows[i].ratio;

			/* a zero or infinite ratio has no logarithm to average */
			if (res->rows[i].stat == stat && q > 0.0 && isfinite(q))
				r[n++] = q;
		}
		if (!n)
			continue;
		g = stats_geomean(r, n);
		fprintf(out, "%sgeomean %s ratio %.3f (%+.1f%%)\n",
			markdown ? "- " : "", compare_stat_defs[stat].name, g,
			(g - 1.0) * 100.0);
	}
	free(r);
	return 0;
}

static void cmp_print_header(const struct cmp_side *base,
			     const struct cmp_side *cand,
			     const struct compare_opts *o, int markdown,
			     FILE *out)
{
	const struct cmp_side *sides[2] = { base, cand };
	const char *li = markdown ? "- " : "";
	int i;

	for (i = 0; i < 2; i++) {
		fprintf(out, "%s%s: %s", li, sides[i]->label, sides[i]->path);
		if (sides[i]->run_id && *sides[i]->run_id)
			fprintf(out, " (run %s)", sides[i]->run_id);
		if (!sides[i]->json_path)
			fputs(", no results.json: no per-conversion bins", out);
		fputc('\n', out);
	}
	fprintf(out, "%sci: %g%% hierarchical bootstrap of the ratio cand/base (repetitions, then conversions), %u resamples, seed %llu\n",
		li, (1.0 - o->alpha) * 100.0, o->resamples,
		(unsigned long long)o->seed);
	fprintf(out, "%sregression: ratio and whole ci beyond the threshold:", li);
	for (i = 0; i < COMPARE_NR_STATS; i++)
		fprintf(out, "%s %s %g%%", i ? "," : "",
			compare_stat_defs[i].name, compare_floor_pct(o, i));
	fputs("\n\n", out);
}

static void cmp_print_notes(const struct cmp_result *res,
			    const struct compare_opts *o, int markdown,
			    FILE *out)
{
	const char *li = markdown ? "- " : "";
	size_t missing = res->nr_health[CMP_MISSING] +
			 res->nr_health[CMP_SKIPPED] + res->nr_only_base;

	if (res->nr_from_reps)
		fprintf(out, "%snote: %zu latency comparison%s had no bins on a side (from=reps): the interval resamples per-repetition values of results.csv, not conversions\n",
			li, res->nr_from_reps, res->nr_from_reps > 1 ? "s" : "");
	if (res->nr_effect_only)
		fprintf(out, "%snote: %zu comparison%s had one repetition on a side: the interval sees no spread there, the threshold alone guards\n",
			li, res->nr_effect_only,
			res->nr_effect_only > 1 ? "s" : "");
	if (missing)
		fprintf(out, "%snote: %zu cell%s or metric%s of base missing in cand%s\n",
			li, missing, missing > 1 ? "s" : "",
			missing > 1 ? "s" : "",
			o->strict ? " (--strict: the gate fails)" :
			" (--strict would fail the gate)");
}

int compare_report(const struct cmp_side *base, const struct cmp_side *cand,
		   const struct cmp_result *res, const struct compare_opts *o,
		   FILE *out)
{
	int md = o->format == COMPARE_FORMAT_MARKDOWN;
	size_t failed = res->nr_health[CMP_FAILED];
	int ret;

	cmp_print_header(base, cand, o, md, out);
	if (res->nr_rows) {
		ret = cmp_print_table(res, md, out);
		if (ret)
			return ret;
		fputc('\n', out);
	}
	ret = cmp_print_status(res, md, out);
	if (!ret)
		ret = cmp_print_only(base, 1, md, out);
	if (!ret)
		ret = cmp_print_only(cand, 0, md, out);
	if (!ret)
		ret = cmp_print_geomeans(res, md, out);
	if (ret)
		return ret;
	cmp_print_notes(res, o, md, out);
	fprintf(out, "%s%zu regression%s, %zu failed cell%s, %zu improvement%s, %zu same ('*' ci excludes 1, '!' regression)\n",
		md ? "- " : "", res->nr_regressions,
		res->nr_regressions == 1 ? "" : "s", failed,
		failed == 1 ? "" : "s", res->nr_improvements,
		res->nr_improvements == 1 ? "" : "s",
		res->nr_rows - res->nr_regressions - res->nr_improvements);
	return 0;
}

static const char *const cmp_csv_header[] = {
	"workload", "backend", "driver", "channel", "variant",
	"granularity_bytes", "region_bytes", "vcpus", "metric", "stat",
	"better", "base_n", "cand_n", "base_count", "cand_count",
	"base_value", "cand_value", "delta_pct", "ratio", "ci_low", "ci_high",
	"p_value", "significant", "from", "verdict",
};
#define CMP_CSV_COLS	(sizeof(cmp_csv_header) / sizeof(cmp_csv_header[0]))

static void cmp_csv_row(struct csv_buf *b, const struct cmp_row *r)
{
	const struct cmp_stat_def *def = &compare_stat_defs[r->stat];
	size_t k;

	for (k = 0; k < CMP_NR_KEY; k++)
		csv_str(b, r->cell->f[k]);
	csv_str(b, def->name);
	csv_str(b, def->higher_better ? "higher" : "lower");
	csv_u64(b, r->base_n);
	csv_u64(b, r->cand_n);
	csv_u64(b, r->base_count);
	csv_u64(b, r->cand_count);
	csv_double(b, r->base_val);
	csv_double(b, r->cand_val);
	csv_double(b, r->delta_pct);
	csv_double(b, r->ratio);
	csv_double(b, r->ci_lo);
	csv_double(b, r->ci_hi);
	csv_double(b, r->p);
	csv_u64(b, (uint64_t)r->significant);
	csv_str(b, cmp_from_names[r->from]);
	csv_str(b, compare_verdict_names[r->verdict]);
	csv_end_row(b);
}

/* stat "status", verdict failed / failed_in_base_too / skipped / missing */
static void cmp_csv_status(struct csv_buf *b, const struct cmp_status *st)
{
	static const char *const verdicts[CMP_NR_HEALTH] = {
		[CMP_FAILED] = "failed",
		[CMP_FAILED_BOTH] = "failed_in_base_too",
		[CMP_SKIPPED] = "skipped",
		[CMP_MISSING] = "missing",
	};
	size_t k;

	for (k = 0; k < CMP_NR_KEY; k++)
		csv_str(b, st->cell->f[k]);
	csv_str(b, "status");
	/* better .. from: no numbers for a cell that did not run */
	for (k = CMP_NR_KEY + 1; k < CMP_CSV_COLS - 1; k++)
		csv_str(b, "");
	csv_str(b, verdicts[st->health]);
	csv_end_row(b);
}

int compare_write_csv(const struct cmp_result *res, const char *path,
		      FILE *errf)
{
	struct csv_buf b;
	char err[256] = "";
	size_t i;
	int ret;

	csv_buf_init(&b);
	for (i = 0; i < CMP_CSV_COLS; i++)
		csv_str(&b, cmp_csv_header[i]);
	csv_end_row(&b);
	for (i = 0; i < res->nr_rows; i++)
		cmp_csv_row(&b, &res->rows[i]);
	for (i = 0; i < res->nr_st; i++)
		cmp_csv_status(&b, &res->st[i]);
	ret = csv_buf_error(&b);
	if (ret) {
		compare_err(errf, "%s: %s", path, strerror(-ret));
	} else {
		ret = atomic_write_file(path, b.data, b.len, err, sizeof(err));
		/* its message already names the file */
		if (ret && err[0])
			compare_err(errf, "%s", err);
		else if (ret)
			compare_err(errf, "%s: %s", path, strerror(-ret));
	}
	csv_buf_free(&b);
	return ret;
}
