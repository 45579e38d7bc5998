// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics across repetitions. Sample sizes here are small (tens to
 * thousands of repetitions), so clarity beats cleverness: sort a copy and
 * read order statistics.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats.h"

int stats_cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static double *stats_sorted_copy(const double *x, size_t n)
{
	double *c = malloc(n * sizeof(*c));

	if (!c)
		return NULL;
	memcpy(c, x, n * sizeof(*c));
	qsort(c, n, sizeof(*c), stats_cmp_double);
	return c;
}

static int stats_has_nan(const double *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isnan(x[i]))
			return 1;
	return 0;
}

static double stats_median_sorted(const double *s, size_t n)
{
	if (n % 2)
		return s[n / 2];
	return (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

double stats_mean(const double *x, size_t n)
{
	double sum = 0.0;
	size_t i;

	if (!n)
		return NAN;
	for (i = 0; i < n; i++)
		sum += x[i];
	return sum / (double)n;
}

double stats_stddev(const double *x, size_t n)
{
	double mean, ss = 0.0;
	size_t i;

	if (n < 2)
		return 0.0;
	/* two passes: no cancellation, n is small */
	mean = stats_mean(x, n);
	for (i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return sqrt(ss / (double)(n - 1));
}

double stats_median(const double *x, size_t n)
{
	double *s, m;

	if (!n)
		return NAN;
	s = stats_sorted_copy(x, n);
	if (!s)
		return NAN;
	m = stats_median_sorted(s, n);
	free(s);
	return m;
}

double stats_geomean(const double *x, size_t n)
{
	double sum_log = 0.0;
	size_t i;

	if (!n)
		return NAN;
	for (i = 0; i < n; i++) {
		/* !(x > 0) also rejects NaN */
		if (!(x[i] > 0.0))
			return NAN;
		/* sum of logs: a product of many ratios would overflow */
		sum_log += log(x[i]);
	}
	return exp(sum_log / (double)n);
}

/*
 * Largest j >= 1 with P(j <= B <= n-j) >= 0.95, B ~ binomial(n, 1/2), or 0
 * if even j = 1 falls short (n < 6). The pmf is walked in log space because
 * 2^-n underflows for n > 1074.
 */
static size_t stats_median_ci_rank(size_t n)
{
	double log_pmf = -(double)n * M_LN2;	/* log P(B = 0) */
	double tail = exp(log_pmf);		/* P(B <= j - 1) */
	size_t j = 1;

	if (1.0 - 2.0 * tail < 0.95)
		return 0;
	/* the interval must keep x_(j) <= x_(n-j+1), i.e. j <= n/2 */
	while (j < n / 2) {
		double next;

		/* P(B = j) from P(B = j - 1) */
		log_pmf += log((double)(n - j + 1) / (double)j);
		next = tail + exp(log_pmf);
		if (1.0 - 2.0 * next < 0.95)
			break;
		tail = next;
		j++;
	}
	return j;
}

int stats_median_ci95(const double *x, size_t n, double *median,
		      double *lo, double *hi)
{
	double *s;
	size_t j;

	if (!n || stats_has_nan(x, n))
		return -EINVAL;
	s = stats_sorted_copy(x, n);
	if (!s)
		return -ENOMEM;
	*median = stats_median_sorted(s, n);
	j = stats_median_ci_rank(n);
	if (!j) {
		*lo = s[0];
		*hi = s[n - 1];
	} else {
		*lo = s[j - 1];		/* x_(j), 1-based */
		*hi = s[n - j];		/* x_(n-j+1) */
	}
	free(s);
	return 0;
}

struct stats_tagged {
	double v;
	int from_a;
};

static int stats_cmp_tagged(const void *pa, const void *pb)
{
	const struct stats_tagged *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		       double *u, double *p_two_sided)
{
	size_t n = na + nb, i, k;
	struct stats_tagged *t;
	double rank_sum_a = 0.0, tie_term = 0.0;
	double n1 = (double)na, n2 = (double)nb, dn = (double)n;
	double u1, u_big, mu, var, z, p;

	if (!na || !nb || stats_has_nan(a, na) || stats_has_nan(b, nb))
		return -EINVAL;
	t = malloc(n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < na; i++)
		t[i] = (struct stats_tagged){ .v = a[i], .from_a = 1 };
	for (i = 0; i < nb; i++)
		t[na + i] = (struct stats_tagged){ .v = b[i], .from_a = 0 };
	qsort(t, n, sizeof(*t), stats_cmp_tagged);

	/* ties get the average of the 1-based ranks they span */
	for (i = 0; i < n; i = k) {
		double avg_rank, tc;
		size_t in_a = 0;

		for (k = i; k < n && t[k].v == t[i].v; k++)
			in_a += t[k].from_a;
		avg_rank = ((double)(i + 1) + (double)k) / 2.0;
		rank_sum_a += avg_rank * (double)in_a;
		tc = (double)(k - i);
		tie_term += tc * tc * tc - tc;
	}
	free(t);

	u1 = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
	u_big = u1 > n1 * n2 - u1 ? u1 : n1 * n2 - u1;
	mu = n1 * n2 / 2.0;
	/* tie-corrected variance of U (n > 1 here since na, nb >= 1) */
	var = n1 * n2 / 12.0 * ((dn + 1.0) - tie_term / (dn * (dn - 1.0)));

	*u = u1;
	if (!(var > 0.0)) {
		/* all values tied: no evidence of any difference */
		*p_two_sided = 1.0;
		return 0;
	}
	/* continuity correction pulls the larger U towards the mean */
	z = (u_big - mu - 0.5) / sqrt(var);
	p = erfc(z / M_SQRT2);		/* 2 * normal survival at z */
	*p_two_sided = p > 1.0 ? 1.0 : p;
	return 0;
}
