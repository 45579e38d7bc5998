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
#include "tests/cmp_gen.h"

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
	char dir[64], base[128], cand[128], base_csv[160], cand_csv[160];
	char base_json[160], out_csv[160];
	char *out, *err;
	/* raw values of base, per granularity, metric and repetition */
	uint64_t raw[CGEN_NR_GRAN][CGEN_NR_METRIC][MAX_REPS][NR_CONV];
	unsigned int reps;
};

static int rm_one(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/test_compare_gate.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->base, sizeof(f->base), "%s/base", f->dir);
	snprintf(f->cand, sizeof(f->cand), "%s/cand", f->dir);
	snprintf(f->base_csv, sizeof(f->base_csv), "%s/results.csv", f->base);
	snprintf(f->cand_csv, sizeof(f->cand_csv), "%s/results.csv", f->cand);
	snprintf(f->base_json, sizeof(f->base_json), "%s/results.json",
		 f->base);
	snprintf(f->out_csv, sizeof(f->out_csv), "%s/cmp.csv", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f->out);
	free(f->err);
	free(f);
	return 0;
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

	write_run(f, f->base, "base-run", base, 1);
	/* other noise than base's, unless a test asks for the same */
	if (!c.seed)
		c.seed = 78;
	write_run(f, f->cand, "cand-run", &c, 0);
}

/* compare_main on the NULL-terminated arguments, capturing out and err */
static int run(struct fixture *f, ...)
{
	char *argv[16];
	size_t len;
	FILE *out, *err;
	va_list ap;
	int argc = 0, rc;

	argv[argc++] = "compare";
	va_start(ap, f);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	free(f->out);
	free(f->err);
	out = open_memstream(&f->out, &len);
	err = open_memstream(&f->err, &len);
	assert_non_null(out);
	assert_non_null(err);
	rc = compare_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	if (len)
		*len = (size_t)st.st_size;
	return buf;
}

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
	const char *p = out;

	snprintf(name, sizeof(name), "granularity/inplace/guest/hypercall/-/%s/r16M/v1%s%s",
		 gs[g], metric ? "/" : "", metric ? metric : "");
	while (*p) {
		size_t l = strcspn(p, "\n");
		char cell[256], st[64];

		snprintf(line, len, "%.*s", (int)l, p);
		if (sscanf(line, "%255s %63s", cell, st) == 2 &&
		    !strcmp(cell + (cell[0] == '!'), name) && !strcmp(st, stat))
			return line;
		p += l + (p[l] == '\n');
	}
	fail_msg("no row for %s %s in:\n%s", name, stat, out);
	return NULL;
}

/* ---- the statistics ---- */

static void test_percentiles_from_bins(void **state)
{
	struct fixture *f = *state;
	struct scen s = { 0 };
	char line[512], want[64];
	int g, m;

	write_pair(f, &s, &s);
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
	for (g = 0; g < CGEN_NR_GRAN; g++)
		for (m = 0; m < CGEN_NR_METRIC; m++) {
			find_row(f->out, g, cgen_metrics[m], "p50_ns", line,
				 sizeof(line));
			snprintf(want, sizeof(want), " %.0f ",
				 brute_pct(f, g, m, 50.0));
			if (!strstr(line, want) || !strstr(line, " bins "))
				fail_msg("want base%s from bins in: %s", want,
					 line);
			find_row(f->out, g, cgen_metrics[m], "p99_ns", line,
				 sizeof(line));
			snprintf(want, sizeof(want), " %.0f ",
				 brute_pct(f, g, m, 99.0));
			if (!strstr(line, want))
				fail_msg("want base%s in: %s", want, line);
		}
	/* no note about missing bins */
	assert_null(strstr(f->out, "no bins"));
	assert_null(strstr(f->out, "no results.json"));
}

/* one repetition: the bins' p50 is exactly results.csv's p50_ns */
static void test_one_rep_matches_csv(void **state)
{
	struct fixture *f = *state;
	struct scen s = { .reps = 1 };
	char line[512], want[64];

	write_pair(f, &s, &s);
	run(f, f->base, f->cand, NULL);
	find_row(f->out, 1, "to_private_ns", "p50_ns", line, sizeof(line));
	snprintf(want, sizeof(want), " %.0f ", brute_pct(f, 1, 0, 50.0));
	assert_non_null(strstr(line, want));
	assert_non_null(strstr(f->err, "fewer than 3 repetitions"));
}

static void test_10x_slower_3_reps(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .slowdown = 10.0 };
	char line[512];
	int g, m;

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->base, f->cand, NULL), 1);
	for (g = 0; g < CGEN_NR_GRAN; g++) {
		for (m = 0; m < CGEN_NR_METRIC; m++) {
			find_row(f->out, g, cgen_metrics[m], "p50_ns", line,
				 sizeof(line));
			assert_true(line[0] == '!');
			assert_non_null(strstr(line, "regression"));
		}
		find_row(f->out, g, NULL, "conversions_per_s", line,
			 sizeof(line));
		assert_true(line[0] == '!');
	}
	assert_non_null(strstr(f->out, "\n15 regressions, 0 failed cells"));
	/* 3 against 3 repetitions: the U test cannot reach 0.05 */
	assert_null(strstr(f->out, "<0.0001"));
}

static void test_same_build_passes(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { 0 };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
	assert_non_null(strstr(f->out, "\n0 regressions, 0 failed cells"));
	/* and a run against itself, to the last resample */
	assert_int_equal(run(f, f->base, f->base, "--threshold", "default=0",
			     NULL), 0);
}

/* a lab VM's numbers are never gated against a host's, nor TCG against kvm */
static void test_origins_must_match(void **state)
{
	struct fixture *f = *state;
	struct scen host = { 0 }, tcg = { .lab_accel = "tcg" }, kvm = { .lab_accel = "kvm" };

	write_pair(f, &host, &tcg);
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	assert_non_null(strstr(f->err, "is host, cand"));
	assert_non_null(strstr(f->err, "is lab/tcg"));
	write_pair(f, &tcg, &kvm);
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	assert_non_null(strstr(f->err, "lab/kvm"));
	/* two TCG lab runs of the same build gate as usual */
	write_pair(f, &tcg, &tcg);
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
}

static void test_deterministic(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .slowdown = 1.04 };
	char *first;

	write_pair(f, &b, &c);
	run(f, f->base, f->cand, NULL);
	first = strdup(f->out);
	assert_non_null(first);
	run(f, f->base, f->cand, "--seed", "1", NULL);
	assert_string_equal(f->out, first);
	/* another seed moves the interval ends a little, not the values */
	run(f, "--seed", "99", f->base, f->cand, NULL);
	assert_true(strcmp(f->out, first));
	assert_non_null(strstr(f->out, "seed 99"));
	free(first);
}

static void test_no_json_falls_back(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .no_json = 1, .slowdown = 10.0 };
	char line[512];

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->base, f->cand, NULL), 1);
	assert_non_null(strstr(f->out, "results.csv (run cand-run), no results.json: no per-conversion bins\n"));
	find_row(f->out, 0, "to_private_ns", "p50_ns", line, sizeof(line));
	assert_non_null(strstr(line, " reps "));
	assert_non_null(strstr(f->out, "note: 12 latency comparisons had no bins on a side (from=reps)"));
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
		assert_int_equal(run(f, f->base, f->cand, NULL), 1);
		snprintf(want, sizeof(want),
			 "\n!failed in cand: granularity/inplace/guest/hypercall/-/g64K/r16M/v1 (%s: KVM_SET_MEMORY_ATTRIBUTES2: EIO), ok in base: regression\n",
			 names[i]);
		assert_non_null(strstr(f->out, want));
		assert_non_null(strstr(f->out, "\n0 regressions, 1 failed cell, "));
	}
}

/* a reason with a newline and markdown in it stays on its one line */
static void test_failed_reason_one_line(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .bad_gran = 1, .bad_status = CELL_ERROR,
				     .bad_rep = 0, .reason = "a|b\n*c*" };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->base, f->cand, NULL), 1);
	assert_non_null(strstr(f->out, "/g4K/r16M/v1 (error: a|b *c*), ok in base: regression\n"));
	assert_int_equal(run(f, "--format", "markdown", f->base, f->cand, NULL),
			 1);
	assert_non_null(strstr(f->out, "\n- !failed in cand: granularity/inplace/guest/hypercall/-/g4K/r16M/v1 (error: a\\|b \\*c\\*), ok in base: regression\n"));
}

static void test_all_failed_regresses(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 };
	/* cand: the first cell fails in its warm-up, the others never ran */
	struct scen c = { .bad_gran = 1, .bad_status = CELL_ERROR,
			  .bad_rep = -1, .skip_mask = 6 };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, f->base, f->cand, NULL), 1);
	assert_non_null(strstr(f->out, "!failed in cand: granularity/inplace/guest/hypercall/-/g4K/r16M/v1 (error: "));
	assert_non_null(strstr(f->out, "\nmissing in cand: granularity/inplace/guest/hypercall/-/g64K/r16M/v1\n"));
	assert_non_null(strstr(f->out, "\nmissing in cand: granularity/inplace/guest/hypercall/-/g2M/r16M/v1\n"));
	assert_non_null(strstr(f->out, "\n0 regressions, 1 failed cell, "));
}

static void test_failed_in_both_is_not_a_regression(void **state)
{
	struct fixture *f = *state;
	struct scen s = { .bad_gran = 3, .bad_status = CELL_ERROR,
			  .bad_rep = 2 };

	write_pair(f, &s, &s);
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
	assert_non_null(strstr(f->out, "\nfailed in cand: granularity/inplace/guest/hypercall/-/g2M/r16M/v1 (error: KVM_SET_MEMORY_ATTRIBUTES2: EIO), failed in base too\n"));
}

static void test_missing_and_strict(void **state)
{
	struct fixture *f = *state;
	struct scen b = { 0 }, c = { .skip_mask = 2 };

	write_pair(f, &b, &c);
	assert_int_equal(run(f, "--csv", f->out_csv, f->base, f->cand, NULL),
			 0);
	assert_non_null(strstr(f->out, "\nmissing in cand: granularity/inplace/guest/hypercall/-/g64K/r16M/v1\n"));
	assert_non_null(strstr(f->out, "(--strict would fail the gate)"));
	{
		char *csv = slurp(f->out_csv, NULL);

		assert_non_null(strstr(csv, ",65536,16777216,1,,status,"));
		assert_non_null(strstr(csv, ",missing\r\n"));
		free(csv);
	}
	assert_int_equal(run(f, "--strict", f->base, f->cand, NULL), 1);
	assert_non_null(strstr(f->out, "(--strict: the gate fails)"));
	assert_int_equal(run(f, "--strict=1", f->base, f->cand, NULL), 2);
	assert_string_equal(f->err,
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
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
	assert_non_null(strstr(f->out, "\nskipped in cand: granularity/inplace/guest/hypercall/-/g4K/r16M/v1 (skipped: KVM_SET_MEMORY_ATTRIBUTES2: EIO)\n"));
	assert_int_equal(run(f, "--strict", f->base, f->cand, NULL), 1);

	write_pair(f, &b, &d);
	assert_int_equal(run(f, f->base, f->cand, NULL), 0);
	assert_non_null(strstr(f->out, "\nonly in base: granularity/inplace/guest/hypercall/-/g64K/r16M/v1/to_shared_ns\n"));
	assert_int_equal(run(f, "--strict", f->base, f->cand, NULL), 1);
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

	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	snprintf(want, sizeof(want), "gmembench compare: %s:%d: %s",
		 f->cand_csv, line, what);
	assert_one_line(f->err, want);
	assert_string_equal(f->out, "");
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;
	struct scen s = { 0 };
	size_t len;
	char *csv;

	write_pair(f, &s, &s);
	/* cut in the middle of line 5: the last row is short and unended */
	csv = slurp(f->cand_csv, &len);
	spit(f->cand_csv, csv, line_off(f->cand_csv, 5) + 40);
	expect_refused(f, 5, "row has ");
	assert_non_null(strstr(f->err, "(truncated?)"));
	/* cut inside the last field of a row: all fields, no line end */
	spit(f->cand_csv, csv, len);
	spit(f->cand_csv, csv, line_off(f->cand_csv, 6) - 2);
	expect_refused(f, 5, "last row has no line end (file truncated?)");
	/* a short row in the middle of the file */
	spit(f->cand_csv, csv, len);
	edit(f->cand_csv, line_off(f->cand_csv, 3), ",ok,", "\r\n");
	expect_refused(f, 3, "row has ");
	/* one field too many */
	spit(f->cand_csv, csv, len);
	edit(f->cand_csv, line_off(f->cand_csv, 4), ",ok,", ",ok,,x,");
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
	struct scen s = { 0 };
	char want[512], *csv;
	size_t len, i;

	write_pair(f, &s, &s);
	csv = slurp(f->cand_csv, &len);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spit(f->cand_csv, csv, len);
		/* line 6: repetition 0 of the first cell */
		set_field(f->cand_csv, 6, cases[i].col, cases[i].to);
		snprintf(want, sizeof(want), "column '%s': %s", cases[i].name,
			 cases[i].why);
		expect_refused(f, 6, want);
	}
	/* the warm-up row is checked as well */
	spit(f->cand_csv, csv, len);
	set_field(f->cand_csv, 2, 20, "-1");
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
	struct fixture *f = *state;
	struct scen s = { 0 };
	char want[512], *json;
	size_t len, rep0;

	write_pair(f, &s, &s);
	json = slurp(f->base_json, &len);
	/* past the warm-up, whose bins compare does not read */
	rep0 = off_of(f->base_json, "\"repetition\":0,");
	/* cut short */
	spit(f->base_json, json, len / 2);
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	snprintf(want, sizeof(want), "gmembench compare: %s: not valid JSON",
		 f->base_json);
	assert_one_line(f->err, want);
	/* from another run */
	spit(f->base_json, json, len);
	edit(f->base_json, 0, "\"base-run\"", "\"other-run\"");
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	assert_one_line(f->err, "run_id 'other-run', but ");
	/* a bin that goes backwards */
	spit(f->base_json, json, len);
	edit(f->base_json, rep0, "\"bins\":[", "\"bins\":[[999999999, 999999999, 1],");
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	assert_one_line(f->err, "metric 'to_private_ns': bins[1]: ");
	/* counts that do not add up */
	spit(f->base_json, json, len);
	edit(f->base_json, rep0, "\"count\":500,", "\"count\":501,");
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	assert_one_line(f->err, "count 501 but the bins hold 500");
	/* a latency above an hour */
	spit(f->base_json, json, len);
	edit(f->base_json, rep0, "\"bins\":[", "\"bins\":[[4000000000000, 4000000000001, 1],");
	assert_int_equal(run(f, f->base, f->cand, NULL), 2);
	assert_one_line(f->err, "latency 4000000000000 ns above 1 h");
	free(json);
}

static void test_csv_output_never_an_input(void **state)
{
	struct fixture *f = *state;
	struct scen s = { 0 };
	char alias[256], link[256], *before, *after;
	size_t n1, n2;

	write_pair(f, &s, &s);
	before = slurp(f->base_csv, &n1);
	snprintf(alias, sizeof(alias), "%s/../base/./results.csv", f->cand);
	snprintf(link, sizeof(link), "%s/link.csv", f->dir);
	assert_int_equal(symlink(f->cand_csv, link), 0);

	assert_int_equal(run(f, "--csv", f->base_csv, f->base, f->cand, NULL),
			 2);
	assert_one_line(f->err, "is an input (base ");
	assert_int_equal(run(f, "--csv", alias, f->base, f->cand, NULL), 2);
	assert_int_equal(run(f, "--csv", link, f->base, f->cand, NULL), 2);
	assert_one_line(f->err, "is an input (cand ");
	assert_int_equal(run(f, "--csv", f->base_json, f->base, f->cand, NULL),
			 2);
	assert_int_equal(run(f, "--csv", f->base, f->base, f->cand, NULL), 2);
	after = slurp(f->base_csv, &n2);
	assert_true(n1 == n2 && !memcmp(before, after, n1));
	/* a new file is fine */
	assert_int_equal(run(f, "--csv", f->out_csv, f->base, f->cand, NULL),
			 0);
	assert_int_equal(access(f->out_csv, R_OK), 0);
	free(before);
	free(after);
}

static void test_options(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "--seed", "x", "a", "b", NULL), 2);
	assert_string_equal(f->err,
		"gmembench compare: invalid --seed 'x': expected an integer 0..18446744073709551615\n");
	assert_int_equal(run(f, "--seed", "-1", "a", "b", NULL), 2);
	assert_int_equal(run(f, "--resamples", "99", "a", "b", NULL), 2);
	assert_string_equal(f->err,
		"gmembench compare: invalid --resamples '99': expected an integer 100..1000000\n");
	assert_int_equal(run(f, "--resamples=1000001", "a", "b", NULL), 2);
	assert_int_equal(run(f, "-h", NULL), 0);
	assert_non_null(strstr(f->out, "--strict"));
	assert_non_null(strstr(f->out, "--seed N"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
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
