/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure statistics over per-repetition values (e.g. one p50 per repetition):
 * location, spread, a distribution-free CI of the median, and the
 * Mann-Whitney U test used to compare two runs.
 *
 * None of these modify their input; the ones that need sorted data sort a
 * private copy.
 */
#ifndef GMB_STATS_H
#define GMB_STATS_H

#include <stddef.h>

/* qsort comparator: doubles ascending */
int stats_cmp_double(const void *pa, const void *pb);

/* arithmetic mean; NaN for n == 0 */
double stats_mean(const double *x, size_t n);
/* sample standard deviation (n - 1); 0 when n < 2 */
double stats_stddev(const double *x, size_t n);
/* median, mean of the two middle values for even n; NaN for n == 0 or ENOMEM */
double stats_median(const double *x, size_t n);
/* geometric mean; NaN if n == 0 or any x <= 0 (or NaN) */
double stats_geomean(const double *x, size_t n);

/*
 * Median and its distribution-free 95% confidence interval from order
 * statistics: [x_(j), x_(n-j+1)] with the largest j such that
 * P(j <= B <= n-j) >= 0.95 for B ~ binomial(n, 1/2).
 * For n < 6 no such interval exists (even [min, max] covers less than 95%);
 * then lo/hi are the min and max and 0 is still returned, so callers must
 * not read a small-n interval as a 95% one.
 * Returns 0, -EINVAL (n == 0 or a NaN in x) or -ENOMEM.
 */
int stats_median_ci95(const double *x, size_t n, double *median,
		      double *lo, double *hi);

/*
 * Two-sided Mann-Whitney U test, normal approximation with tie correction
 * and continuity correction, i.e. scipy.stats.mannwhitneyu(a, b,
 * method="asymptotic", use_continuity=True). *u is the U statistic of
 * sample a (number of pairs with a > b, ties counting 1/2). If every value
 * is tied the variance is 0 and *p_two_sided is 1.
 * Returns 0, -EINVAL (na == 0, nb == 0 or a NaN in either) or -ENOMEM.
 */
int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		       double *u, double *p_two_sided);

#endif /* GMB_STATS_H */
