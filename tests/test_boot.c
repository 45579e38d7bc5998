// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for bench/rng.c and bench/boot.c against brute force written here
 * independently: moments of the samplers against their formulas, the
 * observed statistic against sorting the expanded values, the bootstrap
 * interval against a bootstrap that expands and sorts every resample, and
 * the coverage of the interval on distributions whose true ratio is known.
 * Every generator is seeded: a failure reproduces.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench/boot.h"
#include "bench/hist.h"
#include "bench/rng.h"
#include "bench/stats.h"

#define MAX_REPS	16

/* a repetition owned by the test: distinct ascending values with counts */
struct trep {
	double *value;
	uint64_t *count;
	size_t nr;
};

static void trep_free(struct trep *t)
{
	free(t->value);
	free(t->count);
	memset(t, 0, sizeof(*t));
}

/* raw values (any order) into a trep: sort, then count runs */
static void trep_from_values(struct trep *t, double *v, size_t n)
{
	size_t i;

	qsort(v, n, sizeof(*v), stats_cmp_double);
	t->value = malloc(n * sizeof(*t->value));
	t->count = malloc(n * sizeof(*t->count));
	assert_non_null(t->value);
	assert_non_null(t->count);
	t->nr = 0;
	for (i = 0; i < n; i++) {
		if (t->nr && t->value[t->nr - 1] == v[i]) {
			t->count[t->nr - 1]++;
			continue;
		}
		t->value[t->nr] = v[i];
		t->count[t->nr++] = 1;
	}
}

static void side_init(struct boot_side *s, const struct trep *t, size_t nr)
{
	struct boot_rep r[MAX_REPS];
	size_t i;

	assert_true(nr <= MAX_REPS);
	for (i = 0; i < nr; i++)
		r[i] = (struct boot_rep){ t[i].value, t[i].count, t[i].nr };
	assert_int_equal(boot_side_init(s, r, nr), 0);
}

/* ---- the samplers ---- */

static void moments(double *x, size_t n, double *mean, double *var)
{
	double m = 0.0, v = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		m += x[i];
	m /= (double)n;
	for (i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	*mean = m;
	*var = v / (double)(n - 1);
}

#define NR_DRAWS	200000

/* sample mean within 5 standard errors, variance within 5 % */
static void check_moments(double *x, double want_mean, double want_var)
{
	double m, v, se = sqrt(want_var / NR_DRAWS);

	moments(x, NR_DRAWS, &m, &v);
	if (fabs(m - want_mean) > 5.0 * se || fabs(v / want_var - 1.0) > 0.05)
		fail_msg("mean %.6g (want %.6g +- %.3g), var %.6g (want %.6g)",
			 m, want_mean, 5.0 * se, v, want_var);
}

static void test_rng_deterministic(void **state)
{
	struct rng a, b, c;
	int i, same = 1;

	rng_seed(&a, 42);
	rng_seed(&b, 42);
	rng_seed(&c, 43);
	for (i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a);

		assert_true(x == rng_next(&b));
		same &= x == rng_next(&c);
	}
	assert_false(same);
	assert_true(rng_mix(1, 2) != rng_mix(2, 1));
	assert_true(rng_mix(1, 2) == rng_mix(1, 2));
}

static void test_rng_uniform_below(void **state)
{
	double *x = malloc(NR_DRAWS * sizeof(*x));
	unsigned int hits[7] = { 0 };
	struct rng r;
	size_t i;

	assert_non_null(x);
	rng_seed(&r, 1);
	for (i = 0; i < NR_DRAWS; i++) {
		x[i] = rng_uniform(&r);
		assert_true(x[i] > 0.0 && x[i] < 1.0);
	}
	check_moments(x, 0.5, 1.0 / 12.0);
	for (i = 0; i < 70000; i++)
		hits[rng_below(&r, 7)]++;
	/* each bucket 10000 +- 5 sd (sd ~ 92.6) */
	for (i = 0; i < 7; i++)
		assert_true(hits[i] > 9537 && hits[i] < 10463);
	assert_true(rng_below(&r, 0) == 0);
	assert_true(rng_below(&r, 1) == 0);
	free(x);
}

static void test_rng_normal_gamma_beta(void **state)
{
	static const double shapes[] = { 0.5, 1.0, 2.5, 30.0, 1e6 };
	static const double ab[][2] = { { 1, 1 }, { 2, 5 }, { 500, 501 },
					{ 1e5, 3 } };
	double *x = malloc(NR_DRAWS * sizeof(*x));
	struct rng r;
	size_t i, k;

	assert_non_null(x);
	rng_seed(&r, 2);
	for (i = 0; i < NR_DRAWS; i++)
		x[i] = rng_normal(&r);
	check_moments(x, 0.0, 1.0);
	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		for (i = 0; i < NR_DRAWS; i++)
			x[i] = rng_gamma(&r, shapes[k]);
		/* Gamma(a, 1): mean a, variance a */
		check_moments(x, shapes[k], shapes[k]);
	}
	for (k = 0; k < sizeof(ab) / sizeof(ab[0]); k++) {
		double a = ab[k][0], b = ab[k][1], s = a + b;

		for (i = 0; i < NR_DRAWS; i++)
			x[i] = rng_beta(&r, a, b);
		check_moments(x, a / s, a * b / (s * s * (s + 1.0)));
	}
	free(x);
}

/*
 * The identity the two-stage bootstrap rests on, by brute force: the k-th
 * smallest of n uniforms is Beta(k, n - k + 1).
 */
static void test_order_statistic_is_beta(void **state)
{
	enum { N = 15, K = 4, TRIES = 40000 };
	double *brute = malloc(TRIES * sizeof(*brute));
	double *beta = malloc(TRIES * sizeof(*beta));
	double u[N], mb, vb, mt, vt;
	struct rng r;
	int i, j;

	assert_non_null(brute);
	assert_non_null(beta);
	rng_seed(&r, 3);
	for (i = 0; i < TRIES; i++) {
		for (j = 0; j < N; j++)
			u[j] = rng_uniform(&r);
		qsort(u, N, sizeof(*u), stats_cmp_double);
		brute[i] = u[K - 1];
		beta[i] = rng_beta(&r, K, N - K + 1);
	}
	moments(brute, TRIES, &mb, &vb);
	moments(beta, TRIES, &mt, &vt);
	assert_true(fabs(mb - mt) < 0.003);
	assert_true(fabs(vb / vt - 1.0) < 0.05);
	/* and the quartiles */
	qsort(brute, TRIES, sizeof(*brute), stats_cmp_double);
	qsort(beta, TRIES, sizeof(*beta), stats_cmp_double);
	for (i = 1; i < 4; i++)
		assert_true(fabs(brute[i * TRIES / 4] - beta[i * TRIES / 4]) <
			    0.005);
	free(brute);
	free(beta);
}

/* ---- the observed statistic ---- */

/* n values with ties: lognormal around 1000 * scale, rounded to integers */
static void tied_values(struct rng *r, double *v, size_t n, double scale)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = round(scale * 1000.0 * exp(0.3 * rng_normal(r)));
}

static void test_point_vs_sorting(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 10, 999, 1000 };
	static const double pcts[] = { 50.0, 90.0, 99.0, 99.9, 100.0, 1.0 };
	double all[3 * 1000], v[1000];
	struct trep t[3];
	struct boot_side s;
	struct rng r;
	size_t si, p, i, n, total;

	rng_seed(&r, 4);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		n = sizes[si];
		total = 0;
		for (i = 0; i < 3; i++) {
			tied_values(&r, v, n, 1.0 + 0.1 * (double)i);
			memcpy(all + total, v, n * sizeof(*v));
			total += n;
			trep_from_values(&t[i], v, n);
		}
		side_init(&s, t, 3);
		assert_true(boot_side_count(&s) == total);
		qsort(all, total, sizeof(*all), stats_cmp_double);
		for (p = 0; p < sizeof(pcts) / sizeof(pcts[0]); p++) {
			struct boot_opts o = { .kind = BOOT_CONVERSIONS,
					       .pct = pcts[p] };
			uint64_t k = hist_rank(total, pcts[p]);

			/* the k-th smallest of the expanded values, exactly */
			assert_true(boot_point(&s, &o) == all[k - 1]);
		}
		{
			struct boot_opts o = { .kind = BOOT_VALUES };

			assert_true(boot_point(&s, &o) ==
				    stats_median(all, total));
		}
		boot_side_free(&s);
		for (i = 0; i < 3; i++)
			trep_free(&t[i]);
	}
}

/* a real histogram's bins, as compare reads them, vs the raw values */
static void test_point_from_histogram(void **state)
{
	enum { N = 5001 };
	double raw[N], binval[HIST_NR_BUCKETS];
	uint64_t cnt[HIST_NR_BUCKETS];
	struct hist *h = hist_new();
	struct boot_side s;
	struct boot_rep rep;
	struct boot_opts o = { .kind = BOOT_CONVERSIONS, .pct = 50.0 };
	struct rng r;
	size_t i, nr = 0;

	assert_non_null(h);
	rng_seed(&r, 5);
	for (i = 0; i < N; i++) {
		raw[i] = floor(20000.0 * exp(0.5 * rng_normal(&r)));
		hist_record(h, (uint64_t)raw[i]);
	}
	for (i = 0; i < HIST_NR_BUCKETS; i++) {
		uint64_t v = hist_bucket_hi(i);

		if (!h->counts[i])
			continue;
		/* compare's reading of a bin: its top, within [min, max] */
		if (v > h->max)
			v = h->max;
		if (v < h->min)
			v = h->min;
		binval[nr] = (double)v;
		cnt[nr++] = h->counts[i];
	}
	rep = (struct boot_rep){ binval, cnt, nr };
	assert_int_equal(boot_side_init(&s, &rep, 1), 0);
	qsort(raw, N, sizeof(*raw), stats_cmp_double);
	/* exactly the histogram's p50, within its resolution of the raw one */
	assert_true(boot_point(&s, &o) == (double)hist_percentile(h, 50.0));
	assert_true(fabs(boot_point(&s, &o) / raw[N / 2] - 1.0) <= 1.0 / 128);
	o.pct = 99.0;
	assert_true(boot_point(&s, &o) == (double)hist_percentile(h, 99.0));
	boot_side_free(&s);
	hist_free(h);
}

static void test_side_init_errors(void **state)
{
	double v[] = { 1, 2, 2 }, nan_v[] = { NAN };
	uint64_t c[] = { 1, 1, 1 }, zero[] = { 0 }, big[] = { 1ULL << 53 };
	struct boot_rep ok = { v, c, 2 }, bad[] = {
		{ v, c, 0 }, { v, c, 3 }, { nan_v, c, 1 }, { v, zero, 1 },
	};
	struct boot_rep huge[2] = { { v, big, 1 }, { v, c, 1 } };
	struct boot_opts o = { .kind = BOOT_CONVERSIONS, .pct = 50.0,
			       .resamples = 10, .alpha = 0.05 };
	struct boot_side s, t;
	double lo, hi;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(boot_side_init(&s, &bad[i], 1), -EINVAL);
		boot_side_free(&s);
	}
	assert_int_equal(boot_side_init(&s, &ok, 0), -EINVAL);
	assert_int_equal(boot_side_init(&s, huge, 2), -EINVAL);
	boot_side_free(&s);
	assert_int_equal(boot_side_init(&s, &ok, 1), 0);
	assert_int_equal(boot_side_init(&t, &ok, 1), 0);
	o.alpha = 1.0;
	assert_int_equal(boot_ratio_ci(&s, &t, &o, &lo, &hi), -EINVAL);
	o.alpha = 0.05;
	o.pct = 0.0;
	assert_int_equal(boot_ratio_ci(&s, &t, &o, &lo, &hi), -EINVAL);
	o.pct = 50.0;
	o.resamples = 0;
	assert_int_equal(boot_ratio_ci(&s, &t, &o, &lo, &hi), -EINVAL);
	boot_side_free(&s);
	boot_side_free(&t);
}

/* ---- the interval against a brute-force bootstrap ---- */

/*
 * The documented procedure, spelt out: draw nr repetitions with
 * replacement, pool their expanded values, (two-stage) draw as many values
 * from the pool with replacement, sort, take the statistic.
 */
static double brute_stat(const struct trep *t, size_t nr,
			 const struct boot_opts *o, struct rng *r)
{
	size_t drawn[MAX_REPS], n = 0, i, j, k;
	double *pool, *res, v;

	for (i = 0; i < nr; i++) {
		drawn[i] = (size_t)rng_below(r, nr);
		for (j = 0; j < t[drawn[i]].nr; j++)
			n += t[drawn[i]].count[j];
	}
	pool = malloc(n * sizeof(*pool));
	res = malloc(n * sizeof(*res));
	assert_non_null(pool);
	assert_non_null(res);
	for (i = 0, n = 0; i < nr; i++)
		for (j = 0; j < t[drawn[i]].nr; j++)
			for (k = 0; k < t[drawn[i]].count[j]; k++)
				pool[n++] = t[drawn[i]].value[j];
	if (o->kind == BOOT_VALUES) {
		v = stats_median(pool, n);
	} else {
		for (i = 0; i < n; i++)
			res[i] = pool[rng_below(r, n)];
		qsort(res, n, sizeof(*res), stats_cmp_double);
		v = res[hist_rank(n, o->pct) - 1];
	}
	free(pool);
	free(res);
	return v;
}

static void brute_ci(const struct trep *b, const struct trep *c, size_t nr,
		     const struct boot_opts *o, double *lo, double *hi)
{
	double *ratio = malloc(o->resamples * sizeof(*ratio));
	struct rng r;
	unsigned int i;

	assert_non_null(ratio);
	rng_seed(&r, o->seed ^ 0xabcdef);
	for (i = 0; i < o->resamples; i++) {
		double sb = brute_stat(b, nr, o, &r);

		ratio[i] = brute_stat(c, nr, o, &r) / sb;
	}
	qsort(ratio, o->resamples, sizeof(*ratio), stats_cmp_double);
	*lo = ratio[(size_t)ceil(o->resamples * o->alpha / 2) - 1];
	*hi = ratio[(size_t)ceil(o->resamples * (1 - o->alpha / 2)) - 1];
	free(ratio);
}

static void check_against_brute(enum boot_kind kind, double pct,
				size_t per_rep, double cand_scale)
{
	struct boot_opts o = { .kind = kind, .pct = pct, .resamples = 4000,
			       .alpha = 0.1, .seed = 6 };
	struct trep b[3], c[3];
	struct boot_side sb, sc;
	double v[400], lo, hi, blo, bhi;
	struct rng r;
	size_t i;

	rng_seed(&r, 7);
	for (i = 0; i < 3; i++) {
		/* repetitions that differ by a few percent, as runs do */
		tied_values(&r, v, per_rep, 1.0 + 0.03 * (double)i);
		trep_from_values(&b[i], v, per_rep);
		tied_values(&r, v, per_rep, cand_scale * (1.0 + 0.02 * i));
		trep_from_values(&c[i], v, per_rep);
	}
	side_init(&sb, b, 3);
	side_init(&sc, c, 3);
	assert_int_equal(boot_ratio_ci(&sb, &sc, &o, &lo, &hi), 0);
	brute_ci(b, c, 3, &o, &blo, &bhi);
	/* two Monte Carlo estimates of the same quantiles: within 1 % */
	if (fabs(lo / blo - 1.0) > 0.01 || fabs(hi / bhi - 1.0) > 0.01)
		fail_msg("boot [%.4f, %.4f] vs brute force [%.4f, %.4f]",
			 lo, hi, blo, bhi);
	assert_true(lo <= hi);
	boot_side_free(&sb);
	boot_side_free(&sc);
	for (i = 0; i < 3; i++) {
		trep_free(&b[i]);
		trep_free(&c[i]);
	}
}

static void test_ci_vs_brute_force(void **state)
{
	check_against_brute(BOOT_CONVERSIONS, 50.0, 400, 1.0);
	check_against_brute(BOOT_CONVERSIONS, 50.0, 400, 1.25);
	check_against_brute(BOOT_CONVERSIONS, 90.0, 400, 1.1);
	check_against_brute(BOOT_VALUES, 50.0, 1, 1.1);
	check_against_brute(BOOT_VALUES, 50.0, 40, 0.9);
}

static void test_ci_deterministic(void **state)
{
	struct boot_opts o = { .kind = BOOT_CONVERSIONS, .pct = 50.0,
			       .resamples = 500, .alpha = 0.05, .seed = 8 };
	double v[300], lo1, hi1, lo2, hi2, lo3, hi3;
	struct trep t[2];
	struct boot_side s, u;
	struct rng r;

	rng_seed(&r, 9);
	tied_values(&r, v, 300, 1.0);
	trep_from_values(&t[0], v, 300);
	tied_values(&r, v, 300, 1.0);
	trep_from_values(&t[1], v, 300);
	side_init(&s, t, 2);
	side_init(&u, t, 2);
	assert_int_equal(boot_ratio_ci(&s, &u, &o, &lo1, &hi1), 0);
	assert_int_equal(boot_ratio_ci(&s, &u, &o, &lo2, &hi2), 0);
	assert_true(lo1 == lo2 && hi1 == hi2);
	o.seed = 10;
	assert_int_equal(boot_ratio_ci(&s, &u, &o, &lo3, &hi3), 0);
	assert_true(lo1 != lo3 || hi1 != hi3);
	/* a side against itself: 1 lies inside */
	assert_true(lo1 <= 1.0 && hi1 >= 1.0);
	boot_side_free(&s);
	boot_side_free(&u);
	trep_free(&t[0]);
	trep_free(&t[1]);
}

/* ---- coverage on known distributions ---- */

/*
 * nr_reps repetitions of n lognormal values: median 1000 * scale times a
 * per-repetition factor exp(N(0, rep_sigma)). The population median of the
 * pooled values is exactly 1000 * scale (the log is normal with mean
 * log(1000 * scale)), so the true ratio of two sides is the ratio of scales.
 */
static void draw_side(struct rng *r, struct trep *t, size_t nr_reps, size_t n,
		      double scale, double rep_sigma)
{
	double *v = malloc(n * sizeof(*v));
	size_t i, j;

	assert_non_null(v);
	for (i = 0; i < nr_reps; i++) {
		double rep = rep_sigma * rng_normal(r);

		for (j = 0; j < n; j++)
			v[j] = 1000.0 * scale * exp(rep + 0.3 * rng_normal(r));
		trep_from_values(&t[i], v, n);
	}
	free(v);
}

/* fraction of tries whose interval holds the true ratio 1.2 */
static double coverage(size_t nr_reps, size_t n, double rep_sigma,
		       int pool_reps, int tries)
{
	struct boot_opts o = { .kind = BOOT_CONVERSIONS, .pct = 50.0,
			       .resamples = 1000, .alpha = 0.05 };
	struct trep b[MAX_REPS], c[MAX_REPS];
	struct boot_side sb, sc;
	int i, hit = 0;
	size_t k;
	struct rng r;

	rng_seed(&r, 11);
	for (i = 0; i < tries; i++) {
		double lo, hi;

		draw_side(&r, b, nr_reps, n, 1.0, rep_sigma);
		draw_side(&r, c, nr_reps, n, 1.2, rep_sigma);
		if (pool_reps) {
			/* a pure within-run bootstrap: one merged repetition */
			double *v = malloc(nr_reps * n * sizeof(*v));
			size_t m = 0, j, l;
			struct trep pb, pc;

			assert_non_null(v);
			for (k = 0; k < nr_reps; k++)
				for (j = 0; j < b[k].nr; j++)
					for (l = 0; l < b[k].count[j]; l++)
						v[m++] = b[k].value[j];
			trep_from_values(&pb, v, m);
			for (k = 0, m = 0; k < nr_reps; k++)
				for (j = 0; j < c[k].nr; j++)
					for (l = 0; l < c[k].count[j]; l++)
						v[m++] = c[k].value[j];
			trep_from_values(&pc, v, m);
			free(v);
			side_init(&sb, &pb, 1);
			side_init(&sc, &pc, 1);
			trep_free(&pb);
			trep_free(&pc);
		} else {
			side_init(&sb, b, nr_reps);
			side_init(&sc, c, nr_reps);
		}
		o.seed = (uint64_t)i;
		assert_int_equal(boot_ratio_ci(&sb, &sc, &o, &lo, &hi), 0);
		hit += lo <= 1.2 && 1.2 <= hi;
		boot_side_free(&sb);
		boot_side_free(&sc);
		for (k = 0; k < nr_reps; k++) {
			trep_free(&b[k]);
			trep_free(&c[k]);
		}
	}
	return (double)hit / tries;
}

static void test_coverage_within(void **state)
{
	/* one repetition, 2000 values: the nominal 95 % (sd of 200 tries 1.5 %) */
	double cov = coverage(1, 2000, 0.0, 0, 200);

	print_message("coverage, 1 rep x 2000 values: %.3f\n", cov);
	assert_true(cov >= 0.90 && cov <= 0.99);
}

static void test_coverage_hierarchical(void **state)
{
	/*
	 * 10 repetitions of 500 that differ by 3 % (sd): the two-stage
	 * bootstrap sees that spread and stays near its nominal level (the
	 * percentile interval of 10 clusters runs a little short); pooling
	 * the repetitions into one hides it and the interval undercovers.
	 */
	double hier = coverage(10, 500, 0.03, 0, 200);
	double pooled = coverage(10, 500, 0.03, 1, 200);

	print_message("coverage, 10 reps x 500, rep sd 3%%: hierarchical %.3f, pooled %.3f\n",
		      hier, pooled);
	assert_true(hier >= 0.85);
	assert_true(pooled < 0.80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_deterministic),
		cmocka_unit_test(test_rng_uniform_below),
		cmocka_unit_test(test_rng_normal_gamma_beta),
		cmocka_unit_test(test_order_statistic_is_beta),
		cmocka_unit_test(test_point_vs_sorting),
		cmocka_unit_test(test_point_from_histogram),
		cmocka_unit_test(test_side_init_errors),
		cmocka_unit_test(test_ci_vs_brute_force),
		cmocka_unit_test(test_ci_deterministic),
		cmocka_unit_test(test_coverage_within),
		cmocka_unit_test(test_coverage_hierarchical),
	};

	return cmocka_run_group_tests_name("boot", tests, NULL, NULL);
}
