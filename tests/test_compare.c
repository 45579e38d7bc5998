// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench compare` end to end on results.csv files alone (no
 * results.json: the per-repetition fallback): synthetic files are written
 * with the real CSV writer into a temp dir, compared through compare_main()
 * and the verdicts, markers, CSV output and geomean are checked against
 * values the test computes itself from the same generator. The per-
 * conversion statistics, failed cells and input hygiene are in
 * test_compare_gate.c.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench/compare.h"
#include "bench/csv.h"
#include "tests/cmp_test.h"

#define NR_GRAN		3
#define NR_METRIC	2
#define MAX_REPS	32
/* 3 granularities x 2 metrics x (p50, p99) + 3 cells x conversions_per_s */
#define NR_CMP_ROWS	(NR_GRAN * NR_METRIC * 2 + NR_GRAN)

static const uint64_t gran_bytes[NR_GRAN] = { 4096, 65536, 2097152 };
static const char *const gran_short[NR_GRAN] = { "4K", "64K", "2M" };
static const char *const metric_names[NR_METRIC] = {
	"to_private_ns", "to_shared_ns",
};
#define REGION_BYTES	16777216ULL

static const char *const schema_cols[] = {
	"schema_version", "run_id", "workload", "backend", "driver",
	"channel", "variant", "vm_type", "granularity_bytes", "region_bytes",
	"vcpus", "iterations", "repetition", "warmup", "status", "reason",
	"metric", "count", "min_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns",
	"p9999_ns", "max_ns", "mean_ns", "stddev_ns", "cv", "conversions",
	"bytes_converted", "eagain_total", "retries_total",
	"guest_pages_touched", "wall_ns", "conversions_per_s", "bytes_per_s",
};
#define NR_SCHEMA_COLS	(sizeof(schema_cols) / sizeof(schema_cols[0]))

/* the documented header of compare --csv */
static const char cmp_csv_header[] =
	"workload,backend,driver,channel,variant,granularity_bytes,"
	"region_bytes,vcpus,metric,stat,better,base_n,cand_n,base_count,"
	"cand_count,base_value,cand_value,delta_pct,ratio,ci_low,ci_high,"
	"p_value,significant,from,verdict";
#define NR_CMP_CSV_COLS	25

/* cmocka 1.1 has no assert_double_equal */
#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), #a, __LINE__)

static void assert_near_at(double a, double b, double eps, const char *what,
			   int line)
{
	if (!(fabs(a - b) <= eps))
		fail_msg("line %d: %s = %.17g, expected %.17g (+-%g)", line,
			 what, a, b, eps);
}

/* how one synthetic run differs from the baseline */
struct gen {
	const char *workload;
	int reps;
	int schema_version;
	const char *omit_col;
	double p50_mult[NR_GRAN];	/* 0 = 1.0 */
	int slow_reps;			/* > 0: only reps < slow_reps get p50_mult */
	double conv_mult;		/* 0 = 1.0 */
	const char *extra_metric;	/* one more metric on every cell */
};

/* deterministic +-1.6% noise that differs per rep, cell and metric */
static double noise(int g, int m, int rep, int salt)
{
	return 1.0 + 0.004 * (double)((rep * 7 + g * 3 + m * 5 + salt) % 9 - 4);
}

static double p50_raw(int g, int m, int rep)
{
	return (1000.0 + 500.0 * g + 300.0 * m) * noise(g, m, rep, 0);
}

static double p99_raw(int g, int m, int rep)
{
	return 4.0 * (1000.0 + 500.0 * g + 300.0 * m) * noise(g, m, rep, 2);
}

static double conv_raw(int g, int rep)
{
	return 1e5 / (g + 1) * noise(g, 0, rep, 4);
}

static double mult_or_one(double m)
{
	return m == 0.0 ? 1.0 : m;
}

/* the p50 the generator writes, as the test expects to read it back */
static double gen_p50(const struct gen *gn, int g, int m, int rep)
{
	double mult = mult_or_one(gn->p50_mult[g]);

	if (gn->slow_reps && rep >= gn->slow_reps)
		mult = 1.0;
	return (double)llround(p50_raw(g, m, rep) * mult);
}

static double gen_p99(const struct gen *gn, int g, int m, int rep)
{
	return (double)llround(p99_raw(g, m, rep));
}

static double gen_conv(const struct gen *gn, int g, int rep)
{
	return conv_raw(g, rep) * mult_or_one(gn->conv_mult);
}

static void put_row(struct csv_buf *b, const struct gen *gn, int g,
		    const char *metric, int m, int rep, const char *status)
{
	/* warm-up and failed rows carry absurd values: they must be ignored */
	int bogus = rep < 0 || strcmp(status, "ok");
	double p50 = bogus ? 1e9 : gen_p50(gn, g, m, rep);
	double p99 = bogus ? 1e9 : gen_p99(gn, g, m, rep);
	double conv = bogus ? 1.0 : gen_conv(gn, g, rep);
	size_t c;

	for (c = 0; c < NR_SCHEMA_COLS; c++) {
		const char *col = schema_cols[c];

		if (gn->omit_col && !strcmp(col, gn->omit_col))
			continue;
		if (!strcmp(col, "schema_version"))
			csv_i64(b, gn->schema_version ? gn->schema_version : 1);
		else if (!strcmp(col, "run_id"))
			csv_str(b, "20250101T000000-test");
		else if (!strcmp(col, "workload"))
			csv_str(b, gn->workload ? gn->workload : "granularity");
		else if (!strcmp(col, "backend"))
			csv_str(b, "inplace");
		else if (!strcmp(col, "driver"))
			csv_str(b, "guest");
		else if (!strcmp(col, "channel"))
			csv_str(b, "hypercall");
		else if (!strcmp(col, "variant"))
			csv_str(b, "-");
		else if (!strcmp(col, "granularity_bytes"))
			csv_u64(b, gran_bytes[g]);
		else if (!strcmp(col, "region_bytes"))
			csv_u64(b, REGION_BYTES);
		else if (!strcmp(col, "vcpus") || !strcmp(col, "vm_type"))
			csv_u64(b, !strcmp(col, "vcpus"));
		else if (!strcmp(col, "iterations"))
			csv_u64(b, 4);
		else if (!strcmp(col, "repetition"))
			csv_i64(b, rep);
		else if (!strcmp(col, "warmup"))
			csv_u64(b, rep < 0);
		else if (!strcmp(col, "status"))
			csv_str(b, status);
		else if (!strcmp(col, "reason"))
			csv_str(b, strcmp(status, "ok") ? "ioctl failed, EIO" : "");
		else if (!strcmp(col, "metric"))
			csv_str(b, metric);
		else if (!strcmp(col, "p50_ns"))
			csv_double(b, p50);
		else if (!strcmp(col, "p99_ns"))
			csv_double(b, p99);
		else if (!strcmp(col, "p90_ns") || !strcmp(col, "mean_ns"))
			csv_double(b, (double)llround(p50 * 1.5));
		else if (!strcmp(col, "cv"))
			csv_double(b, 0.05);
		else if (!strcmp(col, "conversions_per_s"))
			csv_double(b, conv);
		else if (!strcmp(col, "bytes_per_s"))
			csv_double(b, conv * (double)gran_bytes[g]);
		else
			csv_u64(b, 1000 + (uint64_t)c);
	}
	csv_end_row(b);
}

static void write_results(const char *path, const struct gen *gn)
{
	int reps = gn->reps ? gn->reps : 9;
	struct csv_buf b;
	size_t c;
	FILE *f;
	int g, m, rep;

	csv_buf_init(&b);
	for (c = 0; c < NR_SCHEMA_COLS; c++)
		if (!gn->omit_col || strcmp(schema_cols[c], gn->omit_col))
			csv_str(&b, schema_cols[c]);
	csv_end_row(&b);
	for (g = 0; g < NR_GRAN; g++) {
		/* rep -1 is the warm-up pass */
		for (rep = -1; rep < reps; rep++) {
			for (m = 0; m < NR_METRIC; m++)
				put_row(&b, gn, g, metric_names[m], m, rep,
					"ok");
			if (gn->extra_metric)
				put_row(&b, gn, g, gn->extra_metric, 0, rep,
					"ok");
		}
		/* an extra repetition that failed */
		put_row(&b, gn, g, metric_names[0], 0, reps, "error");
	}
	assert_int_equal(csv_buf_error(&b), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	assert_int_equal(fclose(f), 0);
	csv_buf_free(&b);
}

static int setup(void **state)
{
	return cmp_fix_setup(state, sizeof(struct cmp_fix));
}

#define run(f, ...)	cmp_fix_run(f, __VA_ARGS__)

static void write_pair(struct cmp_fix *f, const struct gen *base,
		       const struct gen *cand)
{
	write_results(f->base_csv, base);
	write_results(f->cand_csv, cand);
}

static double median(double *x, int n)
{
	int i, j;

	/* insertion sort: n is tiny and this stays independent of stats.c */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && x[j - 1] > x[j]; j--) {
			double t = x[j];

			x[j] = x[j - 1];
			x[j - 1] = t;
		}
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2.0;
}

static double p50_median(const struct gen *gn, int g, int m)
{
	double v[MAX_REPS];
	int reps = gn->reps ? gn->reps : 9, r;

	for (r = 0; r < reps; r++)
		v[r] = gen_p50(gn, g, m, r);
	return median(v, reps);
}

static double conv_median(const struct gen *gn, int g)
{
	double v[MAX_REPS];
	int reps = gn->reps ? gn->reps : 9, r;

	for (r = 0; r < reps; r++)
		v[r] = gen_conv(gn, g, r);
	return median(v, reps);
}

static void cell_name(char *buf, size_t len, int g, const char *metric)
{
	snprintf(buf, len, "granularity/inplace/guest/hypercall/-/g%s/r16M/v1%s%s",
		 gran_short[g], metric ? "/" : "", metric ? metric : "");
}

/* the report line of (cell, stat), or fail */
static char *find_row(const char *out, const char *name, const char *stat)
{
	static char line[512];

	return cmp_find_line(out, name, stat, line, sizeof(line));
}

struct cmp_csv {
	struct csv_table t;
};

static void load_cmp_csv(struct cmp_fix *f, struct cmp_csv *c)
{
	size_t len, hlen = strlen(cmp_csv_header);
	char err[256] = "", *text = tu_slurp_must(f->out_csv, &len);

	/* exactly the documented header, in order */
	assert_true(len > hlen + 1);
	assert_memory_equal(text, cmp_csv_header, hlen);
	assert_memory_equal(text + hlen, "\r\n", 2);
	assert_int_equal(csv_parse(text, len, &c->t, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(c->t.nr_cols, NR_CMP_CSV_COLS);
}

/*
 * Write base and cand, compare them into the comparison CSV (the base
 * named by base_path), expect exit code rc and load the CSV into c.
 */
static void compare_csv(struct cmp_fix *f, const struct gen *base,
			const struct gen *cand, const char *base_path, int rc,
			struct cmp_csv *c)
{
	write_pair(f, base, cand);
	assert_int_equal(run(f, "--csv", f->out_csv, base_path, f->cand, NULL),
			 rc);
	load_cmp_csv(f, c);
}

static const char *cmp_field(const struct cmp_csv *c, size_t r,
			     const char *name)
{
	int col = csv_col(&c->t, name);

	assert_true(col >= 0);
	return c->t.rows[r][col];
}

/* the comparison CSV row of (granularity index, metric or "", stat) */
static size_t cmp_find(const struct cmp_csv *c, int g, const char *metric,
		       const char *stat)
{
	char gb[32];
	size_t r;

	snprintf(gb, sizeof(gb), "%llu", (unsigned long long)gran_bytes[g]);
	for (r = 0; r < c->t.nr_rows; r++)
		if (!strcmp(cmp_field(c, r, "granularity_bytes"), gb) &&
		    !strcmp(cmp_field(c, r, "metric"), metric) &&
		    !strcmp(cmp_field(c, r, "stat"), stat))
			return r;
	fail_msg("no CSV row for %s %s %s", gb, metric, stat);
	return 0;
}

/*
 * every CSV row's verdict: `expect` for `stat` rows, "same" for others;
 * "significant" is 1 exactly when the interval excludes 1, and every row
 * comes from the per-repetition values (no results.json). The generator's
 * failed extra repetition makes one status row per cell, failed on both
 * sides.
 */
static void check_verdicts(const struct cmp_csv *c, const char *stat,
			   const char *expect, const char *significant)
{
	size_t r, nr_stat = 0;

	for (r = 0; r < c->t.nr_rows; r++) {
		int hit = !strcmp(cmp_field(c, r, "stat"), stat);
		double lo = strtod(cmp_field(c, r, "ci_low"), NULL);
		double hi = strtod(cmp_field(c, r, "ci_high"), NULL);

		if (!strcmp(cmp_field(c, r, "stat"), "status")) {
			assert_string_equal(cmp_field(c, r, "verdict"),
					    "failed_in_base_too");
			continue;
		}
		nr_stat++;
		assert_string_equal(cmp_field(c, r, "verdict"),
				    hit ? expect : "same");
		assert_string_equal(cmp_field(c, r, "from"), "reps");
		assert_string_equal(cmp_field(c, r, "significant"),
				    lo > 1.0 || hi < 1.0 ? "1" : "0");
		if (hit && significant)
			assert_string_equal(cmp_field(c, r, "significant"),
					    significant);
	}
	assert_int_equal(nr_stat, NR_CMP_ROWS);
	assert_int_equal(c->t.nr_rows, NR_CMP_ROWS + NR_GRAN);
}

/* compare_csv(), then check_verdicts() on the p50_ns rows */
static void compare_verdicts(struct cmp_fix *f, const struct gen *base,
			     const struct gen *cand, const char *base_path,
			     int rc, const char *expect,
			     const char *significant)
{
	struct cmp_csv c;

	compare_csv(f, base, cand, base_path, rc, &c);
	check_verdicts(&c, "p50_ns", expect, significant);
	csv_table_free(&c.t);
}

static void test_identical(void **state)
{
	struct cmp_fix *f = *state;
	struct gen g = { 0 };

	/* one side as a file path, the other as a directory */
	compare_verdicts(f, &g, &g, f->base_csv, 0, "same", "0");
	assert_string_equal(f->err, "");
	assert_null(strstr(f->out, "\n!"));
	assert_null(strstr(f->out, "regression  "));
	assert_non_null(strstr(f->out, "0 regressions, 0 failed cells, 0 improvements, 15 same"));
}

static void test_p50_30pct_slower(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .p50_mult = { 1.3, 1.3, 1.3 } };
	int g, m;

	compare_verdicts(f, &base, &cand, f->base, 1, "regression", "1");
	for (g = 0; g < NR_GRAN; g++)
		for (m = 0; m < NR_METRIC; m++) {
			char name[256], delta[32], *line;
			double b = p50_median(&base, g, m);
			double cm = p50_median(&cand, g, m);

			cell_name(name, sizeof(name), g, metric_names[m]);
			line = find_row(f->out, name, "p50_ns");
			assert_true(line[0] == '!');
			snprintf(delta, sizeof(delta), "%+.1f%%*",
				 (cm - b) / b * 100.0);
			assert_non_null(strstr(line, delta));
			assert_non_null(strstr(line, "regression"));
			line = find_row(f->out, name, "p99_ns");
			assert_true(line[0] != '!');
			assert_non_null(strstr(line, "same"));
		}
	assert_non_null(strstr(f->out, "6 regressions, 0 failed cells, 0 improvements, 9 same"));
}

static void test_markdown(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .p50_mult = { 1.3, 1.3, 1.3 } };
	char name[256], row[300];

	write_pair(f, &base, &cand);
	assert_int_equal(run(f, "--format", "markdown", f->base, f->cand,
			     NULL), 1);
	assert_non_null(strstr(f->out,
		"| cell | stat | base | cand | delta% | ratio | ci | p(U) | from | verdict |\n|:--|"));
	/* the significance marker is escaped so it is not emphasis */
	assert_non_null(strstr(f->out, "%\\* |"));
	cell_name(name, sizeof(name), 0, metric_names[0]);
	snprintf(row, sizeof(row), "| !%s | p50_ns |", name);
	assert_non_null(strstr(f->out, row));
}

static void test_2pct_slower_below_floor(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .p50_mult = { 1.02, 1.02, 1.02 } };

	/* whether its interval excludes 1 or not: below the threshold */
	compare_verdicts(f, &base, &cand, f->base, 0, "same", NULL);
}

static void test_2_of_9_slower_not_significant(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 };
	struct gen cand = { .p50_mult = { 1.3, 1.3, 1.3 }, .slow_reps = 2 };
	struct cmp_csv c;
	int g, m, nr_moved = 0;

	compare_csv(f, &base, &cand, f->base, 0, &c);
	check_verdicts(&c, "p50_ns", "same", "0");
	csv_table_free(&c.t);

	/*
	 * With no floor at all the medians still moved up, so only the U test
	 * keeps these rows from being regressions.
	 */
	assert_int_equal(run(f, "--threshold", "p50_ns=0", "--csv", f->out_csv,
			     f->base, f->cand, NULL), 0);
	load_cmp_csv(f, &c);
	check_verdicts(&c, "p50_ns", "same", "0");
	for (g = 0; g < NR_GRAN; g++)
		for (m = 0; m < NR_METRIC; m++) {
			size_t r = cmp_find(&c, g, metric_names[m], "p50_ns");
			double d = strtod(cmp_field(&c, r, "delta_pct"), NULL);

			assert_true(d >= 0.0);
			nr_moved += d > 0.0;
			assert_true(strtod(cmp_field(&c, r, "p_value"),
					   NULL) >= 0.05);
		}
	/* unless the slowed reps were above the median anyway */
	assert_true(nr_moved > 0);
	csv_table_free(&c.t);
}

static void test_faster_is_improvement(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .p50_mult = { 0.7, 0.7, 0.7 } };

	compare_verdicts(f, &base, &cand, f->base, 0, "improvement", "1");
	assert_non_null(strstr(f->out, "improvement"));
	assert_null(strstr(f->out, "\n!"));
}

static void test_conversions_halved(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .conv_mult = 0.5 };
	struct cmp_csv c;
	int g;

	compare_csv(f, &base, &cand, f->base, 1, &c);
	check_verdicts(&c, "conversions_per_s", "regression", "1");
	for (g = 0; g < NR_GRAN; g++) {
		size_t r = cmp_find(&c, g, "", "conversions_per_s");
		char name[256], *line;

		assert_string_equal(cmp_field(&c, r, "better"), "higher");
		/* once per repetition, not once per metric row */
		assert_string_equal(cmp_field(&c, r, "base_n"), "9");
		assert_near(strtod(cmp_field(&c, r, "base_value"),
					   NULL),
				    conv_median(&base, g), 1e-9);
		assert_near(strtod(cmp_field(&c, r, "ratio"), NULL),
				    conv_median(&cand, g) /
				    conv_median(&base, g), 1e-9);
		cell_name(name, sizeof(name), g, NULL);
		line = find_row(f->out, name, "conversions_per_s");
		assert_true(line[0] == '!');
	}
	csv_table_free(&c.t);
}

static void test_threshold_override(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .p50_mult = { 1.3, 1.3, 1.3 } };

	write_pair(f, &base, &cand);
	assert_int_equal(run(f, "--threshold", "p50_ns=50", f->base, f->cand,
			     NULL), 0);
	/* an override of another stat leaves p50_ns at the default */
	assert_int_equal(run(f, "--threshold=p99_ns=50", f->base, f->cand,
			     NULL), 1);
	assert_int_equal(run(f, "--threshold", "default=50", f->base, f->cand,
			     NULL), 0);
	/* a per-stat override wins over default */
	assert_int_equal(run(f, "--threshold", "default=50", "--threshold",
			     "p50_ns=10", f->base, f->cand, NULL), 1);
}

static void test_set_threshold_api(void **state)
{
	struct compare_opts o;
	char err[256];

	compare_opts_init(&o);
	assert_near(o.alpha, 0.05, 0);
	assert_near(o.floor_pct, 5.0, 0);
	assert_int_equal(compare_opts_set_threshold(&o, "p99_ns=10", err,
						    sizeof(err)), 0);
	assert_near(o.stat_floor_pct[COMPARE_P99_NS], 10.0, 0);
	assert_true(isnan(o.stat_floor_pct[COMPARE_P50_NS]));
	assert_int_equal(compare_opts_set_threshold(&o, "default=7.5", err,
						    sizeof(err)), 0);
	assert_near(o.floor_pct, 7.5, 0);
	assert_int_equal(compare_opts_set_threshold(&o, "default=1000", err,
						    sizeof(err)), 0);
	assert_int_equal(compare_opts_set_threshold(&o, "p50_ns=0", err,
						    sizeof(err)), 0);
	assert_near(o.stat_floor_pct[COMPARE_P50_NS], 0.0, 0);
	assert_int_equal(compare_opts_set_threshold(&o, "p99_ns=1000.5", err,
						    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'p99_ns=1000.5'"));
	assert_non_null(strstr(err, "0..1000"));
	assert_int_equal(compare_opts_set_threshold(&o, "p99_ns=-1", err,
						    sizeof(err)), -EINVAL);
	assert_int_equal(compare_opts_set_threshold(&o, "p99_ns=", err,
						    sizeof(err)), -EINVAL);
	assert_int_equal(compare_opts_set_threshold(&o, "p90_ns=5", err,
						    sizeof(err)), -EINVAL);
	assert_int_equal(compare_opts_set_threshold(&o, "p99_ns=nan", err,
						    sizeof(err)), -EINVAL);
	/* failures leave the options alone */
	assert_near(o.stat_floor_pct[COMPARE_P99_NS], 10.0, 0);
	assert_null(strchr(err, '\n'));
}

/* a results.csv that compare refuses (exit 2), with the one-line reason */
static void test_bad_header(void **state)
{
	static const struct {
		struct gen base, cand;
		bool in_base;		/* the base's file is named, else cand's */
		const char *why;
	} cases[] = {
		{ .cand = { .omit_col = "p99_ns" },
		  .why = ": missing column 'p99_ns'\n" },
		{ .base = { .schema_version = 99 }, .in_base = true,
		  .why = ":2: schema_version '99' not supported (known: 1)\n" },
	};
	struct cmp_fix *f = *state;
	char want[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_pair(f, &cases[i].base, &cases[i].cand);
		assert_int_equal(run(f, f->base, f->cand, NULL), 2);
		snprintf(want, sizeof(want), "gmembench compare: %s%s",
			 cases[i].in_base ? f->base_csv : f->cand_csv,
			 cases[i].why);
		assert_string_equal(f->err, want);
		assert_string_equal(f->out, "");
	}
}

static void test_unreadable(void **state)
{
	struct cmp_fix *f = *state;
	struct gen g = { 0 };
	char missing[256];

	write_results(f->base_csv, &g);
	/* a directory without results.csv */
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	snprintf(missing, sizeof(missing), "%s/results.csv", f->cand);
	assert_non_null(strstr(f->err, missing));
	assert_non_null(strchr(f->err, '\n'));
	assert_ptr_equal(strchr(f->err, '\n'), f->err + strlen(f->err) - 1);
}

static void test_disjoint(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .workload = "stress" };
	char want[512];

	write_pair(f, &base, &cand);
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	snprintf(want, sizeof(want),
		 "gmembench compare: no common cell between %s and %s\n",
		 f->base_csv, f->cand_csv);
	assert_string_equal(f->err, want);
}

static void test_only_in_one_side(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .extra_metric = "punch_ns" };
	char name[256], line[300];
	int g;

	write_pair(f, &base, &cand);
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
	for (g = 0; g < NR_GRAN; g++) {
		cell_name(name, sizeof(name), g, "punch_ns");
		snprintf(line, sizeof(line), "\nonly in cand: %s\n", name);
		assert_non_null(strstr(f->out, line));
	}
	assert_null(strstr(f->out, "only in base"));
}

static void test_few_reps_warning(void **state)
{
	struct cmp_fix *f = *state;
	struct gen g = { .reps = 2 }, three = { .reps = 3 };

	write_pair(f, &g, &g);
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
	assert_string_equal(f->err,
		"warning: fewer than 3 repetitions (base 2, cand 2): the intervals cannot see run-to-run variance\n");
	/* 3, the quick preset's count, is enough for the bootstrap */
	write_pair(f, &three, &three);
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
	assert_string_equal(f->err, "");
}

static void test_single_rep_effect_alone(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { .reps = 1 };
	struct gen cand = { .reps = 1, .p50_mult = { 1.3, 1.3, 1.3 } };
	char name[256], want[64], *line;
	double ratio = p50_median(&cand, 1, 1) / p50_median(&base, 1, 1);

	write_pair(f, &base, &cand);
	assert_int_equal(run(f, f->base, f->cand, NULL), 1);
	cell_name(name, sizeof(name), 1, metric_names[1]);
	line = find_row(f->out, name, "p50_ns");
	assert_true(line[0] == '!');
	/* one value a side: the interval is the ratio itself, no U test */
	snprintf(want, sizeof(want), "%.3f..%.3f", ratio, ratio);
	assert_non_null(strstr(line, want));
	assert_non_null(strstr(line, " - "));
	assert_non_null(strstr(line, "regression (n<2)"));
	assert_non_null(strstr(f->out, "note: "));
	assert_non_null(strstr(f->err, "(base 1, cand 1)"));
}

static void test_geomean(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .p50_mult = { 1.10, 1.20, 0.97 } };
	double sum_log = 0.0, gm;
	char want[128];
	int g, m;

	for (g = 0; g < NR_GRAN; g++)
		for (m = 0; m < NR_METRIC; m++)
			sum_log += log(p50_median(&cand, g, m) /
				       p50_median(&base, g, m));
	gm = exp(sum_log / (NR_GRAN * NR_METRIC));
	/* make sure the check is not vacuous */
	assert_true(fabs(gm - 1.0) > 0.05);

	write_pair(f, &base, &cand);
	run(f, f->base, f->cand, NULL);
	snprintf(want, sizeof(want), "\ngeomean p50_ns ratio %.3f (%+.1f%%)\n",
		 gm, (gm - 1.0) * 100.0);
	assert_non_null(strstr(f->out, want));
	assert_non_null(strstr(f->out,
			       "\ngeomean p99_ns ratio 1.000 (+0.0%)\n"));
}

static void test_csv_output(void **state)
{
	struct cmp_fix *f = *state;
	struct gen base = { 0 }, cand = { .p50_mult = { 1.10, 1.20, 0.97 } };
	struct cmp_csv c;
	int g, m;

	write_pair(f, &base, &cand);
	run(f, "--csv", f->out_csv, f->base, f->cand, NULL);
	load_cmp_csv(f, &c);
	/* the statistics, then one status row per cell (a failed repetition) */
	assert_int_equal(c.t.nr_rows, NR_CMP_ROWS + NR_GRAN);
	for (g = 0; g < NR_GRAN; g++)
		for (m = 0; m < NR_METRIC; m++) {
			size_t r = cmp_find(&c, g, metric_names[m], "p50_ns");
			double b = p50_median(&base, g, m);
			double cm = p50_median(&cand, g, m);
			double p = strtod(cmp_field(&c, r, "p_value"), NULL);
			double lo = strtod(cmp_field(&c, r, "ci_low"), NULL);
			double hi = strtod(cmp_field(&c, r, "ci_high"), NULL);

			assert_string_equal(cmp_field(&c, r, "workload"),
					    "granularity");
			assert_string_equal(cmp_field(&c, r, "region_bytes"),
					    "16777216");
			assert_string_equal(cmp_field(&c, r, "better"),
					    "lower");
			assert_string_equal(cmp_field(&c, r, "base_n"), "9");
			assert_string_equal(cmp_field(&c, r, "cand_n"), "9");
			/* no bins: one value per repetition */
			assert_string_equal(cmp_field(&c, r, "base_count"),
					    "9");
			assert_string_equal(cmp_field(&c, r, "from"), "reps");
			assert_true(lo <= cm / b && cm / b <= hi);
			assert_near(strtod(cmp_field(&c, r,
					"base_value"), NULL), b, 0);
			assert_near(strtod(cmp_field(&c, r,
					"cand_value"), NULL), cm, 0);
			assert_near(strtod(cmp_field(&c, r,
					"delta_pct"), NULL),
					(cm - b) / b * 100.0, 1e-9);
			assert_near(strtod(cmp_field(&c, r, "ratio"),
						   NULL), cm / b, 1e-12);
			assert_true(p > 0.0 && p <= 1.0);
			assert_string_equal(cmp_field(&c, r, "verdict"),
					    g == 2 ? "same" : "regression");
		}
	csv_table_free(&c.t);
}

static void test_bad_options(void **state)
{
	struct cmp_fix *f = *state;

	assert_int_equal(run(f, "--alpha", "2", "a", "b", NULL), 2);
	assert_string_equal(f->err,
		"gmembench compare: invalid --alpha '2': expected a number between 0 and 1 (exclusive)\n");
	assert_int_equal(run(f, "--threshold", "foo", "a", "b", NULL), 2);
	assert_string_equal(f->err,
		"gmembench compare: invalid --threshold 'foo': expected STAT=PERCENT with STAT one of default, p50_ns, p99_ns, conversions_per_s and PERCENT in 0..1000\n");
	assert_int_equal(run(f, "--format", "xml", "a", "b", NULL), 2);
	assert_string_equal(f->err,
		"gmembench compare: invalid --format 'xml': expected text or markdown\n");
	assert_int_equal(run(f, "--bogus", "a", "b", NULL), 2);
	assert_string_equal(f->err,
		"gmembench compare: unknown option '--bogus' (try --help)\n");
	assert_int_equal(run(f, "a", "b", "--csv", NULL), 2);
	assert_string_equal(f->err,
		"gmembench compare: option '--csv' needs a value\n");
	assert_int_equal(run(f, "a", NULL), 2);
	assert_string_equal(f->err,
		"gmembench compare: expected BASE and CAND (try --help)\n");
	assert_int_equal(run(f, "a", "b", "c", NULL), 2);
	assert_string_equal(f->out, "");
	assert_int_equal(run(f, "-h", NULL), 0);
	assert_non_null(strstr(f->out, "usage: gmembench compare"));
	assert_string_equal(f->err, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, cmp_fix_teardown)
		T(test_identical),
		T(test_p50_30pct_slower),
		T(test_markdown),
		T(test_2pct_slower_below_floor),
		T(test_2_of_9_slower_not_significant),
		T(test_faster_is_improvement),
		T(test_conversions_halved),
		T(test_threshold_override),
		cmocka_unit_test(test_set_threshold_api),
		T(test_bad_header),
		T(test_unreadable),
		T(test_disjoint),
		T(test_only_in_one_side),
		T(test_few_reps_warning),
		T(test_single_rep_effect_alone),
		T(test_geomean),
		T(test_csv_output),
		T(test_bad_options),
#undef T
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
