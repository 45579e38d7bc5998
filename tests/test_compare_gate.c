// SPDX-License-Identifier: GPL-2.0
/*
 * `gmembench compare` as a gate, on result sets written by the real CSV
 * and JSON sinks (tests/cmp_gen.h):
 *  - the p50/p99 it reports from the bins equal a brute-force percentile of
 *    every recorded value, expanded and sorted by the test itself;
 *  - a 10x slowdown at 3 repetitions exits 1, the same build exits 0, the
 *    same inputs and seed give the same report byte for byte;
 *  - failed cells in cand are regressions listed by name, missing and
 *    skipped ones are reported and fail under --strict;
 *  - bad input is refused with one line naming FILE:LINE (exit 2), and
 *    --csv never overwrites an input, however it is spelt.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#include "harness/hostinfo.h"
#include "tests/cmp_test.h"

#define NR_CONV		500
#define MAX_REPS	5

/* how a test run differs from a plain one */
struct scen {
	unsigned int reps;		/* 0: 3 */
	double slowdown;		/* 0: 1 */
	int no_json;
	int bad_gran;			/* 1-based granularity whose cell fails, 0 none */
	enum cell_status bad_status;
	int bad_rep;			/* the repetition that fails (-1: warm-up) */
	const char *reason;		/* of the failure; NULL: an ioctl's EIO */
	unsigned int skip_mask;		/* bit g: granularity g never ran */
	int drop_metric;		/* leave to_shared_ns out of every cell */
	uint64_t seed;
	const char *lab_accel;		/* non-NULL: a lab run with this accelerator */
};

struct fixture {
	struct cmp_fix c;	/* first: cmp_fix_setup() allocates the whole */
	/* raw values of base, per granularity, metric and repetition */
	uint64_t raw[CGEN_NR_GRAN][CGEN_NR_METRIC][MAX_REPS][NR_CONV];
	unsigned int reps;
};

static int setup(void **state)
{
	return cmp_fix_setup(state, sizeof(struct fixture));
}

/* write one run into dir; keep its raw values in f when keep */
static void write_run(struct fixture *f, const char *dir, const char *run_id,
		      const struct scen *sc, int keep)
{
	unsigned int reps = sc->reps ? sc->reps : 3, i;
	double slow = sc->slowdown ? sc->slowdown : 1.0;
	struct cell_result cr;
	struct cell_key k;
	struct cgen g;
	struct rng r;
	int gi, mi, rep;

	assert_true(reps <= MAX_REPS);
	rng_seed(&r, sc->seed ? sc->seed : 77);
	struct hostinfo hi;

	memset(&hi, 0, sizeof(hi));
	hostinfo_origin_collect(&hi.origin);	/* "host" unless in a lab */
	if (sc->lab_accel) {
		snprintf(hi.origin.origin, sizeof(hi.origin.origin), "lab");
		snprintf(hi.origin.accel, sizeof(hi.origin.accel), "%s", sc->lab_accel);
	} else {
		snprintf(hi.origin.origin, sizeof(hi.origin.origin), "host");
	}
	cgen_begin_host(&g, dir, run_id, !sc->no_json, &hi);
	for (gi = 0; gi < CGEN_NR_GRAN; gi++) {
		if (sc->skip_mask & (1u << gi))
			continue;
		for (rep = -1; rep < (int)reps; rep++) {
			double f_rep = slow * cgen_lognormal(&r, 0.01);

			cgen_key(&k, "granularity", gi, rep);
			cell_result_init(&cr, &k, NULL);
			for (mi = 0; mi < CGEN_NR_METRIC - sc->drop_metric;
			     mi++) {
				struct hist *h = cell_metric(&cr,
							     cgen_metrics[mi]);

				assert_non_null(h);
				for (i = 0; i < NR_CONV; i++) {
					uint64_t v = (uint64_t)llround(
						3000.0 * (gi + 1) * f_rep *
						cgen_lognormal(&r, 0.3));

					hist_record(h, v);
					if (keep && rep >= 0)
						f->raw[gi][mi][rep][i] = v;
				}
			}
			cgen_rate(&cr, 1e6 / (gi + 1) / f_rep);
			if (sc->bad_gran == gi + 1 && sc->bad_rep == rep) {
				cell_set_status(&cr, sc->bad_status, "%s",
						sc->reason ? sc->reason :
						"KVM_SET_MEMORY_ATTRIBUTES2: EIO");
				/* the runner stops a cell at its failure */
				cgen_cell(&g, &cr);
				cell_result_free(&cr);
				break;
			}
			cgen_cell(&g, &cr);
			cell_result_free(&cr);
		}
	}
	assert_int_equal(cgen_end(&g), 0);
	if (keep)
		f->reps = reps;
}

static void write_pair(struct fixture *f, const struct scen *base,
		       const struct scen *cand)
{
	struct scen c = *cand;

	write_run(f, f->c.base, "base-run", base, 1);
	/* other noise than base's, unless a test asks for the same */
	if (!c.seed)
		c.seed = 78;
	write_run(f, f->c.cand, "cand-run", &c, 0);
}

#define run(f, ...)	cmp_fix_run(&(f)->c, __VA_ARGS__)
#define slurp		tu_slurp_must

static void spit(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* the err output is exactly one line holding want */
static void assert_one_line(const char *err, const char *want)
{
	if (!strstr(err, want) || strchr(err, '\n') != err + strlen(err) - 1)
		fail_msg("want one line with '%s', got '%s'", want, err);
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/*
 * The pct-th percentile of base's (gran, metric) over every repetition, by
 * brute force: each recorded value becomes the top of its histogram bucket
 * clipped to its repetition's [min, max] (what the histogram reports, to
 * 0.79 %), all of them sorted, the value at rank ceil(pct/100 * N) taken.
 */
static double brute_pct(const struct fixture *f, int g, int m, double pct)
{
	size_t n = (size_t)f->reps * NR_CONV, i, k = 0;
	uint64_t *all = malloc(n * sizeof(*all));
	unsigned int rep;
	double v;

	assert_non_null(all);
	for (rep = 0; rep < f->reps; rep++) {
		const uint64_t *raw = f->raw[g][m][rep];
		uint64_t lo = UINT64_MAX, hi = 0;

		for (i = 0; i < NR_CONV; i++) {
			lo = raw[i] < lo ? raw[i] : lo;
			hi = raw[i] > hi ? raw[i] : hi;
		}
		for (i = 0; i < NR_CONV; i++) {
			uint64_t top = hist_bucket_hi(hist_bucket_index(raw[i]));

			all[k++] = top > hi ? hi : top < lo ? lo : top;
		}
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	v = (double)all[(size_t)ceil(pct / 100.0 * (double)n - 1e-9) - 1];
	free(all);
	return v;
}

/* the report row of (gran, metric or NULL, stat), or fail */
static const char *find_row(const char *out, int g, const char *metric,
			    const char *stat, char *line, size_t len)
{
	static const char *const gs[] = { "g4K", "g64K", "g2M" };
	char name[256];

	snprintf(name, sizeof(name), "granularity/inplace/guest/hypercall/-/%s/r16M/v1%s%s",
		 gs[g], metric ? "/" : "", metric ? metric : "");
	return cmp_find_line(out, name, stat, line, len);
}

/* ---- the statistics ---- */

static void test_percentiles_from_bins(void **state)
{
	struct fixture *f = *state;
	struct scen s = { 0 };
	char line[512], want[64];
	int g, m;

	write_pair(f, &s, &s);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 0);
	for (g = 0; g < CGEN_NR_GRAN; g++)
		for (m = 0; m < CGEN_NR_METRIC; m++) {
			find_row(f->c.out, g, cgen_metrics[m], "p50_ns", line,
				 sizeof(line));
			snprintf(want, sizeof(want), " %.0f ",
				 brute_pct(f, g, m, 50.0));
			if (!strstr(line, want) || !strstr(line, " bins "))
				fail_msg("want base%s from bins in: %s", want,
					 line);
			find_row(f->c.out, g, cgen_metrics[m], "p99_ns", line,
				 sizeof(line));
			snprintf(want, sizeof(want), " %.0f ",
				 brute_pct(f, g, m, 99.0));
			if (!strstr(line, want))
				fail_msg("want base%s in: %s", want, line);
		}
	/* no note about missing bins */
	assert_null(strstr(f->c.out, "no bins"));
	assert_null(strstr(f->c.out, "no results.json"));
}

/* one repetition: the bins' p50 is exactly results.csv's p50_ns */
static void test_one_rep_matches_csv(void **state)
{
	struct fixture *f = *state;
	struct scen s = { .reps = 1 };
	char line[512], want[64];

	write_pair(f, &s, &s);
	run(f, f->c.base, f->c.cand, NULL);
	find_row(f->c.out, 1, "to_private_ns", "p50_ns", line, sizeof(line));
	snprintf(want, sizeof(want), " %.0f ", brute_pct(f, 1, 0, 50.0));
	assert_non_null(strstr(line, want));
	assert_non_null(strstr(f->c.err, "fewer than 3 repetitions"));
}

static void test_10x_slower_3_reps(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .slowdown = 10.0 };
	char line[512];
	int g, m;

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 1);
	for (g = 0; g < CGEN_NR_GRAN; g++) {
		for (m = 0; m < CGEN_NR_METRIC; m++) {
			find_row(f->c.out, g, cgen_metrics[m], "p50_ns", line,
				 sizeof(line));
			assert_true(line[0] == '!');
			assert_non_null(strstr(line, "regression"));
		}
		find_row(f->c.out, g, NULL, "conversions_per_s", line,
			 sizeof(line));
		assert_true(line[0] == '!');
	}
	assert_non_null(strstr(f->c.out, "\n15 regressions, 0 failed cells"));
	/* 3 against 3 repetitions: the U test cannot reach 0.05 */
	assert_null(strstr(f->c.out, "<0.0001"));
}

static void test_same_build_passes(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { 0 };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 0);
	assert_non_null(strstr(f->c.out, "\n0 regressions, 0 failed cells"));
	/* and a run against itself, to the last resample */
	assert_int_equal(run(f, f->c.base, f->c.base, "--threshold", "default=0",
			     NULL), 0);
}

/* a lab VM's numbers are never gated against a host's, nor TCG against kvm */
static void test_origins_must_match(void **state)
{
	struct fixture *f = *state;
	struct scen host = { 0 }, tcg = { .lab_accel = "tcg" }, kvm = { .lab_accel = "kvm" };

	write_pair(f, &host, &tcg);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 2);
	assert_non_null(strstr(f->c.err, "is host, cand"));
	assert_non_null(strstr(f->c.err, "is lab/tcg"));
	write_pair(f, &tcg, &kvm);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 2);
	assert_non_null(strstr(f->c.err, "lab/kvm"));
	/* two TCG lab runs of the same build gate as usual */
	write_pair(f, &tcg, &tcg);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 0);
}

static void test_deterministic(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .slowdown = 1.04 };
	char *first;

	write_pair(f, &b, &c);
	run(f, f->c.base, f->c.cand, NULL);
	first = strdup(f->c.out);
	assert_non_null(first);
	run(f, f->c.base, f->c.cand, "--seed", "1", NULL);
	assert_string_equal(f->c.out, first);
	/* another seed moves the interval ends a little, not the values */
	run(f, "--seed", "99", f->c.base, f->c.cand, NULL);
	assert_true(strcmp(f->c.out, first));
	assert_non_null(strstr(f->c.out, "seed 99"));
	free(first);
}

static void test_no_json_falls_back(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .no_json = 1, .slowdown = 10.0 };
	char line[512];

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 1);
	assert_non_null(strstr(f->c.out, "results.csv (run cand-run), no results.json: no per-conversion bins\n"));
	find_row(f->c.out, 0, "to_private_ns", "p50_ns", line, sizeof(line));
	assert_non_null(strstr(line, " reps "));
	assert_non_null(strstr(f->c.out, "note: 12 latency comparisons had no bins on a side (from=reps)"));
}

/* ---- cells that failed, were skipped or never ran ---- */

static void test_failed_cell_regresses(void **state)
{
	static const enum cell_status bad[] = {
		CELL_ERROR, CELL_INTERRUPTED, CELL_TIMEOUT,
	};
	static const char *const names[] = { "error", "interrupted", "timeout" };
	struct fixture *f = *state;
	struct scen b = { 0 };
	char want[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		struct scen c = { .bad_gran = 2, .bad_status = bad[i],
				  .bad_rep = 1 };

		write_pair(f, &b, &c);
		assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 1);
		snprintf(want, sizeof(want),
			 "\n!failed in cand: granularity/inplace/guest/hypercall/-/g64K/r16M/v1 (%s: KVM_SET_MEMORY_ATTRIBUTES2: EIO), ok in base: regression\n",
			 names[i]);
		assert_non_null(strstr(f->c.out, want));
		assert_non_null(strstr(f->c.out, "\n0 regressions, 1 failed cell, "));
	}
}

/* a reason with a newline and markdown in it stays on its one line */
static void test_failed_reason_one_line(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .bad_gran = 1, .bad_status = CELL_ERROR,
				     .bad_rep = 0, .reason = "a|b\n*c*" };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 1);
	assert_non_null(strstr(f->c.out, "/g4K/r16M/v1 (error: a|b *c*), ok in base: regression\n"));
	assert_int_equal(run(f, "--format", "markdown", f->c.base, f->c.cand, NULL),
			 1);
	assert_non_null(strstr(f->c.out, "\n- !failed in cand: granularity/inplace/guest/hypercall/-/g4K/r16M/v1 (error: a\\|b \\*c\\*), ok in base: regression\n"));
}

static void test_all_failed_regresses(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 };
	/* cand: the first cell fails in its warm-up, the others never ran */
	struct scen c = { .bad_gran = 1, .bad_status = CELL_ERROR,
			  .bad_rep = -1, .skip_mask = 6 };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 1);
	assert_non_null(strstr(f->c.out, "!failed in cand: granularity/inplace/guest/hypercall/-/g4K/r16M/v1 (error: "));
	assert_non_null(strstr(f->c.out, "\nmissing in cand: granularity/inplace/guest/hypercall/-/g64K/r16M/v1\n"));
	assert_non_null(strstr(f->c.out, "\nmissing in cand: granularity/inplace/guest/hypercall/-/g2M/r16M/v1\n"));
	assert_non_null(strstr(f->c.out, "\n0 regressions, 1 failed cell, "));
}

static void test_failed_in_both_is_not_a_regression(void **state)
{
	struct fixture *f = *state;
	struct scen s = { .bad_gran = 3, .bad_status = CELL_ERROR,
			  .bad_rep = 2 };

	write_pair(f, &s, &s);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 0);
	assert_non_null(strstr(f->c.out, "\nfailed in cand: granularity/inplace/guest/hypercall/-/g2M/r16M/v1 (error: KVM_SET_MEMORY_ATTRIBUTES2: EIO), failed in base too\n"));
}

static void test_missing_and_strict(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .skip_mask = 2 };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, "--csv", f->c.out_csv, f->c.base, f->c.cand, NULL),
			 0);
	assert_non_null(strstr(f->c.out, "\nmissing in cand: granularity/inplace/guest/hypercall/-/g64K/r16M/v1\n"));
	assert_non_null(strstr(f->c.out, "(--strict would fail the gate)"));
	{
		char *csv = slurp(f->c.out_csv, NULL);

		assert_non_null(strstr(csv, ",65536,16777216,1,,status,"));
		assert_non_null(strstr(csv, ",missing\r\n"));
		free(csv);
	}
	assert_int_equal(run(f, "--strict", f->c.base, f->c.cand, NULL), 1);
	assert_non_null(strstr(f->c.out, "(--strict: the gate fails)"));
	assert_int_equal(run(f, "--strict=1", f->c.base, f->c.cand, NULL), 2);
	assert_string_equal(f->c.err,
		"gmembench compare: option '--strict' takes no value\n");
}

static void test_skipped_and_metric_gone(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 };
	struct scen c = { .bad_gran = 1, .bad_status = CELL_SKIPPED,
			  .bad_rep = -1 };
	struct scen d = { .drop_metric = 1 };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 0);
	assert_non_null(strstr(f->c.out, "\nskipped in cand: granularity/inplace/guest/hypercall/-/g4K/r16M/v1 (skipped: KVM_SET_MEMORY_ATTRIBUTES2: EIO)\n"));
	assert_int_equal(run(f, "--strict", f->c.base, f->c.cand, NULL), 1);

	write_pair(f, &b, &d);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 0);
	assert_non_null(strstr(f->c.out, "\nonly in base: granularity/inplace/guest/hypercall/-/g64K/r16M/v1/to_shared_ns\n"));
	assert_int_equal(run(f, "--strict", f->c.base, f->c.cand, NULL), 1);
}

/* ---- input hygiene ---- */

/* replace the first occurrence of from (after skip bytes) in path's text */
static void edit(const char *path, size_t skip, const char *from,
		 const char *to)
{
	char *t = slurp(path, NULL), *p = strstr(t + skip, from), *n;

	assert_non_null(p);
	assert_true(asprintf(&n, "%.*s%s%s", (int)(p - t), t, to,
			     p + strlen(from)) > 0);
	spit(path, n, strlen(n));
	free(t);
	free(n);
}

/* the byte offset of the start of line (1-based) in path */
static size_t line_off(const char *path, int line)
{
	char *t = slurp(path, NULL), *p = t;
	size_t off;

	while (--line > 0) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	off = (size_t)(p - t);
	free(t);
	return off;
}

/* compare exits 2 with one line "CAND_CSV:LINE: what..." and no report */
static void expect_refused(struct fixture *f, int line, const char *what)
{
	char want[512];

	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 2);
	snprintf(want, sizeof(want), "gmembench compare: %s:%d: %s",
		 f->c.cand_csv, line, what);
	assert_one_line(f->c.err, want);
	assert_string_equal(f->c.out, "");
}

/* a plain run as base and as candidate; the text of one of their files */
static char *plain_pair(struct fixture *f, const char *path, size_t *len)
{
	struct scen s = { 0 };

	write_pair(f, &s, &s);
	return slurp(path, len);
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *csv = plain_pair(f, f->c.cand_csv, &len);

	/* cut in the middle of line 5: the last row is short and unended */
	spit(f->c.cand_csv, csv, line_off(f->c.cand_csv, 5) + 40);
	expect_refused(f, 5, "row has ");
	assert_non_null(strstr(f->c.err, "(truncated?)"));
	/* cut inside the last field of a row: all fields, no line end */
	spit(f->c.cand_csv, csv, len);
	spit(f->c.cand_csv, csv, line_off(f->c.cand_csv, 6) - 2);
	expect_refused(f, 5, "last row has no line end (file truncated?)");
	/* a short row in the middle of the file */
	spit(f->c.cand_csv, csv, len);
	edit(f->c.cand_csv, line_off(f->c.cand_csv, 3), ",ok,", "\r\n");
	expect_refused(f, 3, "row has ");
	/* one field too many */
	spit(f->c.cand_csv, csv, len);
	edit(f->c.cand_csv, line_off(f->c.cand_csv, 4), ",ok,", ",ok,,x,");
	expect_refused(f, 4, "row has 39 fields but the header has 37");
	free(csv);
}

/* replace field col (1-based) of line (1-based) of path by text */
static void set_field(const char *path, int line, int col, const char *text)
{
	char *t = slurp(path, NULL), *a, *b, *n;
	int c;

	a = t + line_off(path, line);
	for (c = 1; c < col; c++)
		a = strchr(a, ',') + 1;
	b = a + strcspn(a, ",\r\n");
	assert_true(asprintf(&n, "%.*s%s%s", (int)(a - t), t, text, b) > 0);
	spit(path, n, strlen(n));
	free(n);
	free(t);
}

static void test_absurd_values(void **state)
{
	static const struct {
		int col;
		const char *to, *name, *why;
	} cases[] = {
		{ 20, "-5", "p50_ns", "negative value '-5'" },
		{ 20, "1e23", "p50_ns", "latency above 1 h (3.6e12 ns) '1e23'" },
		{ 22, "3600000000001", "p99_ns", "latency above 1 h (3.6e12 ns) '3600000000001'" },
		{ 20, "nan", "p50_ns", "not a finite number 'nan'" },
		{ 19, "inf", "min_ns", "not a finite number 'inf'" },
		{ 35, "-1e308", "conversions_per_s", "negative value '-1e308'" },
		{ 36, "-1", "bytes_per_s", "negative value '-1'" },
		{ 13, "-2", "repetition", "expected an integer >= -1, got '-2'" },
	};
	struct fixture *f = *state;
	size_t len, i;
	char want[512], *csv = plain_pair(f, f->c.cand_csv, &len);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spit(f->c.cand_csv, csv, len);
		/* line 6: repetition 0 of the first cell */
		set_field(f->c.cand_csv, 6, cases[i].col, cases[i].to);
		snprintf(want, sizeof(want), "column '%s': %s", cases[i].name,
			 cases[i].why);
		expect_refused(f, 6, want);
	}
	/* the warm-up row is checked as well */
	spit(f->c.cand_csv, csv, len);
	set_field(f->c.cand_csv, 2, 20, "-1");
	expect_refused(f, 2, "column 'p50_ns': negative value '-1'");
	free(csv);
}

/* the offset just past the first occurrence of needle in path */
static size_t off_of(const char *path, const char *needle)
{
	char *t = slurp(path, NULL), *p = strstr(t, needle);
	size_t off;

	assert_non_null(p);
	off = (size_t)(p - t) + strlen(needle);
	free(t);
	return off;
}

static void test_bad_json(void **state)
{
	/* results.json edited (past the warm-up or anywhere) and refused */
	static const struct {
		bool past_warmup;
		const char *from, *to, *why;
	} cases[] = {
		/* from another run */
		{ false, "\"base-run\"", "\"other-run\"",
		  "run_id 'other-run', but " },
		/* a bin that goes backwards */
		{ true, "\"bins\":[", "\"bins\":[[999999999, 999999999, 1],",
		  "metric 'to_private_ns': bins[1]: " },
		/* counts that do not add up */
		{ true, "\"count\":500,", "\"count\":501,",
		  "count 501 but the bins hold 500" },
		/* a latency above an hour */
		{ true, "\"bins\":[",
		  "\"bins\":[[4000000000000, 4000000000001, 1],",
		  "latency 4000000000000 ns above 1 h" },
	};
	struct fixture *f = *state;
	size_t len, rep0, i;
	char want[512], *json = plain_pair(f, f->c.base_json, &len);

	/* past the warm-up, whose bins compare does not read */
	rep0 = off_of(f->c.base_json, "\"repetition\":0,");
	/* cut short */
	spit(f->c.base_json, json, len / 2);
	assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 2);
	snprintf(want, sizeof(want), "gmembench compare: %s: not valid JSON",
		 f->c.base_json);
	assert_one_line(f->c.err, want);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spit(f->c.base_json, json, len);
		edit(f->c.base_json, cases[i].past_warmup ? rep0 : 0,
		     cases[i].from, cases[i].to);
		assert_int_equal(run(f, f->c.base, f->c.cand, NULL), 2);
		assert_one_line(f->c.err, cases[i].why);
	}
	free(json);
}

static void test_csv_output_never_an_input(void **state)
{
	struct fixture *f = *state;
	struct scen s = { 0 };
	char alias[256], link[256], *before, *after;
	size_t n1, n2;

	write_pair(f, &s, &s);
	before = slurp(f->c.base_csv, &n1);
	snprintf(alias, sizeof(alias), "%s/../base/./results.csv", f->c.cand);
	snprintf(link, sizeof(link), "%s/link.csv", f->c.dir);
	assert_int_equal(symlink(f->c.cand_csv, link), 0);

	assert_int_equal(run(f, "--csv", f->c.base_csv, f->c.base, f->c.cand, NULL),
			 2);
	assert_one_line(f->c.err, "is an input (base ");
	assert_int_equal(run(f, "--csv", alias, f->c.base, f->c.cand, NULL), 2);
	assert_int_equal(run(f, "--csv", link, f->c.base, f->c.cand, NULL), 2);
	assert_one_line(f->c.err, "is an input (cand ");
	assert_int_equal(run(f, "--csv", f->c.base_json, f->c.base, f->c.cand, NULL),
			 2);
	assert_int_equal(run(f, "--csv", f->c.base, f->c.base, f->c.cand, NULL), 2);
	after = slurp(f->c.base_csv, &n2);
	assert_true(n1 == n2 && !memcmp(before, after, n1));
	/* a new file is fine */
	assert_int_equal(run(f, "--csv", f->c.out_csv, f->c.base, f->c.cand, NULL),
			 0);
	assert_int_equal(access(f->c.out_csv, R_OK), 0);
	free(before);
	free(after);
}

static void test_options(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "--seed", "x", "a", "b", NULL), 2);
	assert_string_equal(f->c.err,
		"gmembench compare: invalid --seed 'x': expected an integer 0..18446744073709551615\n");
	assert_int_equal(run(f, "--seed", "-1", "a", "b", NULL), 2);
	assert_int_equal(run(f, "--resamples", "99", "a", "b", NULL), 2);
	assert_string_equal(f->c.err,
		"gmembench compare: invalid --resamples '99': expected an integer 100..1000000\n");
	assert_int_equal(run(f, "--resamples=1000001", "a", "b", NULL), 2);
	assert_int_equal(run(f, "-h", NULL), 0);
	assert_non_null(strstr(f->c.out, "--strict"));
	assert_non_null(strstr(f->c.out, "--seed N"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, cmp_fix_teardown)
		T(test_percentiles_from_bins),
		T(test_one_rep_matches_csv),
		T(test_10x_slower_3_reps),
		T(test_same_build_passes),
		T(test_deterministic),
		T(test_origins_must_match),
		T(test_no_json_falls_back),
		T(test_failed_cell_regresses),
		T(test_failed_reason_one_line),
		T(test_all_failed_regresses),
		T(test_failed_in_both_is_not_a_regression),
		T(test_missing_and_strict),
		T(test_skipped_and_metric_gone),
		T(test_truncated),
		T(test_absurd_values),
		T(test_bad_json),
		T(test_csv_output_never_an_input),
		T(test_options),
#undef T
	};

	return cmocka_run_group_tests_name("compare_gate", tests, NULL, NULL);
}
