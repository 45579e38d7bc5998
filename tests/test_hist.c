// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for bench/hist.{h,c}: bucket geometry, percentile accuracy against
 * exact sorted nearest-rank percentiles, merge, clamping, mean/stddev.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench/hist.h"
#include "bench/rng.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define HIST_LIMIT	(1ULL << HIST_MAX_BITS)

static uint64_t test_rng_state = 0x2545f4914f6cdd1dULL;

/* splitmix64: fixed seed so failures reproduce */
static uint64_t test_rand(void)
{
	return rng_splitmix64(&test_rng_state);
}

/* uniform in (0, 1] */
static double test_rand_unit(void)
{
	return ((double)(test_rand() >> 11) + 1.0) / 9007199254740992.0;
}

/* v's bucket brackets it, and its neighbours fall outside the bucket */
static void check_inverse(uint64_t v)
{
	size_t idx = hist_bucket_index(v);
	uint64_t lo = hist_bucket_lo(idx), hi = hist_bucket_hi(idx);

	if (idx >= HIST_NR_BUCKETS)
		fail_msg("v=%llu idx %zu out of range", (unsigned long long)v,
			 idx);
	if (!(lo <= v && v <= hi))
		fail_msg("v=%llu not in bucket %zu [%llu, %llu]",
			 (unsigned long long)v, idx, (unsigned long long)lo,
			 (unsigned long long)hi);
	assert_int_equal(hist_bucket_index(lo), idx);
	assert_int_equal(hist_bucket_index(hi), idx);
	if (lo > 0)
		assert_int_not_equal(hist_bucket_index(lo - 1), idx);
	if (hi + 1 < HIST_LIMIT)
		assert_int_not_equal(hist_bucket_index(hi + 1), idx);
}

static void test_bucket_inverse(void **state)
{
	uint64_t v;
	int i;

	for (v = 0; v <= 70000; v++)
		check_inverse(v);
	for (i = 0; i < 1000000; i++) {
		/* random magnitude: every octave gets hit, not just the top */
		unsigned int bits = 1 + (unsigned int)(test_rand() %
						       HIST_MAX_BITS);

		check_inverse(test_rand() >> (64 - bits));
	}
	for (i = 0; i < HIST_MAX_BITS; i++) {
		check_inverse(1ULL << i);
		check_inverse((1ULL << i) - 1);
		check_inverse((1ULL << i) + 1);
	}
	check_inverse(HIST_LIMIT - 1);
}

/* buckets tile [0, 2^MAX_BITS) with no gap or overlap, within error bound */
static void test_bucket_tiling(void **state)
{
	size_t i;

	assert_int_equal(hist_bucket_lo(0), 0);
	for (i = 0; i < HIST_NR_BUCKETS; i++) {
		uint64_t lo = hist_bucket_lo(i), hi = hist_bucket_hi(i);

		assert_true(lo <= hi);
		if (i + 1 < HIST_NR_BUCKETS)
			assert_true(hist_bucket_lo(i + 1) == hi + 1);
		if (lo < HIST_SUB_COUNT) {
			/* exact region */
			assert_true(lo == hi);
		} else {
			/*
			 * Any v in the bucket is reported as hi: the error
			 * (hi - v) / v <= (hi - lo) / lo <= 1/2^(SUB_BITS-1).
			 */
			assert_true((hi - lo) << (HIST_SUB_BITS - 1) <= lo);
		}
	}
	assert_true(hist_bucket_hi(HIST_NR_BUCKETS - 1) == HIST_LIMIT - 1);
	assert_int_equal(hist_bucket_index(HIST_LIMIT - 1),
			 HIST_NR_BUCKETS - 1);
	assert_true(hist_bucket_lo(HIST_NR_BUCKETS) == UINT64_MAX);
	assert_true(hist_bucket_hi(HIST_NR_BUCKETS) == UINT64_MAX);
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* percentiles in parts per million so the exact rank is integer math */
static const uint64_t pct_ppm[] = {
	1, 100, 1000, 10000, 70000, 250000, 290000, 500000, 570000, 750000,
	838790, 900000, 990000, 999000, 999900, 999990, 1000000,
};

/*
 * Exact nearest-rank percentile of sorted s and the histogram answer must
 * agree within the documented relative error. The histogram reports the
 * top of the sample's bucket, so it is never below the exact value.
 */
static void check_percentiles(const uint64_t *vals, size_t n)
{
	uint64_t *s = malloc(n * sizeof(*s));
	struct hist *h = hist_new();
	size_t i;

	assert_non_null(s);
	assert_non_null(h);
	for (i = 0; i < n; i++)
		hist_record(h, vals[i]);
	memcpy(s, vals, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);

	assert_true(h->count == n);
	assert_true(h->min == s[0]);
	assert_true(h->max == s[n - 1]);
	assert_true(hist_percentile(h, 0.0) == s[0]);
	assert_true(hist_percentile(h, -5.0) == s[0]);
	assert_true(hist_percentile(h, 100.0) == s[n - 1]);

	for (i = 0; i < ARRAY_LEN(pct_ppm); i++) {
		uint64_t rank = (pct_ppm[i] * n + 999999) / 1000000;
		uint64_t exact, got;

		if (rank < 1)
			rank = 1;
		exact = s[rank - 1];
		got = hist_percentile(h, (double)pct_ppm[i] / 10000.0);
		if (got < exact || (double)(got - exact) >
		    (double)exact * 0.0079 + 1.0)
			fail_msg("n=%zu p%g: hist %llu exact %llu", n,
				 (double)pct_ppm[i] / 10000.0,
				 (unsigned long long)got,
				 (unsigned long long)exact);
		/* same bucket as the exact answer, never past max */
		assert_int_equal(hist_bucket_index(got),
				 hist_bucket_index(exact));
		assert_true(got <= s[n - 1]);
		if (exact < HIST_SUB_COUNT)
			assert_true(got == exact);
	}
	hist_free(h);
	free(s);
}

#define NR_SAMPLES	200000

static void test_percentiles_distributions(void **state)
{
	uint64_t *v = malloc(NR_SAMPLES * sizeof(*v));
	const uint64_t two[] = { 100, 5000000 };
	const uint64_t one[] = { 777 };
	size_t i;

	assert_non_null(v);

	/* uniform 0 .. 1 ms */
	for (i = 0; i < NR_SAMPLES; i++)
		v[i] = test_rand() % 1000001;
	check_percentiles(v, NR_SAMPLES);

	/* exponential-like, mean 5 us, long tail */
	for (i = 0; i < NR_SAMPLES; i++)
		v[i] = (uint64_t)(-5000.0 * log(test_rand_unit()));
	check_percentiles(v, NR_SAMPLES);

	/* bimodal: fast path ~1 us, slow path ~1 ms */
	for (i = 0; i < NR_SAMPLES; i++)
		v[i] = test_rand() % 10 < 7 ?
		       900 + test_rand() % 200 :
		       990000 + test_rand() % 20000;
	check_percentiles(v, NR_SAMPLES);

	/* small values, all in the exact region or just above it */
	for (i = 0; i < NR_SAMPLES; i++)
		v[i] = test_rand() % 300;
	check_percentiles(v, NR_SAMPLES);

	/* constant */
	for (i = 0; i < NR_SAMPLES; i++)
		v[i] = 12345;
	check_percentiles(v, NR_SAMPLES);

	/* wide log-uniform spread up to the clamp limit */
	for (i = 0; i < NR_SAMPLES; i++)
		v[i] = test_rand() >> (64 - HIST_MAX_BITS +
				       test_rand() % HIST_MAX_BITS);
	check_percentiles(v, NR_SAMPLES);

	/* every small n, random values */
	for (i = 1; i <= 50; i++) {
		size_t k;

		for (k = 0; k < i; k++)
			v[k] = test_rand() % 100000;
		check_percentiles(v, i);
	}
	check_percentiles(one, 1);
	check_percentiles(two, 2);
	free(v);
}

static void test_percentile_small_exact(void **state)
{
	struct hist h;
	int i;

	/* 1..100: p-th percentile is p itself, all in the exact region */
	hist_init(&h);
	for (i = 100; i >= 1; i--)
		hist_record(&h, (uint64_t)i);
	for (i = 1; i <= 100; i++)
		assert_int_equal(hist_percentile(&h, i), i);
	assert_int_equal(hist_percentile(&h, 0.5), 1);
	assert_int_equal(hist_percentile(&h, 50.01), 51);

	/*
	 * 0..999: 16.1 * 1000 / 100 evaluates to 161.00000000000003 in
	 * doubles; the nearest rank is still 161, i.e. the value 160.
	 */
	hist_init(&h);
	for (i = 0; i < 1000; i++)
		hist_record(&h, (uint64_t)i);
	assert_int_equal(hist_percentile(&h, 16.1), 160);
	assert_int_equal(hist_percentile(&h, 16.1001), 161);

	/* two samples: p50 is the lower one, anything above 50 the upper */
	hist_init(&h);
	hist_record(&h, 100);
	hist_record(&h, 5000000);
	assert_int_equal(hist_percentile(&h, 50), 100);
	assert_int_equal(hist_percentile(&h, 50.5), 5000000);
	assert_int_equal(hist_percentile(&h, 99.99), 5000000);

	/* one sample above the exact region: clipped to the sample itself */
	hist_init(&h);
	hist_record(&h, 1000001);
	assert_int_equal(hist_percentile(&h, 50), 1000001);
	assert_int_equal(hist_percentile(&h, NAN), 1000001);
}

static void test_empty(void **state)
{
	struct hist h;
	struct hist_summary s;

	memset(&h, 0xa5, sizeof(h));
	hist_init(&h);
	assert_true(h.count == 0 && h.max == 0 && h.clamped == 0);
	assert_true(h.min == UINT64_MAX);
	assert_true(h.sum == 0.0 && h.sumsq == 0.0);
	assert_true(hist_percentile(&h, 50) == 0);
	assert_true(hist_percentile(&h, 0) == 0);
	assert_true(hist_mean(&h) == 0.0);
	assert_true(hist_stddev(&h) == 0.0);
	memset(&s, 0xa5, sizeof(s));
	hist_summarize(&h, &s);
	assert_true(s.count == 0 && s.min_ns == 0 && s.max_ns == 0);
	assert_true(s.p50_ns == 0 && s.p9999_ns == 0);
	assert_true(s.mean_ns == 0.0 && s.cv == 0.0);
}

static void assert_rel(double got, double want, double rel)
{
	if (fabs(got - want) > rel * fabs(want) + 1e-300)
		fail_msg("got %.17g want %.17g", got, want);
}

static void check_summary_equal(const struct hist_summary *a,
				const struct hist_summary *b)
{
	assert_true(a->count == b->count);
	assert_true(a->min_ns == b->min_ns);
	assert_true(a->p50_ns == b->p50_ns);
	assert_true(a->p90_ns == b->p90_ns);
	assert_true(a->p99_ns == b->p99_ns);
	assert_true(a->p999_ns == b->p999_ns);
	assert_true(a->p9999_ns == b->p9999_ns);
	assert_true(a->max_ns == b->max_ns);
	/* sums were added in a different order */
	assert_rel(a->mean_ns, b->mean_ns, 1e-12);
	assert_rel(a->stddev_ns, b->stddev_ns, 1e-9);
	assert_rel(a->cv, b->cv, 1e-9);
}

static void test_merge(void **state)
{
	struct hist *whole = hist_new(), *a = hist_new(), *b = hist_new();
	struct hist *empty = hist_new();
	struct hist_summary sw, sa;
	size_t i;

	assert_non_null(whole);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(empty);
	for (i = 0; i < 100000; i++) {
		uint64_t v = test_rand() >> (64 - 4 - test_rand() % 38);

		if (i % 1000 == 0)
			v = HIST_LIMIT + test_rand() % 1000;	/* clamped */
		hist_record(whole, v);
		/* uneven halves: the min and max live in different parts */
		hist_record(i < 30000 ? a : b, v);
	}
	hist_merge(a, b);
	assert_memory_equal(a->counts, whole->counts, sizeof(whole->counts));
	assert_true(a->count == whole->count);
	assert_true(a->min == whole->min);
	assert_true(a->max == whole->max);
	assert_true(a->clamped == whole->clamped);
	assert_true(a->clamped == 100);
	assert_rel(a->sum, whole->sum, 1e-12);
	assert_rel(a->sumsq, whole->sumsq, 1e-12);
	hist_summarize(whole, &sw);
	hist_summarize(a, &sa);
	check_summary_equal(&sa, &sw);

	/* merging an empty histogram changes nothing, in either direction */
	hist_merge(a, empty);
	hist_summarize(a, &sa);
	check_summary_equal(&sa, &sw);
	hist_merge(empty, whole);
	assert_memory_equal(empty->counts, whole->counts,
			    sizeof(whole->counts));
	assert_true(empty->min == whole->min && empty->max == whole->max);
	hist_summarize(empty, &sa);
	check_summary_equal(&sa, &sw);

	hist_free(whole);
	hist_free(a);
	hist_free(b);
	hist_free(empty);
	hist_free(NULL);
}

static void test_clamped(void **state)
{
	struct hist h;
	const uint64_t top = HIST_LIMIT - 1;

	hist_init(&h);
	hist_record(&h, 5);
	hist_record(&h, top);			/* largest in range */
	hist_record(&h, HIST_LIMIT);
	hist_record(&h, 1ULL << 50);
	hist_record(&h, UINT64_MAX);
	assert_true(h.clamped == 3);
	assert_true(h.count == 5);
	assert_true(h.max == top);
	assert_true(h.min == 5);
	assert_true(h.counts[HIST_NR_BUCKETS - 1] == 4);
	assert_true(h.counts[5] == 1);
	assert_true(hist_percentile(&h, 100) == top);
	assert_true(hist_percentile(&h, 20) == 5);
	assert_true(hist_percentile(&h, 21) == top);
}

static void test_mean_stddev(void **state)
{
	static uint64_t v[100000];
	const size_t n = ARRAY_LEN(v);
	struct hist h;
	struct hist_summary s;
	double mean = 0, ss = 0;
	size_t i;

	hist_init(&h);
	for (i = 0; i < n; i++) {
		v[i] = 1000 + test_rand() % 1000000;
		hist_record(&h, v[i]);
		mean += (double)v[i];
	}
	mean /= (double)n;
	for (i = 0; i < n; i++)
		ss += ((double)v[i] - mean) * ((double)v[i] - mean);
	assert_rel(hist_mean(&h), mean, 1e-12);
	assert_rel(hist_stddev(&h), sqrt(ss / (double)(n - 1)), 1e-9);
	hist_summarize(&h, &s);
	assert_rel(s.mean_ns, mean, 1e-12);
	assert_rel(s.cv, sqrt(ss / (double)(n - 1)) / mean, 1e-9);
	assert_true(s.min_ns == h.min && s.max_ns == h.max);
	assert_true(s.p50_ns == hist_percentile(&h, 50));
	assert_true(s.p999_ns == hist_percentile(&h, 99.9));
	assert_true(s.p9999_ns == hist_percentile(&h, 99.99));
	assert_true(s.p50_ns <= s.p90_ns && s.p90_ns <= s.p99_ns &&
		    s.p99_ns <= s.p999_ns && s.p999_ns <= s.p9999_ns &&
		    s.p9999_ns <= s.max_ns);

	/* tiny known cases: {2, 4, 4, 4, 5, 5, 7, 9} sample var 32/7 */
	{
		const uint64_t k[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

		hist_init(&h);
		for (i = 0; i < ARRAY_LEN(k); i++)
			hist_record(&h, k[i]);
		assert_rel(hist_mean(&h), 5.0, 1e-15);
		assert_rel(hist_stddev(&h), sqrt(32.0 / 7.0), 1e-14);
	}
	/* one sample: stddev 0; constant data: exactly 0, cv 0 */
	hist_init(&h);
	hist_record(&h, 123456789);
	assert_true(hist_stddev(&h) == 0.0);
	assert_rel(hist_mean(&h), 123456789.0, 0);
	for (i = 0; i < 999; i++)
		hist_record(&h, 123456789);
	hist_summarize(&h, &s);
	assert_true(s.stddev_ns == 0.0 && s.cv == 0.0);
	/* all zeros: mean 0 must not divide by zero for cv */
	hist_init(&h);
	hist_record(&h, 0);
	hist_record(&h, 0);
	hist_summarize(&h, &s);
	assert_true(s.mean_ns == 0.0 && s.cv == 0.0 && s.p50_ns == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_inverse),
		cmocka_unit_test(test_bucket_tiling),
		cmocka_unit_test(test_percentiles_distributions),
		cmocka_unit_test(test_percentile_small_exact),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_clamped),
		cmocka_unit_test(test_mean_stddev),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
