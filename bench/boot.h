/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bootstrap confidence interval of the ratio cand/base of a location
 * statistic, for data organised as repetitions, each a multiset of values
 * given as (value, count) pairs: a merged latency histogram per repetition,
 * or a single value per repetition.
 *
 * Two statistics:
 *   BOOT_CONVERSIONS  the pct-th percentile of the pooled per-conversion
 *                     values, rank hist_rank(N, pct) as hist_percentile()
 *                     does; resampled in two stages (hierarchical
 *                     bootstrap): the repetitions with replacement, then N*
 *                     conversions from the merged histogram of the drawn
 *                     repetitions. The second stage is drawn exactly and in
 *                     O(log K): the k-th smallest of N* draws from a
 *                     distribution F is F^-1(U) with U ~ Beta(k, N*-k+1).
 *   BOOT_VALUES       the median (mean of the two middle values for an even
 *                     count) of the pooled values, one stage: only the
 *                     repetitions are resampled. For one value per
 *                     repetition (conversions/s, or p50 from results.csv
 *                     when there are no bins).
 *
 * The interval is the percentile interval of `resamples` ratios at level
 * 1 - alpha. All randomness comes from one seeded generator: the same
 * inputs and seed give the same interval.
 */
#ifndef GMB_BOOT_H
#define GMB_BOOT_H

#include <stddef.h>
#include <stdint.h>

enum boot_kind {
	BOOT_CONVERSIONS,
	BOOT_VALUES,
};

/* one repetition: nr distinct values, ascending, each with its count >= 1 */
struct boot_rep {
	const double *value;
	const uint64_t *count;
	size_t nr;
};

/* one side, indexed for resampling: every repetition on a common grid */
struct boot_side {
	double *grid;		/* distinct values of all repetitions, ascending */
	size_t nr_grid;
	uint64_t *cum;		/* [rep * nr_grid + j]: values <= grid[j] in rep */
	size_t nr_reps;
};

struct boot_opts {
	enum boot_kind kind;
	double pct;		/* BOOT_CONVERSIONS: percentile, 0 < pct <= 100 */
	unsigned int resamples;	/* >= 1 */
	double alpha;		/* 0 < alpha < 1: a (1 - alpha) interval */
	uint64_t seed;
};

/*
 * Index nr_reps repetitions (nr_reps >= 1, each with nr >= 1). 0, -EINVAL
 * (no repetition, an empty one, values not ascending or not finite, a
 * total count beyond 2^53) or -ENOMEM. Free with boot_side_free() either way.
 */
int boot_side_init(struct boot_side *s, const struct boot_rep *reps,
		   size_t nr_reps);
void boot_side_free(struct boot_side *s);

/* total count of the side (all repetitions once) */
uint64_t boot_side_count(const struct boot_side *s);

/* the statistic of the side as observed: every repetition once */
double boot_point(const struct boot_side *s, const struct boot_opts *o);

/*
 * Percentile bootstrap interval [*lo, *hi] of stat(cand*) / stat(base*).
 * A resampled ratio with a zero denominator is +inf (1 when both are 0).
 * 0, -EINVAL (bad options) or -ENOMEM.
 */
int boot_ratio_ci(const struct boot_side *base, const struct boot_side *cand,
		  const struct boot_opts *o, double *lo, double *hi);

#endif /* GMB_BOOT_H */
