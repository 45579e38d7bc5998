// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for bench/stats.c. Expected values come from hand computation,
 * brute force written here independently (pair counting, exact binomial
 * sums in 128-bit integers), published order-statistic tables, and
 * reference p-values that scipy's and R's own test suites pin down.
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

#include "bench/rng.h"
#include "bench/stats.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t test_rng_state = 0x9e3779b97f4a7c15ULL;

/* splitmix64: fixed seed so failures reproduce */
static uint64_t test_rand(void)
{
	return rng_splitmix64(&test_rng_state);
}

static void assert_close(double got, double want, double rel_tol)
{
	double tol = rel_tol * fabs(want);

	if (tol < 1e-300)
		tol = rel_tol;
	if (fabs(got - want) > tol)
		fail_msg("got %.17g, want %.17g (rel tol %g)", got, want,
			 rel_tol);
}

static void test_mean_stddev_known(void **state)
{
	const double a[] = { 1, 2, 3, 4 };
	/* population sd 2, sum of squared deviations 32 */
	const double b[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	const double one[] = { 42 };

	assert_close(stats_mean(a, 4), 2.5, 1e-15);
	assert_close(stats_mean(b, 8), 5.0, 1e-15);
	/* sample sd of 1,2,3,4: sum sq dev 5 -> sqrt(5/3) */
	assert_close(stats_stddev(a, 4), sqrt(5.0 / 3.0), 1e-14);
	assert_close(stats_stddev(b, 8), sqrt(32.0 / 7.0), 1e-14);
	assert_true(stats_stddev(one, 1) == 0.0);
	assert_true(isnan(stats_mean(a, 0)));
	/* large offset: a one-pass formula would lose all digits here */
	{
		const double c[] = { 1e9 + 1, 1e9 + 2, 1e9 + 3 };

		assert_close(stats_stddev(c, 3), 1.0, 1e-9);
	}
}

static void test_median_known(void **state)
{
	const double odd[] = { 5, 1, 3 };
	const double even[] = { 4, 1, 3, 2 };
	const double dup[] = { 7, 7, 1, 7, 100 };
	const double one[] = { -3.5 };
	double copy[4];

	memcpy(copy, even, sizeof(copy));
	assert_close(stats_median(odd, 3), 3.0, 0);
	assert_close(stats_median(even, 4), 2.5, 0);
	assert_close(stats_median(dup, 5), 7.0, 0);
	assert_close(stats_median(one, 1), -3.5, 0);
	assert_true(isnan(stats_median(odd, 0)));
	/* input must be left untouched */
	assert_memory_equal(copy, even, sizeof(copy));
}

static void test_geomean_known(void **state)
{
	const double a[] = { 1, 2, 4 };
	const double b[] = { 2, 8 };
	const double c[] = { 3, 3, 3, 3 };
	const double zero[] = { 1, 0, 4 };
	const double neg[] = { 1, -2, 4 };
	const double nan_in[] = { 1, NAN };
	/* 1e300^n overflows if computed as a product */
	const double big[] = { 1e300, 1e300, 1e300 };

	assert_close(stats_geomean(a, 3), 2.0, 1e-14);
	assert_close(stats_geomean(b, 2), 4.0, 1e-14);
	assert_close(stats_geomean(c, 4), 3.0, 1e-14);
	assert_close(stats_geomean(big, 3), 1e300, 1e-12);
	assert_true(isnan(stats_geomean(zero, 3)));
	assert_true(isnan(stats_geomean(neg, 3)));
	assert_true(isnan(stats_geomean(nan_in, 2)));
	assert_true(isnan(stats_geomean(a, 0)));
}

static int cmp_dbl(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* random data against a brute-force median and two-pass stddev */
static void test_random_vs_bruteforce(void **state)
{
	double x[101], s[101];
	size_t n, i;
	int round;

	for (round = 0; round < 200; round++) {
		double sum = 0, mean, ss = 0, med;

		n = 1 + test_rand() % 101;
		for (i = 0; i < n; i++) {
			x[i] = (double)(test_rand() % 1000) / 7.0;
			sum += x[i];
		}
		memcpy(s, x, n * sizeof(*x));
		qsort(s, n, sizeof(*s), cmp_dbl);
		med = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
		mean = sum / (double)n;
		for (i = 0; i < n; i++)
			ss += (x[i] - mean) * (x[i] - mean);
		assert_close(stats_median(x, n), med, 0);
		assert_close(stats_mean(x, n), mean, 1e-12);
		if (n > 1)
			assert_close(stats_stddev(x, n), sqrt(ss / (n - 1)),
				     1e-12);
	}
}

/*
 * Expected lower rank j (1-based) of the 95% median CI computed exactly:
 * the largest j with 2 * sum_{i<j} C(n,i) <= 0.05 * 2^n, i.e.
 * 40 * sum_{i<j} C(n,i) <= 2^n; 0 if j = 1 already fails.
 */
static size_t exact_ci_rank(unsigned int n)
{
	unsigned __int128 c = 1, tail = 0, total = (unsigned __int128)1 << n;
	size_t j = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		tail += c;			/* sum_{k <= i} C(n, k) */
		if (40 * tail > total)
			break;
		j = i + 1;
		c = c * (n - i) / (i + 1);	/* C(n, i + 1), exact */
	}
	return j;
}

static void shuffle(double *x, size_t n)
{
	size_t i;

	for (i = n - 1; i > 0; i--) {
		size_t k = test_rand() % (i + 1);
		double t = x[i];

		x[i] = x[k];
		x[k] = t;
	}
}

static void test_median_ci_table(void **state)
{
	/* Campbell & Gardner style table of ranks (n, lower, upper) */
	static const unsigned int table[][3] = {
		{ 6, 1, 6 }, { 9, 2, 8 }, { 10, 2, 9 }, { 15, 4, 12 },
		{ 20, 6, 15 }, { 30, 10, 21 }, { 50, 18, 33 },
	};
	double x[100], med, lo, hi;
	size_t t, i;

	for (t = 0; t < ARRAY_LEN(table); t++) {
		unsigned int n = table[t][0];

		/* x_(r) == 10 * r after sorting */
		for (i = 0; i < n; i++)
			x[i] = 10.0 * (double)(i + 1);
		shuffle(x, n);
		assert_int_equal(stats_median_ci95(x, n, &med, &lo, &hi), 0);
		assert_close(lo, 10.0 * table[t][1], 0);
		assert_close(hi, 10.0 * table[t][2], 0);
		assert_int_equal(exact_ci_rank(n), table[t][1]);
	}
}

static void test_median_ci_exact_ranks(void **state)
{
	double x[100], med, lo, hi;
	unsigned int n;
	size_t i, j;

	for (n = 1; n <= 100; n++) {
		for (i = 0; i < n; i++)
			x[i] = 10.0 * (double)(i + 1);
		shuffle(x, n);
		assert_int_equal(stats_median_ci95(x, n, &med, &lo, &hi), 0);
		j = exact_ci_rank(n);
		if (n < 6) {
			/* no 95% interval exists: documented fallback */
			assert_int_equal(j, 0);
			assert_close(lo, 10.0, 0);
			assert_close(hi, 10.0 * n, 0);
		} else {
			assert_true(j >= 1);
			assert_close(lo, 10.0 * j, 0);
			assert_close(hi, 10.0 * (n - j + 1), 0);
		}
		assert_true(lo <= med && med <= hi);
		assert_close(med, stats_median(x, n), 0);
	}
}

/* large n: the 2^-n factor underflows, the interval must still be sane */
static void test_median_ci_large_n(void **state)
{
	const size_t n = 10000;
	double *x = malloc(n * sizeof(*x)), med, lo, hi;
	long double tail = 0, logp;
	size_t i, j = 0;

	assert_non_null(x);
	for (i = 0; i < n; i++)
		x[i] = (double)(i + 1);
	shuffle(x, n);
	assert_int_equal(stats_median_ci95(x, n, &med, &lo, &hi), 0);
	/* independent: lgammal-based binomial tail in long double */
	for (i = 0; i < n / 2; i++) {
		logp = lgammal(n + 1.0L) - lgammal(i + 1.0L) -
		       lgammal(n - i + 1.0L) - (long double)n * logl(2.0L);
		tail += expl(logp);
		if (1.0L - 2.0L * tail < 0.95L)
			break;
		j = i + 1;
	}
	/* normal approximation says about n/2 - 0.98 sqrt(n) = 4902 */
	assert_true(j > 4890 && j < 4910);
	assert_close(lo, (double)j, 0);
	assert_close(hi, (double)(n - j + 1), 0);
	assert_close(med, 5000.5, 0);
	free(x);
}

static void test_median_ci_errors(void **state)
{
	const double x[] = { 1, NAN, 3, 4, 5, 6, 7 };
	const double same[] = { 5, 5, 5, 5, 5, 5, 5, 5 };
	double med = -1, lo = -1, hi = -1;

	assert_int_equal(stats_median_ci95(x, 0, &med, &lo, &hi), -EINVAL);
	assert_int_equal(stats_median_ci95(x, 7, &med, &lo, &hi), -EINVAL);
	assert_int_equal(stats_median_ci95(same, 8, &med, &lo, &hi), 0);
	assert_close(med, 5, 0);
	assert_close(lo, 5, 0);
	assert_close(hi, 5, 0);
}

/* U of a by definition: pairs with a > b, ties count 1/2 */
static double brute_u(const double *a, size_t na, const double *b, size_t nb)
{
	double u = 0;
	size_t i, k;

	for (i = 0; i < na; i++)
		for (k = 0; k < nb; k++)
			u += a[i] > b[k] ? 1.0 : a[i] == b[k] ? 0.5 : 0.0;
	return u;
}

/*
 * Textbook p-value, written from the formula (not from stats.c): tie
 * groups counted by brute force over the pooled sample.
 */
static double brute_p(const double *a, size_t na, const double *b, size_t nb)
{
	double pooled[256], u = brute_u(a, na, b, nb), ties = 0;
	double m = (double)na * nb, n = (double)(na + nb), s, d;
	size_t i, k, np = na + nb;

	memcpy(pooled, a, na * sizeof(*a));
	memcpy(pooled + na, b, nb * sizeof(*b));
	for (i = 0; i < np; i++) {
		int first = 1;
		double t = 0;

		for (k = 0; k < np; k++) {
			if (pooled[k] == pooled[i]) {
				t++;
				if (k < i)
					first = 0;
			}
		}
		if (first)
			ties += t * t * t - t;
	}
	s = sqrt(m / 12.0 * (n + 1 - ties / (n * (n - 1))));
	if (s == 0)
		return 1;
	d = fabs(u - m / 2) - 0.5;
	if (d <= 0)
		return 1;
	return erfc(d / s / sqrt(2.0));
}

struct mwu_case {
	double a[16];
	size_t na;
	double b[16];
	size_t nb;
	double u, p;
};

static void test_mann_whitney_reference(void **state)
{
	/*
	 * p-values as pinned by scipy's docs/tests (which were checked
	 * against R's wilcox.test(exact=FALSE, correct=TRUE)), plus 1..5
	 * vs 6..10 computed by hand: U=0, z = 12 / sqrt(275/12).
	 */
	static const struct mwu_case cases[] = {
		/* scipy docstring: males vs females */
		{ { 19, 22, 16, 29, 24 }, 5, { 20, 11, 17, 12 }, 4,
		  17, 0.11134688653314041 },
		/* scipy gh-9184, R-verified */
		{ { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73,
		    1.46 }, 10, { 1.15, 0.88, 0.90, 0.74, 1.21 }, 5,
		  35, 0.244623605127 },
		/* scipy gh-11355, ties and +inf, R-verified */
		{ { 1, 2, 3, 4 }, 4,
		  { 3, 6, 7, 8, INFINITY, 3, 2, 1, 4, 4, 5 }, 11,
		  10, 0.1297704873477 },
		{ { 1, 2, INFINITY, 4 }, 4,
		  { 3, 6, 7, 8, INFINITY, INFINITY, 2, 1, 4, 4, 5 }, 11,
		  16, 0.4687165824462 },
		{ { 1, INFINITY, INFINITY, 4 }, 4,
		  { 3, 6, 7, 8, INFINITY, INFINITY, 2, 1, 4, 4, 5 }, 11,
		  24.5, 0.7912517950119 },
		/* scipy tie-correction test: ties at every a value */
		{ { 1, 2, 3, 4 }, 4, { 1, 2, 3, 4, 5 }, 5,
		  8, 0.7086240584439 },
		{ { 1, 2, 3, 4 }, 4, { 0.99, 1.99, 2.99, 3.99, 4.99 }, 5,
		  10, 1.0 },
		/* scipy gh-2118: U == m*n/2, continuity must not push p > 1 */
		{ { 1, 2, 3 }, 3, { 1.5, 2.5 }, 2, 3, 1.0 },
		{ { 1, 2, 3 }, 3, { 2 }, 1, 1.5, 1.0 },
		/* fully separated samples */
		{ { 1, 2, 3, 4, 5 }, 5, { 6, 7, 8, 9, 10 }, 5,
		  0, 0.012185780355344818 },
		{ { 6, 7, 8, 9, 10 }, 5, { 1, 2, 3, 4, 5 }, 5,
		  25, 0.012185780355344818 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		const struct mwu_case *c = &cases[i];
		double u = -1, p = -1;

		assert_int_equal(stats_mann_whitney(c->a, c->na, c->b, c->nb,
						    &u, &p), 0);
		assert_close(u, c->u, 0);
		assert_close(p, c->p, 1e-10);
	}
	/* the 1..5 vs 6..10 constant, recomputed from its definition */
	assert_close(erfc(12.0 / sqrt(25.0 / 12.0 * 11.0) / sqrt(2.0)),
		     0.012185780355344818, 1e-12);
}

static void test_mann_whitney_bruteforce(void **state)
{
	double a[40], b[40];
	int round;

	for (round = 0; round < 500; round++) {
		size_t na = 1 + test_rand() % 40, nb = 1 + test_rand() % 40, i;
		/* small value range: plenty of ties; shift b sometimes */
		unsigned int range = 2 + test_rand() % 30;
		double shift = (double)(test_rand() % 4);
		double u, p, u2, p2;

		for (i = 0; i < na; i++)
			a[i] = (double)(test_rand() % range);
		for (i = 0; i < nb; i++)
			b[i] = (double)(test_rand() % range) + shift;
		assert_int_equal(stats_mann_whitney(a, na, b, nb, &u, &p), 0);
		assert_close(u, brute_u(a, na, b, nb), 0);
		assert_close(p, brute_p(a, na, b, nb), 1e-9);
		assert_true(p >= 0 && p <= 1);
		/* swapping the samples mirrors U and keeps p */
		assert_int_equal(stats_mann_whitney(b, nb, a, na, &u2, &p2), 0);
		assert_close(u + u2, (double)na * nb, 0);
		assert_close(p, p2, 1e-12);
	}
}

static void test_mann_whitney_edges(void **state)
{
	const double a[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	const double same[] = { 7, 7, 7, 7 };
	const double nan_in[] = { 1, NAN };
	const double lo[] = { 10, 12, 14, 16, 18, 20 };
	const double hi[] = { 11, 13, 15, 17, 19, 21 };
	double u, p;

	/* identical samples: U at its mean, p = 1 */
	assert_int_equal(stats_mann_whitney(a, 8, a, 8, &u, &p), 0);
	assert_close(u, 32, 0);
	assert_close(p, 1, 0);
	/* all tied: zero variance, defined as p = 1 */
	assert_int_equal(stats_mann_whitney(same, 4, same, 2, &u, &p), 0);
	assert_close(u, 4, 0);
	assert_close(p, 1, 0);
	assert_int_equal(stats_mann_whitney(same, 1, same, 1, &u, &p), 0);
	assert_close(p, 1, 0);
	/* interleaved samples: no evidence of a shift */
	assert_int_equal(stats_mann_whitney(lo, 6, hi, 6, &u, &p), 0);
	assert_close(u, 15, 0);
	assert_true(p > 0.5);
	assert_int_equal(stats_mann_whitney(a, 0, a, 8, &u, &p), -EINVAL);
	assert_int_equal(stats_mann_whitney(a, 8, a, 0, &u, &p), -EINVAL);
	assert_int_equal(stats_mann_whitney(a, 8, nan_in, 2, &u, &p),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_stddev_known),
		cmocka_unit_test(test_median_known),
		cmocka_unit_test(test_geomean_known),
		cmocka_unit_test(test_random_vs_bruteforce),
		cmocka_unit_test(test_median_ci_table),
		cmocka_unit_test(test_median_ci_exact_ranks),
		cmocka_unit_test(test_median_ci_large_n),
		cmocka_unit_test(test_median_ci_errors),
		cmocka_unit_test(test_mann_whitney_reference),
		cmocka_unit_test(test_mann_whitney_bruteforce),
		cmocka_unit_test(test_mann_whitney_edges),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
